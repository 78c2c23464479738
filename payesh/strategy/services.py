"""Writes of the strategy app. Each service checks the permission (django-rules, ``strategy.*``), the
state of the object, the input, and then writes; views and the API only call these.

Errors a person can cause are ``ValidationError`` (with the field and a message naming the value)
or ``PermissionDenied``; an edit of an object someone else saved meanwhile is ``EditConflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payesh.core.locking import save_versioned
from payesh.core.models import Role, User
from payesh.core.review import ReviewStatus, review_approve, review_return, review_submit
from payesh.reference.models import Agency
from payesh.strategy import selectors
from payesh.strategy.kpis import SOURCES
from payesh.strategy.models import (
    Action,
    Disposition,
    Document,
    Evidence,
    Goal,
    Kpi,
    KpiReport,
    KpiSnapshot,
    KpiTarget,
    Milestone,
    Notification,
    ProgressReport,
    Version,
    VersionStatus,
    Viewpoint,
    ViewpointRound,
    Vote,
    VoteChoice,
    VotingRule,
)

EVIDENCE_TYPES = {  # extension → (MIME type, the first bytes every such file starts with)
    "pdf": ("application/pdf", (b"%PDF",)),
    "png": ("image/png", (b"\x89PNG",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "csv": ("text/csv", ()),
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 5


def _require(user: User, perm: str, obj: Any = None) -> None:
    # The rules themselves, not ``user.has_perm``: Django lets a superuser pass every has_perm, and an
    # administrator must not write as an agency (a viewpoint or report needs an agency's focal point).
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(_("You may not do this here."))


def _locked(version: Version) -> None:
    if version.is_locked:
        raise ValidationError(_("Version %(number)s is %(status)s and locked; start a new draft from it to change "
                                "anything.") % {"number": version.number, "status": version.get_status_display()})


# ------------------------------------------------------------------------------------------ documents
@transaction.atomic
def document_create(*, user: User, title_en: str, title_fa: str = "", region: str = "IR-11",
                    quorum: int = 3, majority: str = VotingRule.Majority.SIMPLE, chair: User | None = None,
                    chair_must_approve: bool = False) -> Document:
    _require(user, "strategy.add_version")
    rule = VotingRule.objects.create(quorum=quorum, majority=majority, chair=chair,
                                     chair_must_approve=chair_must_approve)
    document = Document.objects.create(title_en=title_en, title_fa=title_fa, region=region, voting_rule=rule)
    Version.objects.create(document=document, number=1)
    return document


def _weights_check(goal: Goal) -> None:
    """Refuse a goal whose components all carry a weight and those weights add up to zero."""
    weights: list[Decimal | None] = [g.weight for g in goal.children.all()]
    weights += [a.weight for a in goal.actions.filter(cancelled=False)] + [k.weight for k in goal.kpis.all()]
    if weights and all(w is not None for w in weights) and sum((w or Decimal(0) for w in weights), Decimal(0)) == 0:
        raise ValidationError({"weight": _("The weights of goal %(code)s add up to zero, so its progress cannot be "
                                           "computed; give at least one component a weight above zero, or leave "
                                           "weights empty for equal weights.") % {"code": goal.code}})


def _full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True)


@transaction.atomic
def goal_save(*, user: User, version: Version, data: dict[str, Any], goal: Goal | None = None,
              expected_version: int | None = None) -> Goal:
    """Create (``goal`` None) or change a goal of an open version."""
    target = goal or Goal(version=version)
    _require(user, "strategy.change_goal", target)
    _locked(version)
    parent = data.get("parent")
    if parent is not None and (parent.version_id != version.pk or (goal and parent.pk == goal.pk)):
        raise ValidationError({"parent": _("The parent goal must be another goal of the same version.")})
    for name, value in data.items():
        setattr(target, name, value)
    _full_clean(target)
    if goal is None:
        target.save()
    else:
        save_versioned(target, expected_version=target.lock_version if expected_version is None else expected_version)
    if target.parent_id:
        _weights_check(target.parent)  # type: ignore[arg-type]
    return target


@transaction.atomic
def kpi_save(*, user: User, goal: Goal, data: dict[str, Any], targets: Iterable[tuple[int | None, float | None]] = (),
             kpi: Kpi | None = None, expected_version: int | None = None) -> Kpi:
    """Create or change a KPI; its definition is checked by its source (unknown level or member refused)."""
    target = kpi or Kpi(version=goal.version, goal=goal)
    _require(user, "strategy.change_kpi", target)
    _locked(goal.version)
    for name, value in data.items():
        setattr(target, name, value)
    target.goal = goal
    target.version = goal.version
    if target.source not in SOURCES:
        raise ValidationError({"source": _("Unknown KPI source %(value)s.") % {"value": target.source}})
    _full_clean(target)
    SOURCES[target.source].validate(target)
    if kpi is None:
        target.save()
    else:
        save_versioned(target, expected_version=target.lock_version if expected_version is None else expected_version)
    targets = list(targets)
    if targets:
        kpi_targets_set(user=user, kpi=target, targets=targets)
    _weights_check(goal)
    return target


@transaction.atomic
def kpi_targets_set(*, user: User, kpi: Kpi, targets: Iterable[tuple[int | None, float | None]]) -> None:
    """Replace the KPI's yearly targets. Each target needs a Solar Hijri year; a year appears once."""
    _require(user, "strategy.change_kpitarget", kpi)
    _locked(kpi.version)
    seen: set[int] = set()
    clean: list[tuple[int, float]] = []
    for row, (year, value) in enumerate(targets, start=1):
        if year is None and value is None:
            continue
        if year is None:
            raise ValidationError({"targets": _("Target %(row)s (%(value)s) has no year; every target is for a Solar "
                                                "Hijri year.") % {"row": row, "value": value}})
        if not 1300 <= year <= 1500:
            raise ValidationError({"targets": _("Target %(row)s: %(year)s is not a Solar Hijri year (1300–1500).")
                                   % {"row": row, "year": year}})
        if value is None:
            raise ValidationError({"targets": _("Target %(row)s for %(year)s has no value.")
                                   % {"row": row, "year": year}})
        if year in seen:
            raise ValidationError({"targets": _("Year %(year)s has two targets.") % {"year": year}})
        seen.add(year)
        clean.append((year, float(value)))
    existing = {t.year: t for t in kpi.targets.all()}
    for year, value in clean:
        if year in existing:
            if existing[year].value != value:
                existing[year].value = value
                existing[year].save()
        else:
            KpiTarget.objects.create(kpi=kpi, year=year, value=value)
    for year, old in existing.items():
        if year not in seen:
            old.delete()


