"""Predicates for django-rules: the building blocks of every app's object permissions.

Apps combine these in their own ``rules.py`` (``rules.add_perm("capabilities.submit_capacity", ...)``);
the review services (:mod:`payesh.core.review`) then ask ``user.has_perm(name, obj)``. Predicates take
the user (and the object, where it matters) and never raise on an anonymous user or a missing object:
they answer False, so a rule written for objects also answers "may this user do it at all?" safely.

An object is tied to an agency through ``agency_id``; an object tied to several agencies (an action
shared by two agencies, a committee) exposes ``agency_ids() -> set[str]`` instead.
"""

from __future__ import annotations

from typing import Any

import rules

from payesh.core.models import Role

is_signed_in = rules.is_authenticated


def _role(user: Any) -> str:
    return str(getattr(user, "role", "") or "") if getattr(user, "is_authenticated", False) else ""


@rules.predicate
def is_administrator(user: Any) -> bool:
    """Administrators (and Django superusers, who hold every role's rights)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser) or _role(user) == Role.ADMINISTRATOR


@rules.predicate
def is_analyst(user: Any) -> bool:
    """Analysts — and administrators, who may do everything an analyst may."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser) or _role(user) in (Role.ANALYST, Role.ADMINISTRATOR)


@rules.predicate
def is_focal_point(user: Any) -> bool:
    """An agency's focal point; one without an agency (the database forbids it) would speak for nobody."""
    return (getattr(user, "is_active", False) and _role(user) == Role.FOCAL_POINT
            and getattr(user, "agency_id", None) is not None)


@rules.predicate
def is_working_group_member(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and _role(user) == Role.WORKING_GROUP


@rules.predicate
def is_viewer(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and _role(user) == Role.VIEWER


def object_agency_ids(obj: Any) -> set[str]:
    """The agencies an object belongs to: ``obj.agency_ids()`` when it has several, else ``{obj.agency_id}``."""
    if obj is None:
        return set()
    several = getattr(obj, "agency_ids", None)
    if callable(several):
        return {str(code) for code in several() if code is not None}
    single = getattr(obj, "agency_id", None)
    return {str(single)} if single is not None else set()


@rules.predicate
def same_agency(user: Any, obj: Any) -> bool:
    """The user's agency is (one of) the object's agencies. False without an object or an agency."""
    agency = getattr(user, "agency_id", None) if getattr(user, "is_authenticated", False) else None
    return agency is not None and str(agency) in object_agency_ids(obj)


#: The usual pair of review rules: the object's own agency (or an analyst) submits; analysts review.
may_submit = is_analyst | (is_focal_point & same_agency)
may_review = is_analyst
