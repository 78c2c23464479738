"""What each monitoring page shows.

Every number comes from the cube (``payesh.cube.run``) or from an indicator built on it
(``payesh.indicators``); this module chooses the questions, lays the answers out as page-kit tables
and charts (``payesh.core.pagekit``, ``payesh.core.charts``) and writes the headline sentences
through gettext. It computes no figure of its own.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from payesh.core import charts
from payesh.core.formatting import format_percent, format_tons, format_usd, is_persian, persian_digits
from payesh.core.pagekit import Chart, Column, PageData, Table
from payesh.cube import CUBE, CubeQuery, Cut, Period, run
from payesh.indicators import NOT_APPLICABLE, REASONS, indicator_compute
from payesh.monitoring.filters import PageFilters
from payesh.reference.models import BorderMarket, County

__all__ = ["PageData", "Table", "explorer_chart", "headlines", "offices_data", "origin_data", "overview_data",
           "partners_data", "period_label", "products_data", "reconciliation", "through_origin_data"]


def _lang() -> str:
    return get_language() or "fa"


def _fa() -> bool:
    return is_persian(_lang())


def _labelled(query: CubeQuery) -> pd.DataFrame:
    return run(query).labelled(_lang())


def _digits(value: object) -> str:
    return persian_digits(str(value)) if _fa() else str(value)


def period_label(filters: PageFilters) -> str:
    if filters.months == 12:
        return _("the year %(year)s") % {"year": _digits(filters.year)}
    return _("the first %(months)s months of %(year)s") % {"months": _digits(filters.months),
                                                           "year": _digits(filters.year)}


def measure_label(name: str) -> str:
    m = CUBE.measure_by_name[name]
    return m.label_fa if _fa() else m.label_en


def level_label(name: str) -> str:
    level = CUBE.levels[name]
    return level.label_fa if _fa() else level.label_en


# Kept for the explorer view, which names columns the same way.
_measure_label = measure_label
_level_label = level_label


def reason_text(reason: object) -> str:
    """Why a figure is empty, in the page's language."""
    if not isinstance(reason, str) or reason not in REASONS:
        return ""
    en, fa = REASONS[reason]
    return fa if _fa() else en


def _change_columns(prefix: str = "value_usd") -> list[Column]:
    return [Column(f"{prefix}_share", _("Share (%)"), "pct"),
            Column(f"{prefix}_change_pct", _("Change on last year (%)"), "pct_signed")]


def _stem(filters: PageFilters) -> tuple[object, ...]:
    """What and when, for download file names: (flow, year, last month)."""
    return (f"{filters.flow}s", filters.year, f"{filters.months:02d}")


# ------------------------------------------------------------------ overview
def kpis(filters: PageFilters) -> dict[str, dict[str, Any]]:
    """Headline figures from the growth and unit-value indicators (None with a reason where empty)."""
    growth = indicator_compute("growth", filters.indicator_request()).iloc[0]
    out: dict[str, dict[str, Any]] = {}
    for name in ("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t"):
        value = growth[name]
        reason = growth[f"{name}_change_reason"]
        out[name] = {"value": None if value != value else float(value),
                     "previous": None if growth[f"{name}_previous"] != growth[f"{name}_previous"]
                     else float(growth[f"{name}_previous"]),
                     "change_pct": None if growth[f"{name}_change_pct"] != growth[f"{name}_change_pct"]
                     else float(growth[f"{name}_change_pct"]),
                     "reason": reason_text(reason), "not_applicable": reason == NOT_APPLICABLE}
    for flow in ("export", "import"):
        unit = indicator_compute("unit_value", filters.indicator_request(flow=flow)).iloc[0]
        applicable = unit.get("reason") != NOT_APPLICABLE
        value = unit.get("unit_value", float("nan"))
        change = unit.get("unit_value_change_pct", float("nan"))
        out[f"{flow}s_unit_value"] = {
            "value": None if value != value else float(value), "change_pct": None if change != change else float(change),
            "previous": None if not applicable or unit["unit_value_previous"] != unit["unit_value_previous"]
            else float(unit["unit_value_previous"]),
            "reason": reason_text(unit.get("reason") if not applicable else unit.get("unit_value_change_reason")),
            "not_applicable": not applicable}
    return out


