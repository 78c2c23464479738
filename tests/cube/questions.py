"""The standard questions the monitoring pages ask, each with a hand-written DuckDB SQL reference.

The reference SQL is written from the definitions (DESIGN.md and the measure list in
``payesh.cube.model``), not from the cube's compiler: it reads the ``facts`` view and the dimension
Parquet files directly and computes the whole answer the cube returns — shares, comparison with the
same months of the previous year, top N plus an "other" row — so a parity failure points at the cube.

Conventions the reference encodes (the cube's documented behaviour):

* a sum over no rows is 0 for additive measures; ratios over a zero denominator are NULL;
* ``<m>_share`` = 100·m / Σm over the whole result (before top N), for additive non-difference measures;
* comparison: ``<m>_previous`` (0 when the key had no rows then), ``<m>_change``, ``<m>_change_pct``
  = 100·change / |previous| (NULL when previous is 0);
* top N + other: the N largest rows by the sort measure and one ``__other__`` row summing the additive
  columns of the rest (its change_pct recomputed from the sums);
* product levels in another revision than a fact's: the fact is split over the concordance weights,
  measures are weighted sums; exclude cuts keep rows whose key is NULL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OTHER = "__other__"


@dataclass(frozen=True)
class Question:
    id: str
    params: dict[str, str]
    sql: str  # hand-written reference over ``facts`` and the dimension tables


def converted(revision: str) -> str:
    """Facts mapped onto ``revision``: same-revision rows with weight 1, others split by the concordance."""
    return f"""conv AS (
  SELECT f.*, 1.0 AS w FROM facts f WHERE f.hs_revision = '{revision}'
  UNION ALL
  SELECT f.* REPLACE (c.to_code AS hs_code), c.weight AS w
  FROM facts f JOIN concordance c
    ON c.from_revision = f.hs_revision AND c.from_code = f.hs_code AND c.to_revision = '{revision}'
  WHERE f.hs_revision <> '{revision}'
)"""


YM = "(CAST(jalali_year AS INTEGER) * 100 + jalali_month)"

QUESTIONS: tuple[Question, ...] = (
    Question("totals_year", {
        "year": "1402", "measures": "exports_usd,imports_usd,balance_usd,exports_t,imports_t,value_usd,rows"}, """
WITH a AS (
  SELECT coalesce(sum(value_usd) FILTER (WHERE flow = 'export'), 0) AS exports_usd,
         coalesce(sum(value_usd) FILTER (WHERE flow = 'import'), 0) AS imports_usd,
         coalesce(sum(net_weight_kg) FILTER (WHERE flow = 'export'), 0) / 1000 AS exports_t,
         coalesce(sum(net_weight_kg) FILTER (WHERE flow = 'import'), 0) / 1000 AS imports_t,
         sum(value_usd) AS value_usd, count(*) AS "rows"
  FROM facts WHERE jalali_year = 1402)
SELECT exports_usd, imports_usd, exports_usd - imports_usd AS balance_usd, exports_t, imports_t, value_usd,
       "rows", 100.0 AS exports_usd_share, 100.0 AS imports_usd_share, 100.0 AS exports_t_share,
       100.0 AS imports_t_share, 100.0 AS value_usd_share, 100.0 AS rows_share
FROM a"""),

    Question("totals_9m_vs_previous", {
        "year": "1402", "months": "9", "compare": "previous_year",
        "measures": "exports_usd,imports_usd,balance_usd"}, f"""
WITH p AS (
  SELECT CASE WHEN {YM} BETWEEN 140201 AND 140209 THEN 'cur' ELSE 'prev' END AS period,
         sum(value_usd) FILTER (WHERE flow = 'export') AS ex, sum(value_usd) FILTER (WHERE flow = 'import') AS im
  FROM facts WHERE {YM} BETWEEN 140201 AND 140209 OR {YM} BETWEEN 140101 AND 140109 GROUP BY 1),
