"""Writes of the capacity registry: create, update, submit, approve, return — each leaves a revision.

Rules (the same for the web, the admin and the CLI):

* a **focal point** enters and edits rows of *their own agency* only, and only while a row is a
  draft or was returned; they submit it for review;
* an **analyst** (or administrator) may enter rows for any agency, and is the one who approves a
  submitted row or returns it with a note;
* **viewers** and working-group members read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from payesh.capabilities.models import Capacity, CapacityRevision, CapacityStatus
from payesh.core.models import Role, User
from payesh.reference.models import Agency

EDITABLE_FIELDS = ("county", "agency", "kind", "hs_revision", "hs_code", "description", "quantity", "unit", "year",
                   "month", "source")


class CapacityError(Exception):
    """A change the registry refuses; ``message`` says why in the user's language."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class CapacityPermissionError(CapacityError):
    """The user's role or agency does not allow this change (a 403 on the web)."""


def _is_reviewer(user: User) -> bool:
    return bool(user.is_analyst)


def capacity_can_enter(*, user: User, agency: Agency | None = None) -> bool:
    """May this user enter rows (for this agency, when given)?"""
    if _is_reviewer(user):
        return True
    if user.role == Role.FOCAL_POINT and user.agency_id is not None:
        return agency is None or agency.pk == user.agency_id
    return False


def capacity_can_edit(*, user: User, capacity: Capacity) -> bool:
    return capacity.editable and capacity_can_enter(user=user, agency=capacity.agency)


def capacity_can_review(*, user: User, capacity: Capacity | None = None) -> bool:
    return _is_reviewer(user)


def _snapshot(capacity: Capacity) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")  # 12000.000 → "12000", 2.500 → "2.5"
        return value

    return {
        "county": capacity.county_id, "agency": capacity.agency_id, "kind": capacity.kind,
        "hs_revision": capacity.hs_revision, "hs_code": capacity.hs_code, "description": capacity.description,
        "quantity": plain(Decimal(capacity.quantity)), "unit": capacity.unit, "year": capacity.year,
        "month": capacity.month, "source": capacity.source, "status": capacity.status,
        "reviewer_note": capacity.reviewer_note,
    }


def _record(capacity: Capacity, action: str, user: User, before: dict[str, Any] | None, note: str = "") -> None:
    after = _snapshot(capacity)
    changes = {k: [before.get(k) if before else None, v] for k, v in after.items()
               if before is None or before.get(k) != v}
    CapacityRevision.objects.create(capacity=capacity, action=action, changed_by=user, snapshot=after,
                                    changes=changes, note=note)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    data = dict(values)
    if "hs_code" in data:
        data["hs_code"] = (data["hs_code"] or "").strip()
        if data["hs_code"] and not data.get("hs_revision"):
            data["hs_revision"] = "HS12"
    return data


@transaction.atomic
def capacity_create(*, user: User, **values: Any) -> Capacity:
    """Enter a new row as a draft. Focal points may only enter rows of their own agency."""
    data = _clean(values)
    agency = data.get("agency")
    if agency is None and user.role == Role.FOCAL_POINT:
        data["agency"] = agency = user.agency
    if not capacity_can_enter(user=user, agency=agency):
        raise CapacityPermissionError(_("You may enter capacities only for your own agency."))
    capacity = Capacity(**data, status=CapacityStatus.DRAFT, created_by=user)
    capacity.full_clean()
    capacity.save()
    _record(capacity, CapacityRevision.Action.CREATED, user, None)
    return capacity


@transaction.atomic
def capacity_update(*, capacity_id: int, user: User, **values: Any) -> Capacity:
    """Change a draft or returned row. The agency stays within the focal point's own agency."""
    capacity = Capacity.objects.select_for_update().select_related("agency").get(pk=capacity_id)
    if not capacity_can_enter(user=user, agency=capacity.agency):
        raise CapacityPermissionError(_("You may edit capacities only of your own agency."))
    if not capacity.editable:
        raise CapacityError(_("Only drafts and returned rows can be edited; this one is %(status)s.")
                            % {"status": capacity.get_status_display()})
    data = _clean(values)
    if "agency" in data and not capacity_can_enter(user=user, agency=data["agency"]):
        raise CapacityPermissionError(_("You may enter capacities only for your own agency."))
    before = _snapshot(capacity)
    for name, value in data.items():
        setattr(capacity, name, value)
    capacity.full_clean()
    capacity.save()
    _record(capacity, CapacityRevision.Action.UPDATED, user, before)
    return capacity


@transaction.atomic
def capacity_submit(*, capacity_id: int, user: User) -> Capacity:
    capacity = Capacity.objects.select_for_update().select_related("agency").get(pk=capacity_id)
    if not capacity_can_enter(user=user, agency=capacity.agency):
        raise CapacityPermissionError(_("You may submit capacities only of your own agency."))
    if not capacity.editable:
        raise CapacityError(_("Only drafts and returned rows can be submitted."))
    before = _snapshot(capacity)
    capacity.status = CapacityStatus.SUBMITTED
    capacity.save(update_fields=["status", "updated_at"])
    _record(capacity, CapacityRevision.Action.SUBMITTED, user, before)
    return capacity


@transaction.atomic
def capacity_approve(*, capacity_id: int, user: User, note: str = "") -> Capacity:
    capacity = Capacity.objects.select_for_update().get(pk=capacity_id)
    if not capacity_can_review(user=user, capacity=capacity):
        raise CapacityPermissionError(_("Only analysts approve capacities."))
    if capacity.status != CapacityStatus.SUBMITTED:
        raise CapacityError(_("Only submitted rows can be approved."))
    before = _snapshot(capacity)
    capacity.status = CapacityStatus.APPROVED
    capacity.reviewer_note = note.strip()
    capacity.reviewed_by = user
    capacity.save(update_fields=["status", "reviewer_note", "reviewed_by", "updated_at"])
    _record(capacity, CapacityRevision.Action.APPROVED, user, before, note.strip())
    return capacity


@transaction.atomic
def capacity_return(*, capacity_id: int, user: User, note: str) -> Capacity:
    """Send a submitted (or approved) row back to its agency with a note saying what to correct."""
    capacity = Capacity.objects.select_for_update().get(pk=capacity_id)
    if not capacity_can_review(user=user, capacity=capacity):
        raise CapacityPermissionError(_("Only analysts return capacities."))
    if capacity.status not in (CapacityStatus.SUBMITTED, CapacityStatus.APPROVED):
        raise CapacityError(_("Only submitted or approved rows can be returned."))
    if not note.strip():
        raise CapacityError(_("Say what the agency should correct."))
    before = _snapshot(capacity)
    capacity.status = CapacityStatus.RETURNED
    capacity.reviewer_note = note.strip()
    capacity.reviewed_by = user
    capacity.save(update_fields=["status", "reviewer_note", "reviewed_by", "updated_at"])
    _record(capacity, CapacityRevision.Action.RETURNED, user, before, note.strip())
    return capacity