def _trend_chart(trend: pd.DataFrame, filters: PageFilters) -> str:
    """Month by month for the year before and this year; the chosen months shaded and named."""
    lang = _lang()
    months = [charts.month_label(m, lang) for m in range(1, 13)]
    fig = go.Figure()
    measures = ["exports_usd", "imports_usd"] if filters.imports_apply else ["exports_usd"]
    values: list[float] = []
    for year, dash in ((filters.year - 1, "dot"), (filters.year, "solid")):
        rows = trend[trend["year"] == year].set_index("month_of_year")
        for measure in measures:
            series = [float(rows[measure].get(m)) if m in rows.index else None for m in range(1, 13)]
            # Months after the last loaded one are unknown, not zero.
            values += [v for v in series if v is not None]
            name = f"{measure_label(measure)} {_digits(year)}"
            fig.add_trace(go.Scatter(
                x=months, y=series, mode="lines+markers", name=name,
                line={"color": charts.colour_for(measure), "dash": dash, "width": 3 if year == filters.year else 2},
                customdata=[f"{name} · {months[i]}: {charts.format_value(v, 'usd', lang)}" if v is not None else ""
                            for i, v in enumerate(series)],
                hovertemplate="%{customdata}<extra></extra>"))
    chosen_last = months[filters.months - 1]
    # The chosen months shaded (the chart's note names them): the rest of each year is context.
    fig.add_vrect(x0=-0.5, x1=filters.months - 0.5, fillcolor="#0f6e6e", opacity=0.08, line_width=0)
    axis = charts.value_axis(values, "usd", lang, _("Value"))
    fig.update_layout(**charts.layout(lang, height=360, yaxis={**axis, "side": "right" if _fa() else "left"},
                                      margin=charts.side_margins(lang),
                                      xaxis={"type": "category", "autorange": "reversed" if _fa() else True,
                                             "title": {"text": _("Solar Hijri month")}},
                                      meta={"chosen_last_month": chosen_last}))
    return charts.figure_json(fig)


def overview_data(filters: PageFilters) -> PageData:
    data = PageData()
    lang = _lang()
    figures = kpis(filters)
    data.extra["kpis"] = figures

    # Monthly trend: this year and the one before, month by month.
    trend = run(filters.query(measures=("exports_usd", "imports_usd"), drilldowns=("year", "month_of_year"),
                              period=Period((filters.year - 1) * 100 + 1, filters.year * 100 + 12))).frame
    data.add_chart(Chart("trend", _("Monthly trend of exports and imports, this year and last, USD"),
                         _trend_chart(trend, filters), charts_file(filters, "trend"),
                         note=_("Shaded: the months chosen (%(period)s).") % {"period": period_label(filters)}))
    trend_table = trend.assign(month=trend["year"] * 100 + trend["month_of_year"])
    trend_columns = [Column("month", _("Month"), "month"), Column("exports_usd", measure_label("exports_usd"), "usd")]
    if filters.imports_apply:
        trend_columns.append(Column("imports_usd", measure_label("imports_usd"), "usd"))
    data.add_table(Table("trend", _("Monthly trend"), trend_table, trend_columns))

    flow_cut = (Cut("flow", (filters.flow,)),)
    if filters.flow == "import" and not filters.imports_apply:
        data.extra["flow_not_applicable"] = True
    else:
        for name, level, title in (("partners", "partner", _("Top partners")),
                                   ("products", "chapter", _("Top products (HS chapters)")),
                                   ("offices", "office", _("Customs offices"))):
            frame = _labelled(filters.query(measures=("value_usd", "weight_t"), drilldowns=(level,), cuts=flow_cut,
                                            compare="previous_year", sort="-value_usd", top=8, other=True))
            frame = frame[frame["value_usd"] > 0]
            table = data.add_table(Table(name, title, frame, [
                Column(f"{level}_caption", level_label(level)), Column("value_usd", measure_label("value_usd"), "usd"),
                *_change_columns(), Column("weight_t", measure_label("weight_t"), "t")]))
            if not frame.empty:
                data.add_chart(Chart(name, table.title, charts.hbar(
                    frame[level].tolist(), frame[f"{level}_caption"].tolist(), frame["value_usd"].tolist(),
                    kind="usd", language=lang, title=measure_label("value_usd").split(" (")[0]),
                    charts_file(filters, name)))
    rec = reconciliation(filters)
    data.extra["reconciliation"] = rec
    data.extra["headlines"] = headlines(filters, figures, rec)
    return data


def charts_file(filters: PageFilters, name: str) -> str:
    return "-".join(["payesh", f"{filters.flow}s", name, str(filters.year), f"{filters.months:02d}"])


# ------------------------------------------------------------------ through vs origin
def reconciliation(filters: PageFilters, flow: str = "export") -> dict[str, float | None]:
    """The reconciliation indicator as {part: value, part_previous, part_t, part_change_pct}."""
    frame = indicator_compute("reconciliation", filters.indicator_request(flow=flow))
    out: dict[str, float | None] = {}
    for row in frame.to_dict("records"):
        part = row["part"]
        out[part] = row["value_usd"]
        out[f"{part}_previous"] = row["value_usd_previous"]
        out[f"{part}_t"] = row["weight_t"]
        out[f"{part}_change_pct"] = None if row["value_usd_change_pct"] != row["value_usd_change_pct"] \
            else row["value_usd_change_pct"]
    return out


