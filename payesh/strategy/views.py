"""Strategy pages: thin — read the request, call one selector or service, render. Signed-in users only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payesh.core.models import User
from payesh.core.pagekit import Column, Table, table_download
from payesh.core.review import ReviewStatus, review_allowed
from payesh.reference.models import Agency
from payesh.strategy import selectors, services
from payesh.strategy.diff import diff_frame, version_diff
from payesh.strategy.forms import (
    ActionForm,
    DispositionForm,
    GoalForm,
    KpiForm,
    KpiReportForm,
    ProgressReportForm,
    ReturnForm,
    RoundForm,
    ViewpointForm,
    VoteForm,
)
from payesh.strategy.models import (
    Action,
    Evidence,
    Goal,
    Kpi,
    KpiReport,
    Mission,
    Notification,
    ProgressReport,
    Version,
    Viewpoint,
    ViewpointRound,
)


def can(user: User, perm: str, obj: Any = None) -> bool:
    """The app's rules as the services apply them (no superuser shortcut), for showing buttons."""
    return bool(rules.has_perm(perm, user, obj))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language() -> str:
    return "fa" if (get_language() or "fa").startswith("fa") else "en"


def _errors(request: HttpRequest, exc: ValidationError, form: Any = None) -> None:
    """Show a service's refusal: on the form's field when the form has it, else as a page message."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if form is not None and name in form.fields:
                for e in errors:
                    form.add_error(name, e)
            else:
                for e in errors:
                    messages.error(request, e)
    else:
        for e in exc.messages:
            if form is not None:
                form.add_error(None, e)
            else:
                messages.error(request, e)


def _post(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    try:
        action()
    except ValidationError as exc:
        _errors(request, exc)
        return False
    messages.success(request, done)
    return True


def _download(request: HttpRequest, table_id: str, title: str, frame: Any,
              stem_parts: tuple[object, ...]) -> HttpResponse | None:
    """The page kit's one convention, ``?download=<table id>&format=<csv|xlsx|parquet>``; None if not asked."""
    table = Table(table_id, title, frame, [Column(str(c), str(c)) for c in frame.columns])
    return table_download(request, {table_id: table}, stem_parts=stem_parts)


# ------------------------------------------------------------------------------------------ reading
@login_required
def index(request: HttpRequest) -> HttpResponse:
    docs = [(d, selectors.current_version(d)) for d in selectors.documents()]
    return render(request, "strategy/index.html", {
        "documents": docs, "agencies": Agency.objects.all(),
        "can_create": can(_user(request), "strategy.add_version"),
        "unread": Notification.objects.filter(user=_user(request), read_at__isnull=True).count(),
    })


@login_required
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(Version.objects.select_related("document__voting_rule__chair", "copied_from"),
                                pk=version_id)
    user = _user(request)
    dashboard = selectors.version_dashboard(version)
    if request.GET.get("download") and (response := _download(
            request, "kpis", _("KPIs"), selectors.kpi_frame(version), ("strategy", f"v{version.number}"))) is not None:
        return response
    my_vote = version.votes.filter(member=user).first()
    return render(request, "strategy/version.html", {
        "version": version, "document": version.document, "dashboard": dashboard,
        "versions": version.document.versions.all(), "rounds": version.rounds.all(),
        "votes": version.votes.select_related("member"), "my_vote": my_vote,
        "can_edit": can(user, "strategy.change_goal", version),
        "can_new_draft": can(user, "strategy.add_version") and version.is_locked,
        "can_round": can(user, "strategy.add_viewpointround", version),
        "can_request": can(user, "strategy.request_approval", version) and version.status != "review",
        "can_vote": can(user, "strategy.vote_version", version) and my_vote is None,
        "can_recompute": can(user, "strategy.recompute_kpi", version),
        "vote_form": VoteForm(), "rules": _rules(),
    })


