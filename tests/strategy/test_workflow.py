"""The document's life: reports reviewed and rolled up, bad input refused with names, optimistic
locking, voting rules, locked versions, new drafts and their diff, consultation rounds, notifications."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from payesh.core.locking import EditConflict
from payesh.core.models import User
from payesh.core.review import ReviewError
from payesh.reference.models import Agency
from payesh.strategy import selectors, services
from payesh.strategy.diff import diff_frame, version_diff
from payesh.strategy.models import Goal, Kpi, Notification, VotingRule
from tests.strategy.conftest import j

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def pdf(name: str = "evidence.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_report_returned_with_reason_then_corrected_and_accepted_moves_the_goal(approved, analyst,
                                                                             focal_point) -> None:
    before = selectors.version_dashboard(approved.version)
    g1_before = next(p for g, _d, p in before.goals if g.code == "G1").percent
    report = services.progress_report_submit(user=focal_point, action=approved.a1, text="Two houses", percent=50,
                                             reported_on=dt.date(2025, 6, 1), files=[pdf()])
    assert report.review_status == "submitted" and report.evidence.count() == 1
    with pytest.raises(ReviewError):
        services.report_return(user=analyst, report=report, reason="  ")
    services.report_return(user=analyst, report=report, reason="Attach the inspection report.")
    report.refresh_from_db()
    assert (report.review_status, report.return_reason, report.decided_by) == (
        "returned", "Attach the inspection report.", analyst)
    assert selectors.action_state(approved.a1).percent is None
    services.progress_report_correct(user=focal_point, report=report, text="Two houses, inspected", percent=50,
                                     reported_on=dt.date(2025, 6, 2), files=[pdf("inspection.pdf")])
    services.report_accept(user=analyst, report=report)
    assert selectors.action_state(approved.a1).percent == 50
    after = selectors.version_dashboard(approved.version)
    g1 = next(p for g, _d, p in after.goals if g.code == "G1")
    # G1 = (1 × 50 % action + 1 × 82.8 % KPI attainment) / 2.
    assert g1_before == pytest.approx(82.8 / 2)
    assert g1.percent == pytest.approx((50 + 82.8) / 2)
    returned_note = Notification.objects.get(user=focal_point, kind="report_returned")
    assert "Attach the inspection report." in returned_note.text_en


def test_goal_without_weights_and_missing_kpi_rule(doc, analyst) -> None:
    progress = selectors.goal_progress(doc.g2, evaluations={})
    # G2 has one action without a weight and no accepted report: 0 %, counted, with the note.
    assert progress.percent == 0.0
    assert progress.components[0].weight_used == 1.0
    k = services.kpi_save(user=analyst, goal=doc.g2, data={"code": "KX", "name_en": "no data", "source": "computed",
                                                           "unit": "USD", "measure": "exports_usd",
                                                           "cuts": "partner:IRQ"}, targets=[(1402, 10)])
    evaluations = {k.pk: selectors.kpi_evaluate(k)}
    assert evaluations[k.pk].status == "no_data"
    progress = selectors.goal_progress(Goal.objects.get(pk=doc.g2.pk), evaluations=evaluations)
    assert progress.left_out == ["KX no data"]


@pytest.mark.parametrize("name, body, size, message", [
    ("virus.exe", b"MZ", None, ".exe"),
    ("scan.pdf", b"GIF89a", None, "scan.pdf"),
    ("big.pdf", PDF, 11 * 1024 * 1024, "10 MB"),
])
def test_evidence_of_a_refused_type_or_size(approved, focal_point, name, body, size, message) -> None:
    upload = SimpleUploadedFile(name, body)
    if size:
        upload.size = size
    with pytest.raises(ValidationError) as refused:
        services.progress_report_submit(user=focal_point, action=approved.a1, text="x", percent=10,
                                        reported_on=dt.date(2025, 1, 1), files=[upload])
    assert message in str(refused.value)
    assert not approved.a1.reports.exists()


def test_inverted_and_impossible_dates_are_refused(doc, analyst) -> None:
    from payesh.strategy.periods import parse_date

    with pytest.raises(ValidationError) as refused:
        services.action_save(user=analyst, goal=doc.g1, action=doc.a1,
                             data={"start_date": j(1404, 5, 1), "due_date": j(1404, 1, 1)})
    assert "due_date" in refused.value.message_dict
    for text in ("1403/13/01", "1403/07/31", "1404/12/30", "2024-02-30", "tomorrow"):
        with pytest.raises(ValidationError) as bad:
            parse_date(text)
        assert text in str(bad.value)
    assert parse_date("۱۴۰۳/۱۲/۳۰") == dt.date(2025, 3, 20)  # 1403 is a leap year: 30 Esfand exists


def test_a_weight_sum_of_zero_is_refused(doc, analyst) -> None:
    services.kpi_save(user=analyst, goal=doc.g2, data={"code": "K2", "name_en": "x", "source": "computed",
                                                       "unit": "USD", "measure": "exports_usd", "weight": 0})
    with pytest.raises(ValidationError) as refused:
        services.action_save(user=analyst, goal=doc.g2, action=doc.a2, data={"weight": 0})
    assert "G2" in str(refused.value) and "zero" in str(refused.value)


def test_two_people_editing_the_same_goal(doc, analyst) -> None:
    opened = doc.g1.lock_version
    services.goal_save(user=analyst, version=doc.version, goal=Goal.objects.get(pk=doc.g1.pk),
                       data={"title_en": "First edit"}, expected_version=opened)
    with pytest.raises(EditConflict):
        services.goal_save(user=analyst, version=doc.version, goal=Goal.objects.get(pk=doc.g1.pk),
                           data={"title_en": "Second edit"}, expected_version=opened)
    assert Goal.objects.get(pk=doc.g1.pk).title_en == "First edit"


def test_approved_version_is_locked_and_a_new_draft_copies_the_tree(approved, analyst) -> None:
    version = approved.version
    with pytest.raises((ValidationError, PermissionDenied)):
        services.goal_save(user=analyst, version=version, goal=approved.g1, data={"title_en": "Changed"})
    with pytest.raises((ValidationError, PermissionDenied)):
        services.kpi_targets_set(user=analyst, kpi=approved.k1, targets=[(1402, 1)])
    with pytest.raises((ValidationError, PermissionDenied)):
        services.action_save(user=analyst, goal=approved.g1, action=approved.a1, data={"weight": 5})
    draft = services.version_new_draft(user=analyst, source=version)
    assert (draft.number, draft.status, draft.copied_from_id) == (2, "draft", version.pk)
    assert version_diff(version, draft) == []
    k1 = Kpi.objects.get(version=draft, code="K1")
    services.kpi_targets_set(user=analyst, kpi=k1, targets=[(1402, 30_000), (1403, 40_000)])
    g3 = services.goal_save(user=analyst, version=draft, data={"code": "G3", "title_en": "Exhibitions"})
    a1 = draft.actions.get(code="A1")
    services.action_save(user=analyst, goal=a1.goal, action=a1, data={"due_date": j(1410, 1, 1)}, supporting=[])
    draft.actions.get(code="A2").delete()
    changes = {(c.kind, c.code, c.change, c.field, c.old, c.new) for c in version_diff(version, draft)}
    assert ("goal", "G3", "added", "", "", "") in changes
    assert ("target", "K1 · 1402", "changed", "target", "25,000", "30,000") in changes
    assert ("target", "K1 · 1403", "added", "target", "", "40,000") in changes
    assert ("action", "A2", "removed", "", "", "") in changes
    assert ("action", "A1", "changed", "supporting agencies", "FISHERIES", "") in changes
    assert any(c[:4] == ("action", "A1", "changed", "due") for c in changes)
    frame = diff_frame(version_diff(version, draft))
    assert len(frame) == len(changes) and next(iter(frame.columns)) == "part"
    assert g3.version_id == draft.pk
    # The original is untouched.
    assert list(version.goals.values_list("code", flat=True)) == ["G1", "G2"]


def test_vote_after_the_version_was_decided_is_refused(approved, member) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.vote_cast(user=member, version=approved.version, choice="approve")
    assert "Version 1 is Approved" in str(refused.value)
    assert approved.version.votes.count() == 1


def _votes(*choices: tuple[int, str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(member_id=m, choice=c) for m, c in choices]


def test_voting_rule_quorum_majorities_and_chair() -> None:
    simple = VotingRule(quorum=3, majority="simple")
    assert services.vote_outcome(simple, _votes((1, "approve"), (2, "approve")), 5) is None  # below quorum
    assert services.vote_outcome(simple, _votes((1, "approve"), (2, "approve"), (3, "abstain")), 5) is None
    assert services.vote_outcome(simple, _votes((1, "approve"), (2, "approve"), (3, "approve")), 5) == "approved"
    assert services.vote_outcome(simple, _votes((1, "approve"), (2, "changes"), (3, "changes"), (4, "changes")),
                                 5) == "changes"
    qualified = VotingRule(quorum=3, majority="qualified")
    assert services.vote_outcome(qualified, _votes((1, "approve"), (2, "approve"), (3, "changes")), 3) == "approved"
    assert services.vote_outcome(qualified, _votes((1, "approve"), (2, "approve"), (3, "changes"), (4, "changes")),
                                 4) == "changes"
    chaired = VotingRule(quorum=2, majority="simple", chair_id=9, chair_must_approve=True)
    assert services.vote_outcome(chaired, _votes((1, "approve"), (2, "approve")), 3) is None  # chair outstanding
    assert services.vote_outcome(chaired, _votes((1, "approve"), (2, "approve"), (9, "approve")), 3) == "approved"
    assert services.vote_outcome(chaired, _votes((9, "changes")), 3) == "changes"


def test_working_group_asks_for_changes_and_the_version_returns_to_draft(doc, analyst, member) -> None:
    services.version_request_approval(user=analyst, version=doc.version)
    services.vote_cast(user=member, version=doc.version, choice="changes", comment="Targets too low.")
    doc.version.refresh_from_db()
    assert doc.version.status == "draft"
    assert doc.version.votes.get().comment == "Targets too low."


def test_consultation_round_from_opening_to_dispositions(doc, analyst, focal_point, other_focal_point) -> None:
    focal_point.email = "charlie@example.org"
    focal_point.save()
    agriculture = Agency.objects.get(code="AGRICULTURE")
    round_ = services.round_open(user=analyst, version=doc.version, agencies=[agriculture],
                                 deadline=dt.date.today() + dt.timedelta(days=10), note="Comment")
    doc.version.refresh_from_db()
    assert doc.version.status == "consultation"
    assert Notification.objects.filter(user=focal_point, kind="round_opened").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["charlie@example.org"]
    with pytest.raises(PermissionDenied):  # FISHERIES was not asked
        services.viewpoint_submit(user=other_focal_point, round_=round_, text="We object.")
    view = services.viewpoint_submit(user=focal_point, round_=round_, text="Lower K1.", kpi=doc.k1)
    assert view.agency_id == "AGRICULTURE" and view.anchor.startswith("K1")
    with pytest.raises(ValidationError):
        services.viewpoint_dispose(user=analyst, viewpoint=view, disposition="rejected", reason="")
    stale = view.lock_version
    services.viewpoint_dispose(user=analyst, viewpoint=view, disposition="partly", reason="Lowered by 5 %.",
                               expected_version=stale)
    with pytest.raises(EditConflict):
        services.viewpoint_dispose(user=analyst, viewpoint=view, disposition="accepted", reason="All of it.",
                                   expected_version=stale)
    frame = selectors.round_summary_frame(round_)
    assert frame.iloc[0].tolist()[2:6][0] == "Lower K1."
    assert "partly accepted" in frame.iloc[0].tolist()
    owed = selectors.agency_obligations(Agency.objects.get(code="AGRICULTURE"))
    assert owed.viewpoints_owed == []


def test_obligations_count_expected_on_time_late_and_overdue(approved, analyst, other_focal_point) -> None:
    fisheries = Agency.objects.get(code="FISHERIES")
    today = j(1404, 3, 1)
    # A2 runs 1403/01/15 → 1404/01/15, a report every 3 months: due 1403/04/15, 07/15, 10/15 and 1404/01/15.
    duties = selectors.agency_obligations(fisheries, today=today)
    assert (duties.expected, duties.received, duties.missing) == (4, 0, 4)
    assert [s.action.code for s in duties.overdue_actions] == ["A2"]


def test_reminders_and_digest_are_sent_once(approved, other_focal_point) -> None:
    other_focal_point.email = "dave@example.org"
    other_focal_point.save()
    first = services.reminders_send()
    assert first >= 1
    assert services.reminders_send() == 0
    assert services.digest_send() >= 1
    assert services.digest_send() == 0
    digest = Notification.objects.get(user=other_focal_point, kind="digest")
    assert "actions overdue" in digest.text_en and "اقدام" in digest.text_fa
    assert any(m.to == ["dave@example.org"] for m in mail.outbox)


def test_member_count_for_decision_uses_active_members(doc, analyst, member) -> None:
    User.objects.create(username="inactive-member", role="working_group", is_active=False)
    services.version_request_approval(user=analyst, version=doc.version)
    services.vote_cast(user=member, version=doc.version, choice="approve")
    doc.version.refresh_from_db()
    assert doc.version.status == "approved"
