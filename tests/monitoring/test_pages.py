"""Monitoring pages through Django: numbers equal a hand-written DuckDB query, filters, downloads, errors."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse

from payesh.ledger.core import Lake, duckdb_connect
from payesh.ledger.demo_data import generate
from payesh.ledger.services import batch_ingest

PAGES = ["overview", "through_origin", "partners", "products", "offices", "origin", "explorer"]


@pytest.fixture
def ledger(tmp_path: Path, settings, analyst) -> Path:  # type: ignore[no-untyped-def]
    for path in generate(tmp_path / "demo", rows=12_000, years=range(1401, 1404)):
        assert batch_ingest(path=path, user=analyst).status == "active"
    return Path(settings.PAYESH_LAKE)


def _sql(lake: Path, sql: str) -> float:
    con = duckdb_connect()
    Lake(lake).create_facts_view(con)
    return float(con.execute(sql).fetchone()[0])  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_in_both_languages(client, ledger, page: str, language: str) -> None:
    client.cookies["payesh_language"] = language
    response = client.get(reverse(f"monitoring:{page}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html and ('dir="rtl"' if language == "fa" else 'dir="ltr"') in html
    assert 'data-testid="synthetic"' in html


@pytest.mark.django_db
def test_overview_exports_equal_a_hand_written_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:overview"), {"year": "1402", "months": "9"})
    kpis = response.context["data"].extra["kpis"]
    expected = _sql(ledger, """
        SELECT sum(value_usd) FROM facts f JOIN read_parquet('{dims}') o ON o.code = f.customs_office
        WHERE flow = 'export' AND o.province = 'IR-11' AND jalali_year = 1402 AND jalali_month <= 9
    """.replace("{dims}", str(ledger / "dims" / "dim_office.parquet")))
    assert kpis["exports_usd"]["value"] == pytest.approx(expected, rel=1e-9)
    previous = _sql(ledger, """
        SELECT sum(value_usd) FROM facts f JOIN read_parquet('{dims}') o ON o.code = f.customs_office
        WHERE flow = 'export' AND o.province = 'IR-11' AND jalali_year = 1401 AND jalali_month <= 9
    """.replace("{dims}", str(ledger / "dims" / "dim_office.parquet")))
    assert kpis["exports_usd"]["change_pct"] == pytest.approx(100 * (expected - previous) / previous, rel=1e-9)
    assert "In the first 9 months of 1402" in response.content.decode()


@pytest.mark.django_db
def test_reconciliation_adds_up(client, ledger) -> None:
    response = client.get(reverse("monitoring:through_origin"), {"year": "1402"})
    rec = response.context["data"].extra["reconciliation"]
    assert rec["through"] == pytest.approx(rec["through_and_origin"] + rec["through_not_origin"])
    assert rec["origin"] == pytest.approx(rec["through_and_origin"] + rec["origin_not_through"])
    own = _sql(ledger, "SELECT sum(value_usd) FROM facts WHERE flow='export' AND origin_province='IR-11' "
                       "AND jalali_year = 1402")
    assert rec["origin"] == pytest.approx(own, rel=1e-9)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_each_table_downloads_with_the_shown_rows(client, ledger, fmt: str) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:partners"), {"year": "1402", "download": "partners", "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'partners.{fmt}"')
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
        assert "Pakistan" in set(frame["Partner"])


@pytest.mark.django_db
@pytest.mark.parametrize("params, parameter", [
    ({"year": "abc"}, "year"), ({"months": "13"}, "months"), ({"scope": "mars"}, "scope"), ({"flow": "x"}, "flow"),
])
def test_a_bad_filter_is_a_400_naming_it(client, ledger, params: dict[str, str], parameter: str) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:overview"), params)
    assert response.status_code == 400
    assert f"“{parameter}”" in response.content.decode()


@pytest.mark.django_db
def test_explorer_bad_measure_is_a_400_and_a_shared_link_restores_the_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    bad = client.get(reverse("monitoring:explorer"), {"measures": "nonsense"})
    assert bad.status_code == 400 and "“measures”" in bad.content.decode()
    page = client.get(reverse("monitoring:explorer"), {"m": ["value_usd"], "d": ["partner", "flow"],
                                                         "cut": "office_province:IR-11", "from": "140201",
                                                         "to": "140206"})
    query = page.context["query"]
    assert query.drilldowns == ("partner", "flow") and query.period.start == 140201
    assert "drilldowns=partner,flow" in page.context["share_url"]


@pytest.mark.django_db
def test_fact_rows_need_a_signed_in_user_and_add_up_to_the_cell(client, client_for, viewer, ledger) -> None:
    params = {"cut": "flow:export;partner:PAK;office:MIRJAVEH", "year": "1402"}
    assert client.get(reverse("monitoring:facts"), params).status_code == 302
    page = client_for(viewer).get(reverse("monitoring:facts"), params)
    assert page.status_code == 200
    expected = _sql(ledger, "SELECT count(*) FROM facts WHERE flow='export' AND partner='PAK' "
                            "AND customs_office='MIRJAVEH' AND jalali_year=1402")
    assert page.context["total"] == expected > 0


@pytest.mark.django_db
def test_pages_say_when_there_is_no_data(client) -> None:
    response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200 and 'data-testid="empty"' in response.content.decode()
