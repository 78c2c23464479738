from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from payesh.ledger.core import READERS
from payesh.ledger.core.limits import limits_from_env, variable_of
from payesh.ledger.models import Batch

#: Bytes a file name may take on the disk the upload is kept on (ext4 and most others: 255). The
#: name is kept as given, so a longer one is refused here rather than failing on the disk.
FILE_NAME_BYTES = 255


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
    sheet = forms.CharField(
        label=_("Sheet"), required=False, max_length=255, strip=True,
        help_text=_("Excel files only: the name of the sheet that holds the table. Leave empty to read the "
                    "first sheet."))

    def clean_file(self) -> UploadedFile:
        """The limits a file name and size must keep, named with the setting that changes them,
        before anything is written to disk (the same limits the ledger core applies)."""
        uploaded: UploadedFile = self.cleaned_data["file"]
        limits = limits_from_env()
        name = uploaded.name or ""
        if len(name) > limits.max_filename_chars or len(name.encode("utf-8")) > FILE_NAME_BYTES:
            raise forms.ValidationError(
                _("The file name has %(count)s characters; the limit is %(limit)s (setting %(setting)s). "
                  "Rename the file and upload it again."),
                code="file_name_too_long",
                params={"count": len(name), "limit": limits.max_filename_chars,
                        "setting": variable_of("max_filename_chars")})
        if uploaded.size is not None and uploaded.size > limits.max_file_bytes:
            raise forms.ValidationError(
                _("The file has %(size)s MB; the limit is %(limit)s MB (setting %(setting)s)."),
                code="file_too_large",
                params={"size": f"{uploaded.size / (1 << 20):,.1f}", "limit": f"{limits.max_file_bytes / (1 << 20):,.0f}",
                        "setting": variable_of("max_file_bytes")})
        return uploaded
