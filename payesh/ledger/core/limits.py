"""Bounds on what one load may hold, each configurable by an environment variable.

Framework-free: read from ``os.environ`` (Django's settings read the same variables at start-up
through :func:`limits_from_env`, so a bad value stops the site before any upload). Every refusal
names the limit and the variable that changes it (see ``docs/ledger-formats.md``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

MB = 1 << 20


def _default_bounds() -> dict[str, float]:
    return dict(DEFAULT_BOUNDS)


#: Plausible bound of each numeric column (absolute value). A single declaration line above these
#: is a unit or typing error (rials as dollars, grams as kilograms); aggregated Comtrade/BACI rows
#: of the largest exporters stay below them.
DEFAULT_BOUNDS: dict[str, float] = {
    "value_usd": 1e12,  # a trillion dollars: more than any country's exports of one product
    "net_weight_kg": 1e12,  # a billion tonnes
    "quantity": 1e13,
    "value_rial": 1e18,  # a trillion dollars at a million rials per dollar
    "rial_per_usd": 1e8,
}

#: Column → environment variable of its bound.
BOUND_VARIABLES: dict[str, str] = {
    "value_usd": "PAYESH_LEDGER_MAX_VALUE_USD",
    "net_weight_kg": "PAYESH_LEDGER_MAX_NET_WEIGHT_KG",
    "quantity": "PAYESH_LEDGER_MAX_QUANTITY",
    "value_rial": "PAYESH_LEDGER_MAX_VALUE_RIAL",
    "rial_per_usd": "PAYESH_LEDGER_MAX_RIAL_PER_USD",
}


@dataclass(frozen=True)
class Limits:
    """What one load may hold. Defaults keep ingest within its 2 GB memory bar."""

    max_file_bytes: int = 2048 * MB
    #: Sum of the uncompressed sizes of an XLSX's zip members, or of a Parquet file's row groups.
    max_unzipped_bytes: int = 2048 * MB
    #: Uncompressed / compressed size of one zip member (zip bombs compress 1000:1 and more).
    max_zip_ratio: float = 200.0
    #: openpyxl holds the shared-strings table in memory: its uncompressed size is bounded.
    max_shared_strings_bytes: int = 128 * MB
    #: Uncompressed size of one Parquet row group (pyarrow decodes a row group at a time).
    max_row_group_bytes: int = 256 * MB
    #: Characters in one cell (Excel's own limit is 32,767).
    max_cell_chars: int = 32_767
    max_sheets: int = 100
    #: 120 Persian characters take 240 bytes: within the 255 a file name may take on disk.
    max_filename_chars: int = 120
    bounds: dict[str, float] = field(default_factory=_default_bounds)


#: Field → (environment variable, unit factor, description) for the scalar limits.
LIMIT_VARIABLES: dict[str, tuple[str, int, str]] = {
    "max_file_bytes": ("PAYESH_LEDGER_MAX_FILE_MB", MB, "largest file a load accepts, MB"),
    "max_unzipped_bytes": ("PAYESH_LEDGER_MAX_UNZIPPED_MB", MB,
                           "largest uncompressed content of an XLSX or Parquet file, MB"),
    "max_zip_ratio": ("PAYESH_LEDGER_MAX_ZIP_RATIO", 1, "largest compression ratio of an XLSX member"),
    "max_shared_strings_bytes": ("PAYESH_LEDGER_MAX_SHARED_STRINGS_MB", MB,
                                 "largest shared-strings table of an XLSX, MB (held in memory)"),
    "max_row_group_bytes": ("PAYESH_LEDGER_MAX_ROW_GROUP_MB", MB,
                            "largest uncompressed Parquet row group, MB (decoded at once)"),
    "max_cell_chars": ("PAYESH_LEDGER_MAX_CELL_CHARS", 1, "most characters in one cell"),
    "max_sheets": ("PAYESH_LEDGER_MAX_SHEETS", 1, "most sheets in a workbook"),
    "max_filename_chars": ("PAYESH_LEDGER_MAX_FILENAME_CHARS", 1, "longest file name, characters"),
}


def variable_of(limit: str) -> str:
    """The environment variable that sets ``limit`` (a field of Limits or a bounded column)."""
    return LIMIT_VARIABLES[limit][0] if limit in LIMIT_VARIABLES else BOUND_VARIABLES[limit]


def _positive(name: str, raw: str) -> float:
    try:
        value = float(raw.strip().replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={raw!r} is not a positive number.")
    return value


def limits_from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """Limits from the environment; ValueError naming the variable on a bad value."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Limits):
        if f.name in LIMIT_VARIABLES:
            name, factor, _ = LIMIT_VARIABLES[f.name]
            raw = environ.get(name, "")
            if raw.strip():
                number = _positive(name, raw)
                values[f.name] = number * factor if f.name == "max_zip_ratio" else int(number * factor)
    bounds = _default_bounds()
    for column, name in BOUND_VARIABLES.items():
        raw = environ.get(name, "")
        if raw.strip():
            bounds[column] = _positive(name, raw)
    return Limits(**values, bounds=bounds)  # type: ignore[arg-type]


def settings_doc() -> dict[str, tuple[str, str]]:
    """Variable → (default, description), for the README/.env.example documentation test."""
    doc: dict[str, tuple[str, str]] = {}
    defaults = Limits()
    for limit, (name, factor, description) in LIMIT_VARIABLES.items():
        value = getattr(defaults, limit) / factor
        doc[name] = (f"{value:g}", description)
    for column, name in BOUND_VARIABLES.items():
        doc[name] = (f"{DEFAULT_BOUNDS[column]:g}", f"plausible bound of {column} (absolute value)")
    return doc
