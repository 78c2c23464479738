"""Ledger core: bad inputs are refused with row-level issues; good ones load exactly once."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import HEADER, count_facts, good_row, make_codes, write_csv

from payesh.ledger.core import (
    FACT_SCHEMA,
    Lake,
    LakeError,
    duckdb_connect,
    ingest,
    rebuild,
)
from payesh.ledger.core.schema import FACT_LAYOUT, STORED_COLUMNS

CODES = make_codes()


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


def rules_of(result) -> set[str]:  # type: ignore[no-untyped-def]
    """Rules of the findings (without the report's statement of the file's number convention)."""
    return {i.rule for i in result.issues if i.severity != "info"}


def test_good_file_loads_with_derived_columns(tmp_path: Path, lake: Lake) -> None:
    path = write_csv(tmp_path / "ok.csv", [good_row(i) for i in range(12)])
    result = ingest(path, lake=lake, codes=CODES, created_by="alice")
    assert result.status == "loaded", result.issues
    assert (result.rows_read, result.rows_loaded, result.errors) == (12, 12, 0)
    con = duckdb_connect()
    lake.create_facts_view(con)
    row = con.execute("SELECT declaration_date, jalali_year, jalali_month, hs_code, national_code, "
                      "source_key, reporter FROM facts WHERE declaration_id = 'D0000000' AND line_no = 1").fetchone()
    assert str(row[0]) == "2023-01-01" and row[1:3] == (1401, 10)
    assert row[3:] == ("252329", "25232900", "D0000000#1", "IRN")
    # The file holds the stored layout: no source/batch_id, default keys and reporter left NULL.
    table = pq.read_table(lake.active_files()[0])
    assert tuple(table.schema.names) == STORED_COLUMNS
    assert table.column("source_key").null_count == 12 and table.column("reporter").null_count == 12
    assert lake.get(result.batch_id).layout == FACT_LAYOUT
    batch = lake.get(result.batch_id)
    assert batch.created_by == "alice" and batch.rows_loaded == 12 and batch.status == "active"
    assert (lake.root / "sources" / batch.sha256).exists()


def test_empty_file_is_refused(tmp_path: Path, lake: Lake) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    result = ingest(tmp_path / "empty.csv", lake=lake, codes=CODES)
    assert result.status == "rejected" and rules_of(result) == {"file_empty"}
    header_only = write_csv(tmp_path / "header.csv", [])
    result = ingest(header_only, lake=lake, codes=CODES, fmt="payesh_csv")
    assert result.status == "rejected" and "file_empty" in rules_of(result)
    assert lake.batches() == []


def test_missing_and_misspelled_columns_name_the_fix(tmp_path: Path, lake: Lake) -> None:
    header = [h for h in HEADER if h != "value_usd"]
    header[header.index("partner")] = "partnr"
    path = write_csv(tmp_path / "bad.csv", [good_row(1)], header=header)
    result = ingest(path, lake=lake, codes=CODES, fmt="payesh_csv")
    assert result.status == "rejected"
    by_rule = {i.rule: i for i in result.issues}
    assert by_rule["column_missing"].column == "value_usd"
    assert by_rule["column_misspelled"].value == "partnr" and by_rule["column_misspelled"].column == "partner"
    assert "did you mean 'partner'" in by_rule["column_misspelled"].message_en


def test_row_rules_report_the_users_row_numbers(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(20)]
    rows[0]["hs_code"] = "99999999"           # row 2
    rows[1]["partner"] = "XXX"                # row 3
    rows[2]["customs_office"] = "NOWHERE"     # row 4
    rows[3]["value_usd"] = -1                 # row 5
    rows[4]["net_weight_kg"] = -5             # row 6
    rows[5]["declaration_date"] = "1985-02-01"  # row 7
    rows[6]["declaration_date"] = "2999-01-01"  # row 8
    rows[7]["flow"] = "exprt"                 # row 9
    rows[8]["channel"] = "border_market"      # row 10, no market
    rows[9]["origin_province"] = "IR-99"      # row 11
    rows[10]["origin_county"] = "IR-11-77"    # row 12
    rows[11]["border_market"] = "NOPE"        # row 13
    rows[11]["channel"] = "border_market"
    rows.append(dict(rows[15]))               # row 22 duplicates row 17
    path = write_csv(tmp_path / "bad.csv", rows)
    result = ingest(path, lake=lake, codes=CODES)
    assert result.status == "rejected" and lake.batches() == []
    found = {(i.row, i.rule) for i in result.issues}
    assert {(2, "hs_unknown"), (3, "partner_unknown"), (4, "office_unknown"), (5, "value_negative"),
            (6, "value_negative"), (7, "date_out_of_range"), (8, "date_out_of_range"),
            (9, "flow_invalid"), (10, "border_market_missing"), (11, "province_unknown"),
            (12, "county_unknown"), (13, "border_market_unknown"), (22, "duplicate_in_file")} <= found
    duplicate = next(i for i in result.issues if i.rule == "duplicate_in_file")
    assert "row 17" in duplicate.message_en
    assert all(i.message_fa and i.message_en for i in result.issues)
    # The report download goes through the site's one exporter (payesh.core.exporters).
    from payesh.ledger.selectors import issues_report

    name, _, csv_bytes = issues_report(result.issues, "csv", stem="report")
    assert name == "report.csv" and b"hs_unknown" in csv_bytes
    name, _, xlsx_bytes = issues_report(result.issues, "xlsx", stem="report")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    assert name == "report.xlsx" and sheet.cell(1, 1).value == "row" and sheet.max_row == len(result.issues) + 1
    assert {sheet.cell(r, 4).value for r in range(2, sheet.max_row + 1)} >= {"hs_unknown", "duplicate_in_file"}


def test_type_errors_on_fast_path_keep_row_numbers(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(600)]
    rows[550]["value_usd"] = "abc"     # row 552, past the sniffed head: DuckDB rejects it
    rows[580]["hs_code"] = "99999999"  # row 582: numbered after the rejected line
    path = write_csv(tmp_path / "typed.csv", rows)
    result = ingest(path, lake=lake, codes=CODES)
    found = {(i.row, i.rule, i.column) for i in result.issues}
    assert (552, "number_invalid", "value_usd") in found
    assert (582, "hs_unknown", "hs_code") in found


def test_truncated_last_row(tmp_path: Path, lake: Lake) -> None:
    path = write_csv(tmp_path / "cut.csv", [good_row(i) for i in range(5)])
    with open(path, "a") as handle:
        handle.write("export,2023-01-01,D9,1,MIRJAV")
    result = ingest(path, lake=lake, codes=CODES)
    assert result.status == "rejected"
    cut = [i for i in result.issues if i.rule == "row_truncated"]
    assert len(cut) == 1 and cut[0].row == 7


def test_persian_digits_and_solar_hijri_dates(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(3)]
    rows[0].update(declaration_date="۱۴۰۲/۰۷/۱۵", value_usd="۱٬۲۳۴٫۵", net_weight_kg="٢٠٠٠")
    rows[1].update(declaration_date="1402/12/29", value_usd="1,000")
    path = write_csv(tmp_path / "fa.csv", rows)
    result = ingest(path, lake=lake, codes=CODES)
    assert result.status == "loaded", result.issues
    con = duckdb_connect()
    lake.create_facts_view(con)
    got = con.execute("SELECT declaration_date, jalali_year, jalali_month, value_usd, net_weight_kg "
                      "FROM facts ORDER BY source_key").fetchall()
    assert str(got[0][0]) == "2023-10-07" and got[0][1:] == (1402, 7, 1234.5, 2000.0)
    assert str(got[1][0]) == "2024-03-19" and got[1][3] == 1000.0


def test_persian_header_variant(tmp_path: Path, lake: Lake) -> None:
    from payesh.ledger.core.schema import INPUT_COLUMNS

    fa = {c.name: c.header_fa for c in INPUT_COLUMNS}
    path = write_csv(tmp_path / "fa_header.csv", [good_row(i) for i in range(4)],
                     header=[fa[h] for h in HEADER])
    # write_csv looks rows up by English name: rewrite the header line only
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = ",".join(fa[h] for h in HEADER)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES)
    assert result.format == "payesh_csv" and result.status == "loaded", result.issues


def test_same_file_twice_is_refused_naming_the_batch(tmp_path: Path, lake: Lake) -> None:
    path = write_csv(tmp_path / "ok.csv", [good_row(i) for i in range(5)])
    first = ingest(path, lake=lake, codes=CODES)
    second = ingest(path, lake=lake, codes=CODES)
    assert second.status == "rejected" and rules_of(second) == {"file_duplicate"}
    assert first.batch_id in second.message_en
    lake.withdraw(first.batch_id)
    third = ingest(path, lake=lake, codes=CODES)
    assert third.status == "rejected" and "withdrawn" in third.issues[0].message_en
    assert count_facts(lake) == 0


def test_overlap_withdraw_restore(tmp_path: Path, lake: Lake) -> None:
    original = ingest(write_csv(tmp_path / "a.csv", [good_row(i) for i in range(6)]), lake=lake, codes=CODES)
    corrected_rows = [good_row(i, value_usd=99) for i in range(6)]
    corrected = tmp_path / "b.csv"
    write_csv(corrected, corrected_rows)
    refused = ingest(corrected, lake=lake, codes=CODES)
    assert refused.status == "rejected"
    assert rules_of(refused) == {"duplicate_key"}
    assert original.batch_id in next(i for i in refused.issues if i.rule == "duplicate_key").message_en
    lake.withdraw(original.batch_id, by="bob")
    assert count_facts(lake) == 0
    loaded = ingest(corrected, lake=lake, codes=CODES)
    assert loaded.status == "loaded" and count_facts(lake) == 6
    with pytest.raises(LakeError, match=loaded.batch_id):
        lake.restore(original.batch_id)
    lake.withdraw(loaded.batch_id)
    lake.restore(original.batch_id)
    assert count_facts(lake) == 6
    con = duckdb_connect()
    lake.create_facts_view(con)
    assert con.execute("SELECT sum(value_usd) FROM facts").fetchone()[0] != 99 * 6


def test_quarantine_policy_loads_valid_rows(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i) for i in range(10)]
    rows[3]["partner"] = "ZZZ"
    rows[7]["hs_code"] = "12345678"
    result = ingest(write_csv(tmp_path / "q.csv", rows), lake=lake, codes=CODES, policy="quarantine")
    assert result.status == "loaded"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (10, 8, 2)
    assert count_facts(lake) == 8
    quarantine = pq.read_table(lake.quarantine_path(result.batch_id)).to_pylist()
    assert [q["row"] for q in quarantine] == [5, 9]
    assert json.loads(quarantine[0]["issues"])[0]["rule"] == "partner_unknown"
    assert json.loads(quarantine[0]["record"])["partner"] == "ZZZ"
    assert lake.get(result.batch_id).rows_quarantined == 2


@pytest.mark.parametrize("encoding", ["cp1256", "utf-8-sig", "utf-8"])
def test_national_extract(tmp_path: Path, lake: Lake, encoding: str) -> None:
    header = ["تاریخ اظهار", "شماره اظهارنامه", "ردیف کالا", "نوع رویه", "کد تعرفه", "شرح کالا",
              "کشور طرف معامله", "گمرک اظهار", "استان مبدا", "شهرستان مبدا", "وزن خالص (کیلوگرم)",
              "ارزش دلاری", "ارزش ریالی"]
    lines = [",".join(header),
             '۱۴۰۲/۰۷/۱۵,۱۲۳۴۵,۱,صادرات,۲۵۲۳۲۹۰۰,سیمان,پاکستان,میرجاوه,سیستان و بلوچستان,سراوان,"۱۲٬۰۰۰","۵٬۴۰۰٫۵","۲٬۷۰۰٬۰۰۰٬۰۰۰"',
             "1402/07/16,12346,2,واردات,10063090,برنج,هند,چابهار,,,5000,4100,",
             "1402/07/17,12347,1,صادرات,08041000,خرما,کشور ناشناخته,زاهدان,,,100,50,"]
    path = tmp_path / "extract.csv"
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "cp1256":
        # Windows-1256 has neither Persian digits nor the Persian yeh: Windows writes Arabic yeh.
        text = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٬٫ی", "0123456789,.ي"))
    path.write_bytes(text.encode(encoding))
    result = ingest(path, lake=lake, codes=CODES, hs_revision="HS17")
    assert result.format == "customs_extract" and result.status == "rejected"
    bad = [i for i in result.issues if i.severity == "error"]
    assert [(i.row, i.rule, i.value) for i in bad] == [(4, "partner_unknown", "کشور ناشناخته")]
    result = ingest(path, lake=lake, codes=CODES, hs_revision="HS17", policy="quarantine")
    assert result.rows_loaded == 2
    con = duckdb_connect()
    lake.create_facts_view(con)
    got = con.execute("SELECT declaration_date, flow, partner, customs_office, origin_province, origin_county, "
                      "hs_code, national_code, net_weight_kg, value_usd, value_rial FROM facts ORDER BY declaration_id").fetchall()
    assert str(got[0][0]) == "2023-10-07"
    assert got[0][1:] == ("export", "PAK", "MIRJAVEH", "IR-11", "IR-11-05", "252329", "25232900",
                          12000.0, 5400.5, 2_700_000_000.0)
    assert got[1][1:4] == ("import", "IND", "CHABAHAR")


def test_merged_header_cells_in_xlsx(tmp_path: Path, lake: Lake) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([good_row(1)[h] for h in HEADER])
    sheet.merge_cells("A1:C1")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    result = ingest(path, lake=lake, codes=CODES, fmt="payesh_xlsx")
    assert result.status == "rejected"
    assert result.issues[0].rule == "header_merged"
    assert "A1:C1" in result.issues[0].message_en and "unmerge" in result.issues[0].message_en


def test_xlsx_canonical_loads_with_excel_types(tmp_path: Path, lake: Lake) -> None:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i in range(5):
        row = good_row(i)
        row["declaration_date"] = dt.datetime(2023, 5, i + 1)
        row["hs_code"] = 80410  # Excel lost the leading zero of 080410
        sheet.append([row[h] if row[h] != "" else None for h in HEADER])
    sheet.append([])
    row = good_row(9, partner="QQQ")
    sheet.append([row[h] if row[h] != "" else None for h in HEADER])  # Excel row 8
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    result = ingest(path, lake=lake, codes=CODES)
    assert result.format == "payesh_xlsx"
    assert [(i.row, i.rule) for i in result.issues if i.severity == "error"] == [(8, "partner_unknown")]
    result = ingest(path, lake=lake, codes=CODES, policy="quarantine")
    con = duckdb_connect()
    lake.create_facts_view(con)
    assert con.execute("SELECT DISTINCT hs_code FROM facts").fetchall() == [("080410",)]


def test_parquet_canonical(tmp_path: Path, lake: Lake) -> None:
    import pyarrow as pa

    rows = [good_row(i) for i in range(4)]
    table = pa.table({h: [str(r[h]) if r[h] != "" else None for r in rows] for h in HEADER})
    pq.write_table(table, tmp_path / "in.parquet")
    result = ingest(tmp_path / "in.parquet", lake=lake, codes=CODES)
    assert result.format == "payesh_parquet" and result.status == "loaded", result.issues


def test_comtrade_csv(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,flowCode,"
        "partnerCode,partnerISO,classificationCode,cmdCode,motCode,qty,qtyUnitAbbr,netWgt,primaryValue\n"
        "C,A,20220101,2022,52,2022,364,IRN,X,586,PAK,H5,252329,0,1000,kg,1000000,45000\n"
        "C,A,20220101,2022,52,2022,364,IRN,M,699,IND,H5,100630,2100,500,kg,500000,400000\n"
        "C,M,20220301,2022,3,202203,364,IRN,X,4,AFG,H5,080410,3200,,,2000,3000\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES)
    assert result.format == "comtrade_csv" and result.status == "loaded", result.issues
    con = duckdb_connect()
    lake.create_facts_view(con)
    got = con.execute("SELECT flow, partner, customs_office, hs_revision, declaration_date, transport_mode, "
                      "source FROM facts ORDER BY value_usd").fetchall()
    assert got[0] == ("export", "AFG", "NATIONAL", "HS17", __import__("datetime").date(2022, 3, 1), "road", "comtrade")
    assert got[2][0] == "import" and got[2][5] == "sea"


def test_baci_csv(tmp_path: Path, lake: Lake) -> None:
    path = tmp_path / "BACI_HS92_Y2020_V202401.csv"
    path.write_text("t,i,j,k,v,q\n2020,364,586,252329,1500.5,30000.0\n2020,364,4,100630,20.0,NA\n"
                    "2020,586,364,100630,7.25,12.5\n", encoding="utf-8")
    result = ingest(path, lake=lake, codes=CODES)
    assert result.format == "baci_csv" and result.status == "loaded", result.issues
    con = duckdb_connect()
    lake.create_facts_view(con)
    got = con.execute("SELECT reporter, partner, flow, value_usd, net_weight_kg, hs_revision, source_key "
                      "FROM facts ORDER BY value_usd DESC").fetchall()
    assert got[0] == ("IRN", "PAK", "export", 1_500_500.0, 30_000_000.0, "HS92", "2020|364|586|252329")
    assert got[1][4] is None and got[2][:2] == ("PAK", "IRN")
    again = tmp_path / "BACI_HS92_Y2020_V202501.csv"
    again.write_text("t,i,j,k,v,q\n2020,364,586,252329,1600,31000\n", encoding="utf-8")
    refused = ingest(again, lake=lake, codes=CODES)
    assert [i.rule for i in refused.issues if i.severity != "info"] == ["duplicate_key"]


def test_rebuild_reproduces_the_lake(tmp_path: Path, lake: Lake) -> None:
    a = ingest(write_csv(tmp_path / "a.csv", [good_row(i) for i in range(6)]), lake=lake, codes=CODES)
    lake.withdraw(a.batch_id)
    b = ingest(write_csv(tmp_path / "b.csv", [good_row(i, value_usd=7) for i in range(6)]), lake=lake, codes=CODES)
    rows = [good_row(i + 100) for i in range(4)]
    rows[0]["partner"] = "ZZZ"
    c = ingest(write_csv(tmp_path / "c.csv", rows), lake=lake, codes=CODES, policy="quarantine")
    rebuilt = rebuild(lake, codes=CODES, target=tmp_path / "rebuilt")
    assert [(x.id, x.status, x.rows_loaded) for x in rebuilt.batches()] == \
        [(x.id, x.status, x.rows_loaded) for x in lake.batches()]
    assert count_facts(rebuilt) == count_facts(lake) == 9
    assert {b.batch_id, c.batch_id} == {x.id for x in rebuilt.batches() if x.status == "active"}


def test_unit_value_outlier_is_a_warning(tmp_path: Path, lake: Lake) -> None:
    rows = [good_row(i, value_usd=50, net_weight_kg=1000) for i in range(30)]
    rows[10]["value_usd"] = 5_000_000
    result = ingest(write_csv(tmp_path / "o.csv", rows), lake=lake, codes=CODES)
    assert result.status == "loaded"
    outliers = [i for i in result.issues if i.rule == "unit_value_outlier"]
    assert [(i.row, i.severity) for i in outliers] == [(12, "warning")]


def test_facts_view_is_empty_with_schema(lake: Lake) -> None:
    con = duckdb_connect()
    lake.create_facts_view(con)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
    assert [d[0] for d in con.execute("SELECT * FROM facts").description] == FACT_SCHEMA.names


def test_garbage_collection_removes_orphans(tmp_path: Path, lake: Lake) -> None:
    (lake.root / "staging" / "x" / "facts").mkdir(parents=True)
    (lake.root / "facts" / "batch=orphan").mkdir()
    (lake.root / "sources" / "deadbeef").write_text("x")
    Lake(lake.root)
    assert not any((lake.root / "staging").iterdir())
    assert not (lake.root / "facts" / "batch=orphan").exists()
    assert not (lake.root / "sources" / "deadbeef").exists()


@pytest.mark.parametrize("persian", [False, True])
def test_downloadable_templates_load(tmp_path: Path, lake: Lake, persian: bool) -> None:
    from payesh.ledger.selectors import canonical_template

    language = "fa" if persian else "en"

    codes = make_codes()
    codes = type(codes)(**{**codes.__dict__, "hs_codes": {"HS22": frozenset({"252329", "080410"})},
                           "customs_offices": codes.customs_offices | {"MILAK"},
                           "border_markets": codes.border_markets | {"BM_MILAK"}})
    (tmp_path / "t.csv").write_bytes(canonical_template("csv", language)[2])
    (tmp_path / "t.xlsx").write_bytes(canonical_template("xlsx", language)[2])
    assert ingest(tmp_path / "t.csv", lake=lake, codes=codes).status == "loaded"
    second = Lake(tmp_path / "lake2")
    result = ingest(tmp_path / "t.xlsx", lake=second, codes=codes)
    assert result.status == "loaded", result.issues
