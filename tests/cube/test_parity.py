"""Engine parity: every standard question gives the same answer on each engine as the hand-written SQL.

Engines: DuckDB answering from its rollups, DuckDB answering from the facts (``rollups=False``),
PostgreSQL (skipped when no server answers). Spark is in ``test_parity_spark.py`` (marker ``spark``).
"""

from __future__ import annotations

import pytest

from payesh.cube.engines import DuckDBEngine, PostgresEngine
from payesh.cube.query import CubeQuery
from tests.cube.engines import Reference, ask, keys
from tests.cube.questions import QUESTIONS, Question, assert_same


@pytest.fixture(scope="module")
def reference(cube_lake) -> Reference:  # type: ignore[no-untyped-def]
    return Reference(cube_lake.root, cube_lake.dims)


@pytest.fixture(scope="module")
def duckdb_rollups(cube_lake) -> DuckDBEngine:  # type: ignore[no-untyped-def]
    engine = DuckDBEngine(cube_lake.root, cube_lake.dims)
    engine.warm()  # loads the rollups the fixture's refresh wrote
    return engine


@pytest.fixture(scope="module")
def duckdb_facts(cube_lake) -> DuckDBEngine:  # type: ignore[no-untyped-def]
    return DuckDBEngine(cube_lake.root, cube_lake.dims, rollups=False)


@pytest.fixture(scope="module")
def postgres(cube_lake, postgres_url) -> PostgresEngine:  # type: ignore[no-untyped-def]
    engine = PostgresEngine(postgres_url, cube_lake.root, cube_lake.dims)
    engine.sync()
    yield engine
    if engine._backend is not None:  # close the Ibis connection before the database is dropped
        engine._backend.disconnect()


ENGINES = ("duckdb_rollups", "duckdb_facts", pytest.param("postgres", marks=pytest.mark.postgres))


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
@pytest.mark.parametrize("engine_name", ENGINES)
def test_parity(engine_name: str, question: Question, reference: Reference, cube_lake, request) -> None:  # type: ignore[no-untyped-def]
    engine = request.getfixturevalue(engine_name)
    expected = reference.answer(question)
    actual = ask(engine, question, cube_lake.root)
    assert_same(actual, expected, keys(question), label=f"{engine_name}/{question.id}")


def test_reference_is_not_trivial(reference: Reference) -> None:
    """Guard against a parity that holds because both sides are empty."""
    for question in QUESTIONS:
        frame = reference.answer(question)
        assert len(frame) >= 1, question.id
    assert len(reference.answer(QUESTIONS[2])) == 6  # top 5 + other
    revisions = reference.con.execute("SELECT list(DISTINCT hs_revision ORDER BY hs_revision) FROM facts").fetchone()
    assert revisions[0] == ["HS12", "HS22", "HS92"]


def test_rollups_are_used(duckdb_rollups: DuckDBEngine) -> None:
    """The DuckDB leg with rollups really answers from rollups where a rollup can (else it tests nothing new)."""
    chosen = {q.id: duckdb_rollups._rollup_for(CubeQuery.parse(q.params)) for q in QUESTIONS}
    assert chosen["top5_partners_other"] == "by_route"
    assert chosen["sankey_county_office_partner"] == "by_route"
    assert chosen["by_section_chapter"] == "by_product_office"
    assert chosen["hs92_subheadings_top15"] == "by_product_office"
    assert chosen["hs22_headings_of_sections"] == "by_product_office"
    assert chosen["unit_value_declarations_by_chapter"] is None  # distinct count: facts only
    assert chosen["gregorian_year_by_transport"] is None  # Gregorian date is not in a rollup


def test_revisions_come_from_the_rows(duckdb_facts: DuckDBEngine) -> None:
    """HS92/HS22 files loaded without a load-level revision are still converted (batch record says None)."""
    from payesh.cube.engines import _revisions

    assert _revisions(duckdb_facts.lake) == frozenset({"HS12", "HS22", "HS92"})
    assert any(b.hs_revision is None for b in duckdb_facts.lake.batches())
