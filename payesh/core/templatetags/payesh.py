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


@register.filter
def usd(value: float | None) -> str:
    return formatting.format_usd(value, get_language())


@register.filter
def pct(value: float | None, signed: str = "") -> str:
    return formatting.format_percent(value, get_language(), signed=bool(signed))


@register.filter
def tons(value: float | None) -> str:
    return formatting.format_tons(value, get_language())


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    """``record|get:"column"`` for column names computed at run time."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def get_index(sequence: tuple[str, ...] | list[str], index: str | int) -> str:
    try:
        return sequence[int(index)]
    except (IndexError, ValueError, TypeError):
        return ""