def _reconciliation_label(part: str) -> str:
    return {"through_and_origin": _("Cleared in the region and produced in it"),
            "through_not_origin": _("Cleared in the region, produced elsewhere or unknown"),
            "origin_not_through": _("Produced in the region, cleared elsewhere"),
            "through": _("All cleared in the region"),
            "origin": _("All produced in the region (anywhere cleared)")}[part]


def _sankey(flows: pd.DataFrame, filters: PageFilters) -> str:
    """Origin → customs office of the region → partner; links take their source's colour, half opaque."""
    lang = _lang()
    left = flows.groupby(["origin_key", "origin_label", "office", "office_caption"], as_index=False,
                         dropna=False)["value_usd"].sum()
    right = flows.groupby(["office", "office_caption", "partner_key", "partner_label"], as_index=False,
                          dropna=False)["value_usd"].sum()
    # Node ids carry their column, so an office and an origin with the same name stay apart.
    nodes: dict[str, tuple[str, str]] = {}
    for key, label in zip(left["origin_key"], left["origin_label"], strict=True):
        nodes.setdefault(f"o:{key}", (str(label), str(key)))
    for key, label in zip(left["office"], left["office_caption"], strict=True):
        nodes.setdefault(f"c:{key}", (str(label), str(key)))
    for key, label in zip(right["partner_key"], right["partner_label"], strict=True):
        nodes.setdefault(f"p:{key}", (str(label), str(key)))
    ids = list(nodes)
    index = {n: i for i, n in enumerate(ids)}
    node_colours = [charts.colour_for(nodes[n][1]) for n in ids]
    totals: dict[str, float] = {}
    for frame, src in ((left, "o:"), (right, "c:")):
        src_key = "origin_key" if src == "o:" else "office"
        for key, value in zip(frame[src_key], frame["value_usd"], strict=True):
            totals[src + str(key)] = totals.get(src + str(key), 0.0) + float(value)
    for key, value in zip(right["partner_key"], right["value_usd"], strict=True):
        totals["p:" + str(key)] = totals.get("p:" + str(key), 0.0) + float(value)
    sources = [index[f"o:{k}"] for k in left["origin_key"]] + [index[f"c:{k}"] for k in right["office"]]
    targets = [index[f"c:{k}"] for k in left["office"]] + [index[f"p:{k}"] for k in right["partner_key"]]
    values = [*left["value_usd"], *right["value_usd"]]
    link_text = [f"{nodes[ids[s]][0]} → {nodes[ids[t]][0]}: {charts.format_value(v, 'usd', lang)}"
                 for s, t, v in zip(sources, targets, values, strict=True)]
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.0f",
        node={"label": [nodes[n][0] for n in ids], "pad": 14, "thickness": 16, "color": node_colours,
              "line": {"color": "#ffffff", "width": 0.5},
              "customdata": [f"{nodes[n][0]}: {charts.format_value(totals.get(n, 0.0), 'usd', lang)}" for n in ids],
              "hovertemplate": "%{customdata}<extra></extra>"},
        link={"source": sources, "target": targets, "value": values,
              "color": [charts.rgba(node_colours[s], 0.45) for s in sources],
              "customdata": link_text, "hovertemplate": "%{customdata}<extra></extra>"}))
    fig.update_layout(**charts.layout(lang, height=580, margin={"l": 10, "r": 10, "t": 36, "b": 10}))
    fig.add_annotation(x=0, y=1.06, xref="paper", yref="paper", showarrow=False, xanchor="left",
                       text=_("Origin"), font={"size": 13, "color": "#5b6b7c"})
    fig.add_annotation(x=0.5, y=1.06, xref="paper", yref="paper", showarrow=False, xanchor="center",
                       text=_("Customs office"), font={"size": 13, "color": "#5b6b7c"})
    fig.add_annotation(x=1, y=1.06, xref="paper", yref="paper", showarrow=False, xanchor="right",
                       text=_("Partner"), font={"size": 13, "color": "#5b6b7c"})
    return charts.figure_json(fig)


