"""Plotly figures for the pages: built in Python, drawn by Plotly in the browser (payesh/static/payesh/charts.js).

Every chart must read without hovering in both languages, so this module does what Plotly's own
formatting cannot do for Persian: tick labels and hover texts are formatted here (Persian digits,
Persian separators, Solar Hijri month names) and handed to Plotly as ``ticktext``/``customdata``;
units go into axis titles; labels are wrapped and the margin sized for them; a member keeps one
colour on every page and in both languages (the colour comes from its code, never its caption).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import plotly.graph_objects as go
import plotly.io

from payesh.core.formatting import (
    JALALI_MONTHS_EN,
    JALALI_MONTHS_FA,
    format_number,
    format_percent,
    format_tons,
    format_usd,
    is_persian,
    persian_digits,
)

FONT = "Vazirmatn, 'Noto Sans', sans-serif"
PALETTE = ["#0f6e6e", "#c9822b", "#3b6fb6", "#8e4b9e", "#5a8f29", "#b3461e", "#2a9d8f", "#e9c46a", "#6d597a",
           "#264653", "#9c6644", "#577590"]
# Fixed colours for the members every page shows, so that exports are the same teal everywhere.
FIXED_COLOURS = {"export": PALETTE[0], "exports_usd": PALETTE[0], "import": PALETTE[1], "imports_usd": PALETTE[1],
                 "__other__": "#9aa5b1", "": "#b0bec5"}
OTHER_COLOUR = "#9aa5b1"

Kind = Literal["usd", "t", "pct", "usd_t", "num"]


def layout(language: str, **extra: Any) -> dict[str, Any]:
    rtl = is_persian(language)
    base: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": "#1d2733"},
        "colorway": PALETTE,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.18, "x": 1 if rtl else 0, "xanchor": "right" if rtl else "left"},
        "hoverlabel": {"font": {"family": FONT}, "align": "right" if rtl else "left"},
        # Decimal then thousands separator: Plotly uses them wherever it formats a number itself.
        "separators": "٫٬" if rtl else ".,",
    }
    base.update(extra)
    return base


def figure_json(figure: go.Figure) -> str:
    """The figure as JSON for the page's ``data-figure`` attribute."""
    # Plotly's own encoder knows pandas and numpy (a plain json.dumps would stringify a Series).
    return str(plotly.io.to_json(figure, validate=False, engine="json"))


# ------------------------------------------------------------------ colours
# Members (partners, offices, markets, products…) draw from a wider palette than series do, so that
# neighbours rarely share a colour; the colour is a pure function of the member's code.
MEMBER_PALETTE = [*PALETTE, "#d1495b", "#00798c", "#edae49", "#66a182", "#2e4057", "#8d96a3", "#a05195",
                  "#f95d6a"]


def colour_for(key: object) -> str:
    """One colour per member (by its code), the same on every page and in both languages."""
    text = "" if key is None or key != key else str(key)
    if text in FIXED_COLOURS:
        return FIXED_COLOURS[text]
    return MEMBER_PALETTE[zlib.crc32(text.encode("utf-8")) % len(MEMBER_PALETTE)]


def colours_for(keys: Iterable[object]) -> list[str]:
    """:func:`colour_for` of each key. No re-colouring of collisions: that would make a member's
    colour depend on its neighbours, and so change between pages."""
    return [colour_for(key) for key in keys]


def rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` with an opacity, for sankey links (Plotly draws links without a colour white)."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


# ------------------------------------------------------------------ numbers and labels
_SCALES = ((1e9, "billion", "میلیارد"), (1e6, "million", "میلیون"), (1e3, "thousand", "هزار"), (1.0, "", ""))


def scale_for(largest: float) -> tuple[float, str, str]:
    """The unit a value axis is drawn in: (divisor, English word, Persian word)."""
    for size, en, fa in _SCALES:
        if abs(largest) >= size:
            return size, en, fa
    return 1.0, "", ""


def unit_title(kind: Kind, language: str, largest: float) -> str:
    """An axis title with the unit and its scale: "Value (million USD)" / "ارزش (میلیون دلار)"."""
    _size, en, fa = scale_for(largest) if kind in ("usd", "t") else (1.0, "", "")
    fa_unit = {"usd": "دلار", "t": "تن", "pct": "درصد", "usd_t": "دلار بر تن", "num": ""}[kind]
    en_unit = {"usd": "USD", "t": "tonnes", "pct": "%", "usd_t": "USD per tonne", "num": ""}[kind]
    if is_persian(language):
        return " ".join(p for p in (fa, fa_unit) if p)
    return " ".join(p for p in (en, en_unit) if p)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    value = first
    # Until a tick reaches the largest value, so that no line or bar runs past the top of the axis.
    while not ticks or ticks[-1] < high - 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def value_axis(values: Iterable[float | None], kind: Kind, language: str, title: str = "") -> dict[str, Any]:
    """A value axis whose tick labels are formatted here (Persian digits and separators in Persian),
    in the scale named in its title (``title`` + unit)."""
    numbers = [float(v) for v in values if v is not None and v == v]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    largest = max(abs(low), abs(high)) or 1.0
    size = scale_for(largest)[0] if kind in ("usd", "t") else 1.0
    ticks = nice_ticks(low / size, high / size)
    decimals = 0 if all(float(t).is_integer() for t in ticks) else (1 if all(
        float(t * 10).is_integer() for t in ticks) else 2)
    text = [format_number(t, language, decimals) for t in ticks]
    unit = unit_title(kind, language, largest)
    label = f"{title} ({unit})" if title and unit else (title or unit)
    return {"tickvals": [t * size for t in ticks], "ticktext": text, "title": {"text": label, "standoff": 10},
            "range": [min(ticks[0], 0) * size, ticks[-1] * size * 1.02 if ticks[-1] > 0 else 1], "zeroline": True,
            "automargin": True}


def side_margins(language: str, axis_room: int = 80) -> dict[str, int]:
    """Margins for a chart whose value axis stands on the reading side (right in Persian)."""
    rtl = is_persian(language)
    return {"l": 20 if rtl else axis_room, "r": axis_room if rtl else 20, "t": 30, "b": 60}


def format_value(value: float | None, kind: Kind, language: str) -> str:
    """One value as a page shows it (hover texts, bar labels)."""
    if kind == "usd":
        return format_usd(value, language)
    if kind == "t":
        return format_tons(value, language)
    if kind == "pct":
        return format_percent(value, language)
    if kind == "usd_t":
        number = format_number(value, language, 0)
        return f"{number} دلار بر تن" if is_persian(language) else f"${number}/t"
    return format_number(value, language, 0)


def hover_texts(names: Sequence[object], values: Sequence[float | None], kind: Kind, language: str) -> list[str]:
    return [f"{name}: {format_value(v, kind, language)}" for name, v in zip(names, values, strict=True)]


def digits(text: object, language: str) -> str:
    """Persian digits in the Persian interface (years, codes in legends)."""
    value = "" if text is None else str(text)
    return persian_digits(value) if is_persian(language) else value


def month_label(key: int, language: str, with_year: bool = True) -> str:
    """A Solar Hijri month key (yyyymm, or 1–12) as "فروردین ۱۴۰۲" / "Farvardin 1402"."""
    year, month = divmod(int(key), 100) if key > 12 else (0, int(key))
    name = (JALALI_MONTHS_FA if is_persian(language) else JALALI_MONTHS_EN)[month - 1]
    return f"{name} {digits(year, language)}" if with_year and year else name


def wrap(label: object, width: int = 22) -> str:
    """Break a long label into lines of at most ``width`` characters (at spaces) for axis ticks."""
    words, lines, line = str(label).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def label_margin(labels: Iterable[str], width: int = 22) -> int:
    """Pixels for a column of wrapped labels (about 7.5 px a character at 13 px Vazirmatn)."""
    longest = max((max((len(part) for part in str(label).split("<br>")), default=0) for label in labels), default=0)
    return int(min(width, longest) * 7.5) + 24


# ------------------------------------------------------------------ the charts the pages draw
def hbar(keys: Sequence[object], names: Sequence[object], values: Sequence[float], *, kind: Kind, language: str,
         title: str = "", height: int | None = None) -> str:
    """Horizontal bars, largest at the top, wrapped labels with room for them, each bar labelled with
    its value (so nothing needs a hover), one colour per member."""
    fa = is_persian(language)
    labels = [wrap(n) for n in names][::-1]
    texts = [format_value(v, kind, language) for v in values][::-1]
    fig = go.Figure(go.Bar(
        x=list(values)[::-1], y=labels, orientation="h", marker_color=colours_for(list(keys)[::-1]),
        text=texts, textposition="auto", textangle=0, insidetextanchor="start" if not fa else "end", cliponaxis=False,
        customdata=[h for h in hover_texts(list(names)[::-1], list(values)[::-1], kind, language)],
        hovertemplate="%{customdata}<extra></extra>"))
    margin = label_margin(labels)
    axis = value_axis(values, kind, language, title)
    axis["autorange"] = "reversed" if fa else True
    axis.pop("range", None)
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row = max(34, 17 * lines + 12)  # room for every line of the longest wrapped label
    fig.update_layout(**layout(language, height=height or max(260, row * len(values) + 80), xaxis=axis,
                               yaxis={"automargin": True, "side": "right" if fa else "left", "type": "category"},
                               margin={"l": 20 if fa else margin, "r": margin if fa else 20, "t": 20, "b": 50},
                               showlegend=False, uniformtext={"minsize": 10, "mode": "hide"}))
    return figure_json(fig)


__all__ = ["FONT", "PALETTE", "colour_for", "colours_for", "digits", "figure_json", "format_value", "hbar",
           "hover_texts", "label_margin", "layout", "month_label", "nice_ticks", "rgba", "scale_for", "unit_title",
           "value_axis", "wrap"]
