from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from payesh.ledger.core import READERS
from payesh.ledger.models import Batch


def _format_choices() -> list[tuple[str, str]]:
    return [("", str(_("detect automatically")))] + [(r.identifier, r.label_en) for r in READERS.values()]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV, Excel (XLSX) or Parquet; up to 2 GB."))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=_format_choices)
    policy = forms.ChoiceField(label=_("If rows have errors"), choices=Batch.Policy.choices,
                               initial=Batch.Policy.REJECT)
    hs_revision = forms.ChoiceField(
        label=_("HS revision"), required=False,
        choices=[("", _("as declared in the file")), ("HS92", "HS 1992"), ("HS12", "HS 2012"),
                 ("HS22", "HS 2022")])
