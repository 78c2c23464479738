"""ingest(): file → reader → DuckDB normalise → set-based validation → staged batch → commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .codes import ReferenceCodes
from .dates import sql_nowruz_macro
from .encoding import line_encoding
from .issues import Issue, make_issue, rules
from .lake import BatchRecord, Lake, LakeError, duckdb_connect, fact_expressions, now_iso
from .limits import Limits, variable_of
from .readers import FileRejected, ReadContext, Reader, get_reader, line_numbers, sniff
from .readers.base import ROW_COLUMN
from .readers.tabular import check_input
from .schema import DEFAULT_REPORTER, FACT_COLUMNS, FACT_LAYOUT, HS_REVISIONS, STORED_COLUMNS
from .validate import (
    LEAN_REFERENCE_SQL,
    detect_numbers,
    history_view_sql,
    issue_queries,
    lean_clean_sql,
    lean_sql,
    normalise_sql,
    warning_queries,
)

Progress = Callable[[int, int | None, str], None]
Policy = Literal["reject", "quarantine"]
MAX_ISSUES = 100_000


@dataclass(frozen=True)
class IngestResult:
    batch_id: str | None
    status: Literal["loaded", "rejected"]
    format: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    errors: int
    warnings: int
    issues: list[Issue] = field(default_factory=list)
    issues_truncated: bool = False
    message_en: str = ""
    message_fa: str = ""


def copy_and_hash(path: Path, target: Path) -> str:
    """Copy ``path`` to ``target`` (fsynced) and return its sha256.

    Runs in a thread beside DuckDB (hashlib and file I/O release the GIL). ``file_digest`` and
    ``copyfile`` (``sendfile`` on Linux) keep the bytes out of Python objects: half the CPU of a
    read/update/write loop.
    """
    with open(path, "rb") as source:
        digest = hashlib.file_digest(source, "sha256").hexdigest()
    shutil.copyfile(path, target)
    _fsync_file(target)
    return digest


def _fsync_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _may_have_duplicates(con: duckdb.DuckDBPyConnection, relation: str, key: str) -> bool:
    """True if two rows of ``relation`` may share a source_key (equal 64-bit hashes of ``key``; the
    full check then decides). Sorting the hashes in numpy beats a 20 M-group hash aggregate."""
    hashes = con.execute(f"SELECT hash({key}) AS h FROM {relation}").fetchnumpy()["h"]
    hashes.sort()
    return bool(len(hashes) > 1 and (hashes[1:] == hashes[:-1]).any())


def _rejected(issues: list[Issue], fmt: str | None, rows_read: int = 0, errors: int | None = None,
              truncated: bool = False) -> IngestResult:
    n_errors = errors if errors is not None else sum(i.severity == "error" for i in issues)
    first = next((i for i in issues if i.severity == "error"), None)
    detail_en = f" First problem: {first.message_en}" if first else ""
    detail_fa = f" نخستین مشکل: {first.message_fa}" if first else ""
    return IngestResult(
        batch_id=None, status="rejected", format=fmt, rows_read=rows_read, rows_loaded=0,
        rows_quarantined=0, errors=n_errors, warnings=sum(i.severity == "warning" for i in issues),
        issues=issues, issues_truncated=truncated,
        message_en=f"The file was rejected with {n_errors} error(s); the ledger is unchanged.{detail_en}",
        message_fa=f"فایل با {n_errors} خطا رد شد؛ هیچ داده‌ای بارگذاری نشد.{detail_fa}")


def _register_reference(con: duckdb.DuckDBPyConnection, codes: ReferenceCodes) -> None:
    hs = codes.hs_rows()
    con.register("ref_hs_arrow", pa.table({"revision": [r for r, _ in hs], "code": [c for _, c in hs]},
                                          schema=pa.schema([("revision", pa.string()), ("code", pa.string())])))
    con.execute("CREATE TEMP TABLE ref_hs AS SELECT * FROM ref_hs_arrow")
    for name, values in (("ref_countries", codes.countries), ("ref_offices", codes.customs_offices),
                         ("ref_markets", codes.border_markets), ("ref_provinces", codes.provinces),
                         ("ref_counties", codes.counties)):
        con.register(f"{name}_arrow", pa.table({"code": pa.array(sorted(values), pa.string())}))
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    rule_table = pa.table({"rule": list(rules()), "severity": [r.severity for r in rules().values()]})
    con.register("ref_rules_arrow", rule_table)
    con.execute("CREATE TEMP TABLE ref_rules AS SELECT * FROM ref_rules_arrow")


def _stage_raw(reader: Reader, path: Path, codes: ReferenceCodes, context: ReadContext,
               target: Path, progress: Progress) -> int:
    """Stream the reader's batches into a string Parquet file; returns the row count."""
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        for batch in reader.read(path, codes, context):
            if writer is None:
                writer = pq.ParquetWriter(target, batch.schema)
            elif batch.schema != writer.schema:
                batch = pa.RecordBatch.from_arrays(
                    [batch.column(n).cast(writer.schema.field(n).type) if n in batch.schema.names
                     else pa.nulls(batch.num_rows, writer.schema.field(n).type) for n in writer.schema.names],
                    schema=writer.schema)
            writer.write_batch(batch)
            rows += batch.num_rows
            progress(rows, None, "read")
    finally:
        if writer is not None:
            writer.close()
    return rows


