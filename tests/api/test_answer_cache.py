"""The /api/cube answer cache (payesh.cube.cache): a repeated question is answered from memory, and a
batch change (withdraw, restore, a new load) makes the next answer come from the lake again."""

from __future__ import annotations

from typing import Any

import pytest

from payesh.api import selectors
from payesh.cube import cache
from payesh.ledger import services as ledger

QUESTION = {"measures": "value_usd", "drilldowns": "flow", "locale": "en"}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.answer_cache_clear()


@pytest.fixture
def lake_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the questions that reach the cube (not the cache)."""
    calls: list[int] = []
    original = selectors.cube_table

    def counted(**kwargs: Any) -> Any:
        calls.append(1)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "cube_table", counted)
    return calls


def _exports(client: Any) -> float:
    response = client.get("/api/cube", QUESTION)
    assert response.status_code == 200, response.content
    return {row["flow"]: row["value_usd"] for row in response.json()["data"]}["export"]


def test_repeated_question_reaches_the_cube_once_until_a_batch_changes(client, ledger_loaded, analyst,
                                                                         lake_reads) -> None:
    before = _exports(client)
    assert before == pytest.approx(8000 + 2500 + 4000 + 19200 + 1500 + 2000 + 900)
    assert _exports(client) == before
    assert _exports(client) == before
    assert len(lake_reads) == 1

    ledger.batch_withdraw(batch_id=ledger_loaded.id, user=analyst)
    response = client.get("/api/cube", QUESTION)
    assert response.status_code == 200 and response.json()["data"] == []  # the withdrawn rows are gone at once
    assert len(lake_reads) == 2

    ledger.batch_restore(batch_id=ledger_loaded.id, user=analyst)
    assert _exports(client) == before
    assert len(lake_reads) == 3


def test_other_parameters_language_and_pages_are_other_questions(client, ledger_loaded, lake_reads) -> None:
    client.get("/api/cube", QUESTION)
    client.get("/api/cube", {**QUESTION, "locale": "fa"})
    client.get("/api/cube", {**QUESTION, "limit": "1"})
    client.get("/api/cube", {**QUESTION, "drilldowns": "partner"})
    assert len(lake_reads) == 4


def test_a_bad_question_is_refused_every_time_and_not_cached(client, ledger_loaded, lake_reads) -> None:
    for _ in range(2):
        response = client.get("/api/cube", {**QUESTION, "cut": "partner:ZZZ"})
        assert response.status_code == 400
        assert "ZZZ" in response.content.decode()
    assert lake_reads == []