c AS (SELECT ex, im, ex - im AS bal FROM p WHERE period = 'cur'),
o AS (SELECT ex, im, ex - im AS bal FROM p WHERE period = 'prev')
SELECT c.ex AS exports_usd, c.im AS imports_usd, c.bal AS balance_usd,
       o.ex AS exports_usd_previous, o.im AS imports_usd_previous, o.bal AS balance_usd_previous,
       c.ex - o.ex AS exports_usd_change, 100 * (c.ex - o.ex) / abs(o.ex) AS exports_usd_change_pct,
       c.im - o.im AS imports_usd_change, 100 * (c.im - o.im) / abs(o.im) AS imports_usd_change_pct,
       c.bal - o.bal AS balance_usd_change, 100 * (c.bal - o.bal) / abs(o.bal) AS balance_usd_change_pct,
       100.0 AS exports_usd_share, 100.0 AS imports_usd_share
FROM c, o"""),

    Question("top5_partners_other", {
        "year": "1402", "cut": "flow:export", "drilldowns": "partner", "measures": "value_usd",
        "sort": "-value_usd", "top": "5", "other": "true"}, """
WITH a AS (SELECT partner, sum(value_usd) AS value_usd FROM facts
           WHERE jalali_year = 1402 AND flow = 'export' GROUP BY partner),
r AS (SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
             row_number() OVER (ORDER BY value_usd DESC) AS rn FROM a)
SELECT partner, value_usd, value_usd_share FROM r WHERE rn <= 5
UNION ALL
SELECT '__other__', sum(value_usd), sum(value_usd_share) FROM r WHERE rn > 5 HAVING count(*) > 0"""),

    Question("by_partner_region", {
        "year": "1402", "cut": "flow:export", "drilldowns": "partner_region", "measures": "value_usd,weight_t"},
        """
WITH a AS (SELECT c.region AS partner_region, sum(f.value_usd) AS value_usd, sum(f.net_weight_kg) / 1000 AS weight_t
           FROM facts f LEFT JOIN dim_country c ON c.iso3 = f.partner
           WHERE f.jalali_year = 1402 AND f.flow = 'export' GROUP BY 1)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * weight_t / sum(weight_t) OVER () AS weight_t_share FROM a"""),

    Question("by_section_chapter", {
        "year": "1402", "cut": "flow:export", "drilldowns": "section,chapter", "measures": "value_usd"}, f"""
