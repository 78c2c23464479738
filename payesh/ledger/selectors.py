"""Reads of the trade ledger for pages and the CLI (aggregated trade numbers come from the cube)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet

from payesh.ledger.core import INPUT_COLUMNS, Issue, issues_to_csv, issues_to_xlsx
from payesh.ledger.models import Batch, BatchIssue


def batch_list() -> QuerySet[Batch]:
    return Batch.objects.select_related("created_by").all()


def batch_issues(batch: Batch) -> QuerySet[BatchIssue]:
    return batch.issues.all()


def batch_report(batch: Batch, fmt: str) -> tuple[str, str, bytes]:
    """The validation report of a batch as (filename, mimetype, bytes); fmt is csv or xlsx."""
    issues = [Issue(row=i.row, column=i.column or None, value=i.value or None, rule=i.rule, message_en=i.message_en,
                    message_fa=i.message_fa, severity=i.severity)  # type: ignore[arg-type]
              for i in batch.issues.all()]
    if fmt == "xlsx":
        return (f"payesh-report-{batch.id}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", issues_to_xlsx(issues))
    return f"payesh-report-{batch.id}.csv", "text/csv; charset=utf-8", issues_to_csv(issues)


EXAMPLE_ROWS: list[dict[str, Any]] = [
    {"flow": "export", "declaration_date": "2023-10-08", "declaration_id": "1402-MIR-000123", "line_no": 1,
     "customs_office": "MIRJAVEH", "channel": "customs", "partner": "PAK", "origin_province": "IR-11",
     "hs_code": "080410", "hs_revision": "HS12", "quantity": 24000, "unit": "kg", "net_weight_kg": 24000,
     "value_usd": 19200, "transport_mode": "road"},
    {"flow": "export", "declaration_date": "1402/07/16", "declaration_id": "1402-BM-000045", "line_no": 1,
     "customs_office": "PISHIN", "channel": "border_market", "border_market": "BM_MAND_PISHIN", "partner": "PAK",
     "origin_province": "IR-11", "hs_code": "252329", "hs_revision": "HS12", "net_weight_kg": 30000,
     "value_usd": 1500, "transport_mode": "road"},
]


def canonical_template(fmt: str, language: str) -> tuple[str, str, bytes]:
    """The canonical input layout with two example rows; Persian or English headers."""
    headers = [c.header_fa if language == "fa" else c.name for c in INPUT_COLUMNS]
    rows = [[row.get(c.name, "") for c in INPUT_COLUMNS] for row in EXAMPLE_ROWS]
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "facts"
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        if language == "fa":
            sheet.sheet_view.rightToLeft = True
        notes = book.create_sheet("columns")
        notes.append(["column", "header_fa", "required", "description"])
        for c in INPUT_COLUMNS:
            notes.append([c.name, c.header_fa, "yes" if c.required else "no", c.description_en])
        buffer = io.BytesIO()
        book.save(buffer)
        return (f"payesh-template-{language}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer.getvalue())
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return f"payesh-template-{language}.csv", "text/csv; charset=utf-8", text.getvalue().encode("utf-8-sig")
