from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from payesh import __version__
from payesh.core.navigation import navigation_for


def payesh(request: HttpRequest) -> dict[str, Any]:
    return {
        "payesh_version": __version__,
        "is_rtl": get_language_bidi(),
        "current_language": get_language(),
        "navigation": navigation_for(request),
    }