def _max_line_bytes(limits: Limits, columns: int) -> int:
    """DuckDB's ``max_line_size`` for a typed scan: the longest line whose every cell keeps the cell
    limit (4 bytes a character, quotes and delimiter), at least DuckDB's own default. A longer
    line must hold a cell over the limit, so refusing it names PAYESH_LEDGER_MAX_CELL_CHARS."""
    return max(2_000_000, columns * (4 * limits.max_cell_chars + 3))


def _line_bytes(path: Path, number: int, bound: int) -> bytes:
    """Physical line ``number`` (1-based) of ``path``, read with a bound (never a whole long line)."""
    with open(path, "rb") as handle:
        for _ in range(number - 1):
            while (part := handle.readline(bound)) and not part.endswith(b"\n"):
                pass
        return handle.readline(bound)


def _reject_issues(con: duckdb.DuckDBPyConnection, date_columns: set[str], path: Path | None,
                   limits: Limits) -> tuple[list[Issue], list[int]]:
    """Issues and line numbers from DuckDB's rejected CSV lines (typed fast path).

    DuckDB's own wording is replaced where it does not tell a clerk what to do: bytes in another
    encoding name the encoding found, a line over the size bound names the cell limit's setting."""
    issues: list[Issue] = []
    lines: set[int] = set()
    # DuckDB reports a short row once per missing column: keep the first report per line.
    for line, column, kind, csv_line, message in con.execute(
            "SELECT line, column_name, CAST(error_type AS VARCHAR) AS kind, trim(csv_line, chr(10) || chr(13)), "
            "error_message FROM reject_errors QUALIFY kind = 'CAST' OR "
            "row_number() OVER (PARTITION BY line, error_type ORDER BY column_idx) = 1 "
            "ORDER BY line").fetchall():
        lines.add(int(line))
        if kind == "CAST":
            value = message.split('string "', 1)[-1].rsplit("\" to", 1)[0] if 'string "' in message else None
            rule = "date_invalid" if column in date_columns else "number_invalid"
            issues.append(make_issue(rule, row=int(line), column=column, value=value))
        elif kind == "MISSING COLUMNS":
            issues.append(make_issue("row_truncated", row=int(line), value=csv_line,
                                     detail=message.replace("Expected Number of Columns: ", "expected ")))
        elif kind in ("INVALID ENCODING", "INVALID UNICODE") and path is not None:
            text = _line_bytes(path, int(line), 4 * limits.max_cell_chars + 4096)
            try:
                text.decode("utf-8")
                bad = text[:60]
            except UnicodeDecodeError as error:
                bad = text[max(error.start - 10, 0):error.end + 10]
            issues.append(make_issue("encoding_mixed", row=int(line), value=repr(bad)[2:-1], encoding="UTF-8",
                                     found=line_encoding(text)))
        elif kind == "LINE SIZE OVER MAXIMUM":
            issues.append(make_issue("cell_too_long", row=int(line), column="(row)", value=csv_line[:100],
                                     d1=f"{limits.max_cell_chars:,}", d2=variable_of("max_cell_chars")))
        else:
            issues.append(make_issue("row_malformed", row=int(line), value=csv_line, detail=message))
    return issues, sorted(lines)


