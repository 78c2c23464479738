"""Schemathesis: requests generated from /api/openapi.json never make the API answer 5xx.

The lake holds a small synthetic demo ledger; facts and batches are called with a valid token so
the fuzzing reaches past authentication. Requests that fit the schema and requests that break it
(negative mode) are both sent; bounded examples per operation keep this within a minute or two.

One test drives every operation and then checks that the fuzzing saw both answers (200) and
refusals (400) — in the same test, so the check cannot depend on which tests ran before it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from payesh.wsgi import application

# Building the schema needs no database: the OpenAPI document is generated from the code.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
EXAMPLES_PER_OPERATION = 40


@pytest.fixture(autouse=True)
def _keep_the_test_connection():  # type: ignore[no-untyped-def]
    """Raw WSGI calls fire request_started/finished, whose handler closes the database connection —
    on PostgreSQL that would close the test's own transaction (Django's test client unhooks it too)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def synthetic_ledger(tmp_path, analyst):  # type: ignore[no-untyped-def]
    from payesh.ledger.demo_data import generate
    from payesh.ledger.services import batch_ingest

    for path in generate(tmp_path / "demo", rows=3000, years=[1401, 1402]):
        assert batch_ingest(path=path, user=analyst).status == "active"


def _cases(operation):  # type: ignore[no-untyped-def]
    """Valid and invalid requests of one operation (an operation without parameters has no invalid ones)."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    if not (operation.query or operation.path_parameters or operation.headers or operation.body):
        return positive
    return st.one_of(positive, operation.as_strategy(GenerationMode.NEGATIVE))


def _fuzz(operation, bearer: dict[str, str], seen: list[int]) -> None:  # type: ignore[no-untyped-def]
    @given(case=_cases(operation))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call_and_validate(headers=bearer, checks=[not_a_server_error])
        seen.append(response.status_code)

    call()


@pytest.mark.slow
@pytest.mark.django_db
def test_no_request_makes_the_api_fail(synthetic_ledger, bearer) -> None:  # type: ignore[no-untyped-def]
    statuses: dict[str, list[int]] = {}
    for operation in OPERATIONS:
        _fuzz(operation, bearer, statuses.setdefault(operation.label, []))
    assert all(statuses.values()), f"operations never called: {[k for k, v in statuses.items() if not v]}"
    every = [status for seen in statuses.values() for status in seen]
    assert 200 in every and 400 in every, statuses
    assert 200 in statuses["GET /api/cube"] and 400 in statuses["GET /api/cube"]
