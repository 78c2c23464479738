"""The indicators as a registry: each a name, bilingual label and definition, the request
parameters it reads, and a function that asks the cube and hands the answer to ``maths``.

Pages, the API (``/api/indicators/<name>``), the CLI (``payesh indicators``) and next the KPIs and
reports call :func:`indicator_compute`; none of them derives these figures on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from payesh.cube import CUBE, CubeQuery, Cut, Period, run
from payesh.indicators import maths

Scope = Literal["through", "origin", "national"]
SCOPES: tuple[Scope, ...] = ("through", "origin", "national")
FLOWS = ("export", "import")
PRODUCT_LEVELS = ("section", "chapter", "heading", "subheading")
# Measures that have no meaning for goods "produced in the region": customs records the origin
# of exports only, so imports (and a balance) of the region's production are not applicable.
NOT_APPLICABLE_FOR_ORIGIN = ("imports_usd", "imports_t", "balance_usd")
NOT_APPLICABLE = "not_applicable"
REASONS = {**maths.REASONS, NOT_APPLICABLE: (
    "Not applicable: customs records where goods were produced for exports only.",
    "قابل محاسبه نیست: گمرک مبدأ تولید را فقط برای صادرات ثبت می‌کند.")}


class IndicatorError(ValueError):
    """A request an indicator cannot answer; ``parameter`` names the culprit (for 4xx answers)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class IndicatorRequest:
    """What every indicator is asked for: a Solar Hijri period, a scope of the region, a flow, and
    (for some) a level to break down by, a top N, the measures, or an RCA reference."""

    year: int
    months: int = 12
    scope: Scope = "through"
    region: str = "IR-11"
    flow: str = "export"
    level: str = ""
    top: int = 3
    measures: tuple[str, ...] = ()
    reference: Literal["nation", "regions"] = "nation"

    @property
    def period(self) -> Period:
        return Period.year(self.year, self.months)

    @property
    def scope_cuts(self) -> tuple[Cut, ...]:
        if self.scope == "through":
            return (Cut("office_province", (self.region,)),)
        if self.scope == "origin":
            return (Cut("origin_province", (self.region,)),)
        return ()

    def with_(self, **changes: object) -> IndicatorRequest:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, params: Mapping[str, str], *, region: str, default_year: int) -> IndicatorRequest:
        """From query-string parameters (``year months scope flow level top measures reference``)."""
        def text(name: str) -> str:
            return str(params.get(name) or "").strip()

        def integer(name: str, default: int, low: int, high: int) -> int:
            value = text(name)
            if not value:
                return default
            if not value.isdigit() or not low <= int(value) <= high:
                raise IndicatorError(name, f"{value!r} is not a whole number between {low} and {high}")
            return int(value)

        scope = text("scope") or "through"
        if scope not in SCOPES:
            raise IndicatorError("scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
        flow = text("flow") or "export"
        if flow not in FLOWS:
            raise IndicatorError("flow", f"{flow!r} is not one of {', '.join(FLOWS)}")
        level = text("level")
        if level and level not in CUBE.levels:
            raise IndicatorError("level", f"unknown level {level!r}; accepted: {', '.join(CUBE.levels)}")
        measures = tuple(m.strip() for m in text("measures").split(",") if m.strip())
        for m in measures:
            if m not in CUBE.measure_by_name or not CUBE.measure_by_name[m].additive:
                additive = [n for n, x in CUBE.measure_by_name.items() if x.additive]
                raise IndicatorError("measures", f"{m!r} is not an additive measure; accepted: {', '.join(additive)}")
        reference = text("reference") or "nation"
        if reference not in ("nation", "regions"):
            raise IndicatorError("reference", f"{reference!r} is not one of nation, regions")
        return cls(year=integer("year", default_year, 1300, 1500), months=integer("months", 12, 1, 12),
                   scope=scope, region=text("region") or region, flow=flow, level=level,  # type: ignore[arg-type]
                   top=integer("top", 3, 1, 1000), measures=measures, reference=reference)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Indicator:
    name: str
    label_en: str
    label_fa: str
    definition_en: str
    definition_fa: str
    unit: str
    parameters: tuple[str, ...]
    compute: Callable[[IndicatorRequest], pd.DataFrame] = field(repr=False)

    def label(self, language: str) -> str:
        return self.label_fa if language.startswith("fa") else self.label_en

    def definition(self, language: str) -> str:
        return self.definition_fa if language.startswith("fa") else self.definition_en


# ------------------------------------------------------------------ what the lake holds
def loaded_months() -> frozenset[int]:
    """Solar Hijri months (yyyymm) with at least one fact row."""
    frame = run(CubeQuery(measures=("rows",), drilldowns=("month",))).frame
    return frozenset(int(m) for m, rows in zip(frame["month"], frame["rows"], strict=True)
                     if rows and m is not None and m == m)


def period_loaded(period: Period, months: frozenset[int] | None = None) -> bool:
    """Whether the lake holds any month of ``period``."""
    held = loaded_months() if months is None else months
    if period.start is None or period.end is None:
        return bool(held)
    return any(period.start <= m <= period.end for m in held)


def _loaded_pair(request: IndicatorRequest) -> tuple[bool, bool]:
    held = loaded_months()
    return period_loaded(request.period, held), period_loaded(request.period.shifted(-1), held)


# ------------------------------------------------------------------ the indicators
def _reconciliation(request: IndicatorRequest) -> pd.DataFrame:
    frame = run(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("office_province", "origin_province"),
                          cuts=(Cut("flow", (request.flow,)),), period=request.period,
                          compare="previous_year")).frame
    now, before = _loaded_pair(request)
    return maths.growth_frame(maths.reconcile(frame, request.region), ("value_usd",), current_loaded=now,
                              previous_loaded=before)


