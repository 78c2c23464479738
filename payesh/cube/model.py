"""The trade cube declared as data: dimensions with hierarchies, levels and measures.

A level says how its key is computed from a fact row (a column, or an expression of columns, or a
column of a small dimension table joined on a fact column) and which dimension table gives its
captions. A measure is an aggregate of the facts, or a ratio of other measures computed after
aggregation. Adding a level or a measure is adding a line here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Level:
    name: str
    label_en: str
    label_fa: str
    # How the key is computed from the facts: "column:<fact column>", "expr:<name in compile.EXPRESSIONS>",
    # or "join:<dim table>.<dim column>:<fact column>=<dim key>".
    source: str
    key_type: Literal["string", "int"] = "string"
    # Captions: "<dim table>.<key column>" whose name_en/name_fa label the key; "" = the key itself.
    captions: str = ""


@dataclass(frozen=True)
class Dimension:
    name: str
    label_en: str
    label_fa: str
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class Measure:
    name: str
    label_en: str
    label_fa: str
    unit: str
    # "sum:<column>", "sum_kg_to_t:<column>", "count", "count_distinct:<column>",
    # "sum_if_flow:<flow>:<column>", or "ratio:<measure>/<measure>" / "diff:<measure>-<measure>" (after aggregation).
    formula: str
    additive: bool = True  # may be summed across rows of a result (share, "other" row)


@dataclass(frozen=True)
class Cube:
    name: str
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    levels: dict[str, Level] = field(init=False)
    measure_by_name: dict[str, Measure] = field(init=False)
    dimension_of: dict[str, Dimension] = field(init=False)

    def __post_init__(self) -> None:
        levels = {lv.name: lv for d in self.dimensions for lv in d.levels}
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "measure_by_name", {m.name: m for m in self.measures})
        object.__setattr__(self, "dimension_of", {lv.name: d for d in self.dimensions for lv in d.levels})


TIME = Dimension("time", "Time", "زمان", (
    Level("year", "Solar Hijri year", "سال", "column:jalali_year", "int"),
    Level("quarter", "Quarter", "فصل", "expr:jalali_quarter", "int"),
    Level("month", "Month", "ماه", "expr:jalali_year_month", "int"),
    Level("month_of_year", "Month of year", "ماه سال", "column:jalali_month", "int"),
    Level("gyear", "Gregorian year", "سال میلادی", "expr:gregorian_year", "int"),
    Level("gmonth", "Gregorian month", "ماه میلادی", "expr:gregorian_year_month", "int"),
))
FLOW = Dimension("flow", "Flow", "جریان", (
    Level("flow", "Flow", "جریان تجارت", "column:flow", captions="flow"),
))
PARTNER = Dimension("partner", "Partner", "طرف تجاری", (
    Level("partner_region", "Partner region", "منطقه طرف تجاری", "join:dim_country.region:partner=iso3",
          captions="dim_region.code"),
    Level("partner", "Partner", "کشور طرف تجاری", "column:partner", captions="dim_country.iso3"),
))
PRODUCT = Dimension("product", "Product", "کالا", (
    Level("section", "HS section", "بخش", "join:dim_chapter.section:chapter=chapter", "int",
          captions="dim_section.section"),
    Level("chapter", "HS chapter", "فصل", "expr:hs_chapter", captions="dim_product.code"),
    Level("heading", "HS heading", "سرفصل", "expr:hs_heading", captions="dim_product.code"),
    Level("subheading", "HS subheading", "ردیف تعرفه", "column:hs_code", captions="dim_product.code"),
))
OFFICE = Dimension("office", "Customs office", "گمرک", (
    Level("office_province", "Province of clearance", "استان محل اظهار",
          "join:dim_office.province:customs_office=code", captions="dim_province.code"),
    Level("office", "Customs office", "گمرک", "column:customs_office", captions="dim_office.code"),
))
CHANNEL = Dimension("channel", "Channel", "مجرا", (
    Level("channel", "Channel", "مجرای تجارت", "column:channel", captions="channel"),
    Level("border_market", "Border market", "بازارچه مرزی", "column:border_market", captions="dim_market.code"),
))
ORIGIN = Dimension("origin", "Origin", "مبدأ", (
    Level("origin_province", "Province of origin", "استان مبدأ", "column:origin_province",
          captions="dim_province.code"),
    Level("origin_county", "County of origin", "شهرستان مبدأ", "column:origin_county", captions="dim_county.code"),
))
TRANSPORT = Dimension("transport", "Transport", "حمل", (
    Level("transport_mode", "Transport mode", "شیوه حمل", "column:transport_mode", captions="transport_mode"),
))
BATCH = Dimension("batch", "Batch", "دسته", (
    Level("batch", "Batch", "دسته بارگذاری", "column:batch_id"),
))
# Where the rows come from: the customs declarations of the ledger (the default of every query), or
# aggregated world data (Comtrade, BACI) that other reporters publish.
SOURCE = Dimension("source", "Source", "منبع", (
    Level("source", "Source", "منبع داده", "column:source", captions="source"),
    Level("reporter", "Reporter", "کشور گزارش‌دهنده", "column:reporter", captions="dim_country.iso3"),
))
DEFAULT_SOURCE = "customs"

MEASURES = (
    Measure("value_usd", "Value (USD)", "ارزش (دلار)", "USD", "sum:value_usd"),
    Measure("weight_t", "Net weight (t)", "وزن خالص (تن)", "t", "sum_kg_to_t:net_weight_kg"),
    Measure("unit_value", "Unit value (USD/t)", "ارزش واحد (دلار بر تن)", "USD/t", "ratio:value_usd/weight_t",
            additive=False),
    Measure("declarations", "Declarations", "اظهارنامه", "", "count_distinct:declaration_id", additive=False),
    Measure("rows", "Declaration lines", "ردیف اظهارنامه", "", "count"),
    Measure("exports_usd", "Exports (USD)", "صادرات (دلار)", "USD", "sum_if_flow:export:value_usd"),
    Measure("imports_usd", "Imports (USD)", "واردات (دلار)", "USD", "sum_if_flow:import:value_usd"),
    Measure("balance_usd", "Balance (USD)", "تراز (دلار)", "USD", "diff:exports_usd-imports_usd"),
    Measure("exports_t", "Exports (t)", "صادرات (تن)", "t", "sum_if_flow_t:export:net_weight_kg"),
    Measure("imports_t", "Imports (t)", "واردات (تن)", "t", "sum_if_flow_t:import:net_weight_kg"),
)

CUBE = Cube("trade", (TIME, FLOW, PARTNER, PRODUCT, OFFICE, CHANNEL, ORIGIN, TRANSPORT, BATCH, SOURCE), MEASURES)

# Captions of coded values that have no reference table.
FIXED_CAPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "flow": {"export": ("Exports", "صادرات"), "import": ("Imports", "واردات"), "transit": ("Transit", "ترانزیت"),
             "re_export": ("Re-exports", "صادرات مجدد")},
    "channel": {"customs": ("Customs", "گمرک"), "border_market": ("Border markets", "بازارچه‌های مرزی"),
                "free_zone": ("Free zone", "منطقه آزاد"), "other": ("Other", "سایر")},
    "source": {"customs": ("Customs declarations", "اظهارنامه‌های گمرکی"), "comtrade": ("UN Comtrade", "کامترید"),
               "baci": ("CEPII BACI", "BACI"), "atlas": ("Growth Lab Atlas", "اطلس پیچیدگی اقتصادی"),
               "world": ("World trade table", "جدول تجارت جهانی")},
    "transport_mode": {"road": ("Road", "جاده‌ای"), "sea": ("Sea", "دریایی"), "air": ("Air", "هوایی"),
                       "rail": ("Rail", "ریلی"), "pipeline": ("Pipeline", "خط لوله"), "other": ("Other", "سایر"),
                       "unknown": ("Unknown", "نامعلوم")},
}
