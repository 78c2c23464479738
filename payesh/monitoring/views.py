from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from payesh.core import charts
from payesh.core.pagekit import Chart, PageData, table_download
from payesh.core.permissions import fact_access
from payesh.cube import CUBE, CubeError, CubeQuery, facts, run
from payesh.cube.cache import answer_cached
from payesh.ledger.selectors import demo_data_loaded
from payesh.monitoring import explorer as explorer_kit
from payesh.monitoring import selectors
from payesh.monitoring.filters import SESSION_KEY, Coverage, FilterError, PageFilters, coverage, page_filters
from payesh.reference.models import BorderMarket, County

PAGES = [
    ("monitoring:overview", "overview"),
    ("monitoring:through_origin", "through_origin"),
    ("monitoring:partners", "partners"),
    ("monitoring:products", "products"),
    ("monitoring:offices", "offices"),
    ("monitoring:origin", "origin"),
    ("monitoring:explorer", "explorer"),
]


def _context(request: HttpRequest, page: str, cover: Coverage) -> dict[str, Any]:
    language = get_language() or "fa"
    remembered = request.session.get(SESSION_KEY) or {}
    return {"page": page, "coverage": cover, "synthetic": demo_data_loaded(), "months_range": range(1, 13),
            "data_up_to": charts.month_label(cover.last, language) if cover.last else "",
            # Tabs carry the shared filters in their links (the session keeps them too).
            "filters_qs": "&".join(f"{k}={v}" for k, v in remembered.items())}


def page_data(page: str, filters: PageFilters, build: Callable[[PageFilters], PageData],
              variant: tuple[str, ...] = ()) -> PageData:
    """The page's content (tables, chart JSON, sentences), built once per lake version.

    Keyed by everything the content depends on besides the lake: page, its own parameters
    (``variant``), the normalised filters, region and language. Nothing of the person asking is in it
    (name, menu, CSRF token are rendered per request), so every user may share the entry. A batch
    committed or withdrawn, or dimension tables republished, changes the lake version in the key
    (``payesh.cube.cache.lake_version``), so the next request rebuilds: never a stale number.
    """
    key = ("monitoring.page", page, variant, tuple(sorted(filters.as_dict().items())), filters.region,
           get_language() or "fa")
    return answer_cached(key, lambda: build(filters))


def _page(request: HttpRequest, page: str, template: str, build: Callable[[PageFilters], PageData],
          extra_hidden: tuple[tuple[str, str], ...] = (),
          reference: Callable[[str], tuple[str, ...]] | None = None) -> HttpResponse:
    cover = coverage()
    context = _context(request, page, cover)
    if cover.last is None:
        return render(request, template, {**context, "empty": True})
    try:
        filters = page_filters(request.GET, cover, request.session)
    except FilterError as exc:
        return render(request, template, {**context, "error": exc}, status=400)
    context["filters_qs"] = filters.params()
    variant = tuple(f"{k}={v}" for k, v in extra_hidden) + (reference(filters.region) if reference else ())
    data = page_data(page, filters, build, variant)
    response = table_download(request, data.tables, stem_parts=selectors._stem(filters))
    if response is not None:
        return response
    return render(request, template, {**context, "filters": filters, "data": data,
                                      "period_label": selectors.period_label(filters),
                                      "extra_hidden": extra_hidden, "querystring": request.GET.urlencode()})


def overview(request: HttpRequest) -> HttpResponse:
    return _page(request, "overview", "monitoring/overview.html", selectors.overview_data)


def through_origin(request: HttpRequest) -> HttpResponse:
    return _page(request, "through_origin", "monitoring/through_origin.html", selectors.through_origin_data)


def partners(request: HttpRequest) -> HttpResponse:
    return _page(request, "partners", "monitoring/partners.html", selectors.partners_data)


def products(request: HttpRequest) -> HttpResponse:
    level, parent = request.GET.get("level", "section"), request.GET.get("parent", "")
    hidden = tuple((k, v) for k, v in (("level", level), ("parent", parent)) if v)
    return _page(request, "products", "monitoring/products.html",
                 lambda f: selectors.products_data(f, level, parent), hidden)


def _reference_version(region: str, *, markets: bool = False, counties: bool = False) -> tuple[str, ...]:
    """The database reference rows a page shows besides cube numbers (border markets, county seats).

    They are edited in the admin without a lake change, so the rows themselves (a few dozen, one query
    each) join the page's cache key: an edit shows on the next request.
    """
    parts: list[object] = []
    if markets:
        parts.append(list(BorderMarket.objects.filter(province_id=region).order_by("code").values_list(
            *(f.attname for f in BorderMarket._meta.concrete_fields), "partner__name_en", "partner__name_fa",
            "county__name_en", "county__name_fa")))
    if counties:
        parts.append(list(County.objects.filter(province_id=region).order_by("code").values_list()))
    return (hashlib.sha256(repr(parts).encode()).hexdigest(),) if parts else ()