def _rules() -> dict[str, str]:
    return {"status": str(selectors.RULES_STATUS), "projection": str(selectors.RULES_PROJECTION),
            "rollup": str(selectors.RULES_ROLLUP), "obligations": str(selectors.RULES_OBLIGATIONS)}


@login_required
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("version__document", "parent"), pk=goal_id)
    evaluations = {k.pk: selectors.kpi_evaluate(k) for k in goal.kpis.prefetch_related("targets", "reports")}
    progress = selectors.goal_progress(goal, evaluations=evaluations)
    return render(request, "strategy/goal.html", {
        "goal": goal, "version": goal.version, "progress": progress, "evaluations": evaluations.values(),
        "actions": [selectors.action_state(a) for a in goal.actions.select_related("agency").prefetch_related("reports")],
        "children": goal.children.all(), "rules": _rules(),
        "can_edit": can(_user(request), "strategy.change_goal", goal),
    })


@login_required
def kpi_detail(request: HttpRequest, kpi_id: int) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("version__document", "goal", "agency"), pk=kpi_id)
    user = _user(request)
    evaluation = selectors.kpi_evaluate(kpi)
    form = KpiReportForm()
    if request.method == "POST":
        form = KpiReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.kpi_report_submit(user=user, kpi=kpi, year=form.cleaned_data["year"],
                                           months=form.cleaned_data["months"], value=form.cleaned_data["value"],
                                           text=form.cleaned_data["text"], reported_on=form.cleaned_data["reported_on"],
                                           files=form.cleaned_data["evidence"])
            except ValidationError as exc:
                _errors(request, exc, form)
            else:
                messages.success(request, _("The report was sent for review."))
                return redirect("strategy:kpi", kpi_id=kpi.pk)
    reports = list(kpi.reports.select_related("agency", "submitted_by", "decided_by").prefetch_related("evidence"))
    return render(request, "strategy/kpi.html", {
        "kpi": kpi, "version": kpi.version, "evaluation": evaluation, "value": evaluation.value,
        "targets": kpi.targets.all(), "snapshots": kpi.snapshots.all()[:60], "reports": reports,
        "form": form, "return_form": ReturnForm(), "rules": _rules(),
        "can_report": kpi.source == "reported" and can(user, "strategy.add_kpireport", kpi),
        "can_review": can(user, "strategy.review_kpireport", kpi),
        "can_edit": can(user, "strategy.change_kpi", kpi),
        "can_recompute": can(user, "strategy.recompute_kpi", kpi),
    })


@login_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("version__document", "goal", "agency"), pk=action_id)
    user = _user(request)
    form = ProgressReportForm()
    if request.method == "POST":
        form = ProgressReportForm(request.POST, request.FILES)
        if form.is_valid():
            correcting = request.POST.get("correct", "")
            try:
                if correcting:
                    report = get_object_or_404(ProgressReport, pk=int(correcting), action=action)
                    services.progress_report_correct(user=user, report=report, text=form.cleaned_data["text"],
                                                     percent=form.cleaned_data["percent"],
                                                     reported_on=form.cleaned_data["reported_on"],
                                                     files=form.cleaned_data["evidence"])
                else:
                    services.progress_report_submit(user=user, action=action, text=form.cleaned_data["text"],
                                                    percent=form.cleaned_data["percent"],
                                                    reported_on=form.cleaned_data["reported_on"],
                                                    files=form.cleaned_data["evidence"])
            except ValidationError as exc:
                _errors(request, exc, form)
            else:
                messages.success(request, _("The report was sent for review."))
                return redirect("strategy:action", action_id=action.pk)
    reports = list(action.reports.select_related("submitted_by", "decided_by").prefetch_related("evidence"))
    returned = next((r for r in reports if r.review_status == ReviewStatus.RETURNED), None)
    return render(request, "strategy/action.html", {
        "action": action, "version": action.version, "state": selectors.action_state(action),
        "milestones": action.milestones.all(), "reports": reports, "form": form, "return_form": ReturnForm(),
        "supporting": action.supporting.all(),
        "returned": returned if returned and can(user, "strategy.change_progressreport", returned) else None,
        "can_report": can(user, "strategy.add_progressreport", action) and action.version.status == "approved",
        "can_review": can(user, "strategy.review_progressreport", action),
        "can_edit": can(user, "strategy.change_action", action),
    })


