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
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from payesh.analytics.opportunity import STRATEGIES
from payesh.capabilities import charts, selectors, services
from payesh.capabilities.forms import CapacityForm, ReviewForm
from payesh.capabilities.models import Capacity, CapacityKind
from payesh.core.exporters import EXPORTERS
from payesh.core.locking import EditConflict
from payesh.core.models import User
from payesh.core.pagekit import Chart, Column, ColumnKind, PageData, Table, table_download
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


def _accept_old_download_spelling(request: HttpRequest, default: str) -> None:
    """Saved links of the older ``?download=<format>&table=<table>`` (or a bare ``?download=csv``)
    keep working: they are rewritten to the one convention ``?download=<table>&format=<format>``."""
    value = request.GET.get("download", "")
    if value in EXPORTERS and "format" not in request.GET:
        params = request.GET.copy()
        params["format"] = value
        params["download"] = params.pop("table", [default])[-1] or default
        request.GET = params  # type: ignore[assignment]


def _answer_download(request: HttpRequest, data: PageData, default: str,
                     stem_parts: tuple[object, ...]) -> HttpResponse | None:
    _accept_old_download_spelling(request, default)
    return table_download(request, data.tables, stem_parts=stem_parts)


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


def _county_table(overview: pd.DataFrame) -> Table:
    return Table("counties", gettext("Counties"), overview, [
        Column("county", gettext("County code"), "code"), Column("county_name", gettext("County")),
        Column("exports_usd", gettext("Exports (USD)"), "usd"), Column("weight_t", gettext("Weight (t)"), "t"),
        Column("products", gettext("Products exported"), "int"),
        Column("specialised", gettext("Products with RCA ≥ 1"), "int"),
        Column("top_product", gettext("Main product code"), "code"),
        Column("top_product_name", gettext("Main product"))], row_limit=100)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    years = selectors.export_years()
    year = _year(request, years)
    language = _language()
    overview = selectors.county_overview(year=year, language=language) if year else pd.DataFrame(
        columns=["county", "county_name", "exports_usd", "weight_t", "products", "specialised", "top_product",
                 "top_product_name", "lat", "lon"])
    data = PageData()
    data.add_table(_county_table(overview))
    if (response := _answer_download(request, data, "counties", ("capabilities", "province", year or ""))) is not None:
        return response
    # The province's total is the cube's, not a sum of the table: rows without a county count too.
    total = selectors.region_exports(year=year) if year else {"value_usd": 0.0, "weight_t": 0.0}
    has_exports = total["value_usd"] > 0
    space = selectors.external_space(solar_year=year) if year else None
    counties = overview[overview["county"] != selectors.NO_COUNTY] if has_exports else overview
    if has_exports:
        data.add_chart(Chart("map", gettext("County seats, sized by exports of their own production (USD)"),
                             charts.county_map(overview, language), f"payesh-county-map-{year}"))
    return _render(request, "capabilities/index.html", {
        "years": years, "year": year, "region": selectors.scope_lookup(selectors.region_code()),
        "region_code": selectors.region_code(), "data": data, "table": data.tables["counties"],
        "rows": overview.to_dict("records") if has_exports else [],
        "total_usd": total["value_usd"],
        "county_count": len(counties),
        "world_run": space.run if space else None,
        "counties_without_exports": int((counties["exports_usd"] <= 0).sum()) if has_exports else 0,
    })