def _issue_from_sql(rule: str, row: int | None, column: str | None, value: str | None,
                    d1: str | None, d2: str | None, first_rows: dict[int, int]) -> Issue:
    if rule == "date_out_of_range":
        return make_issue(rule, row=row, column=column, value=value, first=d1, last=d2)
    if rule == "hs_unknown":
        return make_issue(rule, row=row, column=column, value=value, revision=d1)
    if rule == "duplicate_in_file":
        return make_issue(rule, row=row, column=column, value=value, first_row=first_rows.get(int(d1 or 0), "?"))
    if rule == "duplicate_key":
        return make_issue(rule, row=row, column=column, value=value, batch=d1)
    if rule == "unit_value_outlier":
        return make_issue(rule, row=row, column=column, value=value, low=d1, high=d2)
    allowed = {"flow_invalid": "export, import, transit, re_export",
               "channel_invalid": "customs, border_market, free_zone, other",
               "transport_invalid": "road, sea, air, rail, pipeline, other, unknown",
               "hs_revision_invalid": ", ".join(HS_REVISIONS)}
    return make_issue(rule, row=row, column=column, value=value, allowed=allowed.get(rule, ""), d1=d1 or "",
                      d2=d2 or "")


def ingest(path: Path | str, *, lake: Lake, codes: ReferenceCodes, fmt: str | None = None,
           policy: Policy = "reject", created_by: str = "", hs_revision: str | None = None,
           reporter: str = DEFAULT_REPORTER, progress: Progress | None = None,
           source_name: str | None = None, batch_id: str | None = None,
           check_overlap: bool = True, max_issues: int = MAX_ISSUES,
           today: dt.date | None = None, sheet: str | None = None) -> IngestResult:
    """Validate a file and, if it passes (or with ``policy='quarantine'``), publish it as a batch.

    Never raises for problems in the file: they come back as ``status='rejected'`` with issues.
    """
    path = Path(path)
    report: Progress = progress or (lambda done, total, stage: None)
    if policy not in ("reject", "quarantine"):
        raise ValueError(f"unknown policy {policy!r}")
    if hs_revision is not None and hs_revision not in HS_REVISIONS:
        raise ValueError(f"unknown HS revision {hs_revision!r}")
    report(0, None, "hash")
    if not path.is_file():
        raise FileNotFoundError(path)
    try:  # size, name and zip limits before the file is copied or opened (readers.tabular)
        check_input(path, source_name=source_name or path.name)
    except FileRejected as rejected:
        return _rejected(rejected.issues, fmt)
    with lake.writer():
        batch_id = batch_id or lake.new_batch_id()
        staging = lake.staging_dir(batch_id)
        try:
            # The source is copied into the batch and hashed in a thread while DuckDB reads it;
            # a file loaded before is refused as soon as its hash is known (before any commit).
            with ThreadPoolExecutor(1, thread_name_prefix="payesh-hash") as pool:
                hashing = pool.submit(copy_and_hash, path, staging / "source")
                context = ReadContext(hs_revision=hs_revision, reporter=reporter, sheet=sheet)
                try:
                    reader = get_reader(fmt) if fmt else sniff(path)
                except FileRejected as rejected:
                    return _duplicate(lake, hashing, fmt) or _rejected(rejected.issues, fmt)
                job = LoadJob(path=path, reader=reader, lake=lake, codes=codes, context=context, policy=policy,
                              created_by=created_by, source_name=source_name or path.name, batch_id=batch_id,
                              staging=staging, check_overlap=check_overlap, max_issues=max_issues,
                              today=today or dt.date.today(), report=report, hashing=hashing,
                              requested_format=fmt)
                try:
                    return _load(job)
                except FileRejected as rejected:
                    return job.duplicate() or _rejected(context.issues + rejected.issues, reader.identifier)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _duplicate(lake: Lake, hashing: Future[str], fmt: str | None) -> IngestResult | None:
    """The refusal of a file whose bytes an earlier batch already holds, else None (waits for the hash)."""
    earlier = lake.find_by_sha256(hashing.result())
    if earlier is None:
        return None
    return _rejected([make_issue("file_duplicate", batch=earlier.id, status=earlier.status)], fmt)


