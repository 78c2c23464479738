"""National customs statistics extract: Persian headers, Persian names, Solar Hijri dates.

This is Payesh's definition of the layout, based on what the customs' published statistics
report per declaration line (weight, value in USD and rials, office, province of origin).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..codes import ReferenceCodes
from ..numerals import normalize_name
from .base import ROW_COLUMN, FileRejected, ReadContext, Reader, map_headers
from .tabular import head_header, iter_table, sheet_hint

#: Persian header → canonical input column. Several spellings are accepted for some columns.
NATIONAL_HEADERS: dict[str, str] = {
    "تاریخ اظهار": "declaration_date",
    "شماره اظهارنامه": "declaration_id",
    "ردیف کالا": "line_no",
    "نوع رویه": "flow",
    "کد تعرفه": "hs_code",
    "شرح کالا": "_description",
    "کشور طرف معامله": "partner",
    "گمرک اظهار": "customs_office",
    "نوع مبادله": "channel",
    "بازارچه مرزی": "border_market",
    "استان مبدا": "origin_province",
    "شهرستان مبدا": "origin_county",
    "مقدار": "quantity",
    "واحد": "unit",
    "وزن خالص (کیلوگرم)": "net_weight_kg",
    "وزن خالص": "net_weight_kg",
    "ارزش دلاری": "value_usd",
    "ارزش ریالی": "value_rial",
    "نرخ ارز": "rial_per_usd",
    "شیوه حمل": "transport_mode",
}
NATIONAL_REQUIRED = ("declaration_date", "declaration_id", "line_no", "flow", "hs_code", "partner",
                     "customs_office", "net_weight_kg", "value_usd")
#: Canonical name → the Persian header we document (for messages).
NATIONAL_LABELS = {v: k for k, v in reversed(list(NATIONAL_HEADERS.items()))}

FLOW_NAMES = {"صادرات": "export", "صادرات قطعی": "export", "واردات": "import",
              "واردات قطعی": "import", "ترانزیت": "transit", "صادرات مجدد": "re_export",
              "صدور مجدد": "re_export"}
CHANNEL_NAMES = {"گمرکی": "customs", "گمرک": "customs", "بازارچه مرزی": "border_market",
                 "منطقه آزاد": "free_zone", "سایر": "other"}
TRANSPORT_NAMES = {"جاده ای": "road", "جاده‌ای": "road", "زمینی": "road", "دریایی": "sea",
                   "هوایی": "air", "ریلی": "rail", "خط لوله": "pipeline", "سایر": "other"}


def _map_column(array: pa.Array, lookup: Callable[[str], str | None]) -> pa.Array:
    """Map each distinct value once (vectorised over the batch); unmapped values stay as given."""
    distinct = pc.unique(array)
    mapped = [None if v is None else (lookup(v) or v) for v in distinct.to_pylist()]
    return pc.take(pa.array(mapped, pa.string()), pc.index_in(array, distinct))


def _name_lookup(names: Mapping[str, str], codes: frozenset[str] | set[str] = frozenset(),
                 ) -> Callable[[str], str | None]:
    normalised = {normalize_name(k): v for k, v in names.items()}
    upper = {c.upper() for c in codes}

    def lookup(text: str) -> str | None:
        if text.strip().upper() in upper:
            return text.strip().upper()
        return normalised.get(normalize_name(text))

    return lookup


class NationalExtract(Reader):
    identifier = "customs_extract"
    label_en = "National customs statistics extract (Persian)"
    label_fa = "گزارش آماری گمرک (فارسی)"
    source = "customs"
    extensions = (".csv", ".txt", ".xlsx")

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        keys = {normalize_name(h) for h in head_header(path, head_bytes)}
        return bool(keys & {normalize_name(h) for h in ("نوع رویه", "گمرک اظهار", "کشور طرف معامله")})

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_table(path, context)
        try:
            mapping, warnings = map_headers(header, NATIONAL_HEADERS, NATIONAL_REQUIRED,
                                            column_label=NATIONAL_LABELS)
        except FileRejected as rejected:
            raise FileRejected(rejected.issues + sheet_hint(context)) from None
        context.issues.extend(warnings)
        mapping = {p: n for p, n in mapping.items() if not n.startswith("_")}
        lookups: dict[str, Callable[[str], str | None]] = {
            "flow": _name_lookup(FLOW_NAMES),
            "channel": _name_lookup(CHANNEL_NAMES),
            "transport_mode": _name_lookup(TRANSPORT_NAMES),
            "partner": _name_lookup(dict(codes.country_names_fa), codes.countries),
            "customs_office": _name_lookup(dict(codes.customs_office_names_fa), codes.customs_offices),
            "border_market": _name_lookup(dict(codes.border_market_names_fa), codes.border_markets),
            "origin_province": _name_lookup(dict(codes.province_names_fa), codes.provinces),
        }
        county_names = {(p, normalize_name(n)): c for (p, n), c in codes.county_names_fa.items()}

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                columns: dict[str, pa.Array] = {}
                for position, name in mapping.items():
                    array = batch.column(position)
                    columns[name] = _map_column(array, lookups[name]) if name in lookups else array
                if "origin_county" in columns:
                    provinces = columns.get("origin_province", pa.nulls(batch.num_rows, pa.string()))
                    counties = [
                        None if name is None else
                        (name if name in codes.counties else county_names.get((province, normalize_name(name)), name))
                        for province, name in zip(provinces.to_pylist(), columns["origin_county"].to_pylist(), strict=False)
                    ]
                    columns["origin_county"] = pa.array(counties, pa.string())
                if "channel" not in columns:
                    columns["channel"] = pa.array(["customs"] * batch.num_rows, pa.string())
                columns[ROW_COLUMN] = batch.column(ROW_COLUMN)
                yield pa.RecordBatch.from_pydict(columns)

        return convert()
