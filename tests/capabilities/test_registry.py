"""The capacity registry: who may enter, edit, submit, approve and return — and the history it keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payesh.capabilities import services
from payesh.capabilities.models import Capacity, CapacityRevision
from payesh.reference.models import Agency, County

pytestmark = pytest.mark.django_db


def _values(agency: str = "AGRICULTURE", **extra):  # type: ignore[no-untyped-def]
    values = {"county": County.objects.get(code="IR-11-02"), "agency": Agency.objects.get(code=agency),
              "kind": "production", "hs_revision": "HS12", "hs_code": "080410", "description": "Dates, Chabahar",
              "quantity": Decimal("12000"), "unit": "t", "year": 1402, "month": None, "source": "Agriculture survey"}
    values.update(extra)
    return values


def _draft(user, agency: str = "AGRICULTURE") -> Capacity:  # type: ignore[no-untyped-def]
    return services.capacity_create(user=user, **_values(agency))


def test_focal_point_enters_a_draft_for_their_own_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    assert capacity.status == "draft" and capacity.agency_id == "AGRICULTURE"
    assert capacity.created_by == focal_point


def test_agency_cannot_enter_a_capacity_for_another_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.CapacityPermissionError):
        services.capacity_create(user=focal_point, **_values("FISHERIES"))
    assert not Capacity.objects.exists()


def test_agency_cannot_edit_another_agencys_capacity(focal_point, other_focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    with pytest.raises(services.CapacityPermissionError):
        services.capacity_update(capacity_id=capacity.pk, user=other_focal_point, quantity=Decimal("1"))
    capacity.refresh_from_db()
    assert capacity.quantity == Decimal("12000")


def test_focal_point_cannot_move_a_row_to_another_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    with pytest.raises(services.CapacityPermissionError):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, agency=Agency.objects.get(code="FISHERIES"))


def test_focal_point_cannot_approve(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = services.capacity_submit(capacity_id=_draft(focal_point).pk, user=focal_point)
    with pytest.raises(services.CapacityPermissionError):
        services.capacity_approve(capacity_id=capacity.pk, user=focal_point)
    capacity.refresh_from_db()
    assert capacity.status == "submitted"


@pytest.mark.parametrize("persona", ["viewer", "member"])
def test_viewers_and_members_only_read(request, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    with pytest.raises(services.CapacityPermissionError):
        services.capacity_create(user=user, **_values())


def test_submitted_row_is_frozen_until_returned(focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = services.capacity_submit(capacity_id=_draft(focal_point).pk, user=focal_point)
    with pytest.raises(services.CapacityError):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("1"))
    with pytest.raises(services.CapacityError):
        services.capacity_return(capacity_id=capacity.pk, user=analyst, note="  ")
    services.capacity_return(capacity_id=capacity.pk, user=analyst, note="Give the source's year.")
    updated = services.capacity_update(capacity_id=capacity.pk, user=focal_point, source="Survey 1402")
    assert updated.status == "returned" and updated.source == "Survey 1402"
    services.capacity_submit(capacity_id=capacity.pk, user=focal_point)
    approved = services.capacity_approve(capacity_id=capacity.pk, user=analyst, note="OK")
    assert approved.status == "approved" and approved.reviewed_by == analyst
    with pytest.raises(services.CapacityError):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("1"))


def test_history_records_who_changed_what_when(focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("15000"))
    services.capacity_submit(capacity_id=capacity.pk, user=focal_point)
    services.capacity_return(capacity_id=capacity.pk, user=analyst, note="Which season?")
    revisions = list(CapacityRevision.objects.filter(capacity=capacity))
    assert [r.action for r in revisions] == ["created", "updated", "submitted", "returned"]
    assert [r.changed_by for r in revisions] == [focal_point, focal_point, focal_point, analyst]
    assert revisions[1].changes == {"quantity": ["12000", "15000"]}
    assert revisions[3].changes["status"] == ["submitted", "returned"]
    assert revisions[3].note == "Which season?"
    assert revisions[-1].snapshot["quantity"] == "15000"


def test_invalid_hs_code_is_refused(focal_point) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.capacity_create(user=focal_point, **_values(hs_code="08041"))


# ------------------------------------------------------------------------------------------------ web


def test_focal_point_enters_and_submits_through_the_pages(client_for, focal_point) -> None:  # type: ignore[no-untyped-def]
    client = client_for(focal_point)
    response = client.post("/capabilities/registry/new/", {
        "county": "IR-11-02", "agency": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
        "hs_code": "080410", "description": "Dates", "quantity": "12000", "unit": "t", "year": "1402",
        "month": "", "source": "Survey"})
    capacity = Capacity.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/registry/{capacity.pk}/")
    client.post(f"/capabilities/registry/{capacity.pk}/submit/")
    capacity.refresh_from_db()
    assert capacity.status == "submitted"
    page = client.get(f"/capabilities/registry/{capacity.pk}/")
    assert page.status_code == 200 and b'data-testid="approve"' not in page.content


def test_focal_point_cannot_post_for_another_agency(client_for, focal_point) -> None:  # type: ignore[no-untyped-def]
    client = client_for(focal_point)
    response = client.post("/capabilities/registry/new/", {
        "county": "IR-11-02", "agency": "FISHERIES", "kind": "production", "hs_code": "", "quantity": "1",
        "unit": "t", "year": "1402", "source": "x"})
    assert response.status_code == 200  # the form refuses the agency: it is not among the choices
    assert not Capacity.objects.exists()


def test_other_agency_gets_403_on_edit_page(client_for, focal_point, other_focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    assert client_for(other_focal_point).get(f"/capabilities/registry/{capacity.pk}/edit/").status_code == 403


def test_focal_point_gets_403_when_approving_through_the_page(client_for, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = services.capacity_submit(capacity_id=_draft(focal_point).pk, user=focal_point)
    assert client_for(focal_point).post(f"/capabilities/registry/{capacity.pk}/approve/").status_code == 403


def test_analyst_approves_through_the_page(client_for, focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = services.capacity_submit(capacity_id=_draft(focal_point).pk, user=focal_point)
    client = client_for(analyst)
    assert b'data-testid="to-review"' in client.get("/capabilities/registry/").content
    client.post(f"/capabilities/registry/{capacity.pk}/approve/", {"note": "Checked"})
    capacity.refresh_from_db()
    assert capacity.status == "approved" and capacity.reviewer_note == "Checked"


def test_viewer_sees_approved_rows_but_not_drafts(client_for, focal_point, analyst, viewer) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(focal_point)
    approved = services.capacity_submit(capacity_id=_draft(focal_point).pk, user=focal_point)
    services.capacity_approve(capacity_id=approved.pk, user=analyst)
    client = client_for(viewer)
    assert client.get(f"/capabilities/registry/{draft.pk}/").status_code == 404
    assert client.get(f"/capabilities/registry/{approved.pk}/").status_code == 200
    assert client.get("/capabilities/registry/new/").status_code == 403
    csv = client.get("/capabilities/registry/?download=csv").content.decode("utf-8-sig").splitlines()
    assert len(csv) == 2 and csv[1].startswith(f"{approved.pk},IR-11-02")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_registry_pages_render_in_both_languages(client_for, focal_point, language: str) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    client = client_for(focal_point)
    client.cookies["payesh_language"] = language
    for url in ("/capabilities/registry/", "/capabilities/registry/new/", f"/capabilities/registry/{capacity.pk}/",
                f"/capabilities/registry/{capacity.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"'.encode() in response.content
    if language == "fa":
        assert "دفتر ظرفیت‌ها" in client.get("/capabilities/registry/").content.decode()
