"""Set-based normalisation and validation in DuckDB: no Python loop over rows.

``normalise_sql`` turns any raw relation (typed CSV scan or string Parquet) into the stored fact
columns (``STORED_COLUMNS``: ``source_key`` and ``reporter`` NULL where they take their default);
``issue_queries`` yields one SQL per rule over the normalised facts (all of FACT_COLUMNS, through
``lake.fact_expressions``), each returning
``(ord, column, value, rule, d1, d2)`` where ``ord`` is the 0-based record ordinal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import duckdb

from .dates import sql_parse_date
from .issues import Issue, make_issue
from .limits import BOUND_VARIABLES, Limits, limits_from_env, variable_of
from .numerals import (
    COMMA_FORM,
    POINT_FORM,
    Convention,
    sql_ascii_number,
    sql_digits,
    sql_number,
    sql_number_problem,
)
from .schema import CHANNELS, FLOWS, HS_REVISIONS, NATIONAL_OFFICE, STORED_COLUMNS, TRANSPORT_MODES

FIRST_DATE = dt.date(1990, 1, 1)

_NUMBERS = ("quantity", "net_weight_kg", "value_usd", "value_rial", "rial_per_usd")
_REQUIRED = ("flow", "declaration_date", "declaration_id", "line_no", "customs_office", "channel",
             "partner", "hs_code", "hs_revision", "net_weight_kg", "value_usd")
_UPPER = ("customs_office", "border_market", "partner", "reporter", "origin_province",
          "origin_county", "hs_revision")
#: Text columns whose control characters are removed (with a warning) …
_TEXT = ("flow", "channel", "unit", "transport_mode", "hs_code", *_UPPER)
#: … and the key columns, where they are an error: a key is never silently changed.
_KEYS = ("declaration_id", "line_no", "source_key")
#: C0 controls, DEL and C1 controls (RE2 syntax). Tab, CR and LF inside a cell count too.
CONTROL_RE = "[\\x00-\\x1f\\x7f-\\x{9f}]"
#: Unit value fences: quartiles of ln(USD per unit) ± 3 IQR, the IQR at least this (×e^1.5 ≈ 4.5).
_HISTORY_MIN_IQR = 0.5
_HISTORY_MIN_ROWS = 20
#: A month total this many times the same month a year before is worth a person's look.
MONTH_JUMP = 10


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(_quote(v) for v in values)


@dataclass(frozen=True)
class NumberConvention:
    """How the numbers of one file are written, and the report line that says so."""

    convention: Convention
    issue: Issue


_DECIMAL_EXAMPLE = {"point": "1,234.5", "comma": "1.234,5"}


def detect_numbers(con: duckdb.DuckDBPyConnection, relation: str, types: Mapping[str, str]) -> NumberConvention:
    """The file's decimal mark, decided by its values, never by a guess.

    A value proves '.' when it reads only with '.' as decimal mark (1.5, 1,234.5, 1,234,567, and
    ۱۲٫۵ with the Arabic decimal separator) and ',' when it reads only with ',' (1500,50, 1.234,5,
    0,500). The mark most values prove is the file's;
    the other mark's values are then errors. ``1,500`` reads both ways: it follows the file's mark,
    and is an error where no value proves either (or as many prove each).
    """
    columns = [n for n in (*_NUMBERS, "line_no") if types.get(n) == "VARCHAR"]
    if not columns:
        return NumberConvention("point", make_issue(
            "number_convention", value="typed: decimal '.'", decimal_en="'.' (typed values)",
            decimal_fa="'.' (مقدار عددی)", thousands_en="none", thousands_fa="ندارد", digits_en="Latin",
            digits_fa="لاتین"))
    values = ", ".join(f'"{c}"' for c in columns)
    has_mark = "regexp_matches(t, '[.,]') AND NOT contains(t, 'D')"
    row = con.execute(
        f"SELECT count(*) FILTER (p AND NOT c), count(*) FILTER (c AND NOT p), count(*) FILTER (p AND c), "
        f"any_value(t) FILTER (p AND NOT c), any_value(t) FILTER (c AND NOT p), any_value(t) FILTER (p AND c), "
        f"count(*) FILTER (m AND contains(t, ',')), count(*) FILTER (m AND contains(t, '.')), "
        f"count(*) FILTER (regexp_matches(trim(x), '[0-9۰-۹٠-٩][ \u00a0\u202f]+[0-9۰-۹٠-٩]')), "
        f"count(*) FILTER (contains(x, '٬')), count(*) FILTER (regexp_matches(x, '[۰-۹]')), "
        f"count(*) FILTER (regexp_matches(x, '[٠-٩]')), count(*) FILTER (regexp_matches(x, '[0-9]')) "
        # The Arabic decimal separator '٫' (D here) is a decimal point: ',' then groups thousands.
        f"FROM (SELECT x, t, m, contains(t, 'D') OR (m AND regexp_full_match(t, '{POINT_FORM}')) AS p, "
        f"m AND regexp_full_match(t, '{COMMA_FORM}') AS c "
        f"FROM (SELECT x, t, {has_mark} AS m FROM (SELECT x, {sql_ascii_number('x')} AS t "
        f"FROM (SELECT unnest([{values}]) AS x FROM {relation}) WHERE x IS NOT NULL)))").fetchone()
    assert row is not None
    (point, comma, ambiguous, point_example, comma_example, ambiguous_example, with_comma, with_point,
     spaced, arabic_groups, persian, arabic, latin) = row
    convention: Convention = "point" if point > comma else "comma" if comma > point else "unknown"
    if convention == "unknown":
        if ambiguous or point:
            example = ambiguous_example or point_example
            decimal_en = f"undetermined: no value shows it, and {ambiguous + point + comma:,} values such as " \
                         f"'{example}' read both ways (refused)"
            decimal_fa = f"نامعلوم: هیچ مقداری آن را نشان نمی‌دهد و {ambiguous + point + comma:,} مقدار مانند " \
                         f"«{example}» دوپهلوست (رد شد)"
        else:
            decimal_en, decimal_fa = "(none in the file)", "(در فایل نیامده)"
    else:
        mark = "." if convention == "point" else ","
        proof, example = (point, point_example) if convention == "point" else (comma, comma_example)
        other, other_example = (comma, comma_example) if convention == "point" else (point, point_example)
        decimal_en = f"'{mark}' (shown by {proof:,} values such as '{example}')"
        decimal_fa = f"'{mark}' (بنا بر {proof:,} مقدار مانند «{example}»)"
        if other:
            decimal_en += f"; {other:,} values such as '{other_example}' use the other mark (refused)"
            decimal_fa += f"؛ {other:,} مقدار مانند «{other_example}» ممیز دیگر دارند (رد شد)"
    grouping = {"point": with_comma, "comma": with_point}.get(convention, 0)
    separators = [name for name, count in ((("','" if convention == "point" else "'.'"), grouping),
                                           ("space", spaced), ("'٬'", arabic_groups)) if count]
    separators_fa = [{"space": "فاصله"}.get(s, s) for s in separators]
    digits = [name for name, count in (("Latin", latin), ("Persian", persian), ("Arabic-Indic", arabic)) if count]
    digits_fa = [{"Latin": "لاتین", "Persian": "فارسی", "Arabic-Indic": "عربی"}[d] for d in digits]
    summary = (f"decimal {({'point': '.', 'comma': ','}).get(convention, '?')}; thousands "
               f"{' '.join(separators) or 'none'}; digits {', '.join(digits) or 'none'}")
    return NumberConvention(convention, make_issue(
        "number_convention", value=summary, decimal_en=decimal_en, decimal_fa=decimal_fa,
        thousands_en=", ".join(separators) or "none", thousands_fa="، ".join(separators_fa) or "ندارد",
        digits_en=", ".join(digits) or "none", digits_fa="، ".join(digits_fa) or "ندارد"))


def _struct(column: str, rule: str, value: str, d1: str = "CAST(NULL AS VARCHAR)",
            d2: str = "CAST(NULL AS VARCHAR)") -> str:
    return f"{{'c': '{column}', 'r': {rule}, 'v': {value}, 'd': {d1}, 'e': {d2}}}"


def normalise_sql(relation: str, types: Mapping[str, str], *, default_revision: str | None,
                  has_row: bool, convention: Convention = "point", limits: Limits | None = None) -> str:
    """SELECT producing STORED_COLUMNS (in order), then ``_row`` (if the raw has it) and ``_bad``
    (a list of {c: column, r: rule, v: value, d, e: details} findings of the reading itself: parse
    failures, non-finite numbers, control characters, over-long cells).

    Numbers in text are read with the file's ``convention`` (see :func:`detect_numbers`).
    """
    limits = limits or limits_from_env()
    max_cell = limits.max_cell_chars

    def raw(name: str) -> str:
        return f'"{name}"' if name in types else "CAST(NULL AS VARCHAR)"

    def is_text(name: str) -> bool:
        return types.get(name, "VARCHAR") == "VARCHAR"

    def text_columns(names: tuple[str, ...]) -> list[str]:
        return [n for n in names if n in types and is_text(n)]

    cleaned_columns = text_columns(tuple(c for c in _TEXT if c != "hs_code"))
    key_columns = text_columns(_KEYS)

    def cleaned(name: str) -> str:
        # Control characters are removed only from rows that have some (one regex per row first).
        if name in cleaned_columns:
            return f"CASE WHEN _ctl THEN regexp_replace({raw(name)}, '{CONTROL_RE}', '', 'g') ELSE {raw(name)} END"
        return raw(name)

    def text(name: str) -> str:
        return f"NULLIF(trim({cleaned(name)}), '')" if name in types else "CAST(NULL AS VARCHAR)"

    # Layer A: ASCII form of text numbers; layer B: their values (NaN/inf kept, refused by name).
    ascii_numbers = [n for n in (*_NUMBERS, "line_no") if n in types and is_text(n)]
    layer_a = [f"{sql_ascii_number(raw(n))} AS \"_a_{n}\"" for n in ascii_numbers]
    layer_b = [f"{sql_number(raw(n), convention, ascii_expr=f'_a_{n}')} AS \"_n_{n}\"" for n in ascii_numbers]
    controlled = cleaned_columns + key_columns
    if controlled:
        joined = ", ".join(f"coalesce({raw(n)}, '')" for n in controlled)
        layer_b.append(f"regexp_matches(concat({joined}), '{CONTROL_RE}') AS _ctl")
    else:
        layer_b.append("false AS _ctl")

    parsed: dict[str, str] = {}
    bad: list[str] = []
    if is_text("declaration_date"):
        parsed["declaration_date"] = sql_parse_date(sql_digits(raw("declaration_date")))
        bad.append(f"CASE WHEN {text('declaration_date')} IS NOT NULL AND {parsed['declaration_date']} IS NULL "
                   f"THEN {_struct('declaration_date', _quote('date_invalid'), text('declaration_date'))} END")
    else:
        parsed["declaration_date"] = raw("declaration_date")

    def number_bad(name: str) -> str:
        t = f'"_a_{name}"'
        number = f'"_n_{name}"'
        problem = sql_number_problem(convention, t)
        if name == "line_no":
            problem = f"CASE WHEN {number} IS NOT NULL AND isfinite({number}) THEN 'number_invalid' ELSE {problem} END"
        readings = (f"CASE WHEN {problem} = 'number_ambiguous' THEN replace({t}, ',', '') || ' / ' || "
                    f"replace(replace({t}, '.', ''), ',', '.') WHEN {problem} = 'number_convention_conflict' "
                    f"THEN '{_DECIMAL_EXAMPLE.get(convention, '')}' END")
        return (f"CASE WHEN {number} IS NOT NULL AND NOT isfinite({number}) "
                f"THEN {_struct(name, _quote('number_not_finite'), text(name))} "
                f"WHEN {text(name)} IS NOT NULL AND {parsed[name]} IS NULL "
                f"THEN {_struct(name, problem, text(name), readings)} END")

    for name in _NUMBERS:
        if name in types and is_text(name):
            parsed[name] = f'CASE WHEN isfinite("_n_{name}") THEN "_n_{name}" END'
            bad.append(number_bad(name))
        else:
            parsed[name] = f"CAST({raw(name)} AS DOUBLE)"
    if "line_no" not in types:
        parsed["line_no"] = "CAST(NULL AS INTEGER)"
    elif is_text("line_no"):
        number = '"_n_line_no"'
        # Guarded: CAST of NaN, inf or 1e20 to INTEGER would abort the whole statement.
        parsed["line_no"] = (f"CASE WHEN isfinite({number}) AND {number} = round({number}) "
                             f"AND abs({number}) < 2147483648 THEN CAST({number} AS INTEGER) END")
        bad.append(number_bad("line_no"))
    else:
        parsed["line_no"] = f"CAST({raw('line_no')} AS INTEGER)"
    for name in cleaned_columns:
        bad.append(f"CASE WHEN _ctl AND regexp_matches({raw(name)}, '{CONTROL_RE}') "
                   f"THEN {_struct(name, _quote('text_control_removed'), raw(name))} END")
    for name in key_columns:
        bad.append(f"CASE WHEN _ctl AND regexp_matches({raw(name)}, '{CONTROL_RE}') "
                   f"THEN {_struct(name, _quote('text_control_key'), raw(name))} END")
    for name in (n for n in types if is_text(n) and not n.startswith("_")):
        # strlen (bytes) first: O(1) in DuckDB, and never below the length in characters.
        bad.append(f"CASE WHEN strlen({raw(name)}) > {max_cell} AND length({raw(name)}) > {max_cell} "
                   f"THEN {_struct(name, _quote('cell_too_long'), f'left({raw(name)}, 100)', repr(str(max_cell)), repr(variable_of('max_cell_chars')))} END")
    # Computed once in the innermost layer (DuckDB does not share repeated subexpressions).
    hs_digits = f"replace(replace(replace({sql_digits(raw('hs_code'))}, ' ', ''), '.', ''), '-', '') AS hs_digits"
    # A lost leading zero (Excel, BACI): odd-length all-digit codes get it back.
    hs = ("CASE WHEN length(hs_digits) % 2 = 1 AND TRY_CAST(hs_digits AS UBIGINT) IS NOT NULL "
          "THEN '0' || hs_digits ELSE NULLIF(hs_digits, '') END")
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
            # reporter: NULL takes the batch's reporter (in the facts view).
            inner.append(f"upper({text(name)}) AS {name}")
    inner += [f"{parsed[n]} AS {n}" for n in _NUMBERS]
    if has_row:
        inner.append('"_row"')
    if bad:
        inner.append(f"list_filter([{', '.join(bad)}], x -> x IS NOT NULL) AS _bad")
    outer = {
        "flow": "flow",
        "declaration_date": "declaration_date",
        "jalali_year": "CAST(payesh_jalali_year(declaration_date) AS SMALLINT)",
        "jalali_month": "CAST(payesh_jalali_month(declaration_date) AS TINYINT)",
        "declaration_id": "declaration_id",
        "line_no": "line_no",
        # NULL: the default declaration_id#line_no (in the facts view; not written: unique per row).
        "source_key": "source_key_raw",
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
    }
    assert tuple(outer) == STORED_COLUMNS
    select = [f"{expression} AS {name}" for name, expression in outer.items()]
    if has_row:
        select.append("_row")
    if bad:
        select.append("_bad")
    layer_a.append(hs_digits)
    return (f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner)} FROM "
            f"(SELECT *, {', '.join(layer_b)} FROM (SELECT *, {', '.join(layer_a)} FROM {relation})))")


def _bound_text(bound: float) -> str:
    return f"{bound:,.0f}" if bound >= 1 else f"{bound:g}"


def issue_queries(norm: str, *, has_bad: bool, today: dt.date, weight_required: bool = True,
                  outliers: bool = True, limits: Limits | None = None, history: bool = False) -> Iterator[str]:
    """One SELECT per rule over ``norm`` (a relation with column ``ord``), then the warnings of
    :func:`warning_queries` (``history``: compare with the relation ``history``, see
    :func:`history_view_sql`)."""
    limits = limits or limits_from_env()
    last = today + dt.timedelta(days=1)

    def simple(rule: str, column: str, condition: str, value: str | None = None) -> str:
        return (f"SELECT ord, '{column}' AS col, CAST({value or column} AS VARCHAR) AS value, "
                f"'{rule}' AS rule, NULL AS d1, NULL AS d2 FROM {norm} WHERE {condition}")

    if has_bad:
        yield ("SELECT ord, b.c AS col, b.v AS value, b.r AS rule, b.d AS d1, b.e AS d2 "
               f"FROM (SELECT ord, unnest(_bad) AS b FROM {norm} WHERE len(_bad) > 0)")
        # A column whose reading already failed is not reported empty as well (warnings aside:
        # a code that was only control characters is then empty, and that is an error).
        skip = ("AND NOT list_contains(list_transform(list_filter(_bad, x -> x.r <> 'text_control_removed'), "
                "x -> x.c), '{c}')")
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
        # Typed reads keep NaN and infinity (DuckDB and pandas read them as numbers); text reads
        # report them in _bad already and leave NULL.
        yield simple("number_not_finite", column, f"NOT isfinite({column})")
        bound = limits.bounds[column]
        yield (f"SELECT ord, '{column}' AS col, CAST({column} AS VARCHAR) AS value, 'number_out_of_range' AS rule, "
               f"'{_bound_text(bound)}' AS d1, '{BOUND_VARIABLES[column]}' AS d2 FROM {norm} "
               f"WHERE isfinite({column}) AND abs({column}) > {bound!r}")
        yield simple("value_negative", column, f"{column} < 0 AND isfinite({column})")
    yield (f"SELECT n.ord, 'source_key' AS col, n.source_key AS value, 'duplicate_in_file' AS rule, "
           f"CAST(d.first_ord AS VARCHAR) AS d1, NULL AS d2 FROM {norm} n JOIN "
           f"(SELECT source_key, min(ord) AS first_ord FROM {norm} GROUP BY source_key "
           f"HAVING count(*) > 1) d USING (source_key) WHERE n.ord > d.first_ord")
    yield (f"SELECT n.ord, 'source_key' AS col, n.source_key AS value, 'duplicate_key' AS rule, "
           f"a.batch_id AS d1, NULL AS d2 FROM {norm} n JOIN active_keys a "
           f"ON n.source = a.source AND n.source_key = a.source_key")
    if outliers:
        yield from warning_queries(norm, history=history)


#: Name of the relation of already-loaded facts that plausibility warnings compare with.
HISTORY = "history"


def history_view_sql(facts_sql: str | None) -> str:
    """DDL of the ``history`` view: the active facts of the file's source (``Lake.facts_sql`` of the
    active batches), or an empty table when there are none."""
    columns = "flow, hs_code, value_usd, net_weight_kg, jalali_year, jalali_month"
    if facts_sql is None:
        return (f"CREATE OR REPLACE TEMP TABLE {HISTORY} (flow VARCHAR, hs_code VARCHAR, value_usd DOUBLE, "
                "net_weight_kg DOUBLE, jalali_year SMALLINT, jalali_month TINYINT)")
    return f"CREATE OR REPLACE TEMP VIEW {HISTORY} AS SELECT {columns} FROM ({facts_sql})"


def warning_queries(norm: str, *, history: bool = True) -> Iterator[str]:
    """Plausibility warnings a person reads (never errors): unit values far outside the file's own
    range per product and outside the loaded history per HS heading and flow, weight without
    value and value without weight, and month totals ten times the same month a year before."""
    yield outlier_query(norm)
    finite = "isfinite(value_usd) AND isfinite(net_weight_kg)"
    yield (f"SELECT ord, 'value_usd' AS col, CAST(net_weight_kg AS VARCHAR) AS value, 'weight_without_value' AS rule, "
           f"NULL AS d1, NULL AS d2 FROM {norm} WHERE net_weight_kg > 0 AND value_usd = 0 AND {finite}")
    yield (f"SELECT ord, 'net_weight_kg' AS col, CAST(value_usd AS VARCHAR) AS value, 'value_without_weight' AS rule, "
           f"'0' AS d1, NULL AS d2 FROM {norm} WHERE value_usd > 0 AND net_weight_kg = 0 AND {finite}")
    if history:
        yield history_outlier_query(norm)
        yield month_jump_query(norm)


def history_outlier_query(norm: str) -> str:
    """Unit value (USD/t) outside the quartiles ± 3 IQR of ln(unit value) of the same HS heading
    and flow in the loaded facts (at least 20 priced rows; IQR at least 0.5, so a fence is at
    least ×4.5 beyond the quartiles: far outside, not merely unusual)."""
    uv = "value_usd / net_weight_kg * 1000"
    priced = "net_weight_kg > 0 AND value_usd > 0 AND isfinite(value_usd) AND isfinite(net_weight_kg)"
    iqr = f"greatest(q3 - q1, {_HISTORY_MIN_IQR})"
    # EXISTS first: without loaded facts (a first load, the benchmark) the file is not even scanned.
    return (f"WITH f AS NOT MATERIALIZED (SELECT ord, flow, left(hs_code, 4) AS heading, {uv} AS uv FROM {norm} "
            f"WHERE EXISTS (SELECT 1 FROM {HISTORY}) AND {priced}), "
            f"qq AS (SELECT flow, left(hs_code, 4) AS heading, reservoir_quantile(ln({uv}), [0.25, 0.75]) AS qs "
            f"FROM {HISTORY} WHERE {priced} AND left(hs_code, 4) IN (SELECT DISTINCT heading FROM f) "
            f"GROUP BY ALL HAVING count(*) >= {_HISTORY_MIN_ROWS}), "
            f"q AS (SELECT flow, heading, qs[1] AS q1, qs[2] AS q3 FROM qq) "
            f"SELECT ord, 'value_usd' AS col, CAST(round(uv, 2) AS VARCHAR) AS value, 'unit_value_history' AS rule, "
            f"printf('%.2f … %.2f', exp(q1 - 3 * {iqr}), exp(q3 + 3 * {iqr})) AS d1, "
            f"heading || ' ' || flow AS d2 FROM f JOIN q USING (flow, heading) "
            f"WHERE ln(uv) < q1 - 3 * {iqr} OR ln(uv) > q3 + 3 * {iqr}")


def month_jump_query(norm: str) -> str:
    """Per flow and Solar Hijri month of the file: the month's total with this file (loaded facts
    plus the file) against the same month a year before; ten times or more is a warning, on the
    file's first row of that month."""
    finite = "isfinite(value_usd)"
    return (f"WITH f AS (SELECT flow, jalali_year AS y, jalali_month AS m, sum(value_usd) AS v, min(ord) AS ord "
            f"FROM {norm} WHERE {finite} AND jalali_year IS NOT NULL GROUP BY ALL), "
            f"h AS (SELECT flow, jalali_year AS y, jalali_month AS m, sum(value_usd) AS v FROM {HISTORY} "
            f"WHERE {finite} AND jalali_month IN (SELECT m FROM f) GROUP BY ALL), "
            f"t AS (SELECT flow, y, m, sum(v) AS v FROM (SELECT flow, y, m, v FROM f UNION ALL "
            f"SELECT flow, y, m, v FROM h) GROUP BY ALL) "
            f"SELECT f.ord, 'value_usd' AS col, printf('%,.0f', now.v) AS value, 'month_total_jump' AS rule, "
            f"printf('%s %d/%02d', f.flow, f.y, f.m) AS d1, "
            f"printf('%,.0f (%d/%02d, ×%.1f)', before.v, f.y - 1, f.m, now.v / before.v) AS d2 "
            f"FROM f JOIN t now ON now.flow = f.flow AND now.y = f.y AND now.m = f.m "
            f"JOIN t before ON before.flow = f.flow AND before.y = f.y - 1 AND before.m = f.m "
            f"WHERE before.v > 0 AND now.v >= {MONTH_JUMP} * before.v")


