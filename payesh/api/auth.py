"""What every router of the API shares: token authentication and the error for a bad parameter.

Kept apart from ``api.py`` so that routers in other modules (indicators, strategy) can use them without
importing the module that mounts them.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from payesh.api.models import ApiToken
from payesh.api.services import TokenRefused, api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` with a key from the admin (API tokens) or ``api_token_create``."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        header = request.headers.get(self.header, "")
        if not header.strip():
            raise AuthenticationError(401, "This endpoint needs an API token: send the header "
                                           "'Authorization: Bearer <key>'. An administrator creates tokens.")
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(401, f"Unsupported authorization scheme {scheme!r}; "
                                           "send 'Authorization: Bearer <key>'.")
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            return api_token_authenticate(key=token)
        except TokenRefused as exc:
            raise AuthenticationError(401, str(exc)) from exc


class BadParameter(Exception):
    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter, self.detail = parameter, detail
