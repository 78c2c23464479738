"""Set-based normalisation and validation in DuckDB: no Python loop over rows.

``normalise_sql`` turns any raw relation (typed CSV scan or string Parquet) into fact columns;
``issue_queries`` yields one SQL per rule over the normalised Parquet, each returning
``(ord, column, value, rule, d1, d2)`` where ``ord`` is the 0-based record ordinal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from .dates import sql_parse_date
from .numerals import sql_digits, sql_number
from .schema import CHANNELS, FACT_COLUMNS, FLOWS, HS_REVISIONS, NATIONAL_OFFICE, TRANSPORT_MODES

FIRST_DATE = dt.date(1990, 1, 1)

_NUMBERS = ("quantity", "net_weight_kg", "value_usd", "value_rial", "rial_per_usd")
_REQUIRED = ("flow", "declaration_date", "declaration_id", "line_no", "customs_office", "channel",
             "partner", "hs_code", "hs_revision", "net_weight_kg", "value_usd")
_UPPER = ("customs_office", "border_market", "partner", "reporter", "origin_province",
          "origin_county", "hs_revision")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(_quote(v) for v in values)


def normalise_sql(relation: str, types: Mapping[str, str], *, batch_id: str, source: str,
                  default_revision: str | None, reporter: str, has_row: bool) -> str:
    """SELECT producing FACT_COLUMNS (in order), then ``_row`` (if the raw has it) and ``_bad``
    (string inputs only: a list of {c: column, r: rule, v: value} parse failures)."""

    def raw(name: str) -> str:
        return f'"{name}"' if name in types else "CAST(NULL AS VARCHAR)"

    def is_text(name: str) -> bool:
        return types.get(name, "VARCHAR") == "VARCHAR"

    def text(name: str) -> str:
        return f"NULLIF(trim({raw(name)}), '')" if name in types else "CAST(NULL AS VARCHAR)"

    parsed: dict[str, str] = {}
    bad: list[str] = []
    if is_text("declaration_date"):
        parsed["declaration_date"] = sql_parse_date(sql_digits(raw("declaration_date")))
        bad.append(("declaration_date", "date_invalid"))  # type: ignore[arg-type]
    else:
        parsed["declaration_date"] = raw("declaration_date")
    for name in _NUMBERS:
        if name in types and is_text(name):
            parsed[name] = sql_number(raw(name))
            bad.append((name, "number_invalid"))  # type: ignore[arg-type]
        else:
            parsed[name] = f"CAST({raw(name)} AS DOUBLE)"
    if is_text("line_no"):
        number = sql_number(raw("line_no"))
        parsed["line_no"] = f"CASE WHEN {number} = round({number}) THEN CAST({number} AS INTEGER) END"
        bad.append(("line_no", "number_invalid"))  # type: ignore[arg-type]
    else:
        parsed["line_no"] = f"CAST({raw('line_no')} AS INTEGER)"
    hs = f"regexp_replace({sql_digits(raw('hs_code'))}, '[ .\\-]', '', 'g')"
    # A lost leading zero (Excel, BACI): odd-length all-digit codes get it back.
    hs = (f"CASE WHEN regexp_full_match({hs}, '[0-9]+') AND length({hs}) % 2 = 1 "
          f"THEN '0' || {hs} ELSE NULLIF({hs}, '') END")
    revision = _quote(default_revision) if default_revision else "NULL"
    inner = [
        f"lower({text('flow')}) AS flow",
        f"{parsed['declaration_date']} AS declaration_date",
        # Keys in Latin digits, so that ۱۲۳۴۵ and 12345 are the same declaration.
        f"NULLIF({sql_digits(raw('declaration_id'))}, '') AS declaration_id",
        f"{parsed['line_no']} AS line_no",
        f"NULLIF({sql_digits(raw('source_key'))}, '') AS source_key_raw",
        f"lower({text('channel')}) AS channel",
        f"{hs} AS hs_full",
        f"coalesce(upper({text('hs_revision')}), {revision}) AS hs_revision",
        f"{text('unit')} AS unit",
        f"coalesce(lower({text('transport_mode')}), 'unknown') AS transport_mode",
    ]
    for name in _UPPER:
        if name != "hs_revision":
            expression = f"upper({text(name)})"
            if name == "reporter":
                expression = f"coalesce({expression}, {_quote(reporter)})"
            inner.append(f"{expression} AS {name}")
    inner += [f"{parsed[n]} AS {n}" for n in _NUMBERS]
    bad_items = []
    for name, rule in bad:  # type: ignore[misc]
        bad_items.append(
            f"CASE WHEN {text(name)} IS NOT NULL AND {parsed[name]} IS NULL "
            f"THEN {{'c': '{name}', 'r': '{rule}', 'v': {text(name)}}} END")
    if has_row:
        inner.append('"_row"')
    if bad_items:
        inner.append(f"list_filter([{', '.join(bad_items)}], x -> x IS NOT NULL) AS _bad")
    outer = {
        "flow": "flow",
        "declaration_date": "declaration_date",
        "jalali_year": "CAST(payesh_jalali_year(declaration_date) AS SMALLINT)",
        "jalali_month": "CAST(payesh_jalali_month(declaration_date) AS TINYINT)",
        "declaration_id": "declaration_id",
        "line_no": "line_no",
        "source": _quote(source),
        "source_key": "coalesce(source_key_raw, declaration_id || '#' || CAST(line_no AS VARCHAR))",
        "customs_office": "customs_office",
        "channel": "channel",
        "border_market": "border_market",
        "reporter": "reporter",
        "partner": "partner",
        "origin_province": "origin_province",
        "origin_county": "origin_county",
        "hs_code": "CASE WHEN length(hs_full) > 6 THEN left(hs_full, 6) ELSE hs_full END",
        "national_code": "CASE WHEN length(hs_full) > 6 THEN hs_full END",
        "hs_revision": "hs_revision",
        "quantity": "quantity",
        "unit": "unit",
        "net_weight_kg": "net_weight_kg",
        "value_usd": "value_usd",
        "value_rial": "value_rial",
        "rial_per_usd": "rial_per_usd",
        "transport_mode": "transport_mode",
        "batch_id": _quote(batch_id),
    }
    assert tuple(outer) == FACT_COLUMNS
    select = [f"{expression} AS {name}" for name, expression in outer.items()]
    if has_row:
        select.append("_row")
    if bad_items:
        select.append("_bad")
    return f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner)} FROM {relation})"


def issue_queries(norm: str, *, has_bad: bool, today: dt.date, weight_required: bool = True,
                  outliers: bool = True) -> Iterator[str]:
    """One SELECT per rule over ``norm`` (a relation with column ``ord``)."""
    last = today + dt.timedelta(days=1)

    def simple(rule: str, column: str, condition: str, value: str | None = None) -> str:
        return (f"SELECT ord, '{column}' AS col, CAST({value or column} AS VARCHAR) AS value, "
                f"'{rule}' AS rule, NULL AS d1, NULL AS d2 FROM {norm} WHERE {condition}")

    if has_bad:
        yield ("SELECT ord, b.c AS col, b.v AS value, b.r AS rule, NULL AS d1, NULL AS d2 "
               f"FROM (SELECT ord, unnest(_bad) AS b FROM {norm} WHERE len(_bad) > 0)")
        skip = "AND NOT list_contains(list_transform(_bad, x -> x.c), '{c}')"
    else:
        skip = ""
    for column in _REQUIRED:
        if column == "net_weight_kg" and not weight_required:
            continue  # Comtrade and BACI leave weight empty where the reporter gave none
        yield simple("value_required", column, f"{column} IS NULL {skip.format(c=column)}", "NULL")
    yield (f"SELECT ord, 'declaration_date' AS col, CAST(declaration_date AS VARCHAR) AS value, "
           f"'date_out_of_range' AS rule, '{FIRST_DATE}' AS d1, '{last}' AS d2 FROM {norm} "
           f"WHERE declaration_date < DATE '{FIRST_DATE}' OR declaration_date > DATE '{last}'")
    yield simple("flow_invalid", "flow", f"flow NOT IN ({_in_list(FLOWS)})")
    yield simple("channel_invalid", "channel", f"channel NOT IN ({_in_list(CHANNELS)})")
    yield simple("transport_invalid", "transport_mode", f"transport_mode NOT IN ({_in_list(TRANSPORT_MODES)})")
    yield simple("hs_revision_invalid", "hs_revision", f"hs_revision NOT IN ({_in_list(HS_REVISIONS)})")
    full = "coalesce(national_code, hs_code)"
    valid_hs = f"regexp_full_match({full}, '[0-9]{{2}}|[0-9]{{4}}|[0-9]{{6}}|[0-9]{{8}}|[0-9]{{10}}')"
    yield simple("hs_invalid", "hs_code", f"hs_code IS NOT NULL AND NOT {valid_hs}", full)
    yield (f"SELECT ord, 'hs_code' AS col, {full} AS value, 'hs_unknown' AS rule, n.hs_revision AS d1, "
           f"NULL AS d2 FROM {norm} n ANTI JOIN ref_hs r ON n.hs_revision = r.revision AND n.hs_code = r.code "
           f"WHERE n.hs_code IS NOT NULL AND {valid_hs} AND n.hs_revision IN ({_in_list(HS_REVISIONS)})")
    for rule, column, table in (("partner_unknown", "partner", "ref_countries"),
                                ("reporter_unknown", "reporter", "ref_countries"),
                                ("office_unknown", "customs_office", "ref_offices"),
                                ("border_market_unknown", "border_market", "ref_markets"),
                                ("province_unknown", "origin_province", "ref_provinces"),
                                ("county_unknown", "origin_county", "ref_counties")):
        extra = f" AND n.{column} <> '{NATIONAL_OFFICE}'" if column == "customs_office" else ""
        yield (f"SELECT ord, '{column}' AS col, n.{column} AS value, '{rule}' AS rule, NULL AS d1, "
               f"NULL AS d2 FROM {norm} n ANTI JOIN {table} r ON n.{column} = r.code "
               f"WHERE n.{column} IS NOT NULL{extra}")
    yield simple("border_market_missing", "border_market",
                 "channel = 'border_market' AND border_market IS NULL", "NULL")
    for column in _NUMBERS:
        yield simple("value_negative", column, f"{column} < 0")
    yield (f"SELECT n.ord, 'source_key' AS col, n.source_key AS value, 'duplicate_in_file' AS rule, "
           f"CAST(d.first_ord AS VARCHAR) AS d1, NULL AS d2 FROM {norm} n JOIN "
           f"(SELECT source_key, min(ord) AS first_ord FROM {norm} GROUP BY source_key "
           f"HAVING count(*) > 1) d USING (source_key) WHERE n.ord > d.first_ord")
    yield (f"SELECT n.ord, 'source_key' AS col, n.source_key AS value, 'duplicate_key' AS rule, "
           f"a.batch_id AS d1, NULL AS d2 FROM {norm} n JOIN active_keys a "
           f"ON n.source = a.source AND n.source_key = a.source_key")
    if outliers:
        # Robust range per product within the file: log unit value outside the quartiles ± 3 IQR.
        yield (f"WITH uv AS (SELECT ord, hs_code, value_usd / net_weight_kg AS uv FROM {norm} "
               f"WHERE net_weight_kg > 0 AND value_usd > 0), "
               f"q AS (SELECT hs_code, approx_quantile(ln(uv), 0.25) q1, approx_quantile(ln(uv), 0.75) q3, "
               f"count(*) n FROM uv GROUP BY hs_code HAVING count(*) >= 10) "
               f"SELECT ord, 'value_usd' AS col, CAST(round(uv, 4) AS VARCHAR) AS value, "
               f"'unit_value_outlier' AS rule, CAST(round(exp(q1 - 3 * (q3 - q1)), 4) AS VARCHAR) AS d1, "
               f"CAST(round(exp(q3 + 3 * (q3 - q1)), 4) AS VARCHAR) AS d2 FROM uv JOIN q USING (hs_code) "
               f"WHERE ln(uv) < q1 - 3 * greatest(q3 - q1, 0.1) OR ln(uv) > q3 + 3 * greatest(q3 - q1, 0.1)")
