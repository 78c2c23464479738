"""The malformed-file corpus: every file refused (or loaded with its warning) with a message that
names the row and column or the limit and its setting; a refused file leaves the lake as it was."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import CASES, Case
from helpers import make_codes

from payesh.ledger.core import Lake, ingest, rules

CODES = make_codes()


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


def lake_contents(lake: Lake) -> tuple[str, list[str]]:
    """The manifest and every file under facts/, meta/ and sources/: what "unchanged" compares."""
    manifest = lake.root / "manifest.json"
    files = sorted(str(p.relative_to(lake.root)) for sub in ("facts", "meta", "sources")
                   for p in (lake.root / sub).rglob("*"))
    return (manifest.read_text(encoding="utf-8") if manifest.exists() else "", files)


def test_the_corpus_covers_every_class() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.rule for c in CASES} <= set(rules())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_file(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    lake = Lake(tmp_path / "lake")
    for earlier in case.history(tmp_path) if case.history else []:
        assert ingest(earlier, lake=lake, codes=CODES).status == "loaded"
    before = lake_contents(lake)
    batches_before = len(lake.batches())
    path = case.build(tmp_path)
    result = ingest(path, lake=lake, codes=CODES, hs_revision="HS17", sheet=case.sheet,
                    source_name=case.source_name)
    found = [i for i in result.issues if i.rule == case.rule]
    assert found, [(i.rule, i.row, i.column, i.message_en) for i in result.issues]
    finding = found[0]
    if case.row is not None:
        assert finding.row == case.row, finding
    if case.column is not None:
        assert finding.column == case.column, finding
    if case.text is not None:
        assert case.text in finding.message_en, finding.message_en
    # Persian message too, and no value longer than an issue shows (a 9 MB cell is not repeated).
    assert finding.message_fa and len(finding.message_en) < 1000
    if case.loads:
        assert result.status == "loaded" and finding.severity == "warning", result.issues
        assert len(lake.batches()) == batches_before + 1
    else:
        assert result.status == "rejected" and finding.severity == "error", result.message_en
        assert result.batch_id is None and result.rows_loaded == 0
        assert lake_contents(lake) == before
