"""The synthetic demo data: deterministic, calibrated to the orders of magnitude in DOMAIN.md,
and made only of codes that exist in the reference files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from payesh.ledger import demo_data
from payesh.ledger.demo_data import calibration_summary, generate

YEARS = range(1396, 1404)
ROWS = 60_000
REFERENCE = Path(demo_data.__file__).resolve().parents[1] / "reference" / "data"


def _read(name: str) -> dict[str, dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _digest(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("demo"), rows=ROWS, years=YEARS, seed=1403)


@pytest.fixture(scope="session")
def summary(demo_files: list[Path]) -> dict:
    return calibration_summary(demo_files)


def test_one_file_per_year_with_the_requested_rows(demo_files, summary):
    assert [p.name for p in demo_files] == [f"payesh-demo-{y}.parquet" for y in YEARS]
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in demo_files) == ROWS
    assert summary["rows"] == ROWS
    assert sorted(summary["years"]) == list(YEARS)


def test_each_file_holds_its_solar_hijri_year_only(demo_files):
    for path in demo_files:
        year = int(path.stem.rsplit("-", 1)[1])
        dates = pq.read_table(path, columns=["declaration_date"]).column(0).to_pylist()
        first = demo_data.jdatetime.date(year, 1, 1).togregorian()
        last = demo_data.jdatetime.date(year + 1, 1, 1).togregorian() - dt.timedelta(days=1)
        assert min(dates) >= first and max(dates) <= last


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path, fmt):
    first = generate(tmp_path / "a", rows=6_000, years=range(1401, 1403), seed=7, fmt=fmt)
    second = generate(tmp_path / "b", rows=6_000, years=range(1401, 1403), seed=7, fmt=fmt)
    other = generate(tmp_path / "c", rows=6_000, years=range(1401, 1403), seed=8, fmt=fmt)
    assert _digest(first) == _digest(second)
    assert all(a != c for a, c in zip(_digest(first).values(), _digest(other).values(), strict=True))


def test_chunking_does_not_change_the_totals(tmp_path, summary):
    small_chunks = generate(tmp_path, rows=ROWS, years=YEARS, seed=1403, fmt="csv", chunk_rows=1_000)
    chunked = calibration_summary(small_chunks)
    for year in YEARS:
        for key in ("region_exports_usd", "region_origin_exports_usd", "national_imports_usd"):
            assert chunked["years"][year][key] == pytest.approx(summary["years"][year][key], rel=1e-6)


def test_calibration_holds_whatever_the_number_of_rows(tmp_path, summary):
    fewer = calibration_summary(generate(tmp_path, rows=12_000, years=YEARS, seed=1403))
    for year in YEARS:
        for key in ("region_exports_usd", "region_origin_exports_usd", "region_imports_usd",
                    "national_exports_usd"):
            assert fewer["years"][year][key] == pytest.approx(summary["years"][year][key], rel=1e-6)


def test_region_customs_clear_about_a_billion_dollars_of_exports_a_year(summary):
    exports = [summary["years"][y]["region_exports_usd"] for y in YEARS]
    assert all(0.8e9 <= x <= 1.5e9 for x in exports), exports
    assert exports[-1] > exports[0] * 1.3  # growing over the period


def test_only_a_minority_of_region_exports_is_produced_in_the_region(summary):
    for year in YEARS:
        values = summary["years"][year]
        assert 100e6 <= values["region_origin_exports_usd"] <= 300e6, year
        assert values["region_origin_exports_usd"] < 0.35 * values["region_exports_usd"]


def test_border_markets_carry_40_to_65_percent_of_the_regions_own_exports(summary):
    for year in YEARS:
        assert 0.40 <= summary["years"][year]["border_market_share_of_origin"] <= 0.65, year


def test_pakistan_afghanistan_and_iraq_are_the_top_export_partners(summary):
    for year in YEARS:
        top = summary["years"][year]["region_export_partners"]
        assert top[0] == "PAK", (year, top)
        assert set(top[:3]) <= {"PAK", "AFG", "IRQ", "ARE"}, (year, top)
        assert {"AFG", "IRQ"} <= set(top[:4]), (year, top)


def test_dates_exports_peak_in_mehr_to_azar(summary):
    by_month = summary["dates_exports_by_month"]
    assert max(by_month, key=by_month.get) in (7, 8, 9)
    autumn = sum(by_month.get(m, 0.0) for m in (7, 8, 9))
    assert autumn > 0.5 * sum(by_month.values())
    peaks = [summary["years"][y]["dates_export_peak_month"] for y in YEARS]
    assert sum(p in (7, 8, 9) for p in peaks) >= len(YEARS) - 1, peaks
    # Nowruz: Farvardin is a quiet month for dates.
    assert by_month[1] < by_month[8] / 5


def test_pakistan_is_the_first_source_of_region_imports_and_rice_the_top_import(summary):
    for year in YEARS:
        values = summary["years"][year]
        assert values["region_import_partners"][0] == "PAK", year
        assert "100630" in values["region_import_products"][:2], year
        assert 0.5e9 <= values["region_imports_usd"] <= 1.7e9


def test_national_totals_give_the_region_a_meaningful_share(summary):
    for year in YEARS:
        values = summary["years"][year]
        assert 35e9 <= values["national_exports_usd"] <= 55e9, year
        assert 35e9 <= values["national_imports_usd"] <= 62e9, year
        assert 0.01 <= values["region_exports_usd"] / values["national_exports_usd"] <= 0.05


def test_every_code_exists_in_the_reference_files(summary):
    codes = summary["codes"]
    offices, markets = _read("customs_offices.csv"), _read("border_markets.csv")
    counties, provinces = _read("counties.csv"), _read("provinces.csv")
    assert set(codes["customs_office"]) <= set(offices)
    assert set(codes["border_market"]) <= set(markets)
    assert set(codes["origin_county"]) <= set(counties)
    assert all(counties[c]["province_code"] == "IR-11" for c in codes["origin_county"])
    assert set(codes["origin_province"]) <= set(provinces)
    assert codes["hs_revision"] == ["HS12"]
    assert set(codes["flow"]) == {"export", "import", "transit", "re_export"}
    assert set(codes["channel"]) == {"customs", "border_market", "free_zone"}
    assert set(codes["unit"]) == {"kg", "u"}
    # The region's offices are all used, and many of the country's.
    region = {c for c, r in offices.items() if r["province_code"] == "IR-11"}
    assert {"MIRJAVEH", "CHABAHAR", "CHABAHAR_FZ", "MILAK", "PISHIN"} <= set(codes["customs_office"])
    assert len(set(codes["customs_office"]) - region) >= 20


def test_every_hs_code_is_an_hs12_subheading(summary):
    atlas = pytest.importorskip("atlas_common_data")
    path = Path(atlas.__file__).parent / "data" / "classification" / "product" / "hs12.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        subheadings = {r["code"] for r in csv.DictReader(handle) if r["product_level"] == "6"}
    assert set(demo_data.hs_codes_used()) <= subheadings
    assert set(summary["codes"]["hs_code"]) <= subheadings


def test_natural_key_is_unique_and_ids_say_synthetic(summary):
    assert summary["distinct_keys"] == summary["rows"]
    assert summary["non_synthetic_ids"] == 0
    assert summary["max_line_no"] > 1  # some declarations have several lines


def test_no_trade_through_a_border_market_before_it_opened_or_when_closed(summary):
    markets, offices = _read("border_markets.csv"), _read("customs_offices.csv")
    first = summary["border_market_first_date"]
    assert first, "border markets carry trade"
    for code, day in first.items():
        market = markets[code]
        assert market["status"] == "active", code
        if market["opened"]:
            assert dt.date.fromisoformat(day) >= dt.date.fromisoformat(market["opened"]), code
        office = offices[market["customs_office_code"]]
        if office["opened"]:
            assert dt.date.fromisoformat(day) >= dt.date.fromisoformat(office["opened"]), code
    assert "BM_MAND_PISHIN" in first  # opened within the period


def test_no_trade_through_an_office_before_it_opened(demo_files):
    import duckdb

    offices = _read("customs_offices.csv")
    files = ", ".join(f"'{p}'" for p in demo_files)
    rows = duckdb.sql(f"SELECT customs_office, min(declaration_date) FROM read_parquet([{files}]) "
                      f"GROUP BY 1").fetchall()
    for office, day in rows:
        if offices[office]["opened"]:
            assert day >= dt.date.fromisoformat(offices[office]["opened"]), office


def test_values_weights_and_rates_are_positive_and_consistent(summary, demo_files):
    import duckdb

    assert summary["negative_values"] == 0
    files = ", ".join(f"'{p}'" for p in demo_files)
    worst, zero, low_rate, high_rate = duckdb.sql(f"""
        SELECT max(abs(value_rial - value_usd * rial_per_usd) / value_rial),
               count(*) FILTER (value_usd <= 0 OR net_weight_kg <= 0),
               min(rial_per_usd) FILTER (year(declaration_date) = 2017),
               max(rial_per_usd) FILTER (declaration_date >= DATE '2024-09-01')
        FROM read_parquet([{files}])""").fetchone()
    assert worst < 1e-6 and zero == 0
    assert 30_000 <= low_rate <= 50_000 and high_rate >= 500_000


def test_unit_values_are_realistic(demo_files):
    import duckdb

    files = ", ".join(f"'{p}'" for p in demo_files)
    unit_values = dict(duckdb.sql(f"""
        SELECT hs_code, sum(value_usd) / sum(net_weight_kg) * 1000 FROM read_parquet([{files}])
        WHERE hs_code IN ('252329', '080410', '271112', '030617', '100630') GROUP BY 1""").fetchall())
    assert 40 <= unit_values["252329"] <= 60  # cement, USD per ton
    assert 600 <= unit_values["080410"] <= 1_200  # dates
    assert 300 <= unit_values["271112"] <= 500  # LPG (propane)
    assert 5_000 <= unit_values["030617"] <= 8_000  # frozen shrimp
    assert 600 <= unit_values["100630"] <= 900  # rice


def test_progress_reports_every_row(tmp_path):
    seen: list[tuple[int, int]] = []
    generate(tmp_path, rows=3_000, years=range(1402, 1403), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3_000, 3_000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_ledger_reads_a_generated_file(tmp_path, demo_files):
    readers = pytest.importorskip("payesh.ledger.core.readers", reason="canonical reader not available")
    from payesh.ledger.core.codes import ReferenceCodes

    context = readers.ReadContext()
    reader = readers.sniff(demo_files[0])
    assert reader.identifier == "payesh_parquet"
    batches = list(reader.read(demo_files[0], ReferenceCodes(), context))
    assert sum(b.num_rows for b in batches) == pq.ParquetFile(demo_files[0]).metadata.num_rows
    assert not [i for i in context.issues if i.severity == "error"]
    [csv_file] = generate(tmp_path, rows=2_000, years=range(1400, 1401), fmt="csv")
    reader = readers.sniff(csv_file)
    assert reader.identifier == "payesh_csv"
    scan = reader.csv_scan(csv_file, ReferenceCodes(), context)
    assert scan is not None, "the generated CSV takes the typed fast path"
    assert scan.columns["value_usd"] == "DOUBLE" and scan.columns["declaration_date"] == "DATE"
    assert not context.issues


def _reference_codes(partners: list[str]):
    from payesh.ledger.core.codes import ReferenceCodes

    atlas = pytest.importorskip("atlas_common_data")
    path = Path(atlas.__file__).parent / "data" / "classification" / "product" / "hs12.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        hs12 = frozenset(r["code"] for r in csv.DictReader(handle) if r["product_level"] == "6")
    return ReferenceCodes(
        hs_codes={"HS12": hs12}, countries=frozenset(partners) | {"IRN"},
        customs_offices=frozenset(_read("customs_offices.csv")),
        border_markets=frozenset(_read("border_markets.csv")),
        provinces=frozenset(_read("provinces.csv")), counties=frozenset(_read("counties.csv")))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_ledger_ingests_a_generated_file_without_errors(tmp_path, summary, fmt):
    core = pytest.importorskip("payesh.ledger.core", reason="ledger pipeline not available")
    if not hasattr(core, "ingest"):
        pytest.skip("ledger pipeline has no ingest() yet")
    [path] = generate(tmp_path / "files", rows=5_000, years=range(1402, 1403), fmt=fmt)
    lake = core.Lake(tmp_path / "lake")
    result = core.ingest(path, lake=lake, codes=_reference_codes(summary["codes"]["partner"]),
                         today=dt.date(2025, 6, 1))
    errors = [i for i in result.issues if i.severity == "error"]
    assert result.status == "loaded", (result.message_en, errors[:5])
    assert result.rows_loaded == 5_000 and result.errors == 0


def test_some_of_the_regions_production_clears_at_other_provinces_customs(summary, demo_files):
    # The through-vs-origin page needs "produced in the region, cleared elsewhere" (issue 10).
    for year in YEARS:
        share = summary["years"][year]["origin_cleared_elsewhere_share"]
        assert 0.05 <= share <= 0.30, (year, share)
    region = set(demo_data.load_reference(REFERENCE).region_offices)
    table = pq.read_table(demo_files[-1], columns=["flow", "origin_province", "customs_office"]).to_pylist()
    elsewhere = {r["customs_office"] for r in table
                 if r["flow"] == "export" and r["origin_province"] == "IR-11" and r["customs_office"] not in region}
    offices = _read("customs_offices.csv")
    assert {"SHAHID_RAJAEE", "TEHRAN"} <= elsewhere  # Bandar Abbas (Hormozgan) and Tehran
    assert all(offices[o]["province_code"] != "IR-11" for o in elsewhere)


def test_regional_rca_separates_the_demo_counties(demo_files):
    """Each county is strong in a few products: RCA ≥ 1 holds for a minority of what it exports."""
    import duckdb
    import numpy as np

    from payesh.analytics.subnational import regional_rca

    files = ", ".join(f"'{p}'" for p in demo_files)
    rows = duckdb.sql(f"""
        SELECT origin_county, hs_code, sum(value_usd) FROM read_parquet([{files}])
        WHERE flow = 'export' AND origin_province = 'IR-11' AND origin_county IS NOT NULL
        GROUP BY ALL""").fetchall()
    counties = sorted({c for c, _, _ in rows})
    products = sorted({p for _, p, _ in rows})
    values = np.zeros((len(counties), len(products)))  # (C, P) USD
    for county, product, value in rows:
        values[counties.index(county), products.index(product)] = value
    rca = regional_rca(values)  # (C, P) against the region's own basket
    exported = values > 0
    share_specialised = ((rca >= 1) & exported).sum(axis=1) / exported.sum(axis=1)  # (C,)
    assert len(counties) >= 12
    assert exported.sum(axis=1).min() >= 10  # every county exports a basket, not one product
    assert np.median(share_specialised) < 0.5, dict(zip(counties, share_specialised.round(2), strict=True))
    assert share_specialised.min() > 0  # and every county is strong in something
    # Counties differ: their specialisations are not the same set of products.
    strong = {frozenset(np.flatnonzero(rca[i] >= 1)) for i in range(len(counties))}
    assert len(strong) >= len(counties) - 2
