"""Capability pages: thin — read the filters from the URL, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from payesh.analytics.opportunity import STRATEGIES
from payesh.capabilities import charts, selectors, services
from payesh.capabilities.forms import CapacityForm, ReviewForm
from payesh.capabilities.models import Capacity, CapacityKind, CapacityStatus
from payesh.core.exporters import EXPORTERS, download
from payesh.core.models import User
from payesh.ledger.selectors import demo_data_loaded
from payesh.reference.models import Agency, County

STRATEGY_LABELS = {
    "low_hanging_fruit": _("Low-hanging fruit"),
    "balanced": _("Balanced portfolio"),
    "long_jumps": _("Strategic long jumps"),
}


def _language() -> str:
    return "fa" if (get_language() or "fa").startswith("fa") else "en"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _download(request: HttpRequest, tables: dict[str, pd.DataFrame], default: str) -> HttpResponse | None:
    """``?download=csv|xlsx|parquet|json&table=<name>`` → the table as a file; None when not asked."""
    fmt = request.GET.get("download", "")
    if not fmt:
        return None
    exporter = EXPORTERS.get(fmt)
    name = request.GET.get("table", default)
    if exporter is None or name not in tables:
        raise Http404
    return download(tables[name], fmt, stem=f"payesh-{slugify(name)}", title=name, language=_language())


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with what every capability page needs: the region, the tab, the synthetic-data notice."""
    context.setdefault("region_code", selectors.region_code())
    context.setdefault("synthetic", demo_data_loaded())
    if "tab" not in context:
        context["tab"] = "province" if context.get("code") == selectors.region_code() else ""
    return render(request, template, context)


def _year(request: HttpRequest, years: list[int]) -> int | None:
    text = request.GET.get("year", "")
    if text.isdigit() and 1300 <= int(text) <= 1500:
        return int(text)
    return years[0] if years else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    years = selectors.export_years()
    year = _year(request, years)
    language = _language()
    overview = selectors.county_overview(year=year, language=language) if year else pd.DataFrame()
    if (response := _download(request, {"counties": overview}, "counties")) is not None:
        return response
    has_exports = not overview.empty and float(overview["exports_usd"].sum()) > 0
    space = selectors.external_space(solar_year=year) if year else None
    return _render(request, "capabilities/index.html", {
        "years": years, "year": year, "region": selectors.scope_lookup(selectors.region_code()),
        "region_code": selectors.region_code(),
        "rows": overview.to_dict("records") if has_exports else [],
        "total_usd": float(overview["exports_usd"].sum()) if has_exports else 0.0,
        "map": charts.county_map(overview, language) if has_exports else "",
        "world_run": space.run if space else None,
        "counties_without_exports": int((overview["exports_usd"] <= 0).sum()) if has_exports else 0,
    })


@login_required
def profile(request: HttpRequest, code: str) -> HttpResponse:
    if selectors.scope_lookup(code) is None:
        raise Http404
    years = selectors.export_years()
    year = _year(request, years)
    strategy = request.GET.get("strategy", "balanced")
    strategy = strategy if strategy in STRATEGIES else "balanced"
    language = _language()
    if year is None:
        found = selectors.scope_lookup(code)
        assert found is not None
        return _render(request, "capabilities/profile.html", {
            "empty": True, "code": code, "name": found[2], "scope_kind": found[1], "years": years})
    result = selectors.capability_profile(scope=code, year=year, strategy=strategy, language=language)
    tables = {"exports": result.exports, "density": result.density, "opportunities": result.opportunities,
              "gap": result.gap}
    if (response := _download(request, tables, "exports")) is not None:
        return response
    context: dict[str, Any] = {
        "empty": False, "profile": result, "code": code, "name": result.name, "scope_kind": result.scope_kind,
        "years": years, "year": year, "strategy": strategy,
        "strategies": [(key, STRATEGY_LABELS[key]) for key in STRATEGIES],
        "exports": result.exports.head(25).assign(share_pct=lambda f: f["share"] * 100).to_dict("records")
        if result.has_exports else [],
        "exports_count": len(result.exports),
        "density": result.density.to_dict("records"),
        "opportunities": result.opportunities.head(25).to_dict("records"),
        "gap": result.gap.to_dict("records"),
        "counties": County.objects.filter(province_id=selectors.region_code()),
        "world": result.space.run is not None,
        "exports_chart": charts.exports_bar(result.exports, language) if result.has_exports else "",
        "space_chart": charts.product_space(result.present, result.exported, result.opportunities, language),
        "opportunity_chart": (charts.opportunity_scatter(result.opportunities, language)
                              if not result.opportunities.empty else ""),
    }
    return _render(request, "capabilities/profile.html", context)