def _growth(request: IndicatorRequest) -> pd.DataFrame:
    measures = request.measures or ("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t")
    drilldowns = (request.level,) if request.level else ()
    frame = run(CubeQuery(measures=measures, drilldowns=drilldowns, cuts=request.scope_cuts, period=request.period,
                          compare="previous_year")).frame
    now, before = _loaded_pair(request)
    out = maths.growth_frame(frame[[*drilldowns, *measures, *(f"{m}_previous" for m in measures)]], measures,
                             current_loaded=now, previous_loaded=before)
    if request.scope == "origin":
        for m in measures:
            if m in NOT_APPLICABLE_FOR_ORIGIN:
                out[[m, f"{m}_previous", f"{m}_change_pct"]] = float("nan")
                out[f"{m}_change_reason"] = NOT_APPLICABLE
    return out


def _flow_query(request: IndicatorRequest, measures: tuple[str, ...], level: str) -> pd.DataFrame:
    return run(CubeQuery(measures=measures, drilldowns=(level,) if level else (),
                         cuts=(*request.scope_cuts, Cut("flow", (request.flow,))), period=request.period,
                         compare="previous_year")).frame


def _unit_value(request: IndicatorRequest) -> pd.DataFrame:
    if request.scope == "origin" and request.flow == "import":
        return _not_applicable(request, ("unit_value",))
    frame = _flow_query(request, ("value_usd", "weight_t"), request.level)
    keys = [request.level] if request.level else []
    return maths.unit_values(frame[[*keys, "value_usd", "weight_t", "value_usd_previous", "weight_t_previous"]])


def _concentration(request: IndicatorRequest) -> pd.DataFrame:
    if request.scope == "origin" and request.flow == "import":
        return _not_applicable(request, ("hhi", "top_share"))
    level = request.level or "partner"
    frame = _flow_query(request, ("value_usd",), level)
    known = frame[frame[level].notna()]
    out = maths.concentration(known, top=request.top)
    out.insert(0, "level", level)
    return out


def _shares(request: IndicatorRequest) -> pd.DataFrame:
    if request.scope == "origin" and request.flow == "import":
        return _not_applicable(request, ("share",))
    level = request.level or "channel"
    frame = _flow_query(request, ("value_usd",), level)
    now, before = _loaded_pair(request)
    out = maths.shares(frame[[level, "value_usd", "value_usd_previous"]])
    return maths.growth_frame(out, ("value_usd",), current_loaded=now, previous_loaded=before).sort_values(
        "value_usd", ascending=False, kind="stable").reset_index(drop=True)


def _regional_rca(request: IndicatorRequest) -> pd.DataFrame:
    product = request.level or "heading"
    if product not in PRODUCT_LEVELS:
        raise IndicatorError("level", f"RCA is computed over a product level: {', '.join(PRODUCT_LEVELS)}")
    export = Cut("flow", ("export",))
    counties = run(CubeQuery(measures=("value_usd",), drilldowns=("origin_county", product),
                             cuts=(export, Cut("origin_province", (request.region,))), period=request.period)).frame
    reference = None
    if request.reference == "nation":
        reference = run(CubeQuery(measures=("value_usd",), drilldowns=(product,), cuts=(export,),
                                  period=request.period)).frame
    return maths.rca_frame(counties, region="origin_county", product=product, reference=reference)


