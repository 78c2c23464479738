"""Helpers shared by the parity modules: the hand-SQL reference runner and asking the cube."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from payesh.cube.engines import DIM_TABLES
from payesh.cube.query import CubeQuery
from payesh.cube.run import run_on
from payesh.ledger.core import Lake, duckdb_connect
from tests.cube.questions import Question


class Reference:
    """A DuckDB connection of its own (no cube code): ``facts`` view plus the dimension files as views."""

    def __init__(self, lake_root: Path, dims: Path) -> None:
        self.con: duckdb.DuckDBPyConnection = duckdb_connect(threads=2)
        Lake(lake_root, collect_garbage=False).create_facts_view(self.con, "facts")
        for name in DIM_TABLES:
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{dims / (name + '.parquet')}')")
        self._cache: dict[str, pd.DataFrame] = {}

    def answer(self, question: Question) -> pd.DataFrame:
        if question.id not in self._cache:
            self._cache[question.id] = self.con.execute(question.sql).df()
        return self._cache[question.id]


def ask(engine: object, question: Question, lake_root: Path) -> pd.DataFrame:
    return run_on(engine, CubeQuery.parse(question.params), lake_root).frame  # type: ignore[arg-type]


def keys(question: Question) -> list[str]:
    return list(CubeQuery.parse(question.params).drilldowns)