def outlier_query(norm: str) -> str:
    """Robust range per product within the file: log unit value outside the quartiles ± 3 IQR.

    Quartiles from ``reservoir_quantile``: exact for products with up to 8192 priced rows, else
    from a uniform sample of 8192 of them; several times cheaper than the t-digest of
    ``approx_quantile``, which was no more deterministic (its merge order follows the threads).
    """
    # NOT MATERIALIZED: scanning the Parquet twice is cheaper than materialising every row.
    # reservoir_quantile returns values of its input, and ln is increasing: the quartiles of
    # ln(uv) are ln of the quartiles of uv, and ln(uv) < fence ⇔ uv < exp(fence). So the fences
    # are computed once per product and no row takes a logarithm (two per row before).
    return (f"WITH uv AS NOT MATERIALIZED (SELECT ord, hs_code, value_usd / net_weight_kg AS uv FROM {norm} "
            f"WHERE net_weight_kg > 0 AND value_usd > 0 AND isfinite(value_usd) AND isfinite(net_weight_kg)), "
            f"qq AS (SELECT hs_code, reservoir_quantile(uv, [0.25, 0.75]) AS qs "
            f"FROM uv GROUP BY hs_code HAVING count(*) >= 10), "
            f"q AS (SELECT hs_code, ln(qs[1]) AS q1, ln(qs[2]) AS q3 FROM qq), "
            f"fence AS (SELECT hs_code, q1, q3, exp(q1 - 3 * greatest(q3 - q1, 0.1)) AS lo, "
            f"exp(q3 + 3 * greatest(q3 - q1, 0.1)) AS hi FROM q) "
            f"SELECT ord, 'value_usd' AS col, CAST(round(uv, 4) AS VARCHAR) AS value, "
            f"'unit_value_outlier' AS rule, CAST(round(exp(q1 - 3 * (q3 - q1)), 4) AS VARCHAR) AS d1, "
            f"CAST(round(exp(q3 + 3 * (q3 - q1)), 4) AS VARCHAR) AS d2 FROM uv JOIN fence USING (hs_code) "
            f"WHERE uv < lo OR uv > hi")


