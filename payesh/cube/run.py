"""Run cube queries with the configured engine and label the results (captions in both languages).

The read side of the cube: :func:`run`, :func:`facts` and :func:`query_parse` never write — not the
lake, not a DuckDB file, not PostgreSQL. The writer side is ``payesh.cube.refresh``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from payesh.cube.compile import build_rows, execute
from payesh.cube.dims import dims_dir
from payesh.cube.engines import DuckDBEngine, Engine, PostgresEngine, SparkEngine
from payesh.cube.members import members_check
from payesh.cube.model import CUBE, FIXED_CAPTIONS
from payesh.cube.query import CubeQuery

_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()


@dataclass
class CubeResult:
    query: CubeQuery
    frame: pd.DataFrame
    engine: str
    elapsed_ms: float
    dims_dir: Path

    def labelled(self, language: str) -> pd.DataFrame:
        """The frame with a ``<level>_caption`` column after each drilldown key."""
        frame = self.frame.copy()
        for level in self.query.drilldowns:
            names = caption_map(self.dims_dir, level, self.query.hs_revision)
            fa = (language or "fa").startswith("fa")
            other = "سایر" if fa else "Other"

            def caption(key: Any, names: dict[str, tuple[str, str]] = names, fa: bool = fa,
                        other: str = other) -> str:
                if key == "__other__":
                    return other
                if key is None or (isinstance(key, float) and pd.isna(key)) or key is pd.NA:
                    return "نامعلوم" if fa else "Unknown"
                pair = names.get(str(key))
                return (pair[1] or pair[0]) if pair and fa else (pair[0] if pair else str(key))

            position = list(frame.columns).index(level) + 1
            frame.insert(position, f"{level}_caption", frame[level].map(caption))
        return frame


def engine_for(name: str, lake_root: Path, database_url: str = "") -> Engine:
    key = (name, str(lake_root))
    with _engines_lock:
        if key not in _engines:
            if name == "duckdb":
                _engines[key] = DuckDBEngine(lake_root, dims_dir(lake_root))
            elif name == "postgres":
                _engines[key] = PostgresEngine(database_url, lake_root, dims_dir(lake_root))
            elif name == "spark":
                _engines[key] = SparkEngine(lake_root, dims_dir(lake_root))
            else:
                raise ValueError(f"unknown engine {name!r}")
        return _engines[key]


def configured() -> tuple[Engine, Path]:
    """The engine of ``PAYESH_ENGINE`` over ``PAYESH_LAKE`` (one per process and lake)."""
    from django.conf import settings

    lake = Path(settings.PAYESH_LAKE)
    url = ""
    if settings.PAYESH_ENGINE == "postgres":
        db = settings.DATABASES["default"]
        url = (f"postgresql://{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@{db.get('HOST') or '127.0.0.1'}:"
               f"{db.get('PORT') or 5432}/{db['NAME']}")
    return engine_for(settings.PAYESH_ENGINE, lake, url), lake


def warm() -> None:
    """Open the engine (connection, rollups loaded into memory) so the first page view is fast."""
    engine, _lake = configured()
    warm_engine = getattr(engine, "warm", None)
    if warm_engine is not None:
        warm_engine()


def run(query: CubeQuery) -> CubeResult:
    """Answer a query with the configured engine (``PAYESH_ENGINE``) over the configured lake.

    Answers are kept per lake version (``payesh.cube.cache``): a page asks some questions several times
    (the months held, the same total for a sentence and a chart), and a batch change makes every kept
    answer unreachable, so a stale number is never returned. Each caller gets its own copy of the frame,
    so one caller's edits cannot leak into another's answer.
    """
    from payesh.cube.cache import answer_cached  # here, not at the top: cache imports the ledger's lake

    engine, lake = configured()
    kept = answer_cached(("cube.run", query), lambda: run_on(engine, query, lake))
    return replace(kept, frame=kept.frame.copy())


def facts(query: CubeQuery, *, limit: int = 100, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """The fact rows behind a cube cell (period and cuts of ``query``), newest first, and their count.

    Always read from the facts, never from a rollup; product cuts use each row's own HS revision.
    """
    engine, _lake = configured()
    source = engine.source(query.with_(measures=("declarations",), drilldowns=()))  # forces the facts source
    rows = build_rows(query, source)
    total = int(source.execute(rows.count()))
    page = rows.order_by([rows.declaration_date.desc(), rows.declaration_id, rows.line_no]).limit(limit, offset=offset)
    return source.execute(page), total


def query_parse(params: Mapping[str, str | list[str]]) -> CubeQuery:
    """A question from URL parameters, checked like :meth:`CubeQuery.parse` and, in addition, every
    member a cut names must exist in its level (:class:`CubeError` naming member and level)."""
    query = CubeQuery.parse(params)
    _engine, lake = configured()
    members_check(query.cuts, dims_dir(lake))
    return query


def run_on(engine: Engine, query: CubeQuery, lake_root: Path) -> CubeResult:
    started = time.perf_counter()
    frame = execute(query, engine.source(query))
    return CubeResult(query, frame, engine.name, 1000 * (time.perf_counter() - started), dims_dir(lake_root))


@lru_cache(maxsize=64)
def _caption_table(path: str, mtime: int) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def caption_map(dims: Path, level: str, revision: str) -> dict[str, tuple[str, str]]:
    spec = CUBE.levels[level].captions
    if not spec:
        return {}
    if spec in FIXED_CAPTIONS:
        return FIXED_CAPTIONS[spec]
    table, key = spec.split(".")
    path = dims / f"{table}.parquet"
    if not path.exists():
        return {}
    frame = _caption_table(str(path), path.stat().st_mtime_ns)
    if table == "dim_product":
        frame = frame[frame["revision"] == revision]
    return {str(k): (en, fa) for k, en, fa in zip(frame[key], frame["name_en"], frame["name_fa"], strict=True)}
