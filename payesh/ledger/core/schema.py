"""The fact row: one place that defines the canonical schema of the trade ledger.

Every reader produces these columns, the lake stores exactly these columns, and the cube reads
them. Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

FLOWS: tuple[str, ...] = ("export", "import", "transit", "re_export")
CHANNELS: tuple[str, ...] = ("customs", "border_market", "free_zone", "other")
TRANSPORT_MODES: tuple[str, ...] = ("road", "sea", "air", "rail", "pipeline", "other", "unknown")
HS_REVISIONS: tuple[str, ...] = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")

#: Office code used for aggregated sources (Comtrade, BACI) that do not say where goods cleared.
NATIONAL_OFFICE = "NATIONAL"

FACT_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("flow", pa.string(), nullable=False),
        pa.field("declaration_date", pa.date32(), nullable=False),
        pa.field("jalali_year", pa.int16(), nullable=False),
        pa.field("jalali_month", pa.int8(), nullable=False),
        pa.field("declaration_id", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_key", pa.string(), nullable=False),
        pa.field("customs_office", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("border_market", pa.string()),
        pa.field("reporter", pa.string(), nullable=False),
        pa.field("partner", pa.string(), nullable=False),
        pa.field("origin_province", pa.string()),
        pa.field("origin_county", pa.string()),
        pa.field("hs_code", pa.string(), nullable=False),
        pa.field("national_code", pa.string()),
        pa.field("hs_revision", pa.string(), nullable=False),
        pa.field("quantity", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("net_weight_kg", pa.float64()),  # null only for Comtrade/BACI rows without weight
        pa.field("value_usd", pa.float64(), nullable=False),
        pa.field("value_rial", pa.float64()),
        pa.field("rial_per_usd", pa.float64()),
        pa.field("transport_mode", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)

FACT_COLUMNS: tuple[str, ...] = tuple(FACT_SCHEMA.names)

#: Columns of the Parquet files of a batch (layout 2). ``source`` and ``batch_id`` are constant per
#: batch and come from the manifest; ``source_key`` and ``reporter`` are NULL where they take their
#: default (``declaration_id#line_no``, the batch's reporter). :meth:`Lake.create_facts_view` puts
#: the fact row back together; nothing else reads the files.
STORED_COLUMNS: tuple[str, ...] = tuple(c for c in FACT_COLUMNS if c not in ("source", "batch_id"))

#: Layouts of the batch files: 1 stored FACT_COLUMNS as they are, 2 stores STORED_COLUMNS.
FACT_LAYOUT = 2

#: The default natural key, as SQL (DuckDB) over the stored columns.
DEFAULT_SOURCE_KEY_SQL = "declaration_id || '#' || CAST(line_no AS VARCHAR)"

#: DuckDB type of each fact column (used to build typed scans and the empty `facts` view).
DUCKDB_TYPES: dict[str, str] = {
    "flow": "VARCHAR",
    "declaration_date": "DATE",
    "jalali_year": "SMALLINT",
    "jalali_month": "TINYINT",
    "declaration_id": "VARCHAR",
    "line_no": "INTEGER",
    "source": "VARCHAR",
    "source_key": "VARCHAR",
    "customs_office": "VARCHAR",
    "channel": "VARCHAR",
    "border_market": "VARCHAR",
    "reporter": "VARCHAR",
    "partner": "VARCHAR",
    "origin_province": "VARCHAR",
    "origin_county": "VARCHAR",
    "hs_code": "VARCHAR",
    "national_code": "VARCHAR",
    "hs_revision": "VARCHAR",
    "quantity": "DOUBLE",
    "unit": "VARCHAR",
    "net_weight_kg": "DOUBLE",
    "value_usd": "DOUBLE",
    "value_rial": "DOUBLE",
    "rial_per_usd": "DOUBLE",
    "transport_mode": "VARCHAR",
    "batch_id": "VARCHAR",
}


@dataclass(frozen=True)
class InputColumn:
    """A column of the canonical *input* layout (the fact row minus derived columns)."""

    name: str
    header_fa: str
    required: bool
    duckdb_type: str
    description_en: str


#: Reporting country of customs declarations: the ledger is Iran's customs view by default;
#: Comtrade and BACI rows carry their own reporter (exporter ``i`` for BACI).
DEFAULT_REPORTER = "IRN"

#: Canonical input layout, in template order. Derived columns (jalali_year, jalali_month, source,
#: batch_id) are computed; source_key defaults to ``declaration_id#line_no``; national_code is
#: filled from an 8/10-digit hs_code.
INPUT_COLUMNS: tuple[InputColumn, ...] = (
    InputColumn("flow", "جریان تجارت", True, "VARCHAR", "export | import | transit | re_export"),
    InputColumn("declaration_date", "تاریخ اظهار", True, "DATE",
                "Gregorian YYYY-MM-DD or Solar Hijri YYYY/MM/DD"),
    InputColumn("declaration_id", "شماره اظهارنامه", True, "VARCHAR", "customs declaration number"),
    InputColumn("line_no", "ردیف کالا", True, "INTEGER", "item line inside the declaration"),
    InputColumn("source_key", "کلید منبع", False, "VARCHAR",
                "natural key; default declaration_id#line_no"),
    InputColumn("customs_office", "کد گمرک", True, "VARCHAR", "customs office code"),
    InputColumn("channel", "مجرای تجارت", True, "VARCHAR", "customs | border_market | free_zone | other"),
    InputColumn("border_market", "کد بازارچه مرزی", False, "VARCHAR",
                "border market code; required when channel = border_market"),
    InputColumn("reporter", "کد کشور گزارش‌دهنده", False, "VARCHAR",
                "ISO3 of the reporting country; default IRN"),
    InputColumn("partner", "کد کشور طرف معامله", True, "VARCHAR", "ISO 3166-1 alpha-3"),
    InputColumn("origin_province", "کد استان مبدا", False, "VARCHAR", "ISO 3166-2 (IR-11) or empty"),
    InputColumn("origin_county", "کد شهرستان مبدا", False, "VARCHAR", "county code (IR-11-05) or empty"),
    InputColumn("hs_code", "کد تعرفه", True, "VARCHAR",
                "HS code: 6 digits, or an 8/10-digit national tariff code, or 2/4 digits"),
    InputColumn("hs_revision", "ویرایش نظام هماهنگ", False, "VARCHAR",
                "HS92 … HS22; default: the revision chosen for the load"),
    InputColumn("quantity", "مقدار", False, "DOUBLE", "quantity in `unit`"),
    InputColumn("unit", "واحد", False, "VARCHAR", "unit of quantity"),
    InputColumn("net_weight_kg", "وزن خالص (کیلوگرم)", True, "DOUBLE", "net weight, kg"),
    InputColumn("value_usd", "ارزش دلاری", True, "DOUBLE", "value, US dollars"),
    InputColumn("value_rial", "ارزش ریالی", False, "DOUBLE", "value, rials"),
    InputColumn("rial_per_usd", "نرخ ارز", False, "DOUBLE", "rials per US dollar"),
    InputColumn("transport_mode", "کد شیوه حمل", False, "VARCHAR",
                "road | sea | air | rail | pipeline | other | unknown"),
)

INPUT_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in INPUT_COLUMNS)
REQUIRED_INPUT_COLUMNS: tuple[str, ...] = tuple(c.name for c in INPUT_COLUMNS if c.required)
PERSIAN_HEADERS: dict[str, str] = {c.header_fa: c.name for c in INPUT_COLUMNS}


def empty_facts_table() -> pa.Table:
    return FACT_SCHEMA.empty_table()
