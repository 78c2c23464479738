"""Object permissions of the capacity registry (django-rules), built from the core predicates.

* a **focal point** enters, edits and submits rows of *their own agency* only, and edits only while a
  row is a draft or was returned;
* an **analyst** (or administrator) enters rows for any agency and approves or returns submitted rows;
* **viewers** and working-group members read approved rows; the people of an agency also read their
  agency's drafts, submitted and returned rows (docs/access-policy.md).

``capabilities.submit_capacity`` and ``capabilities.review_capacity`` are the names the core review
services (:mod:`payesh.core.review`) ask for.
"""

from __future__ import annotations

from typing import Any

import rules

from payesh.core.review import ReviewStatus
from payesh.core.rules import is_analyst, is_focal_point, is_signed_in, may_review, may_submit, same_agency


@rules.predicate
def agency_is_own(user: Any, agency: Any) -> bool:
    """No agency named yet (the form will offer only the user's own), or the user's own agency."""
    return agency is None or getattr(agency, "pk", agency) == getattr(user, "agency_id", None)


@rules.predicate
def is_editable(user: Any, capacity: Any) -> bool:
    return capacity is not None and capacity.review_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


@rules.predicate
def is_approved(user: Any, capacity: Any) -> bool:
    return capacity is not None and capacity.review_status == ReviewStatus.APPROVED


# The object of enter_capacity is the Agency the row would belong to (or None: "at all?").
rules.add_perm("capabilities.enter_capacity", is_analyst | (is_focal_point & agency_is_own))
rules.add_perm("capabilities.edit_capacity", is_editable & (is_analyst | (is_focal_point & same_agency)))
# The row-by-row twin of capabilities.selectors.capacity_rows_visible_to (docs/access-policy.md).
rules.add_perm("capabilities.read_capacity", is_signed_in & rules.is_active & (is_approved | is_analyst | same_agency))
rules.add_perm("capabilities.submit_capacity", may_submit)
rules.add_perm("capabilities.review_capacity", may_review)