def lean_sql(relation: str, types: Mapping[str, str], *, default_revision: str | None) -> str:
    """Typed fast path: STORED_COLUMNS straight from a typed CSV scan, without text normalisation.

    For a file on which :func:`lean_clean_sql` finds nothing, this writes exactly what
    ``normalise_sql`` would (every value is already in normal form), at a fraction of the cost.
    """

    def raw(name: str) -> str:
        return f'"{name}"' if name in types else "CAST(NULL AS VARCHAR)"

    revision = _quote(default_revision) if default_revision else "NULL"
    expressions = {
        "flow": raw("flow"),
        "declaration_date": f"CAST({raw('declaration_date')} AS DATE)",
        "jalali_year": "CAST(_jy AS SMALLINT)",
        "jalali_month": ("CAST(CASE WHEN declaration_date - _start < 186 THEN (declaration_date - _start) // 31 + 1 "
                         "ELSE (declaration_date - _start - 186) // 30 + 7 END AS TINYINT)"),
        "declaration_id": "declaration_id",
        "line_no": f"CAST({raw('line_no')} AS INTEGER)",
        # NULL: the default key, added by the facts view (as in normalise_sql).
        "source_key": f"NULLIF({sql_digits(raw('source_key'))}, '')" if "source_key" in types else raw("source_key"),
        "customs_office": raw("customs_office"),
        "channel": raw("channel"),
        "border_market": raw("border_market"),
        "reporter": raw("reporter"),  # NULL: the batch's reporter
        "partner": raw("partner"),
        "origin_province": raw("origin_province"),
        "origin_county": raw("origin_county"),
        # strlen (bytes) = length (characters) for the digit codes the checks accept.
        "hs_code": f"CASE WHEN strlen({raw('hs_code')}) > 6 THEN left({raw('hs_code')}, 6) ELSE {raw('hs_code')} END",
        "national_code": f"CASE WHEN strlen({raw('hs_code')}) > 6 THEN {raw('hs_code')} END",
        "hs_revision": f"coalesce({raw('hs_revision')}, {revision})",
        "quantity": f"CAST({raw('quantity')} AS DOUBLE)",
        "unit": raw("unit"),
        "net_weight_kg": f"CAST({raw('net_weight_kg')} AS DOUBLE)",
        "value_usd": f"CAST({raw('value_usd')} AS DOUBLE)",
        "value_rial": f"CAST({raw('value_rial')} AS DOUBLE)",
        "rial_per_usd": f"CAST({raw('rial_per_usd')} AS DOUBLE)",
        "transport_mode": f"coalesce({raw('transport_mode')}, 'unknown')",
    }
    assert tuple(expressions) == STORED_COLUMNS
    # Keys as the full normalisation has them, so no per-row check is needed after: trimmed
    # ASCII (DuckDB's trim() strips only Unicode space separators; in ASCII, the space) is kept
    # as is without calling trim(), which is slow. Computed in inner layers because DuckDB does
    # not share repeated subexpressions; so is the Solar Hijri year (Nowruz looked up twice).
    decl = raw("declaration_id")
    clean = f"strlen({decl}) = length({decl}) AND {decl} NOT LIKE ' %' AND {decl} NOT LIKE '% ' AND {decl} <> ''"
    inner = (f"SELECT * REPLACE (CASE WHEN {clean} THEN {decl} ELSE NULLIF({sql_digits(decl)}, '') END "
             f"AS declaration_id), year(declaration_date) - 621 AS _jy0, payesh_nowruz(_jy0) AS _n0 "
             f"FROM {relation}")
    middle = ("SELECT *, CASE WHEN declaration_date >= _n0 THEN _jy0 ELSE _jy0 - 1 END AS _jy, "
              "CASE WHEN declaration_date >= _n0 THEN _n0 ELSE payesh_nowruz(_jy0 - 1) END AS _start "
              f"FROM ({inner})")
    return f"SELECT {', '.join(f'{e} AS {n}' for n, e in expressions.items())} FROM ({middle})"


