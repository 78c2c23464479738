"""Downloadable canonical template: CSV and XLSX, English or Persian headers, with example rows."""

from __future__ import annotations

import csv
import io

from ..schema import INPUT_COLUMNS

EXAMPLE_ROWS = [
    {"flow": "export", "declaration_date": "2023-10-07", "declaration_id": "1402-000123", "line_no": 1,
     "customs_office": "MIRJAVEH", "channel": "customs", "partner": "PAK", "origin_province": "IR-11",
     "hs_code": "25232900", "hs_revision": "HS22", "net_weight_kg": 30000, "value_usd": 1500,
     "transport_mode": "road"},
    {"flow": "export", "declaration_date": "1402/07/16", "declaration_id": "1402-000124", "line_no": 1,
     "customs_office": "MILAK", "channel": "border_market", "border_market": "BM_MILAK", "partner": "AFG",
     "hs_code": "080410", "hs_revision": "HS22", "net_weight_kg": 2000, "value_usd": 1800,
     "transport_mode": "road"},
]


def _headers(persian: bool) -> list[str]:
    return [c.header_fa if persian else c.name for c in INPUT_COLUMNS]


def template_csv(*, persian_headers: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(persian_headers))
    for row in EXAMPLE_ROWS:
        writer.writerow([row.get(c.name, "") for c in INPUT_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(*, persian_headers: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.sheet_view.rightToLeft = persian_headers
    sheet.append(_headers(persian_headers))
    for row in EXAMPLE_ROWS:
        sheet.append([row.get(c.name) for c in INPUT_COLUMNS])
    for cell in sheet[1]:
        cell.number_format = "@"
    notes = workbook.create_sheet("columns")
    notes.append(["column", "ستون", "required", "description"])
    for column in INPUT_COLUMNS:
        notes.append([column.name, column.header_fa, "yes" if column.required else "no", column.description_en])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