def through_origin_data(filters: PageFilters) -> PageData:
    data = PageData()
    rec = reconciliation(filters, filters.flow)
    data.extra["reconciliation"] = rec
    parts = indicator_compute("reconciliation", filters.indicator_request())
    parts = parts[parts["part"].isin(("through_and_origin", "through_not_origin", "origin_not_through"))].copy()
    parts["label"] = parts["part"].map(_reconciliation_label)
    parts["reason"] = parts["value_usd_change_reason"].map(reason_text)
    data.add_table(Table("reconciliation", _("Reconciliation"), parts, [
        Column("label", _("Part")), Column("value_usd", measure_label("value_usd"), "usd"),
        Column("value_usd_previous", _("Same months last year (USD)"), "usd"),
        Column("value_usd_change_pct", _("Change (%)"), "pct_signed"), Column("weight_t", measure_label("weight_t"), "t"),
    ]))

    flows = _labelled(CubeQuery(
        measures=("value_usd",), drilldowns=("origin_province", "origin_county", "office", "partner"),
        cuts=(Cut("flow", (filters.flow,)), Cut("office_province", (filters.region,))), period=filters.period))
    flows = flows[flows["value_usd"] > 0].copy()
    if not flows.empty:
        in_region = flows["origin_province"] == filters.region
        has_county = flows["origin_county"].notna()
        unknown = flows["origin_province"].isna()
        flows["origin_key"] = flows["origin_province"].where(~in_region, flows["origin_county"]).where(
            ~(in_region & ~has_county), filters.region).where(~unknown, "__unknown__")
        flows["origin_label"] = flows["origin_province_caption"].where(~in_region, flows["origin_county_caption"]).where(
            ~unknown, _("Unknown origin"))
        top_origins = flows.groupby("origin_key")["value_usd"].sum().nlargest(12).index
        other_origin = ~flows["origin_key"].isin(top_origins)
        flows.loc[other_origin, "origin_label"] = _("Other origins")
        flows.loc[other_origin, "origin_key"] = "__other__"
        top_partners = flows.groupby("partner")["value_usd"].sum().nlargest(8).index
        other_partner = ~flows["partner"].isin(top_partners)
        flows["partner_key"] = flows["partner"].where(~other_partner, "__other__")
        flows["partner_label"] = flows["partner_caption"].where(~other_partner, _("Other partners"))
        title = _("Origin → customs office of the region → partner (read from left to right), %(flow)s, USD") % {
            "flow": _("exports") if filters.flow == "export" else _("imports")}
        data.add_chart(Chart("sankey", title, _sankey(flows, filters), charts_file(filters, "through-origin"),
                             note=_("Each band's width is the value; a band takes the colour of the node it leaves.")))
        flows_table = flows.groupby(["origin_label", "office_caption", "partner_caption"], as_index=False,
                                    dropna=False)["value_usd"].sum().sort_values("value_usd", ascending=False)
    else:
        flows_table = pd.DataFrame(columns=["origin_label", "office_caption", "partner_caption", "value_usd"])
    data.add_table(Table("flows", _("Origin → customs office → partner"), flows_table, [
        Column("origin_label", _("Origin")), Column("office_caption", level_label("office")),
        Column("partner_caption", level_label("partner")), Column("value_usd", measure_label("value_usd"), "usd")]))
    return data


# ------------------------------------------------------------------ partners
def partners_data(filters: PageFilters) -> PageData:
    data = PageData()
    lang = _lang()
    measures = ("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t") if filters.imports_apply \
        else ("exports_usd", "exports_t")
    frame = _labelled(filters.query(measures=measures, drilldowns=("partner_region", "partner"),
                                    compare="previous_year", sort="-exports_usd"))
    traded = frame["exports_usd"] != 0
    if filters.imports_apply:
        traded |= frame["imports_usd"] != 0
    frame = frame[traded]
    columns = [Column("partner_caption", level_label("partner")),
               Column("partner_region_caption", level_label("partner_region")),
               Column("exports_usd", measure_label("exports_usd"), "usd"),
               Column("exports_usd_change_pct", _("Exports: change (%)"), "pct_signed")]
    if filters.imports_apply:
        columns += [Column("imports_usd", measure_label("imports_usd"), "usd"),
                    Column("imports_usd_change_pct", _("Imports: change (%)"), "pct_signed"),
                    Column("balance_usd", measure_label("balance_usd"), "usd")]
    columns.append(Column("exports_t", measure_label("exports_t"), "t"))
    data.add_table(Table("partners", _("Partners"), frame, columns,
                         note="" if filters.imports_apply else _("Imports and the balance are not applicable to "
                                                                 "goods produced in the region.")))
    top = frame.head(12)
    if not top.empty:
        labels = [charts.wrap(c) for c in top["partner_caption"]][::-1]
        fig = go.Figure()
        shown = [m for m in ("exports_usd", "imports_usd") if m in top]
        for measure in shown:
            values = top[measure].tolist()[::-1]
            fig.add_trace(go.Bar(name=measure_label(measure), y=labels, x=values, orientation="h",
                                 marker_color=charts.colour_for(measure),
                                 customdata=charts.hover_texts(labels, values, "usd", lang),
                                 hovertemplate="%{customdata}<extra></extra>"))
        all_values = [v for m in shown for v in top[m]]
        axis = charts.value_axis(all_values, "usd", lang, _("Value"))
        axis["autorange"] = "reversed" if _fa() else True
        axis.pop("range", None)
        margin = charts.label_margin(labels)
        fig.update_layout(**charts.layout(lang, barmode="group", height=max(320, 44 * len(top) + 100), xaxis=axis,
                                          yaxis={"side": "right" if _fa() else "left", "automargin": True},
                                          margin={"l": 20 if _fa() else margin, "r": margin if _fa() else 20,
                                                  "t": 20, "b": 60}))
        data.add_chart(Chart("partners", _("Exports and imports by partner (top 12)") if filters.imports_apply
                             else _("Exports by partner (top 12)"), charts.figure_json(fig),
                             charts_file(filters, "partners")))
    conc = indicator_compute("concentration", filters.indicator_request(flow="export", level="partner", top=3))
    row = conc.iloc[0]
    data.extra["concentration"] = None if row["hhi"] != row["hhi"] else {
        "hhi": float(row["hhi"]), "top3_share": float(row["top_share"]), "members": int(row["members"]),
        "equivalent": float(row["equivalent_members"])}
    return data


