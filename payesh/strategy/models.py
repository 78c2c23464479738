"""The strategic export-development document (issue 11).

A :class:`Document` has :class:`Version` s (draft → in consultation → in review → approved →
superseded). A version holds a tree: :class:`Goal` s (with sub-goals) → :class:`Kpi` s and
:class:`Action` s. An approved or superseded version is locked; a change starts a new draft copied
from it (``services.version_new_draft``). KPIs have targets per Solar Hijri year and a monthly
history (:class:`KpiSnapshot`) kept so that a revised target never rewrites what was shown before.

Agencies report on their actions (:class:`ProgressReport`) and on reported KPIs (:class:`KpiReport`)
through the core review workflow; they state viewpoints in consultation rounds; the working group
votes on a version under the document's :class:`VotingRule`. Every model a person edits keeps its
history with django-simple-history (core contract); none keeps its own revision table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from payesh.core.locking import Versioned
from payesh.core.review import Reviewable

YEAR_VALIDATORS = [MinValueValidator(1300), MaxValueValidator(1500)]


def _fa() -> bool:
    return (get_language() or "fa").startswith("fa")



# KPI status labels (the rule that picks one lives in selectors.kpi_status).
STATUS_LABELS = {
    "on_track": _("on track"), "at_risk": _("at risk"),
    "off_track": _("off track"), "no_data": _("no data"),
}

class Bilingual(models.Model):
    """A title in both languages; ``title`` picks the interface language (English when Persian is empty)."""

    title_en = models.CharField(_("title (English)"), max_length=500)
    title_fa = models.CharField(_("title (Persian)"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_fa if _fa() and self.title_fa else self.title_en


# ------------------------------------------------------------------------------------------ missions
class Mission(models.Model):
    """One version of an agency's list of duties (شرح وظایف); the newest ``number`` is current."""

    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="missions")
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency_id", "-number"]
        verbose_name = _("agency's duties")
        verbose_name_plural = _("agencies' duties")
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="strategy_mission_number")]

    def __str__(self) -> str:
        return f"{self.agency_id} v{self.number}"


class Duty(models.Model):
    mission = models.ForeignKey(Mission, verbose_name=_("duties"), on_delete=models.CASCADE, related_name="duties")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.TextField(_("duty (English)"))
    text_fa = models.TextField(_("duty (Persian)"), blank=True)
    goals: models.ManyToManyField[Goal, Any] = models.ManyToManyField("Goal", verbose_name=_("goals served"), blank=True, related_name="duties")
    actions: models.ManyToManyField[Action, Any] = models.ManyToManyField("Action", verbose_name=_("actions served"), blank=True, related_name="duties")
    history = HistoricalRecords(m2m_fields=[goals, actions])

    class Meta:
        ordering = ["mission_id", "order", "id"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def text(self) -> str:
        return self.text_fa if _fa() and self.text_fa else self.text_en


# ------------------------------------------------------------------------------------------ document
class VotingRule(models.Model):
    """How the working group decides on a version of the document."""

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("simple majority (more than half of the votes cast for or against)")
        QUALIFIED = "qualified", _("qualified majority (at least two thirds of the votes cast for or against)")

    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=3, validators=[MinValueValidator(1)],
        help_text=_("Votes (approve, request changes or abstain) needed before the rule is applied."))
    majority = models.CharField(_("majority"), max_length=10, choices=Majority.choices, default=Majority.SIMPLE)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    chair_must_approve = models.BooleanField(_("the chair must approve"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("voting rule")
        verbose_name_plural = _("voting rules")

    def __str__(self) -> str:
        return f"{self.quorum} · {self.get_majority_display()}"


class Document(Bilingual):
    region = models.CharField(_("province"), max_length=10, default="IR-11")
    voting_rule = models.OneToOneField(VotingRule, verbose_name=_("voting rule"), on_delete=models.PROTECT,
                                       related_name="document")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("strategic document")
        verbose_name_plural = _("strategic documents")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("In consultation")
    REVIEW = "review", _("In review by the working group")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


LOCKED_STATUSES = frozenset({VersionStatus.APPROVED, VersionStatus.SUPERSEDED})


class Version(Versioned):
    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=14, choices=VersionStatus.choices, default=VersionStatus.DRAFT,
                              db_index=True)
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="strategy_version_number")]

    def __str__(self) -> str:
        return f"{self.document} · v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


