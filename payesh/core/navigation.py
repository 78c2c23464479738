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
        url = reverse(item.url_name)
        active = request.path == url if item.url_name == "home" else request.path.startswith(url)
        items.append({"url": url, "label": item.label, "active": active})
    return items
