"""Capability pages: thin — read the filters from the URL, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from payesh.capabilities.models import Capacity, CapacityKind
from payesh.core.exporters import EXPORTERS, download, download_request
from payesh.core.locking import EditConflict
from payesh.core.models import User
from payesh.core.review import (
    ReviewError,
    ReviewStatus,
    review_allowed,
    review_approve,
    review_return,
    review_submit,
)
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
    """``?download=<table>&format=csv|xlsx|parquet|json`` (the site's one convention; the older
    ``?download=<format>&table=<table>`` of saved links still works) → the table as a file."""
    asked = download_request(request.GET, tables, default=default)
    if asked is None:
        return None
    name, fmt = asked
    if fmt not in EXPORTERS or name not in tables:
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
    # The province's total is the cube's, not a sum of the table: rows without a county count too.
    total = selectors.region_exports(year=year) if year else {"value_usd": 0.0, "weight_t": 0.0}
    has_exports = total["value_usd"] > 0
    space = selectors.external_space(solar_year=year) if year else None
    counties = overview[overview["county"] != selectors.NO_COUNTY] if has_exports else overview
    return _render(request, "capabilities/index.html", {
        "years": years, "year": year, "region": selectors.scope_lookup(selectors.region_code()),
        "region_code": selectors.region_code(),
        "rows": overview.to_dict("records") if has_exports else [],
        "total_usd": total["value_usd"],
        "county_count": len(counties),
        "map": charts.county_map(overview, language) if has_exports else "",
        "world_run": space.run if space else None,
        "counties_without_exports": int((counties["exports_usd"] <= 0).sum()) if has_exports else 0,
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
        if request.GET.get("download"):
            raise Http404  # no year with exports: there is no table to download
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
        "agencies": Agency.objects.all(), "kinds": CapacityKind.choices, "statuses": ReviewStatus.choices,
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
        data = {name: value for name, value in form.cleaned_data.items() if name != "lock_version"}
        capacity = services.capacity_create(user=user, **data)
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
        data = {name: value for name, value in form.cleaned_data.items() if name != "lock_version"}
        try:
            services.capacity_update(capacity_id=capacity.pk, user=user, expected_version=form.expected_version,
                                     **data)
        except EditConflict as exc:
            # Keep what the person typed on the page, say why it was not saved; nothing is overwritten.
            form.add_error(None, exc)
            response = _render(request, "capabilities/capacity_form.html", {"form": form, "capacity": capacity})
            response.status_code = 409
            return response
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("capabilities:capacity", capacity_id=capacity.pk)
    return _render(request, "capabilities/capacity_form.html", {"form": form, "capacity": capacity})


@login_required
def capacity_detail(request: HttpRequest, capacity_id: int) -> HttpResponse:
    user = _user(request)
    capacity = get_object_or_404(Capacity.objects.select_related("county", "agency", "created_by", "submitted_by",
                                                                 "decided_by"), pk=capacity_id)
    if not user.has_perm("capabilities.read_capacity", capacity):
        raise Http404
    return _render(request, "capabilities/capacity_detail.html", {
        "capacity": capacity, "review_form": ReviewForm(),
        "can_edit": services.capacity_can_edit(user=user, capacity=capacity),
        "can_submit": capacity.is_editable and review_allowed(obj=capacity, user=user, action="submit"),
        "can_review": capacity.review_status == ReviewStatus.SUBMITTED
        and review_allowed(obj=capacity, user=user, action="review"),
    })


REVIEW_ACTIONS = {"submit", "approve", "return"}


@require_POST
@login_required
def capacity_action(request: HttpRequest, capacity_id: int, action: str) -> HttpResponse:
    """The core review workflow on one row; a refused transition comes back as a message on the page."""
    if action not in REVIEW_ACTIONS:
        raise Http404
    user = _user(request)
    capacity = get_object_or_404(Capacity, pk=capacity_id)
    if not user.has_perm("capabilities.read_capacity", capacity):
        raise Http404
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            review_submit(obj=capacity, user=user)
            messages.success(request, _("Submitted for review."))
        elif action == "approve":
            review_approve(obj=capacity, user=user, note=note)
            messages.success(request, _("Approved."))
        else:
            review_return(obj=capacity, user=user, reason=note)
            messages.success(request, _("Returned to the agency."))
    except ReviewError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("capabilities:capacity", capacity_id=capacity_id)


# ------------------------------------------------------------------------------------------------
# World data
# ------------------------------------------------------------------------------------------------


@login_required
def world_data(request: HttpRequest) -> HttpResponse:
    language = _language()
    runs = selectors.world_runs()
    current = [r for r in runs if not r.stale]
    latest = current[0] if current else None
    ranking = selectors.world_ranking(latest, language) if latest else pd.DataFrame()
    coverage = selectors.world_coverage()
    batches = list(selectors.world_batches()[:50])
    run_frame = pd.DataFrame([{
        "id": r.id, "year": r.year, "source": r.source, "batches": " ".join(r.batches), "countries": r.countries,
        "products": r.products, "computed_at": r.computed_at, "stale": r.stale} for r in runs])
    tables = {"coverage": coverage, "runs": run_frame, "eci": ranking}
    if (response := _download(request, tables, "coverage")) is not None:
        return response
    return _render(request, "capabilities/world.html", {
        "coverage": coverage.to_dict("records"), "batches": batches, "runs": runs, "latest": latest,
        "ranking": ranking.head(40).to_dict("records") if not ranking.empty else [],
        "eci_chart": charts.eci_bar(ranking, language) if not ranking.empty else "",
    })
