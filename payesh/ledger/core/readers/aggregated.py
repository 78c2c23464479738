"""World and bilateral trade tables: UN Comtrade, CEPII BACI, the Growth Lab Atlas and the world layout.

They have no declaration and no customs office: rows get ``customs_office = NATIONAL``,
``channel = customs``, ``declaration_id = source_key``, ``line_no = 0`` and the period's first day
as ``declaration_date`` (annual rows: 1 January). The natural key is the source's own key, so the
same row loaded twice is refused (``duplicate_key``) and a corrected release replaces an old one
only after the old batch is withdrawn.

Each row keeps what the source has at its finest: ``reporter`` (the exporter for BACI and Atlas),
``partner`` (the importer; ``WLD`` where the source only gives exports to the world), the product
at the source's own detail (HS 6 digits for BACI and Comtrade, HS 4 digits for the Atlas), the
year, the value and the quantity.

Country codes come from ``ReferenceCodes.source_countries[<source>]``, the reference table of each
source's own codes (BACI: 842 USA, 251 France, 699 India, 757 Switzerland, 490 "Other Asia, nes";
Comtrade: the same numeric codes; Atlas: ISO3). A code the table does not know is passed through
unchanged, so validation reports it as ``partner_unknown`` / ``reporter_unknown`` with the row,
the column and the code itself — never silently mapped through M49.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..codes import ReferenceCodes
from ..issues import make_issue
from ..schema import NATIONAL_OFFICE
from .base import ROW_COLUMN, FileRejected, ReadContext, Reader, map_headers
from .tabular import head_header, iter_csv

#: Partner code of rows that give a country's trade with the whole world (Atlas, Comtrade partner 0).
WORLD = "WLD"

COMTRADE_REVISIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12",
                      "H5": "HS17", "H6": "HS22"}
COMTRADE_FLOWS = {"X": "export", "DX": "export", "M": "import", "FM": "import", "RX": "re_export",
                  "RM": "import"}
#: Comtrade mode-of-transport codes (first digit families) → Payesh transport modes.
COMTRADE_MODES = {"0": "unknown", "1000": "air", "2000": "sea", "2100": "sea", "2200": "sea",
                  "3000": "road", "3100": "rail", "3200": "road", "9000": "other",
                  "9100": "pipeline", "9110": "pipeline", "9900": "unknown"}
COMTRADE_COLUMNS = ["typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period",
                    "reporterCode", "reporterISO", "flowCode", "partnerCode", "partnerISO",
                    "partner2Code", "classificationCode", "cmdCode", "customsCode", "motCode",
                    "qty", "qtyUnitAbbr", "netWgt", "primaryValue", "fobvalue", "cifvalue"]
COMTRADE_KEY = ["typeCode", "freqCode", "period", "reporterCode", "flowCode", "partnerCode",
                "partner2Code", "classificationCode", "cmdCode", "customsCode", "motCode"]


def _strings(batch: pa.RecordBatch, name: str, columns: dict[str, int]) -> pa.Array:
    if name in columns:
        return pc.utf8_trim_whitespace(batch.column(columns[name]))
    return pa.nulls(batch.num_rows, pa.string())


def _replace(array: pa.Array, table: Mapping[str, str], default: str | None = None) -> pa.Array:
    """Map values through ``table``; unknown values stay as they are (or become ``default``)."""
    keys = pa.array(list(table), pa.string())
    values = pa.array([*list(table.values()), default], pa.string())
    index = pc.fill_null(pc.index_in(array, keys), len(table))
    out = pc.take(values, index)
    return out if default is not None else pc.if_else(pc.is_null(out), array, out)


def _countries(array: pa.Array, codes: ReferenceCodes, source: str) -> pa.Array:
    """A source's own country codes → ISO3; numeric codes lose leading zeros first (``004`` = ``4``)."""
    table = codes.source_countries.get(source, {})
    trimmed = pc.utf8_trim_whitespace(array)
    numeric = pc.match_substring_regex(trimmed, r"^[0-9]+$")
    unpadded = pc.if_else(numeric, pc.utf8_ltrim(trimmed, "0"), trimmed)
    unpadded = pc.if_else(pc.equal(unpadded, ""), "0", unpadded)
    return _replace(unpadded, table)


def _join(arrays: list[pa.Array]) -> pa.Array:
    filled = [pc.fill_null(a, "") for a in arrays]
    return pc.binary_join_element_wise(*filled, "|")


def _constant(value: str | None, n: int) -> pa.Array:
    return pa.array([value] * n, pa.string())


