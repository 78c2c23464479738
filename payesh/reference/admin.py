"""Administrators edit the reference data here; every change is kept (Django's admin log, and
django-simple-history on the models).

Reference tables the cube reads (countries, regions, HS, concordance, provinces, counties, customs
offices, border markets) are republished by the one publisher, ``dimensions_publish``, after every
save or delete is committed: a customs office moved to another province counts for the new one on
the next request. An explicit call here rather than a signal (STYLE.md: no business logic in
signals); ``load-reference`` calls the same function.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from payesh.core.admin import HistoryAdmin  # history read-only: past versions answer GET only
from payesh.reference import models as ref
from payesh.reference.services import dimensions_publish


class PublishesDimensions(HistoryAdmin):
    """Admin of a reference table the cube reads: republish the dimension tables after each change.

    ``on_commit``: the admin saves the object and its inlines in one transaction; publishing reads
    the reference tables, so it waits until all of it is committed (and never runs on a rollback).
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(dimensions_publish)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(dimensions_publish)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(dimensions_publish)


@admin.register(ref.CountryGroup)
class CountryGroupAdmin(PublishesDimensions):
    list_display = ["code", "kind", "name_en", "name_fa"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.Country)
class CountryAdmin(PublishesDimensions):
    list_display = ["iso3", "iso2", "m49", "name_en", "name_fa", "region", "neighbour_of_iran"]
    list_filter = ["neighbour_of_iran", "region"]
    search_fields = ["iso3", "iso2", "name_en", "name_fa"]
    filter_horizontal = ["groups"]


@admin.register(ref.HSSection)
class HSSectionAdmin(PublishesDimensions):
    list_display = ["number", "roman", "chapter_from", "chapter_to", "name_en", "name_fa"]


@admin.register(ref.HSProduct)
class HSProductAdmin(PublishesDimensions):
    list_display = ["revision", "code", "level", "name_en", "name_fa", "section"]
    list_filter = ["revision", "level", "section"]
    search_fields = ["code", "name_en", "name_fa"]
    list_per_page = 50


@admin.register(ref.HSConcordance)
class HSConcordanceAdmin(PublishesDimensions):
    list_display = ["from_revision", "from_code", "to_revision", "to_code", "weight"]
    list_filter = ["from_revision", "to_revision"]
    search_fields = ["from_code", "to_code"]


class CountyInline(admin.TabularInline):
    model = ref.County
    extra = 0


@admin.register(ref.Province)
class ProvinceAdmin(PublishesDimensions):
    list_display = ["code", "name_en", "name_fa", "capital_fa", "borders", "coastal"]
    search_fields = ["code", "name_en", "name_fa"]
    inlines = [CountyInline]


@admin.register(ref.County)
class CountyAdmin(PublishesDimensions):
    list_display = ["code", "name_en", "name_fa", "province", "seat_fa", "lat", "lon"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.CustomsOffice)
class CustomsOfficeAdmin(PublishesDimensions):
    list_display = ["code", "name_en", "name_fa", "kind", "province", "partner", "status", "opened"]
    list_filter = ["kind", "status", "province"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.BorderMarket)
class BorderMarketAdmin(PublishesDimensions):
    list_display = ["code", "name_en", "name_fa", "province", "county", "partner", "status", "opened"]
    list_filter = ["status", "province", "partner"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["code", "name_en", "name_fa", "kind"]
    search_fields = ["code", "name_en", "name_fa"]