@transaction.atomic
def action_save(*, user: User, goal: Goal, data: dict[str, Any], supporting: Iterable[Agency] | None = None,
                action: Action | None = None, expected_version: int | None = None) -> Action:
    target = action or Action(version=goal.version, goal=goal)
    _require(user, "strategy.change_action", target)
    _locked(goal.version)
    for name, value in data.items():
        setattr(target, name, value)
    target.goal, target.version = goal, goal.version
    if target.start_date and target.due_date and target.due_date < target.start_date:
        raise ValidationError({"due_date": _("The due date comes before the start date; the start must be on or "
                                             "before the due date.")})
    _full_clean(target)
    if action is None:
        target.save()
    else:
        save_versioned(target, expected_version=target.lock_version if expected_version is None else expected_version)
    if supporting is not None:  # None: leave the supporting agencies as they are
        target.supporting.set([a for a in supporting if a.pk != target.agency_id])
    _weights_check(goal)
    return target


@transaction.atomic
def milestone_add(*, user: User, action: Action, title_en: str, title_fa: str, due_date: dt.date) -> Milestone:
    _require(user, "strategy.change_milestone", action)
    _locked(action.version)
    if not action.start_date <= due_date <= action.due_date:
        raise ValidationError({"due_date": _("A milestone falls between the action's start and due dates.")})
    return Milestone.objects.create(action=action, title_en=title_en, title_fa=title_fa, due_date=due_date)


