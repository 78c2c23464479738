"""Schemathesis: requests generated from /api/openapi.json never make the API answer 5xx.

The lake holds a small synthetic demo ledger; facts and batches are called with a valid token so
the fuzzing reaches past authentication. Requests that fit the schema and requests that break it
(negative mode) are both sent; bounded examples per operation keep this under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from payesh.wsgi import application

# Building the schema needs no database: the OpenAPI document is generated from the code.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
STATUSES: list[int] = []


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


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case, synthetic_ledger, bearer) -> None:  # type: ignore[no-untyped-def]
    response = case.call_and_validate(headers=bearer, checks=[not_a_server_error])
    STATUSES.append(response.status_code)


def test_the_fuzzing_reached_both_answers_and_refusals() -> None:
    """Runs after the fuzz (same module): it must have seen 200s and 400s, not only one kind."""
    if not STATUSES:
        pytest.skip("the fuzz test did not run in this session")
    assert 200 in STATUSES and 400 in STATUSES
