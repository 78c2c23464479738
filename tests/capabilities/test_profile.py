"""Capability numbers against hand-written DuckDB SQL over the lake, and the pages with data and without."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from payesh.capabilities import complexity, selectors, services
from payesh.ledger.core import Lake, duckdb_connect
from payesh.ledger.services import batch_ingest
from payesh.reference.models import Agency, County, HSConcordance
from tests.capabilities.conftest import TINY_WORLD, write_atlas

pytestmark = pytest.mark.django_db
COUNTY = "IR-11-02"  # Chabahar: fish, dates and more in the demo data
YEAR = 1402


def _sql(lake: Path, sql: str, **params: object) -> pd.DataFrame:
    """A hand-written question over the lake's facts (the view the ledger defines), with the
    reference concordance HS12 → HS92 as table ``weights`` (from_code, to_code, weight)."""
    con = duckdb_connect()
    try:
        Lake(lake).create_facts_view(con)
        weights = pd.DataFrame(list(HSConcordance.objects.filter(from_revision="HS12", to_revision="HS92")
                                    .values_list("from_code", "to_code", "weight")),
                               columns=["from_code", "to_code", "weight"])
        con.register("weights", weights)
        return con.execute(sql, params).df()
    finally:
        con.close()


# Exports originating in the region in YEAR by county and HS92 heading, converted with the weights.
HS92_EXPORTS_SQL = """
    SELECT coalesce(f.origin_county, '') AS county, substr(w.to_code, 1, 4) AS heading,
           sum(f.value_usd * w.weight) AS value_usd
    FROM facts f JOIN weights w ON w.from_code = f.hs_code
    WHERE f.source = 'customs' AND f.flow = 'export' AND f.jalali_year = $year AND f.origin_province = 'IR-11'
    GROUP BY ALL
"""
NATION_SQL = """
    SELECT substr(w.to_code, 1, 4) AS heading, sum(f.value_usd * w.weight) AS value_usd
    FROM facts f JOIN weights w ON w.from_code = f.hs_code
    WHERE f.source = 'customs' AND f.flow = 'export' AND f.jalali_year = $year GROUP BY ALL
