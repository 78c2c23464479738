"""Capability numbers against hand computations on the same facts, and the pages with data and without."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from payesh.capabilities import selectors, services, world
from payesh.reference.models import Agency, County, HSConcordance
from tests.capabilities.conftest import TINY_WORLD, write_atlas

pytestmark = pytest.mark.django_db
COUNTY = "IR-11-02"  # Chabahar: fish, dates and more in the demo data
YEAR = 1402


def _facts(lake: Path) -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM read_parquet('{lake}/facts/**/*.parquet', hive_partitioning=true)").df()


def _hand_hs92_headings(facts: pd.DataFrame) -> pd.DataFrame:
    """HS12 facts → HS92 headings with the reference concordance weights, by pandas alone."""
    weights = pd.DataFrame(list(HSConcordance.objects.filter(
        from_revision="HS12", to_revision="HS92", from_code__in=facts["hs_code"].unique().tolist()).values_list(
        "from_code", "to_code", "weight")), columns=["hs_code", "to_code", "weight"])
    merged = facts.merge(weights, on="hs_code")
    merged["heading"] = merged["to_code"].str[:4]
    merged["value"] = merged["value_usd"] * merged["weight"]
    return merged


def test_county_rca_against_the_nation_equals_a_hand_computation(ledger: Path) -> None:
    facts = _facts(ledger)
    exports = facts[(facts["flow"] == "export") & (facts["jalali_year"] == YEAR)]
    hand = _hand_hs92_headings(exports)
    nation = hand.groupby("heading")["value"].sum()
    county = hand[(hand["origin_province"] == "IR-11") & (hand["origin_county"] == COUNTY)].groupby(
        "heading")["value"].sum()
    county = county[county > 0]
    expected = (county / county.sum()) / (nation.reindex(county.index) / nation.sum())

    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    got = profile.exports.set_index("heading")
    assert set(got.index) == set(expected.index)
    np.testing.assert_allclose(got.loc[expected.index, "value_usd"], county.loc[expected.index], rtol=1e-6)
    np.testing.assert_allclose(got.loc[expected.index, "rca_nation"], expected, rtol=1e-6)
    assert profile.present == set(expected[expected >= 1].index)
    assert got["rca_world"].isna().all()  # no world data: never faked


def test_county_overview_counts_specialisations(ledger: Path) -> None:
    overview = selectors.county_overview(year=YEAR, language="en").set_index("county")
    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    assert overview.loc[COUNTY, "exports_usd"] == pytest.approx(profile.total_usd, rel=1e-9)
    assert overview.loc[COUNTY, "specialised"] == len(profile.present)
    assert len(overview) == County.objects.filter(province_id="IR-11").count()


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


def test_capacity_gap_compares_dates_produced_with_dates_exported(ledger: Path, focal_point) -> None:  # type: ignore[no-untyped-def]
    services.capacity_create(user=focal_point, county=County.objects.get(code=COUNTY),
                             agency=Agency.objects.get(code="AGRICULTURE"), kind="production", hs_revision="HS12",
                             hs_code="080410", description="Dates", quantity=Decimal("50000"), unit="t", year=YEAR,
                             month=None, source="Survey")
    facts = _facts(ledger)
    dates = facts[(facts["flow"] == "export") & (facts["jalali_year"] == YEAR) & (facts["origin_county"] == COUNTY)
                  & (facts["origin_province"] == "IR-11") & (facts["hs_code"] == "080410")]
    gap = selectors.capacity_gap(scope=COUNTY, scope_kind="county", language="en")
    row = gap.iloc[0]
    assert row["exported_t"] == pytest.approx(dates["net_weight_kg"].sum() / 1000, rel=1e-9)
    assert row["exported_share"] == pytest.approx(row["exported_t"] / 50000)
    province_gap = selectors.capacity_gap(scope="IR-11", scope_kind="province", language="en")
    assert len(province_gap) == 1


def test_rca_against_the_world_appears_once_world_data_is_computed(ledger: Path, tmp_path: Path) -> None:
    world.world_load(path=write_atlas(tmp_path / "atlas.csv", year=2023), fmt="atlas")
    world.complexity_compute(year=2023)  # Solar Hijri 1402 ≈ 2023
    profile = selectors.capability_profile(scope=COUNTY, year=YEAR, language="en")
    assert profile.space.source == "world" and profile.world_year == 2023
    exports = profile.exports.set_index("heading")
    world_totals = {"0804": 1200.0, "0303": 480.0}
    grand = sum(sum(p.values()) for p in TINY_WORLD.values())
    for heading, total in world_totals.items():
        if heading in exports.index:
            share = exports.loc[heading, "value_usd"] / exports["value_usd"].sum()
            assert exports.loc[heading, "rca_world"] == pytest.approx(share / (total / grand))
    assert exports.loc[[h for h in exports.index if h not in {"0804", "0303", "2523", "0805", "1006", "5205", "2710",
                                                               "7108", "8703", "8708", "3004", "8517"}],
                       "rca_world"].isna().all()


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
    assert "plotly/plotly.min.js" in county
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
def test_every_profile_table_downloads(ledger: Path, client_for, analyst, table: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    response = client.get(f"/capabilities/profile/{COUNTY}/?download=csv&table={table}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    xlsx = client.get(f"/capabilities/profile/{COUNTY}/?download=xlsx&table={table}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_counties_table_downloads_with_the_same_numbers(ledger: Path, client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    frame = pd.read_csv(StringIO(client_for(analyst).get(
        f"/capabilities/?year={YEAR}&download=csv&table=counties").content.decode("utf-8-sig")))
    overview = selectors.county_overview(year=YEAR, language="en")
    assert frame["exports_usd"].sum() == pytest.approx(overview["exports_usd"].sum())


def test_unknown_scope_and_anonymous_users(client, client_for, viewer) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/capabilities/").status_code == 302
    assert client_for(viewer).get("/capabilities/profile/XX-99/").status_code == 404
    assert client_for(viewer).get("/capabilities/profile/IR-11-02/?download=csv&table=nope").status_code in (200, 404)
