"""Bounded fuzzing of the readers: whatever the bytes, ``ingest`` answers with the ledger's own
result (loaded, or rejected with issues of known rules) — never an exception, never a write on
rejection."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from corpus import csv_bytes, rows, table
from helpers import HEADER, make_codes

from payesh.ledger.core import Lake, ingest, rules

CODES = make_codes()
KNOWN = set(rules())
# Bounded and reproducible in the suite; PAYESH_FUZZ_EXAMPLES=2000 for a longer, random hunt.
_EXAMPLES = int(os.environ.get("PAYESH_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=_EXAMPLES, deadline=None, derandomize="PAYESH_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


def _ingest_is_well_behaved(path: Path, lake: Lake) -> None:
    before = len(lake.batches())
    result = ingest(path, lake=lake, codes=CODES, hs_revision="HS17")
    assert {i.rule for i in result.issues} <= KNOWN
    if result.status == "rejected":
        assert any(i.severity == "error" for i in result.issues) and len(lake.batches()) == before
    else:
        assert result.batch_id is not None and len(lake.batches()) == before + 1


# Cells a customs file might hold, good and bad: numbers in every notation, NaN, controls, Persian.
CELL = st.one_of(
    st.sampled_from(["export", "import", "PAK", "MIRJAVEH", "customs", "25232900", "HS17", "kg", "road",
                     "2023-05-01", "۱۴۰۲/۰۷/۱۵", "NaN", "inf", "-Infinity", "1e308", "1,500", "1500,50",
                     "1.234,5", "۱٬۲۳۴٫۵", "", " ", "\x00", "\"", "'", ";", "=1+1", "1e309", "-0", "0x10"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@FUZZ
@given(cells=st.lists(st.lists(CELL, min_size=0, max_size=len(HEADER) + 2), min_size=1, max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1256"]))
def test_csv_cells(tmp_path_factory: pytest.TempPathFactory, cells: list[list[str]], delimiter: str,
                   encoding: str) -> None:
    folder = tmp_path_factory.mktemp("csv")
    text = "\n".join(delimiter.join(line) for line in [HEADER, *cells]) + "\n"
    path = folder / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    _ingest_is_well_behaved(path, Lake(folder / "lake"))


def _mutate(content: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(content)
    for position, byte in edits:
        data[position % len(data)] = byte
    return bytes(data)


def _xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in table(rows(3)):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _parquet_bytes() -> bytes:
    data = rows(3)
    columns = {h: pa.array([None if r.get(h) in ("", None) else str(r.get(h)) for r in data], pa.string())
               for h in HEADER}
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


SAMPLES = {"xlsx": _xlsx_bytes(), "parquet": _parquet_bytes(), "csv": csv_bytes(rows(3))}
EDITS = st.lists(st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(min_value=0, max_value=255)),
                 min_size=1, max_size=8)


@FUZZ
@given(kind=st.sampled_from(sorted(SAMPLES)), edits=EDITS, cut=st.one_of(st.none(), st.integers(0, 1 << 16)))
def test_damaged_bytes(tmp_path_factory: pytest.TempPathFactory, kind: str, edits: list[tuple[int, int]],
                       cut: int | None) -> None:
    folder = tmp_path_factory.mktemp(kind)
    content = _mutate(SAMPLES[kind], edits)
    path = folder / f"fuzz.{kind}"
    path.write_bytes(content[:cut] if cut is not None else content)
    _ingest_is_well_behaved(path, Lake(folder / "lake"))


@FUZZ
@given(member=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml",
                               "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]), edits=EDITS)
def test_damaged_xlsx_members(tmp_path_factory: pytest.TempPathFactory, member: str,
                              edits: list[tuple[int, int]]) -> None:
    """Valid zips whose XML is damaged (the zip layer no longer catches it)."""
    folder = tmp_path_factory.mktemp("member")
    path = folder / "fuzz.xlsx"
    with zipfile.ZipFile(io.BytesIO(SAMPLES["xlsx"])) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, _mutate(content, edits) if info.filename == member else content)
    _ingest_is_well_behaved(path, Lake(folder / "lake"))
