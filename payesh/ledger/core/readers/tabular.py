"""Streaming CSV and XLSX tables as string columns, with the row number the user sees.

Also the bounds every input passes before it is opened (:func:`check_input`): file size, name
length, and for zip (XLSX) and Parquet files their uncompressed size, read from the archive's
directory or the Parquet footer before anything is decompressed.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..encoding import HEAD_BYTES, EncodingError, detect_encoding, line_encoding, read_head, utf16_name
from ..issues import Issue, make_issue
from ..limits import Limits, limits_from_env, variable_of
from ..numerals import AMBIGUOUS_FORM
from .base import ROW_COLUMN, FileRejected, ReadContext, line_numbers

BATCH_ROWS = 65_536
#: The header line is read with this bound (characters): never a whole 200 MB line.
HEADER_LIMIT = 1 << 20
# Python's csv module refuses fields over 131,072 characters with an exception; the lines it is
# given here are bounded (header, head sample), so the field limit is raised to their bound.
csv.field_size_limit(max(csv.field_size_limit(), HEADER_LIMIT + 1))
# Exceptions with which the XLSX stack (zipfile, zlib, ElementTree, openpyxl) reports a damaged
# file: the file's problem, reported as such, never a traceback.
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, TypeError, IndexError,
                EOFError, AttributeError, ElementTree.ParseError)


def _size(n: float) -> str:
    return f"{n / (1 << 20):,.1f} MB" if n >= 1 << 20 else f"{int(n):,} bytes"


def _refuse(rule: str, limit_name: str, limit: float, *, size: float | None = None, value: str | None = None,
            row: int | None = None, column: str | None = None, **details: object) -> FileRejected:
    """A refusal naming the limit and the setting that changes it."""
    shown = _size(limit) if limit_name.endswith("bytes") else f"{limit:,g}"
    return FileRejected([make_issue(rule, row=row, column=column, value=value, limit=shown,
                                    setting=variable_of(limit_name),
                                    size=_size(size) if size is not None else "", **details)])


def check_input(path: Path, *, source_name: str, limits: Limits | None = None) -> None:
    """Refuse a file beyond the limits before it is copied, sniffed or opened: its name, its size,
    UTF-16 text, and the uncompressed size of an XLSX or Parquet file. Raises FileRejected."""
    limits = limits or limits_from_env()
    if len(source_name) > limits.max_filename_chars:
        raise _refuse("file_name_too_long", "max_filename_chars", limits.max_filename_chars,
                      value=source_name, count=f"{len(source_name):,}")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _refuse("file_too_large", "max_file_bytes", limits.max_file_bytes, size=size)
    head = read_head(path, 4096)
    if head[:2] == b"PK":
        check_zip(path, limits)
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    for position, (name, member) in enumerate(sheet_members(archive)[:limits.max_sheets]):
                        check_xlsx_cells(archive, member, name, limits, shared_strings=position == 0)
        except _XLSX_ERRORS as error:
            raise FileRejected([make_issue("file_unreadable", detail=str(error) or error.__class__.__name__)]) from None
    elif head[:4] == b"PAR1":
        check_parquet(path, limits)
    elif (encoding := utf16_name(head)) is not None:
        raise FileRejected([make_issue("encoding_utf16", value=encoding)])


def check_zip(path: Path, limits: Limits) -> None:
    """Zip bombs: uncompressed sizes and ratios from the central directory, before extracting.

    zipfile enforces the declared sizes while reading (it stops at ``file_size`` and checks the
    CRC), so a member cannot uncompress to more than the directory says.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise FileRejected([make_issue("file_unreadable", detail=str(error))]) from None
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise _refuse("unzipped_too_large", "max_unzipped_bytes", limits.max_unzipped_bytes, size=total,
                      value=path.name)
    for member in members:
        # Small members may compress very well (a run of empty cells) and cost nothing.
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1 << 20 and ratio > limits.max_zip_ratio:
            raise _refuse("zip_ratio_too_high", "max_zip_ratio", limits.max_zip_ratio,
                          value=member.filename, ratio=f"{ratio:,.0f}")
        if member.filename.lower() == "xl/sharedstrings.xml" and member.file_size > limits.max_shared_strings_bytes:
            raise _refuse("shared_strings_too_large", "max_shared_strings_bytes", limits.max_shared_strings_bytes,
                          size=member.file_size)
    sheets = sum(1 for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"))
    if sheets > limits.max_sheets:
        raise _refuse("too_many_sheets", "max_sheets", limits.max_sheets, count=f"{sheets:,}")


def check_parquet(path: Path, limits: Limits) -> None:
    """Uncompressed size of the whole file and of each row group, from the footer."""
    try:
        metadata = pq.ParquetFile(path).metadata
    except (pa.ArrowException, OSError) as error:
        raise FileRejected([make_issue("file_unreadable", detail=str(error))]) from None
    sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)]
    if sum(sizes) > limits.max_unzipped_bytes:
        raise _refuse("unzipped_too_large", "max_unzipped_bytes", limits.max_unzipped_bytes, size=sum(sizes),
                      value=path.name)
    if sizes and max(sizes) > limits.max_row_group_bytes:
        raise _refuse("unzipped_too_large", "max_row_group_bytes", limits.max_row_group_bytes, size=max(sizes),
                      value=f"{path.name} (one row group)")