# ------------------------------------------------------------------------------------------ versions
@transaction.atomic
def version_new_draft(*, user: User, source: Version) -> Version:
    """A new draft holding a deep copy of ``source``'s tree (goals, KPIs with targets, actions, milestones)."""
    _require(user, "strategy.add_version")
    document = source.document
    if document.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.CONSULTATION,
                                            VersionStatus.REVIEW]).exists():
        open_version = document.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.CONSULTATION,
                                                            VersionStatus.REVIEW]).first()
        raise ValidationError(_("Version %(number)s is still open (%(status)s); change that one instead of starting "
                                "another draft.") % {"number": open_version.number,  # type: ignore[union-attr]
                                                     "status": open_version.get_status_display()})  # type: ignore[union-attr]
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = Version.objects.create(document=document, number=number, copied_from=source)
    goal_map: dict[int, Goal] = {}
    pending = list(source.goals.order_by("parent_id", "pk"))
    # Parents first: a goal is copied once its parent is.
    while pending:
        rest = []
        for g in pending:
            if g.parent_id and g.parent_id not in goal_map:
                rest.append(g)
                continue
            goal_map[g.pk] = Goal.objects.create(
                version=draft, parent=goal_map.get(g.parent_id) if g.parent_id else None, code=g.code,
                title_en=g.title_en, title_fa=g.title_fa, description_en=g.description_en,
                description_fa=g.description_fa, weight=g.weight, order=g.order)
        if len(rest) == len(pending):
            raise RuntimeError("goal tree has a cycle")  # impossible: parents are checked on save
        pending = rest
    copied = ("code", "name_en", "name_fa", "source", "unit", "direction", "baseline_year", "baseline_value",
              "measure", "cuts", "excludes", "period_rule", "months", "compare_previous_year", "accumulates",
              "projection", "agency_id", "weight")
    for k in source.kpis.prefetch_related("targets"):
        new = Kpi.objects.create(version=draft, goal=goal_map[k.goal_id], **{f: getattr(k, f) for f in copied})
        KpiTarget.objects.bulk_create([KpiTarget(kpi=new, year=t.year, value=t.value) for t in k.targets.all()])
    action_fields = ("code", "title_en", "title_fa", "agency_id", "start_date", "due_date", "weight",
                     "report_every_months", "cancelled")
    for a in source.actions.prefetch_related("supporting", "milestones"):
        new_action = Action.objects.create(version=draft, goal=goal_map[a.goal_id],
                                           **{f: getattr(a, f) for f in action_fields})
        new_action.supporting.set(a.supporting.all())
        for m in a.milestones.all():
            Milestone.objects.create(action=new_action, title_en=m.title_en, title_fa=m.title_fa,
                                     due_date=m.due_date, done_on=m.done_on)
    return draft


def _status(version: Version, status: str, *, reason: str) -> None:
    version.status = status
    version._change_reason = reason  # type: ignore[attr-defined]
    save_versioned(version, expected_version=version.lock_version, update_fields=["status", "decided_at"])


@transaction.atomic
def round_open(*, user: User, version: Version, agencies: Sequence[Agency], deadline: dt.date, note: str = "",
               today: dt.date | None = None) -> ViewpointRound:
    _require(user, "strategy.add_viewpointround", version)
    _locked(version)
    today = today or timezone.localdate()
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline %(date)s has already passed.") % {"date": deadline}})
    if not agencies:
        raise ValidationError({"agencies": _("Choose at least one agency to ask.")})
    round_ = ViewpointRound.objects.create(version=version, deadline=deadline, note=note, opened_by=user)
    round_.agencies.set(agencies)
    if version.status == VersionStatus.DRAFT:
        _status(version, VersionStatus.CONSULTATION, reason="consultation opened")
    url = reverse("strategy:round", args=[round_.pk])
    notify(users=User.objects.filter(role=Role.FOCAL_POINT, agency__in=agencies, is_active=True),
           kind=Notification.Kind.ROUND_OPENED, url=url, key=f"round-opened-{round_.pk}",
           text=("Consultation on version %(number)s of “%(document)s” is open until %(deadline)s: send your "
                 "agency's viewpoint.", "نظرخواهی دربارهٔ نسخهٔ %(number)s «%(document)s» تا %(deadline)s باز است: "
                 "دیدگاه دستگاه خود را بفرستید."),
           params={"number": version.number, "document": version.document, "deadline": deadline})
    return round_


@transaction.atomic
def round_close(*, user: User, round_: ViewpointRound) -> ViewpointRound:
    _require(user, "strategy.close_viewpointround", round_)
    if round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
    return round_


