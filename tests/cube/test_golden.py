"""Golden SQL: the DuckDB SQL the cube generates for three standard questions.

A change in the generated SQL (an Ibis/sqlglot upgrade, a compiler change, a rollup choice) fails here so
that it is looked at; regenerate on purpose with ``PAYESH_UPDATE_GOLDEN=1 pytest tests/cube/test_golden.py``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import sqlglot

from payesh.cube.compile import build
from payesh.cube.engines import DuckDBEngine
from payesh.cube.query import CubeQuery
from tests.cube.questions import BY_ID

GOLDEN = Path(__file__).parent / "golden"
# One from the route rollup, one from the product rollup with the HS concordance, one from the facts.
CASES = {
    "top5_partners_other": "rollup_by_route",
    "by_section_chapter": "rollup_by_product_office",
    "unit_value_declarations_by_chapter": "facts",
}


@pytest.fixture(scope="module")
def engine(cube_lake) -> DuckDBEngine:  # type: ignore[no-untyped-def]
    return DuckDBEngine(cube_lake.root, cube_lake.dims)


@pytest.mark.parametrize("question_id", list(CASES))
def test_generated_sql_matches_golden(engine: DuckDBEngine, question_id: str) -> None:
    query = CubeQuery.parse(BY_ID[question_id].params)
    source = engine.source(query)
    generated = source.to_sql(build(query, source))  # type: ignore[misc]
    # Pretty-printed so that a diff shows what changed (a deterministic function of the generated text).
    sql = sqlglot.parse_one(generated, dialect="duckdb").sql(dialect="duckdb", pretty=True) + "\n"
    assert f'"{CASES[question_id]}"' in sql, f"{question_id} no longer reads {CASES[question_id]}"
    path = GOLDEN / f"{question_id}.sql"
    if os.environ.get("PAYESH_UPDATE_GOLDEN") == "1":
        path.write_text(sql, encoding="utf-8")
        pytest.skip(f"rewrote {path.name}")
    assert path.exists(), f"{path} is missing; run with PAYESH_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    if sql != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), sql.splitlines(True), "golden", "generated"))
        pytest.fail(f"generated SQL for {question_id} changed (PAYESH_UPDATE_GOLDEN=1 to accept):\n{diff}")