# ------------------------------------------------------------------ products (treemap with drill-down)
PRODUCT_PATH = ("section", "chapter", "heading", "subheading")


def product_trail(level: str, parent: str) -> list[dict[str, str]]:
    """The breadcrumb above a product level: each ancestor's name and the link that shows its children.

    Ancestors come from the cube's own captions (a small labelled query), so names follow the
    language and the HS revision the page uses.
    """
    if level == "section" or not parent:
        return []
    parent_level = PRODUCT_PATH[PRODUCT_PATH.index(level) - 1]
    chain = PRODUCT_PATH[: PRODUCT_PATH.index(parent_level) + 1]
    frame = _labelled(CubeQuery(measures=("rows",), drilldowns=chain, cuts=(Cut(parent_level, (parent,)),)))
    if frame.empty:
        return [{"level": parent_level, "code": parent, "name": parent, "children": level, "parent": parent}]
    first = frame.iloc[0]
    trail = []
    for depth, name in enumerate(chain):
        code = str(first[name])
        trail.append({"level": name, "code": code, "name": str(first[f"{name}_caption"]),
                      "children": PRODUCT_PATH[depth + 1],
                      "up": str(first[chain[depth - 1]]) if depth else ""})
    return trail


def products_data(filters: PageFilters, level: str, parent: str) -> PageData:
    data = PageData()
    lang = _lang()
    if level not in PRODUCT_PATH:
        level = "section"
    cuts = [Cut("flow", (filters.flow,))]
    parent_level = PRODUCT_PATH[PRODUCT_PATH.index(level) - 1] if level != "section" else ""
    if parent_level and parent:
        cuts.append(Cut(parent_level, (parent,)))
    frame = _labelled(filters.query(measures=("value_usd", "weight_t", "unit_value"), drilldowns=(level,),
                                    cuts=tuple(cuts), compare="previous_year", sort="-value_usd"))
    frame = frame[frame["value_usd"] > 0].copy()
    trail = product_trail(level, parent)
    up = None
    if trail:
        last = trail[-1]
        up = {"level": last["level"], "parent": last["up"]} if last["level"] != "section" else {"level": "section",
                                                                                              "parent": ""}
    data.extra.update(level=level, parent=parent, parent_level=parent_level, trail=trail, up=up,
                      child_level=PRODUCT_PATH[PRODUCT_PATH.index(level) + 1] if level != "subheading" else "")
    frame["code"] = frame[level].astype(str)
    data.add_table(Table("products", _("Products"), frame, [
        Column("code", _("Code"), "code"), Column(f"{level}_caption", level_label(level)),
        Column("value_usd", measure_label("value_usd"), "usd"), *_change_columns(),
        Column("weight_t", measure_label("weight_t"), "t"), Column("unit_value", measure_label("unit_value"), "usd_t")]))
    if not frame.empty:
        shown = frame.head(40)
        # The tile shows the name (wrapped to fit) and the share; the code and value are on hover.
        labels = [charts.wrap(c, 18) for c in shown[f"{level}_caption"]]
        texts = [format_percent(s, lang) for s in shown["value_usd_share"]]
        hover = [f"{_digits(k) if level == 'section' else k} · {c}<br>{format_usd(v, lang)} · {s}"
                 for k, c, v, s in zip(shown[level], shown[f"{level}_caption"], shown["value_usd"], texts, strict=True)]
        fig = go.Figure(go.Treemap(
            ids=shown["code"].tolist(), labels=labels, parents=[""] * len(shown), values=shown["value_usd"],
            customdata=list(zip(shown["code"], hover, texts, strict=True)), branchvalues="total",
            marker={"colors": charts.colours_for(shown["code"])},
            texttemplate="<b>%{label}</b><br>%{customdata[2]}", textfont={"size": 14}, textposition="middle center",
            hovertemplate="%{customdata[1]}<extra></extra>", tiling={"pad": 2}, pathbar={"visible": False}))
        fig.update_layout(**charts.layout(lang, height=520, margin={"l": 0, "r": 0, "t": 10, "b": 0}))
        title = _("Share of each product in %(flow)s, USD (click a tile to go down a level)") % {
            "flow": _("exports") if filters.flow == "export" else _("imports")}
        data.add_chart(Chart("treemap", title, charts.figure_json(fig), charts_file(filters, f"products-{level}")))
    return data