def is_xlsx(path: Path, head: bytes) -> bool:
    return head[:2] == b"PK" and path.suffix.lower() in (".xlsx", ".xlsm")


def file_encoding(path: Path) -> str:
    """The text encoding of a CSV, from its head; a head that mixes UTF-8 lines with lines in
    another encoding is refused naming the first line that is not UTF-8."""
    head = read_head(path)
    if (name := utf16_name(head)) is not None:
        raise FileRejected([make_issue("encoding_utf16", value=name)])
    try:
        encoding = detect_encoding(head)
    except EncodingError:
        raise FileRejected([make_issue("encoding_unknown")]) from None
    if encoding not in ("utf-8", "utf-8-sig"):
        # Persian text in Windows-1256 never decodes as UTF-8, and UTF-8 Persian is not
        # Windows-1256 text: a head with lines of each is a file saved in two encodings.
        lines = head.split(b"\n")[:-1] if len(head) == HEAD_BYTES else head.split(b"\n")
        first_bad: tuple[int, bytes] | None = None
        utf8_text = False
        for number, line in enumerate(lines, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8_text = True
            except UnicodeDecodeError as error:
                if first_bad is None:
                    first_bad = (number, line[max(error.start - 10, 0):error.end + 10])
        if utf8_text and first_bad is not None:
            raise FileRejected([make_issue("encoding_mixed", row=first_bad[0], value=repr(first_bad[1])[2:-1],
                                           encoding="UTF-8", found=line_encoding(lines[first_bad[0] - 1]))])
    return encoding


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def csv_header(path: Path, encoding: str | None = None) -> tuple[list[str], str, str]:
    """(header cells, encoding, delimiter) of a CSV file; FileRejected when empty."""
    encoding = encoding or file_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline(HEADER_LIMIT)
    if len(first) >= HEADER_LIMIT and not first.endswith("\n"):
        raise FileRejected([make_issue("cell_too_long", row=1, column="(header)", value=first[:100],
                                       d1=f"{HEADER_LIMIT:,}", d2="the header line")])
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
    # A row never spans more than one block: the block bounds what one cell can hold in memory
    # (a longer cell is refused as too long), and leaves room for a row of cells at the limit.
    block_size = max(8 << 20, 32 * context.limits.max_cell_chars)

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=codec,
                                               block_size=block_size, use_threads=False),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                                 newlines_in_values=False),
                # Only the empty cell is NULL: Arrow's default null words (NaN, NA, N/A, null …)
                # would turn a 'NaN' into an empty value instead of a refused one.
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     null_values=[""], strings_can_be_null=True,
                                                     quoted_strings_can_be_null=True),
            )
            for batch in reader:
                ordinals = np.arange(done, done + batch.num_rows, dtype=np.int64)
                rows = line_numbers(ordinals, skipped)
                done += batch.num_rows
                yield batch.append_column(ROW_COLUMN, pa.array(rows, pa.int64()))
        except pa.ArrowException as error:
            raise _csv_failure(path, encoding, block_size, context, str(error)) from None

    return header, batches()


