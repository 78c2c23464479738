"""Solar Hijri ⇄ Gregorian, in Python (jdatetime) and as vectorised DuckDB SQL.

The SQL form uses a list of Nowruz (1 Farvardin) dates computed once with jdatetime: a Solar
Hijri date is Nowruz of its year plus the day of the year (months 1–6 have 31 days, 7–11 have 30),
so whole columns convert without a Python loop or a join.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jdatetime

#: Solar Hijri years the SQL conversion covers (1921-03-21 … 2122).
FIRST_JALALI_YEAR = 1300
LAST_JALALI_YEAR = 1500


@lru_cache(maxsize=1)
def nowruz_dates() -> tuple[dt.date, ...]:
    """Gregorian date of 1 Farvardin for every Solar Hijri year FIRST…LAST (inclusive)."""
    return tuple(
        jdatetime.date(year, 1, 1).togregorian()
        for year in range(FIRST_JALALI_YEAR, LAST_JALALI_YEAR + 1)
    )


def jalali_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """Raises ValueError for an impossible Solar Hijri date."""
    return jdatetime.date(year, month, day).togregorian()


def gregorian_to_jalali(day: dt.date) -> tuple[int, int, int]:
    j = jdatetime.date.fromgregorian(date=day)
    return j.year, j.month, j.day


def _nowruz_list_sql() -> str:
    return "[" + ", ".join(f"DATE '{d.isoformat()}'" for d in nowruz_dates()) + "]"


def sql_nowruz_macro() -> str:
    """DDL of the DuckDB macros used by the normalisation SQL (create once per connection)."""
    nowruz = _nowruz_list_sql()
    first = FIRST_JALALI_YEAR
    return f"""
CREATE OR REPLACE MACRO payesh_nowruz(jy) AS
    CASE WHEN jy BETWEEN {first} AND {LAST_JALALI_YEAR} THEN ({nowruz})[jy - {first} + 1] END;
CREATE OR REPLACE MACRO payesh_jalali_year(d) AS
    CASE WHEN d >= payesh_nowruz(year(d) - 621) THEN year(d) - 621 ELSE year(d) - 622 END;
CREATE OR REPLACE MACRO payesh_jalali_doy(d) AS
    (d - payesh_nowruz(payesh_jalali_year(d)));
CREATE OR REPLACE MACRO payesh_jalali_month(d) AS
    CASE WHEN payesh_jalali_doy(d) < 186 THEN payesh_jalali_doy(d) // 31 + 1
         ELSE (payesh_jalali_doy(d) - 186) // 30 + 7 END;
CREATE OR REPLACE MACRO payesh_from_jalali(jy, jm, jd) AS
    CASE WHEN jm BETWEEN 1 AND 12 AND jd >= 1
          AND jd <= CASE WHEN jm <= 6 THEN 31 WHEN jm <= 11 THEN 30
                         ELSE payesh_nowruz(jy + 1) - payesh_nowruz(jy) - 336 END
         THEN payesh_nowruz(jy)
              + CAST(CASE WHEN jm <= 6 THEN (jm - 1) * 31 ELSE 186 + (jm - 7) * 30 END
                     + jd - 1 AS INTEGER)
    END;
"""


def sql_parse_date(expr: str) -> str:
    """DuckDB expression: VARCHAR (Latin digits already) → DATE, Gregorian or Solar Hijri.

    A year below 1700 means Solar Hijri (1402/07/15, 1402-7-15); otherwise Gregorian ISO
    (2023-10-07, 2023/10/07). A trailing time part (Excel cells) is ignored.
    """
    parts = f"string_split(regexp_replace(split_part(trim({expr}), ' ', 1), '[/.]', '-', 'g'), '-')"
    y = f"TRY_CAST({parts}[1] AS INTEGER)"
    m = f"TRY_CAST({parts}[2] AS INTEGER)"
    d = f"TRY_CAST({parts}[3] AS INTEGER)"
    return (
        f"CASE WHEN len({parts}) <> 3 THEN NULL "
        f"WHEN {y} < 1700 THEN payesh_from_jalali({y}, {m}, {d}) "
        f"ELSE TRY_CAST(printf('%04d-%02d-%02d', {y}, {m}, {d}) AS DATE) END"
    )
