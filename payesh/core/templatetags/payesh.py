from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.http import QueryDict
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


@register.simple_tag
def cell(value: object, kind: str) -> str:
    """A table cell as the page kit shows it (``{% cell value column.kind %}``)."""
    from payesh.core.charts import month_label

    language = get_language() or "fa"
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if kind == "usd":
        return formatting.format_usd(float(value), language)  # type: ignore[arg-type]
    if kind == "t":
        return formatting.format_tons(float(value), language)  # type: ignore[arg-type]
    if kind in ("pct", "pct_signed"):
        return formatting.format_percent(float(value), language, signed=kind == "pct_signed")  # type: ignore[arg-type]
    if kind in ("usd_t", "num", "int"):
        return formatting.format_number(float(value), language, 0)  # type: ignore[arg-type]
    if kind == "ratio":
        return formatting.format_number(float(value), language, 2)  # type: ignore[arg-type]
    if kind == "month":
        return month_label(int(value), language)  # type: ignore[call-overload]
    return str(value)


@register.simple_tag(takes_context=True)
def download_url(context: template.Context, table_id: str, fmt: str) -> str:
    """The current page's address with ``download=<table id>&format=<fmt>`` (the one download convention)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    params["download"], params["format"] = table_id, fmt
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def with_params(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed (``{% with_params level="chapter" %}``);
    an empty value removes the parameter."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in ("download", "format"):
        params.pop(name, None)
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = str(value)
    return "?" + params.urlencode()