WITH {converted("HS12")},
a AS (SELECT ch.section, substr(conv.hs_code, 1, 2) AS chapter, sum(conv.value_usd * conv.w) AS value_usd
      FROM conv LEFT JOIN dim_chapter ch ON ch.chapter = substr(conv.hs_code, 1, 2)
      WHERE conv.jalali_year = 1402 AND conv.flow = 'export' GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share FROM a"""),

    Question("by_office_province_office", {
        "year": "1402", "cut": "flow:export", "drilldowns": "office_province,office", "measures": "value_usd",
        "sort": "-value_usd"}, """
WITH a AS (SELECT o.province AS office_province, f.customs_office AS office, sum(f.value_usd) AS value_usd
           FROM facts f LEFT JOIN dim_office o ON o.code = f.customs_office
           WHERE f.jalali_year = 1402 AND f.flow = 'export' GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share FROM a"""),

    Question("own_exports_by_channel_market", {
        "year": "1402", "cut": "flow:export;origin_province:IR-11", "drilldowns": "channel,border_market",
        "measures": "value_usd,weight_t"}, """
WITH a AS (SELECT channel, border_market, sum(value_usd) AS value_usd, sum(net_weight_kg) / 1000 AS weight_t
           FROM facts WHERE jalali_year = 1402 AND flow = 'export' AND origin_province = 'IR-11' GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * weight_t / sum(weight_t) OVER () AS weight_t_share FROM a"""),

    Question("sankey_county_office_partner", {
        "year": "1402", "cut": "flow:export;origin_province:IR-11", "drilldowns": "origin_county,office,partner",
        "measures": "value_usd"}, """
WITH a AS (SELECT origin_county, customs_office AS office, partner, sum(value_usd) AS value_usd
           FROM facts WHERE jalali_year = 1402 AND flow = 'export' AND origin_province = 'IR-11' GROUP BY 1, 2, 3)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share FROM a"""),

    Question("monthly_trend", {
        "from": "140101", "to": "140212", "drilldowns": "month,flow", "measures": "value_usd,weight_t"}, f"""
WITH a AS (SELECT {YM} AS month, flow, sum(value_usd) AS value_usd, sum(net_weight_kg) / 1000 AS weight_t
           FROM facts WHERE {YM} BETWEEN 140101 AND 140212 GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * weight_t / sum(weight_t) OVER () AS weight_t_share FROM a"""),

    Question("unit_value_declarations_by_chapter", {
        "year": "1402", "cut": "flow:export", "drilldowns": "chapter",
        "measures": "value_usd,weight_t,unit_value,declarations"}, f"""
WITH {converted("HS12")},
a AS (SELECT substr(hs_code, 1, 2) AS chapter, sum(value_usd * w) AS value_usd,
             sum(net_weight_kg * w) / 1000 AS weight_t, count(DISTINCT declaration_id) AS declarations
      FROM conv WHERE jalali_year = 1402 AND flow = 'export' GROUP BY 1)
SELECT chapter, value_usd, weight_t, CASE WHEN weight_t <> 0 THEN value_usd / weight_t END AS unit_value,
       declarations, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * weight_t / sum(weight_t) OVER () AS weight_t_share FROM a"""),

    Question("balance_by_partner_top10", {
        "year": "1402", "drilldowns": "partner", "measures": "exports_usd,imports_usd,balance_usd",
        "sort": "-balance_usd", "top": "10"}, """
WITH a AS (SELECT partner, coalesce(sum(value_usd) FILTER (WHERE flow = 'export'), 0) AS exports_usd,
                  coalesce(sum(value_usd) FILTER (WHERE flow = 'import'), 0) AS imports_usd
           FROM facts WHERE jalali_year = 1402 GROUP BY 1),
r AS (SELECT partner, exports_usd, imports_usd, exports_usd - imports_usd AS balance_usd,
             100 * exports_usd / sum(exports_usd) OVER () AS exports_usd_share,
             100 * imports_usd / sum(imports_usd) OVER () AS imports_usd_share,
             row_number() OVER (ORDER BY exports_usd - imports_usd DESC) AS rn FROM a)
SELECT * EXCLUDE (rn) FROM r WHERE rn <= 10"""),

    Question("exclude_cuts", {
        "year": "1402", "exclude": "flow:transit,re_export;partner:IRQ,CHN;border_market:BM_MILAK",
        "drilldowns": "flow,channel", "measures": "value_usd,rows"}, """
WITH a AS (SELECT flow, channel, sum(value_usd) AS value_usd, count(*) AS "rows" FROM facts
           WHERE jalali_year = 1402 AND flow NOT IN ('transit', 're_export') AND partner NOT IN ('IRQ', 'CHN')
             AND (border_market IS NULL OR border_market <> 'BM_MILAK') GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * "rows" / sum("rows") OVER () AS rows_share FROM a"""),

    Question("hs92_subheadings_top15", {
        "year": "1402", "hs_revision": "HS92", "cut": "flow:export", "drilldowns": "subheading",
        "measures": "value_usd,weight_t", "sort": "-value_usd", "top": "15", "other": "true"}, f"""
WITH {converted("HS92")},
a AS (SELECT hs_code AS subheading, sum(value_usd * w) AS value_usd, sum(net_weight_kg * w) / 1000 AS weight_t
      FROM conv WHERE jalali_year = 1402 AND flow = 'export' GROUP BY 1),
r AS (SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
             100 * weight_t / sum(weight_t) OVER () AS weight_t_share,
             row_number() OVER (ORDER BY value_usd DESC) AS rn FROM a)
SELECT subheading, value_usd, weight_t, value_usd_share, weight_t_share FROM r WHERE rn <= 15
UNION ALL
SELECT '__other__', sum(value_usd), sum(weight_t), sum(value_usd_share), sum(weight_t_share)
FROM r WHERE rn > 15 HAVING count(*) > 0"""),

    Question("hs22_headings_of_sections", {
        "from": "140101", "to": "140212", "hs_revision": "HS22", "cut": "section:15,16", "drilldowns": "heading",
        "measures": "value_usd"}, f"""
WITH {converted("HS22")},
a AS (SELECT substr(conv.hs_code, 1, 4) AS heading, sum(conv.value_usd * conv.w) AS value_usd
      FROM conv JOIN dim_chapter ch ON ch.chapter = substr(conv.hs_code, 1, 2)
      WHERE {YM} BETWEEN 140101 AND 140212 AND ch.section IN (15, 16) GROUP BY 1)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share FROM a"""),

    Question("flows_9m_vs_previous", {
        "year": "1402", "months": "9", "compare": "previous_year", "drilldowns": "flow",
        "measures": "value_usd,weight_t"}, f"""
WITH c AS (SELECT flow, sum(value_usd) AS v, sum(net_weight_kg) / 1000 AS t FROM facts
           WHERE {YM} BETWEEN 140201 AND 140209 GROUP BY 1),
o AS (SELECT flow, sum(value_usd) AS v, sum(net_weight_kg) / 1000 AS t FROM facts
      WHERE {YM} BETWEEN 140101 AND 140109 GROUP BY 1)
SELECT c.flow, c.v AS value_usd, c.t AS weight_t,
       coalesce(o.v, 0) AS value_usd_previous, coalesce(o.t, 0) AS weight_t_previous,
       c.v - coalesce(o.v, 0) AS value_usd_change,
       CASE WHEN coalesce(o.v, 0) <> 0 THEN 100 * (c.v - o.v) / abs(o.v) END AS value_usd_change_pct,
       c.t - coalesce(o.t, 0) AS weight_t_change,
       CASE WHEN coalesce(o.t, 0) <> 0 THEN 100 * (c.t - o.t) / abs(o.t) END AS weight_t_change_pct,
       100 * c.v / sum(c.v) OVER () AS value_usd_share, 100 * c.t / sum(c.t) OVER () AS weight_t_share
FROM c LEFT JOIN o USING (flow)"""),

    Question("origin_share", {
        "year": "1402", "cut": "flow:export", "drilldowns": "origin_province", "measures": "value_usd",
        "sort": "-value_usd"}, """
WITH a AS (SELECT origin_province, sum(value_usd) AS value_usd FROM facts
           WHERE jalali_year = 1402 AND flow = 'export' GROUP BY 1)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share FROM a"""),

    Question("top5_partners_vs_previous_other", {
        "year": "1402", "months": "9", "compare": "previous_year", "cut": "flow:export", "drilldowns": "partner",
        "measures": "value_usd", "sort": "-value_usd", "top": "5", "other": "true"}, f"""
WITH c AS (SELECT partner, sum(value_usd) AS v FROM facts
           WHERE {YM} BETWEEN 140201 AND 140209 AND flow = 'export' GROUP BY 1),
o AS (SELECT partner, sum(value_usd) AS v FROM facts
      WHERE {YM} BETWEEN 140101 AND 140109 AND flow = 'export' GROUP BY 1),
r AS (SELECT c.partner, c.v AS value_usd, coalesce(o.v, 0) AS value_usd_previous,
             c.v - coalesce(o.v, 0) AS value_usd_change, 100 * c.v / sum(c.v) OVER () AS value_usd_share,
             row_number() OVER (ORDER BY c.v DESC) AS rn
      FROM c LEFT JOIN o USING (partner)),
t AS (SELECT partner, value_usd, value_usd_previous, value_usd_change, value_usd_share FROM r WHERE rn <= 5
      UNION ALL
      SELECT '__other__', sum(value_usd), sum(value_usd_previous), sum(value_usd_change), sum(value_usd_share)
      FROM r WHERE rn > 5 HAVING count(*) > 0)
SELECT partner, value_usd, value_usd_previous, value_usd_change,
       CASE WHEN value_usd_previous <> 0 THEN 100 * value_usd_change / abs(value_usd_previous) END
         AS value_usd_change_pct, value_usd_share FROM t"""),

    Question("gregorian_year_by_transport", {
        "from": "140101", "to": "140212", "drilldowns": "gyear,transport_mode", "measures": "value_usd,rows"}, f"""
WITH a AS (SELECT CAST(year(declaration_date) AS INTEGER) AS gyear, transport_mode, sum(value_usd) AS value_usd,
                  count(*) AS "rows" FROM facts WHERE {YM} BETWEEN 140101 AND 140212 GROUP BY 1, 2)
SELECT *, 100 * value_usd / sum(value_usd) OVER () AS value_usd_share,
       100 * "rows" / sum("rows") OVER () AS rows_share FROM a"""),

    Question("quarterly_exports", {
        "from": "140001", "to": "140212", "drilldowns": "quarter", "measures": "exports_usd"}, f"""
WITH a AS (SELECT CAST(jalali_year AS INTEGER) * 10 + (jalali_month - 1) // 3 + 1 AS quarter,
                  coalesce(sum(value_usd) FILTER (WHERE flow = 'export'), 0) AS exports_usd
           FROM facts WHERE {YM} BETWEEN 140001 AND 140212 GROUP BY 1)
SELECT *, 100 * exports_usd / sum(exports_usd) OVER () AS exports_usd_share FROM a"""),
)

BY_ID = {q.id: q for q in QUESTIONS}


# --------------------------------------------------------------------------------------------- comparing
def _key(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "<null>"
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return str(value)


def canonical(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Keys as text (NULL → "<null>", 1402.0 → "1402"), measures as float64, rows sorted by the keys."""
    frame = frame.copy()
    for k in keys:
        frame[k] = frame[k].map(_key).astype(object)
    for c in frame.columns:
        if c not in keys:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame = frame.sort_values(keys, kind="stable") if keys else frame
    return frame.reset_index(drop=True)


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str], *, label: str,
                rtol: float = 1e-9, atol: float = 1e-6) -> None:
    """Same columns, same key rows, floats equal within ``rtol`` (``atol`` only absorbs sums that cancel)."""
    assert sorted(actual.columns) == sorted(expected.columns), (
        f"{label}: columns differ\n  actual:   {list(actual.columns)}\n  expected: {list(expected.columns)}")
    a = canonical(actual[list(expected.columns)], keys)
    e = canonical(expected, keys)
    assert len(a) == len(e), f"{label}: {len(a)} rows, expected {len(e)}\n{a.head(20)}\n{e.head(20)}"
    for k in keys:
        mismatch = a[k] != e[k]
        assert not mismatch.any(), f"{label}: keys {k} differ:\n{pd.concat([a[k], e[k]], axis=1)[mismatch].head(20)}"
    for c in expected.columns:
        if c in keys:
            continue
        x, y = a[c].to_numpy(), e[c].to_numpy()
        ok = np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True)
        if not ok.all():
            bad = pd.DataFrame({**{k: a[k] for k in keys}, "actual": x, "expected": y})[~ok]
            raise AssertionError(f"{label}: column {c} differs in {int((~ok).sum())} row(s):\n{bad.head(20)}")
