"""Aggregated international sources: UN Comtrade (bulk/API CSV) and CEPII BACI.

Both have no declaration and no customs office: rows get ``customs_office = NATIONAL``,
``channel = customs``, ``declaration_id = source_key``, ``line_no = 0`` and the period's first day
as ``declaration_date`` (annual rows: 1 January). The natural key is the source's own key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..codes import ReferenceCodes
from ..schema import NATIONAL_OFFICE
from .base import ROW_COLUMN, ReadContext, Reader, map_headers
from .tabular import head_header, iter_csv

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
        return batch.column(columns[name])
    return pa.nulls(batch.num_rows, pa.string())


def _replace(array: pa.Array, table: dict[str, str], default: str | None = None) -> pa.Array:
    keys = pa.array(list(table), pa.string())
    values = pa.array([*list(table.values()), default], pa.string())
    index = pc.fill_null(pc.index_in(array, keys), len(table))
    out = pc.take(values, index)
    return out if default is not None else pc.if_else(pc.is_null(out), array, out)


def _join(arrays: list[pa.Array]) -> pa.Array:
    filled = [pc.fill_null(a, "") for a in arrays]
    return pc.binary_join_element_wise(*filled, "|")


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
        iso3 = {str(k): v for k, v in codes.country_m49.items()}

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
                reporter = get("reporterISO") if "reporterISO" in columns else _replace(get("reporterCode"), iso3)
                partner = get("partnerISO") if "partnerISO" in columns else _replace(get("partnerCode"), iso3)
                # ISO columns hold ISO3 in bulk files; fall back on the numeric code when empty.
                partner = pc.coalesce(partner, _replace(get("partnerCode"), iso3))
                n = batch.num_rows
                revision = _replace(get("classificationCode"), COMTRADE_REVISIONS)
                if context.hs_revision:
                    revision = pc.fill_null(revision, context.hs_revision)
                out = {
                    "flow": _replace(get("flowCode"), COMTRADE_FLOWS),
                    "declaration_date": date,
                    "declaration_id": key,
                    "line_no": pa.array(["0"] * n),
                    "source_key": key,
                    "customs_office": pa.array([NATIONAL_OFFICE] * n),
                    "channel": pa.array(["customs"] * n),
                    "partner": partner,
                    "reporter": reporter,
                    "hs_code": get("cmdCode"),
                    "hs_revision": revision,
                    "quantity": get("qty"),
                    "unit": get("qtyUnitAbbr"),
                    "net_weight_kg": get("netWgt"),
                    "value_usd": get(value_column),
                    "transport_mode": _replace(get("motCode"), COMTRADE_MODES, "unknown")
                    if "motCode" in columns else pa.array(["unknown"] * n),
                    ROW_COLUMN: batch.column(ROW_COLUMN),
                }
                yield pa.RecordBatch.from_pydict(out)

        return convert()


_BACI_REVISION = re.compile(r"HS(92|96|02|07|12|17|22)", re.IGNORECASE)


class BaciCsv(Reader):
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
        found = _BACI_REVISION.search(path.name)
        revision = context.hs_revision or (f"HS{found.group(1)}" if found else None)
        iso3 = {str(k): v for k, v in codes.country_m49.items()}

        def convert() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                get = lambda name, batch=batch: pc.utf8_trim_whitespace(batch.column(columns[name]))  # noqa: E731
                n = batch.num_rows
                k = get("k")
                # BACI writes k as a number: 10121 is HS 010121.
                k = pc.if_else(pc.equal(pc.utf8_length(k), 5), pc.binary_join_element_wise("0", k, ""), k)
                key = _join([get("t"), get("i"), get("j"), k])
                value = pc.multiply(pc.cast(get("v"), pa.float64()), 1000.0)
                q = pc.if_else(pc.is_in(get("q"), pa.array(["NA", ""])), None, get("q"))
                weight = pc.multiply(pc.cast(q, pa.float64()), 1000.0)
                out = {
                    "flow": pa.array(["export"] * n),
                    "declaration_date": pc.binary_join_element_wise(get("t"), "01-01", "-"),
                    "declaration_id": key,
                    "line_no": pa.array(["0"] * n),
                    "source_key": key,
                    "customs_office": pa.array([NATIONAL_OFFICE] * n),
                    "channel": pa.array(["customs"] * n),
                    "reporter": _replace(get("i"), iso3),
                    "partner": _replace(get("j"), iso3),
                    "hs_code": k,
                    "hs_revision": pa.array([revision] * n, pa.string()),
                    "quantity": weight,
                    "unit": pa.array(["kg"] * n),
                    "net_weight_kg": weight,
                    "value_usd": value,
                    "transport_mode": pa.array(["unknown"] * n),
                    ROW_COLUMN: batch.column(ROW_COLUMN),
                }
                yield pa.RecordBatch.from_pydict(out)

        return convert()