@login_required
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=code)
    mission = Mission.objects.filter(agency=agency).prefetch_related("duties__goals", "duties__actions").first()
    return render(request, "strategy/agency.html", {
        "agency": agency, "mission": mission, "missions": Mission.objects.filter(agency=agency),
        "obligations": selectors.agency_obligations(agency), "rules": _rules(),
        "kpis": Kpi.objects.filter(agency=agency, version__status="approved"),
        "viewpoints": Viewpoint.objects.filter(agency=agency).select_related("round__version")[:30],
    })


@login_required
def obligations(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(Q(strategy_actions__isnull=False) | Q(rounds__isnull=False)).distinct()
    rows = [selectors.agency_obligations(a) for a in agencies]
    import pandas as pd

    frame = pd.DataFrame([{
        _("agency"): o.agency.name, _("reports expected"): o.expected, _("received"): o.received,
        _("on time"): o.on_time, _("late"): o.late, _("missing"): o.missing,
        _("actions overdue"): len(o.overdue_actions), _("viewpoints owed"): len(o.viewpoints_owed)} for o in rows])
    if (response := _download(request, "obligations", _("Agency obligations"), frame, ("strategy",))) is not None:
        return response
    return render(request, "strategy/obligations.html", {
        "rows": rows, "rules": _rules(), "can_remind": _user(request).is_analyst})


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = get_object_or_404(ViewpointRound.objects.select_related("version__document", "opened_by"), pk=round_id)
    user = _user(request)
    if request.GET.get("download") and (response := _download(
            request, "viewpoints", _("Viewpoints and dispositions"), selectors.round_summary_frame(round_),
            ("strategy", f"round-{round_.pk}"))) is not None:
        return response
    form = ViewpointForm(version=round_.version)
    if request.method == "POST":
        form = ViewpointForm(request.POST, version=round_.version)
        if form.is_valid():
            kind, _sep, pk = form.cleaned_data["anchor"].partition(":")
            anchors: dict[str, Any] = {}
            if kind == "goal":
                anchors["goal"] = get_object_or_404(Goal, pk=pk)
            elif kind == "kpi":
                anchors["kpi"] = get_object_or_404(Kpi, pk=pk)
            elif kind == "action":
                anchors["action"] = get_object_or_404(Action, pk=pk)
            try:
                services.viewpoint_submit(user=user, round_=round_, text=form.cleaned_data["text"], **anchors)
            except ValidationError as exc:
                _errors(request, exc, form)
            else:
                messages.success(request, _("Your agency's viewpoint was recorded."))
                return redirect("strategy:round", round_id=round_.pk)
    viewpoints = list(round_.viewpoints.select_related("agency", "goal", "kpi", "action", "author", "decided_by"))
    answered = {v.agency_id for v in viewpoints}
    return render(request, "strategy/round.html", {
        "round": round_, "version": round_.version, "viewpoints": viewpoints, "form": form,
        "agencies": [(a, a.code in answered) for a in round_.agencies.all()],
        "can_submit": can(user, "strategy.add_viewpoint", round_),
        "can_dispose": can(user, "strategy.dispose_viewpoint", round_),
        "can_close": can(user, "strategy.close_viewpointround", round_) and round_.is_open,
        "disposition_form": DispositionForm(),
    })


@login_required
def diff(request: HttpRequest, old_id: int, new_id: int) -> HttpResponse:
    old = get_object_or_404(Version, pk=old_id)
    new = get_object_or_404(Version, pk=new_id)
    if old.document_id != new.document_id:
        raise Http404
    changes = version_diff(old, new)
    if (response := _download(request, "diff", _("What changed"), diff_frame(changes),
                              ("strategy", f"v{old.number}", f"v{new.number}"))) is not None:
        return response
    return render(request, "strategy/diff.html", {
        "old": old, "new": new, "changes": changes, "document": old.document,
        "versions": old.document.versions.all()})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        note = get_object_or_404(Notification, pk=request.POST.get("id", 0), user=user)
        services.notification_read(user=user, notification=note)
        return redirect(note.url or "strategy:notifications")
    return render(request, "strategy/notifications.html", {
        "notes": Notification.objects.filter(user=user)[:100]})


@login_required
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(Evidence, pk=evidence_id)
    if not rules.has_perm("strategy.view_evidence", request.user, evidence):
        raise PermissionDenied
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


# ------------------------------------------------------------------------------------------ editing
def _form_page(request: HttpRequest, *, form: Any, title: str, version: Version, back: str) -> HttpResponse:
    return render(request, "strategy/form.html", {"form": form, "title": title, "version": version, "back": back})


@login_required
def goal_edit(request: HttpRequest, version_id: int, goal_id: int | None = None) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    goal = get_object_or_404(Goal, pk=goal_id, version=version) if goal_id else None
    user = _user(request)
    if not can(user, "strategy.change_goal", goal or version):
        raise PermissionDenied
    form = GoalForm(request.POST or None, instance=goal, version=version)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in GoalForm.Meta.fields}
        try:
            saved = services.goal_save(user=user, version=version, data=data, goal=goal,
                                       expected_version=form.expected_version if goal else None)
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:goal", goal_id=saved.pk)
    return _form_page(request, form=form, title=_("Edit a goal") if goal else _("Add a goal"), version=version,
                      back=f"/strategy/versions/{version.pk}/")


