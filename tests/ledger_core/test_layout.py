"""Layout 2 of the batch files: source, batch_id, default source_key and reporter are not stored
but added by the facts view; lakes written before (layout 1, every column stored) still read."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import HEADER, good_row, make_codes, write_csv

from payesh.ledger.core import FACT_COLUMNS, FACT_SCHEMA, Lake, duckdb_connect, ingest
from payesh.ledger.core.schema import STORED_COLUMNS

CODES = make_codes()


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


def view_rows(lake: Lake) -> list[dict[str, object]]:
    con = duckdb_connect()
    try:
        lake.create_facts_view(con)
        assert [d[0] for d in con.execute("SELECT * FROM facts LIMIT 0").description] == list(FACT_COLUMNS)
        table = con.execute("SELECT * FROM facts").arrow()
        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
        return sorted(table.to_pylist(), key=lambda r: (str(r["batch_id"]), str(r["source_key"])))
    finally:
        con.close()


def write_keyed_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    header = [*HEADER, "source_key", "reporter"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def legacy_copy(lake: Lake, target: Path) -> Lake:
    """The same lake as the code before layouts wrote it: every FACT_COLUMN stored in FACT_SCHEMA
    order, and a manifest without ``layout``. Built from the stored file plus the constants."""
    manifest = json.loads((lake.root / "manifest.json").read_text())
    old = Lake(target)
    for batch, data in zip(lake.batches(), manifest["batches"], strict=True):
        for name in batch.files:
            stored = pq.read_table(lake.root / name)
            assert tuple(stored.schema.names) == STORED_COLUMNS
            keys = [key if key is not None else f"{decl}#{line}" for key, decl, line in zip(
                stored.column("source_key").to_pylist(), stored.column("declaration_id").to_pylist(),
                stored.column("line_no").to_pylist(), strict=True)]
            reporters = [r if r is not None else batch.reporter for r in stored.column("reporter").to_pylist()]
            constants = {"source": [batch.source] * stored.num_rows, "source_key": keys, "reporter": reporters,
                         "batch_id": [batch.id] * stored.num_rows}
            full = pa.table({c: pa.array(constants[c], pa.string()) if c in constants else stored.column(c)
                             for c in FACT_COLUMNS}).cast(FACT_SCHEMA)
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(full, target / name)
        data.pop("layout")
    (target / "manifest.json").write_text(json.dumps(manifest))
    assert all(b.layout == 1 for b in old.batches())
    return old


def test_view_rows_equal_the_rows_stored_before_layouts(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    # Without a source_key column (fast path): default keys, reporter of the load.
    plain = ingest(write_csv(tmp_path / "plain.csv", [good_row(i) for i in range(40)]), lake=lake, codes=CODES)
    # With its own keys and reporters, some empty (defaults apply per row).
    keyed_rows = [good_row(100 + i, source_key=f"K-{i}" if i % 2 else "", reporter="AFG" if i % 3 == 0 else "")
                  for i in range(30)]
    keyed = ingest(write_keyed_csv(tmp_path / "keyed.csv", keyed_rows), lake=lake, codes=CODES, reporter="PAK")
    # Needs the full normalisation (Persian digits), with a key, under quarantine with one bad row.
    dirty_rows = [good_row(200 + i, declaration_id=f"E{i}", source_key=f"۷۷-{i}" if i < 5 else "")
                  for i in range(20)]
    dirty_rows[7]["partner"] = "XXX"
    dirty = ingest(write_keyed_csv(tmp_path / "dirty.csv", dirty_rows), lake=lake, codes=CODES, policy="quarantine")
    assert [r.status for r in (plain, keyed, dirty)] == ["loaded"] * 3
    assert dirty.rows_loaded == 19 and dirty.rows_quarantined == 1

    rows = view_rows(lake)
    assert len(rows) == 40 + 30 + 19
    by_batch = {b: [r for r in rows if r["batch_id"] == b] for b in (plain.batch_id, keyed.batch_id, dirty.batch_id)}
    assert {r["source_key"] for r in by_batch[plain.batch_id]} == {
        f"D{i // 3:07d}#{i % 3 + 1}" for i in range(40)}
    assert {r["reporter"] for r in by_batch[plain.batch_id]} == {"IRN"}
    expected_keyed = {(f"K-{i}" if i % 2 else f"D{(100 + i) // 3:07d}#{(100 + i) % 3 + 1}",
                       "AFG" if i % 3 == 0 else "PAK") for i in range(30)}
    assert {(r["source_key"], r["reporter"]) for r in by_batch[keyed.batch_id]} == expected_keyed
    assert {r["source_key"] for r in by_batch[dirty.batch_id]} == {
        f"77-{i}" if i < 5 else f"E{i}#{(200 + i) % 3 + 1}" for i in range(20) if i != 7}
    assert all(r["source"] == "customs" for r in rows)
    # The stored files leave the defaults out: NULL keys where the file gave none.
    stored = pq.read_table(lake.active_files()[0])
    assert stored.column("source_key").null_count == stored.num_rows

    # A lake written before layouts (every column in the files) reads the same, alone or mixed.
    old = legacy_copy(lake, tmp_path / "old")
    assert view_rows(old) == rows
    (old.root / "facts" / f"batch={keyed.batch_id}").rename(tmp_path / "moved")
    manifest = json.loads((old.root / "manifest.json").read_text())
    new_manifest = json.loads((lake.root / "manifest.json").read_text())
    manifest["batches"][1] = new_manifest["batches"][1]  # the keyed batch back in layout 2
    (old.root / "manifest.json").write_text(json.dumps(manifest))
    (lake.root / "facts" / f"batch={keyed.batch_id}").rename(old.root / "facts" / f"batch={keyed.batch_id}")
    assert sorted(b.layout for b in Lake(old.root).batches()) == [1, 1, 2]
    assert view_rows(Lake(old.root)) == rows


def test_lake_under_a_path_with_equals_sign(tmp_path: Path) -> None:
    """Hive partitioning would read ``x=y`` in the lake's own path: batches are then listed one by one."""
    lake = Lake(tmp_path / "year=2024" / "lake")
    first = ingest(write_csv(tmp_path / "a.csv", [good_row(i) for i in range(10)]), lake=lake, codes=CODES)
    second = ingest(write_csv(tmp_path / "b.csv", [good_row(i) for i in range(10, 25)]), lake=lake, codes=CODES)
    rows = view_rows(lake)
    assert sorted({str(r["batch_id"]) for r in rows}) == sorted([str(first.batch_id), str(second.batch_id)])
    assert len(rows) == 25 and all("year" not in r for r in rows)
    assert {r["source_key"] for r in rows} == {f"D{i // 3:07d}#{i % 3 + 1}" for i in range(25)}


