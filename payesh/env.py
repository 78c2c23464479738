"""Strict parsers for the environment variables that configure Payesh.

Every parser raises ``ImproperlyConfigured`` naming the variable and the accepted values, so a
typo stops start-up with a message instead of silently running with a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from payesh.ledger.core.limits import settings_doc as ledger_limits_doc

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
ENGINES = ("duckdb", "postgres", "spark")

# name → (default shown in docs, description); the README table and `.env.example` are tested
# against this list so that documentation cannot drift from the code.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "sqlite:///var/payesh.sqlite3",
        "Application database (users, reference data, batches, tasks). sqlite:/// or postgres://",
    ),
    "PAYESH_LAKE": ("./var/lake", "Folder of the Parquet trade lake (facts, manifest, kept source files)"),
    "PAYESH_ENGINE": ("duckdb", "Query engine of the cube: duckdb, postgres or spark"),
    "SECRET_KEY": ("(generated for development)",
                   "Django secret key; required by the production server unless DEBUG is true (the development "
                   "server generates one in PAYESH_VAR_DIR/secret_key)"),
    "DEBUG": ("false", "Debug mode: true/false (also 1/0, yes/no, on/off)"),
    "ALLOWED_HOSTS": ("127.0.0.1,localhost", "Comma-separated host names the site answers to"),
    "PAYESH_TIME_ZONE": ("Asia/Tehran", "Time zone used to display dates and times"),
    "PAYESH_REGION": ("IR-11", "Province (ISO 3166-2 code) whose customs and counties the monitoring pages focus on"),
    "PAYESH_SERVER": ("development", "development (runserver) or production (gunicorn + whitenoise); "
                      "`payesh serve --production` and payesh.wsgi set production themselves"),
    "PAYESH_HTTPS": ("false", "true behind an HTTPS reverse proxy: HSTS, HTTPS redirect, secure cookies, X-Forwarded-Proto"),
    "EMAIL_BACKEND": ("django.core.mail.backends.console.EmailBackend",
                      "Django e-mail backend for notifications (console in the demo; SMTP in a deployment)"),
    "DEFAULT_FROM_EMAIL": ("payesh@localhost", "Sender address of notification e-mails"),
    "PAYESH_HSTS_SECONDS": ("31536000", "HSTS max-age when PAYESH_HTTPS is true (start low, e.g. 3600, on a new site)"),
    "PAYESH_VAR_DIR": ("./var", "Folder under which every folder Payesh writes lives unless set on its own"),
    "PAYESH_MEDIA_ROOT": ("./var/media", "Folder of uploaded files waiting to be loaded (and kept after a failed load)"),
    "PAYESH_STATIC_ROOT": ("./var/static", "Folder `collectstatic` writes the static files to"),
    "PAYESH_UPLOAD_RETENTION_DAYS": ("30", "Days the upload of a failed load is kept for a retry before `payesh ledger check --repair` removes it"),
}
# The ledger's input limits and value bounds (PAYESH_LEDGER_*), defined with the framework-free
# ledger core that applies them; docs/ledger-formats.md explains each.
SETTINGS_DOC.update(ledger_limits_doc())


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean. Accepted values: {', '.join(TRUE_WORDS + FALSE_WORDS)}."
    )


def env_choice(name: str, default: str, choices: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ).lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not supported. Accepted values: {', '.join(choices)}."
        )
    return value


def env_int(name: str, default: int, *, minimum: int = 0, environ: Mapping[str, str] | None = None) -> int:
    raw = env_str(name, str(default), environ)
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_path(name: str, default: Path, base_dir: Path, environ: Mapping[str, str] | None = None) -> Path:
    """A folder: absolute, or relative to the project folder (as sqlite:/// paths are)."""
    path = Path(env_str(name, str(default), environ)).expanduser()
    return path if path.is_absolute() else base_dir / path


def env_list(name: str, default: Sequence[str], environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty entry; give a comma-separated list of names.")
    return items


def env_database(name: str, default: str, base_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse DATABASE_URL; accept only the engines Payesh is tested on."""
    import dj_database_url

    url = env_str(name, default, environ)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    accepted = ("sqlite", "postgres", "postgresql", "pgsql")
    if scheme not in accepted or "://" not in url:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a database URL Payesh accepts. Accepted forms: "
            "sqlite:///relative/or/absolute/path.sqlite3, postgres://user:password@host:5432/dbname."
        )
    if scheme == "sqlite":
        # sqlite:///var/x.sqlite3 is relative to the project, sqlite:////abs/x.sqlite3 absolute.
        path = url.split("://", 1)[1][1:]
        if path.strip() == "":
            raise ImproperlyConfigured(f"{name}={url!r} names no SQLite file, e.g. sqlite:///var/payesh.sqlite3.")
        file = Path(path) if Path(path).is_absolute() else base_dir / path
        # SQLite creates the file but not its folder; a fresh clone has no ./var yet.
        file.parent.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(file),
                "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={url!r} could not be parsed: {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database, e.g. postgres://postgres@127.0.0.1:5432/payesh.")
    return dict(config)


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of a .env file into the environment; real environment variables win."""
    if not path.exists():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {line!r}.")
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def local_secret_key(var_dir: Path) -> str:
    """The development server's key: random, made once per installation in ``var_dir/secret_key`` (mode 0600).

    It replaces the key that used to be written in the source (public, so anyone could forge sessions).
    The production server never uses it: there a missing SECRET_KEY stops start-up.
    """
    import secrets
    import tempfile

    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: two processes starting together agree on one key.
        fd, tmp = tempfile.mkstemp(dir=var_dir, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"payesh-development-only-{secrets.token_urlsafe(48)}\n")
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key ({len(key)} characters); delete it to have a new one made.")
    return key

