"""Reading the history that django-simple-history records for every model a person edits.

Recording needs nothing but ``history = HistoricalRecords()`` on the model (and the request
middleware, which names the user). This module turns the records into what a page shows: who, when,
created/changed/deleted, and field by field what changed, with values as a person reads them
(choice labels, the related object's name, decimals without trailing zeros).

Why django-simple-history rather than django-pghistory: it records in Python on save, so the same
history works on SQLite (the default database here) and PostgreSQL alike, where pghistory's triggers
need PostgreSQL; and it comes with admin integration (``SimpleHistoryAdmin``) that shows the history
of every object read-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from payesh.core.formatting import format_date
from payesh.core.review import REASON_LABELS


class HistoricalRecordsExcept(HistoricalRecords):
    """``HistoricalRecords`` that writes no record for a save touching only excluded fields.

    A sign-in saves the user with ``update_fields=["last_login"]``; with plain HistoricalRecords every
    sign-in would leave an empty history record.
    """

    def post_save(self, instance: models.Model, created: bool, using: str | None = None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


#: Never shown in a diff: secrets and bookkeeping that every save changes.
HIDDEN_FIELDS = frozenset({"password", "last_login", "lock_version"})

_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the model field's name
    label: str  # its verbose name in the active language
    old: str  # "" when there was no value
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    user: Any  # payesh.core.models.User | None (None: a script, a migration, or a deleted user)
    kind: str  # "created" | "changed" | "deleted"
    changes: list[FieldChange]
    reason: str  # history_change_reason in the active language, "" if none


def tracked_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields a diff compares: concrete, not the key, not timestamps the record already carries."""
    return [f for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in HIDDEN_FIELDS
            and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]


class _Display:
    """Values as text, looking up each related object once per call of :func:`history_for`."""

    def __init__(self) -> None:
        self._related: dict[tuple[type[models.Model], Any], str] = {}

    def __call__(self, field: models.Field[Any, Any], value: Any) -> str:
        if value is None or value == "":
            return ""
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation and field.related_model is not None:
            return self._name(field.related_model, value)  # type: ignore[arg-type]
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")  # 12000.000 → "12000", 2.500 → "2.5"
            return text
        if isinstance(value, dt.datetime | dt.date):
            return format_date(value, get_language())  # Solar Hijri in Persian
        return str(value)

    def _name(self, model: type[models.Model], pk: Any) -> str:
        key = (model, pk)
        if key not in self._related:
            found = model._default_manager.filter(pk=pk).first()
            self._related[key] = str(found) if found is not None else str(pk)
        return self._related[key]


def readable_reason(reason: str | None) -> str:
    """``"review:returned\\nWhich season?"`` → ``"Returned for correction: Which season?"``."""
    if not reason:
        return ""
    code, _sep, note = reason.partition("\n")
    label = REASON_LABELS.get(code)
    if label is None:
        return reason
    return f"{label}: {note}" if note else str(label)


def history_for(obj: models.Model) -> list[HistoryEntry]:
    """The object's history, newest first, each entry with its field-by-field changes.

    A creation lists the values entered; a change lists old → new; a save that changed nothing shown
    (a login touching ``last_login``) is left out unless it carries a reason.
    """
    manager = getattr(obj, "history", None)
    if manager is None:
        raise TypeError(f"{type(obj).__name__} keeps no history: declare history = HistoricalRecords()")
    model = type(obj)
    fields = tracked_fields(model)
    display = _Display()
    records = list(manager.select_related("history_user").order_by("history_date", "history_id"))
    entries: list[HistoryEntry] = []
    previous: Any = None
    for record in records:
        kind = _KINDS[record.history_type]
        changes: list[FieldChange] = []
        if kind != "deleted":
            for field in fields:
                new = getattr(record, field.attname)
                old = getattr(previous, field.attname) if previous is not None else None
                if previous is not None and old == new:
                    continue
                new_text, old_text = display(field, new), display(field, old)
                if new_text == old_text:
                    continue  # e.g. 12000.000 stored as 12000: not a change a person made
                changes.append(FieldChange(field=field.name, label=str(field.verbose_name), old=old_text,
                                           new=new_text))
        reason = readable_reason(record.history_change_reason)
        previous = record
        if kind == "changed" and not changes and not reason:
            continue
        entries.append(HistoryEntry(when=record.history_date, user=record.history_user, kind=kind,
                                    changes=changes, reason=reason))
    entries.reverse()
    return entries
