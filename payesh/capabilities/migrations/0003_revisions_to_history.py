"""The capacity registry joins the core review workflow (step 2 of 3): every old ``CapacityRevision``
becomes a django-simple-history record with the same user, time and values, and the review fields
(submitted by/at, decided by/at, reason for return) are filled from the same revisions.

The conversion is a pure function over plain rows (:func:`history_rows`) so that it is tested on its
own (tests/capabilities/test_registry.py) as well as through the migration executor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import migrations

# The change reasons payesh.core.review writes; spelled out here because a migration must not change
# when the code it once imported does.
REASONS = {"submitted": "review:submitted", "approved": "review:approved", "returned": "review:returned"}
VALUE_FIELDS = ("kind", "hs_revision", "hs_code", "description", "unit", "year", "month", "source")


def _reason(action: str, note: str) -> str | None:
    code = REASONS.get(action)
    if code is None:  # created / updated: the note, if someone wrote one, is the reason
        return note or None
    return f"{code}\n{note}" if note else code


def _values(snapshot: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The row as a revision saw it; keys a snapshot lacks keep the current row's value."""
    values = {name: snapshot.get(name, current[name]) for name in VALUE_FIELDS}
    values["county_id"] = snapshot.get("county", current["county_id"])
    values["agency_id"] = snapshot.get("agency", current["agency_id"])
    quantity = snapshot.get("quantity", current["quantity"])
    values["quantity"] = Decimal(str(quantity)) if quantity is not None else None
    values["review_status"] = snapshot.get("status", current["status"])
    return values


def history_rows(current: dict[str, Any], revisions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                                    dict[str, Any]]:
    """One capacity's old revisions (oldest first) → its historical records and its review fields.

    ``current`` holds the old row's fields by attname (``county_id``, ``status``, ``reviewer_note``,
    ``reviewed_by_id``, ``created_by_id``, ``created_at``, ``updated_at``, …); each revision has
    ``action``, ``changed_by_id``, ``changed_at``, ``snapshot`` and ``note``.
    """
    review: dict[str, Any] = {"submitted_by_id": None, "submitted_at": None, "decided_by_id": None,
                              "decided_at": None, "return_reason": ""}
    rows: list[dict[str, Any]] = []
    for index, revision in enumerate(revisions):
        action, note = revision["action"], (revision.get("note") or "").strip()
        if action == "submitted":
            review.update(submitted_by_id=revision["changed_by_id"], submitted_at=revision["changed_at"])
        elif action in ("approved", "returned"):
            review.update(decided_by_id=revision["changed_by_id"], decided_at=revision["changed_at"])
            # An approval's note was the reviewer's comment, not a reason to correct: it stays in history.
            review["return_reason"] = (note or revision["snapshot"].get("reviewer_note", "")) \
                if action == "returned" else ""
        rows.append({
            "id": current["id"], **_values(revision["snapshot"], current), **review,
            "created_by_id": current["created_by_id"], "created_at": current["created_at"],
            "updated_at": revision["changed_at"], "lock_version": 0,
            "history_date": revision["changed_at"], "history_user_id": revision["changed_by_id"],
            "history_type": "+" if index == 0 else "~", "history_change_reason": _reason(action, note),
        })
    if not rows:
        # A row entered without revisions: its creation, by whom the row says entered it.
        note = (current.get("reviewer_note") or "").strip()
        status = current["status"]
        review.update(decided_by_id=current.get("reviewed_by_id") if status in ("approved", "returned") else None,
                      return_reason=note if status in ("returned", "submitted") else "")
        rows.append({
            "id": current["id"], **_values({}, current), **review,
            "created_by_id": current["created_by_id"], "created_at": current["created_at"],
            "updated_at": current["updated_at"], "lock_version": 0,
            "history_date": current["created_at"], "history_user_id": current["created_by_id"],
            "history_type": "+",
            "history_change_reason": _reason("approved", note) if status == "approved" and note else None,
        })
    else:
        final = _values({}, current)
        if any(rows[-1][name] != value for name, value in final.items()):
            # Changed outside the registry after its last revision (a fix in the database): keep that too.
            rows.append({**rows[-1], **final, "updated_at": current["updated_at"],
                         "history_date": max(current["updated_at"], rows[-1]["history_date"]),
                         "history_user_id": None, "history_type": "~",
                         "history_change_reason": "changed outside the registry before its history moved to core"})
    return rows, review


def forward(apps: Any, schema_editor: Any) -> None:
    Capacity = apps.get_model("capabilities", "Capacity")
    Revision = apps.get_model("capabilities", "CapacityRevision")
    Historical = apps.get_model("capabilities", "HistoricalCapacity")
    db = schema_editor.connection.alias
    by_capacity: dict[int, list[dict[str, Any]]] = {}
    for revision in Revision.objects.using(db).order_by("capacity_id", "changed_at", "id").values(
            "capacity_id", "action", "changed_by_id", "changed_at", "snapshot", "note"):
        by_capacity.setdefault(revision["capacity_id"], []).append(revision)
    records = []
    for current in Capacity.objects.using(db).order_by("id").values():
        rows, review = history_rows(current, by_capacity.get(current["id"], []))
        Capacity.objects.using(db).filter(pk=current["id"]).update(review_status=current["status"], **review)
        records.extend(Historical(**row) for row in rows)
    Historical.objects.using(db).bulk_create(records, batch_size=1000)


def backward(apps: Any, schema_editor: Any) -> None:
    """Back to the old fields; the revisions themselves are not rebuilt (the history table is dropped
    only by reversing 0002, which a backward run does next)."""
    Capacity = apps.get_model("capabilities", "Capacity")
    for capacity in Capacity.objects.using(schema_editor.connection.alias).all():
        capacity.status = capacity.review_status
        capacity.reviewer_note = capacity.return_reason
        capacity.reviewed_by_id = capacity.decided_by_id
        capacity.save(update_fields=["status", "reviewer_note", "reviewed_by"])


class Migration(migrations.Migration):

    dependencies = [
        ("capabilities", "0002_review_history"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