def _aggregated_row(*, n: int, flow: pa.Array, date: pa.Array, key: pa.Array, reporter: pa.Array,
                    partner: pa.Array, hs_code: pa.Array, revision: pa.Array, quantity: pa.Array,
                    unit: pa.Array, weight: pa.Array, value: pa.Array, transport: pa.Array,
                    rows: pa.Array) -> pa.RecordBatch:
    """The canonical input columns of one batch of world rows (no office, no declaration)."""
    return pa.RecordBatch.from_pydict({
        "flow": flow,
        "declaration_date": date,
        "declaration_id": key,
        "line_no": _constant("0", n),
        "source_key": key,
        "customs_office": _constant(NATIONAL_OFFICE, n),
        "channel": _constant("customs", n),
        "reporter": reporter,
        "partner": partner,
        "hs_code": hs_code,
        "hs_revision": revision,
        "quantity": quantity,
        "unit": unit,
        "net_weight_kg": weight,
        "value_usd": value,
        "transport_mode": transport,
        ROW_COLUMN: rows,
    })


class ComtradeCsv(Reader):
    identifier = "comtrade_csv"
    label_en = "UN Comtrade (bulk or API CSV)"
    label_fa = "کامترید سازمان ملل (CSV)"
    source = "comtrade"
    extensions = (".csv", ".txt", ".tsv")

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        header = set(head_header(path, head_bytes))
        return {"cmdCode", "flowCode"} <= header and bool(header & {"reporterCode", "reporterISO"})

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_csv(path, context)
        value_column = next((c for c in ("primaryValue", "fobvalue", "cifvalue") if c in header), "primaryValue")
        required = ["flowCode", "cmdCode", "partnerCode", value_column, "netWgt"]
        aliases = {c: c for c in COMTRADE_COLUMNS}
        mapping, warnings = map_headers(header, aliases, required)
        context.issues.extend(warnings)
        columns = {name: position for position, name in mapping.items()}

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                get = lambda name, batch=batch: _strings(batch, name, columns)  # noqa: E731
                period = get("period")
                if "period" not in columns:
                    period = pc.binary_join_element_wise(pc.fill_null(get("refYear"), ""),
                                                         pc.fill_null(get("refMonth"), ""), "")
                year = pc.utf8_slice_codeunits(period, 0, 4)
                month = pc.if_else(pc.greater(pc.utf8_length(period), 4),
                                   pc.utf8_slice_codeunits(period, 4, 6), "01")
                date = pc.binary_join_element_wise(year, month, pa.scalar("01"), "-")
                key = _join([get(c) for c in COMTRADE_KEY])
                # Comtrade's numeric codes are its own (842 USA, 699 India …): map them through the
                # Comtrade table; the ISO column only fills in where a file has no numeric code.
                reporter = _countries(get("reporterCode"), codes, self.source) if "reporterCode" in columns \
                    else get("reporterISO")
                reporter = pc.coalesce(reporter, get("reporterISO"))
                partner = pc.coalesce(_countries(get("partnerCode"), codes, self.source), get("partnerISO"))
                n = batch.num_rows
                revision = _replace(get("classificationCode"), COMTRADE_REVISIONS)
                if context.hs_revision:
                    revision = pc.fill_null(revision, context.hs_revision)
                yield _aggregated_row(
                    n=n, flow=_replace(get("flowCode"), COMTRADE_FLOWS), date=date, key=key,
                    reporter=reporter, partner=partner, hs_code=get("cmdCode"), revision=revision,
                    quantity=get("qty"), unit=get("qtyUnitAbbr"), weight=get("netWgt"),
                    value=get(value_column),
                    transport=_replace(get("motCode"), COMTRADE_MODES, "unknown")
                    if "motCode" in columns else _constant("unknown", n),
                    rows=batch.column(ROW_COLUMN))

        return convert()


_REVISION_IN_NAME = re.compile(r"HS(92|96|02|07|12|17|22)", re.IGNORECASE)
_YEAR_IN_NAME = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9]{2})(?![0-9])")


def _revision_from_name(*names: str) -> str | None:
    for name in names:
        found = _REVISION_IN_NAME.search(name)
        if found:
            return f"HS{found.group(1)}"
    return None


