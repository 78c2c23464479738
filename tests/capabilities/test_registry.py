"""The capacity registry: who may enter, edit, submit, approve and return — and the history it keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from payesh.capabilities import services
from payesh.capabilities.models import Capacity
from payesh.core.history import history_for
from payesh.core.review import review_approve, review_return, review_submit
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


def _submitted(user) -> Capacity:  # type: ignore[no-untyped-def]
    capacity = _draft(user)
    review_submit(obj=capacity, user=user)
    return capacity


def test_focal_point_enters_a_draft_for_their_own_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    assert capacity.review_status == "draft" and capacity.agency_id == "AGRICULTURE"
    assert capacity.created_by == focal_point


def test_agency_cannot_enter_a_capacity_for_another_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.capacity_create(user=focal_point, **_values("FISHERIES"))
    assert not Capacity.objects.exists()


def test_agency_cannot_edit_another_agencys_capacity(focal_point, other_focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    with pytest.raises(PermissionDenied):
        services.capacity_update(capacity_id=capacity.pk, user=other_focal_point, quantity=Decimal("1"))
    capacity.refresh_from_db()
    assert capacity.quantity == Decimal("12000")


def test_focal_point_cannot_move_a_row_to_another_agency(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    with pytest.raises(PermissionDenied):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, agency=Agency.objects.get(code="FISHERIES"))


def test_focal_point_cannot_approve(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _submitted(focal_point)
    with pytest.raises(PermissionDenied):
        review_approve(obj=capacity, user=focal_point)
    capacity.refresh_from_db()
    assert capacity.review_status == "submitted"


@pytest.mark.parametrize("persona", ["viewer", "member"])
def test_viewers_and_members_only_read(request, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.capacity_create(user=user, **_values())


def test_submitted_row_is_frozen_until_returned(focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _submitted(focal_point)
    with pytest.raises(ValidationError):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("1"))
    with pytest.raises(ValidationError):
        review_return(obj=capacity, user=analyst, reason="  ")
    review_return(obj=capacity, user=analyst, reason="Give the source's year.")
    updated = services.capacity_update(capacity_id=capacity.pk, user=focal_point, source="Survey 1402")
    assert updated.review_status == "returned" and updated.source == "Survey 1402"
    review_submit(obj=updated, user=focal_point)
    review_approve(obj=updated, user=analyst, note="OK")
    approved = Capacity.objects.get(pk=capacity.pk)
    assert approved.review_status == "approved" and approved.decided_by == analyst
    with pytest.raises(ValidationError):
        services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("1"))


def test_history_records_who_changed_what_when(focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _draft(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("15000"))
    review_submit(obj=capacity, user=focal_point)
    review_return(obj=capacity, user=analyst, reason="Which season?")
    with translation.override("en"):
        entries = list(reversed(history_for(capacity)))  # oldest first, like the old revisions
    assert [e.kind for e in entries] == ["created", "changed", "changed", "changed"]
    assert [e.reason for e in entries] == ["", "", "Submitted for review", "Returned for correction: Which season?"]
    assert [e.user for e in entries] == [focal_point, focal_point, focal_point, analyst]
    assert [(c.field, c.old, c.new) for c in entries[1].changes] == [("quantity", "12000", "15000")]
    returned = {c.field: (c.old, c.new) for c in entries[3].changes}
    assert returned["review_status"] == ("Submitted for review", "Returned for correction")
    assert returned["return_reason"] == ("", "Which season?")
    assert capacity.history.first().quantity == Decimal("15000")  # type: ignore[attr-defined]


def test_invalid_hs_code_is_refused(focal_point) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.capacity_create(user=focal_point, **_values(hs_code="08041"))
    assert not Capacity.objects.exists()


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
    assert capacity.review_status == "submitted" and capacity.submitted_by == focal_point
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
    capacity = _submitted(focal_point)
    assert client_for(focal_point).post(f"/capabilities/registry/{capacity.pk}/approve/").status_code == 403


def test_analyst_approves_through_the_page(client_for, focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _submitted(focal_point)
    client = client_for(analyst)
    assert b'data-testid="to-review"' in client.get("/capabilities/registry/").content
    client.post(f"/capabilities/registry/{capacity.pk}/approve/", {"note": "Checked"})
    capacity.refresh_from_db()
    assert capacity.review_status == "approved" and capacity.decided_by == analyst
    with translation.override("en"):
        assert history_for(capacity)[0].reason == "Approved: Checked"  # the reviewer's note, kept in history


def test_viewer_sees_approved_rows_but_not_drafts(client_for, focal_point, analyst, viewer) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(focal_point)
    approved = _submitted(focal_point)
    review_approve(obj=approved, user=analyst)
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


# ------------------------------------------------------------------------------------------------ access policy


@pytest.mark.parametrize(("persona", "sees"), [
    ("administrator", {"draft", "submitted", "returned", "approved", "other_draft"}),
    ("analyst", {"draft", "submitted", "returned", "approved", "other_draft"}),
    ("focal_point", {"draft", "submitted", "returned", "approved"}),  # their agency's rows, and approved ones
    ("other_focal_point", {"approved", "other_draft"}),
    ("member", {"approved"}),
    ("viewer", {"approved"}),
])
def test_rows_visible_follow_the_access_policy(request, focal_point, other_focal_point, analyst, persona: str,  # type: ignore[no-untyped-def]
                                               sees: set[str]) -> None:
    from payesh.capabilities.selectors import capacity_rows_visible_to

    rows = {"draft": _draft(focal_point), "submitted": _submitted(focal_point), "returned": _submitted(focal_point),
            "approved": _submitted(focal_point), "other_draft": _draft(other_focal_point, "FISHERIES")}
    review_return(obj=rows["returned"], user=analyst, reason="Which season?")
    review_approve(obj=rows["approved"], user=analyst)
    user = request.getfixturevalue(persona)
    visible = set(capacity_rows_visible_to(user).values_list("pk", flat=True))
    assert visible == {rows[name].pk for name in sees}
    # The object rule the pages use says the same, row by row.
    assert {name for name, row in rows.items() if user.has_perm("capabilities.read_capacity", row)} == sees


def test_signed_out_visitors_see_no_rows(focal_point) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    from payesh.capabilities.selectors import capacity_rows_visible_to

    _submitted(focal_point)
    assert not capacity_rows_visible_to(AnonymousUser()).exists()  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ old history


def _conversion():  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module("payesh.capabilities.migrations.0003_revisions_to_history")


def test_old_revisions_become_history_rows_with_the_same_user_time_and_values() -> None:
    import datetime as dt

    t = [dt.datetime(2026, 1, d, 9, 0, tzinfo=dt.UTC) for d in range(1, 6)]
    snapshot = {"county": "IR-11-02", "agency": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
                "hs_code": "080410", "description": "Dates", "quantity": "12000", "unit": "t", "year": 1402,
                "month": None, "source": "Survey", "status": "draft", "reviewer_note": ""}
    revisions = [
        {"action": "created", "changed_by_id": 3, "changed_at": t[0], "snapshot": snapshot, "note": ""},
        {"action": "updated", "changed_by_id": 3, "changed_at": t[1], "snapshot": {**snapshot, "quantity": "15000"},
         "note": ""},
        {"action": "submitted", "changed_by_id": 3, "changed_at": t[2],
         "snapshot": {**snapshot, "quantity": "15000", "status": "submitted"}, "note": ""},
        {"action": "returned", "changed_by_id": 2, "changed_at": t[3],
         "snapshot": {**snapshot, "quantity": "15000", "status": "returned", "reviewer_note": "Which season?"},
         "note": "Which season?"},
        {"action": "approved", "changed_by_id": 2, "changed_at": t[4],
         "snapshot": {**snapshot, "quantity": "15000", "status": "approved", "reviewer_note": "OK"}, "note": "OK"},
    ]
    current = {"id": 7, "county_id": "IR-11-02", "agency_id": "AGRICULTURE", "kind": "production",
               "hs_revision": "HS12", "hs_code": "080410", "description": "Dates", "quantity": Decimal("15000.000"),
               "unit": "t", "year": 1402, "month": None, "source": "Survey", "status": "approved",
               "reviewer_note": "OK", "reviewed_by_id": 2, "created_by_id": 3, "created_at": t[0], "updated_at": t[4]}
    rows, review = _conversion().history_rows(current, revisions)
    assert [(r["history_date"], r["history_user_id"], r["history_type"]) for r in rows] == [
        (t[0], 3, "+"), (t[1], 3, "~"), (t[2], 3, "~"), (t[3], 2, "~"), (t[4], 2, "~")]
    assert [r["quantity"] for r in rows] == [Decimal("12000")] + [Decimal("15000")] * 4
    assert [r["review_status"] for r in rows] == ["draft", "draft", "submitted", "returned", "approved"]
    assert [r["history_change_reason"] for r in rows] == [
        None, None, "review:submitted", "review:returned\nWhich season?", "review:approved\nOK"]
    assert [r["return_reason"] for r in rows] == ["", "", "", "Which season?", ""]
    assert all(r["id"] == 7 and r["created_by_id"] == 3 and r["created_at"] == t[0] for r in rows)
    assert review == {"submitted_by_id": 3, "submitted_at": t[2], "decided_by_id": 2, "decided_at": t[4],
                      "return_reason": ""}


def test_a_row_without_revisions_gets_its_creation_and_a_later_fix_is_kept() -> None:
    import datetime as dt

    t0, t1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    current = {"id": 8, "county_id": "IR-11-02", "agency_id": "FISHERIES", "kind": "cold_storage", "hs_revision": "",
               "hs_code": "", "description": "", "quantity": Decimal("500"), "unit": "m3", "year": 1401,
               "month": 3, "source": "Permit register", "status": "returned", "reviewer_note": "Which plant?",
               "reviewed_by_id": 2, "created_by_id": 4, "created_at": t0, "updated_at": t1}
    (created,), review = _conversion().history_rows(current, [])
    assert (created["history_type"], created["history_user_id"], created["history_date"]) == ("+", 4, t0)
    assert (created["review_status"], created["return_reason"], review["decided_by_id"]) == \
        ("returned", "Which plant?", 2)
    revision = {"action": "created", "changed_by_id": 4, "changed_at": t0, "note": "",
                "snapshot": {"county": "IR-11-02", "agency": "FISHERIES", "kind": "cold_storage", "quantity": "400",
                             "unit": "m3", "year": 1401, "month": 3, "source": "Permit register",
                             "status": "returned", "hs_revision": "", "hs_code": "", "description": ""}}
    rows, _review = _conversion().history_rows(current, [revision])
    assert [(r["history_type"], r["quantity"], r["history_user_id"]) for r in rows] == [
        ("+", Decimal("400"), 4), ("~", Decimal("500"), None)]


@pytest.fixture(scope="module")
def _reference_reloaded(django_db_blocker):  # type: ignore[no-untyped-def]
    """A transactional test ends by emptying every table; put the session's reference data back after it."""
    yield
    from payesh.reference.services import reference_load

    with django_db_blocker.unblock():
        reference_load()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_turns_stored_revisions_into_visible_history(_reference_reloaded, focal_point) -> None:  # type: ignore[no-untyped-def]
    """Old-style rows written at migration 0002 read back through history_for after 0003–0004."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("capabilities", "0002_review_history")])
    old = executor.loader.project_state([("capabilities", "0002_review_history")]).apps
    OldCapacity, OldRevision = old.get_model("capabilities", "Capacity"), old.get_model("capabilities", "CapacityRevision")
    t0, t1, t2 = (dt.datetime(2026, 1, d, 9, 0, tzinfo=dt.UTC) for d in (1, 2, 3))
    values = {"county_id": "IR-11-02", "agency_id": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
              "hs_code": "080410", "description": "Dates", "quantity": Decimal("15000"), "unit": "t", "year": 1402,
              "source": "Survey", "status": "submitted", "created_by_id": focal_point.pk}
    row = OldCapacity.objects.create(**values)
    snapshot = {"county": "IR-11-02", "agency": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
                "hs_code": "080410", "description": "Dates", "quantity": "12000", "unit": "t", "year": 1402,
                "month": None, "source": "Survey", "status": "draft", "reviewer_note": ""}
    for action, when, snap in [("created", t0, snapshot), ("updated", t1, {**snapshot, "quantity": "15000"}),
                               ("submitted", t2, {**snapshot, "quantity": "15000", "status": "submitted"})]:
        revision = OldRevision.objects.create(capacity_id=row.pk, action=action, changed_by_id=focal_point.pk,
                                              snapshot=snap, changes={})
        OldRevision.objects.filter(pk=revision.pk).update(changed_at=when)  # auto_now_add set "now"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    capacity = Capacity.objects.get(pk=row.pk)
    assert (capacity.review_status, capacity.submitted_by, capacity.submitted_at) == ("submitted", focal_point, t2)
    with translation.override("en"):
        entries = history_for(capacity)
    assert [(e.when, e.user, e.kind, e.reason) for e in entries] == [
        (t2, focal_point, "changed", "Submitted for review"), (t1, focal_point, "changed", ""),
        (t0, focal_point, "created", "")]
    assert [(c.field, c.old, c.new) for c in entries[1].changes] == [("quantity", "12000", "15000")]