@dataclass(frozen=True)
class LoadJob:
    """What one load is given: the fixed inputs every step of :func:`_load` reads."""

    path: Path
    reader: Reader
    lake: Lake
    codes: ReferenceCodes
    context: ReadContext  # the reader's options and the issues it found while reading
    policy: Policy
    created_by: str
    source_name: str
    batch_id: str
    staging: Path  # lake.staging_dir(batch_id): everything of the batch is written here first
    check_overlap: bool
    max_issues: int
    today: dt.date
    report: Progress
    hashing: Future[str]  # sha256 of the source, computed while DuckDB reads it
    requested_format: str | None

    def duplicate(self) -> IngestResult | None:
        return _duplicate(self.lake, self.hashing, self.requested_format)

    def fact_columns(self) -> str:
        """The facts as the lake will show them (source, batch_id, default keys and reporter added
        to the stored columns): every check reads these."""
        return ", ".join(fact_expressions(layout=FACT_LAYOUT, source=self.reader.source,
                                          reporter=self.context.reporter, batch_id=self.batch_id))


@dataclass(frozen=True)
class RawInput:
    """The file as DuckDB reads it: a typed ``read_csv`` scan, or the reader's rows staged as Parquet."""

    relation: str  # a DuckDB table function over the input
    types: dict[str, str]  # canonical column → DuckDB type as read
    has_row: bool  # carries ``_row`` (file row numbers); else rows are numbered from the CSV lines
    typed_scan: bool  # the typed fast path is possible (DuckDB parses the CSV itself)
    scan_path: Path | None = None  # the CSV DuckDB scans (typed fast path), for messages about its lines


@dataclass(frozen=True)
class Normalised:
    """``norm.parquet``: the input as fact columns (plus ``_bad``/``_row`` helpers when validated in full)."""

    path: Path
    lean: bool  # already in normal form as read: only the outlier rule is left to check
    columns: list[str]
    rows: int
    pre_issues: list[Issue]  # from DuckDB's rejected CSV lines
    reject_lines: list[int]  # CSV lines DuckDB could not read (they have no ordinal in norm)


@dataclass(frozen=True)
class Findings:
    """The validation outcome of a load."""

    issues: list[Issue]  # up to ``max_issues``, sorted by row
    truncated: bool
    error_ords: np.ndarray  # (E,) int64: ordinals in norm of the rows with an error
    errors: int
    warnings: int
    error_rows: int  # rows refused: error ordinals plus lines the reader or DuckDB could not read
    rows_read: int
    rows_loaded: int
    to_rows: Callable[[np.ndarray], np.ndarray]  # ordinals → file row numbers


