"""What each monitoring page shows. Every number comes from the cube (``payesh.cube.run``); this
module only chooses the questions, shapes the answers into tables and Plotly figures, and writes
the headline sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import get_language

from payesh.core import charts
from payesh.core.formatting import format_percent, format_tons, format_usd, is_persian
from payesh.cube import CUBE, CubeQuery, Cut, Period, run
from payesh.monitoring.filters import PageFilters
from payesh.reference.models import BorderMarket, Province


@dataclass
class Table:
    title: str
    frame: pd.DataFrame  # labelled: keys, captions and measures, as downloaded
    columns: list[tuple[str, str, str]]  # (column, header, kind: text|code|usd|t|pct|num|usd_t)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The first 200 rows for the page (downloads hold them all)."""
        return [{k: (None if v is pd.NA or (isinstance(v, float) and v != v) else v) for k, v in r.items()}
                for r in self.frame.head(200).to_dict("records")]


@dataclass
class PageData:
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _fa() -> bool:
    return is_persian(get_language())


def _t(en: str, fa: str) -> str:
    return fa if _fa() else en


def _lang() -> str:
    return get_language() or "fa"


def _labelled(query: CubeQuery) -> pd.DataFrame:
    return run(query).labelled(_lang())


def period_label(filters: PageFilters) -> str:
    from payesh.core.formatting import persian_digits

    year = persian_digits(str(filters.year)) if _fa() else str(filters.year)
    if filters.months == 12:
        return _t(f"the year {year}", f"سال {year}")
    months = persian_digits(str(filters.months)) if _fa() else str(filters.months)
    return _t(f"the first {months} months of {year}", f"{months} ماه نخست سال {year}")


def _measure_label(name: str) -> str:
    m = CUBE.measure_by_name[name]
    return m.label_fa if _fa() else m.label_en


def _level_label(name: str) -> str:
    level = CUBE.levels[name]
    return level.label_fa if _fa() else level.label_en


