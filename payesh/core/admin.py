from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from payesh.core.models import User


class HistoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """The admin of every model that keeps history: the history list and each past version, read-only.

    ``SIMPLE_HISTORY_REVERT_DISABLED`` only hides django-simple-history's "Revert" button; a POST to a
    past version's page would still save that version over the object (even for a user who may only
    view). Here that page answers GET only.
    """

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, object] | None = None) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra_context)
        return response


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin):  # type: ignore[misc]
    """Users with their history (role and agency changes; never the password hash), read-only."""

    list_display = ["username", "first_name", "last_name", "role", "agency", "language", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or []),
        (_("Payesh"), {"fields": ["role", "agency", "language"]}),
    ]