# ------------------------------------------------------------------------------------------------
# The capacity registry
# ------------------------------------------------------------------------------------------------


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = {key: request.GET.get(key, "") for key in ("county", "agency", "kind", "status")}
    year_text = request.GET.get("year", "")
    rows = selectors.capacity_list(user=user, year=int(year_text) if year_text.isdigit() else None, **filters)
    if (response := _download(request, {"capacities": selectors.capacity_frame(rows)}, "capacities")) is not None:
        return response
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(request, "capabilities/registry.html", {
        "page": page, "filters": filters, "year": year_text, "querystring": query.urlencode(),
        "counties": County.objects.filter(province_id=selectors.region_code()),
        "agencies": Agency.objects.all(), "kinds": CapacityKind.choices, "statuses": CapacityStatus.choices,
        "can_enter": services.capacity_can_enter(user=user),
        "to_review": selectors.capacity_list(user=user, status="submitted").count() if user.is_analyst else 0,
    })


@login_required
def capacity_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.capacity_can_enter(user=user):
        raise PermissionDenied
    form = CapacityForm(request.POST or None, user=user, initial={"county": request.GET.get("county")})
    if request.method == "POST" and form.is_valid():
        try:
            capacity = services.capacity_create(user=user, **form.cleaned_data)
        except services.CapacityPermissionError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        messages.success(request, _("The capacity was saved as a draft. Submit it when it is complete."))
        return redirect("capabilities:capacity", capacity_id=capacity.pk)
    return _render(request, "capabilities/capacity_form.html", {"form": form, "capacity": None})


@login_required
def capacity_edit(request: HttpRequest, capacity_id: int) -> HttpResponse:
    user = _user(request)
    capacity = get_object_or_404(Capacity, pk=capacity_id)
    if not services.capacity_can_edit(user=user, capacity=capacity):
        raise PermissionDenied
    form = CapacityForm(request.POST or None, instance=capacity, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.capacity_update(capacity_id=capacity.pk, user=user, **form.cleaned_data)
        except services.CapacityPermissionError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except services.CapacityError as exc:
            messages.error(request, str(exc.message))
        return redirect("capabilities:capacity", capacity_id=capacity.pk)
    return _render(request, "capabilities/capacity_form.html", {"form": form, "capacity": capacity})


@login_required
def capacity_detail(request: HttpRequest, capacity_id: int) -> HttpResponse:
    user = _user(request)
    capacity = get_object_or_404(Capacity.objects.select_related("county", "agency", "created_by", "reviewed_by"),
                                 pk=capacity_id)
    if not selectors.capacity_list(user=user).filter(pk=capacity.pk).exists():
        raise Http404
    revisions = list(capacity.revisions.select_related("changed_by"))
    for revision in revisions:
        # Field labels in the user's language; a creation lists what was entered, not "– → value" pairs.
        revision.readable = [  # type: ignore[attr-defined]
            (getattr(Capacity._meta.get_field(name), "verbose_name", name), before, after)
            for name, (before, after) in revision.changes.items()
            if revision.action != "created" or after not in (None, "")]
    return _render(request, "capabilities/capacity_detail.html", {
        "capacity": capacity, "revisions": revisions, "review_form": ReviewForm(),
        "can_edit": services.capacity_can_edit(user=user, capacity=capacity),
        "can_submit": capacity.editable and services.capacity_can_enter(user=user, agency=capacity.agency),
        "can_review": services.capacity_can_review(user=user, capacity=capacity),
    })


ACTIONS = {"submit", "approve", "return"}


@require_POST
@login_required
def capacity_action(request: HttpRequest, capacity_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    user = _user(request)
    get_object_or_404(Capacity, pk=capacity_id)
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            services.capacity_submit(capacity_id=capacity_id, user=user)
            messages.success(request, _("Submitted for review."))
        elif action == "approve":
            services.capacity_approve(capacity_id=capacity_id, user=user, note=note)
            messages.success(request, _("Approved."))
        else:
            services.capacity_return(capacity_id=capacity_id, user=user, note=note)
            messages.success(request, _("Returned to the agency."))
    except services.CapacityPermissionError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except services.CapacityError as exc:
        messages.error(request, str(exc.message))
    return redirect("capabilities:capacity", capacity_id=capacity_id)


# ------------------------------------------------------------------------------------------------
# World data
# ------------------------------------------------------------------------------------------------


@login_required
def world_data(request: HttpRequest) -> HttpResponse:
    language = _language()
    runs = selectors.world_runs()
    latest = runs[0] if runs else None
    ranking = selectors.world_ranking(latest, language) if latest else pd.DataFrame()
    datasets = list(selectors.world_datasets())
    dataset_frame = pd.DataFrame([{
        "id": d.pk, "format": d.format, "file": d.source_name, "revision": d.source_revision,
        "years": ",".join(str(y) for y in d.years), "rows": d.rows, "countries": d.countries, "products": d.products,
        "total_usd": d.total_usd, "loaded_at": d.loaded_at.isoformat()} for d in datasets])
    if (response := _download(request, {"datasets": dataset_frame, "eci": ranking}, "datasets")) is not None:
        return response
    return _render(request, "capabilities/world.html", {
        "datasets": datasets, "runs": runs, "latest": latest,
        "ranking": ranking.head(40).to_dict("records") if not ranking.empty else [],
        "eci_chart": charts.eci_bar(ranking, language) if not ranking.empty else "",
    })