def _bar(frame: pd.DataFrame, label: str, value: str, title: str = "") -> str:
    data = frame.iloc[::-1]  # largest at the top of a horizontal bar chart
    fig = go.Figure(go.Bar(x=data[value], y=data[label], orientation="h", marker_color=charts.PALETTE[0],
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_layout(**charts.layout(_lang(), height=max(260, 34 * len(frame) + 60), title=title,
                                      yaxis={"automargin": True}))
    return charts.figure_json(fig)


# ------------------------------------------------------------------ overview
def overview_data(filters: PageFilters) -> PageData:
    data = PageData()
    totals = run(filters.query(measures=("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t",
                                         "rows"), compare="previous_year")).frame.iloc[0]

    def delta(name: str) -> dict[str, Any]:
        return {"value": totals[name], "previous": totals[f"{name}_previous"],
                "change_pct": totals[f"{name}_change_pct"]}

    kpis = {name: delta(name) for name in ("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t")}
    for flow in ("exports", "imports"):
        now_t, before_t = totals[f"{flow}_t"], totals[f"{flow}_t_previous"]
        now = totals[f"{flow}_usd"] / now_t if now_t else float("nan")
        before = totals[f"{flow}_usd_previous"] / before_t if before_t else float("nan")
        kpis[f"{flow}_unit_value"] = {"value": now, "previous": before,
                                      "change_pct": 100 * (now - before) / before if before == before and before
                                      else float("nan")}
    data.extra["kpis"] = kpis
    data.extra["rows"] = int(totals["rows"])

    # Monthly trend: this year and the one before, month by month.
    trend = run(filters.query(measures=("exports_usd", "imports_usd"), drilldowns=("year", "month_of_year"),
                              period=Period((filters.year - 1) * 100 + 1, filters.year * 100 + 12))).frame
    fig = go.Figure()
    months = [charts_month(m) for m in range(1, 13)]
    for year, dash in ((filters.year - 1, "dot"), (filters.year, "solid")):
        rows = trend[trend["year"] == year].set_index("month_of_year")
        for measure, colour in (("exports_usd", charts.PALETTE[0]), ("imports_usd", charts.PALETTE[1])):
            values = [rows[measure].get(m, None) if m in rows.index else None for m in range(1, 13)]
            fig.add_trace(go.Scatter(x=months, y=values, mode="lines+markers", name=f"{_measure_label(measure)} {year}",
                                     line={"color": colour, "dash": dash}))
    fig.update_layout(**charts.layout(_lang(), height=340, xaxis={"autorange": "reversed" if _fa() else True}))
    data.charts["trend"] = charts.figure_json(fig)
    trend_table = trend.copy()
    data.tables["trend"] = Table(_t("Monthly trend", "روند ماهانه"), trend_table, [
        ("year", _level_label("year"), "num"), ("month_of_year", _level_label("month_of_year"), "num"),
        ("exports_usd", _measure_label("exports_usd"), "usd"), ("imports_usd", _measure_label("imports_usd"), "usd")])

    flow_cut = (Cut("flow", (filters.flow,)),)
    for name, level, title in (("partners", "partner", _t("Top partners", "طرف‌های تجاری اصلی")),
                               ("products", "chapter", _t("Top products (HS chapters)", "کالاهای اصلی (فصل‌های تعرفه)")),
                               ("offices", "office", _t("Customs offices", "گمرکات"))):
        frame = _labelled(filters.query(measures=("value_usd", "weight_t"), drilldowns=(level,), cuts=flow_cut,
                                        compare="previous_year", sort="-value_usd", top=8, other=True))
        data.tables[name] = Table(title, frame, [
            (f"{level}_caption", _level_label(level), "text"), ("value_usd", _measure_label("value_usd"), "usd"),
            ("value_usd_share", _t("Share", "سهم"), "pct"),
            ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
            ("weight_t", _measure_label("weight_t"), "t")])
        data.charts[name] = _bar(frame, f"{level}_caption", "value_usd")
    data.extra["reconciliation"] = reconciliation(filters)
    data.extra["headlines"] = headlines(filters, kpis, data.extra["reconciliation"])
    return data


def charts_month(month: int) -> str:
    from payesh.core.formatting import JALALI_MONTHS_EN, JALALI_MONTHS_FA

    return JALALI_MONTHS_FA[month - 1] if _fa() else JALALI_MONTHS_EN[month - 1]


# ------------------------------------------------------------------ through vs origin
def reconciliation(filters: PageFilters, flow: str = "export") -> dict[str, float]:
    """Trade through the region's customs vs trade produced in the region, and their overlap."""
    frame = run(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("office_province", "origin_province"),
                          cuts=(Cut("flow", (flow,)),), period=filters.period, compare="previous_year")).frame
    region = filters.region
    through = frame["office_province"] == region
    origin = frame["origin_province"] == region
    parts = {
        "through_and_origin": frame[through & origin],
        "through_not_origin": frame[through & ~origin.fillna(False)],
        "origin_not_through": frame[~through.fillna(False) & origin],
        "through": frame[through],
        "origin": frame[origin.fillna(False)],
    }
    out: dict[str, float] = {}
    for name, part in parts.items():
        out[name] = float(part["value_usd"].sum())
        out[f"{name}_previous"] = float(part["value_usd_previous"].fillna(0).sum())
        out[f"{name}_t"] = float(part["weight_t"].sum())
    return out


def through_origin_data(filters: PageFilters) -> PageData:
    data = PageData()
    rec = reconciliation(filters, filters.flow)
    data.extra["reconciliation"] = rec
    rows = [
        ("through_and_origin", _t("Cleared in the region and produced in it", "اظهار در استان، تولید استان")),
        ("through_not_origin", _t("Cleared in the region, produced elsewhere or unknown",
                                  "اظهار در استان، تولید دیگر استان‌ها یا نامعلوم")),
        ("origin_not_through", _t("Produced in the region, cleared elsewhere", "تولید استان، اظهار در دیگر گمرکات")),
    ]
    frame = pd.DataFrame([{
        "part": label, "value_usd": rec[key], "value_usd_previous": rec[f"{key}_previous"],
        "change_pct": 100 * (rec[key] - rec[f"{key}_previous"]) / rec[f"{key}_previous"]
        if rec[f"{key}_previous"] else float("nan"), "weight_t": rec[f"{key}_t"]} for key, label in rows])
    data.tables["reconciliation"] = Table(_t("Reconciliation", "تطبیق"), frame, [
        ("part", _t("Part", "بخش"), "text"), ("value_usd", _measure_label("value_usd"), "usd"),
        ("value_usd_previous", _t("Same period last year", "دوره مشابه سال قبل"), "usd"),
        ("change_pct", _t("Change", "تغییر"), "pct_signed"), ("weight_t", _measure_label("weight_t"), "t")])

    # Sankey: origin (county of the region, or other province) → office of the region → partner.
    flows = _labelled(CubeQuery(
        measures=("value_usd",), drilldowns=("origin_province", "origin_county", "office", "partner"),
        cuts=(Cut("flow", (filters.flow,)), Cut("office_province", (filters.region,))), period=filters.period))
    flows = flows[flows["value_usd"] > 0]
    unknown = _t("Unknown origin", "مبدأ نامعلوم")
    region_name = _province_name(filters.region)

    def origin_label(row: pd.Series) -> str:
        if row["origin_province"] == filters.region:
            county = row["origin_county_caption"]
            return f"{county}" if row["origin_county"] is not None and row["origin_county"] == row["origin_county"] \
                else region_name
        if row["origin_province"] is None or row["origin_province"] != row["origin_province"]:
            return unknown
        return str(row["origin_province_caption"])

    if not flows.empty:
        flows["origin_label"] = flows.apply(origin_label, axis=1)
        top_partners = flows.groupby("partner_caption")["value_usd"].sum().nlargest(8).index
        flows["partner_label"] = flows["partner_caption"].where(flows["partner_caption"].isin(top_partners),
                                                                _t("Other partners", "سایر کشورها"))
        top_origins = flows.groupby("origin_label")["value_usd"].sum().nlargest(14).index
        flows["origin_label"] = flows["origin_label"].where(flows["origin_label"].isin(top_origins),
                                                            _t("Other origins", "سایر مبادی"))
        left = flows.groupby(["origin_label", "office_caption"], as_index=False)["value_usd"].sum()
        right = flows.groupby(["office_caption", "partner_label"], as_index=False)["value_usd"].sum()
        nodes = list(dict.fromkeys([*left["origin_label"], *left["office_caption"], *right["partner_label"]]))
        index = {n: i for i, n in enumerate(nodes)}
        # An office and an origin may share a name; suffix offices to keep the three columns apart.
        fig = go.Figure(go.Sankey(
            arrangement="snap",
            node={"label": nodes, "pad": 12, "thickness": 14, "color": [charts.PALETTE[i % len(charts.PALETTE)]
                                                                         for i in range(len(nodes))]},
            link={"source": [index[o] for o in left["origin_label"]] + [index[o] for o in right["office_caption"]],
                  "target": [index[o] for o in left["office_caption"]] + [index[p] for p in right["partner_label"]],
                  "value": [*left["value_usd"], *right["value_usd"]],
                  "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f}<extra></extra>"}))
        fig.update_layout(**charts.layout(_lang(), height=560))
        data.charts["sankey"] = charts.figure_json(fig)
    data.tables["flows"] = Table(_t("Origin → customs office → partner", "مبدأ ← گمرک ← کشور مقصد"), flows, [
        ("origin_label" if "origin_label" in flows else "origin_province", _t("Origin", "مبدأ"), "text"),
        ("office_caption", _level_label("office"), "text"), ("partner_caption", _level_label("partner"), "text"),
        ("value_usd", _measure_label("value_usd"), "usd")])
    return data


def _province_name(code: str) -> str:
    province = Province.objects.filter(code=code).first()
    return str(province.name) if province else code


# ------------------------------------------------------------------ partners
def partners_data(filters: PageFilters) -> PageData:
    data = PageData()
    frame = _labelled(filters.query(measures=("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t"),
                                    drilldowns=("partner_region", "partner"), compare="previous_year",
                                    sort="-exports_usd"))
    frame = frame[(frame["exports_usd"] != 0) | (frame["imports_usd"] != 0)]
    data.tables["partners"] = Table(_t("Partners", "طرف‌های تجاری"), frame, [
        ("partner_caption", _level_label("partner"), "text"),
        ("partner_region_caption", _level_label("partner_region"), "text"),
        ("exports_usd", _measure_label("exports_usd"), "usd"),
        ("exports_usd_change_pct", _t("Exports: change", "تغییر صادرات"), "pct_signed"),
        ("imports_usd", _measure_label("imports_usd"), "usd"),
        ("imports_usd_change_pct", _t("Imports: change", "تغییر واردات"), "pct_signed"),
        ("balance_usd", _measure_label("balance_usd"), "usd"), ("exports_t", _measure_label("exports_t"), "t")])
    top = frame.head(12)
    fig = go.Figure([go.Bar(name=_measure_label("exports_usd"), x=top["partner_caption"], y=top["exports_usd"],
                            marker_color=charts.PALETTE[0]),
                     go.Bar(name=_measure_label("imports_usd"), x=top["partner_caption"], y=top["imports_usd"],
                            marker_color=charts.PALETTE[1])])
    fig.update_layout(**charts.layout(_lang(), barmode="group", height=380,
                                      xaxis={"autorange": "reversed" if _fa() else True}))
    data.charts["partners"] = charts.figure_json(fig)
    from payesh.cube.compile import concentration

    exports = frame[frame["exports_usd"] > 0]
    total = exports["exports_usd"].sum()
    data.extra["concentration"] = concentration(100 * exports["exports_usd"] / total, 3) if total else None
    return data


# ------------------------------------------------------------------ products (treemap with drill-down)
PRODUCT_PATH = ("section", "chapter", "heading", "subheading")


def products_data(filters: PageFilters, level: str, parent: str) -> PageData:
    data = PageData()
    if level not in PRODUCT_PATH:
        level = "section"
    cuts = [Cut("flow", (filters.flow,))]
    parent_level = PRODUCT_PATH[PRODUCT_PATH.index(level) - 1] if level != "section" else ""
    if parent_level and parent:
        cuts.append(Cut(parent_level, (parent,)))
    frame = _labelled(filters.query(measures=("value_usd", "weight_t", "unit_value"), drilldowns=(level,),
                                    cuts=tuple(cuts), compare="previous_year", sort="-value_usd"))
    frame = frame[frame["value_usd"] > 0]
    data.extra.update(level=level, parent=parent, parent_level=parent_level,
                      child_level=PRODUCT_PATH[PRODUCT_PATH.index(level) + 1] if level != "subheading" else "")
    data.tables["products"] = Table(_t("Products", "کالاها"), frame, [
        (level, _t("Code", "کد"), "code"), (f"{level}_caption", _level_label(level), "text"),
        ("value_usd", _measure_label("value_usd"), "usd"), ("value_usd_share", _t("Share", "سهم"), "pct"),
        ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
        ("weight_t", _measure_label("weight_t"), "t"), ("unit_value", _measure_label("unit_value"), "usd_t")])
    if not frame.empty:
        labels = [f"{k} {c}"[:60] for k, c in zip(frame[level], frame[f"{level}_caption"], strict=True)]
        fig = go.Figure(go.Treemap(labels=labels, parents=[""] * len(frame), values=frame["value_usd"],
                                   customdata=frame[level].astype(str), textinfo="label+percent root",
                                   hovertemplate="%{label}<br>%{value:,.0f}<extra></extra>"))
        fig.update_layout(**charts.layout(_lang(), height=480, margin={"l": 0, "r": 0, "t": 10, "b": 0}))
        data.charts["treemap"] = charts.figure_json(fig)
    return data


# ------------------------------------------------------------------ offices and border markets
def offices_data(filters: PageFilters) -> PageData:
    data = PageData()
    flow_cut = (Cut("flow", (filters.flow,)),)
    channel = _labelled(filters.query(measures=("value_usd", "weight_t"), drilldowns=("channel",), cuts=flow_cut,
                                      compare="previous_year", sort="-value_usd"))
    data.tables["channels"] = Table(_t("Channels", "مجاری تجارت"), channel, [
        ("channel_caption", _level_label("channel"), "text"), ("value_usd", _measure_label("value_usd"), "usd"),
        ("value_usd_share", _t("Share", "سهم"), "pct"),
        ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
        ("weight_t", _measure_label("weight_t"), "t")])
    if not channel.empty:
        fig = go.Figure(go.Pie(labels=channel["channel_caption"], values=channel["value_usd"], hole=0.5,
                               sort=False, marker={"colors": charts.PALETTE}))
        fig.update_layout(**charts.layout(_lang(), height=300))
        data.charts["channels"] = charts.figure_json(fig)
    offices = _labelled(filters.query(measures=("value_usd", "weight_t", "unit_value"), drilldowns=("office",),
                                      cuts=flow_cut, compare="previous_year", sort="-value_usd"))
    offices = offices[offices["value_usd"] > 0]
    data.tables["offices"] = Table(_t("Customs offices", "گمرکات"), offices, [
        ("office_caption", _level_label("office"), "text"), ("value_usd", _measure_label("value_usd"), "usd"),
        ("value_usd_share", _t("Share", "سهم"), "pct"),
        ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
        ("weight_t", _measure_label("weight_t"), "t"), ("unit_value", _measure_label("unit_value"), "usd_t")])
    markets = _labelled(filters.query(measures=("value_usd",), drilldowns=("border_market", "month"),
                                      cuts=(*flow_cut, Cut("channel", ("border_market",))),
                                      period=Period((filters.year - 1) * 100 + 1, filters.year * 100 + filters.months)))
    fig = go.Figure()
    for market, rows in markets.groupby("border_market_caption"):
        fig.add_trace(go.Scatter(x=[str(m) for m in rows["month"]], y=rows["value_usd"], mode="lines", name=str(market)))
    fig.update_layout(**charts.layout(_lang(), height=340, xaxis={"type": "category",
                                                                  "autorange": "reversed" if _fa() else True}))
    data.charts["markets"] = charts.figure_json(fig)
    data.tables["markets_trend"] = Table(_t("Border markets by month", "بازارچه‌های مرزی به تفکیک ماه"), markets, [
        ("border_market_caption", _level_label("border_market"), "text"), ("month", _level_label("month"), "code"),
        ("value_usd", _measure_label("value_usd"), "usd")])
    data.extra["markets"] = list(BorderMarket.objects.filter(province_id=filters.region)
                                 .select_related("partner", "county").order_by("status", "code"))
    return data


# ------------------------------------------------------------------ origin: provinces and counties
def origin_data(filters: PageFilters) -> PageData:
    from payesh.monitoring.geo import iran_provinces_geojson

    data = PageData()
    flow_cut = (Cut("flow", (filters.flow,)),)
    provinces = _labelled(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("origin_province",),
                                    cuts=flow_cut, period=filters.period, compare="previous_year",
                                    sort="-value_usd"))
    data.tables["provinces"] = Table(_t("Provinces of origin", "استان‌های مبدأ"), provinces, [
        ("origin_province_caption", _level_label("origin_province"), "text"),
        ("value_usd", _measure_label("value_usd"), "usd"), ("value_usd_share", _t("Share", "سهم"), "pct"),
        ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
        ("weight_t", _measure_label("weight_t"), "t")])
    known = provinces[provinces["origin_province"].notna()]
    geojson = iran_provinces_geojson()
    if geojson is not None and not known.empty:
        fig = go.Figure()
        # A geo subplot whose first trace is a choropleth waits for plotly.js' world map, which is
        # fetched from the internet and never arrives here; an empty scattergeo first avoids that.
        fig.add_trace(go.Scattergeo(lat=[], lon=[], mode="markers", showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Choropleth(
            geojson=geojson, locations=known["origin_province"].tolist(), z=known["value_usd"].tolist(),
            featureidkey="id",
            text=known["origin_province_caption"], colorscale="Teal",
            hovertemplate="%{text}: %{z:,.0f}<extra></extra>", marker_line_color="#ffffff"))
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(**charts.layout(_lang(), height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0}))
        data.charts["provinces"] = charts.figure_json(fig)
    counties = _labelled(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("origin_county",),
                                   cuts=(*flow_cut, Cut("origin_province", (filters.region,))),
                                   period=filters.period, compare="previous_year", sort="-value_usd"))
    data.tables["counties"] = Table(_t("Counties of the region", "شهرستان‌های استان"), counties, [
        ("origin_county_caption", _level_label("origin_county"), "text"),
        ("value_usd", _measure_label("value_usd"), "usd"), ("value_usd_share", _t("Share", "سهم"), "pct"),
        ("value_usd_change_pct", _t("Change on last year", "تغییر نسبت به سال قبل"), "pct_signed"),
        ("weight_t", _measure_label("weight_t"), "t")])
    from payesh.reference.models import County

    seats = {c.code: c for c in County.objects.filter(province_id=filters.region)}
    located = counties[counties["origin_county"].isin([k for k, c in seats.items() if c.lat is not None])]
    if not located.empty:
        top = float(located["value_usd"].max()) or 1.0
        fig = go.Figure(go.Scattergeo(
            lat=[seats[k].lat for k in located["origin_county"]], lon=[seats[k].lon for k in located["origin_county"]],
            # Names only for the largest counties: the seats are close together.
            text=[c if rank < 8 else "" for rank, c in enumerate(located["origin_county_caption"])],
            mode="markers+text", textposition="top center",
            marker={"size": [8 + 32 * (v / top) ** 0.5 for v in located["value_usd"]], "color": charts.PALETTE[0],
                    "opacity": 0.75}, customdata=located["value_usd"],
            hovertemplate="%{text}: %{customdata:,.0f}<extra></extra>"))
        if geojson is not None:
            region = {"type": "FeatureCollection",
                      "features": [f for f in geojson["features"] if f["id"] == filters.region]}
            fig.add_trace(go.Choropleth(geojson=region, locations=[filters.region], z=[1], featureidkey="id",
                                        showscale=False, colorscale=[[0, "#eef2f5"], [1, "#eef2f5"]],
                                        hoverinfo="skip", marker_line_color="#90a4ae"))
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(**charts.layout(_lang(), height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                                          showlegend=False))
        data.charts["counties"] = charts.figure_json(fig)
    return data


