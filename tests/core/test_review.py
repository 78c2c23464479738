"""The core review workflow, exercised on its first user, the capacity registry: who may move an item
through draft → submitted → approved | returned, what each move records, and how a refusal reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation

from payesh.capabilities import services
from payesh.capabilities.models import Capacity
from payesh.core.history import history_for
from payesh.core.review import (
    ReviewError,
    ReviewStatus,
    review_allowed,
    review_approve,
    review_permission,
    review_return,
    review_submit,
)
from payesh.reference.models import Agency, County

pytestmark = pytest.mark.django_db

PERSONAS = ["administrator", "analyst", "focal_point", "other_focal_point", "member", "viewer"]
# Who may do what to a row of the AGRICULTURE agency (the focal_point persona's agency).
MAY_SUBMIT = {"administrator", "analyst", "focal_point"}
MAY_REVIEW = {"administrator", "analyst"}


def _capacity(user, status: str = ReviewStatus.DRAFT) -> Capacity:  # type: ignore[no-untyped-def]
    capacity = services.capacity_create(
        user=user, county=County.objects.get(code="IR-11-02"), agency=Agency.objects.get(code="AGRICULTURE"),
        kind="production", hs_revision="HS12", hs_code="080410", description="Dates", quantity=Decimal("12000"),
        unit="t", year=1402, month=None, source="Survey")
    if status != ReviewStatus.DRAFT:
        Capacity.objects.filter(pk=capacity.pk).update(review_status=status)
        capacity.refresh_from_db()
    return capacity


def _move(transition: str, capacity: Capacity, user) -> None:  # type: ignore[no-untyped-def]
    if transition == "submit":
        review_submit(obj=capacity, user=user)
    elif transition == "approve":
        review_approve(obj=capacity, user=user)
    else:
        review_return(obj=capacity, user=user, reason="Give the survey's season.")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("transition", "start", "end", "allowed"), [
    ("submit", ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, MAY_SUBMIT),
    ("submit", ReviewStatus.RETURNED, ReviewStatus.SUBMITTED, MAY_SUBMIT),
    ("approve", ReviewStatus.SUBMITTED, ReviewStatus.APPROVED, MAY_REVIEW),
    ("return", ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, MAY_REVIEW),
])
def test_persona_transition_matrix(request, focal_point, persona: str, transition: str, start: str, end: str,  # type: ignore[no-untyped-def]
                                   allowed: set[str]) -> None:
    user = request.getfixturevalue(persona)
    capacity = _capacity(focal_point, start)
    action = "submit" if transition == "submit" else "review"
    assert review_allowed(obj=capacity, user=user, action=action) is (persona in allowed)
    if persona in allowed:
        _move(transition, capacity, user)
        assert capacity.review_status == end
    else:
        with pytest.raises(PermissionDenied):
            _move(transition, capacity, user)
        assert capacity.review_status == start
    capacity.refresh_from_db()
    assert capacity.review_status == (end if persona in allowed else start)


@pytest.mark.parametrize(("transition", "start"), [
    ("submit", ReviewStatus.SUBMITTED), ("submit", ReviewStatus.APPROVED),
    ("approve", ReviewStatus.DRAFT), ("approve", ReviewStatus.RETURNED), ("approve", ReviewStatus.APPROVED),
    ("return", ReviewStatus.DRAFT), ("return", ReviewStatus.RETURNED), ("return", ReviewStatus.APPROVED),
])
def test_transitions_outside_the_workflow_are_refused(analyst, focal_point, transition: str, start: str) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point, start)
    with pytest.raises(ReviewError) as refused:
        _move(transition, capacity, analyst)
    assert refused.value.code == "review_transition"
    capacity.refresh_from_db()
    assert capacity.review_status == start


def test_the_database_state_decides_not_a_stale_instance(analyst, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    stale = Capacity.objects.get(pk=capacity.pk)
    review_submit(obj=capacity, user=focal_point)
    review_approve(obj=capacity, user=analyst)
    with pytest.raises(ReviewError):
        review_submit(obj=stale, user=focal_point)  # it still says "draft" in memory
    assert Capacity.objects.get(pk=capacity.pk).review_status == ReviewStatus.APPROVED


def test_refusal_messages_in_both_languages(analyst, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    with translation.override("en"), pytest.raises(ReviewError) as english:
        review_approve(obj=capacity, user=analyst)
    assert english.value.messages == ["Only submitted items can be approved; this one is Draft."]
    with translation.override("fa"), pytest.raises(ReviewError) as persian:
        review_approve(obj=capacity, user=analyst)
    assert persian.value.messages == ["فقط موارد ارسال‌شده را می‌توان تأیید کرد؛ این مورد «پیش‌نویس» است."]
    review_submit(obj=capacity, user=focal_point)
    with translation.override("fa"), pytest.raises(ReviewError) as no_reason:
        review_return(obj=capacity, user=analyst, reason="   ")
    assert no_reason.value.code == "reason_required"
    assert no_reason.value.messages == ["بگویید چه چیزی باید اصلاح شود: مورد برگشتی به دلیل نیاز دارد."]


def test_return_requires_a_reason_and_keeps_it(analyst, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    review_submit(obj=capacity, user=focal_point)
    with pytest.raises(ReviewError):
        review_return(obj=capacity, user=analyst, reason="")
    assert Capacity.objects.get(pk=capacity.pk).review_status == ReviewStatus.SUBMITTED
    review_return(obj=capacity, user=analyst, reason="  Which season?  ")
    stored = Capacity.objects.get(pk=capacity.pk)
    assert (stored.review_status, stored.return_reason, stored.decided_by) == ("returned", "Which season?", analyst)
    assert stored.decided_at is not None and stored.is_editable and not stored.is_locked


def test_each_move_records_who_when_and_why(analyst, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    review_submit(obj=capacity, user=focal_point)
    review_return(obj=capacity, user=analyst, reason="Which season?")
    review_submit(obj=capacity, user=focal_point)
    review_approve(obj=capacity, user=analyst, note="Checked against the survey.")
    stored = Capacity.objects.get(pk=capacity.pk)
    assert stored.is_locked and stored.submitted_by == focal_point and stored.decided_by == analyst
    assert stored.return_reason == ""  # the approval closes the earlier return
    with translation.override("en"):
        entries = history_for(stored)
    assert [(e.kind, e.user, e.reason) for e in entries] == [
        ("changed", analyst, "Approved: Checked against the survey."),
        ("changed", focal_point, "Submitted for review"),
        ("changed", analyst, "Returned for correction: Which season?"),
        ("changed", focal_point, "Submitted for review"),
        ("created", focal_point, ""),
    ]
    statuses = [next(c for c in e.changes if c.field == "review_status") for e in entries[:4]]
    assert [(c.old, c.new) for c in statuses] == [
        ("Submitted for review", "Approved"), ("Returned for correction", "Submitted for review"),
        ("Submitted for review", "Returned for correction"), ("Draft", "Submitted for review")]


def test_anonymous_user_may_do_nothing(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    with pytest.raises(PermissionDenied):
        review_submit(obj=capacity, user=AnonymousUser())
    assert review_permission(capacity, "review") == "capabilities.review_capacity"


def test_core_predicates_by_persona(request) -> None:  # type: ignore[no-untyped-def]
    from payesh.core import rules as predicates

    class SharedAction:  # an object tied to two agencies
        def agency_ids(self) -> set[str]:
            return {"AGRICULTURE", "FISHERIES"}

    class OtherAgencyRow:
        agency_id = "TRADE"

    expected = {  # persona: (administrator, analyst, focal point, member, viewer, same agency as shared, as other)
        "administrator": (True, True, False, False, False, False, False),
        "analyst": (False, True, False, False, False, False, False),
        "focal_point": (False, False, True, False, False, True, False),
        "other_focal_point": (False, False, True, False, False, True, False),
        "member": (False, False, False, True, False, False, False),
        "viewer": (False, False, False, False, True, False, False),
    }
    for persona, answers in expected.items():
        user = request.getfixturevalue(persona)
        got = (predicates.is_administrator(user), predicates.is_analyst(user), predicates.is_focal_point(user),
               predicates.is_working_group_member(user), predicates.is_viewer(user),
               predicates.same_agency(user, SharedAction()), predicates.same_agency(user, OtherAgencyRow()))
        assert got == answers, persona
        assert predicates.is_signed_in(user)
    anonymous = AnonymousUser()
    assert not any(p(anonymous) for p in (predicates.is_signed_in, predicates.is_administrator, predicates.is_analyst,
                                          predicates.is_focal_point, predicates.is_viewer))
    assert not predicates.same_agency(anonymous, SharedAction())
    assert not predicates.same_agency(request.getfixturevalue("focal_point"), None)
