"""Each world-data source's own country codes: loaded into :class:`SourceCountryCode`, read by the ledger.

BACI and UN Comtrade number countries with UN M49 codes *except* where they do not (842 USA,
251 France, 699 India, 757 Switzerland, 579 Norway, 490 "Other Asia, nes" …); the Atlas uses ISO3
with a few historical codes. The table holds, for each of these sources:

* every country of the reference table under its M49 code (BACI, Comtrade) or its ISO3 (Atlas),
  except where the source uses a code of its own instead (``instead_of`` in the CSV: BACI has no
  840, only 842);
* the rows of ``data/source_country_codes.csv``, written for this project from the sources'
  published code lists: the exceptions above, historical groupings (Belgium-Luxembourg before 1999)
  and the areas that are not countries (``WLD`` the world, ``XNS`` areas not elsewhere specified).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from payesh.reference.models import Country, SourceCountryCode

CSV_PATH = Path(__file__).resolve().parent / "data" / "source_country_codes.csv"
NUMERIC_SOURCES = ("baci", "comtrade")
ISO3_SOURCES = ("atlas",)
#: Codes of the table that are areas, not countries: accepted as partners by the ledger.
AREA_NAMES = {"WLD": ("World", "جهان"), "XNS": ("Areas not elsewhere specified", "مناطق نامشخص")}


def _csv_rows() -> Iterator[dict[str, str]]:
    with open(CSV_PATH, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def source_country_rows() -> list[dict[str, str]]:
    """Every (source, code) → iso3 row: the generated defaults overlaid with the CSV."""
    listed = list(_csv_rows())
    rows: dict[tuple[str, str], dict[str, str]] = {}
    countries = list(Country.objects.values_list("iso3", "m49", "name_en"))
    for source in NUMERIC_SOURCES:
        replaced = {row["instead_of"] for row in listed if row["source"] == source and row["instead_of"]}
        for iso3, m49, name in countries:
            if m49 is not None and str(m49) not in replaced:
                rows[(source, str(m49))] = {"source": source, "code": str(m49), "iso3": iso3, "name_en": name,
                                            "note": "UN M49"}
    for source in ISO3_SOURCES:
        for iso3, _m49, name in countries:
            rows[(source, iso3)] = {"source": source, "code": iso3, "iso3": iso3, "name_en": name, "note": "ISO3"}
    for row in listed:
        rows[(row["source"], row["code"])] = {"source": row["source"], "code": row["code"], "iso3": row["iso3"],
                                              "name_en": row["name_en"], "note": row["note"]}
    return list(rows.values())


def load_source_country_codes(overwrite: bool = False) -> int:
    """Load the table; rows an administrator changed are kept unless ``overwrite``."""
    rows = source_country_rows()
    existing = {(r.source, r.code): r for r in SourceCountryCode.objects.all()}
    new = [SourceCountryCode(**row) for row in rows if (row["source"], row["code"]) not in existing]
    SourceCountryCode.objects.bulk_create(new, batch_size=2000)
    if overwrite:
        changed = []
        for row in rows:
            current = existing.get((row["source"], row["code"]))
            if current is not None and (current.iso3, current.name_en, current.note) != (
                    row["iso3"], row["name_en"], row["note"]):
                current.iso3, current.name_en, current.note = row["iso3"], row["name_en"], row["note"]
                changed.append(current)
        SourceCountryCode.objects.bulk_update(changed, ["iso3", "name_en", "note"], batch_size=2000)
    return len(rows)


def source_country_map() -> dict[str, dict[str, str]]:
    """``{source: {code: iso3}}`` for :class:`payesh.ledger.core.ReferenceCodes`."""
    mapping: dict[str, dict[str, str]] = {}
    for source, code, iso3 in SourceCountryCode.objects.values_list("source", "code", "iso3"):
        mapping.setdefault(source, {})[code] = iso3
    return mapping


def area_codes() -> frozenset[str]:
    """Area codes of the table that are not countries (``WLD``, ``XNS``): valid partners of world rows."""
    return frozenset(AREA_NAMES)