# ------------------------------------------------------------------ headlines
def headlines(filters: PageFilters, kpis: dict[str, dict[str, Any]], rec: dict[str, float]) -> list[str]:
    """The sentences a report would open with, in the page's language."""
    lang = _lang()
    period = period_label(filters)
    exports, imports = kpis["exports_usd"], kpis["imports_usd"]
    where = {
        "through": _t("through the province's customs", "از گمرکات استان"),
        "origin": _t("of the province's own production", "از تولیدات استان"),
        "national": _t("by the whole country", "از کل کشور"),
    }[filters.scope]
    lines = []
    if exports["value"]:
        change = format_percent(exports["change_pct"], lang, signed=True)
        lines.append(_t(
            f"In {period}, goods worth {format_usd(exports['value'], lang)} "
            f"({format_tons(kpis['exports_t']['value'], lang)}) were exported {where}, {change} on the same period "
            f"last year.",
            f"در {period} کالا به ارزش {format_usd(exports['value'], lang)} "
            f"({format_tons(kpis['exports_t']['value'], lang)}) {where} صادر شد که نسبت به دوره مشابه سال قبل "
            f"{change} تغییر نشان می‌دهد."))
    if filters.scope == "through" and rec.get("through"):
        lines.append(_t(
            f"Of the exports cleared in the province, {format_usd(rec['through_and_origin'], lang)} "
            f"({format_percent(100 * rec['through_and_origin'] / rec['through'], lang)}) were produced in the "
            f"province; the province's producers also exported {format_usd(rec['origin_not_through'], lang)} "
            f"through other provinces' customs.",
            f"از صادرات اظهارشده در گمرکات استان، {format_usd(rec['through_and_origin'], lang)} "
            f"({format_percent(100 * rec['through_and_origin'] / rec['through'], lang)}) تولید خود استان بود؛ "
            f"تولیدکنندگان استان {format_usd(rec['origin_not_through'], lang)} نیز از گمرکات دیگر استان‌ها صادر "
            f"کردند."))
    if imports["value"]:
        lines.append(_t(
            f"Imports were {format_usd(imports['value'], lang)} "
            f"({format_percent(imports['change_pct'], lang, signed=True)}), leaving a balance of "
            f"{format_usd(kpis['balance_usd']['value'], lang)}.",
            f"واردات {format_usd(imports['value'], lang)} "
            f"({format_percent(imports['change_pct'], lang, signed=True)}) بود و تراز تجاری "
            f"{format_usd(kpis['balance_usd']['value'], lang)} شد."))
    return lines


