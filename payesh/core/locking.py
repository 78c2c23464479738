"""Optimistic locking: two people open the same item, the second to save is told, not silently overwritten.

A model inherits :class:`Versioned`; its edit form carries the version the person opened
(:class:`VersionedFormMixin`, a hidden ``lock_version`` field); the service saves with
:func:`save_versioned`, which claims the next version with one conditional UPDATE and refuses with
:class:`EditConflict` when someone else got there first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EditConflict(ValidationError):
    """The row changed since the person opened it; their form must be reloaded, not forced through."""

    def __init__(self, message: Any = None, code: str | None = "edit_conflict", params: Any = None) -> None:
        super().__init__(message or gettext("This item was changed by someone else since you opened it; reload it "
                                      "and make your change again."), code=code, params=params)


class Versioned(models.Model):
    """Abstract: a counter that every saved edit increments."""

    lock_version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        abstract = True


def save_versioned(obj: Versioned, *, expected_version: int, update_fields: Iterable[str] | None = None) -> None:
    """Save ``obj`` if the stored row still has ``expected_version``; raise :class:`EditConflict` otherwise.

    The conditional ``UPDATE … SET lock_version = lock_version + 1 WHERE pk = ? AND lock_version = ?``
    is the check: it matches no row when someone saved in between, and it holds the row lock until the
    transaction ends, so the ordinary ``save()`` that follows (signals, history, ``auto_now``) cannot be
    overtaken. Must not be used for new objects (they have no version to conflict with).
    """
    if obj.pk is None:
        raise ValueError("save_versioned() changes stored rows; save a new object with save()")
    model = type(obj)
    with transaction.atomic():
        claimed = model._base_manager.filter(pk=obj.pk, lock_version=expected_version).update(
            lock_version=F("lock_version") + 1)
        if claimed == 0:
            raise EditConflict()
        obj.lock_version = expected_version + 1
        if update_fields is None:
            obj.save()
        else:
            fields = list(dict.fromkeys([*update_fields, "lock_version",
                                         *(f.name for f in model._meta.concrete_fields
                                           if getattr(f, "auto_now", False))]))
            obj.save(update_fields=fields)


class VersionedFormMixin(forms.BaseForm):
    """Adds the hidden ``lock_version`` field, filled with the version of the instance being edited.

    Use it first in the bases: ``class CapacityForm(VersionedFormMixin, forms.ModelForm)``, and pass
    ``form.expected_version`` to :func:`save_versioned` (through the app's service).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.fields["lock_version"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=0, required=instance is not None and instance.pk is not None,
            initial=getattr(instance, "lock_version", 0))

    @property
    def expected_version(self) -> int:
        """The version the person opened (valid forms only)."""
        value = self.cleaned_data.get("lock_version")
        return int(value) if value is not None else 0
