"""Read-only browsing of the reference data for every user; editing happens in the admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from payesh.reference import models as ref
from payesh.reference.selectors import reference_counts


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: Callable[[Any], Any]
    kind: str = "text"  # text | code (Persian digits in Persian) | number | date | coords (lat, lon)


@dataclass(frozen=True)
class Table:
    slug: str
    title: str | Promise
    description: str | Promise
    count_key: str
    queryset: Callable[[], QuerySet[Any]]
    columns: list[Column]
    search: list[str]
    filters: dict[str, tuple[str | Promise, list[tuple[str, str | Promise]]]]


def _name(obj: Any) -> str:
    return str(obj.name) if obj is not None else ""


TABLES: list[Table] = [
    Table("countries", _("Countries"), _("ISO codes, names in both languages, region and neighbours of Iran."),
          "countries", lambda: ref.Country.objects.select_related("region"),
          [Column(_("ISO3"), lambda o: o.iso3, "code"), Column(_("ISO2"), lambda o: o.iso2, "code"),
           Column(_("Name"), _name), Column(_("Region"), lambda o: _name(o.region)),
           Column(_("Neighbour of Iran"), lambda o: _neighbour(o))],
          ["iso3", "iso2", "name_en", "name_fa"],
          {"neighbour": (_("Neighbours of Iran"), [("1", _("only neighbours"))])}),
    Table("hs", _("HS nomenclature"), _("Sections, chapters, headings and subheadings of HS 1992, 2012 and 2022."),
          "hs_products", lambda: ref.HSProduct.objects.select_related("section"),
          [Column(_("Revision"), lambda o: o.revision, "code"), Column(_("Code"), lambda o: o.code, "code"),
           Column(_("Level"), lambda o: o.level, "number"), Column(_("Description"), _name),
           Column(_("Section"), lambda o: f"{o.section.roman} · {o.section.name}")],
          ["code", "name_en", "name_fa"],
          {"revision": (_("Revision"), [(c, str(label)) for c, label in ref.HSRevision.choices]),
           "level": (_("Level"), [("2", _("chapters")), ("4", _("headings")), ("6", _("subheadings"))])}),
    Table("hs-sections", _("HS sections"), _("The 21 sections of the Harmonized System."),
          "hs_sections", lambda: ref.HSSection.objects.all(),
          [Column(_("Section"), lambda o: o.roman, "code"),
           Column(_("Chapters"), lambda o: f"{o.chapter_from}–{o.chapter_to}", "code"), Column(_("Name"), _name)],
          ["name_en", "name_fa"], {}),
    Table("provinces", _("Provinces"), _("Iran's 31 provinces with their capitals and land borders."),
          "provinces", lambda: ref.Province.objects.all(),
          [Column(_("Code"), lambda o: o.code, "code"), Column(_("Name"), _name),
           Column(_("Capital"), lambda o: o.capital_fa if _is_fa() else o.capital_en),
           Column(_("Land borders"), lambda o: o.borders, "code"),
           Column(_("Counties"), lambda o: o.counties.count(), "number")],
          ["code", "name_en", "name_fa"], {}),
    Table("counties", _("Counties"), _("Counties with their seats and coordinates."),
          "counties", lambda: ref.County.objects.select_related("province"),
          [Column(_("Code"), lambda o: o.code, "code"), Column(_("Name"), _name),
           Column(_("Province"), lambda o: _name(o.province)),
           Column(_("Seat"), lambda o: o.seat_fa if _is_fa() else o.seat_en),
           Column(_("Coordinates"), lambda o: (o.lat, o.lon) if o.lat is not None else None, "coords")],
          ["code", "name_en", "name_fa", "seat_en", "seat_fa"],
          {"province": (_("Province"), [])}),
    Table("customs-offices", _("Customs offices"), _("Customs houses, border crossings, ports and free zones."),
          "customs_offices", lambda: ref.CustomsOffice.objects.select_related("province", "partner"),
          [Column(_("Code"), lambda o: o.code, "code"), Column(_("Name"), _name),
           Column(_("Kind"), lambda o: o.get_kind_display()), Column(_("Province"), lambda o: _name(o.province)),
           Column(_("Partner"), lambda o: _name(o.partner)), Column(_("Status"), lambda o: o.get_status_display()),
           Column(_("Opened"), lambda o: o.opened, "date")],
          ["code", "name_en", "name_fa"],
          {"province": (_("Province"), []), "status": (_("Status"), list(ref.Status.choices))}),
    Table("border-markets", _("Border markets"), _("Joint border markets, their partner and status."),
          "border_markets", lambda: ref.BorderMarket.objects.select_related("province", "county", "partner"),
          [Column(_("Code"), lambda o: o.code, "code"), Column(_("Name"), _name),
           Column(_("County"), lambda o: _name(o.county)), Column(_("Partner"), lambda o: _name(o.partner)),
           Column(_("Status"), lambda o: o.get_status_display()), Column(_("Opened"), lambda o: o.opened, "date"),
           Column(_("Note"), lambda o: o.note_fa if _is_fa() else o.note_en)],
          ["code", "name_en", "name_fa"], {"status": (_("Status"), list(ref.Status.choices))}),
    Table("agencies", _("Responsible agencies"), _("Agencies of the export-development document and their mandates."),
          "agencies", lambda: ref.Agency.objects.all(),
          [Column(_("Code"), lambda o: o.code, "code"), Column(_("Name"), _name),
           Column(_("Mandate"), lambda o: o.mandate)],
          ["code", "name_en", "name_fa", "mandate_en", "mandate_fa"], {}),
]
TABLES_BY_SLUG = {t.slug: t for t in TABLES}


def _is_fa() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fa").startswith("fa")


def index(request: HttpRequest) -> HttpResponse:
    counts = reference_counts()
    cards = [{"table": t, "count": counts.get(t.count_key, 0)} for t in TABLES]
    return render(request, "reference/index.html", {"cards": cards})


def _apply_filters(table: Table, qs: QuerySet[Any], params: dict[str, str]) -> QuerySet[Any]:
    if table.slug == "countries" and params.get("neighbour") == "1":
        qs = qs.filter(neighbour_of_iran=True)
    if table.slug == "hs":
        if params.get("revision") in ref.HSRevision.values:
            qs = qs.filter(revision=params["revision"])
        if params.get("level") in {"2", "4", "6"}:
            qs = qs.filter(level=int(params["level"]))
    if params.get("province") and table.slug in {"counties", "customs-offices"}:
        qs = qs.filter(province_id=params["province"])
    if params.get("status") in ref.Status.values and table.slug in {"customs-offices", "border-markets"}:
        qs = qs.filter(status=params["status"])
    return qs


def table(request: HttpRequest, table: str) -> HttpResponse:
    spec = TABLES_BY_SLUG.get(table)
    if spec is None:
        raise Http404
    params = {k: str(v).strip() for k, v in request.GET.items()}
    qs = _apply_filters(spec, spec.queryset(), params)
    query = params.get("q", "")
    if query:
        condition = Q()
        for field in spec.search:
            condition |= Q(**{f"{field}__icontains": query})
        qs = qs.filter(condition)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [[(column.value(obj), column.kind) for column in spec.columns] for obj in page.object_list]
    filters = []
    for key, (label, choices) in spec.filters.items():
        if key == "province" and not choices:
            choices = [(p.code, str(p.name)) for p in ref.Province.objects.all()]
        filters.append({"key": key, "label": label, "choices": choices, "value": params.get(key, "")})
    return render(request, "reference/table.html", {
        "spec": spec, "rows": rows, "page": page, "query": query, "filters": filters,
        # Encoded: a Persian search word must survive the pager's links.
        "querystring": urlencode({k: v for k, v in params.items() if k != "page" and v}),
    })


NEIGHBOUR_LABELS = {"land": _("by land"), "sea": _("by sea"), "both": _("by land and sea")}


def _neighbour(country: ref.Country) -> str:
    return str(NEIGHBOUR_LABELS.get(country.neighbour_by, "")) if country.neighbour_of_iran else ""
