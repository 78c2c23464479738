from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from payesh.capabilities.models import Capacity
from payesh.core.locking import VersionedFormMixin
from payesh.core.models import Role, User
from payesh.reference.models import Agency, County


class CapacityForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Capacity
        fields = ["county", "agency", "kind", "hs_revision", "hs_code", "description", "quantity", "unit", "year",
                  "month", "source"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "hs_code": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"})}
        help_texts = {
            "hs_code": _("Optional: 2, 4 or 6 digits. With a code, the county page compares this capacity "
                         "with the exports of the same product."),
            "source": _("Where the figure comes from (report, survey, permit register)."),
            "year": _("Solar Hijri year, e.g. 1402."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counties = County.objects.all()
        region = County.objects.filter(province_id=settings.PAYESH_REGION)
        self.fields["county"].queryset = region if region.exists() else counties  # type: ignore[attr-defined]
        if user.role == Role.FOCAL_POINT and not user.is_analyst:
            self.fields["agency"].queryset = Agency.objects.filter(pk=user.agency_id)  # type: ignore[attr-defined]
            self.fields["agency"].initial = user.agency_id
        self.fields["hs_revision"].required = False


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note to the agency"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
