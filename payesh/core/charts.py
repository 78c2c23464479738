"""Plotly figures for the pages: built in Python, drawn by plotly.min.js (shipped in the plotly wheel).

Every chart gets the language's font and direction, a PNG/SVG download button and a title.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io

FONT = "Vazirmatn, 'Noto Sans', sans-serif"
PALETTE = ["#0f6e6e", "#c9822b", "#3b6fb6", "#8e4b9e", "#5a8f29", "#b3461e", "#2a9d8f", "#e9c46a", "#6d597a",
           "#264653", "#9c6644", "#577590"]


def layout(language: str, **extra: Any) -> dict[str, Any]:
    rtl = (language or "fa").startswith("fa")
    base: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": "#1d2733"},
        "colorway": PALETTE,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.15, "x": 1 if rtl else 0, "xanchor": "right" if rtl else "left"},
        "hoverlabel": {"font": {"family": FONT}},
        "separators": "٫٬" if rtl else ".,",
    }
    base.update(extra)
    return base


def figure_json(figure: go.Figure) -> str:
    """The figure as JSON for the page's ``data-figure`` attribute."""
    # Plotly's own encoder knows pandas and numpy (a plain json.dumps would stringify a Series).
    return str(plotly.io.to_json(figure, validate=False, engine="json"))
