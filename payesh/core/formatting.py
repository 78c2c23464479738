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
    if value is None or value != value:  # None or NaN
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


def format_usd(value: float | None, language: str | None) -> str:
    """Money in the units officials use: $1.21 bn / ۱٫۲۱ میلیارد دلار."""
    if value is None or value != value:  # NaN
        return "–"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    steps = ((1e9, "bn", "میلیارد دلار", 2), (1e6, "M", "میلیون دلار", 1), (1e3, "k", "هزار دلار", 1))
    for size, en, fa, decimals in steps:
        if magnitude >= size:
            number = format_number(magnitude / size, language, decimals)
            return f"{sign}{number} {fa}" if is_persian(language) else f"{sign}${number.replace(',', '')} {en}"
    number = format_number(magnitude, language, 0)
    return f"{sign}{number} دلار" if is_persian(language) else f"{sign}${number}"


def format_percent(value: float | None, language: str | None, signed: bool = False) -> str:
    if value is None or value != value:
        return "–"
    text = format_number(abs(value), language, 1)
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ("−" if value < 0 else "")
    return f"{sign}{text}٪" if is_persian(language) else f"{sign}{text}%"


def format_tons(value: float | None, language: str | None) -> str:
    if value is None or value != value:
        return "–"
    if abs(value) >= 1e6:
        number = format_number(value / 1e6, language, 2)
        return f"{number} میلیون تن" if is_persian(language) else f"{number} Mt"
    if abs(value) >= 1e3:
        number = format_number(value / 1e3, language, 1)
        return f"{number} هزار تن" if is_persian(language) else f"{number} kt"
    number = format_number(value, language, 0)
    return f"{number} تن" if is_persian(language) else f"{number} t"
