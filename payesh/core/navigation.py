"""The site's navigation as data: one entry per built part of the mission.

A part is listed only when it exists; parts register here as they are built.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    needs_login: bool = False
    needs_staff: bool = False


NAVIGATION: list[NavItem] = [
    NavItem("home", _("Home")),
    NavItem("monitoring:overview", _("Monitoring")),
    NavItem("monitoring:explorer", _("Explorer")),
    NavItem("capabilities:index", _("Capability mapping"), needs_login=True),
    NavItem("strategy:index", _("Strategic document"), needs_login=True),
    NavItem("ledger:batches", _("Trade ledger"), needs_login=True),
    NavItem("reference:index", _("Reference data")),
    NavItem("admin:index", _("Administration"), needs_login=True, needs_staff=True),
]


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    items: list[dict[str, object]] = []
    for item in NAVIGATION:
        if item.needs_login and not (user and user.is_authenticated):
            continue
        if item.needs_staff and not (user and user.is_staff):
            continue
        items.append({"url": reverse(item.url_name), "label": item.label, "active": False})
    # The longest URL that prefixes the path is the current part (explorer inside monitoring, …).
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(str(i["url"])))]
    if matches:
        max(matches, key=lambda i: len(str(i["url"])))["active"] = True
    return items
