from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.translation import get_language

from payesh.core import formatting

register = template.Library()


@register.filter
def jdate(value: dt.date | dt.datetime | None, style: str = "") -> str:
    """Solar Hijri in Persian, Gregorian in English; ``|jdate:"long"`` spells the month."""
    return formatting.format_date(value, get_language(), long=style == "long")


@register.filter
def num(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """Thousands separators, and Persian digits in the Persian interface."""
    return formatting.format_number(value, get_language(), int(decimals))


@register.filter
def digits(value: object) -> str:
    """Persian digits in the Persian interface for any text (codes stay Latin if not passed)."""
    text = "" if value is None else str(value)
    return formatting.persian_digits(text) if formatting.is_persian(get_language()) else text
