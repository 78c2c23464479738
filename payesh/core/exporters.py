"""Exporters as a registry (pretix style): identifier, label, file type and a render function.

Every table a page shows and every API answer is downloadable through these; adding a format is
adding a class.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd
from django.http import HttpResponse


@dataclass(frozen=True)
class Exporter:
    identifier: ClassVar[str]
    label: ClassVar[str]
    mimetype: ClassVar[str]
    extension: ClassVar[str]

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.identifier] = exporter
    return exporter


class CsvExporter(Exporter):
    identifier, label, mimetype, extension = "csv", "CSV", "text/csv; charset=utf-8", "csv"

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        # UTF-8 with BOM: Excel on Windows then shows Persian text correctly.
        return frame.to_csv(index=False).encode("utf-8-sig")


class XlsxExporter(Exporter):
    identifier, label, extension = "xlsx", "Excel", "xlsx"
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = (title or "data")[:31].replace("/", "-") or "data"
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
        if language.startswith("fa"):
            sheet.sheet_view.rightToLeft = True
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


class ParquetExporter(Exporter):
    identifier, label, mimetype, extension = "parquet", "Parquet", "application/vnd.apache.parquet", "parquet"

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        clean = frame.copy()
        for column in clean.columns:
            if clean[column].dtype == object:
                clean[column] = clean[column].map(lambda v: None if v is None or v is pd.NA else str(v))
        pq.write_table(pa.Table.from_pandas(clean, preserve_index=False), buffer)
        return buffer.getvalue()


class JsonExporter(Exporter):
    identifier, label, mimetype, extension = "json", "JSON", "application/json", "json"

    def render(self, frame: pd.DataFrame, *, title: str = "", language: str = "en") -> bytes:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        return json.dumps({"title": title, "data": records}, ensure_ascii=False).encode("utf-8")


def attachment(content: bytes, *, mimetype: str, filename: str) -> HttpResponse:
    """A download response: the bytes, their type, and the name the browser saves them under."""
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download(frame: pd.DataFrame, fmt: str, *, stem: str, title: str = "", language: str = "en") -> HttpResponse:
    """``frame`` rendered by the exporter ``fmt`` as ``<stem>.<extension>``."""
    exporter = EXPORTERS[fmt]
    return attachment(exporter.render(frame, title=title, language=language), mimetype=exporter.mimetype,
                      filename=f"{stem}.{exporter.extension}")


for _exporter in (CsvExporter(), XlsxExporter(), ParquetExporter(), JsonExporter()):
    register(_exporter)