def _load(job: LoadJob) -> IngestResult:
    """Read → normalise → validate → write the staged batch → commit; each step one function."""
    con = duckdb_connect(job.lake.root / "tmp")
    try:
        con.execute(sql_nowruz_macro())
        raw = _read_input(job, con)
        job.report(0, None, "normalise")
        _register_reference(con, job.codes)
        overlap_possible = _register_active_keys(job, con)
        norm = _normalise(job, con, raw, overlap_possible)
        duplicated = job.duplicate()
        if duplicated is not None:
            return duplicated
        sha256 = job.hashing.result()
        findings = _validate(job, con, raw, norm)
        if (findings.errors and job.policy == "reject") or findings.rows_loaded == 0:
            return _rejected(findings.issues, job.reader.identifier, findings.rows_read, findings.errors,
                             findings.truncated)
        job.report(findings.rows_loaded, findings.rows_read, "write")
        _write_staged(job, con, norm, findings)
        job.report(findings.rows_loaded, findings.rows_read, "commit")
        record = job.lake.commit(_batch_record(job, findings, sha256), job.staging)
    finally:
        con.close()
    return _loaded(record, findings, job.reader.identifier)


def _read_input(job: LoadJob, con: duckdb.DuckDBPyConnection) -> RawInput:
    """Describe the input to DuckDB: the reader's typed CSV scan, else its rows staged as string Parquet."""
    scan = job.reader.csv_scan(job.path, job.codes, job.context)
    if scan is not None:
        columns = "{" + ", ".join(f"{_quote(n)}: {_quote(t)}" for n, t in scan.columns.items()) + "}"
        relation = (f"read_csv({_quote(str(scan.path))}, header = true, auto_detect = false, "
                    f"delim = ',', quote = '\"', escape = '\"', columns = {columns}, "
                    f"max_line_size = {_max_line_bytes(job.context.limits, len(scan.columns))}, "
                    f"store_rejects = true)")
        types = {n: t for n, t in scan.columns.items() if not n.startswith("_extra_")}
        raw = RawInput(relation=relation, types=types, has_row=False, typed_scan=True, scan_path=scan.path)
    else:
        staged = job.staging / "raw.parquet"
        if _stage_raw(job.reader, job.path, job.codes, job.context, staged, job.report) == 0 \
                and not job.context.issues:
            raise FileRejected([make_issue("file_empty")])
        if not staged.exists():
            raise FileRejected([make_issue("file_empty")])
        types = {f.name: ("DOUBLE" if pa.types.is_floating(f.type) else "VARCHAR")
                 for f in pq.read_schema(staged) if f.name != ROW_COLUMN}
        raw = RawInput(relation=f"read_parquet({_quote(str(staged))})", types=types, has_row=True,
                       typed_scan=False)
    if "hs_revision" not in raw.types and job.context.hs_revision is None:
        raise FileRejected([make_issue("hs_revision_missing")])
    return raw


def _register_active_keys(job: LoadJob, con: duckdb.DuckDBPyConnection) -> bool:
    """``active_keys``: the natural keys active batches of the same source hold. True if there are any."""
    active = job.lake.active_batches(job.reader.source) if job.check_overlap else []
    if active:
        con.execute(f"CREATE TEMP VIEW active_keys AS SELECT source, source_key, batch_id "
                    f"FROM ({job.lake.facts_sql(active)})")
    else:
        con.execute("CREATE TEMP TABLE active_keys (source VARCHAR, source_key VARCHAR, batch_id VARCHAR)")
    # The loaded facts the plausibility warnings compare with (validate.warning_queries).
    con.execute(history_view_sql(job.lake.facts_sql(active) if active else None))
    return bool(active)


