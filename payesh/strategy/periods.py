"""Solar Hijri date rules of the strategy app: reading dates people type, adding months, reporting periods."""

from __future__ import annotations

import datetime as dt
import re

import jdatetime
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_DATE = re.compile(r"^\s*(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})\s*$")


def parse_date(text: str) -> dt.date:
    """``1403/05/12`` (Solar Hijri, Persian or Latin digits) or ``2024-08-02`` (Gregorian) → a date.

    The year tells the calendars apart: below 1700 it is Solar Hijri. An impossible date (month 13,
    day 32, 30 Esfand in a common year) is refused naming the value.
    """
    clean = (text or "").translate(_PERSIAN_DIGITS)
    match = _DATE.match(clean)
    if not match:
        raise ValidationError(_("%(value)s is not a date; write it as 1403/05/12 (Solar Hijri) or 2024-08-02.")
                              % {"value": text})
    year, month, day = (int(g) for g in match.groups())
    try:
        if year < 1700:
            return jdatetime.date(year, month, day).togregorian()
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("%(value)s is not a date that exists in the calendar.") % {"value": text}) from None


def jalali_key(day: dt.date) -> int:
    """yyyymm of the Solar Hijri month that contains ``day``."""
    j = jdatetime.date.fromgregorian(date=day)
    return j.year * 100 + j.month


def jalali_year(day: dt.date) -> int:
    return int(jdatetime.date.fromgregorian(date=day).year)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole Solar Hijri months; the day of the month is clamped to the month's length."""
    j = jdatetime.date.fromgregorian(date=day)
    total = j.year * 12 + (j.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    length = 31 if month <= 6 else 30 if month <= 11 else (30 if jdatetime.date(year, 1, 1).isleap() else 29)
    return jdatetime.date(year, month, min(j.day, length)).togregorian()


def report_due_dates(start: dt.date, due: dt.date, every_months: int, today: dt.date) -> list[dt.date]:
    """Ends of the reporting periods of an action that have passed by ``today``: every ``every_months``
    months from the start, and the due date itself (the final report)."""
    dates: list[dt.date] = []
    k = 1
    while True:
        end = add_months(start, k * every_months)
        if end >= due:
            break
        if end > today:
            return dates
        dates.append(end)
        k += 1
    if due <= today:
        dates.append(due)
    return dates
