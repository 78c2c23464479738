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

from .dates import sql_parse_date
from .numerals import sql_digits, sql_number
from .schema import CHANNELS, FLOWS, HS_REVISIONS, NATIONAL_OFFICE, STORED_COLUMNS, TRANSPORT_MODES

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


def normalise_sql(relation: str, types: Mapping[str, str], *, default_revision: str | None,
                  has_row: bool) -> str:
    """SELECT producing STORED_COLUMNS (in order), then ``_row`` (if the raw has it) and ``_bad``
    (string inputs only: a list of {c: column, r: rule, v: value} parse failures)."""

    def raw(name: str) -> str:
        return f'"{name}"' if name in types else "CAST(NULL AS VARCHAR)"

    def is_text(name: str) -> bool:
        return types.get(name, "VARCHAR") == "VARCHAR"

    def text(name: str) -> str:
        return f"NULLIF(trim({raw(name)}), '')" if name in types else "CAST(NULL AS VARCHAR)"

    parsed: dict[str, str] = {}
    bad: list[tuple[str, str]] = []
    if is_text("declaration_date"):
        parsed["declaration_date"] = sql_parse_date(sql_digits(raw("declaration_date")))
        bad.append(("declaration_date", "date_invalid"))
    else:
        parsed["declaration_date"] = raw("declaration_date")
    for name in _NUMBERS:
        if name in types and is_text(name):
            parsed[name] = sql_number(raw(name))
            bad.append((name, "number_invalid"))
        else:
            parsed[name] = f"CAST({raw(name)} AS DOUBLE)"
    if is_text("line_no"):
        number = sql_number(raw("line_no"))
        parsed["line_no"] = f"CASE WHEN {number} = round({number}) THEN CAST({number} AS INTEGER) END"
        bad.append(("line_no", "number_invalid"))
    else:
        parsed["line_no"] = f"CAST({raw('line_no')} AS INTEGER)"
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
    bad_items = []
    for name, rule in bad:
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
    if bad_items:
        select.append("_bad")
    return (f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner)} FROM "
            f"(SELECT *, {hs_digits} FROM {relation}))")


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
        yield outlier_query(norm)


def outlier_query(norm: str) -> str:
    """Robust range per product within the file: log unit value outside the quartiles ± 3 IQR.

    Quartiles from ``reservoir_quantile``: exact for products with up to 8192 priced rows, else
    from a uniform sample of 8192 of them; several times cheaper than the t-digest of
    ``approx_quantile``, which was no more deterministic (its merge order follows the threads).
    """
    # NOT MATERIALIZED: scanning the Parquet twice is cheaper than materialising every row.
    return (f"WITH uv AS NOT MATERIALIZED (SELECT ord, hs_code, value_usd / net_weight_kg AS uv FROM {norm} "
            f"WHERE net_weight_kg > 0 AND value_usd > 0), "
            f"qq AS (SELECT hs_code, reservoir_quantile(ln(uv), [0.25, 0.75]) AS qs "
            f"FROM uv GROUP BY hs_code HAVING count(*) >= 10), "
            f"q AS (SELECT hs_code, qs[1] AS q1, qs[2] AS q3 FROM qq) "
            f"SELECT ord, 'value_usd' AS col, CAST(round(uv, 4) AS VARCHAR) AS value, "
            f"'unit_value_outlier' AS rule, CAST(round(exp(q1 - 3 * (q3 - q1)), 4) AS VARCHAR) AS d1, "
            f"CAST(round(exp(q3 + 3 * (q3 - q1)), 4) AS VARCHAR) AS d2 FROM uv JOIN q USING (hs_code) "
            f"WHERE ln(uv) < q1 - 3 * greatest(q3 - q1, 0.1) OR ln(uv) > q3 + 3 * greatest(q3 - q1, 0.1)")


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


def lean_clean_sql(norm: str, *, today: dt.date, weight_required: bool = True) -> list[str]:
    """SELECTs returning a row if some row of the lean ``norm`` might differ from the full
    normalisation or might break a per-row rule of :func:`issue_queries`; none if the file is clean.

    Every value that is in its valid set (flows, channels, reference codes …) is in normal form,
    so one membership test per column covers both. The tests run on the distinct values of each
    column (one aggregate with grouping sets), the cross-column and numeric rules on the rows.
    """
    last = today + dt.timedelta(days=1)
    rows = [f"{c} IS NULL" for c in _REQUIRED if c != "net_weight_kg" or weight_required]
    rows += [f"declaration_date < DATE '{FIRST_DATE}' OR declaration_date > DATE '{last}'",
             "channel = 'border_market' AND border_market IS NULL"]
    rows += [f"{c} < 0" for c in _NUMBERS]
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