def _create_norm_view(con: duckdb.DuckDBPyConnection, job: LoadJob, norm: Path, *, name: str = "norm",
                      extra: list[str] | None = None, ordinals: bool = True) -> None:
    """A view of the fact columns over ``norm`` with ``ord``, the 0-based record ordinal, if asked."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT "
                f"{'file_row_number AS ord, ' if ordinals else ''}{job.fact_columns()}"
                f"{''.join(', ' + c for c in extra or [])} "
                f"FROM read_parquet({_quote(str(norm))}{', file_row_number = true' if ordinals else ''})")


def _normalise(job: LoadJob, con: duckdb.DuckDBPyConnection, raw: RawInput, overlap_possible: bool) -> Normalised:
    """Write ``norm.parquet``. Typed fast path: write the facts as read, then check that every value
    already was in normal form and breaks no per-row rule. Else normalise (and later validate) in full."""
    norm = job.staging / "norm.parquet"
    norm_sql = _quote(str(norm))
    date_columns = {n for n, t in raw.types.items() if t == "DATE"}
    pre_issues: list[Issue] = []
    reject_lines: list[int] = []
    numbers = detect_numbers(con, raw.relation, raw.types)  # the file's decimal mark, stated in the report
    job.context.issues.append(numbers.issue)
    lean = raw.typed_scan
    if lean:
        select = lean_sql(raw.relation, raw.types, default_revision=job.context.hs_revision)
        con.execute(f"COPY ({select}) TO {norm_sql} (FORMAT parquet)")
        pre_issues, reject_lines = _reject_issues(con, date_columns, raw.scan_path, job.context.limits)
        # Flush the facts to disk while validation reads them (commit fsyncs them anyway).
        syncing = ThreadPoolExecutor(1, thread_name_prefix="payesh-fsync")
        syncing.submit(_fsync_file, norm)
        syncing.shutdown(wait=False)
        job.report(0, None, "validate")
        con.execute(LEAN_REFERENCE_SQL)
        _create_norm_view(con, job, norm, name="lean", ordinals=False)
        # Without a source_key column every key is declaration_id#line_no, and that pair
        # identifies it (line_no has no '#'): hashing the pair spares building the strings.
        key = "source_key" if "source_key" in raw.types else "declaration_id, line_no"
        lean = (not any(con.execute(q).fetchall() for q in lean_clean_sql(
                    "lean", today=job.today, weight_required=job.reader.source == "customs",
                    source_key_given="source_key" in raw.types))
                and not _may_have_duplicates(con, "lean", key)
                and not (overlap_possible and con.execute(
                    "SELECT 1 FROM lean n SEMI JOIN active_keys a ON n.source = a.source "
                    "AND n.source_key = a.source_key LIMIT 1").fetchall()))
    if not lean:
        select = normalise_sql(raw.relation, raw.types, default_revision=job.context.hs_revision,
                               has_row=raw.has_row, convention=numbers.convention)
        con.execute(f"COPY ({select}) TO {norm_sql} (FORMAT parquet)")
        if raw.typed_scan and not reject_lines and not pre_issues:
            pre_issues, reject_lines = _reject_issues(con, date_columns, raw.scan_path, job.context.limits)
    return Normalised(path=norm, lean=lean, columns=pq.read_schema(norm).names,
                      rows=pq.ParquetFile(norm).metadata.num_rows, pre_issues=pre_issues,
                      reject_lines=reject_lines)


def _validate(job: LoadJob, con: duckdb.DuckDBPyConnection, raw: RawInput, norm: Normalised) -> Findings:
    """Run the rules as set-based SQL into the temp table ``issues`` and gather the findings."""
    reader_issues = job.context.issues
    unreadable = sum(i.rule in ("row_truncated", "row_malformed") for i in reader_issues)
    rows_read = norm.rows + len(norm.reject_lines) + unreadable
    if rows_read == 0:
        raise FileRejected([make_issue("file_empty")])
    job.report(rows_read, rows_read, "validate")
    _create_norm_view(con, job, norm.path, extra=[c for c in norm.columns if c not in STORED_COLUMNS])
    queries = list(warning_queries("norm")) if norm.lean else list(issue_queries(
        "norm", has_bad="_bad" in norm.columns, today=job.today, weight_required=job.reader.source == "customs",
        history=True))
    union = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in queries)
    con.execute(f"CREATE TEMP TABLE issues AS SELECT i.*, r.severity FROM ({union}) i JOIN ref_rules r USING (rule)")
    error_ords = con.execute("SELECT DISTINCT ord FROM issues WHERE severity = 'error' ORDER BY ord").fetchnumpy()["ord"]
    counts = dict(con.execute("SELECT severity, count(*) FROM issues GROUP BY 1").fetchall())
    fetched = con.execute(
        f"SELECT ord, col, value, rule, d1, d2 FROM issues ORDER BY ord, rule LIMIT {int(job.max_issues)}").fetchall()

    def to_rows(ords: np.ndarray) -> np.ndarray:
        if not raw.has_row:
            return line_numbers(ords.astype(np.int64), norm.reject_lines)
        con.register("wanted_ords", pa.table({"ord": pa.array(ords, pa.int64())}))
        found = con.execute("SELECT w.ord, n._row FROM wanted_ords w JOIN norm n USING (ord)").fetchnumpy()
        lookup = dict(zip(found["ord"].tolist(), found["_row"].tolist(), strict=True))
        return np.array([lookup[o] for o in ords.tolist()], dtype=np.int64)

    ords_needed = np.array(sorted({r[0] for r in fetched} | {int(r[4]) for r in fetched
                                                             if r[3] == "duplicate_in_file"}), dtype=np.int64)
    row_of = dict(zip(ords_needed.tolist(), to_rows(ords_needed).tolist(), strict=True)) if len(ords_needed) else {}
    issues = reader_issues + norm.pre_issues + [
        _issue_from_sql(rule, row_of.get(ord_), col, value, d1, d2, row_of)
        for ord_, col, value, rule, d1, d2 in fetched]
    issues.sort(key=lambda i: (i.row or 0, i.rule))
    return Findings(
        issues=issues, truncated=int(sum(counts.values())) > len(fetched), error_ords=error_ords,
        errors=int(counts.get("error", 0)) + sum(i.severity == "error" for i in reader_issues + norm.pre_issues),
        warnings=int(counts.get("warning", 0)) + sum(i.severity == "warning" for i in reader_issues),
        error_rows=len(error_ords) + len(norm.reject_lines) + unreadable, rows_read=rows_read,
        rows_loaded=norm.rows - len(error_ords), to_rows=to_rows)


def _write_staged(job: LoadJob, con: duckdb.DuckDBPyConnection, norm: Normalised, findings: Findings) -> None:
    """The batch's files in staging: facts (valid rows, stored columns), quarantine and issues."""
    facts_file = job.staging / "facts" / "part-0.parquet"
    if not len(findings.error_ords) and tuple(norm.columns) == STORED_COLUMNS:
        os.rename(norm.path, facts_file)  # the normalised file already is the batch: no rewrite
    else:
        con.execute(f"COPY (SELECT {', '.join(STORED_COLUMNS)} FROM read_parquet({_quote(str(norm.path))}, "
                    f"file_row_number = true) n WHERE NOT EXISTS (SELECT 1 FROM issues i "
                    f"WHERE i.ord = n.file_row_number AND i.severity = 'error')) "
                    f"TO {_quote(str(facts_file))} (FORMAT parquet)")
    meta = job.staging / "meta"
    if findings.error_rows:
        _write_quarantine(con, meta / "quarantine.parquet", findings.error_ords, findings.to_rows,
                          job.context.issues + norm.pre_issues)
    _write_issues(meta / "issues.parquet", findings.issues)


