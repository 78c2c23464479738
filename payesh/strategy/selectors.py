"""Reads of the strategy app: KPI evaluation (status, pro-rating, projection), roll-up, dashboards,
agency obligations. Every trade number comes from the cube through :mod:`payesh.strategy.kpis`.

The rules below are the ones the pages print (``RULES_*``): a number a person sees is never the
result of a rule the page does not state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payesh.core.review import ReviewStatus
from payesh.reference.models import Agency
from payesh.strategy.kpis import SOURCES, KpiValue
from payesh.strategy.models import (
    STATUS_LABELS,
    Action,
    Direction,
    Document,
    Goal,
    Kpi,
    ProgressReport,
    Projection,
    Version,
    VersionStatus,
    Viewpoint,
    ViewpointRound,
)
from payesh.strategy.periods import report_due_dates

# Status of a KPI from its attainment (actual against the target pro-rated to the period).
ON_TRACK_FROM = 0.95
AT_RISK_FROM = 0.80
# A report counts as on time when it is submitted at most this many days after its period ends.
REPORT_GRACE_DAYS = 15
DUE_SOON_DAYS = 14

RULES_STATUS = gettext_lazy(
    "Attainment = actual ÷ target for the period (for “lower is better”: target ÷ actual). On track: "
    "attainment ≥ 95 %; at risk: 80–95 %; off track: below 80 %; no data: no actual or no target for the "
    "year. For part of a year the yearly target is pro-rated by the share the same months had in the year "
    "before (the way “first N months” is compared in Iranian reporting); without that share, by N ÷ 12. "
    "Levels and ratios (e.g. a unit value or a share of firms) are not pro-rated.")
RULES_PROJECTION = gettext_lazy(
    "Year-end projection: the actual ÷ the share the same months had in the previous year (“seasonal”), "
    "or the monthly average so far × 12 (“linear”), as the KPI says; when the share is unknown, linear. "
    "Levels and ratios are projected as they stand.")
RULES_ROLLUP = gettext_lazy(
    "Goal progress = Σ(weight × progress) ÷ Σ weight over the goal's sub-goals, actions and KPIs. An "
    "action's progress is its last accepted report (0 % until one is accepted; cancelled actions are left "
    "out). A KPI's progress is its attainment, capped at 100 %; a KPI with no data is left out and named. A "
    "component without a weight counts with the mean weight of those that have one (all missing: equal "
    "weights). A goal with nothing to measure shows no progress.")
RULES_OBLIGATIONS = gettext_lazy(
    "An action owes a progress report at the end of every reporting period from its start (every N months, "
    "as the action says) and at its due date. A report is on time when submitted within 15 days of its "
    "period's end. An action is overdue when its due date has passed and its last accepted report is below "
    "100 %. A viewpoint is owed to every open round that asked the agency until it has sent one.")


def _language_fa() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fa").startswith("fa")


# ------------------------------------------------------------------------------------------ KPIs
@dataclass
class KpiEvaluation:
    kpi: Kpi
    value: KpiValue | None
    target: float | None  # yearly target of the period's year
    target_period: float | None  # pro-rated to the months
    prorate_method: str
    attainment: float | None
    status: str  # on_track | at_risk | off_track | no_data
    projection: float | None
    projection_method: str

    @property
    def actual(self) -> float | None:
        return self.value.actual if self.value else None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def attainment_pct(self) -> float | None:
        return 100 * self.attainment if self.attainment is not None else None

    @property
    def change_pct(self) -> float | None:
        if not self.value or self.value.actual is None or not self.value.previous:
            return None
        return 100.0 * (self.value.actual - self.value.previous) / self.value.previous




def kpi_status(attainment: float | None) -> str:
    if attainment is None:
        return "no_data"
    if attainment >= ON_TRACK_FROM:
        return "on_track"
    if attainment >= AT_RISK_FROM:
        return "at_risk"
    return "off_track"


def kpi_attainment(actual: float | None, target: float | None, direction: str) -> float | None:
    if actual is None or target is None:
        return None
    if direction == Direction.DOWN:
        if actual <= 0:
            return 1.0 if target >= 0 else None
        return target / actual
    if target == 0:
        return 1.0 if actual >= 0 else 0.0
    return actual / target


def kpi_evaluate(kpi: Kpi, *, year: int | None = None, months: int | None = None) -> KpiEvaluation:
    """The KPI for a period (default: the source's latest period), with status and projection."""
    source = SOURCES[kpi.source]
    if year is None:
        period = source.default_period(kpi)
        if period is None:
            return KpiEvaluation(kpi, None, None, None, "", None, "no_data", None, "")
        year, months = period
    months = months or 12
    value = source.value(kpi, year=year, months=months)
    targets = {t.year: t.value for t in kpi.targets.all()}
    target = targets.get(year)
    target_period, prorate = target, ""
    if target is not None and value.accumulates and value.months < 12:
        if value.seasonal_share:
            target_period, prorate = target * value.seasonal_share, _(
                "pro-rated by the share of the same months in %(year)s (%(share).1f %%)") % {
                "year": year - 1, "share": 100 * value.seasonal_share}
        else:
            target_period, prorate = target * value.months / 12, _("pro-rated by %(months)d ÷ 12") % {
                "months": value.months}
    attainment = kpi_attainment(value.actual, target_period, kpi.direction)
    projection, method = None, ""
    if value.actual is not None:
        if not value.accumulates or value.months == 12:
            projection, method = value.actual, _("as it stands") if value.months < 12 else _("whole year")
        elif kpi.projection == Projection.SEASONAL and value.seasonal_share:
            projection, method = value.actual / value.seasonal_share, _(
                "seasonal: actual ÷ share of the same months in %(year)s") % {"year": year - 1}
        else:
            projection, method = value.actual * 12 / value.months, _("linear: monthly average × 12")
    return KpiEvaluation(kpi, value, target, target_period, prorate, attainment, kpi_status(attainment),
                         projection, method)


# ------------------------------------------------------------------------------------------ actions
@dataclass
class ActionState:
    action: Action
    percent: int | None  # last accepted report
    last_report: ProgressReport | None
    state: str  # not_started | in_progress | done | overdue | cancelled

    @property
    def state_label(self) -> str:
        return str(ACTION_STATES[self.state])


ACTION_STATES = {
    "not_started": gettext_lazy("not started"), "in_progress": gettext_lazy("in progress"),
    "done": gettext_lazy("done"), "overdue": gettext_lazy("overdue"), "cancelled": gettext_lazy("cancelled"),
}


def action_state(action: Action, today: dt.date | None = None) -> ActionState:
    today = today or timezone.localdate()
    accepted = [r for r in action.reports.all() if r.review_status == ReviewStatus.APPROVED]
    accepted.sort(key=lambda r: (r.reported_on, r.decided_at or timezone.now(), r.pk))
    last = accepted[-1] if accepted else None
    percent = last.percent if last else None
    if action.cancelled:
        state = "cancelled"
    elif percent == 100:
        state = "done"
    elif action.due_date < today:
        state = "overdue"
    elif action.start_date > today and not percent:
        state = "not_started"
    else:
        state = "in_progress"
    return ActionState(action, percent, last, state)


# ------------------------------------------------------------------------------------------ roll-up
@dataclass
class Component:
    kind: str  # goal | action | kpi
    code: str
    label: str
    weight: float | None  # as entered
    weight_used: float = 0.0
    progress: float | None = None  # 0..100
    note: str = ""


@dataclass
class GoalProgress:
    goal: Goal
    percent: float | None
    components: list[Component]
    left_out: list[str] = field(default_factory=list)


def _weights(components: list[Component]) -> None:
    given = [c.weight for c in components if c.weight is not None]
    fill = (sum(given) / len(given)) if given else 1.0
    for c in components:
        c.weight_used = c.weight if c.weight is not None else fill


def _as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def goal_progress(goal: Goal, *, evaluations: dict[int, KpiEvaluation], today: dt.date | None = None,
                  cache: dict[int, GoalProgress] | None = None) -> GoalProgress:
    cache = {} if cache is None else cache
    if goal.pk in cache:
        return cache[goal.pk]
    components: list[Component] = []
    left_out: list[str] = []
    for child in goal.children.all():
        sub = goal_progress(child, evaluations=evaluations, today=today, cache=cache)
        if sub.percent is None:
            left_out.append(f"{child.code} {child.title}")
            continue
        components.append(Component("goal", child.code, child.title, _as_float(child.weight), progress=sub.percent))
    for action in goal.actions.all():
        if action.cancelled:
            continue
        state = action_state(action, today)
        components.append(Component("action", action.code, action.title, _as_float(action.weight),
                                    progress=float(state.percent or 0),
                                    note="" if state.percent is not None else _("no accepted report: 0 %")))
    for kpi in goal.kpis.all():
        evaluation = evaluations.get(kpi.pk)
        if evaluation is None or evaluation.attainment is None:
            left_out.append(f"{kpi.code} {kpi.name}")
            continue
        components.append(Component("kpi", kpi.code, kpi.name, _as_float(kpi.weight),
                                    progress=max(0.0, min(100.0, 100 * evaluation.attainment))))
    _weights(components)
    total = sum(c.weight_used for c in components)
    percent = (sum(c.weight_used * (c.progress or 0.0) for c in components) / total) if total > 0 else None
    result = GoalProgress(goal, percent, components, left_out)
    cache[goal.pk] = result
    return result


# ------------------------------------------------------------------------------------------ dashboards
def version_tree(version: Version) -> QuerySet[Goal]:
    return (Goal.objects.filter(version=version)
            .prefetch_related("children", "kpis__targets", "kpis__reports",
                              Prefetch("actions", queryset=Action.objects.select_related("agency")
                                       .prefetch_related("reports", "supporting", "milestones"))))


@dataclass
class VersionDashboard:
    version: Version
    goals: list[tuple[Goal, int, GoalProgress]]  # (goal, depth, progress) in tree order
    evaluations: dict[int, KpiEvaluation]
    actions: list[ActionState]
    overall: float | None


def version_dashboard(version: Version, *, today: dt.date | None = None) -> VersionDashboard:
    goals = list(version_tree(version))
    kpis = list(Kpi.objects.filter(version=version).prefetch_related("targets", "reports").select_related("agency"))
    evaluations = {k.pk: kpi_evaluate(k) for k in kpis}
    cache: dict[int, GoalProgress] = {}
    by_parent: dict[int | None, list[Goal]] = {}
    for g in goals:
        by_parent.setdefault(g.parent_id, []).append(g)
    ordered: list[tuple[Goal, int, GoalProgress]] = []

    def walk(parent: int | None, depth: int) -> None:
        for g in by_parent.get(parent, []):
            ordered.append((g, depth, goal_progress(g, evaluations=evaluations, today=today, cache=cache)))
            walk(g.pk, depth + 1)

    walk(None, 0)
    tops = [p for g, d, p in ordered if d == 0]
    top_components = [Component("goal", p.goal.code, p.goal.title, _as_float(p.goal.weight), progress=p.percent)
                      for p in tops if p.percent is not None]
    _weights(top_components)
    total = sum(c.weight_used for c in top_components)
    overall = sum(c.weight_used * (c.progress or 0) for c in top_components) / total if total else None
    actions = [action_state(a, today) for g in goals for a in g.actions.all()]
    return VersionDashboard(version, ordered, evaluations, actions, overall)


def documents() -> QuerySet[Document]:
    return Document.objects.prefetch_related("versions")


def current_version(document: Document) -> Version | None:
    """The approved version (the one being implemented), else the newest."""
    versions = list(document.versions.all())
    approved = [v for v in versions if v.status == VersionStatus.APPROVED]
    if approved:
        return max(approved, key=lambda v: v.number)
    return max(versions, key=lambda v: v.number) if versions else None


# ------------------------------------------------------------------------------------------ obligations
@dataclass
class Obligations:
    agency: Agency
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    overdue_actions: list[ActionState]
    due_soon: list[ActionState]
    viewpoints_owed: list[ViewpointRound]
    actions: list[ActionState]


def agency_obligations(agency: Agency, *, today: dt.date | None = None) -> Obligations:
    today = today or timezone.localdate()
    actions = list(Action.objects.filter(agency=agency, version__status=VersionStatus.APPROVED, cancelled=False)
                   .select_related("version", "goal").prefetch_related("reports"))
    expected = received = on_time = 0
    states: list[ActionState] = []
    for action in actions:
        dues = report_due_dates(action.start_date, action.due_date, action.report_every_months, today)
        sent = sorted((r for r in action.reports.all() if r.submitted_at is not None),
                      key=lambda r: r.submitted_at)  # type: ignore[arg-type,return-value]
        expected += len(dues)
        received += len(sent)
        for due, report in zip(dues, sent, strict=False):
            if timezone.localtime(report.submitted_at).date() <= due + dt.timedelta(days=REPORT_GRACE_DAYS):
                on_time += 1
        states.append(action_state(action, today))
    matched = min(expected, received)
    open_rounds = ViewpointRound.objects.filter(closed_at__isnull=True, agencies=agency).select_related("version")
    answered = set(Viewpoint.objects.filter(agency=agency, round__in=open_rounds).values_list("round_id", flat=True))
    return Obligations(
        agency=agency, expected=expected, received=received, on_time=on_time, late=matched - on_time,
        missing=max(0, expected - received),
        overdue_actions=[s for s in states if s.state == "overdue"],
        due_soon=[s for s in states if s.state in ("in_progress", "not_started")
                  and s.action.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS)],
        viewpoints_owed=[r for r in open_rounds if r.pk not in answered],
        actions=states)