class Goal(Bilingual, Versioned):
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey("self", verbose_name=_("parent goal"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("code"), max_length=20, help_text=_("Stable across versions, e.g. G1 or G1.2."))
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fa = models.TextField(_("description (Persian)"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))],
                                 help_text=_("Weight in the parent goal's progress; empty = equal weights."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version_id", "order", "code"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="strategy_goal_code")]

    @property
    def description(self) -> str:
        return self.description_fa if _fa() and self.description_fa else self.description_en


class KpiSource(models.TextChoices):
    COMPUTED = "computed", _("computed from the trade data")
    REPORTED = "reported", _("reported by the responsible agency")


class Direction(models.TextChoices):
    UP = "up", _("higher is better")
    DOWN = "down", _("lower is better")


class PeriodRule(models.TextChoices):
    FIRST_MONTHS = "first_months", _("first N months of the year (N = the months with data, or the months given)")
    WHOLE_YEAR = "whole_year", _("whole year")


class Projection(models.TextChoices):
    SEASONAL = "seasonal", _("same months last year's share of the year")
    LINEAR = "linear", _("linear: the monthly average of the months so far × 12")


class Kpi(Versioned):
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="kpis")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(_("code"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=500)
    name_fa = models.CharField(_("name (Persian)"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=KpiSource.choices, default=KpiSource.COMPUTED)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. USD, t, %, firms"))
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True,
                                                     validators=YEAR_VALIDATORS)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    # Computed KPIs: a cube question. The measure and the cuts use the cube's names (see /api/cube/meta).
    measure = models.CharField(_("cube measure"), max_length=40, blank=True)
    cuts = models.CharField(_("cuts"), max_length=500, blank=True,
                            help_text=_("Members to keep, as in /api/cube: level:value1,value2; level:value"))
    excludes = models.CharField(_("exclusions"), max_length=500, blank=True,
                                help_text=_("Members to leave out, same form, e.g. chapter:27"))
    period_rule = models.CharField(_("period"), max_length=20, choices=PeriodRule.choices,
                                   default=PeriodRule.FIRST_MONTHS)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(12)],
                                              help_text=_("Fixed N for 'first N months'; empty = the months with data."))
    compare_previous_year = models.BooleanField(_("compare with the same months of the year before"), default=True)
    accumulates = models.BooleanField(
        _("accumulates over the year"), default=True,
        help_text=_("For reported KPIs: a flow summed over the year (pro-rate the target for part of a year), "
                    "not a level or a share. Computed KPIs take this from the cube measure."))
    projection = models.CharField(_("year-end projection"), max_length=10, choices=Projection.choices,
                                  default=Projection.SEASONAL)
    # Reported KPIs: the agency whose last accepted report is the actual.
    agency = models.ForeignKey("reference.Agency", verbose_name=_("reporting agency"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="kpis")
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))],
                                 help_text=_("Weight in the goal's progress; empty = equal weights."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["version_id", "goal_id", "code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="strategy_kpi_code")]

    @property
    def name(self) -> str:
        return self.name_fa if _fa() and self.name_fa else self.name_en

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KpiTarget(models.Model):
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year (Solar Hijri)"), validators=YEAR_VALIDATORS)
    value = models.FloatField(_("target"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi_id", "year"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="strategy_target_year")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.year}: {self.value}"


class KpiSnapshot(models.Model):
    """The KPI as computed at one moment for one period: actual, target used, status and provenance.

    Recomputing adds a row only when something changed (data, target, definition); the page shows
    every row, so a revised target or a withdrawn batch is visible, never silently rewritten.
    """

    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    months = models.PositiveSmallIntegerField(_("months"))
    actual = models.FloatField(_("actual"), null=True)
    target = models.FloatField(_("target for the year"), null=True)
    target_period = models.FloatField(_("target for the period"), null=True)
    status = models.CharField(_("status"), max_length=12)
    cube = models.CharField(_("cube query"), max_length=1000, blank=True)
    cutoff = models.PositiveIntegerField(_("data cut-off (yyyymm)"), null=True)
    batches = models.JSONField(_("batches read"), default=list)
    report = models.ForeignKey("KpiReport", verbose_name=_("report"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)

    class Meta:
        ordering = ["kpi_id", "-year", "-months", "-computed_at", "-id"]
        verbose_name = _("KPI history entry")
        verbose_name_plural = _("KPI history")

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.year}:{self.months} {self.actual}"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


class Action(Bilingual, Versioned):
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(_("code"), max_length=20)
    agency = models.ForeignKey("reference.Agency", verbose_name=_("responsible agency"), on_delete=models.PROTECT,
                               related_name="strategy_actions")
    supporting = models.ManyToManyField("reference.Agency", verbose_name=_("supporting agencies"), blank=True,
                                        related_name="supported_actions")
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))],
                                 help_text=_("Weight in the goal's progress; empty = equal weights."))
    report_every_months = models.PositiveSmallIntegerField(
        _("report every (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("The focal point owes a progress report this often between start and due date."))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    history = HistoricalRecords(m2m_fields=[supporting])

    class Meta:
        ordering = ["version_id", "goal_id", "code"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="strategy_action_code")]


class Milestone(Bilingual):
    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="milestones")
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")