def _batch_record(job: LoadJob, findings: Findings, sha256: str) -> BatchRecord:
    return BatchRecord(
        id=job.batch_id, status="active", source_name=job.source_name, sha256=sha256,
        format=job.reader.identifier, source=job.reader.source, policy=job.policy,
        hs_revision=job.context.hs_revision, reporter=job.context.reporter, rows_read=findings.rows_read,
        rows_loaded=findings.rows_loaded, rows_quarantined=findings.error_rows, warnings=findings.warnings,
        errors=findings.errors, created_at=now_iso(), created_by=job.created_by, layout=FACT_LAYOUT)


def _loaded(record: BatchRecord, findings: Findings, fmt: str) -> IngestResult:
    error_rows = findings.error_rows
    quarantined = f" {error_rows} row(s) with errors were quarantined." if error_rows else ""
    quarantined_fa = f" {error_rows} سطر دارای خطا قرنطینه شد." if error_rows else ""
    return IngestResult(
        batch_id=record.id, status="loaded", format=fmt, rows_read=findings.rows_read,
        rows_loaded=findings.rows_loaded, rows_quarantined=error_rows, errors=findings.errors,
        warnings=findings.warnings, issues=findings.issues, issues_truncated=findings.truncated,
        message_en=f"Loaded {findings.rows_loaded} row(s) as batch {record.id}.{quarantined}",
        message_fa=f"{findings.rows_loaded} سطر با شناسه دسته {record.id} بارگذاری شد.{quarantined_fa}")


