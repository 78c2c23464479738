"""Forms of the strategy pages: they read and check input; the services decide and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from payesh.core import formatting
from payesh.core.locking import VersionedFormMixin
from payesh.reference.models import Agency
from payesh.strategy.models import Action, Disposition, Goal, Kpi, VoteChoice
from payesh.strategy.periods import parse_date


class SolarDateField(forms.CharField):
    """A date typed as 1403/05/12 (Solar Hijri; Persian digits welcome) or 2024-08-02."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Solar Hijri, e.g. 1403/05/12"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"dir": "ltr", "placeholder": "1403/05/12", "inputmode": "numeric"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            j = formatting.to_jalali(value)
            return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
        return value

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return value
        text = super().to_python(value)
        if not text:
            return None
        return parse_date(text)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the services check type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class GoalForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Goal
        fields = ["code", "title_en", "title_fa", "parent", "description_en", "description_fa", "weight", "order"]
        widgets = {"description_en": forms.Textarea(attrs={"rows": 3}),
                   "description_fa": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, version: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Goal.objects.filter(version=version)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class TargetsField(forms.CharField):
    """Targets typed one per line as ``year: value`` (e.g. ``1403: 1200000000``)."""

    widget = forms.Textarea(attrs={"rows": 4, "dir": "ltr"})

    def to_python(self, value: Any) -> list[tuple[int | None, float | None]]:  # type: ignore[override]
        text = (super().to_python(value) or "").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
        rows: list[tuple[int | None, float | None]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            year_text, sep, value_text = line.partition(":")
            if not sep:
                raise forms.ValidationError(_("Line %(n)s (%(line)s): write “year: value”; a target needs its year.")
                                            % {"n": number, "line": line})
            try:
                year = int(year_text.strip()) if year_text.strip() else None
                amount = float(value_text.replace(",", "").strip()) if value_text.strip() else None
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s (%(line)s) is not “year: value” with numbers.")
                                            % {"n": number, "line": line}) from None
            rows.append((year, amount))
        return rows


class KpiForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    targets = TargetsField(label=_("targets"), required=False,
                           help_text=_("One per line: Solar Hijri year: value, e.g. 1403: 1200000000"))

    class Meta:
        model = Kpi
        fields = ["code", "name_en", "name_fa", "goal", "source", "unit", "direction", "baseline_year",
                  "baseline_value", "measure", "cuts", "excludes", "period_rule", "months", "compare_previous_year",
                  "accumulates", "projection", "agency", "weight"]
        widgets = {"measure": forms.TextInput(attrs={"dir": "ltr"}), "cuts": forms.TextInput(attrs={"dir": "ltr"}),
                   "excludes": forms.TextInput(attrs={"dir": "ltr"})}

    def __init__(self, *args: Any, version: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(version=version)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["targets"].initial = "\n".join(f"{t.year}: {t.value:g}" for t in self.instance.targets.all())


class ActionForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    start_date = SolarDateField(label=_("start"))
    due_date = SolarDateField(label=_("due"))

    class Meta:
        model = Action
        fields = ["code", "title_en", "title_fa", "goal", "agency", "supporting", "start_date", "due_date", "weight",
                  "report_every_months", "cancelled"]
        widgets = {"supporting": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, version: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(version=version)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date comes before the start date."))
        return data


class ProgressReportForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    reported_on = SolarDateField(label=_("Report date"))
    evidence = MultipleFileField(label=_("Evidence"), required=False,
                                 help_text=_("PDF, PNG, JPEG, XLSX, DOCX or CSV; up to 10 MB each, 5 files."))


class KpiReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year (Solar Hijri)"), min_value=1300, max_value=1500)
    months = forms.IntegerField(label=_("Months covered"), min_value=1, max_value=12, initial=12)
    value = forms.FloatField(label=_("Value"))
    text = forms.CharField(label=_("How it was measured"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reported_on = SolarDateField(label=_("Report date"))
    evidence = MultipleFileField(label=_("Evidence"), required=False,
                                 help_text=_("PDF, PNG, JPEG, XLSX, DOCX or CSV; up to 10 MB each, 5 files."))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("What should be corrected?"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class RoundForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(label=_("Agencies asked"), queryset=Agency.objects.all(),
                                              widget=forms.SelectMultiple(attrs={"size": 8}))
    deadline = SolarDateField(label=_("Deadline"))
    note = forms.CharField(label=_("What the agencies are asked"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)


class ViewpointForm(forms.Form):
    anchor = forms.ChoiceField(label=_("About"), required=False)
    text = forms.CharField(label=_("Viewpoint"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, version: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fa = (get_language() or "fa").startswith("fa")
        choices: list[tuple[str, str]] = [("", str(_("the whole document")))]
        for g in version.goals.all():
            choices.append((f"goal:{g.pk}", f"{_('goal')} {g.code} · {g.title_fa if fa and g.title_fa else g.title_en}"))
        for k in version.kpis.all():
            choices.append((f"kpi:{k.pk}", f"{_('KPI')} {k.code} · {k.name}"))
        for a in version.actions.all():
            choices.append((f"action:{a.pk}", f"{_('action')} {a.code} · {a.title}"))
        self.fields["anchor"].choices = choices  # type: ignore[attr-defined]


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"),
                                    choices=[c for c in Disposition.choices if c[0]])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=VoteChoice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
