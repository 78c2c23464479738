"""One review workflow for every app where agencies enter data: draft → submitted → approved, or
returned with a required reason, then corrected and submitted again.

A model takes part by inheriting :class:`Reviewable` and registering two django-rules permissions
in its app's ``rules.py``::

    rules.add_perm("capabilities.submit_capacity", may_submit)   # payesh.core.rules predicates
    rules.add_perm("capabilities.review_capacity", may_review)

The services below are the only writers of the review fields. Each locks the row, checks the
permission (with the object, so agency-scoped rules see it) and the transition, saves, and leaves a
history record (django-simple-history) whose change reason says what happened. Nothing happens in
signals or ``save()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")


#: Statuses in which the owning agency may still change the object.
EDITABLE_STATUSES = frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED})

#: History change reasons written by the services; :mod:`payesh.core.history` shows them translated.
REASON_SUBMITTED = "review:submitted"
REASON_APPROVED = "review:approved"
REASON_RETURNED = "review:returned"
REASON_LABELS: dict[str, Promise] = {
    REASON_SUBMITTED: _("Submitted for review"),
    REASON_APPROVED: _("Approved"),
    REASON_RETURNED: _("Returned for correction"),
}


def reason_labels_register(labels: dict[str, Promise]) -> None:
    """Let an app name its own history reasons (the text its services record) in both languages."""
    REASON_LABELS.update(labels)


class ReviewError(ValidationError):
    """A transition the workflow refuses (wrong status, missing reason); the message is translated."""


class Reviewable(models.Model):
    """Abstract: the review state of an object, who moved it last and why it was returned."""

    review_status = models.CharField(_("review status"), max_length=12, choices=ReviewStatus.choices,
                                     default=ReviewStatus.DRAFT, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        """Approved objects are frozen: a reviewer has to return them before anyone edits them."""
        return self.review_status == ReviewStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        """Drafts and returned objects are still the agency's to change."""
        return self.review_status in EDITABLE_STATUSES


@dataclass(frozen=True)
class _Transition:
    action: str  # the permission verb: "submit" or "review"
    sources: frozenset[str]
    target: str
    reason: str


_SUBMIT = _Transition("submit", frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED}), ReviewStatus.SUBMITTED,
                      REASON_SUBMITTED)
_APPROVE = _Transition("review", frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.APPROVED, REASON_APPROVED)
_RETURN = _Transition("review", frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.RETURNED, REASON_RETURNED)

_REFUSALS: dict[str, Promise] = {
    ReviewStatus.SUBMITTED: _("Only drafts and returned items can be submitted; this one is %(status)s."),
    ReviewStatus.APPROVED: _("Only submitted items can be approved; this one is %(status)s."),
    ReviewStatus.RETURNED: _("Only submitted items can be returned; this one is %(status)s."),
}


def review_permission(obj: models.Model, action: str) -> str:
    """``"<app_label>.<action>_<model_name>"``, the name the app registers with ``rules.add_perm``."""
    return f"{obj._meta.app_label}.{action}_{obj._meta.model_name}"


def review_allowed(*, obj: Reviewable, user: Any, action: str) -> bool:
    """May ``user`` submit (``action="submit"``) or review (``"review"``) this object? For pages' buttons."""
    return bool(user.has_perm(review_permission(obj, action), obj))


def _apply(*, obj: Reviewable, user: Any, transition: _Transition, note: str = "", note_required: bool = False,
           fields: dict[str, Any]) -> None:
    model = type(obj)
    with transaction.atomic():
        # Decide on the row as it is in the database, locked, not on what the caller holds in memory.
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if not user.has_perm(review_permission(current, transition.action), current):
            raise PermissionDenied(gettext("You may not do this to this item."))
        if current.review_status not in transition.sources:
            raise ReviewError(_REFUSALS[transition.target] % {"status": current.get_review_status_display()},
                              code="review_transition")
        if note_required and not note:
            # Translated now, in the language of whoever is refused, not when the message is read.
            raise ReviewError(gettext("Say what should be corrected: a returned item needs a reason."),
                              code="reason_required")
        current.review_status = transition.target
        for name, value in fields.items():
            setattr(current, name, value)
        current._history_user = user  # type: ignore[attr-defined]  # also without a request (CLI, tests)
        current._change_reason = f"{transition.reason}\n{note}" if note else transition.reason  # type: ignore[attr-defined]
        update = ["review_status", *fields]
        update += [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        current.save(update_fields=update)
    # The caller's instance now shows the new state too (its other, unsaved edits are left as they were).
    obj.review_status = current.review_status
    for name in [*fields, *(f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False))]:
        setattr(obj, name, getattr(current, name))


def review_submit(*, obj: Reviewable, user: Any) -> None:
    """draft | returned → submitted. The reason of an earlier return stays until a reviewer decides again."""
    _apply(obj=obj, user=user, transition=_SUBMIT,
           fields={"submitted_by": user, "submitted_at": timezone.now()})


def review_approve(*, obj: Reviewable, user: Any, note: str = "") -> None:
    """submitted → approved. ``note`` (optional) is kept in the history record of the approval."""
    _apply(obj=obj, user=user, transition=_APPROVE, note=note.strip(),
           fields={"decided_by": user, "decided_at": timezone.now(), "return_reason": ""})


def review_return(*, obj: Reviewable, user: Any, reason: str) -> None:
    """submitted → returned; the reason (required) tells the agency what to correct."""
    reason = (reason or "").strip()
    _apply(obj=obj, user=user, transition=_RETURN, note=reason, note_required=True,
           fields={"decided_by": user, "decided_at": timezone.now(), "return_reason": reason})