class BaciCsv(Reader):
    """CEPII BACI: ``t`` year, ``i`` exporter, ``j`` importer, ``k`` HS6 product, ``v`` value in
    thousands of USD, ``q`` quantity in metric tonnes. The HS revision comes from the file name
    (``BACI_HS92_Y2022_V202401.csv``) or the load's option."""

    identifier = "baci_csv"
    label_en = "CEPII BACI (CSV)"
    label_fa = "پایگاه BACI مرکز CEPII (CSV)"
    source = "baci"
    extensions = (".csv",)

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        return [h.strip() for h in head_header(path, head_bytes)][:6] == ["t", "i", "j", "k", "v", "q"]

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_csv(path, context)
        mapping, warnings = map_headers([h.strip() for h in header], {c: c for c in "tijkvq"},
                                        list("tijkvq"))
        context.issues.extend(warnings)
        columns = {name: position for position, name in mapping.items()}
        revision = context.hs_revision or _revision_from_name(path.name)

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                get = lambda name, batch=batch: _strings(batch, name, columns)  # noqa: E731
                n = batch.num_rows
                k = get("k")
                # BACI writes k as a number: 10121 is HS 010121.
                k = pc.if_else(pc.equal(pc.utf8_length(k), 5), pc.binary_join_element_wise("0", k, ""), k)
                key = _join([get("t"), get("i"), get("j"), k])
                value = pc.multiply(pc.cast(get("v"), pa.float64()), 1000.0)
                q = pc.if_else(pc.is_in(get("q"), pa.array(["NA", ""])), None, get("q"))
                weight = pc.multiply(pc.cast(q, pa.float64()), 1000.0)
                yield _aggregated_row(
                    n=n, flow=_constant("export", n), date=pc.binary_join_element_wise(get("t"), "01-01", "-"),
                    key=key, reporter=_countries(get("i"), codes, self.source),
                    partner=_countries(get("j"), codes, self.source), hs_code=k,
                    revision=_constant(revision, n), quantity=weight, unit=_constant("kg", n), weight=weight,
                    value=value, transport=_constant("unknown", n), rows=batch.column(ROW_COLUMN))

        return convert()


#: Atlas column names (Growth Lab dataverse releases and older extracts), matched case-insensitively.
ATLAS_ALIASES = {
    "location_code": "exporter", "country_iso3_code": "exporter", "iso3": "exporter", "exporter": "exporter",
    "country_code": "exporter",
    "partner_code": "importer", "partner_iso3_code": "importer", "importer": "importer",
    "hs_product_code": "product", "product_hs92_code": "product", "product_hs12_code": "product",
    "product_hs22_code": "product", "hs92": "product", "hs92_4digit": "product", "hs12": "product",
    "hs_code": "product", "product_code": "product",
    "year": "year",
    "export_value": "export", "export_value_usd": "export", "exports": "export",
    "import_value": "import", "import_value_usd": "import",
}


