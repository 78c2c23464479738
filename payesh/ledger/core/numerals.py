"""Persian (۰-۹) and Arabic-Indic (٠-٩) digits, separators, and name normalisation.

The same rules exist twice: as Python functions (for headers and small maps) and as DuckDB SQL
expressions (for whole columns, so the fast path never loops over rows in Python).
"""

from __future__ import annotations

import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"
#: Thousands separators: Arabic thousands separator U+066C, comma, Arabic comma U+060C, NBSP, space.
THOUSANDS_SEPARATORS = "٬,،\u00a0\u202f "
#: Decimal separators mapped to '.': Arabic decimal separator U+066B and '/' is NOT one (dates).
DECIMAL_SEPARATOR = "٫"

_DIGIT_TABLE = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
_NUMBER_TABLE = str.maketrans(
    PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + DECIMAL_SEPARATOR,
    LATIN_DIGITS * 2 + ".",
    THOUSANDS_SEPARATORS,
)
# Arabic letters that Persian text often carries: kaf and yeh variants, tatweel, ZWNJ.
_NAME_TABLE = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "ـ": None, "\u200c": " "})
_SPACES = re.compile(r"\s+")


def to_latin_digits(text: str) -> str:
    """'۱۴۰۲/۰۷/۱۵' → '1402/07/15'."""
    return text.translate(_DIGIT_TABLE)


def parse_number(text: str | None) -> float | None:
    """'۱٬۲۳۴٫۵' → 1234.5; empty → None; raises ValueError on anything else."""
    if text is None:
        return None
    cleaned = text.strip().translate(_NUMBER_TABLE)
    if cleaned == "":
        return None
    return float(cleaned)


def normalize_name(text: str) -> str:
    """Key for Persian-name lookups: NFKC, Persian letters, one space, lower-case Latin."""
    text = unicodedata.normalize("NFKC", text).translate(_NAME_TABLE)
    return _SPACES.sub(" ", text).strip().lower()


def sql_number(expr: str) -> str:
    """DuckDB expression turning a VARCHAR with any digits/separators into DOUBLE (NULL if bad)."""
    src = PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + DECIMAL_SEPARATOR
    dst = LATIN_DIGITS * 2 + "."
    # translate() drops characters of `from` that have no counterpart in `to`: the separators.
    src += THOUSANDS_SEPARATORS
    # translate() on Unicode is ~10x slower than the cast: skip it for pure-ASCII values.
    return (f"TRY_CAST(NULLIF(CASE WHEN strlen({expr}) = length({expr}) THEN replace(trim({expr}), ',', '') "
            f"ELSE translate(trim({expr}), '{src}', '{dst}') END, '') AS DOUBLE)")


def sql_digits(expr: str) -> str:
    """DuckDB expression mapping Persian/Arabic-Indic digits to Latin ones and trimming."""
    table = f"'{PERSIAN_DIGITS + ARABIC_INDIC_DIGITS}', '{LATIN_DIGITS * 2}'"
    # translate() on Unicode is slow: pure-ASCII values (strlen = length) skip it.
    return f"trim(CASE WHEN strlen({expr}) = length({expr}) THEN {expr} ELSE translate({expr}, {table}) END)"