@transaction.atomic
def viewpoint_submit(*, user: User, round_: ViewpointRound, text: str, goal: Goal | None = None,
                     kpi: Kpi | None = None, action: Action | None = None) -> Viewpoint:
    _require(user, "strategy.add_viewpoint", round_)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the viewpoint.")})
    for name, anchor in (("goal", goal), ("kpi", kpi), ("action", action)):
        if anchor is not None and anchor.version_id != round_.version_id:
            raise ValidationError({name: _("Anchor a viewpoint to a part of the version under consultation.")})
    return Viewpoint.objects.create(round=round_, agency_id=str(user.agency_id), author=user, text=text, goal=goal,
                                    kpi=kpi, action=action)


@transaction.atomic
def viewpoint_dispose(*, user: User, viewpoint: Viewpoint, disposition: str, reason: str,
                      expected_version: int | None = None) -> Viewpoint:
    _require(user, "strategy.dispose_viewpoint", viewpoint)
    if disposition not in (Disposition.ACCEPTED, Disposition.PARTLY, Disposition.REJECTED):
        raise ValidationError({"disposition": _("Choose accepted, partly accepted or not accepted.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"disposition_reason": _("Give the reason for the disposition.")})
    viewpoint.disposition, viewpoint.disposition_reason = disposition, reason
    viewpoint.decided_by, viewpoint.decided_at = user, timezone.now()
    save_versioned(viewpoint, expected_version=viewpoint.lock_version if expected_version is None else expected_version,
                   update_fields=["disposition", "disposition_reason", "decided_by", "decided_at"])
    return viewpoint


@transaction.atomic
def version_request_approval(*, user: User, version: Version) -> Version:
    _require(user, "strategy.request_approval", version)
    _locked(version)
    if version.status == VersionStatus.REVIEW:
        raise ValidationError(_("Version %(number)s is already before the working group.") % {"number": version.number})
    if not version.goals.exists():
        raise ValidationError(_("Version %(number)s has no goals yet.") % {"number": version.number})
    for round_ in version.rounds.filter(closed_at__isnull=True):
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
    version.votes.all().delete()  # a version sent back and corrected is voted on afresh
    _status(version, VersionStatus.REVIEW, reason="approval requested")
    notify(users=User.objects.filter(role=Role.WORKING_GROUP, is_active=True),
           kind=Notification.Kind.APPROVAL_REQUESTED, url=reverse("strategy:version", args=[version.pk]),
           key=f"approval-requested-{version.pk}-{version.lock_version}",
           text=("Version %(number)s of “%(document)s” awaits your vote.",
                 "نسخهٔ %(number)s «%(document)s» منتظر رأی شماست."),
           params={"number": version.number, "document": version.document})
    return version


def vote_outcome(rule: VotingRule, votes: Sequence[Vote], members: int) -> str | None:
    """``approved``, ``changes`` (the rule can no longer be met) or None (wait for more votes).

    Quorum counts every vote cast, abstentions included; the majority is taken over the votes for or
    against; with ``chair_must_approve`` the chair's approval is needed as well.
    """
    approve = sum(1 for v in votes if v.choice == VoteChoice.APPROVE)
    against = sum(1 for v in votes if v.choice == VoteChoice.CHANGES)
    cast = len(votes)
    outstanding = max(0, members - cast)

    def majority(yes: int, no: int) -> bool:
        if yes + no == 0:
            return False
        return yes * 3 >= (yes + no) * 2 if rule.majority == VotingRule.Majority.QUALIFIED else yes * 2 > yes + no

    chair_vote = next((v.choice for v in votes if rule.chair_id and v.member_id == rule.chair_id), None)
    chair_ok = not rule.chair_must_approve or chair_vote == VoteChoice.APPROVE
    if cast >= rule.quorum and majority(approve, against) and chair_ok:
        # Every outstanding vote against could still flip a majority: decide only when it cannot.
        if majority(approve, against + outstanding) or outstanding == 0:
            return "approved"
    if rule.chair_must_approve and chair_vote in (VoteChoice.CHANGES, VoteChoice.ABSTAIN):
        return "changes"
    if outstanding == 0:
        return "changes"
    if not majority(approve + outstanding, against) or cast + outstanding < rule.quorum:
        return "changes"
    return None


@transaction.atomic
def vote_cast(*, user: User, version: Version, choice: str, comment: str = "") -> Vote:
    version = Version.objects.select_for_update().get(pk=version.pk)
    if user.role == Role.WORKING_GROUP and version.status != VersionStatus.REVIEW:
        raise ValidationError(_("Version %(number)s is %(status)s; votes are taken only while it is before the "
                                "working group.") % {"number": version.number,
                                                     "status": version.get_status_display()})
    _require(user, "strategy.vote_version", version)
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _("Vote approve, request changes or abstain.")})
    try:
        with transaction.atomic():
            vote = Vote.objects.create(version=version, member=user, choice=choice, comment=comment.strip())
    except IntegrityError:
        raise ValidationError(_("You have already voted on version %(number)s.") % {"number": version.number}) from None
    rule = version.document.voting_rule
    members = User.objects.filter(role=Role.WORKING_GROUP, is_active=True).count()
    outcome = vote_outcome(rule, list(version.votes.all()), members)
    if outcome is not None:
        version_decide(version=version, outcome=outcome)
    return vote


def version_decide(*, version: Version, outcome: str) -> None:
    """Apply the working group's decision: approved (locked; the former approved version superseded) or
    back to draft for changes."""
    version.decided_at = timezone.now()
    if outcome == "approved":
        for old in version.document.versions.filter(status=VersionStatus.APPROVED).exclude(pk=version.pk):
            _status(old, VersionStatus.SUPERSEDED, reason="superseded")
        _status(version, VersionStatus.APPROVED, reason="approved by the working group")
        text = ("Version %(number)s of “%(document)s” was approved by the working group and is locked.",
                "نسخهٔ %(number)s «%(document)s» به تصویب کارگروه رسید و قفل شد.")
    else:
        _status(version, VersionStatus.DRAFT, reason="changes requested by the working group")
        text = ("The working group asked for changes to version %(number)s of “%(document)s”.",
                "کارگروه برای نسخهٔ %(number)s «%(document)s» اصلاحات خواست.")
    notify(users=User.objects.filter(role__in=[Role.ANALYST, Role.WORKING_GROUP, Role.ADMINISTRATOR], is_active=True),
           kind=Notification.Kind.APPROVAL_DECIDED, url=reverse("strategy:version", args=[version.pk]),
           key=f"decided-{version.pk}-{version.lock_version}", text=text,
           params={"number": version.number, "document": version.document})


# ------------------------------------------------------------------------------------------ reports
def evidence_check(files: Sequence[UploadedFile]) -> None:
    """Refuse a file of a type not listed or above the size limit, naming the file, its type/size and the limit."""
    if len(files) > EVIDENCE_MAX_FILES:
        raise ValidationError({"evidence": _("At most %(limit)s files per report; %(count)s were given.")
                               % {"limit": EVIDENCE_MAX_FILES, "count": len(files)}})
    for f in files:
        name = f.name or ""
        extension = Path(name).suffix.lower().lstrip(".")
        if extension not in EVIDENCE_TYPES:
            raise ValidationError({"evidence": _("%(name)s: files of type .%(ext)s are not accepted; accepted: "
                                                 "%(types)s.") % {"name": name, "ext": extension or "?",
                                                                  "types": ", ".join(EVIDENCE_TYPES)}})
        if (f.size or 0) > EVIDENCE_MAX_BYTES:
            raise ValidationError({"evidence": _("%(name)s is %(size).1f MB; the limit is %(limit)d MB.")
                                   % {"name": name, "size": (f.size or 0) / 1024 / 1024,
                                      "limit": EVIDENCE_MAX_BYTES // 1024 // 1024}})
        signatures = EVIDENCE_TYPES[extension][1]
        head = f.read(8)
        f.seek(0)
        if signatures and not any(head.startswith(s) for s in signatures):
            raise ValidationError({"evidence": _("%(name)s does not look like a .%(ext)s file (its content is of "
                                                 "another type).") % {"name": name, "ext": extension}})


def _evidence_save(files: Sequence[UploadedFile], *, user: User, agency_id: str, **report: Any) -> None:
    for f in files:
        extension = Path(f.name or "").suffix.lower().lstrip(".")
        Evidence.objects.create(file=f, name=f.name or "", size=f.size or 0, content_type=EVIDENCE_TYPES[extension][0],
                                uploaded_by=user, agency_id=agency_id, **report)


def _analysts() -> Any:
    return User.objects.filter(role__in=[Role.ANALYST, Role.ADMINISTRATOR], is_active=True)


@transaction.atomic
def progress_report_submit(*, user: User, action: Action, text: str, percent: int, reported_on: dt.date,
                           files: Sequence[UploadedFile] = ()) -> ProgressReport:
    """A focal point reports on their agency's action of the approved version; it goes to review at once."""
    _require(user, "strategy.add_progressreport", action)
    if action.version.status != VersionStatus.APPROVED:
        raise ValidationError(_("Reports are made on the actions of the approved version."))
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Progress %(value)s is not between 0 and 100 %%.") % {"value": percent}})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The report date %(date)s is in the future.") % {"date": reported_on}})
    if not (text or "").strip():
        raise ValidationError({"text": _("Say what was done.")})
    evidence_check(files)
    report = ProgressReport.objects.create(action=action, agency_id=action.agency_id, text=text.strip(),
                                           percent=percent, reported_on=reported_on, created_by=user)
    _evidence_save(files, user=user, agency_id=action.agency_id, progress_report=report)
    review_submit(obj=report, user=user)
    notify(users=_analysts(), kind=Notification.Kind.REPORT_SUBMITTED,
           url=reverse("strategy:action", args=[action.pk]), key=f"report-submitted-{report.pk}",
           text=("%(agency)s reported %(percent)s %% on action %(code)s.",
                 "%(agency)s برای اقدام %(code)s پیشرفت %(percent)s٪ گزارش کرد."),
           params={"agency": action.agency, "percent": percent, "code": action.code})
    return report


@transaction.atomic
def kpi_report_submit(*, user: User, kpi: Kpi, year: int, months: int, value: float, text: str,
                      reported_on: dt.date, files: Sequence[UploadedFile] = ()) -> KpiReport:
    _require(user, "strategy.add_kpireport", kpi)
    if kpi.source != "reported":
        raise ValidationError(_("KPI %(code)s is computed from the trade data; it takes no reports.") % {"code": kpi.code})
    if not 1300 <= year <= 1500 or not 1 <= months <= 12:
        raise ValidationError({"year": _("Give a Solar Hijri year and the months (1–12) the value covers.")})
    evidence_check(files)
    report = KpiReport.objects.create(kpi=kpi, agency_id=str(kpi.agency_id), year=year, months=months, value=value,
                                      text=(text or "").strip(), reported_on=reported_on, created_by=user)
    _evidence_save(files, user=user, agency_id=kpi.agency_id or "", kpi_report=report)
    review_submit(obj=report, user=user)
    notify(users=_analysts(), kind=Notification.Kind.REPORT_SUBMITTED,
           url=reverse("strategy:kpi", args=[kpi.pk]), key=f"kpi-report-submitted-{report.pk}",
           text=("%(agency)s reported %(value)s for KPI %(code)s.",
                 "%(agency)s برای شاخص %(code)s مقدار %(value)s را گزارش کرد."),
           params={"agency": kpi.agency, "value": value, "code": kpi.code})
    return report


def _report_target(report: ProgressReport | KpiReport) -> tuple[str, str]:
    if isinstance(report, ProgressReport):
        return reverse("strategy:action", args=[report.action_id]), report.action.code
    return reverse("strategy:kpi", args=[report.kpi_id]), report.kpi.code


@transaction.atomic
def report_accept(*, user: User, report: ProgressReport | KpiReport) -> None:
    review_approve(obj=report, user=user)
    url, code = _report_target(report)
    notify(users=User.objects.filter(role=Role.FOCAL_POINT, agency_id=report.agency_id, is_active=True),
           kind=Notification.Kind.REPORT_ACCEPTED, url=url, key=f"accepted-{report._meta.model_name}-{report.pk}",
           text=("Your report on %(code)s was accepted.", "گزارش شما دربارهٔ %(code)s پذیرفته شد."),
           params={"code": code})
    if isinstance(report, KpiReport):
        kpi_snapshot_record(kpi=report.kpi)


@transaction.atomic
def report_return(*, user: User, report: ProgressReport | KpiReport, reason: str) -> None:
    review_return(obj=report, user=user, reason=reason)
    url, code = _report_target(report)
    notify(users=User.objects.filter(role=Role.FOCAL_POINT, agency_id=report.agency_id, is_active=True),
           kind=Notification.Kind.REPORT_RETURNED, url=url, key=f"returned-{report._meta.model_name}-{report.pk}-"
           f"{timezone.now():%Y%m%d%H%M%S}",
           text=("Your report on %(code)s was returned: %(reason)s", "گزارش شما دربارهٔ %(code)s برگشت خورد: %(reason)s"),
           params={"code": code, "reason": reason.strip()})


@transaction.atomic
def progress_report_correct(*, user: User, report: ProgressReport, text: str, percent: int, reported_on: dt.date,
                            files: Sequence[UploadedFile] = (), expected_status: str = ReviewStatus.RETURNED) -> None:
    """The focal point corrects a returned report and submits it again (the return reason stays in history)."""
    _require(user, "strategy.change_progressreport", report)
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Progress %(value)s is not between 0 and 100 %%.") % {"value": percent}})
    evidence_check(files)
    report.text, report.percent, report.reported_on = text.strip(), percent, reported_on
    report.save(update_fields=["text", "percent", "reported_on"])
    _evidence_save(files, user=user, agency_id=report.agency_id, progress_report=report)
    review_submit(obj=report, user=user)
    del expected_status


# ------------------------------------------------------------------------------------------ KPI history
def kpi_snapshot_record(*, kpi: Kpi, year: int | None = None, months: int | None = None) -> KpiSnapshot | None:
    """Record the KPI's current evaluation when it differs from the last record of the same period."""
    evaluation = selectors.kpi_evaluate(kpi, year=year, months=months)
    if evaluation.value is None:
        return None
    value = evaluation.value
    fields = {"actual": value.actual, "target": evaluation.target, "target_period": evaluation.target_period,
              "status": evaluation.status, "cube": value.cube, "cutoff": value.cutoff,
              "batches": list(value.batches), "report_id": value.report_id}
    last = kpi.snapshots.filter(year=value.year, months=value.months).order_by("-computed_at", "-id").first()
    if last is not None and all(getattr(last, k) == v for k, v in fields.items()):
        return None
    return KpiSnapshot.objects.create(kpi=kpi, year=value.year, months=value.months, **fields)


def kpi_history_rebuild(*, kpi: Kpi) -> int:
    """Record every month of the KPI's current year (first 1, 2, … N months) where something changed."""
    evaluation = selectors.kpi_evaluate(kpi)
    if evaluation.value is None:
        return 0
    year, last = evaluation.value.year, evaluation.value.months
    if kpi.source != "computed":
        return int(kpi_snapshot_record(kpi=kpi) is not None)
    if kpi.period_rule == "whole_year":
        return int(kpi_snapshot_record(kpi=kpi, year=year, months=12) is not None)
    return sum(kpi_snapshot_record(kpi=kpi, year=year, months=m) is not None for m in range(1, last + 1))


def kpis_recompute_all() -> int:
    """Every KPI of the versions still in force (not superseded) adds to its monthly history what changed.

    Called by the ledger after every load, withdrawal or restore (registered in ``StrategyConfig.ready``),
    and by ``payesh manage strategy_recompute``."""
    return sum(version_kpis_recompute(user=None, version=v)
               for v in Version.objects.exclude(status=VersionStatus.SUPERSEDED))


def version_kpis_recompute(*, user: User | None, version: Version) -> int:
    if user is not None:
        _require(user, "strategy.recompute_kpi", version)
    return sum(kpi_history_rebuild(kpi=k) for k in version.kpis.prefetch_related("targets"))


# ------------------------------------------------------------------------------------------ notifications
def notify(*, users: Iterable[User], kind: str, text: tuple[str, str], params: dict[str, Any], url: str = "",
           key: str = "") -> list[Notification]:
    """An in-app notification for each user, and the same by e-mail (Django's e-mail backend) when they have
    an address. ``text`` is (English, Persian) with ``%(name)s`` placeholders; ``key`` sends a reminder once."""
    made: list[Notification] = []
    for user in users:
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        values_en, values_fa = {}, {}
        for name, value in params.items():
            with translation.override("en"):
                values_en[name] = str(value)
            with translation.override("fa"):
                values_fa[name] = str(value)
        note = Notification.objects.create(user=user, kind=kind, url=url, key=key,
                                           text_en=text[0] % values_en, text_fa=text[1] % values_fa)
        if user.email:
            body = f"{note.text_fa}\n\n{note.text_en}\n\n{url}"
            send_mail(subject=f"Payesh · {note.get_kind_display()}", message=body,
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email])
            note.emailed = True
            note.save(update_fields=["emailed"])
        made.append(note)
    return made


