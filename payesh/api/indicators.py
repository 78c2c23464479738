"""``/api/indicators``: the named indicators (payesh.indicators) over HTTP, public like ``/api/cube``.

``GET /api/indicators`` lists them with their definitions in English and Persian;
``GET /api/indicators/{name}?year=1402&months=9&scope=through&flow=export&level=partner`` answers one.
A bad parameter is a 400 ``{"detail": …, "parameter": …}`` naming it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status

from payesh.cube import CubeError
from payesh.indicators import (
    INDICATORS,
    IndicatorError,
    IndicatorRequest,
    indicator_compute,
    indicator_labelled,
    loaded_months,
)

router = Router(tags=["indicators"])


class Bilingual(Schema):
    en: str
    fa: str


class IndicatorOut(Schema):
    name: str
    label: Bilingual
    definition: Bilingual
    unit: str
    parameters: list[str]


class IndicatorAnswerOut(Schema):
    indicator: IndicatorOut
    request: dict[str, Any]
    columns: list[str]
    data: list[dict[str, Any]]


class ErrorOut(Schema):
    detail: str
    parameter: str | None = None


class IndicatorParams(Schema):
    year: int | None = Field(None, description="Solar Hijri year (default: the latest year in the lake).")
    months: int | None = Field(None, description="First N months of the year, 1–12 (default 12).")
    scope: str | None = Field(None, description="through (the region's customs, default), origin (produced in the "
                                                "region) or national.")
    flow: str | None = Field(None, description="export (default) or import.")
    region: str | None = Field(None, description="Province code (ISO 3166-2), default PAYESH_REGION.")
    level: str | None = Field(None, description="Cube level to break down by (see /api/cube/meta).")
    top: int | None = Field(None, description="Concentration: the N largest members (default 3).")
    measures: str | None = Field(None, description="Growth: comma-separated additive measures.")
    reference: str | None = Field(None, description="Regional RCA: nation (default) or regions.")
    locale: str | None = Field(None, description="fa or en: captions and reasons in that language.")


def _describe(name: str) -> dict[str, Any]:
    i = INDICATORS[name]
    return {"name": i.name, "label": {"en": i.label_en, "fa": i.label_fa},
            "definition": {"en": i.definition_en, "fa": i.definition_fa}, "unit": i.unit,
            "parameters": list(i.parameters)}


def _records(frame: Any) -> list[dict[str, Any]]:
    import json

    return list(json.loads(frame.to_json(orient="records", force_ascii=False)))


@router.get("", response=list[IndicatorOut], summary="The indicators and their definitions")
def indicator_list(request: HttpRequest) -> Any:
    """Every indicator with its name, label, definition (English and Persian), unit and parameters."""
    return [_describe(name) for name in INDICATORS]


@router.get("/{name}", response={200: IndicatorAnswerOut, 400: ErrorOut, 404: ErrorOut},
            summary="One indicator for a period, scope and flow")
def indicator_answer(request: HttpRequest, name: str, params: Query[IndicatorParams]) -> Any:
    """One indicator as rows: keys (with captions in ``locale``), figures, and for an empty change the
    reason (``…_reason`` code and its sentence) instead of a misleading number."""
    if name not in INDICATORS:
        return Status(404, {"detail": f"unknown indicator {name!r}; accepted: {', '.join(INDICATORS)}", "parameter": "name"})
    locale = params.locale or ("fa" if (get_language() or "fa").startswith("fa") else "en")
    if locale not in ("fa", "en"):
        return Status(400, {"detail": f"unknown locale {locale!r}; accepted: fa, en", "parameter": "locale"})
    raw = {k: str(v) for k, v in params.dict().items() if v is not None and k != "locale"}
    months = loaded_months()
    try:
        req = IndicatorRequest.parse(raw, region=settings.PAYESH_REGION,
                                     default_year=max(months) // 100 if months else 1403)
        frame = indicator_labelled(indicator_compute(name, req), locale)
    except IndicatorError as exc:
        return Status(400, {"detail": exc.message, "parameter": exc.parameter})
    except CubeError as exc:
        return Status(400, {"detail": exc.message, "parameter": exc.parameter})
    return {"indicator": _describe(name),
            "request": {"year": req.year, "months": req.months, "scope": req.scope, "region": req.region,
                        "flow": req.flow, "level": req.level, "top": req.top, "measures": list(req.measures),
                        "reference": req.reference, "locale": locale},
            "columns": [str(c) for c in frame.columns], "data": _records(frame)}
