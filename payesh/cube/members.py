"""The members a cut may name: a cut on a member that does not exist is an error, not an empty answer.

Members of coded levels come from the published dimension tables (the reference data, see
``payesh.reference.services.dimensions_publish``) or from the ledger's fixed vocabularies. Levels
with no closed list (periods, batches, sources) are not checked here; their syntax is checked by
``CubeQuery.validate``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from payesh.cube.model import CUBE
from payesh.cube.query import CubeError, CubeQuery, Cut
from payesh.ledger.core import CHANNELS, FLOWS, TRANSPORT_MODES

# level → (dimension table, key column, HS level of dim_product rows or None)
MEMBER_TABLES: dict[str, tuple[str, str, int | None]] = {
    "partner": ("dim_country", "iso3", None),
    "reporter": ("dim_country", "iso3", None),
    "partner_region": ("dim_region", "code", None),
    "section": ("dim_section", "section", None),
    "chapter": ("dim_product", "code", 2),
    "heading": ("dim_product", "code", 4),
    "subheading": ("dim_product", "code", 6),
    "office": ("dim_office", "code", None),
    "office_province": ("dim_province", "code", None),
    "origin_province": ("dim_province", "code", None),
    "origin_county": ("dim_county", "code", None),
    "border_market": ("dim_market", "code", None),
}
FIXED_MEMBERS: dict[str, frozenset[str]] = {
    "flow": frozenset(FLOWS), "channel": frozenset(CHANNELS), "transport_mode": frozenset(TRANSPORT_MODES),
}


@lru_cache(maxsize=32)
def _members(path: str, mtime_ns: int, column: str, hs_level: int | None) -> frozenset[str]:
    table = pq.read_table(path, columns=[column, "level"] if hs_level is not None else [column])
    if hs_level is not None:
        table = table.filter(pc.equal(table["level"], hs_level))
    return frozenset(str(v) for v in table[column].to_pylist() if v is not None)


def level_members(level: str, dims_dir: Path) -> frozenset[str] | None:
    """Every member of ``level`` (as text), or None when the level has no closed list here."""
    if level in FIXED_MEMBERS:
        return FIXED_MEMBERS[level]
    if level not in MEMBER_TABLES:
        return None
    table, column, hs_level = MEMBER_TABLES[level]
    path = dims_dir / f"{table}.parquet"
    if not path.exists():
        return None  # not published yet: nothing to check against (the answer is then empty)
    return _members(str(path), path.stat().st_mtime_ns, column, hs_level)


def members_check(cuts: tuple[Cut, ...], dims_dir: Path) -> None:
    """:class:`CubeError` naming the first member of a cut that its level does not have."""
    for cut in cuts:
        known = level_members(cut.level, dims_dir)
        if known is None:
            continue
        # Section keys are integers: "02" and "2" are the same section.
        normalise = (lambda v: str(int(v))) if CUBE.levels[cut.level].key_type == "int" else (lambda v: v)
        for value in cut.values:
            if normalise(value) not in known:
                level = CUBE.levels[cut.level]
                raise CubeError("exclude" if cut.exclude else "cut", f"{cut.level} ({level.label_en}) has no member {value!r}; "
                                        f"see /api/cube?drilldowns={cut.level} for its members")


def query_members_check(query: CubeQuery, dims_dir: Path) -> None:
    members_check(query.cuts, dims_dir)
