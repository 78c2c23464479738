"""The HTTP API (Django Ninja): the cube, its metadata, fact rows and loads.

Aggregated numbers (``/cube``, ``/cube/meta``) are public; fact rows and loads need an API token
(``Authorization: Bearer <key>``). Every 4xx answer is JSON ``{"detail": …, "parameter": …}``.
OpenAPI documentation at ``/api/docs``, the schema at ``/api/openapi.json``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from payesh.api import facts as fact_rows
from payesh.api import selectors
from payesh.api.auth import ApiTokenAuth, BadParameter
from payesh.api.indicators import router as indicators_router
from payesh.api.schemas import BatchesOut, CubeMetaOut, CubeOut, ErrorOut, FactsOut
from payesh.core.exporters import EXPORTERS, download
from payesh.core.permissions import fact_access
from payesh.cube import CUBE, CubeError, query_parse
from payesh.cube.cache import answer_cached
from payesh.ledger.selectors import demo_data_loaded

LOCALES = ("fa", "en")
FORMATS = tuple(EXPORTERS)  # json is answered with the envelope below, the others by the exporters
# The registry's formats as an enumeration, so the OpenAPI schema lists them.
ExportFormat = StrEnum("ExportFormat", [(name, name) for name in FORMATS])  # type: ignore[misc]
CUBE_LIMIT = (1000, 100_000)  # (default, maximum)
FACTS_LIMIT = (1000, 10_000)
BATCHES_LIMIT = (100, 1000)
MAX_OFFSET = 1_000_000_000  # databases take 64-bit offsets; no answer is this long
# Parameters CubeQuery.parse reads (limit and offset are the API's pagination, applied after the query).
CUBE_PARAMETERS = ("measures", "drilldowns", "cut", "exclude", "year", "months", "from", "to", "rolling", "compare",
                   "sort", "top", "other", "hs_revision")


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Persian captions readable in the raw answer


api = NinjaAPI(
    title="Payesh API",
    version="1",
    description=(
        "Foreign-trade numbers of the region. `/cube` answers aggregated questions (public); `/facts` "
        "and `/batches` need an API token (`Authorization: Bearer <key>`). Errors are JSON with "
        "`detail` and the `parameter` at fault."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)


def _error(request: HttpRequest, status: int, detail: str, parameter: str | None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "parameter": parameter}, status=status)


@api.exception_handler(CubeError)
def _cube_error(request: HttpRequest, exc: CubeError) -> HttpResponse:
    parameter = exc.parameter
    if parameter == "cuts":  # the cube's name for cut= and exclude= together; name the one in the URL
        parameter = "exclude" if "exclude" in request.GET and "cut" not in request.GET else "cut"
    return _error(request, 400, exc.message, parameter)


@api.exception_handler(BadParameter)
def _bad_parameter(request: HttpRequest, exc: BadParameter) -> HttpResponse:
    return _error(request, 400, exc.detail, exc.parameter)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, exc.message, "Authorization")
    response["WWW-Authenticate"] = 'Bearer realm="payesh"'
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Ninja's own validation: one bad query parameter → 400 naming it; anything else stays 422."""
    locations = {tuple(e.get("loc", ())) for e in exc.errors}
    if len(locations) == 1:
        loc = next(iter(locations))
        if len(loc) >= 2 and loc[0] in ("query", "path", "header"):
            error = exc.errors[0]
            return _error(request, 400, f"{loc[1]}: {error.get('msg', 'invalid value')}", str(loc[1]))
    return api.create_response(request, {"detail": "invalid request", "parameter": None, "errors": exc.errors},
                               status=422)


# ------------------------------------------------------------------ parameters
def _params(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str | list[str]]:
    return {name: request.GET.getlist(name) for name in names if name in request.GET}


def _locale(request: HttpRequest, locale: str | None) -> str:
    if locale is None:
        return "fa" if (get_language() or "fa").startswith("fa") else "en"
    if locale not in LOCALES:
        raise BadParameter("locale", f"unknown locale {locale!r}; accepted: {', '.join(LOCALES)}")
    return locale


