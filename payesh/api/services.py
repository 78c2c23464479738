"""Writes of the API app: create, check and revoke tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from payesh.api.models import ApiToken
from payesh.core.models import User

KEY_PREFIX = "pay_"
PREFIX_LENGTH = 12
# Write ``last_used`` at most this often: a script calling in a loop should not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key, which is not stored and cannot be shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip() or "API", key_hash=key_hash(key),
                                    prefix=key[:PREFIX_LENGTH])
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


class TokenRefused(Exception):
    """A key that does not open the API; the message says why and what to do."""


def api_token_authenticate(*, key: str) -> ApiToken:
    """The live token of ``key`` (and note its use), or :class:`TokenRefused`."""
    key = key.strip()
    if not key:
        raise TokenRefused("Empty token. Send the header 'Authorization: Bearer <key>'.")
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None:
        raise TokenRefused("Unknown API token. Check the key, or ask an administrator for a new token.")
    if token.revoked:
        raise TokenRefused(f"API token {token.prefix}… has been revoked. Ask an administrator for a new token.")
    if not token.user.is_active:
        raise TokenRefused(f"The account of API token {token.prefix}… is deactivated.")
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
