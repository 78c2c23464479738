"""The demo document on a synthetic ledger: its shape, and for every computed KPI `/api/cube?<cube>`
answers one row whose measure equals the KPI's actual (through the token API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from payesh.strategy.models import Kpi

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    from payesh.core.services import demo_users_create
    from payesh.ledger.demo_data import generate
    from payesh.ledger.services import batch_ingest
    from payesh.strategy.demo import strategy_demo_load

    demo_users_create()
    for path in generate(tmp_path / "demo", rows=20_000):
        assert batch_ingest(path=path).status == "active"
    document = strategy_demo_load()
    assert strategy_demo_load() == document  # loading again changes nothing
    return document


def test_demo_document_and_every_computed_kpi_equals_api_cube(demo, client) -> None:
    from payesh.api.services import api_token_create
    from payesh.core.models import User

    v1, v2 = demo.versions.order_by("number")
    assert (v1.status, v2.status) == ("approved", "consultation")
    assert v1.votes.filter(choice="approve").count() == 2
    assert v2.rounds.filter(closed_at__isnull=True).count() == 1
    assert set(v1.goals.values_list("code", flat=True)) == {"G1", "G1.1", "G2", "G3", "G4", "G5"}
    assert v1.actions.exclude(reports=None).exists()
    reported = Kpi.objects.filter(version=v1, source="reported")
    assert {r.review_status for k in reported for r in k.reports.all()} >= {"approved", "returned"}
    from payesh.strategy import selectors

    states = {s.state for s in selectors.version_dashboard(v1).actions}
    assert "overdue" in states and "in_progress" in states

    key = api_token_create(user=User.objects.get(username="viewer"), name="t")[1]
    answer = client.get(f"/api/strategy/documents/{demo.pk}/kpis", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.content
    computed = [k for k in answer.json()["data"] if k["source"] == "computed"]
    assert len(computed) == 4
    for kpi in computed:
        assert kpi["actual"] is not None and kpi["status"] != "no_data", kpi
        rows = client.get(f"/api/cube?{kpi['cube']}").json()["data"]
        measure = kpi["cube"].split("&")[0].removeprefix("measures=")
        assert len(rows) == 1 and rows[0][measure] == kpi["actual"], (kpi["code"], rows, kpi["actual"])
