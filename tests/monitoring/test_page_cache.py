"""The monitoring pages keep their computed content per lake version (payesh.monitoring.views.page_data):
a repeated request asks the cube nothing, a batch change shows on the next request, language and filters
are separate entries, and what belongs to the person asking (their name) is rendered per request."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from payesh.cube.cache import answer_cache_clear
from payesh.ledger.demo_data import generate
from payesh.ledger.services import batch_ingest, batch_withdraw

# The module, not the package's ``run`` function of the same name.
cube_run = importlib.import_module("payesh.cube.run")


@pytest.fixture
def ledger(tmp_path: Path, settings, analyst) -> Path:  # type: ignore[no-untyped-def]
    for path in generate(tmp_path / "demo", rows=3_000, years=range(1401, 1403)):
        assert batch_ingest(path=path, user=analyst).status == "active"
    return Path(settings.PAYESH_LAKE)


@pytest.fixture
def cube_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every question that reaches the engine (answers from the cache do not)."""
    answer_cache_clear()
    calls: list[Any] = []
    real = cube_run.run_on

    def counting(engine, query, lake_root):  # type: ignore[no-untyped-def]
        calls.append(query)
        return real(engine, query, lake_root)

    monkeypatch.setattr(cube_run, "run_on", counting)
    yield calls
    answer_cache_clear()


def _overview(client, **params: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("monitoring:overview"), {"year": "1402", "months": "12", **params})


def _exports(response) -> float:  # type: ignore[no-untyped-def]
    return float(response.context["data"].extra["kpis"]["exports_usd"]["value"])


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["overview", "through_origin", "partners", "products", "offices", "origin"])
def test_a_second_request_for_the_same_page_asks_the_cube_nothing(client, ledger, cube_calls, page: str) -> None:
    client.cookies["payesh_language"] = "en"
    first = client.get(reverse(f"monitoring:{page}"), {"year": "1402", "months": "6"})
    assert first.status_code == 200
    assert cube_calls, "the first request builds the page from the cube"
    cube_calls.clear()
    second = client.get(reverse(f"monitoring:{page}"), {"year": "1402", "months": "6"})
    assert second.status_code == 200
    assert cube_calls == []
    assert second.content == first.content.replace(
        first.context["csrf_token"].encode(), second.context["csrf_token"].encode())


@pytest.mark.django_db
def test_a_new_batch_and_a_withdrawal_change_the_numbers_on_the_next_request(client, ledger, analyst,
                                                                            cube_calls, tmp_path: Path) -> None:
    client.cookies["payesh_language"] = "en"
    before = _exports(_overview(client))
    cube_calls.clear()
    assert _exports(_overview(client)) == before and cube_calls == []  # served from the cache

    extra = generate(tmp_path / "more", rows=1_000, years=[1402], seed=7)[0]
    renamed = extra.with_name("extra-1402.parquet")
    extra.rename(renamed)
    added = batch_ingest(path=renamed, user=analyst)
    assert added.status == "active"
    grown = _exports(_overview(client))
    assert cube_calls, "the new batch made the page rebuild"
    assert grown > before

    batch_withdraw(batch_id=added.id, user=analyst)
    cube_calls.clear()
    assert _exports(_overview(client)) == pytest.approx(before, rel=1e-12)
    assert cube_calls, "the withdrawal made the page rebuild"


@pytest.mark.django_db
def test_languages_and_filters_are_separate_entries(client, ledger, cube_calls) -> None:
    client.cookies["payesh_language"] = "en"
    english = _overview(client).content.decode()
    assert "In the first" in english or "In the year" in english or "the year 1402" in english

    client.cookies["payesh_language"] = "fa"
    cube_calls.clear()
    persian = _overview(client).content.decode()
    assert cube_calls, "Persian is built on its own, not served the English entry"
    assert "۱۴۰۲" in persian and "the year 1402" not in persian

    cube_calls.clear()
    six = _overview(client, months="6")
    assert cube_calls, "other filters are another entry"
    assert "۶ ماه نخست سال ۱۴۰۲" in six.content.decode()
    assert _exports(six) < _exports(_overview(client))

    cube_calls.clear()
    imports = _overview(client, flow="import")
    assert imports.context["filters"].flow == "import"
    assert cube_calls, "the flow is part of the key"


@pytest.mark.django_db
def test_the_page_for_another_user_shows_their_own_name(client, ledger, analyst, viewer, cube_calls) -> None:
    client.cookies["payesh_language"] = "en"
    client.force_login(analyst)
    first = _overview(client).content.decode()
    assert "Bob" in first and "Frank" not in first

    client.force_login(viewer)
    cube_calls.clear()
    second = _overview(client).content.decode()
    assert cube_calls == []  # the content is shared ...
    assert "Frank" in second and "Bob" not in second  # ... the person is not