#: Reference codes already in normal form (upper case, trimmed): lean rows must match these.
LEAN_REFERENCE_SQL = (
    "CREATE TEMP TABLE ref_hs_ok AS SELECT DISTINCT revision, code FROM ref_hs "
    f"WHERE revision IN ({_in_list(HS_REVISIONS)}) AND regexp_full_match(code, '[0-9]{{2}}|[0-9]{{4}}|[0-9]{{6}}');"
    + "".join(f"CREATE TEMP TABLE {t}_ok AS SELECT DISTINCT code FROM {t} WHERE code = upper(trim(code)) "
              f"AND code <> '';" for t in ("ref_countries", "ref_offices", "ref_markets", "ref_provinces",
                                           "ref_counties"))
)


def lean_clean_sql(norm: str, *, today: dt.date, weight_required: bool = True,
                   limits: Limits | None = None, source_key_given: bool = True) -> list[str]:
    """SELECTs returning a row if some row of the lean ``norm`` might differ from the full
    normalisation or might break a per-row rule of :func:`issue_queries`; none if the file is clean.
    ``source_key_given``: the file has a source_key column (else every key is the default).

    Every value that is in its valid set (flows, channels, reference codes …) is in normal form,
    so one membership test per column covers both. The tests run on the distinct values of each
    column (one aggregate with grouping sets), the cross-column and numeric rules on the rows.
    """
    last = today + dt.timedelta(days=1)
    rows = [f"{c} IS NULL" for c in _REQUIRED if c != "net_weight_kg" or weight_required]
    rows += [f"declaration_date < DATE '{FIRST_DATE}' OR declaration_date > DATE '{last}'",
             "channel = 'border_market' AND border_market IS NULL"]
    rows += [f"{c} < 0" for c in _NUMBERS]
    limits = limits or limits_from_env()
    # NaN and infinity (typed reads accept them) and values beyond their column's bound.
    # One comparison each: NaN and infinity are never <= a bound (DuckDB orders NaN above all).
    rows += [f"NOT (abs({c}) <= {limits.bounds[c]!r})" for c in _NUMBERS]
    # The free-text keys: control characters and over-long cells (the codes are checked by
    # membership below, which neither passes). A default source_key is declaration_id#line_no:
    # checked through declaration_id, without building every key string.
    for column in ("declaration_id", "source_key") if source_key_given else ("declaration_id",):
        rows.append(f"strlen({column}) > {limits.max_cell_chars} OR regexp_matches({column}, '{CONTROL_RE}')")
    # In the grouped relation each row holds one value of one grouping set, the others NULL.
    values = [
        f"flow NOT IN ({_in_list(FLOWS)})",
        f"channel NOT IN ({_in_list(CHANNELS)})",
        f"transport_mode NOT IN ({_in_list(TRANSPORT_MODES)})",
        f"hs_revision NOT IN ({_in_list(HS_REVISIONS)})",
        # A known 2/4/6-digit code (so all digits) and, if longer, an 8/10-digit national code.
        "(hs_code IS NOT NULL AND h.code IS NULL)",
        "(national_code IS NOT NULL AND NOT (length(national_code) IN (8, 10) "
        "AND ltrim(national_code, '0123456789') = ''))",
        "unit = '' OR unit <> trim(unit)",
        f"strlen(unit) > {limits.max_cell_chars} OR regexp_matches(unit, '{CONTROL_RE}')",
    ]
    columns = ["flow", "channel", "transport_mode", "national_code", "unit"]
    for column, table in (("partner", "ref_countries"), ("reporter", "ref_countries"),
                          ("customs_office", "ref_offices"), ("border_market", "ref_markets"),
                          ("origin_province", "ref_provinces"), ("origin_county", "ref_counties")):
        extra = f" AND {column} <> '{NATIONAL_OFFICE}'" if column == "customs_office" else ""
        values.append(f"({column} NOT IN (SELECT code FROM {table}_ok){extra})")
        columns.append(column)
    sets = ", ".join(f"({c})" for c in columns) + ", (hs_revision, hs_code)"
    grouped = (f"SELECT {', '.join(columns)}, hs_revision, hs_code FROM {norm} "
               f"GROUP BY GROUPING SETS ({sets})")
    return [f"SELECT 1 FROM {norm} WHERE {' OR '.join(f'({c})' for c in rows)} LIMIT 1",
            f"SELECT 1 FROM ({grouped}) n LEFT JOIN ref_hs_ok h ON n.hs_revision = h.revision "
            f"AND n.hs_code = h.code WHERE {' OR '.join(f'({c})' for c in values)} LIMIT 1"]


