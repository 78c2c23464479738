"""The one settings module of Payesh, driven by environment variables (see ``payesh.env``)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from payesh.env import ENGINES, env_bool, env_choice, env_database, env_list, env_str, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "payesh-development-only-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    # Serving the local demo without a secret is allowed; the system check payesh.W001 warns.
    SECRET_KEY = _DEV_SECRET
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

PAYESH_ENGINE = env_choice("PAYESH_ENGINE", "duckdb", ENGINES)
PAYESH_REGION = env_str("PAYESH_REGION", "IR-11").upper()
if not re.fullmatch(r"[A-Z]{2}-\d{2}", PAYESH_REGION):
    raise ImproperlyConfigured(f"PAYESH_REGION={PAYESH_REGION!r} is not a province code like IR-11 (ISO 3166-2).")
_lake = Path(env_str("PAYESH_LAKE", str(VAR_DIR / "lake")))
PAYESH_LAKE = _lake if _lake.is_absolute() else (BASE_DIR / _lake)

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
    "payesh.core",
    "payesh.reference",
    "payesh.ledger",
    "payesh.monitoring",
    "payesh.capabilities",
    "payesh.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "payesh.core.middleware.UserLanguageMiddleware",
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
                "payesh.core.context_processors.payesh",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", "sqlite:///var/payesh.sqlite3", BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

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
# plotly.min.js is served from the installed plotly wheel (no copy in the repository, no CDN).
STATICFILES_DIRS = [BASE_DIR / "payesh" / "static",
                    ("plotly", Path(importlib.util.find_spec("plotly").origin).parent / "package_data")]  # type: ignore[arg-type,union-attr]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