# ------------------------------------------------------------------------------------------ reports
class ProgressReport(Reviewable):
    """A focal point's report on their agency's action; the analyst accepts (approves) or returns it."""

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("what was done"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    reported_on = models.DateField(_("report date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "-reported_on", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")


class KpiReport(Reviewable):
    """The responsible agency's value of a reported KPI for a period; the last accepted one is the actual."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("year (Solar Hijri)"), validators=YEAR_VALIDATORS)
    months = models.PositiveSmallIntegerField(_("months covered"), default=12,
                                              validators=[MinValueValidator(1), MaxValueValidator(12)])
    value = models.FloatField(_("value"))
    text = models.TextField(_("how it was measured"), blank=True)
    reported_on = models.DateField(_("report date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi_id", "-year", "-months", "-reported_on", "-id"]
        verbose_name = _("KPI report")
        verbose_name_plural = _("KPI reports")


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"strategy/evidence/{instance.agency_id}/{filename}"


class Evidence(models.Model):
    progress_report = models.ForeignKey(ProgressReport, verbose_name=_("progress report"), null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="evidence")
    kpi_report = models.ForeignKey(KpiReport, verbose_name=_("KPI report"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="evidence")
    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [models.CheckConstraint(
            condition=models.Q(progress_report__isnull=False) | models.Q(kpi_report__isnull=False),
            name="strategy_evidence_has_report")]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------------------------ consultation
class ViewpointRound(models.Model):
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="rounds")
    agencies = models.ManyToManyField("reference.Agency", verbose_name=_("agencies asked"), related_name="rounds")
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("what the agencies are asked"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")

    def __str__(self) -> str:
        return f"{self.version} · {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def agency_ids(self) -> set[str]:
        return set(self.agencies.values_list("code", flat=True))


class Disposition(models.TextChoices):
    PENDING = "", _("not yet decided")
    ACCEPTED = "accepted", _("accepted")
    PARTLY = "partly", _("partly accepted")
    REJECTED = "rejected", _("not accepted")


class Viewpoint(Versioned):
    round = models.ForeignKey(ViewpointRound, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="viewpoints")
    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="viewpoints")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="viewpoints")
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="viewpoints")
    action = models.ForeignKey(Action, verbose_name=_("action"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="viewpoints")
    text = models.TextField(_("viewpoint"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    disposition = models.CharField(_("disposition"), max_length=10, choices=Disposition.choices, blank=True)
    disposition_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round_id", "submitted_at", "id"]
        verbose_name = _("viewpoint")
        verbose_name_plural = _("viewpoints")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def anchor(self) -> str:
        if self.action_id:
            return f"{self.action.code} {self.action.title}"  # type: ignore[union-attr]
        if self.kpi_id:
            return f"{self.kpi.code} {self.kpi.name}"  # type: ignore[union-attr]
        if self.goal_id:
            return f"{self.goal.code} {self.goal.title}"  # type: ignore[union-attr]
        return str(_("the whole document"))


# ------------------------------------------------------------------------------------------ approval
class VoteChoice(models.TextChoices):
    APPROVE = "approve", _("approve")
    CHANGES = "changes", _("request changes")
    ABSTAIN = "abstain", _("abstain")


class Vote(models.Model):
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="strategy_votes")
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    comment = models.TextField(_("comment"), blank=True)
    cast_at = models.DateTimeField(_("cast"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version_id", "cast_at", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["version", "member"], name="strategy_one_vote")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.member_id} {self.choice}"


# ------------------------------------------------------------------------------------------ notifications
class Notification(models.Model):
    class Kind(models.TextChoices):
        ACTION_DUE = "action_due", _("action due soon")
        ACTION_OVERDUE = "action_overdue", _("action overdue")
        REPORT_SUBMITTED = "report_submitted", _("report submitted")
        REPORT_RETURNED = "report_returned", _("report returned")
        REPORT_ACCEPTED = "report_accepted", _("report accepted")
        ROUND_OPENED = "round_opened", _("consultation round opened")
        ROUND_CLOSING = "round_closing", _("consultation round closing")
        APPROVAL_REQUESTED = "approval_requested", _("approval requested")
        APPROVAL_DECIDED = "approval_decided", _("approval decided")
        DIGEST = "digest", _("weekly digest")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="strategy_notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text_en = models.TextField(_("text (English)"))
    text_fa = models.TextField(_("text (Persian)"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Reminders are sent once per object and day: the key makes the sending command safe to re-run.
    key = models.CharField(_("key"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""),
                                               name="strategy_notification_once")]

    def __str__(self) -> str:
        return self.text_en[:80]

    @property
    def text(self) -> str:
        return self.text_fa if _fa() else self.text_en
