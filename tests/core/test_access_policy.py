"""The written access policy (docs/access-policy.md), persona × endpoint.

The same rule on the web page and in the API: a token reads what its user reads on the site.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from payesh.api.services import api_token_create
from payesh.core.permissions import DECLARATION_IDENTITY, capacity_rows_visible_to, fact_access
from payesh.ledger import services as ledger

pytestmark = pytest.mark.django_db

LEDGER = (
    "flow,declaration_date,declaration_id,line_no,customs_office,channel,partner,origin_province,hs_code,"
    "hs_revision,net_weight_kg,value_usd,transport_mode\n"
    "export,2023-10-08,SECRET-1,1,MIRJAVEH,customs,PAK,IR-11,080410,HS12,24000,19200,road\n"
    "export,2023-10-09,SECRET-2,1,MIRJAVEH,customs,AFG,IR-11,252329,HS12,30000,1500,road\n"
)
CUT = {"cut": "flow:export;office:MIRJAVEH", "year": "1402"}
# persona → sees the declaration's identity (None: may not read lines at all)
POLICY = {
    "anonymous": None,
    "viewer": False,
    "focal_point": False,
    "member": False,
    "analyst": True,
    "administrator": True,
}


@pytest.fixture
def loaded(tmp_path: Path, analyst):  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    return batch


def _user(request, persona: str):  # type: ignore[no-untyped-def]
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.mark.parametrize("persona", list(POLICY))
def test_api_facts_follow_the_policy_with_the_tokens_role(request, client, loaded, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(request, persona)
    headers = {}
    if user is not None:
        _token, key = api_token_create(user=user, name=f"{persona} script")
        headers = {"Authorization": f"Bearer {key}"}
    response = client.get("/api/facts", CUT, headers=headers)
    if POLICY[persona] is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["page"]["total"] == 2  # the same lines for everyone who may read them
    assert sum(row["value_usd"] for row in body["data"]) == 19200 + 1500
    identity_shown = set(DECLARATION_IDENTITY) <= set(body["columns"])
    assert identity_shown is POLICY[persona]
    assert ("SECRET-1" in response.content.decode()) is POLICY[persona]
    # Downloads hold the same columns as the JSON answer.
    csv = client.get("/api/facts", {**CUT, "format": "csv"}, headers=headers)
    assert ("declaration_id" in pd.read_csv(io.BytesIO(csv.content)).columns) is POLICY[persona]
    assert ("SECRET-2" in csv.content.decode("utf-8-sig")) is POLICY[persona]


@pytest.mark.parametrize("persona", list(POLICY))
def test_the_facts_page_follows_the_same_policy(request, client, loaded, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("monitoring:facts"), CUT)
    if POLICY[persona] is None:
        assert response.status_code == 302 and "login" in response["Location"]
        return
    assert response.status_code == 200
    assert response.context["total"] == 2
    assert ("SECRET-1" in response.content.decode()) is POLICY[persona]
    assert all(("declaration_id" in row) is POLICY[persona] for row in response.context["rows"])


@pytest.mark.parametrize("persona", list(POLICY))
def test_aggregates_are_public_and_the_same_for_everyone(request, client, loaded, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    response = client.get("/api/cube", {"measures": "exports_usd", **CUT, "locale": "en"})
    assert response.status_code == 200
    assert response.json()["data"][0]["exports_usd"] == 19200 + 1500


@pytest.mark.parametrize("persona", list(POLICY))
def test_the_list_of_loads_is_for_every_signed_in_user(request, client, loaded, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(request, persona)
    headers = {}
    if user is not None:
        _token, key = api_token_create(user=user, name="loads")
        headers = {"Authorization": f"Bearer {key}"}
    response = client.get("/api/batches", headers=headers)
    assert response.status_code == (401 if user is None else 200)
    if user is not None:
        assert [b["id"] for b in response.json()["data"]] == [loaded.id]


def test_a_deactivated_account_reads_no_lines(viewer, analyst) -> None:  # type: ignore[no-untyped-def]
    analyst.is_active = False
    assert not fact_access(analyst).may_read
    assert not fact_access(AnonymousUser()).may_read
    assert fact_access(viewer).may_read and fact_access(viewer).withheld == DECLARATION_IDENTITY


@pytest.mark.parametrize(("persona", "sees"), [
    ("anonymous", set()),
    ("viewer", {"approved"}),
    ("member", {"approved"}),
    ("focal_point", {"approved", "own_draft", "own_submitted", "own_returned"}),
    ("other_focal_point", {"approved", "other_submitted"}),
    ("analyst", {"approved", "own_draft", "own_submitted", "own_returned", "other_submitted"}),
    ("administrator", {"approved", "own_draft", "own_submitted", "own_returned", "other_submitted"}),
])
def test_submitted_capacity_rows_are_seen_by_reviewers_and_their_agency(request, persona: str, sees: set[str]) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from payesh.capabilities.models import Capacity, CapacityKind, CapacityUnit

    status_field = "review_status" if hasattr(Capacity, "review_status") else "status"
    rows = {
        "approved": ("AGRICULTURE", "approved"), "own_draft": ("AGRICULTURE", "draft"),
        "own_submitted": ("AGRICULTURE", "submitted"), "own_returned": ("AGRICULTURE", "returned"),
        "other_submitted": ("FISHERIES", "submitted"),
    }
    # Rows straight into the table: the rule is about what is stored, not how it got there.
    created = Capacity.objects.bulk_create([
        Capacity(county_id="IR-11-02", agency_id=agency, kind=CapacityKind.values[0], unit=CapacityUnit.values[0],
                 quantity=Decimal("1"), year=1402, source=name, **{status_field: status})
        for name, (agency, status) in rows.items()])
    assert len(created) == len(rows)
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    visible = Capacity.objects.filter(capacity_rows_visible_to(user, status_field=status_field))
    assert set(visible.values_list("source", flat=True)) == sees