def _profile_data(result: selectors.Profile, language: str) -> PageData:
    """The profile's four tables and three charts through the page kit."""
    data = PageData()
    exports = result.exports.assign(share_pct=lambda f: f["share"] * 100) if result.has_exports else pd.DataFrame(
        columns=["heading", "name", "value_usd", "weight_t", "share_pct", "rca_nation", "rca_world"])
    data.add_table(Table("exports", gettext("What it exports"), exports, [
        Column("heading", gettext("HS heading"), "code"), Column("name", gettext("Product")),
        Column("value_usd", gettext("Exports (USD)"), "usd"), Column("weight_t", gettext("Weight (t)"), "t"),
        Column("share_pct", gettext("Share (%)"), "pct"), Column("rca_nation", gettext("RCA vs nation"), "ratio"),
        Column("rca_world", gettext("RCA vs world"), "ratio")], row_limit=25))
    data.add_table(Table("opportunities", gettext("Opportunities"), result.opportunities, [
        Column("rank", gettext("Rank"), "int"), Column("heading", gettext("HS heading"), "code"),
        Column("name", gettext("Product")), Column("density", gettext("Feasibility (density, 0–1)"), "ratio"),
        Column("pci", gettext("PCI"), "ratio"), Column("cog", gettext("Opportunity gain"), "ratio"),
        Column("score", gettext("Score"), "ratio")], row_limit=25))
    data.add_table(Table("density", gettext("Nearby products (density)"), result.density, [
        Column("heading", gettext("HS heading"), "code"), Column("name", gettext("Product")),
        Column("density", gettext("Density (0–1)"), "ratio"), Column("pci", gettext("PCI"), "ratio")]))
    gap = result.gap if not result.gap.empty else pd.DataFrame(
        columns=["capacity", "county_name", "kind", "hs_code", "product", "year", "quantity", "unit", "exported_t",
                 "exported_usd", "exported_share", "status"])
    data.add_table(Table("gap", gettext("Registered capacity against exports"),
                         gap.assign(exported_share_pct=gap["exported_share"] * 100), [
        Column("capacity", gettext("Capacity row"), "int"), Column("county_name", gettext("County")),
        Column("kind", gettext("Kind")), Column("hs_code", gettext("HS code"), "code"),
        Column("product", gettext("Product")), Column("year", gettext("Year"), "code"),
        Column("quantity", gettext("Capacity"), "num"), Column("unit", gettext("Unit")),
        Column("exported_t", gettext("Exported (t)"), "t"), Column("exported_usd", gettext("Exported (USD)"), "usd"),
        Column("exported_share_pct", gettext("Share exported (%)"), "pct"), Column("status", gettext("Status"))]))
    stem = f"payesh-capabilities-{result.scope.lower()}-{result.year}"
    if result.has_exports:
        data.add_chart(Chart("exports", gettext("Main exported products (USD)"),
                             charts.exports_bar(result.exports, language), f"{stem}-exports"))
    names = selectors.heading_names(result.space.products, language)
    data.add_chart(Chart("space", gettext("Product space"),
                         charts.product_space(result.present, result.exported, result.opportunities, language,
                                              names=names), f"{stem}-product-space"))
    if not result.opportunities.empty:
        data.add_chart(Chart("opportunities", gettext("Feasibility (density) against attractiveness (PCI)"),
                             charts.opportunity_scatter(result.opportunities, language), f"{stem}-opportunities"))
    return data


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
    data = _profile_data(result, language)
    if (response := _answer_download(request, data, "exports", ("capabilities", code, year, strategy))) is not None:
        return response
    context: dict[str, Any] = {
        "empty": False, "profile": result, "code": code, "name": result.name, "scope_kind": result.scope_kind,
        "years": years, "year": year, "strategy": strategy, "data": data,
        "strategies": [(key, STRATEGY_LABELS[key]) for key in STRATEGIES],
        "exports": data.tables["exports"].records if result.has_exports else [],
        "exports_count": len(result.exports),
        "gap": result.gap.to_dict("records"),
        "counties": County.objects.filter(province_id=selectors.region_code()),
        "world": result.space.run is not None,
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
    data = PageData()
    data.add_table(Table("capacities", gettext("Capacity registry"), selectors.capacity_frame(rows), [
        Column("id", gettext("Row"), "int"), Column("county", gettext("County code"), "code"),
        Column("county_name", gettext("County")), Column("agency", gettext("Agency code"), "code"),
        Column("kind", gettext("Kind"), "code"), Column("hs_revision", gettext("HS revision"), "code"),
        Column("hs_code", gettext("HS code"), "code"), Column("description", gettext("Description")),
        Column("quantity", gettext("Quantity"), "ratio"), Column("unit", gettext("Unit"), "code"),
        Column("year", gettext("Year"), "code"), Column("month", gettext("Month"), "code"),
        Column("source", gettext("Source")), Column("status", gettext("Status"), "code"),
        Column("return_reason", gettext("Reason returned")), Column("entered_by", gettext("Entered by")),
        Column("updated_at", gettext("Updated"))]))
    stamp = timezone.localdate().isoformat()
    if (response := _answer_download(request, data, "capacities", ("capacity-registry", stamp))) is not None:
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
    data = PageData()
    # Column names as headers: these files are inputs to analysts' own scripts (and read so by the tests).
    for table_id, title, frame in (("coverage", gettext("Loaded data sets"), coverage),
                                   ("runs", gettext("World complexity"), run_frame),
                                   ("eci", gettext("Economic complexity index (ECI)"), ranking)):
        data.add_table(Table(table_id, title, frame, [Column(str(c), str(c), _WORLD_KINDS.get(str(c), "text"))
                                                      for c in frame.columns]))
    when = latest.year if latest else timezone.localdate().isoformat()
    if (response := _answer_download(request, data, "coverage", ("world-data", when))) is not None:
        return response
    return _render(request, "capabilities/world.html", {
        "coverage": coverage.to_dict("records"), "batches": batches, "runs": runs, "latest": latest,
        "ranking": ranking.head(40).to_dict("records") if not ranking.empty else [],
        "eci_chart": Chart("eci", gettext("Economic complexity index (ECI) of the 30 most complex countries"),
                           charts.eci_bar(ranking, language), f"payesh-world-eci-{latest.year}")
        if latest is not None and not ranking.empty else None,
    })


#: Kinds of the world tables' columns for their downloads (rounding to the unit shown).
_WORLD_KINDS: dict[str, ColumnKind] = {"value_usd": "usd", "exports_usd": "usd", "rows": "int", "countries": "int",
                                       "products": "int", "diversity": "int", "rank": "int", "eci": "ratio",
                                       "coi": "ratio", "gyear": "code", "year": "code"}
