"""Engines that hold the facts: DuckDB over the Parquet lake (default), PostgreSQL, Spark.

Each engine turns the lake's active batches plus the dimension tables into a :class:`Source`;
the compiled query is the same Ibis expression everywhere. DuckDB also keeps rollups — aggregates
of the facts at coarser grains — and answers from the smallest one that holds every column a
query needs; they are rebuilt when the manifest changes (a batch loaded, withdrawn or restored).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from payesh.cube.compile import Source, needed_columns
from payesh.cube.query import CubeQuery
from payesh.ledger.core import FACT_COLUMNS, Lake
from payesh.ledger.core.schema import DUCKDB_TYPES

DIM_TABLES = ("dim_country", "dim_region", "dim_chapter", "dim_section", "dim_product", "dim_office", "dim_market",
              "dim_province", "dim_county", "concordance")

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


def _quote_list(paths: Iterable[Path]) -> str:
    return ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)


class DuckDBEngine:
    """DuckDB in-process over the lake. Thread-safe: one connection per fingerprint, queries serialised."""

    name = "duckdb"

    def __init__(self, lake_root: Path, dims_dir: Path, *, rollups: bool = True, threads: int = 2) -> None:
        self.lake = Lake(lake_root, collect_garbage=False)
        self.dims_dir = dims_dir
        self.use_rollups = rollups
        self.threads = threads
        self._lock = threading.RLock()
        self._state: tuple[str, Any] | None = None
        self._built_rollups: set[str] = set()
        self._sources: dict[str | None, Source] = {}

    def _backend(self) -> Any:
        fingerprint = lake_fingerprint(self.lake) + "|" + _dims_fingerprint(self.dims_dir)
        if self._state is not None and self._state[0] == fingerprint:
            return self._state[1]
        backend = ibis.duckdb.connect(threads=self.threads)
        raw = backend.con
        raw.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false")
        self.lake.create_facts_view(raw, "facts")
        for name in DIM_TABLES:
            path = self.dims_dir / f"{name}.parquet"
            if path.exists():
                raw.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM read_parquet({_quote_list([path])})')
        self._state = (fingerprint, backend)
        self._built_rollups = set()
        self._sources = {}
        return backend

    def _rollup_for(self, query: CubeQuery) -> str | None:
        if not self.use_rollups:
            return None
        from payesh.cube.compile import _needed_measures
        from payesh.cube.model import CUBE

        base, _ = _needed_measures(CUBE, query.measures)
        if any(m.formula.startswith("count_distinct") for m in base):
            return None
        needed = needed_columns(query)
        for name, grain in ROLLUPS.items():
            if needed <= set(grain):
                return name
        return None

    def _ensure_rollup(self, backend: Any, name: str) -> None:
        if name in self._built_rollups:
            return
        grain = ", ".join(f'"{c}"' for c in ROLLUPS[name])
        backend.con.execute(
            f'CREATE OR REPLACE TABLE "rollup_{name}" AS SELECT {grain}, sum(value_usd) AS value_usd, '
            f'sum(net_weight_kg) AS net_weight_kg, count(*) AS _rows FROM facts GROUP BY ALL '
            # Perf (cube benchmark): stored in period order, so the zone maps skip other years.
            f'ORDER BY "jalali_year", "jalali_month"')
        self._built_rollups.add(name)

    def source(self, query: CubeQuery) -> Source:
        with self._lock:
            backend = self._backend()
            rollup = self._rollup_for(query)
            cached = self._sources.get(rollup)
            if cached is not None:
                return cached
            if rollup:
                self._ensure_rollup(backend, rollup)
            facts = backend.table(f"rollup_{rollup}" if rollup else "facts")
            tables = set(backend.list_tables())
            dims = {n: backend.table(n) for n in DIM_TABLES if n in tables}
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
        """Build the connection and every rollup now (after a load) instead of on the first page view."""
        with self._lock:
            backend = self._backend()
            for name in ROLLUPS:
                if self.use_rollups:
                    self._ensure_rollup(backend, name)


def _dims_fingerprint(dims_dir: Path) -> str:
    # The dimension files are replaced together (cube_dims_export); the country table stands for all.
    marker = dims_dir / "dim_country.parquet"
    return str(marker.stat().st_mtime_ns) if marker.exists() else "none"


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
            reader = con.execute(f"SELECT {', '.join(FACT_COLUMNS)} FROM facts").fetch_record_batch(100_000)
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
            pg.commit()
        self._synced = lake_fingerprint(self.lake)

    def source(self, query: CubeQuery) -> Source:
        if self._synced != lake_fingerprint(self.lake):
            self.sync()
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
