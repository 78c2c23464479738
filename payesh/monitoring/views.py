from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from payesh.core.exporters import EXPORTERS, download
from payesh.cube import CUBE, CubeError, CubeQuery, facts, run
from payesh.ledger.selectors import demo_data_loaded
from payesh.monitoring import selectors
from payesh.monitoring.filters import Coverage, FilterError, PageFilters, coverage, page_filters

PAGES = [
    ("monitoring:overview", "overview"),
    ("monitoring:through_origin", "through_origin"),
    ("monitoring:partners", "partners"),
    ("monitoring:products", "products"),
    ("monitoring:offices", "offices"),
    ("monitoring:origin", "origin"),
    ("monitoring:explorer", "explorer"),
]


def _download(request: HttpRequest, data: selectors.PageData, page: str) -> HttpResponse | None:
    table_name, fmt = request.GET.get("download", ""), request.GET.get("format", "csv")
    if not table_name:
        return None
    table = data.tables.get(table_name)
    exporter = EXPORTERS.get(fmt)
    if table is None or exporter is None:
        raise Http404("unknown table or format")
    frame = table.frame[[c for c, _h, _k in table.columns if c in table.frame.columns]].copy()
    frame.columns = [h for c, h, _k in table.columns if c in table.frame.columns]
    return download(frame, fmt, stem=f"payesh-{page}-{table_name}", title=table.title,
                    language=get_language() or "fa")


def _page(request: HttpRequest, page: str, template: str,
          build: Callable[[PageFilters], selectors.PageData]) -> HttpResponse:
    cover = coverage()
    context: dict[str, Any] = {"page": page, "coverage": cover, "synthetic": demo_data_loaded(), "months_range": range(1, 13)}
    if cover.last is None:
        return render(request, template, {**context, "empty": True})
    try:
        filters = page_filters(request.GET, cover)
    except FilterError as exc:
        return render(request, template, {**context, "error": exc}, status=400)
    data = build(filters)
    download = _download(request, data, page)
    if download is not None:
        return download
    return render(request, template, {**context, "filters": filters, "data": data,
                                      "period_label": selectors.period_label(filters),
                                      "querystring": request.GET.urlencode()})


def overview(request: HttpRequest) -> HttpResponse:
    return _page(request, "overview", "monitoring/overview.html", selectors.overview_data)


def through_origin(request: HttpRequest) -> HttpResponse:
    return _page(request, "through_origin", "monitoring/through_origin.html", selectors.through_origin_data)


def partners(request: HttpRequest) -> HttpResponse:
    return _page(request, "partners", "monitoring/partners.html", selectors.partners_data)


def products(request: HttpRequest) -> HttpResponse:
    level, parent = request.GET.get("level", "section"), request.GET.get("parent", "")
    return _page(request, "products", "monitoring/products.html",
                 lambda f: selectors.products_data(f, level, parent))


def offices(request: HttpRequest) -> HttpResponse:
    return _page(request, "offices", "monitoring/offices.html", selectors.offices_data)


def origin(request: HttpRequest) -> HttpResponse:
    return _page(request, "origin", "monitoring/origin.html", selectors.origin_data)


# ------------------------------------------------------------------ explorer and fact rows
EXPLORER_DEFAULT = {"measures": "value_usd,weight_t,unit_value", "drilldowns": "partner", "cut": "flow:export"}