def reminders_send(*, today: dt.date | None = None) -> int:
    """Due-soon and overdue actions, rounds closing within three days: one reminder per object and day."""
    today = today or timezone.localdate()
    sent = 0
    for agency in Agency.objects.filter(strategy_actions__version__status=VersionStatus.APPROVED).distinct():
        focal = list(User.objects.filter(role=Role.FOCAL_POINT, agency=agency, is_active=True))
        duties = selectors.agency_obligations(agency, today=today)
        for state in duties.overdue_actions:
            sent += len(notify(users=focal, kind=Notification.Kind.ACTION_OVERDUE,
                               url=reverse("strategy:action", args=[state.action.pk]),
                               key=f"overdue-{state.action.pk}-{today:%Y%m%d}",
                               text=("Action %(code)s was due on %(date)s and is not done.",
                                     "مهلت اقدام %(code)s در %(date)s گذشته و انجام نشده است."),
                               params={"code": state.action.code, "date": state.action.due_date}))
        for state in duties.due_soon:
            sent += len(notify(users=focal, kind=Notification.Kind.ACTION_DUE,
                               url=reverse("strategy:action", args=[state.action.pk]),
                               key=f"due-{state.action.pk}-{today:%Y%m%d}",
                               text=("Action %(code)s is due on %(date)s.", "مهلت اقدام %(code)s %(date)s است."),
                               params={"code": state.action.code, "date": state.action.due_date}))
    for round_ in ViewpointRound.objects.filter(closed_at__isnull=True,
                                                deadline__lte=today + dt.timedelta(days=3)):
        answered = set(round_.viewpoints.values_list("agency_id", flat=True))
        users = User.objects.filter(role=Role.FOCAL_POINT, agency__in=round_.agencies.exclude(code__in=answered),
                                    is_active=True)
        sent += len(notify(users=users, kind=Notification.Kind.ROUND_CLOSING,
                           url=reverse("strategy:round", args=[round_.pk]),
                           key=f"closing-{round_.pk}-{today:%Y%m%d}",
                           text=("The consultation round closes on %(date)s and your agency has not answered yet.",
                                 "نظرخواهی در %(date)s بسته می‌شود و دستگاه شما هنوز پاسخ نداده است."),
                           params={"date": round_.deadline}))
    return sent