# ------------------------------------------------------------------ offices and border markets
def offices_data(filters: PageFilters) -> PageData:
    data = PageData()
    lang = _lang()
    flow_cut = (Cut("flow", (filters.flow,)),)
    channel = indicator_compute("shares", filters.indicator_request(level="channel"))
    if "channel" in channel:
        captions = run(CubeQuery(measures=("rows",), drilldowns=("channel",))).labelled(lang)
        names = dict(zip(captions["channel"], captions["channel_caption"], strict=True))
        channel["channel_caption"] = channel["channel"].map(lambda k: names.get(k, k))
        channel["reason"] = channel["value_usd_change_reason"].map(reason_text)
        data.add_table(Table("channels", _("Channels"), channel, [
            Column("channel_caption", level_label("channel")), Column("value_usd", measure_label("value_usd"), "usd"),
            Column("share", _("Share (%)"), "pct"),
            Column("value_usd_change_pct", _("Change on last year (%)"), "pct_signed")]))
        shown = channel[channel["value_usd"] > 0]
        if not shown.empty:
            data.add_chart(Chart("channels", _("Share of each channel, USD"), charts.hbar(
                shown["channel"].tolist(), shown["channel_caption"].tolist(), shown["value_usd"].tolist(),
                kind="usd", language=lang, title=_("Value")), charts_file(filters, "channels")))
    else:
        data.extra["flow_not_applicable"] = True
    offices = _labelled(filters.query(measures=("value_usd", "weight_t", "unit_value"), drilldowns=("office",),
                                      cuts=flow_cut, compare="previous_year", sort="-value_usd"))
    offices = offices[offices["value_usd"] > 0]
    data.add_table(Table("offices", _("Customs offices"), offices, [
        Column("office_caption", level_label("office")), Column("value_usd", measure_label("value_usd"), "usd"),
        *_change_columns(), Column("weight_t", measure_label("weight_t"), "t"),
        Column("unit_value", measure_label("unit_value"), "usd_t")]))
    if not offices.empty:
        top = offices.head(12)
        data.add_chart(Chart("offices", _("Customs offices by value, USD"), charts.hbar(
            top["office"].tolist(), top["office_caption"].tolist(), top["value_usd"].tolist(), kind="usd",
            language=lang, title=_("Value")), charts_file(filters, "offices")))
    start = (filters.year - 1) * 100 + 1
    markets = _labelled(filters.query(measures=("value_usd",), drilldowns=("border_market", "month"),
                                      cuts=(*flow_cut, Cut("channel", ("border_market",))),
                                      period=Period(start, filters.year * 100 + filters.months)))
    month_keys = [y * 100 + m for y in (filters.year - 1, filters.year) for m in range(1, 13)
                  if y * 100 + m <= filters.year * 100 + filters.months]
    labels = [charts.month_label(k, lang) for k in month_keys]
    fig = go.Figure()
    for market, rows in markets.groupby("border_market", sort=True):
        by_month = dict(zip(rows["month"], rows["value_usd"], strict=True))
        name = str(rows["border_market_caption"].iloc[0])
        series = [float(by_month[k]) if k in by_month else 0.0 for k in month_keys]
        fig.add_trace(go.Scatter(x=labels, y=series, mode="lines", name=name,
                                 line={"color": charts.colour_for(market), "width": 2},
                                 customdata=[f"{name} · {lb}: {format_usd(v, lang)}" for lb, v in zip(labels, series,
                                                                                                      strict=True)],
                                 hovertemplate="%{customdata}<extra></extra>"))
    axis = charts.value_axis(markets["value_usd"].tolist(), "usd", lang, _("Value"))
    # The legend above the plot: below it, it would sit on the slanted month names.
    fig.update_layout(**charts.layout(lang, height=440, yaxis={**axis, "side": "right" if _fa() else "left"},
                                      margin={**charts.side_margins(lang), "t": 70, "b": 90},
                                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom",
                                              "x": 1 if _fa() else 0, "xanchor": "right" if _fa() else "left"},
                                      xaxis={"type": "category", "autorange": "reversed" if _fa() else True,
                                             "tickangle": -45, "nticks": 12}))
    data.add_chart(Chart("markets", _("Border markets month by month (the year before and this period), USD"),
                         charts.figure_json(fig), charts_file(filters, "border-markets")))
    markets_table = markets.sort_values(["border_market_caption", "month"])
    data.add_table(Table("markets_trend", _("Border markets by month"), markets_table, [
        Column("border_market_caption", level_label("border_market")), Column("month", _("Month"), "month"),
        Column("value_usd", measure_label("value_usd"), "usd")]))
    data.extra["markets"] = list(BorderMarket.objects.filter(province_id=filters.region)
                                 .select_related("partner", "county").order_by("status", "code"))
    return data


