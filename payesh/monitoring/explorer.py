"""The explorer for people: measures, levels and members picked from lists (names in Persian or
English, or codes), a scope that is always stated, a pivot of one level into columns, a header for
every column and one share column per measure.

``explorer_request`` turns the form's parameters into a cube query (or a clear error naming the
parameter and, for a misspelt member, the closest names); ``explorer_table`` lays the answer out.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from payesh.core import charts
from payesh.core.pagekit import Column, ColumnKind, Table
from payesh.cube import CUBE, CubeError, CubeQuery, Cut, run
from payesh.indicators import SCOPES
from payesh.monitoring.filters import scope_label
from payesh.monitoring.selectors import TIME_LEVELS, level_label, measure_label

# Levels whose members are offered in searchable lists (products below chapters are too many for a
# list; their codes and names are still accepted).
MEMBER_LEVELS = ("flow", "partner_region", "partner", "section", "chapter", "heading", "office_province", "office",
                 "channel", "border_market", "origin_province", "origin_county", "transport_mode")
MAX_FILTERS = 3
DEFAULT_MEASURES = ("value_usd", "weight_t", "unit_value")


@dataclass(frozen=True)
class Member:
    code: str
    name_fa: str
    name_en: str

    def label(self, language: str) -> str:
        return self.name_fa if language.startswith("fa") else self.name_en


@dataclass
class ExplorerRequest:
    query: CubeQuery
    scope: str
    flow: str
    pivot: str
    filters: list[tuple[str, list[str]]] = field(default_factory=list)  # (level's name, members' names)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        return scope_label(self.scope)


def members(level: str) -> list[Member]:
    """The members of ``level`` that the lake holds, with both names (from the cube's captions)."""
    result = run(CubeQuery(measures=("rows",), drilldowns=(level,)))
    fa, en = result.labelled("fa"), result.labelled("en")
    out = []
    for code, name_fa, name_en in zip(fa[level], fa[f"{level}_caption"], en[f"{level}_caption"], strict=True):
        if code is None or code != code:
            continue
        out.append(Member(str(code), str(name_fa), str(name_en)))
    return out


def resolve_members(level: str, texts: Sequence[str]) -> list[str]:
    """Codes for what a person typed: a code, or a name in either language (case and spacing ignored).

    An unknown member is a :class:`CubeError` naming it and the closest names.
    """
    known = members(level)
    by_text: dict[str, str] = {}
    for m in known:
        for text in (m.code, m.name_fa, m.name_en, f"{m.code} · {m.name_fa}", f"{m.code} · {m.name_en}"):
            by_text[" ".join(text.casefold().split())] = m.code
    codes = []
    for text in texts:
        key = " ".join(text.casefold().split())
        if key in by_text:
            codes.append(by_text[key])
            continue
        close = difflib.get_close_matches(key, list(by_text), n=3, cutoff=0.6)
        names = sorted({next(f"{m.name_en} / {m.name_fa} ({m.code})" for m in known if m.code == by_text[c])
                        for c in close})
        hint = _(" Did you mean: %(names)s?") % {"names": "; ".join(names)} if names else ""
        raise CubeError("members", _("“%(text)s” is not a member of “%(level)s” in the loaded data.%(hint)s") % {
            "text": text, "level": level_label(level), "hint": hint})
    return codes


def explorer_request(raw: Mapping[str, str | list[str]], *, region: str, last_month: int | None) -> ExplorerRequest:
    def one(name: str) -> str:
        value = raw.get(name, "")
        if isinstance(value, list):
            value = value[-1] if value else ""
        return value.strip()

    def many(name: str) -> list[str]:
        value = raw.get(name, [])
        return [v for v in (value if isinstance(value, list) else [value]) if v.strip()]

    measures = many("m") or [m for m in one("measures").split(",") if m.strip()] or list(DEFAULT_MEASURES)
    drilldowns = many("d") or [d for d in one("drilldowns").split(",") if d.strip()] or ["partner"]
    scope = one("scope") or "through"
    if scope not in SCOPES:
        raise CubeError("scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
    flow = one("flow") or "export"
    if flow not in ("export", "import", "all"):
        raise CubeError("flow", f"{flow!r} is not one of export, import, all")
    params: dict[str, str] = {"measures": ",".join(measures), "drilldowns": ",".join(drilldowns)}
    for name in ("cut", "exclude", "from", "to", "year", "months", "rolling", "compare", "sort", "top", "other",
                 "hs_revision"):
        if one(name):
            params[name] = one(name)
    if "sort" not in params and drilldowns[0] not in TIME_LEVELS:
        params["sort"] = "-" + measures[0]
    if not any(k in params for k in ("from", "to", "year", "rolling")) and last_month:
        params["year"] = str(last_month // 100)
    query = CubeQuery.parse(params)
    cuts = list(query.cuts)
    if flow != "all":
        cuts.append(Cut("flow", (flow,)))
    if scope == "through":
        cuts.append(Cut("office_province", (region,)))
    elif scope == "origin":
        cuts.append(Cut("origin_province", (region,)))
    chosen: list[tuple[str, list[str]]] = []
    levels, texts = many("cl"), raw.get("cv", [])
    texts = texts if isinstance(texts, list) else [texts]
    for level, text in zip(levels, texts, strict=False):
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not values:
            continue
        if level not in CUBE.levels:
            raise CubeError("cl", f"unknown level {level!r}; accepted: {', '.join(CUBE.levels)}")
        codes = resolve_members(level, values)
        language = get_language() or "fa"
        names = {m.code: m.label(language) for m in members(level)}
        # Shown as the level's name and the members' names in the page's language (what was meant,
        # not what was typed).
        chosen.append((level_label(level), [names.get(c, c) for c in codes]))
        cuts.append(Cut(level, tuple(codes)))
    pivot = one("pivot")
    if pivot and pivot not in drilldowns:
        raise CubeError("pivot", _("the level shown as columns must be one of the chosen breakdowns"))
    if pivot and len(drilldowns) < 2:
        raise CubeError("pivot", _("choose a second breakdown to show one of them as columns"))
    return ExplorerRequest(query.with_(cuts=tuple(cuts)), scope, flow, pivot, chosen, params)


def _caption(level: str, key: object, caption: object, language: str) -> str:
    if level in TIME_LEVELS:
        if key is None or key != key:
            return "–"
        if level == "month":
            return charts.month_label(int(key), language)  # type: ignore[call-overload]
        if level == "month_of_year":
            return charts.month_label(int(key), language, with_year=False)  # type: ignore[call-overload]
        return charts.digits(key, language)
    if level in ("chapter", "heading", "subheading") and key not in (None, "__other__") and key == key:
        return f"{key} · {caption}"
    return str(caption)


def explorer_table(request: ExplorerRequest, frame: pd.DataFrame, language: str) -> Table:
    """The answer as a page-kit table: one named column per level, each measure with its share (and
    change when compared); with a pivot, the pivoted level's members as columns of the first measure."""
    query = request.query
    shown = frame.copy()
    for level in query.drilldowns:
        shown[f"{level}_label"] = [_caption(level, k, c, language)
                                   for k, c in zip(shown[level], shown[f"{level}_caption"], strict=True)]
    if request.pivot:
        rows = [lv for lv in query.drilldowns if lv != request.pivot]
        measure = query.measures[0]
        order = shown.sort_values(request.pivot)[f"{request.pivot}_label"].drop_duplicates().tolist()
        wide = shown.pivot_table(index=[f"{lv}_label" for lv in rows], columns=f"{request.pivot}_label",
                                 values=measure, aggfunc="sum", sort=False)
        wide = wide.reindex(columns=order).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        kind = _kind(measure)
        columns = [Column(f"{lv}_label", level_label(lv)) for lv in rows]
        columns += [Column(str(member), str(member), kind) for member in order]
        title = _("%(measure)s by %(rows)s, with %(columns)s as columns") % {
            "measure": measure_label(measure), "rows": ", ".join(level_label(lv) for lv in rows),
            "columns": level_label(request.pivot)}
        return Table("result", title, wide, columns, row_limit=500)
    columns = [Column(f"{lv}_label", level_label(lv)) for lv in query.drilldowns]
    for m in query.measures:
        columns.append(Column(m, measure_label(m), _kind(m)))
        if f"{m}_share" in shown:
            columns.append(Column(f"{m}_share", _("Share of %(measure)s (%%)") % {"measure": measure_label(m)}, "pct"))
        if f"{m}_change_pct" in shown:
            columns.append(Column(f"{m}_change_pct", _("Change in %(measure)s (%%)") % {"measure": measure_label(m)},
                                  "pct_signed"))
    return Table("result", _("Result"), shown, columns, row_limit=2000)


def _kind(measure: str) -> ColumnKind:
    unit = CUBE.measure_by_name[measure].unit
    kinds: dict[str, ColumnKind] = {"USD": "usd", "t": "t", "USD/t": "usd_t"}
    return kinds.get(unit, "int")
