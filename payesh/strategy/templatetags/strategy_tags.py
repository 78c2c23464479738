from __future__ import annotations

from django import template
from django.utils.translation import get_language

from payesh.core import formatting

register = template.Library()


@register.filter
def kv(value: float | int | None) -> str:
    """A KPI value: whole numbers from 100 up (dollars and tonnes need no cents), two decimals below."""
    if value is None:
        return "–"
    return formatting.format_number(value, get_language(), 0 if abs(value) >= 100 else 2)
