"""Plotly figures of the capability pages (built in Python, drawn by plotly.min.js; no map tiles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from payesh.capabilities.productspace import atlas_product_space
from payesh.core.charts import PALETTE, figure_json, layout
from payesh.core.formatting import format_number, format_usd


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
        x=frame["lon"], y=frame["lat"], mode="markers+text", text=frame["county_name"], hovertext=hover,
        hoverinfo="text", textposition="top center", textfont={"size": 11, "color": "#3b4754"},
        marker={"size": size, "color": PALETTE[0], "opacity": 0.7, "line": {"width": 1, "color": "#ffffff"}}))
    figure.update_layout(**layout(language, height=560, margin={"l": 40, "r": 20, "t": 10, "b": 40},
                                  plot_bgcolor="#f3f1ec"),
                         xaxis={"title": _("Longitude (°E)"), "showgrid": True, "gridcolor": "#e2ded5",
                                "zeroline": False},
                         yaxis={"title": _("Latitude (°N)"), "showgrid": True, "gridcolor": "#e2ded5",
                                "zeroline": False, "scaleanchor": "x", "scaleratio": 1.1})
    return figure_json(figure)


def exports_bar(exports: pd.DataFrame, language: str, top: int = 15) -> str:
    frame = exports.head(top).iloc[::-1]
    # Codes on the axis (short, never cut); the product name and value in the hover text.
    hover = [f"{code} {str(name)[:60]}<br>{format_usd(v, language)}"
             for code, name, v in zip(frame["heading"], frame["heading_caption"], frame["value_usd"], strict=True)]
    figure = go.Figure(go.Bar(x=frame["value_usd"], y=[f"HS {code}" for code in frame["heading"]], orientation="h",
                              marker={"color": PALETTE[0]}, hovertext=hover, hoverinfo="text"))
    rtl = language.startswith("fa")
    figure.update_layout(**layout(language, height=max(300, 24 * len(frame) + 80),
                                  margin={"l": 70, "r": 70, "t": 10, "b": 40}),
                         xaxis={"title": _("Exports (USD)"), "autorange": "reversed" if rtl else True},
                         yaxis={"automargin": True, "side": "right" if rtl else "left"})
    return figure_json(figure)


def product_space(present: set[str], exported: set[str], opportunities: pd.DataFrame, language: str,
                  top_opportunities: int = 20) -> str:
    """The Atlas product space, the region's products highlighted, its best opportunities marked."""
    space = atlas_product_space()
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for a, b in space.edges:
        edge_x += [float(space.x[a]), float(space.x[b]), None]
        edge_y += [float(space.y[a]), float(space.y[b]), None]
    codes = np.array(space.products)
    hover = [f"{c} {n}" for c, n in zip(space.products, space.names, strict=True)]
    is_present = np.array([c in present for c in codes])
    is_exported = np.array([c in exported and c not in present for c in codes])
    best = set(opportunities.head(top_opportunities)["heading"]) if not opportunities.empty else set()
    is_opportunity = np.array([c in best for c in codes])
    other = ~(is_present | is_exported | is_opportunity)

    def nodes(mask: np.ndarray, name: str, color: str, size: int, symbol: str = "circle") -> go.Scattergl:
        return go.Scattergl(x=space.x[mask], y=space.y[mask], mode="markers", name=name,
                            text=[hover[i] for i in np.flatnonzero(mask)], hoverinfo="text",
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
    text = [f"{row.heading} {str(row.name)[:50]}<br>{_('Rank')}: {format_number(row.rank, language)}"
            for row in frame.itertuples()]
    figure = go.Figure(go.Scattergl(
        x=frame["density"], y=frame["pci"], mode="markers", text=text, hoverinfo="text",
        marker={"size": 9, "color": frame["score"], "colorscale": "Viridis", "showscale": True,
                "colorbar": {"title": {"text": _("Score")}, "thickness": 12}}))
    figure.update_layout(**layout(language, height=460, margin={"l": 80, "r": 20, "t": 20, "b": 50}),
                         xaxis={"title": _("Feasibility (density)")},
                         yaxis={"title": {"text": _("Attractiveness (product complexity, PCI)"), "standoff": 12},
                                "automargin": True})
    return figure_json(figure)


def eci_bar(ranking: pd.DataFrame, language: str, highlight: str = "IRN", top: int = 30) -> str:
    frame = ranking.dropna(subset=["eci"]).head(top).iloc[::-1]
    colors = [PALETTE[1] if c == highlight else PALETTE[0] for c in frame["country"]]
    figure = go.Figure(go.Bar(x=frame["eci"], y=frame["country_name"], orientation="h", marker={"color": colors}))
    figure.update_layout(**layout(language, height=max(300, 22 * len(frame) + 80)),
                         xaxis={"title": _("Economic complexity index (ECI)")}, yaxis={"automargin": True})
    return figure_json(figure)
