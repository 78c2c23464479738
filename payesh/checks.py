"""Start-up checks with stable ids (``payesh.E001`` …); `payesh check` and every manage command run them."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.compatibility, deploy=False)
def payesh_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    lake = settings.PAYESH_LAKE
    try:
        lake.mkdir(parents=True, exist_ok=True)
        writable = os.access(lake, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        messages.append(Error(
            f"The trade lake folder {lake} cannot be created or written.",
            hint="Set PAYESH_LAKE to a folder this user can write, e.g. ./var/lake.", id="payesh.E001"))
    engine = settings.PAYESH_ENGINE
    vendor = settings.DATABASES["default"]["ENGINE"]
    if engine == "postgres" and "postgresql" not in vendor:
        messages.append(Error(
            "PAYESH_ENGINE=postgres needs the application database to be PostgreSQL.",
            hint="Set DATABASE_URL=postgres://user@host:5432/dbname, or PAYESH_ENGINE=duckdb.", id="payesh.E002"))
    if engine == "spark" and importlib.util.find_spec("pyspark") is None:
        messages.append(Error(
            "PAYESH_ENGINE=spark but PySpark is not installed.",
            hint="Install the extra: pip install 'payesh[spark]', or set PAYESH_ENGINE=duckdb.", id="payesh.E003"))
    if "postgresql" in vendor and importlib.util.find_spec("psycopg") is None:
        messages.append(Error(
            "DATABASE_URL points to PostgreSQL but the psycopg driver is not installed.",
            hint="Install the extra: pip install 'payesh[postgres]'.", id="payesh.E004"))
    font = settings.BASE_DIR / "payesh" / "static" / "vendor" / "vazirmatn" / "Vazirmatn-Variable.woff2"
    if not font.exists():
        messages.append(Warning(
            "The Vazirmatn font is missing from the static files; Persian text falls back to another font.",
            hint=f"Restore {font} (npm package vazirmatn, OFL).", id="payesh.W002"))
    local = {"127.0.0.1", "localhost", "[::1]", "testserver"}
    exposed = [h for h in settings.ALLOWED_HOSTS if h not in local]
    if exposed and settings.SECRET_KEY.startswith("payesh-development-only"):
        messages.append(Warning(
            f"SECRET_KEY is the development key while the site answers to {', '.join(exposed)}.",
            hint="Set SECRET_KEY to a long random value before exposing the site to others.", id="payesh.W001"))
    return messages


@register(Tags.security, deploy=True)
def payesh_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`payesh manage check --deploy`: what Django's own deployment checks do not know about Payesh."""
    messages: list[CheckMessage] = []
    if not getattr(settings, "PAYESH_SECRET_KEY_FROM_ENV", True):
        messages.append(Warning(
            "SECRET_KEY is not set: the key generated for development under PAYESH_VAR_DIR is in use.",
            hint="Set SECRET_KEY in the environment (or .env) to a long random value; the production server "
                 "refuses to start without it.", id="payesh.W003"))
    if not getattr(settings, "SECURE_CSP", None):
        messages.append(Warning(
            "No Content-Security-Policy: SECURE_CSP is empty.",
            hint="Restore SECURE_CSP in payesh/settings.py (docs/deployment.md lists the policy).", id="payesh.W004"))
    return messages
