"""Plotly figures of the capability pages, built with the page kit's helpers (:mod:`payesh.core.charts`).

Plotly formats numbers itself with Latin digits; on a Persian page every tick label, bar label,
colour-bar tick and hover text is therefore formatted here (``ticktext``, ``text``, ``customdata``)
so that no Latin digit reaches the chart. Products are labelled by name with the code second.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from payesh.capabilities.productspace import atlas_product_space
from payesh.core import charts
from payesh.core.charts import PALETTE, figure_json, layout
from payesh.core.formatting import format_number, format_usd, is_persian


def product_label(code: object, name: object, language: str, width: int = 48) -> str:
    """"Dates, figs, pineapples… (0804)": the name first, the code as a secondary label."""
    text = str(name or "").strip()
    code_text = charts.digits(code, language)
    if not text or text == str(code):
        return f"HS {code_text}" if not is_persian(language) else f"کد {code_text}"
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"{text} ({code_text})"


def _number_axis(values: Sequence[float], language: str, title: str, decimals: int | None = None) -> dict[str, object]:
    """A plain number axis (indices, degrees) with tick labels formatted here."""
    numbers = [float(v) for v in values if v is not None and v == v]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    if high == low:
        high = low + 1.0
    ticks = _ticks(low, high)
    places = decimals if decimals is not None else (0 if all(float(t).is_integer() for t in ticks) else (
        1 if all(float(round(t * 10, 6)).is_integer() for t in ticks) else 2))
    return {"tickvals": ticks, "ticktext": [format_number(t, language, places) for t in ticks],
            "title": {"text": title, "standoff": 10}, "automargin": True, "zeroline": False,
            "range": [ticks[0] - (ticks[1] - ticks[0]) * 0.05 if len(ticks) > 1 else ticks[0],
                      ticks[-1] + (ticks[1] - ticks[0]) * 0.05 if len(ticks) > 1 else ticks[-1] + 1]}


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round ticks covering [low, high] without forcing zero in (unlike value axes of amounts)."""
    import math

    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 10)]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def county_map(overview: pd.DataFrame, language: str) -> str:
    """County seats as points sized by exports, on longitude/latitude axes.

    A plain scatter rather than a geo trace: Plotly's geo base maps fetch topojson from a CDN, and
    pages must work without internet. Axes keep degrees of longitude and latitude to the same scale.
    """
    frame = overview.dropna(subset=["lat", "lon"])
    size = np.sqrt(frame["exports_usd"].clip(lower=0).to_numpy(dtype=float))
    size = 8 + 34 * size / size.max() if size.size and size.max() > 0 else np.full(len(frame), 8.0)
    hover = [f"{row.county_name}<br>{format_usd(row.exports_usd, language)}" for row in frame.itertuples()]
    figure = go.Figure(go.Scatter(
        x=frame["lon"], y=frame["lat"], mode="markers+text", text=frame["county_name"], customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", textposition="top center",
        textfont={"size": 11, "color": "#3b4754"}, cliponaxis=False,
        marker={"size": size, "color": PALETTE[0], "opacity": 0.7, "line": {"width": 1, "color": "#ffffff"}}))
    x_axis = _number_axis(frame["lon"].tolist(), language, _("Longitude (°E)"), decimals=0)
    y_axis = _number_axis(frame["lat"].tolist(), language, _("Latitude (°N)"), decimals=0)
    # Degrees on every tick: the axes read as coordinates even where a title has no room (phones).
    for axis in (x_axis, y_axis):
        axis["ticktext"] = [f"{t}°" for t in axis["ticktext"]]  # type: ignore[attr-defined]
    rtl = is_persian(language)
    # The latitude axis (and its title) stands on the reading side: room for both there.
    figure.update_layout(**layout(language, height=520, margin={"l": 20 if rtl else 80, "r": 80 if rtl else 20,
                                                                "t": 20, "b": 60},
                                  plot_bgcolor="#f3f1ec", showlegend=False),
                         xaxis={**x_axis, "showgrid": True, "gridcolor": "#e2ded5"},
                         yaxis={**y_axis, "showgrid": True, "gridcolor": "#e2ded5", "scaleanchor": "x",
                                "scaleratio": 1.1, "side": "right" if rtl else "left"})
    return figure_json(figure)


def exports_bar(exports: pd.DataFrame, language: str, top: int = 15) -> str:
    """The main exported products as horizontal bars labelled with their names (code second) and values."""
    frame = exports.head(top)
    names = [product_label(c, n, language, 40) for c, n in zip(frame["heading"], frame["name"], strict=True)]
    return charts.hbar(list(frame["heading"]), names, frame["value_usd"].astype(float).tolist(), kind="usd",
                       language=language, title=_("Exports"))


