from __future__ import annotations

from django.contrib import admin

from payesh.reference import models as ref


@admin.register(ref.CountryGroup)
class CountryGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name_en", "name_fa"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "m49", "name_en", "name_fa", "region", "neighbour_of_iran"]
    list_filter = ["neighbour_of_iran", "region"]
    search_fields = ["iso3", "iso2", "name_en", "name_fa"]
    filter_horizontal = ["groups"]


@admin.register(ref.HSSection)
class HSSectionAdmin(admin.ModelAdmin):
    list_display = ["number", "roman", "chapter_from", "chapter_to", "name_en", "name_fa"]


@admin.register(ref.HSProduct)
class HSProductAdmin(admin.ModelAdmin):
    list_display = ["revision", "code", "level", "name_en", "name_fa", "section"]
    list_filter = ["revision", "level", "section"]
    search_fields = ["code", "name_en", "name_fa"]
    list_per_page = 50


@admin.register(ref.HSConcordance)
class HSConcordanceAdmin(admin.ModelAdmin):
    list_display = ["from_revision", "from_code", "to_revision", "to_code", "weight"]
    list_filter = ["from_revision", "to_revision"]
    search_fields = ["from_code", "to_code"]


class CountyInline(admin.TabularInline):
    model = ref.County
    extra = 0


@admin.register(ref.Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fa", "capital_fa", "borders", "coastal"]
    search_fields = ["code", "name_en", "name_fa"]
    inlines = [CountyInline]


@admin.register(ref.County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fa", "province", "seat_fa", "lat", "lon"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.CustomsOffice)
class CustomsOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fa", "kind", "province", "partner", "status", "opened"]
    list_filter = ["kind", "status", "province"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.BorderMarket)
class BorderMarketAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fa", "province", "county", "partner", "status", "opened"]
    list_filter = ["status", "province", "partner"]
    search_fields = ["code", "name_en", "name_fa"]


@admin.register(ref.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fa", "kind"]
    search_fields = ["code", "name_en", "name_fa"]
