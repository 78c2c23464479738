"""Exporters as a registry (pretix style): identifier, label, file type and a render function.

Every download of the site — the tables of every page, API answers, fact rows, the ledger's
validation reports and templates, the capacity registry, reports — goes through here:
:func:`export` takes one or several tables (a report: a list of ``(title, frame)``) and returns an
:class:`ExportFile` (file name, media type, bytes). Adding a format is adding a class.

This is also the one place that keeps formulas out of downloads (CSV/XLSX injection, OWASP):

- XLSX: every text cell is written as a text cell (``data_type "s"``), never as a formula, whatever
  it starts with; numbers stay numbers. Characters XML cannot hold (NUL and other control
  characters) are shown as ``\\x00``-style escapes instead of breaking the file.
- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with a single quote, as OWASP recommends; numbers (negative ones too) are not text and
  are written as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd
from django.http import HttpResponse

Table = tuple[str, pd.DataFrame]  # (title, frame): one table of a download
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767  # characters Excel keeps in one cell
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes


# ------------------------------------------------------------------ formula neutralisation
def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``= + - @ \\t \\r``
    gets a leading ``'``; everything that is not text (numbers, dates, missing) is left alone."""
    if not isinstance(value, str):
        return value
    # NUL and the other control characters (tab and line breaks aside) as visible escapes.
    value = _CSV_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header neutralised by :func:`csv_cell`."""
    clean = frame.copy()
    clean.columns = [csv_cell(str(c)) for c in clean.columns]
    for position in range(clean.shape[1]):
        column = clean.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            clean.isetitem(position, column.map(csv_cell).astype(object))
    return clean


def _xlsx_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 1] + "…"
    return text


def _xlsx_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: an empty cell, not the text "nan"
        return None
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    if isinstance(value, dt.date | dt.time):
        return value
    return _xlsx_text(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("-", title or "data").strip("'")[:31] or "data"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def xlsx_write(tables: Sequence[Table], *, language: str = "en") -> bytes:
    """The one XLSX writer: one sheet per table, a bold header row, text always as text.

    Write-only mode: the workbook streams rows instead of holding every cell object in memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for title, frame in tables or [("data", pd.DataFrame())]:
        sheet = book.create_sheet(_sheet_title(title, taken))
        if language.startswith("fa"):
            sheet.sheet_view.rightToLeft = True

        def cell(value: Any, font: Font | None = None, sheet: Any = sheet) -> WriteOnlyCell:
            written = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(written.value, str):
                # openpyxl would store "=…" as a formula; a text cell is never evaluated by Excel.
                written.data_type = "s"
            if font is not None:
                written.font = font
            return written

        sheet.append([cell(str(c), bold) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ the registry
class Exporter:
    identifier: ClassVar[str]
    label: ClassVar[str]
    mimetype: ClassVar[str]
    extension: ClassVar[str]
    several_tables: ClassVar[bool] = False  # can one file hold several tables (else: a ZIP of files)

    def render_tables(self, tables: Sequence[Table], *, language: str = "en") -> bytes:
        raise NotImplementedError

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        """One table (the common case)."""
        return self.render_tables([(title or "data", frame)], language=language)


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.identifier] = exporter
    return exporter


class CsvExporter(Exporter):
    identifier, label, mimetype, extension = "csv", "CSV", "text/csv; charset=utf-8", "csv"

    def render_tables(self, tables: Sequence[Table], *, language: str = "en") -> bytes:
        (_title, frame), = tables
        # UTF-8 with BOM: Excel on Windows then shows Persian text correctly. CRLF line ends (RFC 4180)
        # also make the writer quote a cell holding a lone carriage return, which Excel would split.
        return csv_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


class XlsxExporter(Exporter):
    identifier, label, mimetype, extension = "xlsx", "Excel", XLSX_MIMETYPE, "xlsx"
    several_tables = True

    def render_tables(self, tables: Sequence[Table], *, language: str = "en") -> bytes:
        return xlsx_write(tables, language=language)


class ParquetExporter(Exporter):
    identifier, label, mimetype, extension = "parquet", "Parquet", "application/vnd.apache.parquet", "parquet"

    def render_tables(self, tables: Sequence[Table], *, language: str = "en") -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        (_title, frame), = tables
        buffer = io.BytesIO()
        clean = frame.copy()
        clean.columns = [str(c) for c in clean.columns]
        for column in clean.columns:
            if clean[column].dtype == object:
                clean[column] = clean[column].map(lambda v: None if v is None or v is pd.NA else str(v))
        pq.write_table(pa.Table.from_pandas(clean, preserve_index=False), buffer)
        return buffer.getvalue()


class JsonExporter(Exporter):
    identifier, label, mimetype, extension = "json", "JSON", "application/json", "json"
    several_tables = True

    def render_tables(self, tables: Sequence[Table], *, language: str = "en") -> bytes:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
            return rows

        if len(tables) == 1:
            title, frame = tables[0]
            payload: dict[str, Any] = {"title": title, "data": records(frame)}
        else:
            payload = {"tables": [{"title": title, "data": records(frame)} for title, frame in tables]}
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def export(tables: Sequence[Table], fmt: str, *, stem: str, language: str = "en") -> ExportFile:
    """``tables`` as one file of format ``fmt`` named ``<stem>.<extension>``.

    Formats that hold one table per file (CSV, Parquet) give a ZIP with one file per table when
    there are several. :class:`KeyError` for an unknown format (callers offer ``EXPORTERS``).
    """
    exporter = EXPORTERS[fmt]
    if len(tables) <= 1 or exporter.several_tables:
        return ExportFile(f"{stem}.{exporter.extension}", exporter.mimetype,
                          exporter.render_tables(list(tables) or [("data", pd.DataFrame())], language=language))
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for title, frame in tables:
            name = _sheet_title(title, taken)
            archive.writestr(f"{name}.{exporter.extension}", exporter.render_tables([(title, frame)], language=language))
    return ExportFile(f"{stem}.zip", "application/zip", buffer.getvalue())


# ------------------------------------------------------------------ HTTP
def attachment(content: bytes, *, mimetype: str, filename: str) -> HttpResponse:
    """A download response: the bytes, their type, and the name the browser saves them under."""
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_response(file: ExportFile) -> HttpResponse:
    return attachment(file.content, mimetype=file.mimetype, filename=file.filename)


def download(frame: pd.DataFrame, fmt: str, *, stem: str, title: str = "", language: str = "en") -> HttpResponse:
    """``frame`` rendered by the exporter ``fmt`` as ``<stem>.<extension>``."""
    return file_response(export([(title or "data", frame)], fmt, stem=stem, language=language))


def download_request(params: Any, tables: dict[str, pd.DataFrame], *, default: str = "") -> tuple[str, str] | None:
    """The one download convention of every page: ``?download=<table-id>&format=<csv|xlsx|parquet|json>``.

    Returns ``(table id, format)``, or None when the request asks for no download. The older
    spelling of one app, ``?download=<format>&table=<table-id>``, is still understood so that saved
    links keep working. The caller answers 404 for an unknown table or format.
    """
    value = str(params.get("download", "") or "")
    if not value:
        return None
    if value in EXPORTERS and value not in tables and "format" not in params:
        return str(params.get("table", "") or default), value  # the old spelling
    return value, str(params.get("format", "") or "csv")


for _exporter in (CsvExporter(), XlsxExporter(), ParquetExporter(), JsonExporter()):
    register(_exporter)
