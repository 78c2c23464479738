from __future__ import annotations

from django.contrib import admin

from payesh.capabilities.models import Capacity
from payesh.core.admin import HistoryAdmin


@admin.register(Capacity)
class CapacityAdmin(HistoryAdmin):
    """Read-only here: changes go through the registry pages so that the review rules apply.

    The history view (django-simple-history) lists every recorded change, read-only (HistoryAdmin).
    """

    list_display = ("county", "agency", "kind", "hs_code", "quantity", "unit", "year", "review_status")
    list_filter = ("review_status", "kind", "agency")
    search_fields = ("hs_code", "description", "source")
    history_list_display = ("review_status", "quantity", "history_change_reason")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
