"""Writes of the capacity registry: enter and edit rows. Review (submit, approve, return) is the core
workflow's: :func:`payesh.core.review.review_submit`, ``review_approve``, ``review_return``.

Who may do what is written once, as django-rules permissions in :mod:`payesh.capabilities.rules`;
the web, the admin and the CLI all come through here, and every change leaves a history record.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from payesh.capabilities.models import Capacity
from payesh.core.locking import save_versioned
from payesh.core.models import Role, User
from payesh.core.review import ReviewStatus
from payesh.reference.models import Agency

EDITABLE_FIELDS = ("county", "agency", "kind", "hs_revision", "hs_code", "description", "quantity", "unit", "year",
                   "month", "source")


class CapacityError(ValidationError):
    """A change the registry refuses for the row's state (not for the user's rights: PermissionDenied)."""


def capacity_can_enter(*, user: User, agency: Agency | None = None) -> bool:
    """May this user enter rows (for this agency, when given)?"""
    return bool(user.has_perm("capabilities.enter_capacity", agency))


def capacity_can_edit(*, user: User, capacity: Capacity) -> bool:
    return bool(user.has_perm("capabilities.edit_capacity", capacity))


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
        raise PermissionDenied(_("You may enter capacities only for your own agency."))
    capacity = Capacity(**data, review_status=ReviewStatus.DRAFT, created_by=user)
    capacity.full_clean()
    capacity._history_user = user  # type: ignore[attr-defined]  # the CLI and tests have no request
    capacity.save()
    return capacity


@transaction.atomic
def capacity_update(*, capacity_id: int, user: User, expected_version: int | None = None,
                    **values: Any) -> Capacity:
    """Change a draft or returned row; the agency stays within the focal point's own agency.

    ``expected_version`` is the ``lock_version`` the person's form was opened with; a row saved by
    someone else since then is refused with :class:`payesh.core.locking.EditConflict`. Without it
    (scripts), the version read here is used.
    """
    capacity = Capacity.objects.select_for_update().select_related("agency").get(pk=capacity_id)
    if not user.has_perm("capabilities.enter_capacity", capacity.agency):
        raise PermissionDenied(_("You may edit capacities only of your own agency."))
    if not capacity.is_editable:
        raise CapacityError(_("Only drafts and returned rows can be edited; this one is %(status)s.")
                            % {"status": capacity.get_review_status_display()}, code="not_editable")
    data = _clean(values)
    if "agency" in data and not capacity_can_enter(user=user, agency=data["agency"]):
        raise PermissionDenied(_("You may enter capacities only for your own agency."))
    for name, value in data.items():
        setattr(capacity, name, value)
    capacity.full_clean()
    capacity._history_user = user  # type: ignore[attr-defined]
    save_versioned(capacity, expected_version=capacity.lock_version if expected_version is None
                   else expected_version)
    return capacity