"""


def _without_county(tmp_path: Path) -> Path:
    """Two export lines of the region whose county of origin was not recorded (1402/03)."""
    path = tmp_path / "no-county.csv"
    header = ["flow", "declaration_date", "declaration_id", "line_no", "customs_office", "channel", "partner",
              "origin_province", "origin_county", "hs_code", "hs_revision", "net_weight_kg", "value_usd"]
    rows = [["export", "2023-06-01", "NOCOUNTY1", 1, "MIRJAVEH", "customs", "PAK", "IR-11", "", "080410", "HS12",
             1000, 12345.5],
            ["export", "2023-06-02", "NOCOUNTY2", 1, "MIRJAVEH", "customs", "AFG", "IR-11", "", "252329", "HS12",
             5000, 678.25]]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_county_rca_against_the_nation_equals_hand_written_sql(ledger: Path) -> None:
    by_county = _sql(ledger, HS92_EXPORTS_SQL, year=YEAR)
    county = by_county[by_county["county"] == COUNTY].set_index("heading")["value_usd"]
    county = county[county > 0]
    nation = _sql(ledger, NATION_SQL, year=YEAR).set_index("heading")["value_usd"]
    expected = (county / county.sum()) / (nation.reindex(county.index) / nation.sum())

    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    got = profile.exports.set_index("heading")
    assert set(got.index) == set(expected.index) and len(expected) > 10
    np.testing.assert_allclose(got.loc[expected.index, "value_usd"], county.loc[expected.index], rtol=1e-9)
    np.testing.assert_allclose(got.loc[expected.index, "rca_nation"], expected, rtol=1e-9)
    assert profile.total_usd == pytest.approx(county.sum(), rel=1e-12)
    assert profile.present == set(expected[expected >= 1].index)
    assert got["rca_world"].isna().all()  # no world data: never faked


def test_county_overview_equals_sql_and_keeps_rows_without_a_county(ledger: Path, tmp_path: Path) -> None:
    assert batch_ingest(path=_without_county(tmp_path)).status == "active"
    overview = selectors.county_overview(year=YEAR, language="en").set_index("county")
    by_county = _sql(ledger, HS92_EXPORTS_SQL, year=YEAR).groupby("county")["value_usd"].sum()
    # Every county of the region is listed, plus one row for exports with no county of origin.
    assert set(overview.index) == {c.code for c in County.objects.filter(province_id="IR-11")} | {""}
    np.testing.assert_allclose(overview["exports_usd"].reindex(by_county.index), by_county, rtol=1e-9)
    assert overview.loc["", "exports_usd"] == pytest.approx(by_county[""], rel=1e-9)
    assert overview.loc["", "county_name"] == "Unknown" and overview.loc["", "products"] == 2
    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    assert overview.loc[COUNTY, "specialised"] == len(profile.present)
    # The province's total is the cube's over every row, with or without a county.
    total = _sql(ledger, "SELECT sum(value_usd) AS v FROM facts WHERE source = 'customs' AND flow = 'export' "
                         "AND origin_province = 'IR-11' AND jalali_year = $year", year=YEAR)["v"].item()
    assert selectors.region_exports(year=YEAR)["value_usd"] == pytest.approx(total, rel=1e-12)


def test_province_page_shows_the_cubes_total_and_the_no_county_row(ledger: Path, tmp_path: Path, client_for,
                                                                    viewer) -> None:  # type: ignore[no-untyped-def]
    assert batch_ingest(path=_without_county(tmp_path)).status == "active"
    client = client_for(viewer)
    client.cookies["payesh_language"] = "en"
    response = client.get(f"/capabilities/?year={YEAR}")
    total = _sql(ledger, "SELECT sum(value_usd) AS v FROM facts WHERE source = 'customs' AND flow = 'export' "
                         "AND origin_province = 'IR-11' AND jalali_year = $year", year=YEAR)["v"].item()
    assert response.context["total_usd"] == pytest.approx(total, rel=1e-12)
    assert response.context["county_count"] == County.objects.filter(province_id="IR-11").count()
    assert 'data-testid="no-county"' in response.content.decode()
    rows = {r["county"]: r["exports_usd"] for r in response.context["rows"]}
    assert rows[""] == pytest.approx(12345.5 + 678.25, rel=1e-9)


def test_opportunities_exclude_present_products_and_follow_the_strategy(ledger: Path) -> None:
    balanced = selectors.capability_profile(scope=COUNTY, year=YEAR, strategy="balanced", language="en")
    jumps = selectors.capability_profile(scope=COUNTY, year=YEAR, strategy="long_jumps", language="en")
    assert not balanced.opportunities.empty
    assert not set(balanced.opportunities["heading"]) & balanced.present
    assert list(balanced.opportunities["rank"][:3]) == [1, 2, 3]
    assert balanced.opportunities["score"].is_monotonic_decreasing
    # Long jumps weigh complexity more: their top products are at least as complex on average.
    assert jumps.opportunities.head(20)["pci"].mean() >= balanced.opportunities.head(20)["pci"].mean() - 1e-9
    assert (balanced.density["density"].between(0, 1)).all()


def test_capacity_gap_compares_capacity_with_hand_written_sql(ledger: Path, focal_point) -> None:  # type: ignore[no-untyped-def]
    # The county's main export by weight, in tonnes, asked of the lake directly.
    top = _sql(ledger, "SELECT hs_code, sum(net_weight_kg) / 1000 AS t FROM facts WHERE source = 'customs' "
                       "AND flow = 'export' AND jalali_year = $year AND origin_province = 'IR-11' "
                       "AND origin_county = $county AND hs_revision = 'HS12' GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
               year=YEAR, county=COUNTY)
    hs_code, exported_t = str(top["hs_code"].item()), float(top["t"].item())
    services.capacity_create(user=focal_point, county=County.objects.get(code=COUNTY),
                             agency=Agency.objects.get(code="AGRICULTURE"), kind="production", hs_revision="HS12",
                             hs_code=hs_code, description="Main product", quantity=Decimal("50000"), unit="t",
                             year=YEAR, month=None, source="Survey")
    gap = selectors.capacity_gap(scope=COUNTY, scope_kind="county", language="en")
    row = gap.iloc[0]
    assert exported_t > 0 and row["exported_t"] == pytest.approx(exported_t, rel=1e-9)
    assert row["exported_share"] == pytest.approx(exported_t / 50000)
    assert row["unexported_t"] == pytest.approx(50000 - exported_t)
    province_gap = selectors.capacity_gap(scope="IR-11", scope_kind="province", language="en")
    assert len(province_gap) == 1


def test_rca_against_the_world_appears_once_world_data_is_computed(ledger: Path, tmp_path: Path) -> None:
    assert batch_ingest(path=write_atlas(tmp_path / "atlas.csv", year=2023), fmt="atlas").status == "active"
    complexity.complexity_compute(year=2023)  # Solar Hijri 1402 ≈ 2023
    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    assert profile.space.source == "world" and profile.world_year == 2023
    exports = profile.exports.set_index("heading")
    world_totals = {"0804": 1200.0, "0303": 480.0}
    grand = sum(sum(p.values()) for p in TINY_WORLD.values())
    checked = 0
    for heading, total in world_totals.items():
        if heading in exports.index:
            share = exports.loc[heading, "value_usd"] / exports["value_usd"].sum()
            assert exports.loc[heading, "rca_world"] == pytest.approx(share / (total / grand))
            checked += 1
    assert checked >= 1
    world_products = {p for products in TINY_WORLD.values() for p in products}
    assert exports.loc[[h for h in exports.index if h not in world_products], "rca_world"].isna().all()


# ------------------------------------------------------------------------------------------------ pages

PAGES = ["/capabilities/", f"/capabilities/profile/{COUNTY}/", "/capabilities/profile/IR-11/",
         f"/capabilities/profile/{COUNTY}/?strategy=long_jumps&year=1401", "/capabilities/registry/",
         "/capabilities/world/"]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_pages_with_data_in_both_languages(ledger: Path, client_for, viewer, language: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(viewer)
    client.cookies["payesh_language"] = language
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"'.encode() in response.content
    county = client.get(f"/capabilities/profile/{COUNTY}/").content.decode()
    assert 'data-testid="exports"' in county and 'data-testid="opportunities"' in county
    assert 'id="product-space"' in county and 'data-testid="world-missing"' in county
    assert "vendor/plotly/plotly-payesh" in county  # the project's partial Plotly bundle
    if language == "fa":
        assert "فضای محصول" in county


@pytest.mark.parametrize("language", ["fa", "en"])
def test_pages_with_an_empty_lake(client_for, analyst, language: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    client.cookies["payesh_language"] = language
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    assert b'data-testid="empty"' in client.get("/capabilities/").content
    assert b'data-testid="empty"' in client.get(f"/capabilities/profile/{COUNTY}/").content


@pytest.mark.parametrize("table", ["exports", "opportunities", "density", "gap"])
def test_every_profile_table_downloads_the_selectors_rows(ledger: Path, client_for, analyst, table: str) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO, StringIO

    client = client_for(analyst)
    client.cookies["payesh_language"] = "en"
    response = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}&download=csv&table={table}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    expected = getattr(selectors.capability_profile(scope=COUNTY, year=YEAR, language="en"), table)
    text = response.content.decode("utf-8-sig")
    frame = pd.read_csv(StringIO(text), dtype={"HS heading": str}) if text.strip() else pd.DataFrame()
    assert len(frame) == len(expected)
    assert all(str(c).strip() and not str(c).startswith("Unnamed") for c in frame.columns)  # a header each
    if table == "exports":
        # Whole dollars in the file (the unit shown): each row within half a dollar of the cube's value.
        assert frame["Exports (USD)"].tolist() == pytest.approx(expected["value_usd"].tolist(), abs=0.5)
        assert frame["HS heading"].tolist() == expected["heading"].tolist()
        assert frame["Product"].tolist() == expected["name"].tolist()
        assert f"payesh-capabilities-exports-{COUNTY.lower()}-{YEAR}-balanced.csv" in response["Content-Disposition"]
    xlsx = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}&download=xlsx&table={table}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    if len(expected):
        assert len(pd.read_excel(BytesIO(xlsx.content))) >= len(expected)


def test_county_page_shows_the_numbers_of_hand_written_sql(ledger: Path, client_for, viewer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(viewer)
    client.cookies["payesh_language"] = "en"
    response = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}")
    by_county = _sql(ledger, HS92_EXPORTS_SQL, year=YEAR)
    county = by_county[by_county["county"] == COUNTY].sort_values("value_usd", ascending=False)
    shown = response.context["exports"]
    assert response.context["profile"].total_usd == pytest.approx(county["value_usd"].sum(), rel=1e-9)
    assert [r["heading"] for r in shown[:5]] == county["heading"].head(5).tolist()
    assert shown[0]["value_usd"] == pytest.approx(county["value_usd"].iloc[0], rel=1e-9)
    assert shown[0]["share_pct"] == pytest.approx(100 * county["value_usd"].iloc[0] / county["value_usd"].sum())


def test_counties_table_downloads_with_the_same_numbers(ledger: Path, client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    client = client_for(analyst)
    client.cookies["payesh_language"] = "en"
    frame = pd.read_csv(StringIO(client.get(
        f"/capabilities/?year={YEAR}&download=counties&format=csv").content.decode("utf-8-sig")))
    by_county = _sql(ledger, HS92_EXPORTS_SQL, year=YEAR).groupby("county")["value_usd"].sum()
    # Whole dollars in the file: within half a dollar a row of the hand-written SQL.
    assert frame["Exports (USD)"].sum() == pytest.approx(by_county.sum(), abs=0.5 * len(frame))
    assert frame.set_index("County code").loc[COUNTY, "Exports (USD)"] == pytest.approx(by_county[COUNTY], abs=0.5)


def test_one_download_convention_and_old_links_answer_the_same_file(ledger: Path, client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    client.cookies["payesh_language"] = "en"
    new = client.get(f"/capabilities/?year={YEAR}&download=counties&format=csv")
    old = client.get(f"/capabilities/?year={YEAR}&download=csv&table=counties")
    assert new.status_code == old.status_code == 200 and new.content == old.content
    assert f"payesh-capabilities-counties-province-{YEAR}.csv" in new["Content-Disposition"]
    page = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}").content.decode()
    assert "download=exports&amp;format=xlsx" in page and "download=xlsx" not in page
    # An unknown table or format is a 400 naming the parameter (the page kit's convention).
    nope = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}&download=nope&format=csv")
    assert nope.status_code == 400 and b"download" in nope.content
    docx = client.get(f"/capabilities/profile/{COUNTY}/?year={YEAR}&download=exports&format=docx")
    assert docx.status_code == 400 and b"format" in docx.content


def test_unknown_scope_and_anonymous_users(client, client_for, viewer) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/capabilities/").status_code == 302
    assert client_for(viewer).get("/capabilities/profile/XX-99/").status_code == 404
    # No year with exports: there is no table to download.
    assert client_for(viewer).get("/capabilities/profile/IR-11-02/?download=csv&table=nope").status_code == 404
    assert client_for(viewer).get("/capabilities/profile/IR-11-02/?download=docx&table=exports").status_code == 404
