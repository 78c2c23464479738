from __future__ import annotations

import datetime as dt

from payesh.core.formatting import format_date, format_number


def test_nowruz_1403_is_20_march_2024_in_both_languages() -> None:
    day = dt.date(2024, 3, 20)
    assert format_date(day, "fa") == "۱۴۰۳/۰۱/۰۱"
    assert format_date(day, "fa", long=True) == "۱ فروردین ۱۴۰۳"
    assert format_date(day, "en") == "2024-03-20"
    assert format_date(day, "en", long=True) == "20 March 2024"


def test_numbers_use_persian_digits_and_separators_in_persian() -> None:
    assert format_number(1234567.891, "fa", 2) == "۱٬۲۳۴٬۵۶۷٫۸۹"
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert format_number(None, "fa") == "–"