def _csv_failure(path: Path, encoding: str, block_size: int, context: ReadContext, message: str) -> FileRejected:
    """Name the row behind an Arrow CSV error: bytes that are not the file's encoding, or a line
    longer than a block. Lines are read with a bound, so the culprit is never held whole."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    bound = min(block_size, 4 * context.limits.max_cell_chars + 4096)
    with open(path, "rb") as handle:
        number = 0
        while line := handle.readline(bound):
            number += 1
            if len(line) >= bound and not line.endswith(b"\n"):
                return FileRejected([make_issue(
                    "cell_too_long", row=number, column="(row)", value=line[:100].decode(codec, "replace"),
                    d1=f"{context.limits.max_cell_chars:,}", d2=variable_of("max_cell_chars"))])
            try:
                line.decode(codec)
            except UnicodeDecodeError as error:
                bad = line[max(error.start - 10, 0):error.end + 10]
                return FileRejected([make_issue("encoding_mixed", row=number, value=repr(bad)[2:-1],
                                                encoding=encoding.upper(), found=line_encoding(line))])
    return FileRejected([make_issue("file_unreadable", detail=message)])


_AMBIGUOUS_TEXT = re.compile(AMBIGUOUS_FORM)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_CELL_REF = re.compile(rb'<c r="([A-Z]+[0-9]+)"')
_SHARED_STRING = re.compile(rb"<si[ >]")
_FORMULA = re.compile(rb"<f[ >/]")
# Characters of text (not markup) in one run; a longer run is a cell beyond the limit.
_CHUNK = 1 << 20


def sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every sheet, in workbook order."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets: dict[bytes, str] = {}
    for rel in re.finditer(rb"<Relationship [^>]*>", rels):
        ident = re.search(rb'Id="([^"]+)"', rel.group(0))
        target = re.search(rb'Target="([^"]+)"', rel.group(0))
        if ident and target:
            name = target.group(1).decode().lstrip("/")
            targets[ident.group(1)] = name if name.startswith("xl/") else "xl/" + name
    sheets = []
    for position, tag in enumerate(_SHEET.findall(workbook), start=1):
        name = re.search(rb'name="([^"]*)"', tag)
        ident = re.search(rb'(?:r:)?id="([^"]+)"', tag)
        member = targets.get(ident.group(1)) if ident else None
        sheets.append((html.unescape(name.group(1).decode()) if name else f"Sheet{position}",
                       member or f"xl/worksheets/sheet{position}.xml"))
    return sheets or [("Sheet1", "xl/worksheets/sheet1.xml")]


def _sheet_member(archive: zipfile.ZipFile, sheet: str | None) -> str:
    members = sheet_members(archive)
    return next((m for n, m in members if n == sheet), members[0][1])


def xlsx_merged_ranges(path: Path, sheet: str | None = None) -> list[tuple[str, int, str, int]]:
    """Merged ranges of a sheet (default the first), read from the XML in chunks (read-only mode
    hides them)."""
    found: list[tuple[str, int, str, int]] = []
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet)
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                data = tail + chunk
                for match in _MERGE.finditer(data):
                    found.append((match.group(1).decode(), int(match.group(2)),
                                  match.group(3).decode(), int(match.group(4))))
                tail = data[-200:] if not _MERGE.search(data[-200:]) else b""
    return sorted(set(found), key=lambda m: (m[1], m[0]))


def _long_text_runs(stream: IO[bytes], limit: int,
                    ) -> tuple[tuple[int, str | None] | None, bool]:
    """Stream an XML member: the first text run (bytes between markup) longer than ``limit``, as
    (number of ``<si>`` opened before it, the last cell reference before it), and whether the XML
    has formulas. Memory: one chunk, whatever a run's length; markup found with numpy."""
    run = 0  # bytes of the text run still open at the end of what was read
    strings = 0
    cell: str | None = None
    formulas = False
    tail = b""

    def located(data: bytes, cut: int) -> tuple[int, str | None]:
        before = data[:cut]
        refs = _CELL_REF.findall(before)
        opened = len(_SHARED_STRING.findall(before)) - len(_SHARED_STRING.findall(tail))
        return strings + opened, refs[-1].decode() if refs else cell

    while chunk := stream.read(_CHUNK):
        data = tail + chunk
        octets = np.frombuffer(chunk, dtype=np.uint8)
        marks = np.flatnonzero((octets == 0x3C) | (octets == 0x3E))
        if not len(marks):
            run += len(chunk)
            if run > limit:
                return located(data, len(data)), formulas
        else:
            if run + int(marks[0]) > limit:
                return located(data, len(tail) + int(marks[0])), formulas
            if len(marks) > 1:
                gaps = np.diff(marks)
                widest = int(gaps.argmax())
                if int(gaps[widest]) - 1 > limit:
                    return located(data, len(tail) + int(marks[widest])), formulas
            run = len(chunk) - int(marks[-1]) - 1
        strings += len(_SHARED_STRING.findall(data)) - len(_SHARED_STRING.findall(tail))
        refs = _CELL_REF.findall(data)
        if refs:
            cell = refs[-1].decode()
        formulas = formulas or bool(_FORMULA.search(data))
        tail = data[-64:]
    return None, formulas