class AtlasCsv(Reader):
    """Growth Lab Atlas tables: exporter (ISO3) × product × year, exports (and imports where given).

    Without an importer column a row is the country's trade with the world (partner ``WLD``). The
    revision comes from the product column's name (``product_hs12_code``, ``hs92_4digit``), else the
    file name, else the load's option; the Atlas product space is HS92. A file without a ``year``
    column takes the year in its name (``atlas_2016_hs92_4digit.csv``).
    """

    identifier = "atlas_csv"
    label_en = "Growth Lab Atlas (CSV: country × product × year)"
    label_fa = "اطلس پیچیدگی اقتصادی آزمایشگاه رشد هاروارد (CSV)"
    source = "atlas"
    extensions = (".csv",)

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        header = {h.strip().lower() for h in head_header(path, head_bytes)}
        names = {ATLAS_ALIASES[h] for h in header if h in ATLAS_ALIASES}
        return {"exporter", "product", "export"} <= names and not header & {"flow", "reporter"}

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_csv(path, context)
        lowered = [h.strip().lower() for h in header]
        # Atlas extracts carry extra columns (labels, names): the first alias of each canonical
        # column wins and the rest are ignored, so no header is reported as misspelled.
        columns: dict[str, int] = {}
        for position, name in enumerate(lowered):
            target = ATLAS_ALIASES.get(name)
            if target is not None and target not in columns:
                columns[target] = position
        missing = [name for name in ("exporter", "product", "export") if name not in columns]
        if missing:
            raise FileRejected([make_issue("column_missing", row=1, column=name) for name in missing])
        product_header = lowered[columns["product"]]
        revision = context.hs_revision or _revision_from_name(product_header, path.name) or "HS92"
        year_text: str | None = None
        if "year" not in columns:
            found = _YEAR_IN_NAME.search(path.name)
            if found is None:
                raise FileRejected([make_issue("column_missing", row=1, column="year")])
            year_text = found.group(1)
        flows = [flow for flow in ("export", "import") if flow in columns]

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                get = lambda name, batch=batch: _strings(batch, name, columns)  # noqa: E731
                n = batch.num_rows
                year = get("year") if year_text is None else _constant(year_text, n)
                reporter = _countries(pc.utf8_upper(get("exporter")), codes, self.source)
                partner = (_countries(pc.utf8_upper(get("importer")), codes, self.source)
                           if "importer" in columns else _constant(WORLD, n))
                product = get("product")
                # Atlas CSVs written through spreadsheets lose leading zeros (804 = heading 0804).
                product = pc.if_else(pc.is_in(pc.utf8_length(product), pa.array([3, 5], pa.int32())),
                                     pc.binary_join_element_wise("0", product, ""), product)
                for flow in flows:
                    value = get(flow)
                    if flow == "import":
                        # Imports are a second row of the same line; a zero import is no row at all.
                        # Only cells that read as numbers are compared; anything else (a typo, "NA")
                        # stays a row, so that validation names it instead of the cast failing here.
                        numeric = pc.fill_null(pc.match_substring_regex(value, r"^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$"),
                                               False)
                        amount = pc.cast(pc.if_else(numeric, value, "0"), pa.float64())
                        keep = pc.or_(pc.invert(numeric), pc.greater(amount, 0.0))
                        keep = pc.and_(keep, pc.invert(pc.is_null(value)))
                        if not pc.any(keep).as_py():
                            continue
                    else:
                        keep = pa.array([True] * n)
                    key = _join([year, reporter, partner, _constant(flow, n), product])
                    out = _aggregated_row(
                        n=n, flow=_constant(flow, n), date=pc.binary_join_element_wise(year, "01-01", "-"),
                        key=key, reporter=reporter, partner=partner, hs_code=product,
                        revision=_constant(revision, n), quantity=pa.nulls(n, pa.string()),
                        unit=pa.nulls(n, pa.string()), weight=pa.nulls(n, pa.string()), value=value,
                        transport=_constant("unknown", n), rows=batch.column(ROW_COLUMN))
                    yield out.filter(keep) if flow == "import" else out

        return convert()


#: The Payesh world layout: one row per reporter × partner × flow × product × year.
WORLD_COLUMNS = ("year", "reporter", "partner", "flow", "hs_code", "hs_revision", "value_usd",
                 "quantity", "unit", "net_weight_kg")
WORLD_ALIASES = {**{c: c for c in WORLD_COLUMNS}, "exporter": "reporter", "importer": "partner"}


class WorldCsv(Reader):
    """The canonical world layout (``payesh formats``): ISO3 countries, any HS revision, USD.

    ``flow`` defaults to ``export`` (the reporter is then the exporter and the partner the
    importer); ``partner`` may be ``WLD`` for trade with the whole world.
    """

    identifier = "world_csv"
    label_en = "Payesh world layout (CSV: year, reporter, partner, hs_code, value_usd)"
    label_fa = "قالب جهانی پایش (CSV: سال، گزارش‌دهنده، طرف تجاری، کد کالا، ارزش)"
    source = "world"
    extensions = (".csv",)

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        header = {h.strip().lower() for h in head_header(path, head_bytes)}
        names = {WORLD_ALIASES[h] for h in header if h in WORLD_ALIASES}
        return {"year", "reporter", "partner", "hs_code", "value_usd"} <= names and "declaration_id" not in header

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_csv(path, context)
        mapping, warnings = map_headers([h.strip().lower() for h in header], WORLD_ALIASES,
                                        ["year", "reporter", "partner", "hs_code", "value_usd"])
        context.issues.extend(warnings)
        columns = {name: position for position, name in mapping.items()}

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                get = lambda name, batch=batch: _strings(batch, name, columns)  # noqa: E731
                n = batch.num_rows
                flow = pc.fill_null(pc.utf8_lower(get("flow")), "export")
                revision = get("hs_revision")
                if context.hs_revision:
                    revision = pc.fill_null(revision, context.hs_revision)
                reporter, partner = pc.utf8_upper(get("reporter")), pc.utf8_upper(get("partner"))
                key = _join([get("year"), reporter, partner, flow, get("hs_code")])
                yield _aggregated_row(
                    n=n, flow=flow, date=pc.binary_join_element_wise(get("year"), "01-01", "-"), key=key,
                    reporter=reporter, partner=partner, hs_code=get("hs_code"), revision=revision,
                    quantity=get("quantity"), unit=get("unit"), weight=get("net_weight_kg"),
                    value=get("value_usd"), transport=_constant("unknown", n), rows=batch.column(ROW_COLUMN))

        return convert()
