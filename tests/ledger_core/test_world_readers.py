"""World and bilateral files (BACI, Comtrade, Atlas, the world layout) load as ledger batches.

Country codes go through each source's own table (BACI 842 = USA, never M49); rows keep exporter,
importer and product at the source's detail; a file loaded twice is refused; a batch withdraws.
The real Atlas 2016 extract in ../shared/data is loaded as it is (realdata).
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import count_facts, make_codes

from payesh.ledger.core import Lake, ReferenceCodes, duckdb_connect, ingest
from payesh.ledger.core.readers import get_reader

BASE = make_codes()
# BACI's and Comtrade's own codes, as payesh/reference/data/source_country_codes.csv has them.
OWN_CODES = {"842": "USA", "251": "FRA", "699": "IND", "757": "CHE", "490": "TWN", "364": "IRN", "586": "PAK",
             "4": "AFG", "156": "CHN", "784": "ARE", "0": "WLD"}
CODES = ReferenceCodes(
    hs_codes={"HS92": frozenset({"100630", "252329", "080410", "870323", "0804", "2523", "1006"})},
    countries=BASE.countries | {"USA", "FRA", "CHE", "TWN", "WLD"},
    country_m49={840: "USA", 250: "FRA", 356: "IND", 756: "CHE", 364: "IRN"},  # M49: must not be used
    source_countries={"baci": OWN_CODES, "comtrade": OWN_CODES,
                      "atlas": {c: c for c in BASE.countries | {"USA", "FRA", "CHE", "WLD"}} | {"ROM": "ROU"}},
)


@pytest.fixture(autouse=True)
def _lake() -> None:
    """The core runs without Django (overrides tests/conftest.py's settings fixture)."""


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


def _facts(lake: Lake, sql: str) -> list[tuple[object, ...]]:
    con = duckdb_connect()
    try:
        lake.create_facts_view(con)
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _baci(path: Path) -> Path:
    # t,i,j,k,v,q: v in thousands of USD, q in tonnes; k written as a number (80410 = 080410).
    path.write_text("t,i,j,k,v,q\n"
                    "2022,364,842,80410,1.5,2.0\n"
                    "2022,364,251,80410,2.5,NA\n"
                    "2022,699,757,100630,40.0,100.0\n"
                    "2022,842,699,870323,300.0,50.0\n"
                    "2022,490,364,252329,0.25,4.0\n", encoding="utf-8")
    return path


def test_baci_own_country_codes_load_as_a_batch_with_importers(tmp_path: Path, lake: Lake) -> None:
    result = ingest(_baci(tmp_path / "BACI_HS92_Y2022_V202401.csv"), lake=lake, codes=CODES, fmt="baci")
    assert result.status == "loaded" and result.format == "baci_csv", result.issues
    assert lake.get(str(result.batch_id)).source == "baci"
    rows = _facts(lake, "SELECT reporter, partner, hs_code, hs_revision, value_usd, quantity, flow, "
                        "declaration_date::VARCHAR FROM facts ORDER BY value_usd")
    assert rows == [
        ("TWN", "IRN", "252329", "HS92", 250.0, 4000.0, "export", "2022-01-01"),
        ("IRN", "USA", "080410", "HS92", 1500.0, 2000.0, "export", "2022-01-01"),
        ("IRN", "FRA", "080410", "HS92", 2500.0, None, "export", "2022-01-01"),
        ("IND", "CHE", "100630", "HS92", 40000.0, 100000.0, "export", "2022-01-01"),
        ("USA", "IND", "870323", "HS92", 300000.0, 50000.0, "export", "2022-01-01"),
    ]


def test_the_same_baci_file_twice_is_refused_and_the_batch_withdraws(tmp_path: Path, lake: Lake) -> None:
    path = _baci(tmp_path / "BACI_HS92_Y2022_V202401.csv")
    first = ingest(path, lake=lake, codes=CODES, fmt="baci")
    again = ingest(path, lake=lake, codes=CODES, fmt="baci")
    assert again.status == "rejected" and [i.rule for i in again.issues] == ["file_duplicate"]
    assert str(first.batch_id) in again.issues[0].message_en
    assert count_facts(lake) == 5
    lake.withdraw(str(first.batch_id))
    assert count_facts(lake) == 0


def test_a_m49_code_that_baci_does_not_use_is_an_error_naming_row_column_and_value(tmp_path: Path,
                                                                                   lake: Lake) -> None:
    path = tmp_path / "BACI_HS92_Y2022_V202401.csv"
    # 840 is the USA in M49, but BACI writes 842: the row is refused, never guessed.
    path.write_text("t,i,j,k,v,q\n2022,364,840,80410,1.5,2.0\n2022,364,586,80410,1.0,1.0\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES, fmt="baci")
    assert result.status == "rejected"
    errors = [(i.row, i.column, i.value, i.rule) for i in result.issues if i.severity == "error"]
    assert errors == [(2, "partner", "840", "partner_unknown")]
    quarantined = ingest(path, lake=lake, codes=CODES, fmt="baci", policy="quarantine")
    assert (quarantined.rows_loaded, quarantined.rows_quarantined) == (1, 1)


def test_comtrade_numeric_codes_are_comtrades_own(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "typeCode,freqCode,period,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,netWgt,primaryValue\n"
        "C,A,2022,842,X,0,H0,080410,,1000\n"
        "C,A,2022,842,X,699,H0,080410,,400\n"
        "C,A,2022,490,M,757,H0,100630,20,700\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES, fmt="comtrade")
    assert result.status == "loaded", result.issues
    rows = _facts(lake, "SELECT reporter, partner, flow, value_usd FROM facts ORDER BY value_usd")
    assert rows == [("USA", "IND", "export", 400.0), ("TWN", "CHE", "import", 700.0), ("USA", "WLD", "export", 1000.0)]


def test_atlas_rows_are_trade_with_the_world_and_keep_imports(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "country_hsproduct4digit_year.csv"
    path.write_text("location_code,hs_product_code,year,export_value,import_value\n"
                    "IRN,804,2021,900,0\n"
                    "PAK,1006,2021,800,25\n"
                    "ROM,2523,2021,10,0\n", encoding="utf-8")
    assert get_reader("atlas").identifier == "atlas_csv"
    result = ingest(path, lake=lake, codes=CODES, fmt="atlas", policy="quarantine")
    # ROU is not in this test's country list: the Atlas's old ROM maps to it and is then refused by name.
    assert [(i.row, i.column, i.value, i.rule) for i in result.issues if i.severity == "error"] == [
        (4, "reporter", "ROU", "reporter_unknown")]
    rows = _facts(lake, "SELECT reporter, partner, flow, hs_code, hs_revision, value_usd FROM facts "
                        "ORDER BY value_usd")
    assert rows == [("PAK", "WLD", "import", "1006", "HS92", 25.0), ("PAK", "WLD", "export", "1006", "HS92", 800.0),
                    ("IRN", "WLD", "export", "0804", "HS92", 900.0)]


def test_atlas_import_cell_that_is_not_a_number_is_named_not_dropped(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "country_hsproduct4digit_year.csv"
    path.write_text("location_code,hs_product_code,year,export_value,import_value\n"
                    "IRN,0804,2021,900,NA\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES, fmt="atlas")
    assert result.status == "rejected"
    assert [(i.row, i.column, i.value) for i in result.issues if i.severity == "error"] == [(2, "value_usd", "NA")]


def test_atlas_file_without_a_year_column_takes_the_year_of_its_name(tmp_path: Path, lake: Lake) -> None:
    named = tmp_path / "atlas_2016_hs92_4digit.csv"
    named.write_text("country_label,iso3,product_label,hs92_4digit,export_value_usd\n001,IRN,0002,0804,12\n")
    assert ingest(named, lake=lake, codes=CODES).status == "loaded"  # sniffed as Atlas
    assert _facts(lake, "SELECT year(declaration_date), reporter, hs_code FROM facts") == [(2016, "IRN", "0804")]
    nameless = tmp_path / "exports.csv"
    nameless.write_text("iso3,hs92_4digit,export_value_usd\nIRN,0804,12\n")
    refused = ingest(nameless, lake=lake, codes=CODES, fmt="atlas")
    assert [(i.rule, i.column) for i in refused.issues] == [("column_missing", "year")]


def test_world_layout_loads_bilateral_rows(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "world.csv"
    path.write_text("year,exporter,importer,hs_code,hs_revision,value_usd,quantity,unit\n"
                    "2022,irn,pak,252329,HS92,5000,100,t\n"
                    "2022,CHN,IRN,870323,HS92,9000,,\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES)
    assert result.status == "loaded" and result.format == "world_csv", result.issues
    rows = _facts(lake, "SELECT source, reporter, partner, flow, value_usd FROM facts ORDER BY value_usd")
    assert rows == [("world", "IRN", "PAK", "export", 5000.0), ("world", "CHN", "IRN", "export", 9000.0)]


# ------------------------------------------------------------------------------------------------ realdata

SHARED = Path(os.environ.get("PAYESH_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
ATLAS_2016 = SHARED / "trade" / "atlas_2016_hs92_4digit.csv"


def _atlas_reference() -> ReferenceCodes:
    """Countries and HS92 headings as the reference tables have them (atlas-common-data, installed)."""
    from importlib import resources

    root = resources.files("atlas_common_data") / "data" / "classification"
    with (root / "location" / "country.csv").open(encoding="utf-8") as handle:
        countries = frozenset(r["iso3_code"] for r in csv.DictReader(handle) if len(r["iso3_code"]) == 3)
    with (root / "product" / "hs92.csv").open(encoding="utf-8") as handle:
        headings = frozenset(r["code"] for r in csv.DictReader(handle) if len(r["code"]) == 4)
    return ReferenceCodes(hs_codes={"HS92": headings}, countries=countries | {"WLD"},
                          source_countries={"atlas": {c: c for c in countries | {"WLD"}}})


@pytest.mark.realdata
def test_real_atlas_2016_extract_loads_with_every_refused_row_named(lake: Lake) -> None:
    if not ATLAS_2016.is_file():
        pytest.skip(f"{ATLAS_2016} not found (set PAYESH_SHARED_DATA to the shared data folder)")
    codes = _atlas_reference()
    result = ingest(ATLAS_2016, lake=lake, codes=codes, fmt="atlas", policy="quarantine")
    assert result.status == "loaded"
    # The same question in plain DuckDB over the file: rows whose exporter or heading the reference lacks.
    good, total, value = duckdb.execute(
        f"SELECT count(*) FILTER (WHERE ok), count(*), sum(export_value_usd) FILTER (WHERE ok) FROM ("
        f"SELECT export_value_usd, list_contains($countries, iso3) AND list_contains($headings, hs92_4digit) AS ok "
        f"FROM read_csv('{ATLAS_2016}', all_varchar = true, types = {{'export_value_usd': 'DOUBLE'}}))",
        {"countries": sorted(codes.countries), "headings": sorted(codes.hs_codes["HS92"])}).fetchone()
    assert total == 162_910 and (result.rows_read, result.rows_loaded) == (total, good)
    assert result.rows_quarantined == total - good > 0
    rules = {i.rule for i in result.issues if i.severity == "error"}
    assert rules <= {"reporter_unknown", "value_required", "hs_unknown"}, rules
    loaded = _facts(lake, "SELECT count(*), sum(value_usd), count(DISTINCT reporter), min(partner), "
                          "max(year(declaration_date)) FROM facts")
    assert loaded[0][0] == good and loaded[0][1] == pytest.approx(value, rel=1e-12)
    assert loaded[0][3:] == ("WLD", 2016)
    # A second load of the same file is refused before anything is written.
    again = ingest(ATLAS_2016, lake=lake, codes=codes, fmt="atlas", policy="quarantine")
    assert [i.rule for i in again.issues] == ["file_duplicate"]