def test_explicit_key_equal_to_a_default_key_is_a_duplicate(tmp_path: Path) -> None:
    """The keys compared are the effective ones: a given key against another row's default key."""
    lake = Lake(tmp_path / "lake")
    rows = [good_row(i) for i in range(600)]
    rows[580]["source_key"] = "D0000001#2"  # the default key of row 4 (i = 4)
    result = ingest(write_keyed_csv(tmp_path / "dup.csv", rows), lake=lake, codes=CODES)
    assert result.status == "rejected"
    duplicates = [i for i in result.issues if i.rule == "duplicate_in_file"]
    assert [(i.row, i.value) for i in duplicates] == [(582, "D0000001#2")]
    # Across batches too: the active keys are read through the view.
    assert ingest(write_csv(tmp_path / "a.csv", rows[:10]), lake=lake, codes=CODES).status == "loaded"
    clash = [good_row(1000 + i, source_key="D0000002#1" if i == 3 else "") for i in range(600)]
    again = ingest(write_keyed_csv(tmp_path / "clash.csv", clash), lake=lake, codes=CODES)
    assert again.status == "rejected"
    assert [(i.row, i.rule) for i in again.issues if i.severity == "error"] == [(5, "duplicate_key")]


def test_restore_refused_on_overlap_through_default_keys(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    first = ingest(write_csv(tmp_path / "a.csv", [good_row(i) for i in range(10)]), lake=lake, codes=CODES)
    lake.withdraw(str(first.batch_id))
    keyed = [good_row(100 + i, source_key="D0000000#1" if i == 0 else "") for i in range(5)]
    assert ingest(write_keyed_csv(tmp_path / "b.csv", keyed), lake=lake, codes=CODES).status == "loaded"
    with pytest.raises(Exception, match="1 of its rows"):
        lake.restore(str(first.batch_id))
