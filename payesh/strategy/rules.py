"""Object permissions of the strategy app, built from the core predicates (django-rules).

Every service asks ``rules.has_perm("strategy.<verb>_<model>", user, obj)`` before it writes; pages ask the
same question to show or hide a button. Structure (goals, KPIs, targets, actions) belongs to the
analysts and only while the version is open; agencies write only for their own agency.
"""

from __future__ import annotations

from typing import Any

import rules

from payesh.core.rules import (
    is_analyst,
    is_focal_point,
    is_signed_in,
    is_working_group_member,
    same_agency,
)


def _version_of(obj: Any) -> Any:
    if obj is None:
        return None
    return obj if obj.__class__.__name__ == "Version" else getattr(obj, "version", None)


@rules.predicate
def version_open(user: Any, obj: Any) -> bool:
    """The object's version is not approved or superseded (no object: no version to be locked)."""
    version = _version_of(obj)
    return version is None or not version.is_locked


@rules.predicate
def version_in_review(user: Any, obj: Any) -> bool:
    version = _version_of(obj)
    return version is not None and version.status == "review"


@rules.predicate
def round_open_for_agency(user: Any, obj: Any) -> bool:
    """A viewpoint round that is open and asked the user's agency."""
    round_ = getattr(obj, "round", obj)
    agency = getattr(user, "agency_id", None)
    return (round_ is not None and getattr(round_, "closed_at", "x") is None and agency is not None
            and agency in round_.agency_ids())


@rules.predicate
def report_editable(user: Any, obj: Any) -> bool:
    return obj is None or bool(getattr(obj, "is_editable", False))


# Reading: every signed-in person reads the document (viewers included); the API applies the same rule.
rules.add_perm("strategy.view_document", is_signed_in)

# Structure of a version: analysts, while the version is open.
may_edit_structure = is_analyst & version_open
for model in ("version", "goal", "kpi", "kpitarget", "action", "milestone"):
    rules.add_perm(f"strategy.change_{model}", may_edit_structure)
rules.add_perm("strategy.add_version", is_analyst)  # a new draft copied from any version
rules.add_perm("strategy.add_viewpointround", is_analyst & version_open)
rules.add_perm("strategy.close_viewpointround", is_analyst)
rules.add_perm("strategy.request_approval", is_analyst & version_open)
rules.add_perm("strategy.change_mission", is_analyst)
rules.add_perm("strategy.recompute_kpi", is_analyst)

# Reports of an agency on its own action / reported KPI; analysts review (core review workflow).
may_write_report = is_focal_point & same_agency
rules.add_perm("strategy.add_progressreport", may_write_report)
rules.add_perm("strategy.change_progressreport", may_write_report & report_editable)
rules.add_perm("strategy.submit_progressreport", may_write_report)
rules.add_perm("strategy.review_progressreport", is_analyst)
rules.add_perm("strategy.add_kpireport", may_write_report)
rules.add_perm("strategy.change_kpireport", may_write_report & report_editable)
rules.add_perm("strategy.submit_kpireport", may_write_report)
rules.add_perm("strategy.review_kpireport", is_analyst)
# Evidence is the agency's own material: its focal points, the analysts who review it and the working group.
rules.add_perm("strategy.view_evidence", is_analyst | is_working_group_member | (is_focal_point & same_agency))

# Consultation: the asked agencies' focal points state viewpoints; analysts decide on them.
rules.add_perm("strategy.add_viewpoint", is_focal_point & round_open_for_agency)
rules.add_perm("strategy.dispose_viewpoint", is_analyst)

# Approval: only working-group members vote, and only while the version is in review.
rules.add_perm("strategy.vote_version", is_working_group_member & version_in_review)
