"""Run cube queries with the configured engine and label the results (captions in both languages)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from payesh.cube import compile as compiler
from payesh.cube.engines import DuckDBEngine, Engine, PostgresEngine, SparkEngine
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


def dims_dir(lake_root: Path) -> Path:
    return lake_root / "dims"


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


def run_on(engine: Engine, query: CubeQuery, lake_root: Path) -> CubeResult:
    started = time.perf_counter()
    frame = compiler.execute(query, engine.source(query))
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
