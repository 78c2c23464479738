from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payesh.core.history import HistoricalRecordsExcept


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    FOCAL_POINT = "focal_point", _("Agency focal point")
    WORKING_GROUP = "working_group", _("Working-group member")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    """A Payesh user: one role; an agency focal point is bound to exactly one agency."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    agency = models.ForeignKey(
        "reference.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(_("interface language"), max_length=5, blank=True,
                                choices=[("fa", "فارسی"), ("en", "English")])

    # Who changed a person's role or agency, and when. The password hash is never copied into the
    # history, and last_login (touched by every sign-in) is not history worth keeping.
    history = HistoricalRecordsExcept(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="focal_point") | Q(agency__isnull=False),
                name="focal_point_has_agency",
                violation_error_message=_("An agency focal point must be bound to an agency."),
            ),
        ]

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_analyst(self) -> bool:
        return self.is_administrator or self.role == Role.ANALYST
