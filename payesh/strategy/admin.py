"""Admin: read-only views with history of what the pages write (the pages apply the rules); missions
(agencies' duty lists) and voting rules are edited here by administrators."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from payesh.strategy import models as m


class ReadOnlyAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class DutyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.Duty
    extra = 1
    filter_horizontal = ("goals", "actions")


@admin.register(m.Mission)
class MissionAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("agency", "number", "valid_from")
    list_filter = ("agency",)
    inlines = [DutyInline]


@admin.register(m.VotingRule)
class VotingRuleAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "chair", "chair_must_approve")


@admin.register(m.Document)
class DocumentAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("title_en", "region", "created_at")


for model, columns in (
    (m.Version, ("document", "number", "status", "decided_at")),
    (m.Goal, ("version", "code", "title_en", "weight")),
    (m.Kpi, ("version", "code", "name_en", "source", "measure", "cuts")),
    (m.Action, ("version", "code", "title_en", "agency", "due_date")),
    (m.ProgressReport, ("action", "agency", "percent", "review_status", "reported_on")),
    (m.KpiReport, ("kpi", "agency", "year", "value", "review_status")),
    (m.ViewpointRound, ("version", "deadline", "closed_at")),
    (m.Viewpoint, ("round", "agency", "disposition")),
    (m.Vote, ("version", "member", "choice", "cast_at")),
):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": columns}))
