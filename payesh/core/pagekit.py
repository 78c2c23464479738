"""The page kit: what every page that shows trade figures is made of.

* :class:`Table` — a frame, the columns a person sees (header and kind of each) and an id; the page
  renders it with ``{% include "core/_table.html" with table=t %}`` and it downloads with the one
  convention ``?download=<table id>&format=<csv|xlsx|parquet>``.
* :class:`Chart` — a Plotly figure (JSON, built with ``payesh.core.charts``) with its id, title and
  file name; rendered with ``{% include "core/chart.html" with chart=c %}``.
* :func:`table_download` — answers a download request for one of a page's tables: values rounded
  to the unit shown, a header for every column, a file name that says what and when
  (``payesh-exports-partners-1403-06.xlsx``), written by ``payesh.core.exporters``.

A page adopts it as the monitoring pages do (payesh/monitoring/selectors.py and its templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.text import slugify
from django.utils.translation import get_language

from payesh.core.exporters import EXPORTERS, download, download_request

ColumnKind = Literal["text", "code", "usd", "t", "pct", "pct_signed", "num", "usd_t", "int", "month", "ratio"]
# Decimals a download keeps for each kind: the unit a person reads in the header (USD, t, %).
DOWNLOAD_DECIMALS: dict[str, int] = {"usd": 0, "t": 1, "pct": 1, "pct_signed": 1, "num": 0, "usd_t": 0, "int": 0,
                                     "ratio": 2}
DOWNLOAD_FORMATS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class Column:
    name: str  # column of the frame
    header: str  # what the page and the download call it (never empty)
    kind: ColumnKind = "text"

    def __post_init__(self) -> None:
        if not str(self.header).strip():
            raise ValueError(f"column {self.name!r} has no header")


@dataclass
class Table:
    id: str
    title: str
    frame: pd.DataFrame
    columns: list[Column]
    note: str = ""  # a sentence under the title (e.g. what "not applicable" means here)
    row_limit: int = 200  # rows the page shows; downloads hold them all

    @property
    def visible_columns(self) -> list[Column]:
        return [c for c in self.columns if c.name in self.frame.columns]

    @property
    def records(self) -> list[dict[str, Any]]:
        """The first ``row_limit`` rows for the page, missing values as None."""
        return [{k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                 for k, v in r.items()} for r in self.frame.head(self.row_limit).to_dict("records")]

    @property
    def cells(self) -> list[list[tuple[Column, Any]]]:
        """Rows as (column, value) pairs in the order shown, for the generic template."""
        columns = self.visible_columns
        return [[(c, record.get(c.name)) for c in columns] for record in self.records]

    def export_frame(self) -> pd.DataFrame:
        """The table as downloaded: the shown columns, their headers, values rounded to the unit shown."""
        columns = self.visible_columns
        out = pd.DataFrame({c.header: self._export_column(c) for c in columns})
        return out

    def _export_column(self, column: Column) -> pd.Series:
        values = self.frame[column.name]
        decimals = DOWNLOAD_DECIMALS.get(column.kind)
        if decimals is None:
            return values.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").round(decimals)
        # Whole numbers as integers, so that 93019404 is not written 93019404.0.
        return numbers.astype("Int64") if decimals == 0 else numbers


@dataclass
class Chart:
    id: str
    title: str
    figure: str  # Plotly figure as JSON (payesh.core.charts.figure_json)
    filename: str = ""
    note: str = ""

    @property
    def file_stem(self) -> str:
        return self.filename or f"payesh-{slugify(self.id)}"


@dataclass
class PageData:
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def add_table(self, table: Table) -> Table:
        self.tables[table.id] = table
        return table

    def add_chart(self, chart: Chart) -> Chart:
        self.charts[chart.id] = chart
        return chart


def download_stem(*parts: object) -> str:
    """``payesh-<part>-<part>…`` from what and when, e.g. ("exports", "partners", 1403, "06")."""
    return "-".join(["payesh", *(slugify(str(p)) for p in parts if str(p))])


def table_download(request: HttpRequest, tables: Mapping[str, Table], *, stem_parts: tuple[object, ...] = ()
                   ) -> HttpResponse | None:
    """The file for ``?download=<table id>&format=<fmt>``; None when the request asks for no download.

    An unknown table or format is a 400 naming the parameter and the accepted values.
    """
    asked = download_request(request.GET, {name: table.frame for name, table in tables.items()})
    if asked is None:
        return None
    table_id, fmt = asked
    if table_id not in tables:
        return HttpResponseBadRequest(f"download: unknown table {table_id!r}; accepted: {', '.join(tables)}",
                                      content_type="text/plain; charset=utf-8")
    if fmt not in EXPORTERS or fmt not in (*DOWNLOAD_FORMATS, "json"):
        return HttpResponseBadRequest(f"format: unknown format {fmt!r}; accepted: {', '.join(DOWNLOAD_FORMATS)}",
                                      content_type="text/plain; charset=utf-8")
    table = tables[table_id]
    stem = download_stem(*stem_parts[:1], table_id, *stem_parts[1:])
    return download(table.export_frame(), fmt, stem=stem, title=table.title, language=get_language() or "fa")


__all__ = ["DOWNLOAD_FORMATS", "Chart", "Column", "ColumnKind", "PageData", "Table", "download_stem",
           "table_download"]
