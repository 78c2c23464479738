"""Load reference data from installed packages and the project's own files. Nothing is downloaded.

Sources:
- countries: atlas-common-data ``classification/location`` (ISO codes, groups), Persian names from
  babel's CLDR data, neighbours of Iran from ``NEIGHBOURS_OF_IRAN``;
- HS92/HS12/HS22: atlas-common-data ``classification/product``; section and chapter names (Persian too)
  from ``payesh/reference/data``; concordance weights composed from the Growth Lab conversion weights;
- provinces, counties, customs offices, border markets, agencies: ``payesh/reference/data/*.csv``.

``reference_load`` is idempotent: it upserts by natural key, so running it again changes nothing, and
rows an administrator edited keep their edits unless ``overwrite=True``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import models, transaction

from payesh.reference import models as ref
from payesh.reference.country_codes import load_source_country_codes
from payesh.reference.hs_names import hs_persian_names

DATA_DIR = Path(__file__).resolve().parent / "data"

# Land neighbours, and neighbours across the Caspian Sea, the Persian Gulf and the Sea of Oman.
NEIGHBOURS_OF_IRAN: dict[str, str] = {
    "AFG": "land", "ARM": "land", "AZE": "both", "IRQ": "land", "PAK": "both", "TUR": "land",
    "TKM": "both", "RUS": "sea", "KAZ": "sea", "KWT": "sea", "SAU": "sea", "BHR": "sea", "QAT": "sea",
    "ARE": "sea", "OMN": "sea",
}

# Growth Lab names the HS revisions H0…H6.
ATLAS_REVISIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12", "H5": "HS17",
                   "H6": "HS22"}
ATLAS_CHAIN = ["H0", "H1", "H2", "H3", "H4", "H5", "H6"]
HS_FILES = {"HS92": "hs92.csv", "HS12": "hs12.csv", "HS22": "hs22.csv"}
# Revisions whose nomenclature is loaded, and between which composed weights are stored.
CONCORDANCE_PAIRS = [("HS92", "HS12"), ("HS12", "HS92"), ("HS12", "HS22"), ("HS22", "HS12"),
                     ("HS92", "HS22"), ("HS22", "HS92")]

ProgressFn = Callable[[str, int], None]


class ReferenceDataError(Exception):
    """A reference file is missing or inconsistent (names the file and row)."""


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def _atlas_dir() -> Path:
    return Path(str(resources.files("atlas_common_data"))) / "data"


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(f"Reference file {path} is missing.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _float(value: str | None) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    return dt.date.fromisoformat(value) if value else None


def _upsert(model: type[models.Model], key: str, rows: Iterable[dict[str, Any]], overwrite: bool) -> int:
    """Insert new rows; update existing ones only when ``overwrite`` (keeps administrators' edits)."""
    rows = list(rows)
    existing = set(model._default_manager.values_list(key, flat=True))
    new = [model(**row) for row in rows if row[key] not in existing]
    model._default_manager.bulk_create(new, batch_size=2000)
    if overwrite:
        old = [model(**row) for row in rows if row[key] in existing]
        fields = [f for f in rows[0] if f != key] if rows else []
        if old and fields:
            model._default_manager.bulk_update(old, fields, batch_size=2000)
    return len(rows)


def load_countries(overwrite: bool = False) -> int:
    from babel import Locale

    fa_names = Locale("fa").territories
    location = _atlas_dir() / "classification" / "location"
    groups: dict[int, dict[str, str]] = {}
    for row in _read_csv(location / "group.csv"):
        if row["group_type"] in {"continent", "region", "subregion", "wdi_region", "wdi_income_level", "trade",
                                 "political"}:
            groups[int(row["group_id"])] = row
    _upsert(ref.CountryGroup, "code", (
        {"code": f"{g['group_type']}:{gid}", "kind": g["group_type"], "name_en": g["group_name"],
         "name_fa": _GROUP_NAMES_FA.get(g["group_name"], "")}
        for gid, g in groups.items()), overwrite)
    group_objs = {g.code: g for g in ref.CountryGroup.objects.all()}
    memberships: dict[int, list[str]] = {}
    for row in _read_csv(location / "group_member.csv"):
        gid = int(row["group_id"])
        if gid in groups:
            memberships.setdefault(int(row["country_id"]), []).append(f"{row['group_type']}:{gid}")
    rows = []
    for row in _read_csv(location / "country.csv"):
        iso3, iso2 = row["iso3_code"], (row["iso2_code"] or "").strip()
        if len(iso3) != 3:
            continue
        cid = int(row["country_id"])
        region = next((c for c in memberships.get(cid, []) if c.startswith("region:")), None)
        rows.append({
            "iso3": iso3, "iso2": iso2, "m49": cid, "name_en": row["name_short_en"] or row["name_en"],
            "name_fa": fa_names.get(iso2, "") if iso2 else "",
            "region_id": group_objs[region].pk if region else None,
            "neighbour_of_iran": iso3 in NEIGHBOURS_OF_IRAN, "neighbour_by": NEIGHBOURS_OF_IRAN.get(iso3, ""),
        })
    _upsert(ref.Country, "iso3", rows, overwrite)
    through = ref.Country.groups.through
    through.objects.all().delete()
    iso_by_id = {r["m49"]: r["iso3"] for r in rows}
    through.objects.bulk_create([
        through(country_id=iso_by_id[cid], countrygroup_id=group_objs[code].pk)
        for cid, codes in memberships.items() if cid in iso_by_id for code in codes
    ], batch_size=2000)
    return len(rows)


_GROUP_NAMES_FA = {
    "Asia": "آسیا", "Africa": "آفریقا", "Europe": "اروپا", "North America": "آمریکای شمالی",
    "South America": "آمریکای جنوبی", "Oceania": "اقیانوسیه", "Antarctica": "جنوبگان",
    "Middle East & North Africa": "خاورمیانه و شمال آفریقا", "South Asia": "جنوب آسیا",
    "East Asia & Pacific": "شرق آسیا و اقیانوس آرام", "Europe & Central Asia": "اروپا و آسیای مرکزی",
    "Sub-Saharan Africa": "آفریقای جنوب صحرا", "Latin America & Caribbean": "آمریکای لاتین و کارائیب",
    "High income": "درآمد بالا", "Low income": "درآمد پایین", "Lower middle income": "درآمد متوسط پایین",
    "Upper middle income": "درآمد متوسط بالا",
    # Regions and subregions the monitoring pages show as a partner's region (own translation).
    "Americas": "قاره آمریکا", "Other": "سایر", "Services Partners": "طرف‌های خدماتی", "European Union": "اتحادیه اروپا",
    "Western Africa": "غرب آفریقا", "Central America": "آمریکای مرکزی", "Eastern Africa": "شرق آفریقا",
    "Northern Africa": "شمال آفریقا", "Middle Africa": "آفریقای مرکزی", "Southern Africa": "جنوب آفریقا",
    "Northern America": "آمریکای شمالی", "Caribbean": "کارائیب", "Eastern Asia": "شرق آسیا", "Southern Asia": "جنوب آسیا",
    "South-eastern Asia": "جنوب شرق آسیا", "Southern Europe": "جنوب اروپا", "Australia and New Zealand": "استرالیا و نیوزیلند",
    "Melanesia": "ملانزی", "Micronesia": "میکرونزی", "Polynesia": "پلی‌نزی", "Central Asia": "آسیای مرکزی",
    "Western Asia": "غرب آسیا", "Eastern Europe": "شرق اروپا", "Northern Europe": "شمال اروپا",
    "Western Europe": "غرب اروپا", "high": "درآمد بالا", "low": "درآمد پایین", "lower middle": "درآمد متوسط پایین",
    "upper middle": "درآمد متوسط بالا", "world": "جهان",
}


def load_hs(overwrite: bool = False) -> int:
    sections = list(_read_csv(DATA_DIR / "hs_sections.csv"))
    _upsert(ref.HSSection, "number", (
        {"number": int(s["section"]), "roman": s["roman"], "chapter_from": s["chapter_from"].zfill(2),
         "chapter_to": s["chapter_to"].zfill(2), "name_en": s["name_en"], "name_fa": s["name_fa"]}
        for s in sections), overwrite)
    chapters = {c["chapter"].zfill(2): c for c in _read_csv(DATA_DIR / "hs_chapters.csv")}
    total = 0
    product_dir = _atlas_dir() / "classification" / "product"
    for revision, filename in HS_FILES.items():
        by_id: dict[str, dict[str, str]] = {}
        for row in _read_csv(product_dir / filename):
            by_id[row["product_id"]] = row
        rows = []
        for row in by_id.values():
            level = int(row["product_level"])
            if level not in (2, 4, 6):
                continue
            code = row["code"].strip()
            if not code.isdigit() or len(code) != level:
                continue  # Atlas' own services and "unspecified" codes are not HS
            if int(code[:2]) > 97:
                continue  # chapters 98-99 are national/unclassified, not part of the HS
            chapter = chapters.get(code[:2])
            if chapter is None:
                raise ReferenceDataError(f"{filename}: code {code} belongs to chapter {code[:2]}, "
                                         f"which hs_chapters.csv does not list.")
            parent = by_id.get((row.get("parent_id") or "").split(".")[0])
            parent_code = parent["code"] if parent is not None and level > 2 else ""
            rows.append({
                "revision": revision, "code": code, "level": level, "parent_code": parent_code,
                "section_id": int(chapter["section"]),
                "name_en": row["name_en"] if level > 2 else chapter["name_en"],
                "name_fa": chapter["name_fa"] if level == 2 else hs_persian_names().get(code, ""),
            })
        existing = set(ref.HSProduct.objects.filter(revision=revision).values_list("code", flat=True))
        ref.HSProduct.objects.bulk_create([ref.HSProduct(**r) for r in rows if r["code"] not in existing],
                                          batch_size=2000)
        if overwrite:
            for r in rows:
                ref.HSProduct.objects.filter(revision=revision, code=r["code"]).update(
                    name_en=r["name_en"], name_fa=r["name_fa"], parent_code=r["parent_code"],
                    section_id=r["section_id"])
        total += len(rows)
    return total


def _atlas_weights(step_from: str, step_to: str) -> dict[str, dict[str, float]]:
    path = _atlas_dir() / "conversion_weights" / f"conversion_weights_{step_from}_to_{step_to}.csv"
    weights: dict[str, dict[str, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for source, target, weight, _group in reader:
            w = float(weight)
            if w > 0:
                weights.setdefault(source.zfill(6), {})[target.zfill(6)] = w
    return weights


def _compose(first: dict[str, dict[str, float]], second: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for source, targets in first.items():
        acc: dict[str, float] = {}
        for middle, w1 in targets.items():
            for target, w2 in second.get(middle, {middle: 1.0}).items():
                acc[target] = acc.get(target, 0.0) + w1 * w2
        out[source] = acc
    return out


def concordance_weights(from_revision: str, to_revision: str) -> dict[str, dict[str, float]]:
    """Weights from each 6-digit code of one revision onto the codes of another, chained step by step."""
    reverse = {v: k for k, v in ATLAS_REVISIONS.items()}
    i, j = ATLAS_CHAIN.index(reverse[from_revision]), ATLAS_CHAIN.index(reverse[to_revision])
    step = 1 if j > i else -1
    result: dict[str, dict[str, float]] | None = None
    for k in range(i, j, step):
        weights = _atlas_weights(ATLAS_CHAIN[k], ATLAS_CHAIN[k + step])
        result = weights if result is None else _compose(result, weights)
    return result or {}


def load_concordance(overwrite: bool = False) -> int:
    if ref.HSConcordance.objects.exists() and not overwrite:
        return ref.HSConcordance.objects.count()
    ref.HSConcordance.objects.all().delete()
    total = 0
    for source_rev, target_rev in CONCORDANCE_PAIRS:
        weights = concordance_weights(source_rev, target_rev)
        objs = [ref.HSConcordance(from_revision=source_rev, from_code=s, to_revision=target_rev, to_code=t,
                                  weight=w)
                for s, targets in weights.items() for t, w in targets.items() if w > 1e-9]
        ref.HSConcordance.objects.bulk_create(objs, batch_size=5000)
        total += len(objs)
    return total


def load_divisions(overwrite: bool = False) -> tuple[int, int]:
    provinces = [{
        "code": r["code"], "name_en": r["name_en"], "name_fa": r["name_fa"], "capital_en": r["capital_en"],
        "capital_fa": r["capital_fa"], "lat": _float(r["capital_lat"]), "lon": _float(r["capital_lon"]),
        "borders": r.get("borders", ""), "coastal": (r.get("coastal") or "").lower() == "true",
    } for r in _read_csv(DATA_DIR / "provinces.csv")]
    _upsert(ref.Province, "code", provinces, overwrite)
    known = {p["code"] for p in provinces}
    counties = []
    for n, r in enumerate(_read_csv(DATA_DIR / "counties.csv"), start=2):
        if r["province_code"] not in known:
            raise ReferenceDataError(f"counties.csv row {n}: province {r['province_code']} is not in provinces.csv")
        counties.append({
            "code": r["code"], "province_id": r["province_code"], "name_en": r["name_en"], "name_fa": r["name_fa"],
            "seat_en": r["seat_en"], "seat_fa": r["seat_fa"], "lat": _float(r["lat"]), "lon": _float(r["lon"]),
            "established": r.get("established", "") or "",
        })
    _upsert(ref.County, "code", counties, overwrite)
    return len(provinces), len(counties)


def load_customs(overwrite: bool = False) -> tuple[int, int]:
    offices = [{
        "code": r["code"], "name_en": r["name_en"], "name_fa": r["name_fa"], "kind": r["kind"],
        "province_id": r["province_code"] or None, "county_id": r["county_code"] or None,
        "partner_id": r["partner_iso3"] or None, "partner_crossing_en": r.get("partner_crossing_en", ""),
        "lat": _float(r["lat"]), "lon": _float(r["lon"]), "status": r["status"], "opened": _date(r["opened"]),
        "note_en": r.get("note_en", ""), "note_fa": r.get("note_fa", ""),
    } for r in _read_csv(DATA_DIR / "customs_offices.csv")]
    # Aggregated sources (Comtrade, BACI) carry no office: their rows use this national pseudo-office.
    offices.append({"code": "NATIONAL", "name_en": "All customs (national total)", "name_fa": "کل گمرکات کشور",
                    "kind": "national", "province_id": None, "county_id": None, "partner_id": None,
                    "partner_crossing_en": "", "lat": None, "lon": None, "status": "active", "opened": None,
                    "note_en": "Used for aggregated statistics that do not name a customs office.",
                    "note_fa": "برای آمار تجمیعی که گمرک اظهار را مشخص نمی‌کند."})
    _upsert(ref.CustomsOffice, "code", offices, overwrite)
    markets = [{
        "code": r["code"], "name_en": r["name_en"], "name_fa": r["name_fa"], "province_id": r["province_code"],
        "county_id": r["county_code"] or None, "partner_id": r["partner_iso3"],
        "partner_side_en": r.get("partner_side_en", ""), "customs_office_id": r.get("customs_office_code") or None,
        "lat": _float(r["lat"]), "lon": _float(r["lon"]), "status": r["status"], "opened": _date(r["opened"]),
        "note_en": r.get("note_en", ""), "note_fa": r.get("note_fa", ""),
    } for r in _read_csv(DATA_DIR / "border_markets.csv")]
    _upsert(ref.BorderMarket, "code", markets, overwrite)
    return len(offices), len(markets)


def load_agencies(overwrite: bool = False) -> int:
    return _upsert(ref.Agency, "code", ({
        "code": r["code"], "name_en": r["name_en"], "name_fa": r["name_fa"], "kind": r.get("kind", ""),
        "mandate_en": r["mandate_en"], "mandate_fa": r["mandate_fa"],
    } for r in _read_csv(DATA_DIR / "agencies.csv")), overwrite)


STEPS: list[tuple[str, Callable[[bool], Any]]] = [
    ("countries", load_countries),
    ("hs", load_hs),
    ("concordance", load_concordance),
    ("divisions", load_divisions),
    ("customs", load_customs),
    ("agencies", load_agencies),
    ("source_country_codes", load_source_country_codes),
]


def reference_load(*, overwrite: bool = False, progress: ProgressFn | None = None) -> dict[str, int]:
    """Load every reference table; returns row counts by table."""
    from payesh.reference.selectors import reference_counts

    for name, step in STEPS:
        if progress:
            progress(name, 0)
        with transaction.atomic():
            step(overwrite)
        if progress:
            progress(name, 1)
    dimensions_publish()
    return reference_counts()


def dimensions_publish() -> dict[str, int]:
    """The one publisher of the dimension tables the cube reads: the reference data as it is now.

    Runs whenever reference data changes — ``reference_load`` (``payesh load-reference``), every
    save and delete of a reference row in the admin (``payesh.reference.admin``) — and when the
    ledger commits into a lake that has none yet. The tables live in ``<lake>/dims/`` beside the
    facts: only this function writes them, only the cube reads them. Engines that keep a copy
    (PostgreSQL) are refreshed; DuckDB reloads them on its next query (they are part of the
    version it checks). Returns row counts by table.
    """
    from django.conf import settings

    from payesh.cube import cube_refresh
    from payesh.cube.dims import dims_dir

    counts = dimensions_write(dims_dir(Path(settings.PAYESH_LAKE)))
    cube_refresh()
    return counts


def dimensions_write(target: Path) -> dict[str, int]:
    """Write the reference tables the cube joins and labels with as Parquet files in ``target``.

    Each file is written aside and renamed, so a query never reads a half-written file; the
    country table goes last because the cube takes its time stamp as the version of them all.
    """
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    from payesh.cube.dims import DIM_SCHEMAS

    target.mkdir(parents=True, exist_ok=True)
    countries = list(ref.Country.objects.values_list("iso3", "name_en", "name_fa", "region__code"))
    regions = list(ref.CountryGroup.objects.filter(kind="region").values_list("code", "name_en", "name_fa"))
    sections = list(ref.HSSection.objects.values_list("number", "name_en", "name_fa", "chapter_from", "chapter_to"))
    chapters = [(f"{c:02d}", s[0]) for s in sections for c in range(int(s[3]), int(s[4]) + 1)]
    products = list(ref.HSProduct.objects.values_list("revision", "code", "name_en", "name_fa", "level"))
    offices = list(ref.CustomsOffice.objects.values_list("code", "name_en", "name_fa", "province_id", "kind"))
    markets = list(ref.BorderMarket.objects.values_list("code", "name_en", "name_fa", "county_id"))
    provinces = list(ref.Province.objects.values_list("code", "name_en", "name_fa"))
    counties = list(ref.County.objects.values_list("code", "name_en", "name_fa", "province_id"))
    conc = list(ref.HSConcordance.objects.values_list("from_revision", "from_code", "to_revision", "to_code",
                                                      "weight"))
    rows: dict[str, list[tuple[Any, ...]]] = {
        "dim_region": regions, "dim_section": [s[:3] for s in sections], "dim_chapter": chapters,
        "dim_product": products, "dim_office": offices, "dim_market": markets, "dim_province": provinces,
        "dim_county": counties, "concordance": conc, "dim_country": countries,
    }
    counts: dict[str, int] = {}
    for name, table_rows in rows.items():
        schema = DIM_SCHEMAS[name]
        table = pa.table({field.name: pa.array([row[i] for row in table_rows], field.type)
                          for i, field in enumerate(schema)}, schema=schema)
        temp = target / f".{name}.parquet.tmp"
        pq.write_table(table, temp)
        os.replace(temp, target / f"{name}.parquet")
        counts[name] = table.num_rows
    return counts
