"""Compile a :class:`CubeQuery` to Ibis and run it on a :class:`Source` (any Ibis backend).

The same expression runs on DuckDB, PostgreSQL and Spark; engine differences stay in ``engines``.
Post-aggregation steps (comparison, share, top N + other, captions) work on the small result frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from payesh.cube.model import CUBE, DEFAULT_SOURCE, Cube, Level, Measure
from payesh.cube.query import CubeQuery, Period

# Level expressions that are not plain columns: table → column expression.
EXPRESSIONS: dict[str, Callable[[ir.Table], ir.Value]] = {
    "jalali_quarter": lambda t: t.jalali_year.cast("int32") * 10 + (t.jalali_month.cast("int32") - 1) // 3 + 1,
    "jalali_year_month": lambda t: t.jalali_year.cast("int32") * 100 + t.jalali_month.cast("int32"),
    "gregorian_year": lambda t: t.declaration_date.year().cast("int32"),
    "gregorian_year_month": lambda t: t.declaration_date.year().cast("int32") * 100
    + t.declaration_date.month().cast("int32"),
    "hs_chapter": lambda t: t.hs_code.substr(0, 2),
    "hs_heading": lambda t: t.hs_code.substr(0, 4),
}
# Fact columns each level's key needs (to choose a rollup that can answer).
LEVEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("jalali_year",), "quarter": ("jalali_year", "jalali_month"), "month": ("jalali_year", "jalali_month"),
    "month_of_year": ("jalali_month",), "gyear": ("declaration_date",), "gmonth": ("declaration_date",),
    "flow": ("flow",), "partner": ("partner",), "partner_region": ("partner",),
    "section": ("hs_code",), "chapter": ("hs_code",), "heading": ("hs_code",), "subheading": ("hs_code",),
    "office": ("customs_office",), "office_province": ("customs_office",), "channel": ("channel",),
    "border_market": ("border_market",), "origin_province": ("origin_province",),
    "origin_county": ("origin_county",), "transport_mode": ("transport_mode",), "batch": ("batch_id",),
    "source": ("source",), "reporter": ("reporter",),
}
PRODUCT_LEVELS = {"section", "chapter", "heading", "subheading"}
# Fact columns the base measures aggregate.
MEASURE_COLUMNS = ("value_usd", "net_weight_kg", "declaration_id")


@dataclass
class Source:
    """Tables of one engine: the facts (or a rollup of them) and the small dimension tables."""

    facts: ir.Table
    dims: dict[str, ir.Table]
    execute: Callable[[ir.Expr], pd.DataFrame]
    revisions: frozenset[str] = frozenset({"HS12"})
    rollup_columns: frozenset[str] | None = None  # set when ``facts`` is a pre-aggregated rollup
    # Engines that run SQL text (DuckDB) compile once per question and keep the SQL: (sql cache, runner).
    sql_cache: dict[Any, str] | None = None
    execute_sql: Callable[[str], pd.DataFrame] | None = None
    to_sql: Callable[[ir.Expr], str] | None = None

    def answer(self, key: Any, make: Callable[[], ir.Table]) -> pd.DataFrame:
        if self.sql_cache is None or self.execute_sql is None or self.to_sql is None:
            return self.execute(make())
        sql = self.sql_cache.get(key)
        if sql is None:
            sql = self.to_sql(make())
            self.sql_cache[key] = sql
        return self.execute_sql(sql)


def _level_expr(t: ir.Table, level: Level, source: Source) -> tuple[ir.Table, ir.Value]:
    kind, _, spec = level.source.partition(":")
    if kind == "column":
        return t, t[spec]
    if kind == "expr":
        return t, EXPRESSIONS[spec](t)
    # join:<dim>.<column>:<fact expr>=<dim key>
    dim_ref, _, on = spec.partition(":")
    dim_name, dim_column = dim_ref.split(".")
    fact_key, dim_key = on.split("=")
    dim = source.dims[dim_name]
    alias = f"_{level.name}"
    if alias not in t.columns:
        if fact_key == "chapter":
            t = t.mutate(_chapter_key=EXPRESSIONS["hs_chapter"](t))
            fact_key = "_chapter_key"
        lookup = dim.select(**{f"{alias}_k": dim[dim_key], alias: dim[dim_column]})
        t = t.left_join(lookup, t[fact_key] == lookup[f"{alias}_k"]).drop(f"{alias}_k")
    return t, t[alias]


def _base_aggregates(t: ir.Table, measures: list[Measure], weighted: bool, rollup: bool) -> dict[str, ir.Value]:
    """Aggregates on facts (or on a rollup, where sums are of sums and counts are summed)."""
    out: dict[str, ir.Value] = {}
    w = t["_w"] if weighted else None

    def weigh(value: ir.Value) -> ir.Value:
        return value * w if w is not None else value

    for m in measures:
        kind, _, arg = m.formula.partition(":")
        if kind == "sum":
            out[m.name] = weigh(t[arg]).sum()
        elif kind == "sum_kg_to_t":
            out[m.name] = weigh(t[arg]).sum() / 1000.0
        elif kind == "count":
            out[m.name] = t["_rows"].sum() if rollup else t.count()
        elif kind == "count_distinct":
            out[m.name] = t[arg].nunique()
        elif kind in ("sum_if_flow", "sum_if_flow_t"):
            flow, column = arg.split(":")
            value = (t.flow == flow).ifelse(weigh(t[column]), 0.0).sum()
            out[m.name] = value / 1000.0 if kind == "sum_if_flow_t" else value
    return out


def _needed_measures(cube: Cube, names: tuple[str, ...]) -> tuple[list[Measure], list[Measure]]:
    """Split requested measures into base aggregates (with dependencies) and post-aggregation ones."""
    base: dict[str, Measure] = {}
    post: list[Measure] = []

    def visit(name: str) -> None:
        m = cube.measure_by_name[name]
        kind, _, arg = m.formula.partition(":")
        if kind in ("ratio", "diff"):
            for dep in arg.replace("/", " ").replace("-", " ").split():
                visit(dep)
            if m not in post:
                post.append(m)
        else:
            base[m.name] = m

    for name in names:
        visit(name)
    return list(base.values()), post


def _convert_revision(t: ir.Table, query: CubeQuery, source: Source) -> tuple[ir.Table, bool]:
    """Map every fact onto the query's HS revision; facts of other revisions are split by the weights."""
    others = source.revisions - {query.hs_revision}
    if not others:
        return t, False
    conc = source.dims["concordance"]
    conc = conc.filter(conc.to_revision == query.hs_revision).select(
        _from_rev=conc.from_revision, _from_code=conc.from_code, _to_code=conc.to_code, _weight=conc.weight)
    same = t.filter(t.hs_revision == query.hs_revision).mutate(_w=ibis.literal(1.0))
    other = t.filter(t.hs_revision != query.hs_revision)
    other = other.inner_join(conc, [other.hs_revision == conc._from_rev, other.hs_code == conc._from_code])
    # Fix (cube parity suite): a ``.drop()`` of the four helper columns here made the SQL text vary
    # between processes (Ibis renders the dropped set as EXCLUDE (...) in hash order), which defeated
    # golden tests and any SQL-text cache; the select below keeps exactly the needed columns anyway.
    other = other.mutate(hs_code=other._to_code, _w=other._weight)
    return same.union(other.select(*same.columns)), True


