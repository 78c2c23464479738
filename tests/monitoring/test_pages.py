"""Monitoring pages through Django: numbers equal a hand-written DuckDB query, filters shared between
pages, downloads, not-applicable figures, the explorer for people, errors."""

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


def _con(lake: Path):  # type: ignore[no-untyped-def]
    con = duckdb_connect()
    Lake(lake).create_facts_view(con)
    con.execute(f"CREATE VIEW office AS SELECT * FROM read_parquet('{lake / 'dims' / 'dim_office.parquet'}')")
    return con


def _sql(lake: Path, sql: str) -> float:
    return float(_con(lake).execute(sql).fetchone()[0] or 0.0)  # type: ignore[index]


def _frame(lake: Path, sql: str) -> pd.DataFrame:
    return _con(lake).execute(sql).df()


THROUGH = "f.customs_office IN (SELECT code FROM office WHERE province = 'IR-11')"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_in_both_languages_and_says_what_it_shows(client, ledger, page: str,
                                                                      language: str) -> None:
    client.cookies["payesh_language"] = language
    response = client.get(reverse(f"monitoring:{page}"), {"year": "1402", "months": "6"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html and ('dir="rtl"' if language == "fa" else 'dir="ltr"') in html
    assert 'data-testid="synthetic"' in html
    # Every page names what it shows and how far the data goes (the demo ledger ends in Esfand 1403).
    assert 'data-testid="showing"' in html
    assert ("داده تا اسفند ۱۴۰۳" if language == "fa" else "Data up to Esfand 1403") in html
    if page != "explorer":
        assert ("۶ ماه نخست سال ۱۴۰۲" if language == "fa" else "the first 6 months of 1402") in html
    if language == "fa":
        assert "- Select an option -" not in html and "Select an option" not in html


@pytest.mark.django_db
def test_overview_exports_equal_a_hand_written_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:overview"), {"year": "1402", "months": "9"})
    kpis = response.context["data"].extra["kpis"]
    expected = _sql(ledger, f"SELECT sum(value_usd) FROM facts f WHERE flow = 'export' AND {THROUGH} "
                            "AND jalali_year = 1402 AND jalali_month <= 9")
    assert kpis["exports_usd"]["value"] == pytest.approx(expected, rel=1e-9)
    previous = _sql(ledger, f"SELECT sum(value_usd) FROM facts f WHERE flow = 'export' AND {THROUGH} "
                            "AND jalali_year = 1401 AND jalali_month <= 9")
    assert kpis["exports_usd"]["change_pct"] == pytest.approx(100 * (expected - previous) / previous, rel=1e-9)
    weight = _sql(ledger, f"SELECT sum(net_weight_kg) / 1000 FROM facts f WHERE flow = 'export' AND {THROUGH} "
                          "AND jalali_year = 1402 AND jalali_month <= 9")
    assert kpis["exports_unit_value"]["value"] == pytest.approx(expected / weight, rel=1e-9)
    assert "In the first 9 months of 1402" in response.content.decode()


@pytest.mark.django_db
def test_a_year_without_data_says_so_instead_of_minus_100_percent(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:overview"), {"year": "1404"})
    kpis = response.context["data"].extra["kpis"]
    assert kpis["exports_usd"]["value"] == 0 and kpis["exports_usd"]["change_pct"] is None
    assert kpis["exports_usd"]["reason"] == "No data has been loaded for this period yet."
    html = response.content.decode()
    assert "−100" not in html and "-100" not in html
    assert "No data has been loaded for this period yet." in html


@pytest.mark.django_db
def test_origin_scope_shows_imports_and_balance_as_not_applicable(client, ledger) -> None:
    client.cookies["payesh_language"] = "fa"
    response = client.get(reverse("monitoring:overview"), {"year": "1402", "scope": "origin"})
    kpis = response.context["data"].extra["kpis"]
    assert kpis["imports_usd"]["not_applicable"] and kpis["imports_usd"]["value"] is None
    assert kpis["balance_usd"]["not_applicable"] and kpis["balance_usd"]["value"] is None
    assert not kpis["exports_usd"]["not_applicable"]
    own = _sql(ledger, "SELECT sum(value_usd) FROM facts WHERE flow='export' AND origin_province='IR-11' "
                       "AND jalali_year = 1402")
    assert kpis["exports_usd"]["value"] == pytest.approx(own, rel=1e-9)
    assert response.content.decode().count("قابل محاسبه نیست") >= 3  # imports, balance, import unit value


@pytest.mark.django_db
def test_reconciliation_adds_up_and_equals_hand_written_queries(client, ledger) -> None:
    response = client.get(reverse("monitoring:through_origin"), {"year": "1402"})
    rec = response.context["data"].extra["reconciliation"]
    assert rec["through"] == pytest.approx(rec["through_and_origin"] + rec["through_not_origin"])
    assert rec["origin"] == pytest.approx(rec["through_and_origin"] + rec["origin_not_through"])
    own = _sql(ledger, "SELECT sum(value_usd) FROM facts WHERE flow='export' AND origin_province='IR-11' "
                       "AND jalali_year = 1402")
    assert rec["origin"] == pytest.approx(own, rel=1e-9)
    both = _sql(ledger, f"SELECT sum(value_usd) FROM facts f WHERE flow='export' AND origin_province='IR-11' "
                        f"AND {THROUGH} AND jalali_year = 1402")
    assert rec["through_and_origin"] == pytest.approx(both, rel=1e-9)
    sankey = response.context["data"].charts["sankey"].figure
    assert '"color":["rgba(' in sankey.replace(" ", "")  # links coloured, with an opacity


@pytest.mark.django_db
def test_partners_page_numbers_equal_a_hand_written_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:partners"), {"year": "1402", "months": "6"})
    frame = response.context["data"].tables["partners"].frame.set_index("partner")
    expected = _frame(ledger, f"""
        SELECT partner, sum(value_usd) FILTER (WHERE flow='export') AS exports,
               sum(value_usd) FILTER (WHERE flow='import') AS imports
        FROM facts f WHERE {THROUGH} AND jalali_year = 1402 AND jalali_month <= 6
        GROUP BY partner HAVING coalesce(exports, 0) <> 0 OR coalesce(imports, 0) <> 0""").set_index("partner")
    assert set(frame.index) == set(expected.index)
    expected = expected.fillna(0.0)  # SQL sums over no rows are NULL; the cube's are zero
    for partner, row in expected.iterrows():
        assert frame.loc[partner, "exports_usd"] == pytest.approx(row["exports"], rel=1e-9)
        assert frame.loc[partner, "imports_usd"] == pytest.approx(row["imports"], rel=1e-9)
    shares = expected["exports"] / expected["exports"].sum() * 100
    hhi = float((shares[shares > 0] ** 2).sum())
    concentration = response.context["data"].extra["concentration"]
    assert concentration["hhi"] == pytest.approx(hhi, rel=1e-9)
    assert concentration["top3_share"] == pytest.approx(float(shares.nlargest(3).sum()), rel=1e-9)


@pytest.mark.django_db
def test_products_page_numbers_and_breadcrumb(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:products"), {"year": "1402", "level": "chapter"})
    frame = response.context["data"].tables["products"].frame.set_index("chapter")
    expected = _frame(ledger, f"""
        SELECT substr(hs_code, 1, 2) AS chapter, sum(value_usd) AS value FROM facts f
        WHERE flow = 'export' AND {THROUGH} AND jalali_year = 1402 GROUP BY 1 HAVING sum(value_usd) > 0
    """).set_index("chapter")
    assert set(frame.index) == set(expected.index)
    for chapter, row in expected.iterrows():
        assert frame.loc[chapter, "value_usd"] == pytest.approx(row["value"], rel=1e-9)
    # Going down to a heading names every ancestor and offers the way up.
    top = str(expected["value"].idxmax())
    headings = client.get(reverse("monitoring:products"), {"year": "1402", "level": "heading", "parent": top})
    trail = headings.context["data"].extra["trail"]
    assert [step["level"] for step in trail] == ["section", "chapter"] and trail[-1]["code"] == top
    assert all(step["name"] and step["name"] != step["code"] for step in trail)
    assert headings.context["data"].extra["up"] == {"level": "chapter", "parent": trail[0]["code"]}
    heading_frame = headings.context["data"].tables["products"].frame
    assert heading_frame["value_usd"].sum() == pytest.approx(expected.loc[top, "value"], rel=1e-9)
    assert 'data-testid="level-up"' in headings.content.decode()


@pytest.mark.django_db
def test_offices_page_numbers_equal_a_hand_written_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:offices"), {"year": "1402"})
    data = response.context["data"]
    offices = data.tables["offices"].frame.set_index("office")
    expected = _frame(ledger, f"""
        SELECT customs_office, sum(value_usd) AS value, sum(value_usd) / (sum(net_weight_kg) / 1000) AS unit
        FROM facts f WHERE flow = 'export' AND {THROUGH} AND jalali_year = 1402 GROUP BY 1
    """).set_index("customs_office")
    assert set(offices.index) == set(expected.index)
    for office, row in expected.iterrows():
        assert offices.loc[office, "value_usd"] == pytest.approx(row["value"], rel=1e-9)
        assert offices.loc[office, "unit_value"] == pytest.approx(row["unit"], rel=1e-9)
    channels = data.tables["channels"].frame.set_index("channel")
    market = _sql(ledger, f"SELECT sum(value_usd) FROM facts f WHERE flow='export' AND {THROUGH} "
                          "AND jalali_year = 1402 AND channel = 'border_market'")
    assert channels.loc["border_market", "share"] == pytest.approx(100 * market / expected["value"].sum(), rel=1e-9)


@pytest.mark.django_db
def test_origin_page_numbers_equal_a_hand_written_query(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:origin"), {"year": "1402"})
    data = response.context["data"]
    provinces = data.tables["provinces"].frame.set_index("origin_province")
    expected = _frame(ledger, "SELECT origin_province, sum(value_usd) AS value FROM facts WHERE flow = 'export' "
                              "AND jalali_year = 1402 AND origin_province IS NOT NULL GROUP BY 1")
    for _i, row in expected.iterrows():
        assert provinces.loc[row["origin_province"], "value_usd"] == pytest.approx(row["value"], rel=1e-9)
    counties = data.tables["counties"].frame.set_index("origin_county")
    expected_counties = _frame(ledger, "SELECT origin_county, sum(value_usd) AS value FROM facts WHERE "
                                       "flow = 'export' AND jalali_year = 1402 AND origin_province = 'IR-11' "
                                       "AND origin_county IS NOT NULL GROUP BY 1")
    assert len(expected_counties) > 3
    for _i, row in expected_counties.iterrows():
        assert counties.loc[row["origin_county"], "value_usd"] == pytest.approx(row["value"], rel=1e-9)


@pytest.mark.django_db
def test_filters_are_one_state_shared_by_every_page(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    first = client.get(reverse("monitoring:overview"), {"year": "1401", "months": "6", "scope": "national",
                                                        "flow": "import"})
    assert first.status_code == 200
    # Another tab opened without parameters keeps the period, scope and flow …
    partners = client.get(reverse("monitoring:partners"))
    filters = partners.context["filters"]
    assert (filters.year, filters.months, filters.scope, filters.flow) == (1401, 6, "national", "import")
    # … and its tab links carry them in the URL, so a copied link restores the view.
    assert "year=1401&amp;months=6&amp;scope=national&amp;flow=import" in partners.content.decode()
    # A page without a scope selector does not lose it either.
    client.get(reverse("monitoring:through_origin"))
    assert client.get(reverse("monitoring:products")).context["filters"].scope == "national"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_downloads_have_headers_rounded_values_and_a_name_that_says_what_and_when(client, ledger, fmt: str) -> None:
    client.cookies["payesh_language"] = "en"
    response = client.get(reverse("monitoring:partners"), {"year": "1403", "months": "6", "download": "partners",
                                                            "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="payesh-exports-partners-1403-06.{fmt}"'
    content = io.BytesIO(response.content)
    frame = (pd.read_csv(content, encoding="utf-8-sig") if fmt == "csv" else
             pd.read_excel(content) if fmt == "xlsx" else pd.read_parquet(content))
    assert list(frame.columns)[:3] == ["Partner", "Partner region", "Exports (USD)"]
    assert all(str(c).strip() and not str(c).startswith("Unnamed") for c in frame.columns)
    assert "Pakistan" in set(frame["Partner"])
    values = frame["Exports (USD)"].dropna()
    assert (values == values.round(0)).all()  # whole dollars: no float noise like 93019403.98000002


@pytest.mark.django_db
def test_an_unknown_download_is_a_400_naming_the_parameter(client, ledger) -> None:
    response = client.get(reverse("monitoring:partners"), {"download": "nonsense", "format": "csv"})
    assert response.status_code == 400 and "download" in response.content.decode()
    response = client.get(reverse("monitoring:partners"), {"download": "partners", "format": "exe"})
    assert response.status_code == 400 and "format" in response.content.decode()


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
def test_explorer_picks_members_by_name_states_the_scope_and_pivots(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    page = client.get(reverse("monitoring:explorer"), {
        "m": ["value_usd", "weight_t"], "d": ["partner", "month"], "cl": ["partner"], "cv": ["پاکستان, Afghanistan"],
        "from": "140201", "to": "140206", "pivot": "month"})
    assert page.status_code == 200
    query = page.context["query"]
    assert query.drilldowns == ("partner", "month")
    assert {c.level: c.values for c in query.cuts}["partner"] == ("PAK", "AFG")
    assert page.context["req"].scope == "through"
    html = page.content.decode()
    assert "trade through the region&#x27;s customs" in html  # Django escapes the apostrophe
    table = page.context["table"]
    # One row per partner, one column per month (with a header each).
    assert table.frame.shape[0] == 2
    assert [c.header for c in table.columns][1:] == [f"{m} 1402" for m in
                                                      ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad",
                                                       "Shahrivar")]
    pak = table.frame.set_index("partner_label").loc["Pakistan", "Farvardin 1402"]
    expected = _sql(ledger, f"SELECT sum(value_usd) FROM facts f WHERE flow='export' AND partner='PAK' AND {THROUGH} "
                            "AND jalali_year = 1402 AND jalali_month = 1")
    assert pak == pytest.approx(expected, rel=1e-9)


@pytest.mark.django_db
def test_explorer_names_every_column_with_one_share_per_measure(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    page = client.get(reverse("monitoring:explorer"), {"m": ["value_usd", "weight_t"], "d": ["partner"],
                                                        "year": "1402"})
    headers = [c.header for c in page.context["table"].visible_columns]
    assert headers == ["Partner", "Value (USD)", "Share of Value (USD) (%)", "Net weight (t)",
                       "Share of Net weight (t) (%)"]


@pytest.mark.django_db
def test_explorer_unknown_member_is_a_clear_message(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    page = client.get(reverse("monitoring:explorer"), {"m": ["value_usd"], "d": ["partner"], "cl": ["partner"],
                                                        "cv": ["Pakstan"]})
    assert page.status_code == 400
    html = page.content.decode()
    assert "“Pakstan” is not a member of “Partner”" in html and "Pakistan" in html


@pytest.mark.django_db
def test_explorer_bad_measure_is_a_400(client, ledger) -> None:
    client.cookies["payesh_language"] = "en"
    bad = client.get(reverse("monitoring:explorer"), {"measures": "nonsense"})
    assert bad.status_code == 400 and "“measures”" in bad.content.decode()


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


@pytest.mark.django_db
def test_a_member_keeps_its_colour_across_pages_and_languages(client, ledger) -> None:
    import json

    def colours(page: str, chart: str, language: str) -> dict[str, str]:
        client.cookies["payesh_language"] = language
        response = client.get(reverse(f"monitoring:{page}"), {"year": "1402"})
        figure = json.loads(response.context["data"].charts[chart].figure)
        bar = figure["data"][0]
        frame = response.context["data"].tables[chart].frame
        # hbar draws the largest at the top: its keys in reverse.
        shown = len(bar["marker"]["color"])
        keys = [str(k) for k in frame[frame["value_usd"] > 0].iloc[:shown, 0]][::-1]
        return dict(zip(keys, bar["marker"]["color"], strict=True))

    fa, en = colours("overview", "offices", "fa"), colours("overview", "offices", "en")
    assert fa == en and len(set(fa.values())) > 3
    offices_page = colours("offices", "offices", "en")
    shared = set(fa) & set(offices_page)
    assert shared and all(fa[k] == offices_page[k] for k in shared)