@login_required
def kpi_edit(request: HttpRequest, version_id: int, kpi_id: int | None = None) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    kpi = get_object_or_404(Kpi, pk=kpi_id, version=version) if kpi_id else None
    user = _user(request)
    if not can(user, "strategy.change_kpi", kpi or version):
        raise PermissionDenied
    form = KpiForm(request.POST or None, instance=kpi, version=version)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in KpiForm.Meta.fields if k != "goal"}
        try:
            saved = services.kpi_save(user=user, goal=form.cleaned_data["goal"], data=data,
                                      targets=form.cleaned_data["targets"], kpi=kpi,
                                      expected_version=form.expected_version if kpi else None)
            services.kpi_history_rebuild(kpi=saved)
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:kpi", kpi_id=saved.pk)
    return _form_page(request, form=form, title=_("Edit a KPI") if kpi else _("Add a KPI"), version=version,
                      back=f"/strategy/versions/{version.pk}/")


@login_required
def action_edit(request: HttpRequest, version_id: int, action_id: int | None = None) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    action = get_object_or_404(Action, pk=action_id, version=version) if action_id else None
    user = _user(request)
    if not can(user, "strategy.change_action", action or version):
        raise PermissionDenied
    form = ActionForm(request.POST or None, instance=action, version=version)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ActionForm.Meta.fields if k not in ("goal", "supporting")}
        try:
            saved = services.action_save(user=user, goal=form.cleaned_data["goal"], data=data,
                                         supporting=form.cleaned_data["supporting"], action=action,
                                         expected_version=form.expected_version if action else None)
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:action", action_id=saved.pk)
    return _form_page(request, form=form, title=_("Edit an action") if action else _("Add an action"),
                      version=version, back=f"/strategy/versions/{version.pk}/")


