"""The Parquet lake: immutable batches, published atomically, listed by one manifest.

Layout under ``root``::

    manifest.json                 the only truth: which batches exist and which are active
    facts/batch=<id>/part-*.parquet
    meta/batch=<id>/{issues,quarantine}.parquet
    sources/<sha256>              the file as loaded (for rebuild and audit)
    staging/<id>/                 work in progress (garbage-collected on open)
    tmp/                          DuckDB spill directory
    .lock                         one writer at a time (fcntl.flock); readers never lock

One directory per batch (not per flow/year) because a batch is the unit of atomic publish and of
withdrawal: publishing is one ``rename`` of a directory and withdrawing is a manifest edit. Query
speed comes from Parquet column pruning and row-group statistics; a batch holds one source file,
so it is already narrow in time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import random
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import duckdb

from .schema import DEFAULT_SOURCE_KEY_SQL, DUCKDB_TYPES, FACT_COLUMNS

MANIFEST = "manifest.json"
PAUSE_ENV = "PAYESH_LAKE_TEST_PAUSE"
STOP_ENV = "PAYESH_LAKE_TEST_STOP_AT"


class LakeError(Exception):
    """A refused lake operation; ``message_en``/``message_fa`` are meant for the user."""

    def __init__(self, message_en: str, message_fa: str):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_fa = message_fa


@dataclass(frozen=True)
class BatchRecord:
    id: str
    status: str  # active | withdrawn
    source_name: str
    sha256: str
    format: str
    source: str  # natural-key namespace (customs, comtrade, baci)
    policy: str
    hs_revision: str | None
    reporter: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    warnings: int
    errors: int
    created_at: str
    created_by: str
    files: tuple[str, ...] = ()
    status_changed_at: str | None = None
    status_changed_by: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    #: Layout of the batch's files (see ``schema.FACT_LAYOUT``); manifests written before layouts
    #: existed hold layout 1 (every fact column stored).
    layout: int = 1

    @classmethod
    def from_json(cls, data: dict[str, object]) -> BatchRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["files"] = tuple(values.get("files", ()))  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def pause_point(stage: str) -> None:
    """Test hook at each step of a commit (and of the ledger's record keeping around it).

    With PAYESH_LAKE_TEST_PAUSE=<seconds> it sleeps a random time, so that a test can SIGKILL the
    process in the middle of any step; with PAYESH_LAKE_TEST_STOP_AT=<stage> it stops at that step
    until killed, so that a test can kill at each step deterministically."""
    limit = os.environ.get(PAUSE_ENV)
    if limit:
        print(f"stage {stage}", flush=True)
        time.sleep(random.uniform(0, float(limit)))
    if os.environ.get(STOP_ENV) == stage:
        print(f"stopped {stage}", flush=True)
        while True:
            time.sleep(60)


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    for directory, _, files in os.walk(path):
        for name in files:
            fsync_path(Path(directory) / name)
        fsync_path(Path(directory))


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def duckdb_connect(temp_directory: Path | None = None, *, memory_limit: str = "1GB",
                   threads: int = 2, preserve_order: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never downloads extensions and spills under the lake."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
        "threads": threads,
        "preserve_insertion_order": preserve_order,
    }
    if temp_directory is not None:
        temp_directory.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")  # a session option: never print to stdout
    return con


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fact_expressions(*, layout: int, source: str, reporter: str, batch_id: str | None) -> list[str]:
    """``<expression> AS <column>`` for each of FACT_COLUMNS over the files of a batch (DuckDB SQL).

    Layout 2 stores neither ``source`` nor ``batch_id`` (constants of the batch, from the manifest)
    and leaves ``source_key`` and ``reporter`` NULL where they take their default. ``batch_id=None``
    takes it from the hive-partitioning column ``batch`` (``facts/batch=<id>/``).
    """
    if layout < 2:
        return [f'"{c}"' for c in FACT_COLUMNS]
    computed = {
        "source": _literal(source),
        "source_key": f"coalesce(source_key, {DEFAULT_SOURCE_KEY_SQL})",
        "reporter": f"coalesce(reporter, {_literal(reporter)})",
        "batch_id": _literal(batch_id) if batch_id is not None else "batch",
    }
    return [f'{computed[c]} AS "{c}"' if c in computed else f'"{c}"' for c in FACT_COLUMNS]


class Lake:
    def __init__(self, root: Path | str, *, collect_garbage: bool = True):
        self.root = Path(root)
        for sub in ("facts", "meta", "sources", "staging", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if not (self.root / ".lock").exists():  # a reader (the cube) opening the lake must not even touch it
            (self.root / ".lock").touch(exist_ok=True)
        if collect_garbage:
            self.collect_garbage()

    # ---------------------------------------------------------------- manifest
    def batches(self) -> list[BatchRecord]:
        path = self.root / MANIFEST
        if not path.exists():
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
        return [BatchRecord.from_json(b) for b in data["batches"]]

    def get(self, batch_id: str) -> BatchRecord:
        for batch in self.batches():
            if batch.id == batch_id:
                return batch
        raise LakeError(f"There is no batch {batch_id}.", f"دسته‌ای با شناسه {batch_id} وجود ندارد.")

    def find_by_sha256(self, sha256: str) -> BatchRecord | None:
        return next((b for b in self.batches() if b.sha256 == sha256), None)

    def _write_manifest(self, batches: list[BatchRecord]) -> None:
        data = {"version": 1, "batches": [asdict(b) for b in batches]}
        temp = self.root / f".{MANIFEST}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        pause_point("manifest-replace")
        os.replace(temp, self.root / MANIFEST)
        fsync_path(self.root)

    # ---------------------------------------------------------------- locking
    @contextlib.contextmanager
    def writer(self, *, blocking: bool = True) -> Iterator[bool]:
        """Hold the single-writer lock. With blocking=False, yields False when someone else has it."""
        with open(self.root / ".lock", "r+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def collect_garbage(self, *, dry_run: bool = False) -> list[str] | None:
        """Remove what a killed writer left: staging dirs, DuckDB spill files, manifest temp files
        and files no manifest entry names. Returns the removed paths (relative to the root), or
        None when another process holds the writer lock (its work in progress is alive)."""
        with self.writer(blocking=False) as locked:
            if not locked:
                return None
            orphans = self.orphans()
            if not dry_run:
                for relative in orphans:
                    path = self.root / relative
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
            return orphans

    def orphans(self) -> list[str]:
        """Paths under the root that no manifest entry names (only meaningful under the writer lock)."""
        batches = self.batches()
        ids = {b.id for b in batches}
        shas = {b.sha256 for b in batches}
        found: list[Path] = [*(self.root / "staging").iterdir(), *(self.root / "tmp").iterdir(),
                             *self.root.glob(f".{MANIFEST}.*.tmp")]
        for sub in ("facts", "meta"):
            found += [c for c in (self.root / sub).iterdir() if c.name.removeprefix("batch=") not in ids]
        found += [c for c in (self.root / "sources").iterdir() if c.name not in shas]
        return sorted(str(p.relative_to(self.root)) for p in found)

    # ---------------------------------------------------------------- writing
    @staticmethod
    def new_batch_id() -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)

    def staging_dir(self, batch_id: str) -> Path:
        path = self.root / "staging" / batch_id
        (path / "facts").mkdir(parents=True, exist_ok=True)
        (path / "meta").mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, record: BatchRecord, staging: Path) -> BatchRecord:
        """Publish a staged batch. Caller holds ``writer()``. Any crash leaves before or after:
        renamed directories are invisible until the manifest names them, and the manifest is
        replaced atomically; garbage collection removes the rest."""
        fsync_tree(staging)
        pause_point("staged")
        facts = self.root / "facts" / f"batch={record.id}"
        os.rename(staging / "facts", facts)
        fsync_path(self.root / "facts")
        pause_point("facts-renamed")
        os.rename(staging / "meta", self.root / "meta" / f"batch={record.id}")
        source = staging / "source"
        if source.exists():
            os.rename(source, self.root / "sources" / record.sha256)
        fsync_path(self.root / "meta")
        fsync_path(self.root / "sources")
        pause_point("meta-renamed")
        files = tuple(sorted(str(p.relative_to(self.root)) for p in facts.glob("*.parquet")))
        record = replace(record, files=files)
        self._write_manifest([*self.batches(), record])
        pause_point("manifest-written")
        shutil.rmtree(staging, ignore_errors=True)
        return record

    def _set_status(self, batch_id: str, status: str, by: str) -> BatchRecord:
        batches = self.batches()
        updated = None
        for index, batch in enumerate(batches):
            if batch.id == batch_id:
                updated = replace(batch, status=status, status_changed_at=now_iso(), status_changed_by=by)
                batches[index] = updated
        if updated is None:
            raise LakeError(f"There is no batch {batch_id}.", f"دسته‌ای با شناسه {batch_id} وجود ندارد.")
        self._write_manifest(batches)
        return updated

    def withdraw(self, batch_id: str, *, by: str = "") -> BatchRecord:
        with self.writer():
            if self.get(batch_id).status == "withdrawn":
                raise LakeError(f"Batch {batch_id} is already withdrawn.",
                                f"دسته {batch_id} پیش‌تر پس گرفته شده است.")
            return self._set_status(batch_id, "withdrawn", by)

    def restore(self, batch_id: str, *, by: str = "") -> BatchRecord:
        """Make a withdrawn batch active again, unless its keys now overlap an active batch."""
        with self.writer():
            batch = self.get(batch_id)
            if batch.status == "active":
                raise LakeError(f"Batch {batch_id} is already active.", f"دسته {batch_id} هم‌اکنون فعال است.")
            con = duckdb_connect(self.root / "tmp")
            try:
                others = [b for b in self.batches() if b.status == "active" and b.source == batch.source
                          and b.files]
                if others and batch.files:
                    row = con.execute(
                        f"SELECT o.batch_id, count(*) FROM ({self.facts_sql([batch])}) m "
                        f"JOIN ({self.facts_sql(others)}) o USING (source, source_key) "
                        f"GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
                    if row:
                        raise LakeError(
                            f"Cannot restore batch {batch_id}: {row[1]} of its rows have natural keys "
                            f"already loaded by active batch {row[0]}. Withdraw {row[0]} first.",
                            f"بازگردانی دسته {batch_id} ممکن نیست: کلید {row[1]} سطر آن در دسته فعال "
                            f"{row[0]} بارگذاری شده است. ابتدا {row[0]} را پس بگیرید.")
            finally:
                con.close()
            return self._set_status(batch_id, "active", by)

    # ---------------------------------------------------------------- reading
    def active_files(self, source: str | None = None) -> list[Path]:
        """The Parquet files of the active batches. They do not hold every fact column (see
        ``schema.STORED_COLUMNS``): read facts through :meth:`facts_sql` / :meth:`create_facts_view`."""
        return [self.root / f for b in self.active_batches(source) for f in b.files]

    def active_batches(self, source: str | None = None) -> list[BatchRecord]:
        return [b for b in self.batches() if b.status == "active" and (source is None or b.source == source)]

    def facts_sql(self, batches: list[BatchRecord]) -> str:
        """A DuckDB SELECT of FACT_COLUMNS over the files of ``batches`` (the only way to read them).

        Layout-2 batches of one source and reporter are read by one ``read_parquet`` (batch ids
        from the ``batch=<id>`` directories); each group is a branch of a UNION ALL whose constant
        ``source`` lets a filter on the source skip whole branches.
        """
        hive = "=" not in str(self.root.resolve())  # else the lake's own path would add partitions
        groups: dict[tuple[int, str, str, str | None], list[str]] = {}
        for batch in batches:
            if not batch.files:
                continue
            key = (batch.layout, batch.source, batch.reporter,
                   None if hive and batch.layout >= 2 else batch.id)
            groups.setdefault(key, []).extend(str(self.root / f) for f in batch.files)
        branches = []
        for (layout, source, reporter, batch_id), files in groups.items():
            listing = ", ".join(_literal(f) for f in files)
            options = ", hive_partitioning = true, hive_types = {'batch': VARCHAR}" if batch_id is None \
                else ", hive_partitioning = false"
            columns = ", ".join(fact_expressions(layout=layout, source=source, reporter=reporter, batch_id=batch_id))
            branches.append(f"SELECT {columns} FROM read_parquet([{listing}]{options})")
        if not branches:
            typed = ", ".join(f'CAST(NULL AS {DUCKDB_TYPES[c]}) AS "{c}"' for c in FACT_COLUMNS)
            return f"SELECT {typed} WHERE false"
        return " UNION ALL ".join(branches)

    def create_facts_view(self, con: duckdb.DuckDBPyConnection, name: str = "facts") -> None:
        """Create (or replace) a DuckDB view over the active batches; empty with the schema if none."""
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {self.facts_sql(self.active_batches())}')

    def spark_facts(self, spark: Any) -> Any:
        """The active facts as a Spark DataFrame of FACT_COLUMNS: the rule of :meth:`facts_sql`
        (source, batch_id, default source_key and reporter added to layout-2 files) in Spark."""
        from functools import reduce

        from pyspark.sql import functions as F

        frames = []
        for batch in self.active_batches():
            if not batch.files:
                continue
            frame = spark.read.parquet(*(str(self.root / f) for f in batch.files))
            if batch.layout >= 2:
                default_key = F.concat(F.col("declaration_id"), F.lit("#"), F.col("line_no").cast("string"))
                frame = (frame.withColumn("source", F.lit(batch.source))
                         .withColumn("source_key", F.coalesce(F.col("source_key"), default_key))
                         .withColumn("reporter", F.coalesce(F.col("reporter"), F.lit(batch.reporter)))
                         .withColumn("batch_id", F.lit(batch.id)))
            frames.append(frame.select(*FACT_COLUMNS))
        if not frames:
            schema = ", ".join(f"`{c}` {DUCKDB_TYPES[c].replace('VARCHAR', 'STRING')}" for c in FACT_COLUMNS)
            return spark.createDataFrame([], schema)
        return reduce(lambda a, b: a.unionByName(b), frames)

    def facts_relation(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
        self.create_facts_view(con)
        return con.table("facts")

    def source_path(self, batch: BatchRecord) -> Path:
        return self.root / "sources" / batch.sha256

    def issues_path(self, batch_id: str) -> Path:
        return self.root / "meta" / f"batch={batch_id}" / "issues.parquet"

    def quarantine_path(self, batch_id: str) -> Path:
        return self.root / "meta" / f"batch={batch_id}" / "quarantine.parquet"