def agencies_with_duties() -> QuerySet[Agency]:
    return Agency.objects.all().order_by("code")


# ------------------------------------------------------------------------------------------ exports
def round_summary_frame(round_: ViewpointRound) -> pd.DataFrame:
    fa = _language_fa()
    rows: list[dict[str, Any]] = []
    for v in round_.viewpoints.select_related("agency", "goal", "kpi", "action", "author", "decided_by"):
        rows.append({
            _("agency"): v.agency.name, _("about"): v.anchor, _("viewpoint"): v.text,
            _("submitted"): timezone.localtime(v.submitted_at).strftime("%Y-%m-%d %H:%M"),
            _("disposition"): v.get_disposition_display() if v.disposition else _("not yet decided"),
            _("reason"): v.disposition_reason,
            _("decided by"): (v.decided_by.get_full_name() or v.decided_by.username) if v.decided_by else "",
        })
    del fa
    return pd.DataFrame(rows, columns=[_("agency"), _("about"), _("viewpoint"), _("submitted"), _("disposition"),
                                       _("reason"), _("decided by")])


def kpi_frame(version: Version) -> pd.DataFrame:
    dashboard = version_dashboard(version)
    rows = []
    for e in dashboard.evaluations.values():
        rows.append({"code": e.kpi.code, "name": e.kpi.name, "unit": e.kpi.unit, "status": e.status,
                     "year": e.value.year if e.value else None, "months": e.value.months if e.value else None,
                     "actual": e.actual, "target": e.target, "target_period": e.target_period,
                     "projection": e.projection, "cube": e.value.cube if e.value else ""})
    return pd.DataFrame(rows)
