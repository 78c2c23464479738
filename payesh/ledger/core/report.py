"""Validation report export: CSV (UTF-8 with BOM, so Excel shows Persian) and XLSX bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .issues import Issue

REPORT_COLUMNS = ("row", "column", "value", "rule", "severity", "message_en", "message_fa")
REPORT_HEADERS_FA = ("سطر", "ستون", "مقدار", "قاعده", "شدت", "پیام (انگلیسی)", "پیام")


def issues_to_csv(issues: Iterable[Issue]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for issue in issues:
        writer.writerow(["" if getattr(issue, c) is None else getattr(issue, c) for c in REPORT_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def issues_to_xlsx(issues: Iterable[Issue], *, persian_headers: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("issues")
    if persian_headers:
        sheet.sheet_view.rightToLeft = True
    sheet.append(list(REPORT_HEADERS_FA if persian_headers else REPORT_COLUMNS))
    for issue in issues:
        sheet.append([getattr(issue, c) for c in REPORT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
