"""Reads of the API app: the cube answer as a table with described columns, fact pages, loads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from payesh.cube import CUBE, CubeQuery, run
from payesh.ledger.models import Batch

DERIVED_SUFFIXES: dict[str, tuple[str, str]] = {
    # suffix added by the cube's post-aggregation steps → (English, Persian) words for the column label
    "_change_pct": ("change (%)", "تغییر (٪)"),
    "_previous": ("previous year", "سال پیش"),
    "_change": ("change", "تغییر"),
    "_share": ("share (%)", "سهم (٪)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # level | caption | measure | derived


def column_describe(name: str, language: str) -> Column:
    fa = language == "fa"
    if name in CUBE.levels:
        level = CUBE.levels[name]
        return Column(name, level.label_fa if fa else level.label_en, "level")
    if name.endswith("_caption") and name.removesuffix("_caption") in CUBE.levels:
        level = CUBE.levels[name.removesuffix("_caption")]
        return Column(name, f"{level.label_fa} (نام)" if fa else f"{level.label_en} (name)", "caption")
    if name in CUBE.measure_by_name:
        measure = CUBE.measure_by_name[name]
        return Column(name, measure.label_fa if fa else measure.label_en, "measure")
    for suffix, (en, persian) in DERIVED_SUFFIXES.items():
        base = name.removesuffix(suffix)
        if name.endswith(suffix) and base in CUBE.measure_by_name:
            measure = CUBE.measure_by_name[base]
            return Column(name, f"{measure.label_fa} — {persian}" if fa else f"{measure.label_en} — {en}", "derived")
    return Column(name, name, "derived")


@dataclass
class CubeTable:
    query: CubeQuery
    frame: pd.DataFrame  # one page, with captions
    columns: list[Column]
    total: int
    engine: str
    elapsed_ms: float


def cube_table(*, query: CubeQuery, language: str, limit: int, offset: int) -> CubeTable:
    """The whole answer is computed (it is aggregated, so small) and then cut into the asked page."""
    result = run(query.with_(limit=None, offset=0))
    labelled = result.labelled(language)
    page = labelled.iloc[offset: offset + limit].reset_index(drop=True)
    return CubeTable(query, page, [column_describe(str(c), language) for c in labelled.columns], len(labelled),
                     result.engine, result.elapsed_ms)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN and missing values become null, numpy numbers plain numbers."""
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return records


def batch_list() -> QuerySet[Batch]:
    return Batch.objects.select_related("created_by").order_by("-created_at", "id")