@login_required
def round_new(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    user = _user(request)
    if not can(user, "strategy.add_viewpointround", version):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_open(user=user, version=version, agencies=list(form.cleaned_data["agencies"]),
                                         deadline=form.cleaned_data["deadline"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The consultation round is open; the agencies were notified."))
            return redirect("strategy:round", round_id=round_.pk)
    return _form_page(request, form=form, title=_("Open a consultation round"), version=version,
                      back=f"/strategy/versions/{version.pk}/")


# ------------------------------------------------------------------------------------------ transitions
@require_POST
@login_required
def version_action(request: HttpRequest, version_id: int, verb: str) -> HttpResponse:
    version = get_object_or_404(Version, pk=version_id)
    user = _user(request)
    if verb == "new-draft":
        if not can(user, "strategy.add_version"):
            raise PermissionDenied
        try:
            draft = services.version_new_draft(user=user, source=version)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("A new draft was copied from version %(number)s.") % {"number": version.number})
            return redirect("strategy:version", version_id=draft.pk)
    elif verb == "request-approval":
        _post(request, lambda: services.version_request_approval(user=user, version=version),
              _("The version was sent to the working group."))
    elif verb == "vote":
        form = VoteForm(request.POST)
        if form.is_valid():
            _post(request, lambda: services.vote_cast(user=user, version=version, choice=form.cleaned_data["choice"],
                                                      comment=form.cleaned_data["comment"]),
                  _("Your vote was recorded."))
        else:
            messages.error(request, _("Choose approve, request changes or abstain."))
    elif verb == "recompute":
        _post(request, lambda: services.version_kpis_recompute(user=user, version=version),
              _("The KPIs were recomputed; changes were added to their history."))
    else:
        raise Http404
    return redirect("strategy:version", version_id=version.pk)


@require_POST
@login_required
def report_decide(request: HttpRequest, kind: str, report_id: int, verb: str) -> HttpResponse:
    model = {"progress": ProgressReport, "kpi": KpiReport}.get(kind)
    if model is None or verb not in ("accept", "return"):
        raise Http404
    report: ProgressReport | KpiReport = get_object_or_404(model, pk=report_id)  # type: ignore[assignment]
    user = _user(request)
    if not review_allowed(obj=report, user=user, action="review"):
        raise PermissionDenied
    if verb == "accept":
        _post(request, lambda: services.report_accept(user=user, report=report), _("The report was accepted."))
    else:
        _post(request, lambda: services.report_return(user=user, report=report,
                                                      reason=request.POST.get("reason", "")),
              _("The report was returned to the agency."))
    if isinstance(report, ProgressReport):
        return redirect("strategy:action", action_id=report.action_id)
    return redirect("strategy:kpi", kpi_id=report.kpi_id)  # type: ignore[attr-defined]


@require_POST
@login_required
def viewpoint_dispose(request: HttpRequest, viewpoint_id: int) -> HttpResponse:
    viewpoint = get_object_or_404(Viewpoint, pk=viewpoint_id)
    user = _user(request)
    if not can(user, "strategy.dispose_viewpoint", viewpoint):
        raise PermissionDenied
    form = DispositionForm(request.POST)
    if form.is_valid():
        _post(request, lambda: services.viewpoint_dispose(
            user=user, viewpoint=viewpoint, disposition=form.cleaned_data["disposition"],
            reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["lock_version"]),
              _("The disposition was recorded."))
    else:
        messages.error(request, _("Choose a disposition."))
    return redirect("strategy:round", round_id=viewpoint.round_id)


@require_POST
@login_required
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = get_object_or_404(ViewpointRound, pk=round_id)
    user = _user(request)
    if not can(user, "strategy.close_viewpointround", round_):
        raise PermissionDenied
    _post(request, lambda: services.round_close(user=user, round_=round_), _("The round was closed."))
    return redirect("strategy:round", round_id=round_.pk)


@require_POST
@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    if not _user(request).is_analyst:
        raise PermissionDenied
    sent = services.reminders_send()
    messages.success(request, _("%(count)s reminders were sent.") % {"count": sent})
    return redirect("strategy:obligations")
