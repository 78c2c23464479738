"""API tokens: a user's key for the non-public endpoints (facts, batches).

Only the SHA-256 of a key is stored; the key itself is shown once, when the token is created.
The ``prefix`` (the key's first characters) lets a person tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “monthly report script”."))
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
