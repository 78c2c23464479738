"""Shapes of the API's answers (they document the OpenAPI schema; tests validate answers against them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    parameter: str | None = None  # the query parameter (or header) at fault
    errors: list[dict[str, Any]] | None = None  # only on 422: every validation error when several


class ColumnOut(Schema):
    name: str
    label: str
    kind: str  # level | caption | measure | derived


class PageOut(Schema):
    limit: int
    offset: int
    total: int


class CubeOut(Schema):
    query: dict[str, str]
    columns: list[ColumnOut]
    data: list[dict[str, Any]]
    page: PageOut
    engine: str
    elapsed_ms: float
    synthetic_notice: str | None = None


class LabelOut(Schema):
    en: str
    fa: str


class LevelOut(Schema):
    name: str
    label: LabelOut
    key_type: str
    has_captions: bool


class DimensionOut(Schema):
    name: str
    label: LabelOut
    levels: list[LevelOut]


class MeasureOut(Schema):
    name: str
    label: LabelOut
    unit: str
    additive: bool


class CubeMetaOut(Schema):
    name: str
    dimensions: list[DimensionOut]
    measures: list[MeasureOut]
    formats: list[str]
    locales: list[str]


class FactsOut(Schema):
    query: dict[str, str]
    columns: list[str]
    data: list[dict[str, Any]]
    page: PageOut
    synthetic_notice: str | None = None


class BatchOut(Schema):
    id: str
    file: str
    status: str
    format: str
    hs_revision: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    errors: int
    warnings: int
    created_at: datetime
    finished_at: datetime | None
    created_by: str | None


class BatchesOut(Schema):
    data: list[BatchOut]
    page: PageOut
