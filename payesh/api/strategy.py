"""``/api/strategy``: the strategic document and its KPIs (token; the token owner's role applies).

``GET /api/strategy/documents`` lists documents and their versions; ``GET
/api/strategy/documents/{id}/kpis`` answers every KPI of a version (default: the approved one) with
status, target and actual. A computed KPI carries ``cube``: ``/api/cube?<cube>`` returns one row whose
measure is the KPI's actual.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import rules
from django.http import HttpRequest
from django.utils.translation import get_language, override
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from payesh.api.auth import ApiTokenAuth, BadParameter
from payesh.strategy import selectors
from payesh.strategy.models import Document, Version

router = Router(tags=["strategy"], auth=ApiTokenAuth())


class VersionOut(Schema):
    id: int
    number: int
    status: str
    decided_at: datetime | None


class DocumentOut(Schema):
    id: int
    title: dict[str, str]
    region: str
    current_version: int | None
    versions: list[VersionOut]


class DocumentsOut(Schema):
    data: list[DocumentOut]


class KpiOut(Schema):
    id: int
    code: str
    name: dict[str, str]
    goal: str
    source: str
    unit: str
    direction: str
    baseline_year: int | None
    baseline_value: float | None
    year: int | None
    months: int | None
    actual: float | None
    target: float | None = Field(None, description="Target for the whole Solar Hijri year.")
    target_period: float | None = Field(None, description="Target pro-rated to the months of the period.")
    status: str = Field(..., description="on_track | at_risk | off_track | no_data")
    projection: float | None
    projection_method: str
    cube: str | None = Field(None, description="Computed KPIs: the query string /api/cube answers with the actual.")
    cutoff: int | None = Field(None, description="Newest Solar Hijri month (yyyymm) in the data.")
    batches: list[str]
    report_id: int | None


class KpisOut(Schema):
    document: int
    version: VersionOut
    rules: dict[str, str]
    data: list[KpiOut]


class KpisParams(Schema):
    version: int | None = Field(None, description="Version number (default: the approved version, else the newest).")


def _reader(request: HttpRequest) -> Any:
    user = request.auth.user  # type: ignore[attr-defined]
    if not rules.has_perm("strategy.view_document", user):
        raise HttpError(403, "This token's account may not read the strategic document.")
    return user


@router.get("/documents", response=DocumentsOut, summary="Strategic documents and their versions (token)")
def documents(request: HttpRequest) -> Any:
    _reader(request)
    data = []
    for document in selectors.documents():
        current = selectors.current_version(document)
        data.append({"id": document.pk, "title": {"en": document.title_en, "fa": document.title_fa},
                     "region": document.region, "current_version": current.number if current else None,
                     "versions": [{"id": v.pk, "number": v.number, "status": v.status, "decided_at": v.decided_at}
                                  for v in document.versions.all()]})
    return {"data": data}


@router.get("/documents/{document_id}/kpis", response=KpisOut, summary="KPIs of a version with status (token)")
def kpis(request: HttpRequest, document_id: int, params: Query[KpisParams]) -> Any:
    _reader(request)
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise BadParameter("document_id", f"no strategic document {document_id}")
    if params.version is not None:
        version = Version.objects.filter(document=document, number=params.version).first()
        if version is None:
            raise BadParameter("version", f"document {document_id} has no version {params.version}")
    else:
        version = selectors.current_version(document)
        if version is None:
            raise BadParameter("document_id", f"document {document_id} has no version")
    dashboard = selectors.version_dashboard(version)
    rows = []
    for e in dashboard.evaluations.values():
        k, value = e.kpi, e.value
        rows.append({
            "id": k.pk, "code": k.code, "name": {"en": k.name_en, "fa": k.name_fa}, "goal": k.goal.code,
            "source": k.source, "unit": k.unit, "direction": k.direction, "baseline_year": k.baseline_year,
            "baseline_value": k.baseline_value, "year": value.year if value else None,
            "months": value.months if value else None, "actual": e.actual, "target": e.target,
            "target_period": e.target_period, "status": e.status, "projection": e.projection,
            "projection_method": e.projection_method, "cube": (value.cube or None) if value else None,
            "cutoff": value.cutoff if value else None, "batches": list(value.batches) if value else [],
            "report_id": value.report_id if value else None})
    language = "fa" if (get_language() or "fa").startswith("fa") else "en"
    with override(language):
        rules = {"status": str(selectors.RULES_STATUS), "projection": str(selectors.RULES_PROJECTION)}
    return {"document": document.pk, "rules": rules, "data": rows,
            "version": {"id": version.pk, "number": version.number, "status": version.status,
                        "decided_at": version.decided_at}}