# ------------------------------------------------------------------ explorer
TIME_LEVELS = ("year", "quarter", "month", "month_of_year", "gyear", "gmonth")


def explorer_chart(query: CubeQuery, frame: pd.DataFrame) -> str:
    """A line chart over a time level, bars otherwise; a second drilldown becomes the series."""
    measure = query.measures[0]
    fig = go.Figure()
    if not query.drilldowns or frame.empty:
        fig.add_trace(go.Bar(x=[_measure_label(measure)], y=[frame[measure].sum() if not frame.empty else 0]))
    else:
        first = query.drilldowns[0]
        x_column = first if first in TIME_LEVELS else f"{first}_caption"
        series = query.drilldowns[1] if len(query.drilldowns) > 1 else None
        groups = frame.groupby(f"{series}_caption", sort=False) if series else [("", frame)]
        for name, rows in groups:
            x = [str(v) for v in rows[x_column]]
            if first in TIME_LEVELS:
                fig.add_trace(go.Scatter(x=x, y=rows[measure], mode="lines+markers", name=str(name) or
                                         _measure_label(measure)))
            else:
                fig.add_trace(go.Bar(x=x, y=rows[measure], name=str(name) or _measure_label(measure)))
    fig.update_layout(**charts.layout(_lang(), height=400, barmode="group",
                                      xaxis={"type": "category", "autorange": "reversed" if _fa() else True},
                                      yaxis={"title": _measure_label(measure)}))
    return charts.figure_json(fig)
