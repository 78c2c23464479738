"""The one settings module of Payesh, driven by environment variables (see ``payesh.env``)."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from payesh.env import (
    ENGINES,
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_path,
    env_str,
    load_dotenv,
    local_secret_key,
)
from payesh.ledger.core.limits import limits_from_env as ledger_limits_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")
# Every folder Payesh writes (database file, lake, uploads, static files) lies under PAYESH_VAR_DIR unless
# set on its own, so that two instances on one machine differ by one variable.
VAR_DIR = env_path("PAYESH_VAR_DIR", BASE_DIR / "var", BASE_DIR)

DEBUG = env_bool("DEBUG", False)
# Which server this process is: `payesh serve --production` and payesh.wsgi/asgi (gunicorn, any WSGI/ASGI
# server) say production; everything else (the demo's runserver, the CLI, the tests) is development.
PAYESH_SERVER = env_choice("PAYESH_SERVER", "development", ("development", "production"))
SECRET_KEY = env_str("SECRET_KEY", "")
PAYESH_SECRET_KEY_FROM_ENV = bool(SECRET_KEY)
if not SECRET_KEY:
    if PAYESH_SERVER == "production" and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is false: the production server will not start with a key others "
            "could know. Set SECRET_KEY to a long random value (e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`) in the environment or in .env.")
    # The development server, the CLI and the tests use a random key made once under PAYESH_VAR_DIR.
    SECRET_KEY = local_secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

PAYESH_ENGINE = env_choice("PAYESH_ENGINE", "duckdb", ENGINES)
PAYESH_REGION = env_str("PAYESH_REGION", "IR-11").upper()
if not re.fullmatch(r"[A-Z]{2}-\d{2}", PAYESH_REGION):
    raise ImproperlyConfigured(f"PAYESH_REGION={PAYESH_REGION!r} is not a province code like IR-11 (ISO 3166-2).")
PAYESH_LAKE = env_path("PAYESH_LAKE", VAR_DIR / "lake", BASE_DIR)
# The ledger core reads its input limits (PAYESH_LEDGER_*) from the environment at each load; a bad
# value stops start-up here, as every setting does.
try:
    PAYESH_LEDGER_LIMITS = ledger_limits_from_env()
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "payesh.core",
    "payesh.reference",
    "payesh.ledger",
    "payesh.monitoring",
    "payesh.capabilities",
    "payesh.api",
    "payesh.strategy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "payesh.core.middleware.UserLanguageMiddleware",
    # Records request.user as the author of every history record written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "payesh.urls"
WSGI_APPLICATION = "payesh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "payesh" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",  # {{ csp_nonce }} for the few inline scripts
                "payesh.core.context_processors.payesh",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'payesh.sqlite3'}", BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# Object permissions (agency-scoped review, payesh/*/rules.py) come from django-rules; model permissions
# and passwords stay with Django's own backend.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# History (django-simple-history) is a record, never edited: no "revert to this version" in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Change reasons carry a reviewer's full return reason: a text column, not the default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "payesh" / "locale"]
LANGUAGE_COOKIE_NAME = "payesh_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("PAYESH_TIME_ZONE", "Asia/Tehran")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception as exc:  # zoneinfo raises several unrelated types for a bad key
    raise ImproperlyConfigured(
        f"PAYESH_TIME_ZONE={TIME_ZONE!r} is not an IANA time zone (e.g. Asia/Tehran, UTC)."
    ) from exc

STATIC_URL = "static/"
# The pages load the partial Plotly bundles in payesh/static/vendor/plotly (scripts/build_plotly.sh), not the
# plotly wheel's full 4.8 MB plotly.min.js.
STATICFILES_DIRS = [BASE_DIR / "payesh" / "static"]
STATIC_ROOT = env_path("PAYESH_STATIC_ROOT", VAR_DIR / "static", BASE_DIR)
MEDIA_ROOT = env_path("PAYESH_MEDIA_ROOT", VAR_DIR / "media", BASE_DIR)
# Uploads of failed loads are kept this long for a retry, then `payesh ledger check --repair` removes them.
PAYESH_UPLOAD_RETENTION_DAYS = env_int("PAYESH_UPLOAD_RETENTION_DAYS", 30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Notifications (strategy): the console backend prints e-mails, as the demo wants; set an SMTP backend to send.
MAILERS = {"default": {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "payesh@localhost")

if PAYESH_SERVER == "production":
    # whitenoise serves the collected files (`payesh serve --production` runs collectstatic): hashed names
    # cached for ten years, gzip and brotli variants made once at collect time.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    # Pages carry their charts' data (~100 KB of JSON on the overview, ~10 KB gzipped). Below whitenoise (its
    # files come compressed already) and above everything that writes the body; Django pads each gzip answer
    # against BREACH and masks the CSRF token.
    MIDDLEWARE.insert(2, "django.middleware.gzip.GZipMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "payesh.serving.StaticFilesStorage"},
    }
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # every URL comes from {% static %}; compress each file once

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# Behind an HTTPS reverse proxy (docs/deployment.md): HSTS, redirect to HTTPS, cookies only over HTTPS; the
# proxy says the request was HTTPS in X-Forwarded-Proto (it must overwrite what a client sends).
PAYESH_HTTPS = env_bool("PAYESH_HTTPS", False)
if PAYESH_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("PAYESH_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

# Content-Security-Policy on every response: scripts, styles, fonts and data only from this site; the few
# inline <script> blocks carry the per-request nonce. Plotly needs no eval (the WebGL trace is its strict,
# precompiled variant) but writes <style> rules and style attributes for its charts, hence
# style-src 'unsafe-inline' (styles cannot run code); its image export uses data: and blob: URLs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
