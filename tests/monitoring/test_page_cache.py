"""The monitoring pages keep their computed content per lake version (payesh.monitoring.views.page_data):
a repeated request asks the cube nothing, a batch change shows on the next request, language and filters
are separate entries, and what belongs to the person asking (their name) is rendered per request."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.translation import get_language

from payesh.cube.cache import answer_cache_clear
from payesh.ledger.demo_data import generate
from payesh.ledger.services import batch_ingest, batch_withdraw
from payesh.monitoring import selectors
from payesh.monitoring.filters import SESSION_KEY

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


def _without_per_request_tokens(html: bytes) -> bytes:
    """The page without its CSRF tokens and CSP nonces (new on every request, as they should be)."""
    return re.sub(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', b"", html)


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
    assert _without_per_request_tokens(second.content) == _without_per_request_tokens(first.content)


@pytest.mark.django_db
def test_a_new_batch_and_a_withdrawal_change_the_numbers_on_the_next_request(client, analyst, cube_calls,
                                                                            tmp_path: Path) -> None:
    year_1401, year_1402 = generate(tmp_path / "demo", rows=3_000, years=range(1401, 1403))
    assert batch_ingest(path=year_1402, user=analyst).status == "active"
    client.cookies["payesh_language"] = "en"

    def change() -> float | None:  # the 1402 exports against 1401: needs a 1401 batch
        value = _overview(client).context["data"].extra["kpis"]["exports_usd"]["change_pct"]
        return None if value is None or value != value else float(value)

    assert change() is None
    cube_calls.clear()
    assert change() is None and cube_calls == []  # served from the cache

    added = batch_ingest(path=year_1401, user=analyst)
    assert added.status == "active"
    grown = change()
    assert grown is not None  # the new batch's year is compared against on the very next request
    assert cube_calls, "the new batch made the page rebuild"

    cube_calls.clear()
    assert change() == grown and cube_calls == []
    batch_withdraw(batch_id=added.id, user=analyst)
    assert change() is None
    assert cube_calls, "the withdrawal made the page rebuild"


@pytest.mark.django_db
def test_languages_and_filters_are_separate_entries(client, ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str, object]] = []
    real = selectors.overview_data

    def counting(filters):  # type: ignore[no-untyped-def]
        built.append((get_language(), filters))
        return real(filters)

    monkeypatch.setattr(selectors, "overview_data", counting)
    answer_cache_clear()
    client.cookies["payesh_language"] = "en"
    english = _overview(client).content.decode()
    assert "the year 1402" in english
    assert len(built) == 1
    _overview(client)
    assert len(built) == 1

    client.cookies["payesh_language"] = "fa"
    persian = _overview(client).content.decode()
    assert [language for language, _f in built] == ["en", "fa"]  # Persian is not served the English entry
    assert "سال ۱۴۰۲" in persian and "the year 1402" not in persian

    six = _overview(client, months="6")
    assert len(built) == 3  # other filters are another entry
    assert "۶ ماه نخست سال ۱۴۰۲" in six.content.decode()
    assert _exports(six) < _exports(_overview(client))
    assert len(built) == 3

    imports = _overview(client, flow="import")
    assert len(built) == 4 and built[-1][1].flow == "import"  # type: ignore[attr-defined]
    assert imports.context["filters"].flow == "import"
    answer_cache_clear()


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



@pytest.mark.django_db
def test_a_first_visit_on_the_defaults_writes_no_session_but_a_choice_is_remembered(client, ledger) -> None:
    client.get(reverse("monitoring:overview"))
    assert Session.objects.count() == 0  # nothing to remember: no session row per anonymous view
    client.get(reverse("monitoring:overview"), {"year": "1401", "months": "3"})
    assert client.session[SESSION_KEY] == {"year": 1401, "months": 3, "scope": "through", "flow": "export"}
    partners = client.get(reverse("monitoring:partners"))
    assert partners.context["filters"].year == 1401 and partners.context["filters"].months == 3
