"""/api/cube against a plain DuckDB SQL of the same question, in every format and both languages."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from payesh.api.schemas import CubeMetaOut, CubeOut
from payesh.ledger.core import Lake, duckdb_connect

pytestmark = pytest.mark.django_db


def sql(lake_root: Path, text: str) -> pd.DataFrame:
    con = duckdb_connect()
    Lake(lake_root).create_facts_view(con)
    return con.execute(text).df()


def get_json(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/api/cube", params)
    assert response.status_code == 200, response.content
    body = response.json()
    CubeOut.model_validate(body)
    return body


def test_cube_numbers_equal_a_plain_duckdb_sql(client, ledger_loaded, settings) -> None:
    body = get_json(client, drilldowns="year,partner,flow", measures="value_usd,weight_t,rows,declarations",
                    locale="en")
    got = pd.DataFrame(body["data"]).sort_values(["year", "partner", "flow"]).reset_index(drop=True)
    expected = sql(settings.PAYESH_LAKE, """
        select jalali_year as year, partner, flow, sum(value_usd) as value_usd,
               sum(net_weight_kg) / 1000 as weight_t, count(*) as rows,
               count(distinct declaration_id) as declarations
        from facts group by all order by year, partner, flow""")
    assert len(got) == len(expected) == 5
    assert got["year"].tolist() == expected["year"].tolist()
    assert got["partner"].tolist() == expected["partner"].tolist()
    assert got["flow"].tolist() == expected["flow"].tolist()
    for measure in ("value_usd", "weight_t", "rows", "declarations"):
        assert got[measure].tolist() == pytest.approx(expected[measure].astype(float).tolist(), rel=1e-12)
    assert body["page"] == {"limit": 1000, "offset": 0, "total": 5}
    assert body["engine"] == "duckdb" and body["elapsed_ms"] >= 0
    kinds = {c["name"]: c["kind"] for c in body["columns"]}
    assert kinds["year"] == "level" and kinds["partner_caption"] == "caption"
    assert kinds["value_usd"] == "measure" and kinds["value_usd_share"] == "derived"
    assert body["synthetic_notice"] is None


def test_cuts_excludes_and_period_equal_the_sql(client, ledger_loaded, settings) -> None:
    body = get_json(client, drilldowns="partner", measures="value_usd,exports_usd,imports_usd,balance_usd",
                    cut="office:MIRJAVEH", exclude="flow:transit", **{"from": "140201", "to": "140212"},
                    sort="-value_usd")
    expected = sql(settings.PAYESH_LAKE, """
        select partner, sum(value_usd) as value_usd,
               sum(value_usd) filter (flow = 'export') as exports_usd,
               coalesce(sum(value_usd) filter (flow = 'import'), 0) as imports_usd
        from facts where customs_office = 'MIRJAVEH' and jalali_year = 1402
        group by partner order by value_usd desc""")
    assert [r["partner"] for r in body["data"]] == expected["partner"].tolist() == ["PAK", "AFG"]
    for row, (_, want) in zip(body["data"], expected.iterrows(), strict=True):
        assert row["value_usd"] == pytest.approx(want["value_usd"])
        assert row["exports_usd"] == pytest.approx(want["exports_usd"])
        assert row["imports_usd"] == pytest.approx(want["imports_usd"])
        assert row["balance_usd"] == pytest.approx(want["exports_usd"] - want["imports_usd"])
    assert body["query"]["cut"] == "office:MIRJAVEH" and body["query"]["exclude"] == "flow:transit"
    assert body["query"]["from"] == "140201" and body["query"]["to"] == "140212"


def test_comparison_with_the_previous_year(client, ledger_loaded) -> None:
    body = get_json(client, measures="value_usd", year="1402", compare="previous_year", locale="en")
    (row,) = body["data"]
    assert row["value_usd"] == pytest.approx(41600)
    assert row["value_usd_previous"] == pytest.approx(17500)
    assert row["value_usd_change"] == pytest.approx(24100)
    assert row["value_usd_change_pct"] == pytest.approx(100 * 24100 / 17500)
    assert {c["name"]: c["label"] for c in body["columns"]}["value_usd_previous"] == "Value (USD) — previous year"


@pytest.mark.parametrize(("locale", "pakistan", "exports", "label"), [
    ("en", "Pakistan", "Exports", "Partner"),
    ("fa", "پاکستان", "صادرات", "کشور طرف تجاری"),
])
def test_captions_and_labels_in_each_language(client, ledger_loaded, locale, pakistan, exports, label) -> None:
    body = get_json(client, drilldowns="partner,flow", cut="partner:PAK;flow:export", locale=locale)
    (row,) = body["data"]
    assert row["partner_caption"] == pakistan and row["flow_caption"] == exports
    assert {c["name"]: c["label"] for c in body["columns"]}["partner"] == label
    assert body["query"]["locale"] == locale


def test_pages_cover_the_answer_once_and_total_counts_every_row(client, ledger_loaded) -> None:
    whole = get_json(client, drilldowns="year,subheading", locale="en")["data"]
    assert len(whole) == 6
    pages = [get_json(client, drilldowns="year,subheading", locale="en", limit="4", offset=str(offset))
             for offset in (0, 4, 8)]
    assert [len(p["data"]) for p in pages] == [4, 2, 0]
    assert all(p["page"]["total"] == 6 and p["page"]["limit"] == 4 for p in pages)
    assert [r for p in pages for r in p["data"]] == whole


def test_top_with_other_row(client, ledger_loaded) -> None:
    body = get_json(client, drilldowns="subheading", sort="-value_usd", top="1", other="true", locale="en")
    assert [r["subheading"] for r in body["data"]] == ["080410", "__other__"]
    assert body["data"][0]["value_usd"] == pytest.approx(31200)
    assert body["data"][1]["value_usd"] == pytest.approx(59100 - 31200)
    assert body["data"][1]["subheading_caption"] == "Other"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_downloads_hold_the_same_numbers_as_json(client, ledger_loaded, fmt) -> None:
    params = {"drilldowns": "year,partner", "measures": "value_usd,weight_t", "locale": "fa"}
    expected = pd.DataFrame(get_json(client, **params)["data"])
    response = client.get("/api/cube", {**params, "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="payesh-cube.{fmt}"'
    content = response.content
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    elif fmt == "xlsx":
        frame = pd.read_excel(io.BytesIO(content))
    else:
        frame = pd.read_parquet(io.BytesIO(content))
    assert list(frame.columns) == list(expected.columns)
    assert frame["partner_caption"].tolist() == expected["partner_caption"].tolist()
    assert "پاکستان" in frame["partner_caption"].tolist()
    assert frame["value_usd"].tolist() == pytest.approx(expected["value_usd"].tolist())
    assert frame["year"].astype(int).tolist() == expected["year"].tolist()


def test_downloads_respect_the_page(client, ledger_loaded) -> None:
    response = client.get("/api/cube", {"drilldowns": "month", "format": "csv", "limit": "2", "offset": "1"})
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert frame["month"].tolist() == [140201, 140207]


def test_an_empty_lake_answers_zero_not_an_error(client, db) -> None:
    body = get_json(client, measures="value_usd")
    assert body["data"] == [{"value_usd": 0.0, "value_usd_share": None}]
    assert get_json(client, drilldowns="partner")["page"]["total"] == 0


@pytest.mark.parametrize(("params", "parameter"), [
    ({"measures": "value_usd,bananas"}, "measures"),
    ({"measures": ","}, "measures"),
    ({"drilldowns": "planet"}, "drilldowns"),
    ({"drilldowns": "partner,partner"}, "drilldowns"),
    ({"cut": "planet:MARS"}, "cut"),
    ({"exclude": "planet:MARS"}, "exclude"),
    ({"cut": "partner"}, "cut"),
    ({"cut": "year:abc"}, "cut"),
    ({"exclude": "month:x"}, "exclude"),
    ({"year": "abc"}, "year"),
    ({"year": "1200"}, "year"),
    ({"months": "13", "year": "1402"}, "months"),
    ({"months": "3"}, "months"),
    ({"from": "140205", "to": "140201"}, "from"),
    ({"from": "140213"}, "from"),
    ({"rolling": "140200"}, "rolling"),
    ({"compare": "previous_year"}, "compare"),
    ({"compare": "next_year", "year": "1402"}, "compare"),
    ({"sort": "-weight_t"}, "sort"),
    ({"top": "0"}, "top"),
    ({"other": "maybe"}, "other"),
    ({"hs_revision": "HS07"}, "hs_revision"),
    ({"limit": "0"}, "limit"),
    ({"limit": "100001"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"format": "pdf"}, "format"),
    ({"locale": "de"}, "locale"),
])
def test_every_bad_parameter_is_a_400_naming_it(client, db, params, parameter) -> None:
    response = client.get("/api/cube", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"]


def test_meta_lists_dimensions_levels_and_measures_in_both_languages(client, db) -> None:
    response = client.get("/api/cube/meta")
    assert response.status_code == 200
    body = CubeMetaOut.model_validate(response.json())
    dimensions = {d.name: d for d in body.dimensions}
    assert [lv.name for lv in dimensions["product"].levels] == ["section", "chapter", "heading", "subheading"]
    assert dimensions["partner"].label.fa == "طرف تجاری"
    measures = {m.name: m for m in body.measures}
    assert measures["value_usd"].label.en == "Value (USD)" and measures["value_usd"].unit == "USD"
    assert not measures["unit_value"].additive
    assert set(body.formats) == {"json", "csv", "xlsx", "parquet"} and body.locales == ["fa", "en"]


def test_synthetic_demo_data_carries_the_notice(client, tmp_path, analyst) -> None:
    from payesh.ledger.demo_data import SYNTHETIC_NOTICE_EN, SYNTHETIC_NOTICE_FA, generate
    from payesh.ledger.services import batch_ingest

    for path in generate(tmp_path / "demo", rows=2000, years=[1402]):
        assert batch_ingest(path=path, user=analyst).status == "active"
    assert get_json(client, locale="en")["synthetic_notice"] == SYNTHETIC_NOTICE_EN
    assert get_json(client, locale="fa")["synthetic_notice"] == SYNTHETIC_NOTICE_FA


def test_openapi_schema_and_docs_are_served(client, db) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {"/api/cube", "/api/cube/meta", "/api/facts", "/api/batches"} <= set(schema["paths"])
    cube_parameters = {p["name"] for p in schema["paths"]["/api/cube"]["get"]["parameters"]}
    assert {"measures", "drilldowns", "cut", "exclude", "year", "months", "from", "to", "rolling", "compare", "sort",
            "top", "other", "limit", "offset", "hs_revision", "locale", "format"} <= cube_parameters
    assert schema["paths"]["/api/facts"]["get"]["security"]
    assert client.get("/api/docs").status_code == 200