def _format(requested: ExportFormat | str | None) -> str:
    fmt = str(requested or "json")
    if fmt not in FORMATS:
        raise BadParameter("format", f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return fmt


def _page(limit: int | None, offset: int | None, bounds: tuple[int, int]) -> tuple[int, int]:
    default, maximum = bounds
    limit = default if limit is None else limit
    if not 1 <= limit <= maximum:
        raise BadParameter("limit", f"must be between 1 and {maximum}")
    offset = offset or 0
    if not 0 <= offset <= MAX_OFFSET:
        raise BadParameter("offset", f"must be between 0 and {MAX_OFFSET}")
    return limit, offset


def _download(frame: Any, fmt: str, name: str, language: str) -> HttpResponse:
    return download(frame, fmt, stem=name, title=name, language=language)


def _synthetic_notice(language: str) -> dict[str, str]:
    if not demo_data_loaded():
        return {}
    from payesh.ledger.demo_data import SYNTHETIC_NOTICE_EN, SYNTHETIC_NOTICE_FA

    return {"synthetic_notice": SYNTHETIC_NOTICE_FA if language == "fa" else SYNTHETIC_NOTICE_EN}


PERIOD_DOC = {
    "year": "Solar Hijri year, e.g. 1402 (with `months`: its first N months).",
    "months": "First N months of `year` (1–12).",
    "from": "First Solar Hijri month, yyyymm (e.g. 140201).",
    "to": "Last Solar Hijri month, yyyymm (e.g. 140212).",
    "rolling": "Twelve months ending with this yyyymm.",
}
CUT_DOC = ("Keep only these members: `level:value1,value2`; several levels joined with `;` or the "
           "parameter repeated. Example: `partner:PAK,AFG;flow:export`.")
EXCLUDE_DOC = "Leave out these members (same syntax as `cut`); facts whose member is unknown are kept."


class RowFilter(Schema):
    """Which facts count: the cube's cuts and Solar Hijri period."""

    cut: list[str] | None = Field(None, description=CUT_DOC)
    exclude: list[str] | None = Field(None, description=EXCLUDE_DOC)
    year: int | None = Field(None, description=PERIOD_DOC["year"], ge=1300, le=1500)
    months: int | None = Field(None, description=PERIOD_DOC["months"], ge=1, le=12)
    from_: int | None = Field(None, alias="from", description=PERIOD_DOC["from"], ge=130001, le=150012)
    to: int | None = Field(None, description=PERIOD_DOC["to"], ge=130001, le=150012)
    rolling: int | None = Field(None, description=PERIOD_DOC["rolling"], ge=130001, le=150012)
    format: ExportFormat | None = Field(None, description="json (default) or a download.")
    offset: int | None = Field(None, description="Rows to skip (default 0).", ge=0, le=MAX_OFFSET)


class CubeParams(RowFilter):
    measures: str | None = Field(None, description="Comma-separated measures (default value_usd); see /cube/meta.")
    drilldowns: str | None = Field(None, description="Comma-separated levels to group by, at most one per dimension.")
    compare: Literal["previous_year"] | None = Field(
        None, description="`previous_year` adds <measure>_previous, _change and _change_pct.")
    sort: str | None = Field(
        None, description="A requested measure or drilldown; `-` prefix = descending, e.g. -value_usd.")
    top: int | None = Field(None, description="Keep the first N rows by `sort`.", ge=1, le=10_000)
    other: bool | None = Field(None, description="With `top`: add an `__other__` row summing the rest.")
    hs_revision: Literal["HS92", "HS12", "HS22"] | None = Field(
        None, description="HS revision of product levels (default HS12).")
    locale: Literal["fa", "en"] | None = Field(
        None, description="Language of captions and labels (default: the request's language).")
    limit: int | None = Field(None, description=f"Rows per page (default {CUBE_LIMIT[0]}, at most {CUBE_LIMIT[1]}).",
                              ge=1, le=CUBE_LIMIT[1])


class FactsParams(RowFilter):
    limit: int | None = Field(None, description=f"Rows per page (default {FACTS_LIMIT[0]}, at most {FACTS_LIMIT[1]}).",
                              ge=1, le=FACTS_LIMIT[1])


class BatchesParams(Schema):
    limit: int | None = Field(None, description=f"Loads per page (default {BATCHES_LIMIT[0]}, "
                                                f"at most {BATCHES_LIMIT[1]}).", ge=1, le=BATCHES_LIMIT[1])
    offset: int | None = Field(None, description="Loads to skip (default 0).", ge=0, le=MAX_OFFSET)


# ------------------------------------------------------------------ endpoints
@api.get("/cube", response={200: CubeOut, 400: ErrorOut, 422: ErrorOut}, tags=["cube"], summary="Ask the cube")
def cube(request: HttpRequest, params: Query[CubeParams]) -> Any:
    """Aggregated trade numbers: measures by drilldown levels, for cuts and a period.

    Parameters follow Datawheel's tesseract (measures, drilldowns, cut, sort, top, locale). The
    JSON answer describes its columns (`kind`: level, caption, measure, derived) and pages
    the rows (`page.total` counts every row of the answer).
    """
    language, fmt = _locale(request, params.locale), _format(params.format)
    page_limit, page_offset = _page(params.limit, params.offset, CUBE_LIMIT)
    raw = _params(request, CUBE_PARAMETERS)
    if fmt == "json":  # a repeated question is answered from memory until a batch changes (payesh.cube.cache)
        key = ("api/cube", repr(sorted(raw.items())), language, page_limit, page_offset)

        def render() -> bytes:  # validated and rendered once, as ninja would (model_dump is most of the cost)
            answer = CubeOut.model_validate(_cube_json(raw, language, page_limit, page_offset)).model_dump()
            rendered = api.renderer.render(request, answer, response_status=200)
            return rendered.encode(api.renderer.charset) if isinstance(rendered, str) else bytes(rendered)

        return HttpResponse(answer_cached(key, render),
                            content_type=f"{api.renderer.media_type}; charset={api.renderer.charset}")
    query = query_parse(raw)
    table = selectors.cube_table(query=query, language=language, limit=page_limit, offset=page_offset)
    return _download(table.frame, fmt, "payesh-cube", language)


def _cube_json(raw: dict[str, str | list[str]], language: str, page_limit: int, page_offset: int) -> dict[str, Any]:
    query = query_parse(raw)
    table = selectors.cube_table(query=query, language=language, limit=page_limit, offset=page_offset)
    return {
        "query": {**query.to_params(), "locale": language, "format": "json"},
        "columns": [{"name": c.name, "label": c.label, "kind": c.kind} for c in table.columns],
        "data": selectors.frame_records(table.frame),
        "page": {"limit": page_limit, "offset": page_offset, "total": table.total},
        "engine": table.engine,
        "elapsed_ms": round(table.elapsed_ms, 3),
        **_synthetic_notice(language),
    }


@api.get("/cube/meta", response=CubeMetaOut, tags=["cube"], summary="What the cube holds")
def cube_meta(request: HttpRequest) -> Any:
    """Dimensions with their levels (coarse to fine), measures, labels in English and Persian."""
    return {
        "name": CUBE.name,
        "dimensions": [
            {"name": d.name, "label": {"en": d.label_en, "fa": d.label_fa},
             "levels": [{"name": lv.name, "label": {"en": lv.label_en, "fa": lv.label_fa}, "key_type": lv.key_type,
                         "has_captions": bool(lv.captions)} for lv in d.levels]}
            for d in CUBE.dimensions
        ],
        "measures": [{"name": m.name, "label": {"en": m.label_en, "fa": m.label_fa}, "unit": m.unit,
                      "additive": m.additive} for m in CUBE.measures],
        "formats": list(FORMATS),
        "locales": list(LOCALES),
    }


@api.get("/facts", response={200: FactsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
         auth=ApiTokenAuth(), tags=["ledger"], summary="Fact rows behind a cell (token)")
def facts(request: HttpRequest, params: Query[FactsParams]) -> Any:
    """The declaration lines of the active loads that a cube cell adds up, with the cube's cut and
    period parameters. Product cuts match the HS codes as declared (no revision conversion).

    A token reads what its user may (docs/access-policy.md): analysts' and administrators' tokens
    every column; other users' tokens the lines without the declaration number and line."""
    access = fact_access(request.auth.user)  # type: ignore[attr-defined]  # the token's user, the token's role
    if not access.may_read:
        return _error(request, 403, access.reason_en, "Authorization")
    fmt = _format(params.format)
    page_limit, page_offset = _page(params.limit, params.offset, FACTS_LIMIT)
    fact_filter = fact_rows.FactFilter.parse(_params(request, fact_rows.FILTER_PARAMETERS))
    page = fact_rows.facts_page(fact_filter=fact_filter, limit=page_limit, offset=page_offset, access=access)
    if fmt != "json":
        return _download(page.frame, fmt, "payesh-facts", "en")
    return {
        "query": {**fact_filter.to_params(), "format": fmt},
        "columns": [str(c) for c in page.frame.columns],
        "data": selectors.frame_records(page.frame),
        "page": {"limit": page_limit, "offset": page_offset, "total": page.total},
        **_synthetic_notice("en"),
    }


@api.get("/batches", response={200: BatchesOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut}, auth=ApiTokenAuth(),
         tags=["ledger"], summary="Loads of customs files (token)")
def batches(request: HttpRequest, params: Query[BatchesParams]) -> Any:
    """Every load attempt, newest first, including rejected ones (which never reached the lake)."""
    page_limit, page_offset = _page(params.limit, params.offset, BATCHES_LIMIT)
    loads = selectors.batch_list()
    return {
        "data": [{"id": b.id, "file": b.source_name, "status": b.status, "format": b.format,
                  "hs_revision": b.hs_revision, "rows_read": b.rows_read, "rows_loaded": b.rows_loaded,
                  "rows_quarantined": b.rows_quarantined, "errors": b.errors, "warnings": b.warnings,
                  "created_at": b.created_at, "finished_at": b.finished_at,
                  "created_by": b.created_by.username if b.created_by else None}
                 for b in loads[page_offset: page_offset + page_limit]],
        "page": {"limit": page_limit, "offset": page_offset, "total": loads.count()},
    }


api.add_router("/indicators", indicators_router)  # /api/indicators: payesh.indicators over HTTP
from payesh.api.strategy import router as strategy_router  # noqa: E402

api.add_router("/strategy", strategy_router)  # /api/strategy: the strategic document (token)
