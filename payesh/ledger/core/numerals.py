"""Persian (۰-۹) and Arabic-Indic (٠-٩) digits, separators, and name normalisation.

The same rules exist twice: as Python functions (for headers and small maps) and as DuckDB SQL
expressions (for whole columns, so the fast path never loops over rows in Python).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"
#: Thousands separators: Arabic thousands separator U+066C, comma, Arabic comma U+060C, NBSP, space
#: (',' and '.' only as the file's convention says: see :func:`sql_number`).
THOUSANDS_SEPARATORS = "٬,،\u00a0\u202f "
#: Decimal separators mapped to '.': Arabic decimal separator U+066B and '/' is NOT one (dates).
DECIMAL_SEPARATOR = "٫"

_DIGIT_TABLE = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
# Arabic letters that Persian text often carries: kaf and yeh variants, tatweel, ZWNJ.
_NAME_TABLE = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "ـ": None, "\u200c": " "})
_SPACES = re.compile(r"\s+")


def to_latin_digits(text: str) -> str:
    """'۱۴۰۲/۰۷/۱۵' → '1402/07/15'."""
    return text.translate(_DIGIT_TABLE)


#: Decimal conventions a file may follow: '.' (1,234.5), ',' (1.234,5) or undetermined.
Convention = Literal["point", "comma", "unknown"]

# After digits are Latin and unambiguous separators (space, NBSP, ٬, ،) are dropped, '٫' is 'D':
# a number in each convention (grouped integer part, optional fraction and exponent) …
_EXPONENT = "([eE][+-]?[0-9]+)?"
POINT_FORM = rf"[+-]?([0-9]*|[1-9][0-9]{{0,2}}(,[0-9]{{3}})+)(\.[0-9]*)?{_EXPONENT}"
COMMA_FORM = rf"[+-]?([0-9]*|[1-9][0-9]{{0,2}}(\.[0-9]{{3}})+)(,[0-9]*)?{_EXPONENT}"
# … and the one shape that reads both ways (1,500 = 1500 or 1.5; 12.345 = 12345 or 12.345).
AMBIGUOUS_FORM = r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}"
_DROPPED = "٬،\u00a0\u202f "
_ASCII_NUMBER_TABLE = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + DECIMAL_SEPARATOR,
                                    LATIN_DIGITS * 2 + "D", _DROPPED)


def ascii_number(text: str) -> str:
    """The number as :func:`sql_ascii_number` sees it: Latin digits, no spaces, '٫' as 'D'."""
    return text.strip().translate(_ASCII_NUMBER_TABLE)


def parse_number(text: str | None, convention: Convention = "point") -> float | None:
    """'۱٬۲۳۴٫۵' → 1234.5, '1.234,5' with convention 'comma' → 1234.5; empty → None.

    Raises ValueError on anything else, including a value ambiguous under ``convention``.
    The same rules as :func:`sql_number`, for single values.
    """
    if text is None:
        return None
    cleaned = ascii_number(text)
    if cleaned == "":
        return None
    if "D" in cleaned:
        return float(cleaned.replace(",", "").replace(".", "").replace("D", "."))
    if "," not in cleaned and "." not in cleaned:
        return float(cleaned)
    if convention == "point" and re.fullmatch(POINT_FORM, cleaned):
        return float(cleaned.replace(",", ""))
    if convention == "comma" and re.fullmatch(COMMA_FORM, cleaned):
        return float(cleaned.replace(".", "").replace(",", "."))
    raise ValueError(f"{text!r} is not a number in convention {convention!r}")


def normalize_name(text: str) -> str:
    """Key for Persian-name lookups: NFKC, Persian letters, one space, lower-case Latin."""
    text = unicodedata.normalize("NFKC", text).translate(_NAME_TABLE)
    return _SPACES.sub(" ", text).strip().lower()


def sql_ascii_number(expr: str) -> str:
    """DuckDB: VARCHAR → the number's text with Latin digits, without space-like or Arabic thousands
    separators, and with the Arabic decimal separator '٫' as 'D' (it is a decimal mark in every
    convention). ',' and '.' are left for the file's convention to decide."""
    src = PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + DECIMAL_SEPARATOR + _DROPPED
    dst = LATIN_DIGITS * 2 + "D"
    # translate() on Unicode is ~10x slower than the cast: skip it for pure-ASCII values.
    return (f"CASE WHEN strlen({expr}) = length({expr}) THEN replace(trim({expr}), ' ', '') "
            f"ELSE translate(trim({expr}), '{src}', '{dst}') END")


def sql_number(expr: str, convention: Convention = "point", *, ascii_expr: str | None = None) -> str:
    """DuckDB expression turning a VARCHAR with any digits/separators into DOUBLE (NULL if bad).

    ``convention`` is the file's decimal mark: with 'point', ',' groups thousands (1,234.5);
    with 'comma', '.' groups them (1.234,5); with 'unknown', a value holding ',' or '.' is NULL
    (never a guess). NaN and infinity come back as such (the checks refuse them by name).
    ``ascii_expr``: :func:`sql_ascii_number` of ``expr`` when computed once in an inner query.
    """
    text = ascii_expr or sql_ascii_number(expr)
    point = f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)"
    comma = f"TRY_CAST(replace(replace({text}, '.', ''), ',', '.') AS DOUBLE)"
    by_convention = {
        "point": f"WHEN regexp_full_match({text}, '{POINT_FORM}') THEN {point}",
        "comma": f"WHEN regexp_full_match({text}, '{COMMA_FORM}') THEN {comma}",
        "unknown": "",
    }[convention]
    return (f"CASE WHEN {text} = '' THEN NULL "
            f"WHEN contains({text}, 'D') THEN TRY_CAST(replace(replace(replace({text}, ',', ''), '.', ''), 'D', '.') AS DOUBLE) "
            f"WHEN NOT regexp_matches({text}, '[.,]') THEN TRY_CAST({text} AS DOUBLE) "
            f"{by_convention} END")


def sql_number_problem(convention: Convention, ascii_expr: str) -> str:
    """DuckDB: the rule id for a value :func:`sql_number` could not read (given it could not)."""
    other = {"point": COMMA_FORM, "comma": POINT_FORM}.get(convention)
    conflict = (f"WHEN regexp_full_match({ascii_expr}, '{other}') THEN 'number_convention_conflict' "
                if other else "")
    ambiguous = (f"WHEN regexp_full_match({ascii_expr}, '{POINT_FORM}') OR regexp_full_match({ascii_expr}, "
                 f"'{COMMA_FORM}') THEN 'number_ambiguous' " if convention == "unknown" else "")
    return f"CASE {ambiguous}{conflict}ELSE 'number_invalid' END"


def sql_digits(expr: str) -> str:
    """DuckDB expression mapping Persian/Arabic-Indic digits to Latin ones and trimming."""
    table = f"'{PERSIAN_DIGITS + ARABIC_INDIC_DIGITS}', '{LATIN_DIGITS * 2}'"
    # translate() on Unicode is slow: pure-ASCII values (strlen = length) skip it.
    return f"trim(CASE WHEN strlen({expr}) = length({expr}) THEN {expr} ELSE translate({expr}, {table}) END)"
