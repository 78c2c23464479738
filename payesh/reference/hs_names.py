"""Persian names of HS headings and subheadings (the project's own translation).

Atlas' nomenclature files name HS codes in English only; ``data/hs_names_fa.csv`` gives every
4-digit heading of HS92, HS12 and HS22 and the 6-digit subheadings the demo region trades a
Persian name (see ``data/README.md``). ``load_hs`` applies them when it builds ``HSProduct`` rows.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

NAMES_FILE = Path(__file__).resolve().parent / "data" / "hs_names_fa.csv"


@cache
def hs_persian_names(path: Path = NAMES_FILE) -> dict[str, str]:
    """HS code (4 or 6 digits) → Persian name; a code not translated is absent."""
    names: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, name = (row.get("code") or "").strip(), (row.get("name_fa") or "").strip()
            if not (code.isdigit() and len(code) in (4, 6)) or not name:
                # A broken row is a bug in our own data file: say where, never skip silently.
                raise ValueError(f"{path.name} line {line}: code {code!r} must be 4 or 6 digits with a "
                                 f"non-empty name_fa (got {name!r}).")
            names[code] = name
    return names
