"""Who may read what: the written access policy (docs/access-policy.md) as functions.

Every page and every API endpoint that shows declaration lines or capacity rows asks these
functions, with the signed-in user on the web and the token's user in the API — so a token
carries exactly its user's role and a viewer's token reads only what a viewer may.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]

# The columns that name one customs declaration: its number and line, and the natural key made of
# them (``source_key``, by default ``declaration_id#line_no``). With them a reader can ask customs
# who declared it; without them a line is a statistical record. Only the people who answer for the
# ledger's contents see them.
DECLARATION_IDENTITY = ("declaration_id", "line_no", "source_key")


def analyst_required(view: View) -> View:
    """Analysts and administrators only; others get 403, anonymous users the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_analyst", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


@dataclass(frozen=True)
class FactAccess:
    """What one person may read of the declaration lines (the facts of the ledger)."""

    may_read: bool
    withheld: tuple[str, ...] = ()  # columns removed from every line this person reads
    reason_en: str = ""  # why not, when ``may_read`` is False

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (fact rows) without the withheld columns."""
        return frame.drop(columns=[c for c in self.withheld if c in frame.columns])


def fact_access(user: Any) -> FactAccess:
    """The policy for declaration lines (docs/access-policy.md, "Declaration lines").

    - nobody signed in (or a deactivated account): no lines — aggregates only;
    - analysts and administrators: every line with every column;
    - everyone else signed in (working-group members, agency focal points, viewers): every line
      without the declaration's identity (``DECLARATION_IDENTITY``).
    """
    if not _active(user):
        return FactAccess(False, DECLARATION_IDENTITY, "Declaration lines are for signed-in users (or an API "
                                                       "token of one); the aggregated numbers are public.")
    if getattr(user, "is_analyst", False):
        return FactAccess(True)
    return FactAccess(True, DECLARATION_IDENTITY)


def batch_list_access(user: Any) -> bool:
    """The list of loads (file names, counts, who loaded them): every signed-in user, as on /ledger/."""
    return _active(user)


def review_rows_visible_to(user: Any, *, status_field: str = "status", agency_field: str = "agency") -> Q:
    """Rows of a reviewed register (draft → submitted → approved | returned) a person may read.

    - analysts and administrators (the reviewers): every row;
    - people of an agency (its focal points): approved rows, and every row of their own agency
      (drafts, rows submitted and awaiting review, rows returned to them);
    - working-group members and viewers: approved rows only;
    - nobody signed in: nothing.
    Submitted-but-not-approved rows are thus seen by the reviewers and by the agency that entered them.
    """
    if not _active(user):
        return Q(pk__in=[])
    if getattr(user, "is_analyst", False):
        return Q()
    visible = Q(**{status_field: "approved"})
    agency_id = getattr(user, "agency_id", None)
    if agency_id is not None:
        visible |= Q(**{f"{agency_field}_id": agency_id})
    return visible


def capacity_rows_visible_to(user: Any, *, status_field: str = "status") -> Q:
    """The capacity registry's rows ``user`` may read: ``Capacity.objects.filter(capacity_rows_visible_to(user))``.

    ``status_field`` names the model's review-status field (``review_status`` once the registry
    runs on ``payesh.core.review.Reviewable``).
    """
    return review_rows_visible_to(user, status_field=status_field, agency_field="agency")
