from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from payesh.api.models import ApiToken
from payesh.api.services import api_token_create, api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "prefix", "created", "last_used", "revoked"]
    readonly_fields = ["prefix", "created", "last_used"]
    actions = ["revoke", "issue_replacement"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new token gets its key from the service; the key is shown once and never stored.
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.key_hash, obj.prefix, obj.created = token.pk, token.key_hash, token.prefix, token.created
        obj._state.adding = False
        messages.warning(request, _("The key of “%(name)s” is shown only this once; copy it now: %(key)s")
                         % {"name": token.name, "key": key})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked=False):
            api_token_revoke(token=token)
        messages.success(request, _("Tokens revoked."))

    @admin.action(description=_("Issue a replacement (revokes the selected, shows the new keys once)"))
    def issue_replacement(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for old in queryset.select_related("user"):
            api_token_revoke(token=old)
            token, key = api_token_create(user=old.user, name=old.name)
            messages.warning(request, _("New key of “%(name)s” for %(user)s (shown only this once): %(key)s")
                             % {"name": token.name, "user": old.user.username, "key": key})
