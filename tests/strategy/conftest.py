"""Fixtures of the strategy tests: a small ledger (the API tests' nine lines) and a small document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jdatetime
import pytest

from payesh.ledger import services as ledger
from tests.api.conftest import LEDGER


def j(year: int, month: int, day: int) -> dt.date:
    return jdatetime.date(year, month, day).togregorian()


@pytest.fixture
def ledger_loaded(tmp_path: Path, analyst):  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    return batch


@dataclass
class Doc:
    document: object
    version: object
    g1: object
    g2: object
    k1: object
    a1: object  # AGRICULTURE's action
    a2: object  # FISHERIES' action


def build_document(analyst, *, quorum: int = 1, chair=None, chair_must_approve: bool = False) -> Doc:  # type: ignore[no-untyped-def]
    from payesh.reference.models import Agency
    from payesh.strategy import services

    document = services.document_create(user=analyst, title_en="Test document", title_fa="سند آزمایشی",
                                        quorum=quorum, chair=chair, chair_must_approve=chair_must_approve)
    version = document.versions.get()
    g1 = services.goal_save(user=analyst, version=version, data={"code": "G1", "title_en": "Exports to Pakistan",
                                                                 "title_fa": "صادرات به پاکستان", "weight": 2})
    g2 = services.goal_save(user=analyst, version=version, data={"code": "G2", "title_en": "Fish",
                                                                 "title_fa": "ماهی"})
    k1 = services.kpi_save(user=analyst, goal=g1, data={
        "code": "K1", "name_en": "Exports to Pakistan", "name_fa": "صادرات به پاکستان", "source": "computed",
        "unit": "USD", "measure": "exports_usd", "cuts": "partner:PAK", "weight": 1}, targets=[(1402, 25000)])
    agriculture, fisheries = Agency.objects.get(code="AGRICULTURE"), Agency.objects.get(code="FISHERIES")
    a1 = services.action_save(user=analyst, goal=g1, data={
        "code": "A1", "title_en": "Dates packing", "title_fa": "بسته‌بندی خرما", "agency": agriculture,
        "start_date": j(1403, 1, 15), "due_date": j(1409, 12, 15), "weight": 1}, supporting=[fisheries])
    a2 = services.action_save(user=analyst, goal=g2, data={
        "code": "A2", "title_en": "Fish port", "title_fa": "بندر صیادی", "agency": fisheries,
        "start_date": j(1403, 1, 15), "due_date": j(1404, 1, 15)})
    return Doc(document, version, g1, g2, k1, a1, a2)


def approve(doc: Doc, analyst, member) -> None:  # type: ignore[no-untyped-def]
    from payesh.strategy import services

    services.version_request_approval(user=analyst, version=doc.version)
    services.vote_cast(user=member, version=doc.version, choice="approve")
    doc.version.refresh_from_db()  # type: ignore[attr-defined]
    assert doc.version.status == "approved"  # type: ignore[attr-defined]


@pytest.fixture
def doc(ledger_loaded, analyst) -> Doc:  # type: ignore[no-untyped-def]
    return build_document(analyst)


@pytest.fixture
def approved(doc, analyst, member) -> Doc:  # type: ignore[no-untyped-def]
    approve(doc, analyst, member)
    return doc


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Services' messages in English, so that tests read them (pages set their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield
