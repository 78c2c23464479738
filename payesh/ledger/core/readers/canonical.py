"""Payesh canonical layout: CSV (DuckDB fast path), XLSX and Parquet; English or Persian headers."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..codes import ReferenceCodes
from ..encoding import read_head
from ..issues import make_issue
from ..numerals import normalize_name
from ..schema import INPUT_COLUMN_NAMES, INPUT_COLUMNS, REQUIRED_INPUT_COLUMNS
from .base import ROW_COLUMN, CsvScan, FileRejected, ReadContext, Reader, map_headers
from .tabular import csv_header, head_header, is_xlsx, iter_table, sheet_hint

#: Every accepted header → canonical name (English names and the Persian-header variant).
CANONICAL_ALIASES: dict[str, str] = {c.name: c.name for c in INPUT_COLUMNS} | {
    c.header_fa: c.name for c in INPUT_COLUMNS
}
_ENGLISH = {normalize_name(c.name) for c in INPUT_COLUMNS}
_PERSIAN_ONLY = {normalize_name(c.header_fa) for c in INPUT_COLUMNS
                 if c.header_fa.startswith(("کد ", "جریان", "مجرای")) and c.name != "hs_code"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Numeric measures (kept as float64 when a Parquet file stores them so).
MEASURES = frozenset({"quantity", "net_weight_kg", "value_usd", "value_rial", "rial_per_usd"})
_FAST_SAMPLE_LINES = 500
_FAST_SAMPLE_BYTES = 1 << 20


def looks_canonical(header: list[str]) -> bool:
    keys = {normalize_name(h) for h in header}
    english = len(keys & {normalize_name(n) for n in REQUIRED_INPUT_COLUMNS})
    return english >= len(REQUIRED_INPUT_COLUMNS) // 2 or bool(keys & _PERSIAN_ONLY)


def rename_batches(header: list[str], batches: Iterator[pa.RecordBatch], mapping: dict[int, str],
                   ) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        arrays = [batch.column(position) for position in mapping] + [batch.column(ROW_COLUMN)]
        yield pa.RecordBatch.from_arrays(arrays, names=[*list(mapping.values()), ROW_COLUMN])


class _CanonicalTable(Reader):
    source = "customs"

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        return path.suffix.lower() in self.extensions and looks_canonical(head_header(path, head_bytes))

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        header, batches = iter_table(path, context)
        try:
            mapping, warnings = map_headers(header, CANONICAL_ALIASES, REQUIRED_INPUT_COLUMNS)
        except FileRejected as rejected:
            raise FileRejected(rejected.issues + sheet_hint(context)) from None
        context.issues.extend(warnings)
        return rename_batches(header, batches, mapping)


class CanonicalCsv(_CanonicalTable):
    identifier = "payesh_csv"
    label_en = "Payesh canonical layout (CSV)"
    label_fa = "قالب استاندارد پایش (CSV)"
    extensions = (".csv", ".txt", ".tsv")

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        return not is_xlsx(path, head_bytes) and looks_canonical(head_header(path, head_bytes))

    def csv_scan(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> CsvScan | None:
        """Typed DuckDB scan when the file is UTF-8, comma-separated and its head is clean.

        Persian digits, separators or Solar Hijri dates send the file to the string path, where
        they are normalised column-wise in SQL; the typed scan is about 2× faster.
        """
        header, encoding, delimiter = csv_header(path)
        mapping, warnings = map_headers(header, CANONICAL_ALIASES, REQUIRED_INPUT_COLUMNS)
        if encoding not in ("utf-8", "utf-8-sig") or delimiter != ",":
            return None
        types = {c.name: c.duckdb_type for c in INPUT_COLUMNS}
        # The sample is read from a bounded head (whole lines only): never a 200 MB line, and no
        # csv field-limit error.
        head = read_head(path, _FAST_SAMPLE_BYTES)
        lines = head.decode(encoding, errors="replace").splitlines(keepends=True)
        if len(head) == _FAST_SAMPLE_BYTES:
            lines = lines[:-1]
        try:
            sample = list(zip(range(_FAST_SAMPLE_LINES + 1), csv.reader(lines), strict=False))[1:]
        except csv.Error:
            return None  # the string path reports the row
        for _, cells in sample:
            for position, name in mapping.items():
                text = cells[position] if position < len(cells) else ""
                if text == "":
                    continue
                kind = types[name]
                if kind == "DATE" and not _ISO_DATE.match(text):
                    return None
                if kind in ("DOUBLE", "INTEGER"):
                    try:
                        float(text) if kind == "DOUBLE" else int(text)
                    except ValueError:
                        return None
        context.issues.extend(warnings)
        columns = {mapping.get(i, f"_extra_{i}"): types[mapping[i]] if i in mapping else "VARCHAR"
                   for i in range(len(header))}
        return CsvScan(path=path, columns=columns, constants={})


class CanonicalXlsx(_CanonicalTable):
    identifier = "payesh_xlsx"
    label_en = "Payesh canonical layout (Excel)"
    label_fa = "قالب استاندارد پایش (اکسل)"
    extensions = (".xlsx", ".xlsm")

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        return is_xlsx(path, head_bytes) and looks_canonical(head_header(path, head_bytes))


class CanonicalParquet(Reader):
    identifier = "payesh_parquet"
    label_en = "Payesh canonical layout (Parquet)"
    label_fa = "قالب استاندارد پایش (پارکت)"
    source = "customs"
    extensions = (".parquet", ".pq")

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        return head_bytes[:4] == b"PAR1"

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        try:
            file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise FileRejected([make_issue("file_unreadable", detail=str(error))]) from None
        header = file.schema_arrow.names
        if file.metadata.num_rows == 0:
            raise FileRejected([make_issue("file_empty")])
        mapping, warnings = map_headers(header, CANONICAL_ALIASES, REQUIRED_INPUT_COLUMNS)
        context.issues.extend(warnings)

        def batches() -> Iterator[pa.RecordBatch]:
            done = 0
            wanted = [header[i] for i in mapping]
            try:
                for batch in file.iter_batches(batch_size=65_536, columns=wanted):
                    # Floating measures stay numbers (typed: no decimal-mark question arises, and
                    # NaN is refused by name); everything else is read as text.
                    arrays = [column if pa.types.is_floating(column.type) and name in MEASURES
                              else pc.cast(column, pa.string())
                              for column, name in zip(batch.columns, mapping.values(), strict=True)]
                    rows = pa.array(np.arange(done + 2, done + 2 + batch.num_rows, dtype=np.int64))
                    done += batch.num_rows
                    yield pa.RecordBatch.from_arrays([*arrays, rows],
                                                     names=[*list(mapping.values()), ROW_COLUMN])
            except (pa.ArrowException, OSError) as error:
                # A damaged page or a type with no text form (nested lists …): the file's problem.
                raise FileRejected([make_issue("file_unreadable", detail=str(error))]) from None

        return batches()


__all__ = [
    "CANONICAL_ALIASES",
    "INPUT_COLUMN_NAMES",
    "CanonicalCsv",
    "CanonicalParquet",
    "CanonicalXlsx",
]
