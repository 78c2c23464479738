"""Engine parity on Spark local (marker ``spark``): the same standard questions as ``test_parity``.

Needs ``pyspark>=3.5,<4.1`` and ``ibis-framework[pyspark]`` in the venv and a Java 17 runtime; skipped with
the reason otherwise. One Spark session for the module (≈ 25 s to start); ``payesh.cube.engines.spark_session``
sets PYSPARK_PYTHON, SPARK_LOCAL_IP and ``spark.sql.shuffle.partitions=2``.
"""

from __future__ import annotations

import shutil

import pytest

from tests.cube.engines import Reference, ask, keys
from tests.cube.questions import QUESTIONS, Question, assert_same

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(cube_lake):  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'pyspark>=3.5,<4.1')")
    pytest.importorskip("ibis.backends.pyspark", reason="ibis-framework[pyspark] is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH (Spark needs Java 17)")
    from payesh.cube.engines import SparkEngine, spark_session

    session = spark_session()
    yield SparkEngine(cube_lake.root, cube_lake.dims, session)
    session.stop()


@pytest.fixture(scope="module")
def reference(cube_lake) -> Reference:  # type: ignore[no-untyped-def]
    return Reference(cube_lake.root, cube_lake.dims)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_parity_spark(spark, question: Question, reference: Reference, cube_lake) -> None:  # type: ignore[no-untyped-def]
    expected = reference.answer(question)
    actual = ask(spark, question, cube_lake.root)
    assert_same(actual, expected, keys(question), label=f"spark/{question.id}")