def offices(request: HttpRequest) -> HttpResponse:
    return _page(request, "offices", "monitoring/offices.html", selectors.offices_data,
                 reference=lambda region: _reference_version(region, markets=True))


def origin(request: HttpRequest) -> HttpResponse:
    return _page(request, "origin", "monitoring/origin.html", selectors.origin_data,
                 reference=lambda region: _reference_version(region, counties=True))


# ------------------------------------------------------------------ explorer and fact rows
def explorer(request: HttpRequest) -> HttpResponse:
    language = get_language() or "fa"
    cover = coverage()
    context: dict[str, Any] = {**_context(request, "explorer", cover), "cube": CUBE,
                               "member_levels": explorer_kit.MEMBER_LEVELS, "max_filters": range(explorer_kit.MAX_FILTERS),
                               "default_filter_levels": ("partner", "chapter", "office")}
    if cover.last is None:
        return render(request, "monitoring/explorer.html", {**context, "empty": True})
    raw = {k: request.GET.getlist(k) for k in request.GET}
    context["months_held"] = [(m, charts.month_label(m, language)) for m in _months(cover)]
    context["raw"] = {k: v[-1] for k, v in raw.items() if v}
    context["chosen_filters"] = list(zip(raw.get("cl", []), raw.get("cv", []), strict=False))
    context["members"] = {lv: [(m.code, m.label(language)) for m in explorer_kit.members(lv)]
                          for lv in explorer_kit.MEMBER_LEVELS}
    try:
        req = explorer_kit.explorer_request(raw, region=settings.PAYESH_REGION, last_month=cover.last)
    except CubeError as exc:
        return render(request, "monitoring/explorer.html", {**context, "error": exc}, status=400)
    query = req.query
    result = run(query.with_(limit=query.limit or 2000))
    frame = result.labelled(language)
    table = explorer_kit.explorer_table(req, frame, language)
    response = table_download(request, {"result": table},
                              stem_parts=("explorer", *(query.drilldowns or ("total",))))
    if response is not None:
        return response
    chart = Chart("result", table.title, selectors.explorer_chart(query, frame), "payesh-explorer")
    rows = []
    if not req.pivot:
        for record, cells in zip(frame.to_dict("records"), table.cells, strict=False):
            keys = [(lv, record[lv]) for lv in query.drilldowns if record[lv] not in (None, "__other__")
                    and record[lv] == record[lv]]
            cut_parts = [f"{c.level}:{','.join(c.values)}" for c in query.cuts if not c.exclude and
                         c.level not in dict(keys)] + [f"{lv}:{value}" for lv, value in keys]
            facts_params = {"cut": ";".join(cut_parts)}
            for name in ("from", "to", "exclude"):
                if name in query.to_params():
                    facts_params[name] = query.to_params()[name]
            rows.append({"cells": cells, "facts": "&".join(f"{k}={v}" for k, v in facts_params.items() if v)})
    period = query.period
    return render(request, "monitoring/explorer.html", {
        **context, "query": query, "req": req, "table": table, "rows": rows, "chart": chart, "result": result,
        "period_text": f"{charts.month_label(period.start, language)} – {charts.month_label(period.end, language)}"
        if period.start and period.end else "",
        "querystring": request.GET.urlencode()})


def _months(cover: Coverage) -> list[int]:
    if cover.first is None or cover.last is None:
        return []
    out, key = [], cover.first
    while key <= cover.last:
        out.append(key)
        year, month = divmod(key, 100)
        key = key + 1 if month < 12 else (year + 1) * 100 + 1
    return out


@login_required
def fact_rows(request: HttpRequest) -> HttpResponse:
    """The declaration lines behind a number (signed-in users only: these are not aggregates)."""
    params = {k: request.GET.get(k, "") for k in request.GET if k not in ("page",)}
    try:
        query = CubeQuery.parse(params)
    except CubeError as exc:
        return render(request, "monitoring/facts.html", {"page": "facts", "error": exc}, status=400)
    access = fact_access(request.user)  # docs/access-policy.md: the same rule as /api/facts
    if not access.may_read:
        raise PermissionDenied(access.reason_en)
    number = max(1, int(request.GET.get("page", "1"))) if request.GET.get("page", "1").isdigit() else 1
    frame, total = facts(query, limit=100, offset=(number - 1) * 100)
    frame = access.apply(frame)
    fake: Page[Any] = Paginator(range(total), 100).get_page(number)
    return render(request, "monitoring/facts.html", {
        "page": "facts", "query": query, "rows": frame.to_dict("records"), "total": total, "pager": fake,
        "params": "&".join(f"{k}={v}" for k, v in params.items() if v), "synthetic": demo_data_loaded(),
        "cuts": query.cuts, "coverage": Coverage(None, None)})