# ------------------------------------------------------------------ origin: provinces and counties
def origin_data(filters: PageFilters) -> PageData:
    from payesh.monitoring.geo import iran_provinces_geojson

    data = PageData()
    lang = _lang()
    flow_cut = (Cut("flow", ("export",)),)
    provinces = _labelled(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("origin_province",),
                                    cuts=flow_cut, period=filters.period, compare="previous_year",
                                    sort="-value_usd"))
    provinces = provinces[provinces["value_usd"] > 0]
    data.add_table(Table("provinces", _("Provinces of origin"), provinces, [
        Column("origin_province_caption", level_label("origin_province")),
        Column("value_usd", measure_label("value_usd"), "usd"), *_change_columns(),
        Column("weight_t", measure_label("weight_t"), "t")]))
    known = provinces[provinces["origin_province"].notna()]
    geojson = iran_provinces_geojson()
    if geojson is not None and not known.empty:
        fig = go.Figure()
        # A geo subplot whose first trace is a choropleth waits for plotly.js' world map, which is
        # fetched from the internet and never arrives here; an empty scattergeo first avoids that.
        fig.add_trace(go.Scattergeo(lat=[], lon=[], mode="markers", showlegend=False, hoverinfo="skip"))
        bar = charts.value_axis(known["value_usd"].tolist(), "usd", lang, _("Exports"))
        fig.add_trace(go.Choropleth(
            geojson=geojson, locations=known["origin_province"].tolist(), z=known["value_usd"].tolist(),
            featureidkey="id", customdata=charts.hover_texts(known["origin_province_caption"].tolist(),
                                                             known["value_usd"].tolist(), "usd", lang),
            colorscale="Teal", hovertemplate="%{customdata}<extra></extra>", marker_line_color="#ffffff",
            colorbar={"tickvals": bar["tickvals"], "ticktext": bar["ticktext"], "title": {"text": charts.unit_title("usd", lang, float(known["value_usd"].max())), "side": "top"},
                      "len": 0.8, "thickness": 12}))
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(**charts.layout(lang, height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0}))
        data.add_chart(Chart("provinces", _("Exports by province of origin (wherever cleared), USD"),
                             charts.figure_json(fig), charts_file(filters, "origin-provinces")))
    counties = _labelled(CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("origin_county",),
                                   cuts=(*flow_cut, Cut("origin_province", (filters.region,))),
                                   period=filters.period, compare="previous_year", sort="-value_usd"))
    counties = counties[counties["value_usd"] > 0]
    data.add_table(Table("counties", _("Counties of the region"), counties, [
        Column("origin_county_caption", level_label("origin_county")),
        Column("value_usd", measure_label("value_usd"), "usd"), *_change_columns(),
        Column("weight_t", measure_label("weight_t"), "t")]))
    seats = {c.code: c for c in County.objects.filter(province_id=filters.region)}
    located = counties[counties["origin_county"].isin([k for k, c in seats.items() if c.lat is not None])]
    if not located.empty:
        top = float(located["value_usd"].max()) or 1.0
        fig = go.Figure(go.Scattergeo(
            lat=[seats[k].lat for k in located["origin_county"]], lon=[seats[k].lon for k in located["origin_county"]],
            # Names only for the largest counties: the seats are close together.
            text=[c if rank < 8 else "" for rank, c in enumerate(located["origin_county_caption"])],
            mode="markers+text", textposition="top center",
            marker={"size": [8 + 32 * (v / top) ** 0.5 for v in located["value_usd"]],
                    "color": charts.colours_for(located["origin_county"]), "opacity": 0.8},
            customdata=charts.hover_texts(located["origin_county_caption"].tolist(), located["value_usd"].tolist(),
                                          "usd", lang),
            hovertemplate="%{customdata}<extra></extra>"))
        if geojson is not None:
            region = {"type": "FeatureCollection",
                      "features": [f for f in geojson["features"] if f["id"] == filters.region]}
            fig.add_trace(go.Choropleth(geojson=region, locations=[filters.region], z=[1], featureidkey="id",
                                        showscale=False, colorscale=[[0, "#eef2f5"], [1, "#eef2f5"]],
                                        hoverinfo="skip", marker_line_color="#90a4ae"))
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(**charts.layout(lang, height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                                          showlegend=False))
        data.add_chart(Chart("counties", _("Exports of the region's counties at their seats (size: value)"),
                             charts.figure_json(fig), charts_file(filters, "origin-counties")))
    return data


