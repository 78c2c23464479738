"""``{% history_entries object as entries %}``: the entries of :func:`payesh.core.history.history_for`."""

from __future__ import annotations

from django import template
from django.db import models

from payesh.core.history import HistoryEntry, history_for

register = template.Library()


@register.simple_tag
def history_entries(obj: models.Model | None) -> list[HistoryEntry]:
    return history_for(obj) if obj is not None else []