def explorer(request: HttpRequest) -> HttpResponse:
    raw = request.GET
    params: dict[str, str] = {}
    # The form sends one field per chosen measure (m) and drilldown (d); links use the comma forms.
    if [m for m in raw.getlist("m") if m]:
        params["measures"] = ",".join(m for m in raw.getlist("m") if m)
    if [d for d in raw.getlist("d") if d]:
        params["drilldowns"] = ",".join(d for d in raw.getlist("d") if d)
    for name in ("measures", "drilldowns", "cut", "exclude", "from", "to", "year", "months", "rolling", "compare",
                 "sort", "top", "other", "limit", "offset", "hs_revision"):
        if raw.get(name, "").strip() and name not in params:
            params[name] = raw[name].strip()
    if not any(k in params for k in ("measures", "drilldowns", "cut")):
        params = {**EXPLORER_DEFAULT, **params}
    if "sort" not in params and params.get("drilldowns"):
        first = params["drilldowns"].split(",")[0]
        if first not in selectors.TIME_LEVELS:
            params["sort"] = "-" + params.get("measures", "value_usd").split(",")[0]
    cover = coverage()
    context: dict[str, Any] = {"page": "explorer", "synthetic": demo_data_loaded(), "cube": CUBE, "coverage": cover,
                               "params": params}
    try:
        query = CubeQuery.parse(params)
        if query.period.start is None and cover.last is not None and "to" not in params:
            query = CubeQuery.parse({**params, "year": str(cover.last // 100)})
    except CubeError as exc:
        return render(request, "monitoring/explorer.html", {**context, "error": exc}, status=400)
    result = run(query.with_(limit=query.limit or 2000))
    frame = result.labelled(get_language() or "fa")
    data = selectors.PageData()
    columns: list[tuple[str, str, str]] = []
    for level in query.drilldowns:
        columns += [(level, selectors._level_label(level), "code"), (f"{level}_caption", "", "text")]
    for m in query.measures:
        columns.append((m, selectors._measure_label(m), "measure"))
        if f"{m}_share" in frame:
            columns.append((f"{m}_share", "%", "pct"))
        if f"{m}_change_pct" in frame:
            columns.append((f"{m}_change_pct", "Δ%", "pct_signed"))
    data.tables["result"] = selectors.Table("explorer", frame, columns)
    download = _download(request, data, "explorer")
    if download is not None:
        return download
    data.charts["result"] = selectors.explorer_chart(query, frame)
    rows = []
    for record in frame.to_dict("records"):
        keys = [(lv, record[lv]) for lv in query.drilldowns if record[lv] not in (None, "__other__")
                and record[lv] == record[lv]]
        cut_parts = [f"{c.level}:{','.join(c.values)}" for c in query.cuts if not c.exclude and
                     c.level not in dict(keys)] + [f"{lv}:{value}" for lv, value in keys]
        facts_params = {"cut": ";".join(cut_parts)}
        for name in ("from", "to", "exclude"):
            if name in query.to_params():
                facts_params[name] = query.to_params()[name]
        rows.append({"record": record, "facts": "&".join(f"{k}={v}" for k, v in facts_params.items() if v)})
    return render(request, "monitoring/explorer.html", {
        **context, "query": query, "data": data, "rows": rows, "columns": columns, "result": result,
        "querystring": request.GET.urlencode(), "share_url": "&".join(f"{k}={v}" for k, v in query.to_params().items())})


@login_required
def fact_rows(request: HttpRequest) -> HttpResponse:
    """The declaration lines behind a number (signed-in users only: these are not aggregates)."""
    params = {k: request.GET.get(k, "") for k in request.GET if k not in ("page",)}
    try:
        query = CubeQuery.parse(params)
    except CubeError as exc:
        return render(request, "monitoring/facts.html", {"page": "facts", "error": exc}, status=400)
    number = max(1, int(request.GET.get("page", "1"))) if request.GET.get("page", "1").isdigit() else 1
    frame, total = facts(query, limit=100, offset=(number - 1) * 100)
    fake: Page[Any] = Paginator(range(total), 100).get_page(number)
    return render(request, "monitoring/facts.html", {
        "page": "facts", "query": query, "rows": frame.to_dict("records"), "total": total, "pager": fake,
        "params": "&".join(f"{k}={v}" for k, v in params.items() if v), "synthetic": demo_data_loaded(),
        "cuts": query.cuts, "coverage": Coverage(None, None)})
