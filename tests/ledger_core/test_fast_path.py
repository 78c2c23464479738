"""Typed fast path (lean write + checks) against the full normalisation: same facts, same issues."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import HEADER, good_row, make_codes, write_csv

from payesh.ledger.core import Lake, duckdb_connect, ingest
from payesh.ledger.core import pipeline as pipeline_module
from payesh.ledger.core.dates import sql_nowruz_macro
from payesh.ledger.core.schema import FACT_COLUMNS, INPUT_COLUMNS
from payesh.ledger.core.validate import lean_sql, normalise_sql

CODES = make_codes()


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


def facts_of(lake: Lake) -> list[tuple[object, ...]]:
    con = duckdb_connect()
    lake.create_facts_view(con)
    columns = ", ".join(c for c in FACT_COLUMNS if c != "batch_id")
    return con.execute(f"SELECT {columns} FROM facts ORDER BY source_key").fetchall()


def test_lean_select_equals_full_normalisation_on_clean_rows(tmp_path: Path) -> None:
    # Dates every 3 days over 1990 … 2030 (Nowruz boundaries, leap years), also out of range.
    dates = [dt.date(1900, 3, 20), dt.date(2200, 3, 21)] + [
        dt.date(1990, 1, 1) + dt.timedelta(days=3 * k) for k in range(4900)]
    path = write_csv(tmp_path / "ok.csv", [good_row(i, hs_code="100630" if i % 2 else "25232900",
                                                   border_market="", origin_county="IR-11-05",
                                                   declaration_date=day.isoformat())
                                           for i, day in enumerate(dates)])
    types = {c.name: c.duckdb_type for c in INPUT_COLUMNS if c.name in HEADER}
    columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in types.items()) + "}"
    relation = f"read_csv('{path}', header = true, auto_detect = false, columns = {columns})"
    options = dict(default_revision="HS17")
    con = duckdb_connect()
    con.execute(sql_nowruz_macro())
    # _bad (findings of the reading itself, none here) is not a stored column.
    full = con.execute(f"SELECT * EXCLUDE (_bad) FROM ({normalise_sql(relation, types, has_row=False, **options)})"  # type: ignore[arg-type]
                       ).fetchall()
    lean = con.execute(lean_sql(relation, types, **options)).fetchall()  # type: ignore[arg-type]
    assert lean == full


def test_values_needing_normalisation_past_the_head_are_normalised(tmp_path: Path, lake: Lake,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = pipeline_module.normalise_sql

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("full")
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "normalise_sql", spy)
    rows = [good_row(i) for i in range(600)]
    # Past the sniffed head, so the file takes the typed path; the lean check must catch these.
    rows[550].update(partner=" pak", flow="EXPORT", unit=" kg ", hs_code="2523.29.00",
                     declaration_id=" D۹۹۹ ", transport_mode="Road", hs_revision="hs17")
    result = ingest(write_csv(tmp_path / "dirty.csv", rows), lake=lake, codes=CODES)
    assert result.status == "loaded", result.issues
    assert calls == ["full"]
    con = duckdb_connect()
    lake.create_facts_view(con)
    row = con.execute("SELECT flow, partner, unit, hs_code, national_code, transport_mode, hs_revision, "
                      "source_key FROM facts WHERE declaration_id = 'D999'").fetchone()
    assert row == ("export", "PAK", "kg", "252329", "25232900", "road", "HS17", "D999#2")


def test_clean_typed_file_skips_full_normalisation(tmp_path: Path, lake: Lake,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_module, "normalise_sql", None)  # would fail if called
    rows = [good_row(i) for i in range(30)]
    result = ingest(write_csv(tmp_path / "ok.csv", rows), lake=lake, codes=CODES)
    assert result.status == "loaded" and result.rows_loaded == 30
    # Forced to the full normalisation, the same file gives the same facts.
    full = Lake(tmp_path / "full")
    monkeypatch.undo()
    monkeypatch.setattr(pipeline_module, "lean_clean_sql", lambda *a, **k: ["SELECT 1"])
    again = ingest(write_csv(tmp_path / "ok2.csv", rows), lake=full, codes=CODES)
    assert again.status == "loaded"
    assert facts_of(lake) == facts_of(full)


@pytest.mark.parametrize("where", ["head", "tail"])
def test_duplicates_and_unknown_codes_past_the_head(tmp_path: Path, lake: Lake, where: str) -> None:
    rows = [good_row(i) for i in range(600)]
    at = 3 if where == "head" else 560
    rows[at + 10] = dict(rows[at])          # duplicate natural key
    rows[at + 20]["origin_county"] = "IR-99-99"
    rows[at + 21]["channel"] = "border_market"  # border market missing
    rows[at + 22]["value_usd"] = -1
    rows[at + 23]["declaration_date"] = "1980-01-01"
    result = ingest(write_csv(tmp_path / "bad.csv", rows), lake=lake, codes=CODES)
    found = {(i.row, i.rule) for i in result.issues}
    assert {(at + 12, "duplicate_in_file"), (at + 22, "county_unknown"), (at + 23, "border_market_missing"),
            (at + 24, "value_negative"), (at + 25, "date_out_of_range")} <= found
    duplicate = next(i for i in result.issues if i.rule == "duplicate_in_file")
    assert f"row {at + 2}" in duplicate.message_en


def test_overlap_with_active_batch_on_fast_path(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(40)]
    assert ingest(write_csv(tmp_path / "a.csv", rows[:20]), lake=lake, codes=CODES).status == "loaded"
    result = ingest(write_csv(tmp_path / "b.csv", rows[10:]), lake=lake, codes=CODES)
    assert result.status == "rejected"
    assert sorted(i.row for i in result.issues if i.rule == "duplicate_key") == list(range(2, 12))


def test_same_file_is_refused_before_anything_is_written(tmp_path: Path, lake: Lake) -> None:
    path = write_csv(tmp_path / "ok.csv", [good_row(i) for i in range(10)])
    first = ingest(path, lake=lake, codes=CODES)
    second = ingest(path, lake=lake, codes=CODES)
    assert first.status == "loaded" and second.status == "rejected"
    assert [i.rule for i in second.issues] == ["file_duplicate"]
    assert len(lake.batches()) == 1 and not any((lake.root / "staging").iterdir())
    assert pq.ParquetFile(lake.root / lake.batches()[0].files[0]).metadata.num_rows == 10


def test_date_past_tomorrow_is_caught_on_fast_path(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(600)]
    rows[590]["declaration_date"] = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    result = ingest(write_csv(tmp_path / "future.csv", rows), lake=lake, codes=CODES)
    assert (592, "date_out_of_range") in {(i.row, i.rule) for i in result.issues}


def test_a_later_line_in_windows_1256_names_the_row_and_the_encoding_found(tmp_path: Path, lake: Lake) -> None:
    """Past the head the encoding sniffer reads, a Windows-1256 line is found by DuckDB's scan; the
    message names the row and the encoding, not DuckDB's 'not utf-8 encoded'."""
    path = write_csv(tmp_path / "mixed.csv", [good_row(i) for i in range(6000)])
    lines = path.read_bytes().split(b"\n")
    assert len(b"\n".join(lines[:5000])) > 256 * 1024  # past the sniffed head
    lines[5000] = lines[5000].replace(b"PAK", "ايران".encode("cp1256"), 1)
    path.write_bytes(b"\n".join(lines))
    result = ingest(path, lake=lake, codes=CODES)
    assert result.status == "rejected" and lake.batches() == []
    mixed = [i for i in result.issues if i.rule == "encoding_mixed"]
    assert [i.row for i in mixed] == [5001]
    assert "Windows-1256" in mixed[0].message_en and "UTF-8" in mixed[0].message_en
    assert "\\xc7" in (mixed[0].value or "")
    assert not [i for i in result.issues if i.rule == "row_malformed"]


def test_a_line_over_the_size_bound_names_the_cell_limit_setting(tmp_path: Path, lake: Lake,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYESH_LEDGER_MAX_CELL_CHARS", "1000")
    rows = [good_row(i) for i in range(50)]
    rows[40]["declaration_id"] = "X" * 2_100_000  # over DuckDB's 2,000,000-byte line bound
    result = ingest(write_csv(tmp_path / "long.csv", rows), lake=lake, codes=CODES)
    assert result.status == "rejected" and lake.batches() == []
    long = [i for i in result.issues if i.rule == "cell_too_long"]
    assert [(i.row, i.column) for i in long] == [(42, "(row)")]  # refused by the scan, named by us
    assert "PAYESH_LEDGER_MAX_CELL_CHARS" in long[0].message_en and "1,000" in long[0].message_en
    assert "Maximum line size" not in " ".join(i.message_en for i in result.issues)
