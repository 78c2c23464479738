"""Streaming CSV and XLSX tables as string columns, with the row number the user sees."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..encoding import EncodingError, detect_encoding, read_head
from ..issues import make_issue
from .base import ROW_COLUMN, FileRejected, ReadContext, line_numbers

BATCH_ROWS = 65_536


def is_xlsx(path: Path, head: bytes) -> bool:
    return head[:2] == b"PK" and path.suffix.lower() in (".xlsx", ".xlsm")


def file_encoding(path: Path) -> str:
    try:
        return detect_encoding(read_head(path))
    except EncodingError:
        raise FileRejected([make_issue("encoding_unknown")]) from None


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def csv_header(path: Path, encoding: str | None = None) -> tuple[list[str], str, str]:
    """(header cells, encoding, delimiter) of a CSV file; FileRejected when empty."""
    encoding = encoding or file_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise FileRejected([make_issue("file_empty")])
    delimiter = sniff_delimiter(first)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    return [h.strip().lstrip("\ufeff") for h in header], encoding, delimiter


def iter_csv(path: Path, context: ReadContext) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Header and batches of all-string columns named c0…cN plus ``_row``."""
    header, encoding, delimiter = csv_header(path)
    names = [f"c{i}" for i in range(len(header))]
    skipped: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        line = row.number if row.number is not None else -1
        skipped.append(line)
        rule = "row_truncated" if row.actual_columns < row.expected_columns else "row_malformed"
        detail = f"{row.actual_columns} of {row.expected_columns}"
        context.issues.append(make_issue(rule, row=line, value=(row.text or "")[:200], detail=detail))
        return "skip"

    codec = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding

    def batches() -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=codec,
                                           block_size=8 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                             newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True),
        )
        done = 0
        for batch in reader:
            ordinals = np.arange(done, done + batch.num_rows, dtype=np.int64)
            rows = line_numbers(ordinals, skipped)
            done += batch.num_rows
            yield batch.append_column(ROW_COLUMN, pa.array(rows, pa.int64()))

    return header, batches()


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _first_sheet_member(archive: zipfile.ZipFile) -> str:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    first = re.search(rb'<sheet [^>]*r:id="([^"]+)"', workbook) or re.search(rb'<(?:\w+:)?sheet [^>]*id="([^"]+)"', workbook)
    if first:
        for rel in re.finditer(rb"<Relationship [^>]*>", rels):
            tag = rel.group(0)
            if b'Id="' + first.group(1) + b'"' in tag:
                target = re.search(rb'Target="([^"]+)"', tag)
                if target:
                    name = target.group(1).decode().lstrip("/")
                    return name if name.startswith("xl/") else "xl/" + name
    return "xl/worksheets/sheet1.xml"


def xlsx_merged_ranges(path: Path) -> list[tuple[str, int, str, int]]:
    """Merged ranges of the first sheet, read from the XML in chunks (read-only mode hides them)."""
    found: list[tuple[str, int, str, int]] = []
    with zipfile.ZipFile(path) as archive:
        member = _first_sheet_member(archive)
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                data = tail + chunk
                for match in _MERGE.finditer(data):
                    found.append((match.group(1).decode(), int(match.group(2)),
                                  match.group(3).decode(), int(match.group(4))))
                tail = data[-200:] if not _MERGE.search(data[-200:]) else b""
    return sorted(set(found), key=lambda m: (m[1], m[0]))


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    return text or None


def iter_xlsx(path: Path, context: ReadContext) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Header (row 1 of the first sheet) and batches of string columns c0…cN plus ``_row``."""
    import openpyxl

    try:
        merged = xlsx_merged_ranges(path)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise FileRejected([make_issue("file_unreadable", detail=str(error))]) from None
    header_merges = [m for m in merged if m[1] <= 1]
    if header_merges:
        ranges = ", ".join(f"{a}{r1}:{b}{r2}" for a, r1, b, r2 in header_merges)
        workbook.close()
        raise FileRejected([make_issue("header_merged", row=1, value=ranges)])
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    header = [_cell_text(v) or "" for v in (first or ())]
    while header and header[-1] == "":
        header.pop()
    if not header:
        workbook.close()
        raise FileRejected([make_issue("file_empty")])
    width = len(header)
    names = [f"c{i}" for i in range(width)]

    def batches() -> Iterator[pa.RecordBatch]:
        columns: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        try:
            for number, values in enumerate(rows, start=2):
                cells = [_cell_text(v) for v in values[:width]]
                if not any(c is not None for c in cells):
                    continue
                cells += [None] * (width - len(cells))
                for i, cell in enumerate(cells):
                    columns[i].append(cell)
                numbers.append(number)
                if len(numbers) >= BATCH_ROWS:
                    yield _batch(names, columns, numbers)
                    columns = [[] for _ in range(width)]
                    numbers = []
            if numbers:
                yield _batch(names, columns, numbers)
        finally:
            workbook.close()

    return header, batches()


def _batch(names: list[str], columns: list[list[str | None]], numbers: list[int]) -> pa.RecordBatch:
    arrays = [pa.array(c, pa.string()) for c in columns] + [pa.array(numbers, pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, names=[*names, ROW_COLUMN])


def iter_table(path: Path, context: ReadContext) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    if is_xlsx(path, read_head(path, 4)):
        return iter_xlsx(path, context)
    return iter_csv(path, context)


def head_header(path: Path, head: bytes) -> list[str]:
    """Best-effort header for sniffing (never raises)."""
    try:
        if is_xlsx(path, head):
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                first = next(workbook.worksheets[0].iter_rows(values_only=True, max_row=1), ())
            finally:
                workbook.close()
            return [_cell_text(v) or "" for v in first]
        text = head.decode(detect_encoding(head), errors="ignore")
        line = text.splitlines()[0] if text else ""
        return [h.strip().lstrip("\ufeff") for h in next(csv.reader([line], delimiter=sniff_delimiter(line)), [])]
    except Exception:
        return []
