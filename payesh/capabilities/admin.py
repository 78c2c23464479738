from __future__ import annotations

from django.contrib import admin

from payesh.capabilities.models import Capacity, CapacityRevision, ComplexityRun, WorldDataset


class RevisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CapacityRevision
    extra = 0
    can_delete = False
    readonly_fields = ("action", "changed_by", "changed_at", "changes", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Capacity)
class CapacityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only here: changes go through the registry pages so that the rules and history apply."""

    list_display = ("county", "agency", "kind", "hs_code", "quantity", "unit", "year", "status")
    list_filter = ("status", "kind", "agency")
    search_fields = ("hs_code", "description", "source")
    inlines = [RevisionInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(WorldDataset)
class WorldDatasetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("source_name", "format", "source_revision", "rows", "countries", "products", "loaded_at")


@admin.register(ComplexityRun)
class ComplexityRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "dataset", "countries", "products", "computed_at")
