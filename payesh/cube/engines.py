"""Engines that hold the facts: DuckDB over the Parquet lake (default), PostgreSQL, Spark.

Each engine turns the lake's active batches plus the dimension tables into a :class:`Source`;
the compiled query is the same Ibis expression everywhere. DuckDB also answers from rollups —
aggregates of the facts at coarser grains — choosing the smallest one that holds every column a
query needs.

Reading never writes. The writer side is :meth:`DuckDBEngine.refresh` / :meth:`PostgresEngine.sync`,
run by ``payesh.cube.refresh.cube_refresh`` when the ledger commits, withdraws or restores a batch:
rollups are written as Parquet files under ``<lake>/rollups/<lake version>/`` (so every process
shares them), and the PostgreSQL copy of the facts is replaced. A reader uses the rollups of the
current lake version when they exist and the facts otherwise.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from payesh.cube.compile import Source, _needed_measures, needed_columns
from payesh.cube.dims import DIM_TABLES, dim_read, dims_fingerprint
from payesh.cube.model import CUBE
from payesh.cube.query import CubeQuery
from payesh.ledger.core import FACT_COLUMNS, Lake, duckdb_connect
from payesh.ledger.core.schema import DUCKDB_TYPES

ROLLUPS_FOLDER = "rollups"

# Grains of the DuckDB rollups, smallest first. A query is answered from the first rollup that has
# every column it needs (and no distinct count); otherwise from the facts.
ROLLUPS: dict[str, tuple[str, ...]] = {
    # Perf (cube benchmark): products by customs office (the overview's "top products" in the region's
    # offices, the product pages) — about a third of ``by_product``, which also keeps partner and origin.
    "by_product_office": ("source", "jalali_year", "jalali_month", "flow", "hs_revision", "hs_code",
                          "customs_office"),
    "by_route": ("source", "jalali_year", "jalali_month", "flow", "customs_office", "channel", "border_market", "partner",
                 "origin_province", "origin_county", "transport_mode"),
    "by_product": ("source", "jalali_year", "jalali_month", "flow", "hs_revision", "hs_code", "partner", "customs_office",
                   "channel", "origin_province"),
}


class Engine(Protocol):
    name: str

    def source(self, query: CubeQuery) -> Source: ...


def lake_fingerprint(lake: Lake) -> str:
    """Changes whenever a batch is committed, withdrawn or restored (the manifest is replaced)."""
    manifest = lake.root / "manifest.json"
    if not manifest.exists():
        return "empty"
    stat = manifest.stat()
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


def _revisions(lake: Lake) -> frozenset[str]:
    """The HS revisions the active facts carry (the cube converts every other one to the query's).

    Fix (cube parity suite): this used to read ``BatchRecord.hs_revision``, but that is only the
    load's *default* revision: a file with its own ``hs_revision`` column is recorded with ``None``
    (and a row's own value wins over the default), so HS92/HS22 rows were silently treated as HS12.
    The revisions are now read from the rows themselves, cheaply: the Parquet footer statistics of
    each row group (the column is read only when a row group mixes revisions). Lake files are
    immutable, so the answer is cached by the list of active files.
    """
    return _file_revisions(tuple(str(p) for p in lake.active_files()))


@lru_cache(maxsize=64)
def _file_revisions(files: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for path in files:
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
        index = meta.schema.names.index("hs_revision")
        for group in range(meta.num_row_groups):
            if meta.row_group(group).num_rows == 0:
                continue
            stats = meta.row_group(group).column(index).statistics
            if stats is not None and stats.has_min_max and stats.min == stats.max:
                found.add(stats.min.decode() if isinstance(stats.min, bytes) else str(stats.min))
            else:
                column = parquet.read_row_group(group, columns=["hs_revision"]).column(0)
                found.update(v for v in column.unique().to_pylist() if v)
    return frozenset(found) or frozenset({"HS12"})


def rollups_dir(lake: Lake) -> Path:
    """Where the rollups of the lake's current version are (or will be) written."""
    return lake.root / ROLLUPS_FOLDER / re.sub(r"[^0-9A-Za-z_-]", "_", lake_fingerprint(lake))


def _rollup_select(name: str) -> str:
    # Identifiers only (column names from ROLLUPS); no value is ever part of this text.
    grain = ", ".join(f'"{c}"' for c in ROLLUPS[name])
    return (f"SELECT {grain}, sum(value_usd) AS value_usd, sum(net_weight_kg) AS net_weight_kg, count(*) AS _rows "
            # Perf (cube benchmark): stored in period order, so the zone maps skip other years.
            f'FROM facts GROUP BY ALL ORDER BY "jalali_year", "jalali_month"')


class DuckDBEngine:
    """DuckDB in-process over the lake. Thread-safe: one connection per lake version, queries serialised."""

    name = "duckdb"

    def __init__(self, lake_root: Path, dims_dir: Path, *, rollups: bool = True, threads: int = 2) -> None:
        self.lake = Lake(lake_root, collect_garbage=False)
        self.dims_dir = dims_dir
        self.use_rollups = rollups
        self.threads = threads
        self._lock = threading.RLock()
        self._state: tuple[str, Any] | None = None
        self._rollups: set[str] = set()  # rollups of the current lake version, loaded from their files
        self._sources: dict[str | None, Source] = {}

    # ------------------------------------------------------------------ writer side
    def refresh(self) -> list[str]:
        """Write the rollups of the lake's current version (if not written yet); drop older versions.
        Returns the rollups written (none when they were up to date).

        Called by the writer (``cube_refresh`` after a batch is committed, withdrawn or restored),
        never on a read. Written aside and renamed, so a reader sees all of them or none.
        """
        if not self.use_rollups:
            return []
        target = rollups_dir(self.lake)
        parent = target.parent
        written: list[str] = []
        if not all((target / f"{name}.parquet").exists() for name in ROLLUPS):
            shutil.rmtree(target, ignore_errors=True)  # an incomplete folder (removed by hand): write it again
            parent.mkdir(parents=True, exist_ok=True)
            staging = parent / f".staging-{uuid.uuid4().hex}"
            staging.mkdir()
            try:
                con = duckdb_connect()
                version = lake_fingerprint(self.lake)
                self.lake.create_facts_view(con, "facts")
                for name in ROLLUPS:
                    con.execute(f"COPY ({_rollup_select(name)}) TO $path (FORMAT parquet)",
                                {"path": str(staging / f"{name}.parquet")})
                con.close()
                if lake_fingerprint(self.lake) != version or target.exists():
                    return []  # another commit came in meanwhile (its own refresh writes its rollups)
                os.replace(staging, target)
                written = list(ROLLUPS)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        for old in parent.iterdir():
            if old != target and not old.name.startswith(".staging-"):
                shutil.rmtree(old, ignore_errors=True)
        return written

    # ------------------------------------------------------------------ reader side
    def _backend(self) -> Any:
        # The rollups' folder of this version appears (renamed into place) after the commit that made
        # the version: a connection opened in between answers from the facts until it is there.
        has_rollups = self.use_rollups and rollups_dir(self.lake).exists()
        fingerprint = f"{lake_fingerprint(self.lake)}|{dims_fingerprint(self.dims_dir)}|{has_rollups}"
        if self._state is not None and self._state[0] == fingerprint:
            return self._state[1]
        backend = ibis.duckdb.connect(threads=self.threads)
        raw = backend.con
        raw.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false")
        self.lake.create_facts_view(raw, "facts")
        # In-memory copies of the small dimension tables (an unpublished one is an empty table).
        for name in DIM_TABLES:
            raw.register("_dimension", dim_read(self.dims_dir, name))
            raw.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _dimension')
            raw.unregister("_dimension")
        self._rollups = set()
        if has_rollups:
            folder = rollups_dir(self.lake)
            for name in ROLLUPS:
                try:
                    # In memory (not a view over the file): the rollups are small and read on every page.
                    raw.execute(f'CREATE TABLE "rollup_{name}" AS SELECT * FROM read_parquet($path)',
                                {"path": str(folder / f"{name}.parquet")})
                except duckdb.IOException:
                    continue  # a newer commit's refresh removed this version meanwhile: the facts answer
                self._rollups.add(name)
        self._state = (fingerprint, backend)
        self._sources = {}
        return backend

    def _rollup_for(self, query: CubeQuery) -> str | None:
        if not self.use_rollups:
            return None
        base, _ = _needed_measures(CUBE, query.measures)
        if any(m.formula.startswith("count_distinct") for m in base):
            return None
        needed = needed_columns(query)
        for name, grain in ROLLUPS.items():
            if needed <= set(grain) and name in self._rollups:
                return name
        return None

    def source(self, query: CubeQuery) -> Source:
        with self._lock:
            backend = self._backend()
            rollup = self._rollup_for(query)
            cached = self._sources.get(rollup)
            if cached is not None:
                return cached
            facts = backend.table(f"rollup_{rollup}" if rollup else "facts")
            dims = {n: backend.table(n) for n in DIM_TABLES}
            source = Source(facts=facts, dims=dims, execute=self._execute(backend), revisions=_revisions(self.lake),
                            rollup_columns=frozenset(ROLLUPS[rollup]) if rollup else None, sql_cache={},
                            execute_sql=self._execute_sql(backend), to_sql=lambda e: str(backend.compile(e)))
            self._sources[rollup] = source
            return source

    def _execute(self, backend: Any) -> Any:
        def run(expr: Any) -> pd.DataFrame:
            with self._lock:
                return backend.execute(expr)

        return run

    def _execute_sql(self, backend: Any) -> Any:
        def run(sql: str) -> pd.DataFrame:
            with self._lock:
                return backend.con.execute(sql).df()

        return run

    def warm(self) -> None:
        """Open the connection and load the rollups now (at start-up) instead of on the first page view."""
        with self._lock:
            self._backend()


class PostgresEngine:
    """PostgreSQL: the lake's active facts and the dimension tables copied into tables (``sync``)."""

    name = "postgres"

    def __init__(self, url: str, lake_root: Path, dims_dir: Path, *, schema: str = "payesh_cube") -> None:
        self.url, self.schema = url, schema
        self.lake = Lake(lake_root, collect_garbage=False)
        self.dims_dir = dims_dir
        self._synced: str | None = None
        self._backend: Any = None

    def sync(self) -> None:
        """Copy the active facts and the dimension tables into PostgreSQL (replaced whole)."""
        import psycopg

        from payesh.ledger.core import duckdb_connect

        con = duckdb_connect()
        self.lake.create_facts_view(con, "facts")
        pg_types = {"VARCHAR": "text", "DATE": "date", "SMALLINT": "smallint", "TINYINT": "smallint",
                    "INTEGER": "integer", "DOUBLE": "double precision", "BIGINT": "bigint"}
        with psycopg.connect(self.url, autocommit=False) as pg:
            pg.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            columns = ", ".join(f'"{c}" {pg_types[DUCKDB_TYPES[c]]}' for c in FACT_COLUMNS)
            pg.execute(f'DROP TABLE IF EXISTS "{self.schema}".facts')
            pg.execute(f'CREATE TABLE "{self.schema}".facts ({columns})')
            reader = con.execute(f"SELECT {', '.join(FACT_COLUMNS)} FROM facts").to_arrow_reader(100_000)
            with pg.cursor().copy(f'COPY "{self.schema}".facts FROM STDIN (FORMAT csv)') as copy:
                for batch in reader:
                    buffer = io.StringIO()
                    batch.to_pandas().to_csv(buffer, header=False, index=False)
                    copy.write(buffer.getvalue())
            for name in DIM_TABLES:
                path = self.dims_dir / f"{name}.parquet"
                if not path.exists():
                    continue
                table = pq.read_table(path)
                types = {pa.string(): "text", pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double precision"}
                cols = ", ".join(f'"{f.name}" {types.get(f.type, "text")}' for f in table.schema)
                pg.execute(f'DROP TABLE IF EXISTS "{self.schema}"."{name}"')
                pg.execute(f'CREATE TABLE "{self.schema}"."{name}" ({cols})')
                with pg.cursor().copy(f'COPY "{self.schema}"."{name}" FROM STDIN (FORMAT csv)') as copy:
                    buffer = io.StringIO()
                    table.to_pandas().to_csv(buffer, header=False, index=False)
                    copy.write(buffer.getvalue())
            # Fix (cube parity suite): without statistics on the fresh tables the planner estimated
            # one fact row and nested-looped facts × concordance: an HS92 question on 24 k rows
            # took 68 s instead of 0.04 s. ANALYZE is allowed inside the transaction.
            pg.execute(f'ANALYZE "{self.schema}".facts')
            for name in DIM_TABLES:
                if (self.dims_dir / f"{name}.parquet").exists():
                    pg.execute(f'ANALYZE "{self.schema}"."{name}"')
            version = lake_fingerprint(self.lake) + "|" + dims_fingerprint(self.dims_dir)
            pg.execute(f'DROP TABLE IF EXISTS "{self.schema}".synced')
            pg.execute(f'CREATE TABLE "{self.schema}".synced (version text)')
            pg.execute(f'INSERT INTO "{self.schema}".synced VALUES (%s)', (version,))
            pg.commit()
        self._synced = version

    def synced_version(self) -> str | None:
        """The lake version the PostgreSQL copy holds (None before the first ``sync``)."""
        import psycopg

        with psycopg.connect(self.url) as pg:
            found = pg.execute("SELECT to_regclass(%s)", (f'"{self.schema}".synced',)).fetchone()
            if found is None or found[0] is None:
                return None
            row = pg.execute(f'SELECT version FROM "{self.schema}".synced').fetchone()
        return str(row[0]) if row else None

    def source(self, query: CubeQuery) -> Source:
        # Reading never copies: the copy is replaced by ``sync`` on the writer's side (cube_refresh).
        if self._synced is None:
            self._synced = self.synced_version()
            if self._synced is None:
                from payesh.cube.query import CubeNotReady

                raise CubeNotReady("The PostgreSQL copy of the lake has not been made yet. It is made when a "
                                   "batch is loaded or withdrawn and by `payesh load-reference`.")
        if self._backend is None:
            # Fix (cube parity suite): Ibis 12's ``ibis.postgres.connect`` has no ``url`` argument (it
            # was passed to psycopg, which refused it); ``ibis.connect`` takes postgres:// URLs.
            self._backend = ibis.connect(self.url)
        backend = self._backend
        facts = backend.table("facts", database=self.schema)
        dims = {n: backend.table(n, database=self.schema) for n in DIM_TABLES
                if (self.dims_dir / f"{n}.parquet").exists()}
        return Source(facts=facts, dims=dims, execute=backend.execute, revisions=_revisions(self.lake))


class SparkEngine:
    """Spark (local or a cluster through SPARK_REMOTE): the lake's Parquet files read as temp views."""

    name = "spark"

    def __init__(self, lake_root: Path, dims_dir: Path, session: Any = None) -> None:
        self.lake = Lake(lake_root, collect_garbage=False)
        self.dims_dir = dims_dir
        self._session = session
        self._state: tuple[str, Any] | None = None

    def _spark(self) -> Any:
        if self._session is None:
            self._session = spark_session()
        return self._session

    def source(self, query: CubeQuery) -> Source:
        fingerprint = lake_fingerprint(self.lake)
        if self._state is None or self._state[0] != fingerprint:
            spark = self._spark()
            # The files do not hold every fact column: the lake adds the batch's constants.
            self.lake.spark_facts(spark).createOrReplaceTempView("facts")
            for name in DIM_TABLES:
                path = self.dims_dir / f"{name}.parquet"
                if path.exists():
                    spark.read.parquet(str(path)).createOrReplaceTempView(name)
            self._state = (fingerprint, ibis.pyspark.connect(spark))
        backend = self._state[1]
        dims = {n: backend.table(n) for n in DIM_TABLES if (self.dims_dir / f"{n}.parquet").exists()}
        return Source(facts=backend.table("facts"), dims=dims, execute=backend.execute,
                      revisions=_revisions(self.lake))


def spark_session() -> Any:
    import os
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master("local[2]").appName("payesh")
            .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())