def check_xlsx_cells(archive: zipfile.ZipFile, member: str, sheet: str, limits: Limits, *,
                     shared_strings: bool = True) -> bool:
    """Refuse a sheet or shared string longer than the cell limit before openpyxl holds it (it
    reads the shared-strings table whole). Returns whether the sheet has formulas.

    A run of more than 4 × PAYESH_LEDGER_MAX_CELL_CHARS bytes of XML text (UTF-8 needs at most 4
    bytes a character) is refused here; shorter text is checked by characters after reading."""
    limit = 4 * limits.max_cell_chars + 64
    names = {n.lower(): n for n in archive.namelist()}

    def refuse(where: str) -> FileRejected:
        return FileRejected([make_issue("cell_too_long", column=where, value=f"{sheet}!{where}",
                                        d1=f"{limits.max_cell_chars:,}", d2=variable_of("max_cell_chars"))])

    if shared_strings and "xl/sharedstrings.xml" in names:
        with archive.open(names["xl/sharedstrings.xml"]) as stream:
            found, _ = _long_text_runs(stream, limit)
        if found is not None:
            index = found[0] - 1  # the run is inside the last <si> opened
            raise refuse(_shared_string_cell(archive, member, index) or f"shared string {index + 1}")
    with archive.open(member) as stream:
        found, formulas = _long_text_runs(stream, limit)
    if found is not None:
        raise refuse(found[1] or "?")
    return formulas


def _shared_string_cell(archive: zipfile.ZipFile, member: str, index: int) -> str | None:
    """The first cell of the sheet that shows shared string ``index``."""
    pattern = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*t="s"[^>]*>\s*<v>%d</v>' % index)
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if match := pattern.search(data):
                return match.group(1).decode()
            tail = data[-200:]
    return None


def formulas_without_value(archive: zipfile.ZipFile, member: str, limit: int = 20) -> list[str]:
    """References of formula cells with no saved result (openpyxl reads those as empty)."""
    found: list[str] = []
    with archive.open(member) as stream:
        for _, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag.endswith("}c") or element.tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()):
                    found.append(element.get("r", "?"))
                    if len(found) >= limit:
                        break
                element.clear()
            elif element.tag.endswith("}row"):
                element.clear()
    return found


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        # A number cell is a number: its text must read one way in the file's convention check.
        # '123.456' could be 123456 in a decimal-comma file; '123.4560' cannot (the same value).
        return text + "0" if _AMBIGUOUS_TEXT.fullmatch(text) else text
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    return text or None


def _sheet_listing(workbook: object, names: list[str], limit: int) -> str:
    """'Notes (empty), Data' — the sheets (up to ``limit``), marking those without a first row."""
    shown = []
    for name in names[:limit]:
        first = next(workbook[name].iter_rows(values_only=True, max_row=1), ())  # type: ignore[index]
        empty = not any(_cell_text(v) for v in first)
        shown.append(f"'{name}'" + (" (empty)" if empty else ""))
    return ", ".join(shown) + (f", … ({len(names):,} sheets)" if len(names) > limit else "")