def digest_send(*, today: dt.date | None = None) -> int:
    """The weekly digest of every focal point: what their agency owes (one per person and ISO week)."""
    today = today or timezone.localdate()
    week = today.isocalendar()
    sent = 0
    for user in User.objects.filter(role=Role.FOCAL_POINT, is_active=True).select_related("agency"):
        duties = selectors.agency_obligations(user.agency, today=today)  # type: ignore[arg-type]
        sent += len(notify(
            users=[user], kind=Notification.Kind.DIGEST, url=reverse("strategy:agency", args=[user.agency_id]),
            key=f"digest-{week.year}-{week.week}",
            text=("Weekly digest: %(missing)s progress reports missing, %(overdue)s actions overdue, %(soon)s due "
                  "within two weeks, %(owed)s viewpoints owed.",
                  "خلاصهٔ هفتگی: %(missing)s گزارش پیشرفت نرسیده، %(overdue)s اقدام از مهلت گذشته، %(soon)s اقدام "
                  "با مهلت کمتر از دو هفته و %(owed)s دیدگاه بدهکار."),
            params={"missing": duties.missing, "overdue": len(duties.overdue_actions),
                    "soon": len(duties.due_soon), "owed": len(duties.viewpoints_owed)}))
    return sent


def notification_read(*, user: User, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