def product_space(present: set[str], exported: set[str], opportunities: pd.DataFrame, language: str,
                  names: dict[str, str] | None = None, top_opportunities: int = 20) -> str:
    """The Atlas product space, the region's products highlighted, its best opportunities marked.

    ``names``: heading → name in the page's language (the reference data); the Atlas's English
    short name where the reference data has none.
    """
    space = atlas_product_space()
    names = names or {}
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for a, b in space.edges:
        edge_x += [float(space.x[a]), float(space.x[b]), None]
        edge_y += [float(space.y[a]), float(space.y[b]), None]
    codes = np.array(space.products)
    hover = [product_label(c, names.get(c) or n, language, 60) for c, n in zip(space.products, space.names, strict=True)]
    is_present = np.array([c in present for c in codes])
    is_exported = np.array([c in exported and c not in present for c in codes])
    best = set(opportunities.head(top_opportunities)["heading"]) if not opportunities.empty else set()
    is_opportunity = np.array([c in best for c in codes])
    other = ~(is_present | is_exported | is_opportunity)

    def nodes(mask: np.ndarray, name: str, color: str, size: int, symbol: str = "circle") -> go.Scattergl:
        return go.Scattergl(x=space.x[mask], y=space.y[mask], mode="markers", name=name,
                            customdata=[hover[i] for i in np.flatnonzero(mask)],
                            hovertemplate="%{customdata}<extra></extra>",
                            marker={"size": size, "color": color, "symbol": symbol,
                                    "line": {"width": 0.5, "color": "#ffffff"}})

    figure = go.Figure([
        go.Scattergl(x=edge_x, y=edge_y, mode="lines", line={"width": 0.4, "color": "#c9d1d9"}, hoverinfo="skip",
                     showlegend=False),
        nodes(other, _("Other products"), "#d5dbe1", 5),
        nodes(is_exported, _("Exported, RCA below 1"), PALETTE[7], 8),
        nodes(is_opportunity, _("Top opportunities"), PALETTE[3], 10, "diamond"),
        nodes(is_present, _("Exported with RCA ≥ 1"), PALETTE[1], 11),
    ])
    figure.update_layout(**layout(language, height=560, margin={"l": 10, "r": 10, "t": 10, "b": 10}),
                         xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"})
    return figure_json(figure)


def opportunity_scatter(opportunities: pd.DataFrame, language: str, top: int = 300) -> str:
    """Feasibility (density) against attractiveness (PCI), coloured by the strategy's score."""
    frame = opportunities.head(top)
    text = [f"{product_label(row.heading, row.name, language, 60)}<br>{_('Rank')}: "
            f"{format_number(row.rank, language)}<br>{_('Score')}: {format_number(row.score, language, 2)}"
            for row in frame.itertuples()]
    scores = frame["score"].astype(float).tolist()
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    bar_ticks = _ticks(low, high if high > low else low + 1.0, 4)
    bar_ticks = [t for t in bar_ticks if low - 1e-9 <= t <= high + 1e-9] or [low]
    rtl = is_persian(language)
    figure = go.Figure(go.Scattergl(
        x=frame["density"], y=frame["pci"], mode="markers", customdata=text,
        hovertemplate="%{customdata}<extra></extra>",
        marker={"size": 9, "color": frame["score"], "colorscale": "Viridis", "showscale": True,
                "colorbar": {"title": {"text": _("Score")}, "thickness": 12, "tickvals": bar_ticks,
                             "ticktext": [format_number(t, language, 2) for t in bar_ticks],
                             "x": -0.12 if rtl else 1.02, "xanchor": "right" if rtl else "left"}}))
    figure.update_layout(**layout(language, height=460, margin={"l": 90 if rtl else 70, "r": 70 if rtl else 90,
                                                                "t": 20, "b": 60}),
                         xaxis=_number_axis(frame["density"].tolist(), language, _("Feasibility (density, 0–1)")),
                         yaxis={**_number_axis(frame["pci"].tolist(), language,
                                               _("Attractiveness (product complexity, PCI)")),
                                "side": "right" if rtl else "left"})
    return figure_json(figure)


def eci_bar(ranking: pd.DataFrame, language: str, highlight: str = "IRN", top: int = 30) -> str:
    """Countries by economic complexity, Iran highlighted; each bar labelled with its ECI."""
    frame = ranking.dropna(subset=["eci"]).head(top).iloc[::-1]
    rtl = is_persian(language)
    colors = [PALETTE[1] if c == highlight else PALETTE[0] for c in frame["country"]]
    values = frame["eci"].astype(float).tolist()
    labels = [format_number(v, language, 2) for v in values]
    figure = go.Figure(go.Bar(
        x=values, y=[str(n) for n in frame["country_name"]], orientation="h", marker={"color": colors},
        text=labels, textposition="auto", textangle=0, cliponaxis=False,
        customdata=[f"{n}: {t}" for n, t in zip(frame["country_name"], labels, strict=True)],
        hovertemplate="%{customdata}<extra></extra>"))
    axis = _number_axis(values, language, _("Economic complexity index (ECI)"))
    axis["autorange"] = "reversed" if rtl else True
    axis.pop("range", None)
    margin = charts.label_margin([str(n) for n in frame["country_name"]])
    figure.update_layout(**layout(language, height=max(300, 24 * len(frame) + 80),
                                  margin={"l": 20 if rtl else margin, "r": margin if rtl else 20, "t": 10, "b": 50},
                                  showlegend=False),
                         xaxis=axis, yaxis={"automargin": True, "side": "right" if rtl else "left",
                                            "type": "category"})
    return figure_json(figure)
