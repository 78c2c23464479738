"""Display formatting for both languages: Solar Hijri dates and Persian digits in Persian,
Gregorian dates and Latin digits in English. Pure functions; the template filters wrap them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
PERSIAN_THOUSANDS = "٬"
PERSIAN_DECIMAL = "٫"

JALALI_MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
JALALI_MONTHS_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand")


def is_persian(language: str | None) -> bool:
    return (language or "fa").startswith("fa")


def persian_digits(text: str) -> str:
    return text.translate(PERSIAN_DIGITS)


def format_number(value: float | int | Decimal | None, language: str | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if not is_persian(language):
        return text
    text = text.replace(",", "\x00").replace(".", PERSIAN_DECIMAL).replace("\x00", PERSIAN_THOUSANDS)
    return persian_digits(text)


def to_jalali(value: dt.date) -> jdatetime.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return jdatetime.date.fromgregorian(date=value)


def format_date(value: dt.date | dt.datetime | None, language: str | None, long: bool = False) -> str:
    """1403/01/01 (or «۱ فروردین ۱۴۰۳») in Persian; 2024-03-20 (or 20 March 2024) in English."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        day = value.date()
    else:
        day = value
    if is_persian(language):
        j = to_jalali(day)
        text = f"{j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}" if long else f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
        if isinstance(value, dt.datetime):
            text += f" {value:%H:%M}"
        return persian_digits(text)
    text = day.strftime("%-d %B %Y") if long else day.isoformat()
    if isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return text