def _not_applicable(request: IndicatorRequest, columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([{**dict.fromkeys(columns, float("nan")), "reason": NOT_APPLICABLE}])


_COMMON = ("year", "months", "scope", "flow", "region")
INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator(
        "reconciliation", "Through vs origin", "تطبیق محل اظهار و مبدأ تولید",
        "Trade cleared at the region's customs offices against trade produced in the region's counties "
        "(wherever cleared): both, cleared here but produced elsewhere, produced here but cleared elsewhere; "
        "value (USD), weight (t) and change on the same months of the year before.",
        "تجارتی که در گمرکات استان اظهار شده در برابر تجارت تولیدات شهرستان‌های استان (در هر گمرکی که اظهار "
        "شده باشد): هر دو، اظهار در استان و تولید جای دیگر، تولید استان و اظهار در جای دیگر؛ ارزش (دلار)، وزن "
        "(تن) و تغییر نسبت به ماه‌های مشابه سال قبل.",
        "USD", ("year", "months", "flow", "region"), _reconciliation),
    Indicator(
        "unit_value", "Unit value", "ارزش واحد",
        "Value divided by net weight, in USD per tonne, for the period and the same months of the year "
        "before, in total or for each member of a level (level=partner, chapter, …).",
        "ارزش تقسیم بر وزن خالص، به دلار بر تن، برای دوره و ماه‌های مشابه سال قبل، در کل یا برای هر عضو یک "
        "سطح (مانند کشور یا فصل تعرفه).",
        "USD/t", (*_COMMON, "level"), _unit_value),
    Indicator(
        "concentration", "Concentration", "تمرکز",
        "Herfindahl–Hirschman index of the shares (in percent) of the members of a level (partners by "
        "default), from 0 to 10,000; the share of the top N members; the number of members with trade and "
        "the equivalent number of equal members (10,000 / HHI).",
        "شاخص هرفیندال–هیرشمن سهم‌ها (به درصد) اعضای یک سطح (به‌طور پیش‌فرض کشورهای طرف تجاری)، از ۰ تا "
        "۱۰٬۰۰۰؛ سهم N عضو بزرگ؛ تعداد اعضای دارای تجارت و تعداد معادل اعضای هم‌اندازه (۱۰٬۰۰۰ تقسیم بر شاخص).",
        "index", (*_COMMON, "level", "top"), _concentration),
    Indicator(
        "growth", "Growth on the comparison period", "رشد نسبت به دوره مقایسه",
        "Each measure (exports, imports, balance, weights by default) in the period and in the same months "
        "of the year before, and the change in percent. When a period holds no loaded data, or the base is "
        "zero, the change is empty with the reason, never −100 %.",
        "هر سنجه (به‌طور پیش‌فرض صادرات، واردات، تراز و وزن‌ها) در دوره و در ماه‌های مشابه سال قبل، و تغییر "
        "به درصد. اگر برای دوره‌ای داده‌ای بارگذاری نشده یا مبنا صفر باشد، تغییر خالی و همراه با دلیل است، "
        "نه منفی ۱۰۰ درصد.",
        "%", (*_COMMON, "measures", "level"), _growth),
    Indicator(
        "shares", "Shares", "سهم‌ها",
        "The share (%) of each member of a level in the flow's total, e.g. the border markets' share of "
        "exports (level=channel, the default), with its change on the year before.",
        "سهم (درصد) هر عضو یک سطح از کل جریان، مثلاً سهم بازارچه‌های مرزی از صادرات (سطح مجرا، پیش‌فرض)، همراه "
        "با تغییر نسبت به سال قبل.",
        "%", (*_COMMON, "level"), _shares),
    Indicator(
        "regional_rca", "Regional revealed comparative advantage", "مزیت نسبی آشکارشده منطقه‌ای",
        "For each county of the region and each product (level=heading by default), the county's share of "
        "the product in its exports over the product's share in the nation's exports (reference=nation) or "
        "in the region's counties' exports (reference=regions); ≥ 1 means specialised. Computed by "
        "payesh.analytics.subnational.regional_rca.",
        "برای هر شهرستان استان و هر کالا (به‌طور پیش‌فرض سرفصل)، سهم کالا در صادرات شهرستان تقسیم بر سهم آن "
        "در صادرات کشور (مرجع: کشور) یا در صادرات شهرستان‌های استان (مرجع: شهرستان‌ها)؛ یک یا بیشتر یعنی "
        "تخصص. محاسبه با تابع regional_rca.",
        "ratio", ("year", "months", "region", "level", "reference"), _regional_rca),
)}


def indicator_compute(name: str, request: IndicatorRequest) -> pd.DataFrame:
    """The indicator ``name`` for ``request`` as a frame (keys first, then figures)."""
    if name not in INDICATORS:
        raise IndicatorError("name", f"unknown indicator {name!r}; accepted: {', '.join(INDICATORS)}")
    return INDICATORS[name].compute(request)


def indicator_labelled(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` with a ``<level>_caption`` after each key column that is a cube level, and a
    ``<column>_text`` (the sentence) after each ``…reason`` column, in ``language``."""
    out = frame.copy()
    fa = language.startswith("fa")
    for column in list(out.columns):
        if column in CUBE.levels and CUBE.levels[column].captions:
            names = run(CubeQuery(measures=("rows",), drilldowns=(column,))).labelled(language)
            mapping = dict(zip(names[column].astype(str), names[f"{column}_caption"], strict=True))
            position = list(out.columns).index(column) + 1
            out.insert(position, f"{column}_caption", out[column].map(
                lambda key, m=mapping: m.get(str(key), str(key)) if key is not None and key == key else None))
        elif column.endswith("reason"):
            position = list(out.columns).index(column) + 1
            out.insert(position, f"{column}_text", out[column].map(
                lambda code: (REASONS[code][1] if fa else REASONS[code][0]) if code in REASONS else None))
    return out
