"""The indicators over the cube against hand-written DuckDB SQL; the API and the CLI that expose them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from payesh.indicators import INDICATORS, IndicatorError, IndicatorRequest, indicator_compute
from payesh.ledger.core import Lake, duckdb_connect
from payesh.ledger.demo_data import generate
from payesh.ledger.services import batch_ingest


@pytest.fixture
def ledger(tmp_path: Path, settings, analyst) -> Path:  # type: ignore[no-untyped-def]
    for path in generate(tmp_path / "demo", rows=6_000, years=range(1401, 1404)):
        assert batch_ingest(path=path, user=analyst).status == "active"
    return Path(settings.PAYESH_LAKE)


def _frame(lake: Path, sql: str) -> pd.DataFrame:
    con = duckdb_connect()
    Lake(lake).create_facts_view(con)
    con.execute(f"CREATE VIEW office AS SELECT * FROM read_parquet('{lake / 'dims' / 'dim_office.parquet'}')")
    return con.execute(sql).df()


THROUGH = "customs_office IN (SELECT code FROM office WHERE province = 'IR-11')"


def test_every_indicator_is_documented_in_both_languages() -> None:
    assert set(INDICATORS) == {"reconciliation", "unit_value", "concentration", "growth", "shares", "regional_rca"}
    for indicator in INDICATORS.values():
        assert len(indicator.definition_en) > 80 and len(indicator.definition_fa) > 60
        assert any("\u0600" <= ch <= "\u06ff" for ch in indicator.definition_fa + indicator.label_fa)


@pytest.mark.parametrize("params, parameter", [
    ({"scope": "mars"}, "scope"), ({"flow": "transit"}, "flow"), ({"level": "galaxy"}, "level"),
    ({"months": "13"}, "months"), ({"measures": "unit_value"}, "measures"), ({"reference": "moon"}, "reference"),
])
def test_a_bad_request_names_the_parameter(params: dict[str, str], parameter: str) -> None:
    with pytest.raises(IndicatorError) as error:
        IndicatorRequest.parse(params, region="IR-11", default_year=1402)
    assert error.value.parameter == parameter


@pytest.mark.django_db
def test_growth_and_concentration_equal_hand_written_sql(ledger: Path) -> None:
    request = IndicatorRequest(year=1402, months=9, region="IR-11")
    growth = indicator_compute("growth", request).iloc[0]
    sums = _frame(ledger, f"""
        SELECT jalali_year, sum(value_usd) FILTER (WHERE flow='export') AS exports,
               sum(value_usd) FILTER (WHERE flow='import') AS imports
        FROM facts WHERE {THROUGH} AND jalali_year IN (1401, 1402) AND jalali_month <= 9 GROUP BY 1
    """).set_index("jalali_year")
    assert growth["exports_usd"] == pytest.approx(sums.loc[1402, "exports"], rel=1e-9)
    assert growth["balance_usd"] == pytest.approx(sums.loc[1402, "exports"] - sums.loc[1402, "imports"], rel=1e-9)
    assert growth["imports_usd_change_pct"] == pytest.approx(
        100 * (sums.loc[1402, "imports"] - sums.loc[1401, "imports"]) / sums.loc[1401, "imports"], rel=1e-9)

    partners = _frame(ledger, f"SELECT partner, sum(value_usd) AS v FROM facts WHERE flow='export' AND {THROUGH} "
                              "AND jalali_year = 1402 AND jalali_month <= 9 AND partner IS NOT NULL GROUP BY 1")
    shares = 100 * partners["v"] / partners["v"].sum()
    concentration = indicator_compute("concentration", request.with_(top=2)).iloc[0]
    assert concentration["hhi"] == pytest.approx(float((shares**2).sum()), rel=1e-9)
    assert concentration["top_share"] == pytest.approx(float(shares.nlargest(2).sum()), rel=1e-9)


@pytest.mark.django_db
def test_a_period_not_loaded_has_no_growth_but_a_reason(ledger: Path) -> None:
    growth = indicator_compute("growth", IndicatorRequest(year=1404, region="IR-11")).iloc[0]
    assert pd.isna(growth["exports_usd_change_pct"]) and growth["exports_usd_change_reason"] == "no_data_current"
    first = indicator_compute("growth", IndicatorRequest(year=1401, region="IR-11")).iloc[0]
    assert first["exports_usd_change_reason"] == "no_data_comparison"  # 1400 was never loaded


@pytest.mark.django_db
def test_shares_and_unit_value_equal_hand_written_sql(ledger: Path) -> None:
    request = IndicatorRequest(year=1403, region="IR-11", level="channel")
    shares = indicator_compute("shares", request).set_index("channel")
    channels = _frame(ledger, f"SELECT channel, sum(value_usd) AS v, sum(net_weight_kg) / 1000 AS t FROM facts "
                              f"WHERE flow='export' AND {THROUGH} AND jalali_year = 1403 GROUP BY 1").set_index("channel")
    assert shares.loc["border_market", "share"] == pytest.approx(
        100 * channels.loc["border_market", "v"] / channels["v"].sum(), rel=1e-9)
    unit = indicator_compute("unit_value", request).set_index("channel")
    assert unit.loc["customs", "unit_value"] == pytest.approx(channels.loc["customs", "v"] / channels.loc["customs", "t"],
                                                               rel=1e-9)


@pytest.mark.django_db
def test_regional_rca_against_the_nation_equals_hand_written_sql(ledger: Path) -> None:
    rca = indicator_compute("regional_rca", IndicatorRequest(year=1403, region="IR-11", level="chapter"))
    expected = _frame(ledger, """
        WITH county AS (SELECT origin_county, substr(hs_code, 1, 2) AS chapter, sum(value_usd) AS v FROM facts
                        WHERE flow='export' AND origin_province='IR-11' AND origin_county IS NOT NULL
                        AND jalali_year = 1403 GROUP BY 1, 2),
             nation AS (SELECT substr(hs_code, 1, 2) AS chapter, sum(value_usd) AS v FROM facts
                        WHERE flow='export' AND jalali_year = 1403 GROUP BY 1)
        SELECT c.origin_county, c.chapter,
               (c.v / sum(c.v) OVER (PARTITION BY c.origin_county)) / (n.v / (SELECT sum(v) FROM nation)) AS rca
        FROM county c JOIN nation n USING (chapter) WHERE c.v > 0
    """)
    got = rca.set_index(["origin_county", "chapter"])["rca"]
    assert len(got) == len(expected) > 10
    for _i, row in expected.iterrows():
        assert got[(row["origin_county"], row["chapter"])] == pytest.approx(row["rca"], rel=1e-9)


@pytest.mark.django_db
def test_the_api_lists_and_answers_indicators(client, ledger: Path) -> None:
    listing = client.get("/api/indicators")
    assert listing.status_code == 200
    assert {i["name"] for i in listing.json()} == set(INDICATORS)
    answer = client.get("/api/indicators/concentration", {"year": "1402", "level": "partner", "locale": "fa"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["request"]["year"] == 1402 and body["data"][0]["level"] == "partner"
    direct = indicator_compute("concentration", IndicatorRequest(year=1402, region="IR-11", level="partner")).iloc[0]
    assert body["data"][0]["hhi"] == pytest.approx(direct["hhi"], rel=1e-12)
    origin = client.get("/api/indicators/growth", {"year": "1402", "scope": "origin", "locale": "en"}).json()
    row = origin["data"][0]
    assert row["imports_usd"] is None and row["imports_usd_change_reason"] == "not_applicable"
    assert row["imports_usd_change_reason_text"].startswith("Not applicable")
    bad = client.get("/api/indicators/growth", {"scope": "mars"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "scope"
    missing = client.get("/api/indicators/nonsense")
    assert missing.status_code == 404 and missing.json()["parameter"] == "name"
    schema = client.get("/api/openapi.json").json()
    assert "/api/indicators/{name}" in schema["paths"]


@pytest.mark.django_db
def test_the_cli_lists_the_indicators_in_both_languages() -> None:
    from payesh.cli import app

    result = CliRunner().invoke(app, ["indicators"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for indicator in INDICATORS.values():
        assert indicator.name in result.output and indicator.label_en in result.output
    assert "هرفیندال" in result.output