def _write_quarantine(con: duckdb.DuckDBPyConnection, target: Path, error_ords: np.ndarray,
                      to_rows: Callable[[np.ndarray], np.ndarray], reader_issues: list[Issue]) -> None:
    """Error rows with their issues: normalised rows as JSON, unreadable rows as their text."""
    rows = to_rows(error_ords) if len(error_ords) else np.array([], dtype=np.int64)
    con.register("quarantine_rows", pa.table({"ord": pa.array(error_ords, pa.int64()),
                                              "row": pa.array(rows, pa.int64())}))
    columns = ", ".join(FACT_COLUMNS)
    table = con.execute(
        f"SELECT q.row, to_json(struct_pack({columns})) AS record, "
        f"(SELECT to_json(list({{'rule': i.rule, 'column': i.col, 'value': i.value}})) FROM issues i "
        f"WHERE i.ord = q.ord AND i.severity = 'error') AS issues "
        f"FROM quarantine_rows q JOIN norm n USING (ord) ORDER BY q.row").arrow()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    unreadable = [i for i in reader_issues if i.severity == "error" and i.row is not None]
    extra = pa.table({
        "row": pa.array([i.row for i in unreadable], pa.int64()),
        "record": pa.array([json.dumps({"text": i.value}, ensure_ascii=False) for i in unreadable], pa.string()),
        "issues": pa.array([json.dumps([{"rule": i.rule, "column": i.column, "value": i.value}],
                                       ensure_ascii=False) for i in unreadable], pa.string()),
    })
    table = table.cast(extra.schema)
    pq.write_table(pa.concat_tables([table, extra]), target)


def _write_issues(target: Path, issues: list[Issue]) -> None:
    names = ["row", "column", "value", "rule", "message_en", "message_fa", "severity"]
    data = {n: [getattr(i, n) for i in issues] for n in names}
    schema = pa.schema([("row", pa.int64())] + [(n, pa.string()) for n in names[1:]])
    pq.write_table(pa.table(data, schema=schema), target)


def rebuild(lake: Lake, *, codes: ReferenceCodes, target: Path | str,
            progress: Progress | None = None) -> Lake:
    """Re-ingest every kept source, in batch order, with its recorded options, into ``target``.

    Batch ids and statuses are kept. Withdrawn batches are loaded without the overlap check and
    withdrawn again at once, so corrections that replaced them load as they did originally.
    """
    new = Lake(target)
    if new.batches():
        raise LakeError(f"{target} already holds a lake; rebuild into an empty directory.",
                        f"در {target} از قبل داده وجود دارد؛ در پوشه‌ای خالی بازسازی کنید.")
    for batch in lake.batches():
        result = ingest(lake.source_path(batch), lake=new, codes=codes, fmt=batch.format,
                        policy=batch.policy, created_by=batch.created_by,  # type: ignore[arg-type]
                        hs_revision=batch.hs_revision, reporter=batch.reporter,
                        source_name=batch.source_name, batch_id=batch.id,
                        check_overlap=batch.status == "active", progress=progress)
        if result.status != "loaded":
            raise LakeError(f"Rebuild stopped: batch {batch.id} no longer loads: {result.message_en}",
                            f"بازسازی متوقف شد: دسته {batch.id} دیگر بارگذاری نمی‌شود: {result.message_fa}")
        if batch.status == "withdrawn":
            new.withdraw(batch.id, by=batch.status_changed_by or "")
    return new
