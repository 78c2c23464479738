"""Structural diff of two versions of a document: goals, KPIs, targets, actions and milestones matched by
their stable codes, added / removed / changed field by field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import models
from django.utils.translation import gettext as _

from payesh.strategy.models import Action, Goal, Kpi, Version

GOAL_FIELDS = ("title_en", "title_fa", "description_en", "description_fa", "parent", "weight", "order")
KPI_FIELDS = ("name_en", "name_fa", "goal", "source", "unit", "direction", "baseline_year", "baseline_value",
              "measure", "cuts", "excludes", "period_rule", "months", "compare_previous_year", "accumulates",
              "projection", "agency", "weight")
ACTION_FIELDS = ("title_en", "title_fa", "goal", "agency", "supporting", "start_date", "due_date", "weight",
                 "report_every_months", "cancelled")


@dataclass(frozen=True)
class Change:
    kind: str  # goal | kpi | target | action | milestone
    code: str
    change: str  # added | removed | changed
    field: str = ""  # the field's label (changed only)
    old: str = ""
    new: str = ""

    @property
    def kind_label(self) -> str:
        return _kind_labels()[self.kind]

    @property
    def change_label(self) -> str:
        return {"added": _("added"), "removed": _("removed"), "changed": _("changed")}[self.change]


def _kind_labels() -> dict[str, str]:
    return {"goal": _("goal"), "kpi": _("KPI"), "target": _("target"), "action": _("action"),
            "milestone": _("milestone")}


def _show(obj: models.Model, name: str) -> str:
    if name == "supporting":
        return ", ".join(sorted(obj.supporting.values_list("code", flat=True)))  # type: ignore[attr-defined]
    field: Any = obj._meta.get_field(name)
    value: Any = getattr(obj, name)
    if value is None or value == "":
        return ""
    if isinstance(field, models.ForeignKey):
        return str(getattr(value, "code", value.pk))
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value).rstrip("0").rstrip(".") if hasattr(value, "as_tuple") else str(value)


def _label(model: type[models.Model], name: str) -> str:
    field: Any = model._meta.get_field(name)
    return str(field.verbose_name)


def _compare(kind: str, model: type[models.Model], old: dict[str, Any], new: dict[str, Any],
             fields: tuple[str, ...]) -> list[Change]:
    changes: list[Change] = []
    for code in sorted(set(old) | set(new)):
        if code not in old:
            changes.append(Change(kind, code, "added"))
        elif code not in new:
            changes.append(Change(kind, code, "removed"))
        else:
            for name in fields:
                before, after = _show(old[code], name), _show(new[code], name)
                if before != after:
                    changes.append(Change(kind, code, "changed", _label(model, name), before, after))
    return changes


def version_diff(old: Version, new: Version) -> list[Change]:
    """Everything that differs between two versions (of the same document), in tree order of kinds."""
    goals = [{g.code: g for g in Goal.objects.filter(version=v).select_related("parent")} for v in (old, new)]
    kpis = [{k.code: k for k in Kpi.objects.filter(version=v).select_related("goal", "agency")
             .prefetch_related("targets")} for v in (old, new)]
    actions = [{a.code: a for a in Action.objects.filter(version=v).select_related("goal", "agency")
                .prefetch_related("supporting", "milestones")} for v in (old, new)]
    changes = _compare("goal", Goal, goals[0], goals[1], GOAL_FIELDS)
    changes += _compare("kpi", Kpi, kpis[0], kpis[1], KPI_FIELDS)
    for code in sorted(set(kpis[0]) & set(kpis[1])):
        before = {t.year: t.value for t in kpis[0][code].targets.all()}
        after = {t.year: t.value for t in kpis[1][code].targets.all()}
        for year in sorted(set(before) | set(after)):
            if before.get(year) != after.get(year):
                change = "added" if year not in before else "removed" if year not in after else "changed"
                changes.append(Change("target", f"{code} · {year}", change, _("target"),
                                      _number(before.get(year)), _number(after.get(year))))
    changes += _compare("action", Action, actions[0], actions[1], ACTION_FIELDS)
    for code in sorted(set(actions[0]) & set(actions[1])):
        before_m = {m.title_en: m for m in actions[0][code].milestones.all()}
        after_m = {m.title_en: m for m in actions[1][code].milestones.all()}
        for title in sorted(set(before_m) | set(after_m)):
            if title not in before_m:
                changes.append(Change("milestone", f"{code} · {title}", "added"))
            elif title not in after_m:
                changes.append(Change("milestone", f"{code} · {title}", "removed"))
            elif before_m[title].due_date != after_m[title].due_date:
                changes.append(Change("milestone", f"{code} · {title}", "changed", _("due"),
                                      str(before_m[title].due_date), str(after_m[title].due_date)))
    return changes


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def diff_frame(changes: list[Change]) -> pd.DataFrame:
    labels = _kind_labels()
    return pd.DataFrame([{_("part"): labels[c.kind], _("code"): c.code, _("change"): c.change_label,
                          _("field"): c.field, _("before"): c.old, _("after"): c.new} for c in changes],
                        columns=[_("part"), _("code"), _("change"), _("field"), _("before"), _("after")])
