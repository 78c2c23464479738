"""The permission matrix: every write of the strategy app tried by every persona. A persona outside a
write's allowed set must be refused (PermissionDenied, or a locked version's refusal); a persona
inside it must succeed. Zero escalations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from payesh.reference.models import Agency
from payesh.strategy import services
from payesh.strategy.models import Kpi, Version
from tests.strategy.conftest import j

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "focal_point", "other_focal_point", "member", "viewer")
ANALYSTS = {"administrator", "analyst"}


class _Rollback(Exception):
    pass


@pytest.fixture
def world(approved, analyst, focal_point) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """v1 approved (A1 of AGRICULTURE, A2 of FISHERIES), a submitted and a returned report of AGRICULTURE, a
    reported KPI of AGRICULTURE, v2 draft with a round open for AGRICULTURE and a viewpoint in it."""
    agriculture = Agency.objects.get(code="AGRICULTURE")
    submitted = services.progress_report_submit(user=focal_point, action=approved.a1, text="a", percent=10,
                                                reported_on=dt.date(2025, 5, 1))
    returned = services.progress_report_submit(user=focal_point, action=approved.a1, text="b", percent=20,
                                               reported_on=dt.date(2025, 6, 1))
    services.report_return(user=analyst, report=returned, reason="why")
    draft = services.version_new_draft(user=analyst, source=approved.version)
    round_ = services.round_open(user=analyst, version=draft, agencies=[agriculture],
                                 deadline=dt.date.today() + dt.timedelta(days=9))
    viewpoint = services.viewpoint_submit(user=focal_point, round_=round_, text="view")
    return {"doc": approved, "submitted": submitted, "returned": returned, "draft": draft, "round": round_,
            "viewpoint": viewpoint, "agriculture": agriculture}


def _ops(w: dict[str, Any], analyst: Any) -> dict[str, tuple[set[str], Callable[[Any], Any]]]:
    doc, draft = w["doc"], w["draft"]
    g1_draft = draft.goals.get(code="G1")
    a1_draft = draft.actions.get(code="A1")
    k1_draft = draft.kpis.get(code="K1")
    reported = Kpi.objects.create(version=doc.version, goal=doc.g1, code="KR", name_en="reported", unit="%",
                                  source="reported", agency=w["agriculture"], accumulates=False)
    focal = {"focal_point"}
    return {
        "add goal to draft": (ANALYSTS, lambda u: services.goal_save(
            user=u, version=draft, data={"code": "G7", "title_en": "x"})),
        "edit goal of draft": (ANALYSTS, lambda u: services.goal_save(
            user=u, version=draft, goal=g1_draft, data={"title_en": "y"})),
        "add KPI to draft": (ANALYSTS, lambda u: services.kpi_save(user=u, goal=g1_draft, data={
            "code": "K7", "name_en": "x", "source": "computed", "unit": "USD", "measure": "exports_usd"})),
        "set targets in draft": (ANALYSTS, lambda u: services.kpi_targets_set(user=u, kpi=k1_draft,
                                                                             targets=[(1402, 1.0)])),
        "edit action of draft": (ANALYSTS, lambda u: services.action_save(user=u, goal=g1_draft, action=a1_draft,
                                                                          data={"weight": 3})),
        "add milestone in draft": (ANALYSTS, lambda u: services.milestone_add(
            user=u, action=a1_draft, title_en="m", title_fa="", due_date=j(1404, 1, 1))),
        "edit goal of approved version": (set(), lambda u: services.goal_save(
            user=u, version=doc.version, goal=doc.g1, data={"title_en": "z"})),
        "edit action of approved version": (set(), lambda u: services.action_save(
            user=u, goal=doc.g1, action=doc.a1, data={"weight": 9})),
        "set targets of approved version": (set(), lambda u: services.kpi_targets_set(
            user=u, kpi=doc.k1, targets=[(1402, 2.0)])),
        "open a round": (ANALYSTS, lambda u: services.round_open(
            user=u, version=draft, agencies=[w["agriculture"]], deadline=dt.date.today() + dt.timedelta(days=3))),
        "close a round": (ANALYSTS, lambda u: services.round_close(user=u, round_=w["round"])),
        "request approval": (ANALYSTS, lambda u: services.version_request_approval(user=u, version=draft)),
        "vote": ({"member"}, lambda u: (services.version_request_approval(user=analyst, version=draft),
                                        services.vote_cast(user=u, version=draft, choice="approve"))),
        "report on AGRICULTURE's action": (focal, lambda u: services.progress_report_submit(
            user=u, action=doc.a1, text="t", percent=5, reported_on=dt.date(2025, 1, 1))),
        "report on FISHERIES' action": ({"other_focal_point"}, lambda u: services.progress_report_submit(
            user=u, action=doc.a2, text="t", percent=5, reported_on=dt.date(2025, 1, 1))),
        "correct AGRICULTURE's returned report": (focal, lambda u: services.progress_report_correct(
            user=u, report=w["returned"], text="c", percent=25, reported_on=dt.date(2025, 6, 2))),
        "accept a report": (ANALYSTS, lambda u: services.report_accept(user=u, report=w["submitted"])),
        "return a report": (ANALYSTS, lambda u: services.report_return(user=u, report=w["submitted"],
                                                                       reason="fix")),
        "report a KPI value of AGRICULTURE": (focal, lambda u: services.kpi_report_submit(
            user=u, kpi=reported, year=1403, months=12, value=5, text="", reported_on=dt.date(2025, 1, 1))),
        "send a viewpoint": (focal, lambda u: services.viewpoint_submit(user=u, round_=w["round"], text="v")),
        "dispose of a viewpoint": (ANALYSTS, lambda u: services.viewpoint_dispose(
            user=u, viewpoint=w["viewpoint"], disposition="accepted", reason="ok")),
        "create a document": (ANALYSTS, lambda u: services.document_create(user=u, title_en="other")),
        "new draft from the approved version": (ANALYSTS, lambda u: (
            Version.objects.filter(pk=draft.pk).update(status="superseded"),
            services.version_new_draft(user=u, source=doc.version))),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(world, analyst, persona, request) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    escalations, refusals = [], []
    for name, (allowed, op) in _ops(world, analyst).items():
        try:
            with transaction.atomic():
                op(user)
                raise _Rollback
        except _Rollback:
            if persona not in allowed:
                escalations.append(name)
        except (PermissionDenied, ValidationError) as exc:
            if persona in allowed:
                refusals.append(f"{name}: {exc}")
    assert escalations == [], f"{persona} could: {escalations}"
    assert refusals == [], f"{persona} was refused: {refusals}"


def test_pages_refuse_writes_to_the_wrong_people(world, client_for, viewer, other_focal_point, focal_point) -> None:
    doc = world["doc"]
    as_viewer = client_for(viewer)
    assert as_viewer.post(f"/strategy/actions/{doc.a1.pk}/", {"text": "x", "percent": "5",
                                                               "reported_on": "1404/01/01"}).status_code == 403
    assert not doc.a1.reports.filter(text="x").exists()
    for url in (f"/strategy/versions/{world['draft'].pk}/goals/new/", f"/strategy/versions/{world['draft'].pk}/kpis/new/",
                f"/strategy/versions/{world['draft'].pk}/rounds/new/",
                f"/strategy/reports/progress/{world['submitted'].pk}/accept/",
                f"/strategy/viewpoints/{world['viewpoint'].pk}/dispose/", f"/strategy/rounds/{world['round'].pk}/close/"):
        assert as_viewer.post(url, {}).status_code == 403, url
    as_other = client_for(other_focal_point)
    as_other.post(f"/strategy/rounds/{world['round'].pk}/", {"text": "not asked"})
    assert not world["round"].viewpoints.filter(text="not asked").exists()
    world["submitted"].refresh_from_db()
    assert world["submitted"].review_status == "submitted"


def test_a_notification_is_read_only_by_its_owner(world, analyst, focal_point) -> None:
    from payesh.strategy.models import Notification

    note = Notification.objects.filter(user=analyst).first()
    assert note is not None
    with pytest.raises(PermissionDenied):
        services.notification_read(user=focal_point, notification=note)