def iter_xlsx(path: Path, context: ReadContext) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Header (row 1 of the chosen sheet, default the first) and batches of string columns
    c0…cN plus ``_row``. Formula cells are read from their saved results (openpyxl
    ``data_only``); a formula without one is refused naming the cell."""
    import openpyxl

    limits = context.limits
    try:
        check_zip(path, limits)
        with zipfile.ZipFile(path) as archive:
            members = sheet_members(archive)
            names = [n for n, _ in members]
            if context.sheet is not None and context.sheet not in names:
                raise FileRejected([make_issue("sheet_unknown", value=context.sheet,
                                               sheets=", ".join(f"'{n}'" for n in names[:limits.max_sheets]))])
            sheet_name = context.sheet if context.sheet is not None else names[0]
            member = dict(members)[sheet_name]
            if check_xlsx_cells(archive, member, sheet_name, limits):
                missing = formulas_without_value(archive, member)
                if missing:
                    raise FileRejected([make_issue("formula_without_value", column=ref, value=f"{sheet_name}!{ref}")
                                        for ref in missing])
        merged = xlsx_merged_ranges(path, sheet_name)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _XLSX_ERRORS as error:
        raise FileRejected([make_issue("file_unreadable", detail=str(error) or error.__class__.__name__)]) from None
    try:
        header_merges = [m for m in merged if m[1] <= 1]
        if header_merges:
            ranges = ", ".join(f"{a}{r1}:{b}{r2}" for a, r1, b, r2 in header_merges)
            raise FileRejected([make_issue("header_merged", row=1, value=ranges)])
        sheet = workbook[sheet_name]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        header = [_cell_text(v) or "" for v in (first or ())]
        while header and header[-1] == "":
            header.pop()
        if not header:
            if len(names) > 1 and context.sheet is None:
                raise FileRejected([make_issue("sheet_choose", value=sheet_name,
                                               sheets=_sheet_listing(workbook, names, limits.max_sheets))])
            raise FileRejected([make_issue("file_empty")])
        if len(names) > 1 and context.sheet is None:
            context.sheets = names
    except _XLSX_ERRORS as error:
        workbook.close()
        raise FileRejected([make_issue("file_unreadable", detail=str(error) or error.__class__.__name__)]) from None
    except FileRejected:
        workbook.close()
        raise
    width = len(header)
    names_c = [f"c{i}" for i in range(width)]

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
                    yield _batch(names_c, columns, numbers)
                    columns = [[] for _ in range(width)]
                    numbers = []
            if numbers:
                yield _batch(names_c, columns, numbers)
        except _XLSX_ERRORS as error:
            raise FileRejected([make_issue("file_unreadable", detail=str(error) or error.__class__.__name__)]) from None
        finally:
            workbook.close()

    return header, batches()


def sheet_hint(context: ReadContext) -> list[Issue]:
    """When the first of several sheets does not hold the layout: the issue that lists the others
    and says how to choose one (readers add it to their header errors)."""
    if not context.sheets or context.sheet is not None:
        return []
    return [make_issue("sheet_choose", value=context.sheets[0], sheets=", ".join(f"'{n}'" for n in
                                                                    context.sheets[:context.limits.max_sheets]))]


def _batch(names: list[str], columns: list[list[str | None]], numbers: list[int]) -> pa.RecordBatch:
    arrays = [pa.array(c, pa.string()) for c in columns] + [pa.array(numbers, pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, names=[*names, ROW_COLUMN])


def iter_table(path: Path, context: ReadContext) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    if is_xlsx(path, read_head(path, 4)):
        return iter_xlsx(path, context)
    return iter_csv(path, context)


def head_header(path: Path, head: bytes) -> list[str]:
    """Best-effort header for sniffing (never raises): row 1 of the first sheet that has one."""
    try:
        if is_xlsx(path, head):
            import openpyxl

            limits = limits_from_env()
            check_zip(path, limits)  # openpyxl reads the shared strings whole: bounded first
            with zipfile.ZipFile(path) as archive:
                check_xlsx_cells(archive, sheet_members(archive)[0][1], "", limits)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                # The first sheet whose row 1 looks like a table header (three cells or more), else
                # the first with a row 1: a cover sheet with a title does not hide the table.
                found: list[list[str]] = []
                for sheet in workbook.worksheets[:limits.max_sheets]:
                    first = [_cell_text(v) or "" for v in next(sheet.iter_rows(values_only=True, max_row=1), ())]
                    if sum(bool(c) for c in first) >= 3:
                        return first
                    if any(first):
                        found.append(first)
            finally:
                workbook.close()
            return found[0] if found else []
        text = head.decode(detect_encoding(head), errors="ignore")
        line = text.splitlines()[0] if text else ""
        return [h.strip().lstrip("\ufeff") for h in next(csv.reader([line], delimiter=sniff_delimiter(line)), [])]
    except Exception:
        return []