def _period_filter(t: ir.Table, period: Period) -> ir.Table:
    key = t.jalali_year.cast("int32") * 100 + t.jalali_month.cast("int32")
    # Perf fix (cube benchmark): the year bounds on the bare column are redundant with the key bounds,
    # but an engine can prune with them (Parquet row-group statistics of the lake — one batch is one
    # narrow file — and DuckDB zone maps of the rollups, stored sorted by year and month), which it
    # cannot do through the computed key. The computed key is only compared when the bound is not a
    # year boundary (month 1 / month 12), which spares a per-row expression for whole years.
    if period.start is not None:
        t = t.filter(t.jalali_year >= period.start // 100)
        if period.start % 100 != 1:
            t = t.filter(key >= period.start)
    if period.end is not None:
        t = t.filter(t.jalali_year <= period.end // 100)
        if period.end % 100 != 12:
            t = t.filter(key <= period.end)
    return t


def _apply_cuts(t: ir.Table, query: CubeQuery, source: Source, cube: Cube) -> ir.Table:
    if not any(c.level == "source" for c in query.cuts):
        # Unless a query asks for world data, it is about the customs declarations of the ledger.
        t = t.filter(t.source == DEFAULT_SOURCE)
    for cut in query.cuts:
        t, expr = _level_expr(t, cube.levels[cut.level], source)
        values = [int(v) if cube.levels[cut.level].key_type == "int" and v.lstrip("-").isdigit() else v
                  for v in cut.values]
        t = t.filter(~expr.isin(values) | expr.isnull() if cut.exclude else expr.isin(values))
    return t


def build_rows(query: CubeQuery, source: Source, cube: Cube = CUBE) -> ir.Table:
    """The fact rows behind a cell: the query's period and cuts, no aggregation (facts, not rollups)."""
    from payesh.ledger.core import FACT_COLUMNS

    t = _period_filter(source.facts, query.period)
    t = _apply_cuts(t, query, source, cube)
    return t.select(*FACT_COLUMNS)


def build(query: CubeQuery, source: Source, period: Period | None = None, cube: Cube = CUBE) -> ir.Table:
    """The Ibis expression of one query (one period): filter → derive levels → group → aggregate."""
    t = _period_filter(source.facts, period if period is not None else query.period)
    uses_product = any(lv in PRODUCT_LEVELS for lv in query.drilldowns) or any(
        c.level in PRODUCT_LEVELS for c in query.cuts)
    weighted = False
    if uses_product:
        t, weighted = _convert_revision(t, query, source)
    t = _apply_cuts(t, query, source, cube)
    keys: dict[str, ir.Value] = {}
    for name in query.drilldowns:
        t, expr = _level_expr(t, cube.levels[name], source)
        keys[name] = expr
    base, post = _needed_measures(cube, query.measures)
    aggregates = _base_aggregates(t, base, weighted, rollup=source.rollup_columns is not None)
    result = t.group_by(**keys).aggregate(**aggregates) if keys else t.aggregate(**aggregates)
    for m in post:
        kind, _, arg = m.formula.partition(":")
        if kind == "ratio":
            num, den = arg.split("/")
            result = result.mutate(**{m.name: (result[den] != 0).ifelse(result[num] / result[den], ibis.null())})
        else:
            left, right = arg.split("-")
            result = result.mutate(**{m.name: result[left] - result[right]})
    return result


def needed_columns(query: CubeQuery) -> set[str]:
    columns = {"jalali_year", "jalali_month", "source"}
    for name in (*query.drilldowns, *(c.level for c in query.cuts)):
        columns.update(LEVEL_COLUMNS[name])
    if any(lv in PRODUCT_LEVELS for lv in (*query.drilldowns, *(c.level for c in query.cuts))):
        columns.add("hs_revision")
    base, _ = _needed_measures(CUBE, query.measures)
    for m in base:
        kind, _, arg = m.formula.partition(":")
        if kind.startswith("sum_if_flow"):
            columns.add("flow")
        if kind == "count_distinct":
            columns.add(arg)
    return columns


# ---------------------------------------------------------------------- running and post-processing
def execute(query: CubeQuery, source: Source, cube: Cube = CUBE) -> pd.DataFrame:
    frame = source.answer((query, query.period), lambda: build(query, source, cube=cube))
    frame = _normalise(frame, query, cube)
    if query.compare == "previous_year":
        period = query.period.shifted(-1)
        previous = _normalise(source.answer((query, period), lambda: build(query, source, period, cube)),
                              query, cube)
        frame = _with_comparison(frame, previous, query, cube)
    frame = _with_shares(frame, query, cube)
    frame = _sorted_topped(frame, query, cube)
    return frame


def _normalise(frame: pd.DataFrame, query: CubeQuery, cube: Cube) -> pd.DataFrame:
    frame = frame.copy()
    for name in query.drilldowns:
        if cube.levels[name].key_type == "int":
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
        else:
            frame[name] = frame[name].astype("object")
    for m in query.measures:
        frame[m] = pd.to_numeric(frame[m], errors="coerce").astype("float64")
        if cube.measure_by_name[m].additive:
            frame[m] = frame[m].fillna(0.0)  # a sum over no rows is zero, not unknown
    columns = [*query.drilldowns, *query.measures]
    if not query.drilldowns and frame.empty:
        frame = pd.DataFrame([dict.fromkeys(query.measures, 0.0)])
    return frame[columns]


def _with_comparison(frame: pd.DataFrame, previous: pd.DataFrame, query: CubeQuery, cube: Cube) -> pd.DataFrame:
    keys = list(query.drilldowns)
    prev = previous.rename(columns={m: f"{m}_previous" for m in query.measures})
    merged = frame.merge(prev, on=keys, how="left") if keys else pd.concat([frame, prev], axis=1)
    for m in query.measures:
        if cube.measure_by_name[m].additive:
            # Fix (cube parity suite): a key with no rows in the previous period had previous = NaN
            # (and so change = NaN); a sum over no rows is zero, as ``_normalise`` says for the
            # current period. change_pct stays NaN (no base to compare with).
            merged[f"{m}_previous"] = merged[f"{m}_previous"].fillna(0.0)
        merged[f"{m}_change"] = merged[m] - merged[f"{m}_previous"]
        base = merged[f"{m}_previous"].where(merged[f"{m}_previous"] != 0)
        merged[f"{m}_change_pct"] = 100.0 * merged[f"{m}_change"] / base.abs()
    return merged


def _with_shares(frame: pd.DataFrame, query: CubeQuery, cube: Cube) -> pd.DataFrame:
    for m in query.measures:
        measure = cube.measure_by_name[m]
        if measure.additive and not measure.formula.startswith("diff:"):
            total = frame[m].sum()
            frame[f"{m}_share"] = 100.0 * frame[m] / total if total else float("nan")
    return frame


def _sorted_topped(frame: pd.DataFrame, query: CubeQuery, cube: Cube) -> pd.DataFrame:
    if query.sort:
        name = query.sort.lstrip("-")
        frame = frame.sort_values(name, ascending=not query.sort.startswith("-"), kind="stable",
                                  na_position="last")
    elif query.drilldowns:
        frame = frame.sort_values(list(query.drilldowns), kind="stable", na_position="last")
    if query.top is not None and len(frame) > query.top:
        head, tail = frame.iloc[: query.top], frame.iloc[query.top:]
        if query.other:
            other: dict[str, Any] = dict.fromkeys(query.drilldowns, "__other__")
            for column in frame.columns:
                if column in query.drilldowns:
                    continue
                measure = column.split("_share")[0] if column.endswith("_share") else column
                # Fix (cube parity suite): with compare=previous_year the "other" row left
                # <m>_previous and <m>_change empty; they are sums too (change_pct is recomputed below).
                for suffix in ("_previous", "_change"):
                    if column.endswith(suffix) and column[: -len(suffix)] in query.measures:
                        measure = column[: -len(suffix)]
                if column.endswith("_share") or (measure in cube.measure_by_name
                                                 and cube.measure_by_name[measure].additive):
                    other[column] = tail[column].sum()
            for m in query.measures:
                if f"{m}_change_pct" in frame.columns and f"{m}_previous" in other:
                    base = other[f"{m}_previous"]
                    other[f"{m}_change_pct"] = 100.0 * other[f"{m}_change"] / abs(base) if base else float("nan")
            frame = pd.concat([head, pd.DataFrame([other])], ignore_index=True)
        else:
            frame = head
    frame = frame.reset_index(drop=True)
    if query.offset or query.limit:
        frame = frame.iloc[query.offset: query.offset + query.limit if query.limit else None]
    return frame.reset_index(drop=True)