# ------------------------------------------------------------------ headlines
def headlines(filters: PageFilters, figures: dict[str, dict[str, Any]], rec: dict[str, float | None]) -> list[str]:
    """The sentences a report would open with, in the page's language (gettext, see the catalog)."""
    lang = _lang()
    exports, imports = figures["exports_usd"], figures["imports_usd"]
    where = {"through": _("through the province's customs"), "origin": _("of the province's own production"),
             "national": _("by the whole country")}[filters.scope]
    lines = []
    if exports["value"]:
        values = {"period": period_label(filters), "value": format_usd(exports["value"], lang),
                  "weight": format_tons(figures["exports_t"]["value"], lang), "where": where,
                  "change": format_percent(exports["change_pct"], lang, signed=True)}
        if exports["change_pct"] is None:
            lines.append(_("In %(period)s, goods worth %(value)s (%(weight)s) were exported %(where)s.") % values
                         + " " + exports["reason"])
        else:
            lines.append(_("In %(period)s, goods worth %(value)s (%(weight)s) were exported %(where)s, %(change)s "
                           "on the same period last year.") % values)
    elif exports["reason"]:
        lines.append(exports["reason"])
    through, both = rec.get("through"), rec.get("through_and_origin")
    if filters.scope == "through" and through and both is not None:
        lines.append(_("Of the exports cleared in the province, %(own)s (%(share)s) were produced in the province; "
                       "the province's producers also exported %(elsewhere)s through other provinces' customs.") % {
            "own": format_usd(both, lang), "share": format_percent(100 * both / through, lang),
            "elsewhere": format_usd(rec.get("origin_not_through"), lang)})
    if imports["value"] and not imports["not_applicable"]:
        lines.append(_("Imports were %(value)s (%(change)s), leaving a balance of %(balance)s.") % {
            "value": format_usd(imports["value"], lang),
            "change": format_percent(imports["change_pct"], lang, signed=True) if imports["change_pct"] is not None
            else imports["reason"],
            "balance": format_usd(figures["balance_usd"]["value"], lang)})
    return lines


# ------------------------------------------------------------------ explorer
TIME_LEVELS = ("year", "quarter", "month", "month_of_year", "gyear", "gmonth")


def _time_label(level: str, key: object, lang: str) -> str:
    if key is None or key != key:
        return "–"
    if level == "month":
        return charts.month_label(int(key), lang)  # type: ignore[call-overload]
    if level == "month_of_year":
        return charts.month_label(int(key), lang, with_year=False)  # type: ignore[call-overload]
    return charts.digits(key, lang)


def explorer_chart(query: CubeQuery, frame: pd.DataFrame) -> str:
    """A line chart over a time level, bars otherwise; a second drilldown becomes the series."""
    lang = _lang()
    measure = query.measures[0]
    unit = CUBE.measure_by_name[measure].unit
    kind: charts.Kind = "usd" if unit == "USD" else "t" if unit == "t" else "usd_t" if unit == "USD/t" else "num"
    fig = go.Figure()
    values: list[float] = []
    if not query.drilldowns or frame.empty:
        total = float(frame[measure].sum()) if not frame.empty else 0.0
        values = [total]
        fig.add_trace(go.Bar(x=[measure_label(measure)], y=[total], marker_color=charts.colour_for(measure),
                             customdata=[charts.format_value(total, kind, lang)],
                             hovertemplate="%{customdata}<extra></extra>"))
    else:
        first = query.drilldowns[0]
        series = query.drilldowns[1] if len(query.drilldowns) > 1 else None
        shown = frame[frame[measure].notna()]
        if series:
            # At most ten series: the largest by the measure, so a legend stays readable.
            biggest = shown.groupby(series, dropna=False)[measure].sum().nlargest(10).index
            shown = shown[shown[series].isin(biggest)]
        groups = shown.groupby(series, sort=False, dropna=False) if series else [("", shown)]
        for key, rows in groups:
            x = [_time_label(first, k, lang) if first in TIME_LEVELS else str(c)
                 for k, c in zip(rows[first], rows[f"{first}_caption"], strict=True)]
            name = str(rows[f"{series}_caption"].iloc[0]) if series else measure_label(measure)
            if series and series in TIME_LEVELS:
                name = _time_label(series, key, lang)
            y = rows[measure].tolist()
            values += [float(v) for v in y]
            colour = charts.colour_for(key if series else measure)
            hover = [f"{name} · {xi}: {charts.format_value(v, kind, lang)}" for xi, v in zip(x, y, strict=True)]
            if first in TIME_LEVELS:
                fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name, line={"color": colour},
                                         customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
            else:
                fig.add_trace(go.Bar(x=[charts.wrap(v, 14) for v in x], y=y, name=name, marker_color=colour,
                                     customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    axis = charts.value_axis(values, kind, lang, measure_label(measure).split(" (")[0])
    fig.update_layout(**charts.layout(lang, height=420, barmode="group",
                                      xaxis={"type": "category", "autorange": "reversed" if _fa() else True,
                                             "automargin": True},
                                      yaxis={**axis, "side": "right" if _fa() else "left"},
                                      margin=charts.side_margins(lang)))
    return charts.figure_json(fig)
