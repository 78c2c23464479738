"""Security settings from the environment, the Content-Security-Policy, and `check --deploy`.

Settings are read once per process, so the environment-dependent ones are probed in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import RequestContext, Template
from django.test import RequestFactory

from payesh.checks import payesh_checks, payesh_deploy_checks
from payesh.env import local_secret_key

REPO = Path(__file__).resolve().parents[2]
KEY = "test-only-" + "s3cr3t" * 10
CLEAN = ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PAYESH_HTTPS", "PAYESH_SERVER", "PAYESH_HSTS_SECONDS",
         "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")
PROBE = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
         "'key_from_env': s.PAYESH_SECRET_KEY_FROM_ENV, 'key_len': len(s.SECRET_KEY),"
         "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'subdomains': getattr(s, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False),"
         "'redirect': s.SECURE_SSL_REDIRECT, 'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE,"
         "'proxy': s.SECURE_PROXY_SSL_HEADER}))")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env.update({"PAYESH_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'payesh.sqlite3'}",
                "PAYESH_LAKE": str(tmp_path / "lake"), "DJANGO_SETTINGS_MODULE": "payesh.settings"})
    env.update(extra)
    return env


def _probe(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=_env(tmp_path, **extra), capture_output=True,
                          text=True, timeout=120)


def _settings(tmp_path: Path, **extra: str) -> dict[str, object]:
    result = _probe(tmp_path, **extra)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# ------------------------------------------------------------------ SECRET_KEY
def test_production_without_secret_key_stops_naming_the_variable(tmp_path: Path) -> None:
    result = _probe(tmp_path, PAYESH_SERVER="production", DEBUG="false")
    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY is not set and DEBUG is false" in result.stderr


def test_production_with_debug_or_a_key_starts(tmp_path: Path) -> None:
    assert _settings(tmp_path, PAYESH_SERVER="production", DEBUG="true")["key_from_env"] is False
    assert _settings(tmp_path, PAYESH_SERVER="production", SECRET_KEY=KEY)["key_from_env"] is True


def test_development_without_a_key_uses_a_random_local_key_not_a_public_one(tmp_path: Path) -> None:
    first = _settings(tmp_path)
    assert first["key_from_env"] is False and int(str(first["key_len"])) >= 50
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other"
    other.mkdir()
    assert local_secret_key(tmp_path) == key_file.read_text().strip()  # stable for one installation
    assert local_secret_key(other) != local_secret_key(tmp_path)  # and different for another
    assert "payesh-development-only-secret-key-change-me" not in (REPO / "payesh" / "settings.py").read_text()


def test_a_truncated_local_key_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ImproperlyConfigured, match=r"holds no usable key \(5 characters\); delete it"):
        local_secret_key(tmp_path)


# ------------------------------------------------------------------ HTTPS
def test_https_turns_on_hsts_redirect_secure_cookies_and_the_proxy_header(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, PAYESH_HTTPS="true")
    del loaded["key_from_env"], loaded["key_len"]
    assert loaded == {"hsts": 31536000, "subdomains": True, "redirect": True, "session": True, "csrf": True,
                      "proxy": ["HTTP_X_FORWARDED_PROTO", "https"]}
    assert _settings(tmp_path, PAYESH_HTTPS="true", PAYESH_HSTS_SECONDS="3600")["hsts"] == 3600


def test_without_https_nothing_forces_https(tmp_path: Path) -> None:
    loaded = _settings(tmp_path)
    assert (loaded["hsts"], loaded["redirect"], loaded["session"], loaded["csrf"], loaded["proxy"]) == (
        0, False, False, False, None)


def test_a_bad_https_value_stops_naming_it(tmp_path: Path) -> None:
    result = _probe(tmp_path, PAYESH_HTTPS="maybe")
    assert result.returncode == 1 and "PAYESH_HTTPS='maybe' is not a boolean" in result.stderr


# ------------------------------------------------------------------ check --deploy
def _check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "payesh.cli", "manage", "check", "--deploy"], cwd=REPO,
                          env=_env(tmp_path, **extra), capture_output=True, text=True, timeout=180)


def test_check_deploy_reports_nothing_for_a_configured_site(tmp_path: Path) -> None:
    # EMAIL_BACKEND: Django 6.1's own mail.E001 refuses the console backend (the demo's default) on deploy.
    result = _check_deploy(tmp_path, DEBUG="false", SECRET_KEY=KEY, ALLOWED_HOSTS="trade.example.org",
                           PAYESH_HTTPS="true", EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr


def test_check_deploy_names_what_a_bare_site_lacks(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, DEBUG="false", ALLOWED_HOSTS="trade.example.org")
    output = result.stdout + result.stderr
    for check in ("payesh.W001", "payesh.W003", "security.W004", "security.W008", "security.W012",
                  "security.W016"):
        assert check in output, check


def test_deploy_checks_in_process(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAYESH_SECRET_KEY_FROM_ENV = False
    settings.SECURE_CSP = {}
    assert [m.id for m in payesh_deploy_checks()] == ["payesh.W003", "payesh.W004"]
    settings.PAYESH_SECRET_KEY_FROM_ENV = True
    settings.SECURE_CSP = {"default-src": ["'self'"]}
    assert payesh_deploy_checks() == []


def test_deploy_checks_are_not_run_without_deploy(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.PAYESH_LAKE = tmp_path / "lake"
    settings.PAYESH_SECRET_KEY_FROM_ENV = False
    assert "payesh.W003" not in [m.id for m in payesh_checks()]


# ------------------------------------------------------------------ Content-Security-Policy
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/monitoring/", "/api/cube/meta", "/admin/login/",
                                  "/no-such-page/"])
def test_every_response_carries_the_csp(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    # The nonce is added only to responses that used it (Django's LazyNonce): pages with inline scripts.
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9_-]{20,}')?", directives["script-src"]), policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy


def test_inline_script_gets_the_nonce_of_its_response() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(Template('<script nonce="{{ csp_nonce }}">go()</script>').render(RequestContext(request)))

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    header_nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    body_nonce = re.search(r'nonce="([^"]+)"', response.content.decode())
    assert header_nonce and body_nonce and header_nonce.group(1) == body_nonce.group(1)


def _templates() -> list[Path]:
    return sorted(p for p in (REPO / "payesh").rglob("*.html") if "templates" in p.parts)


def test_no_template_has_an_inline_script_without_the_nonce_or_an_inline_handler() -> None:
    """What the CSP would block in the browser: <script> without src and without the nonce, on*= handlers,
    javascript: URLs. (Add nonce="{{ csp_nonce }}" to an inline script, or move it to a static file.)"""
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ csp_nonce }}"' not in tag and "application/json" not in tag:
                offenders.append(f"{path.relative_to(REPO)}: {tag}")
        for handler in re.findall(r"<[^>]*\son[a-z]+\s*=[^>]*>", text):
            offenders.append(f"{path.relative_to(REPO)}: {handler[:80]}")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(REPO)}: javascript: URL")
    assert len(_templates()) > 20
    assert offenders == []


def test_pages_load_only_the_partial_plotly_bundles() -> None:
    texts = "\n".join(p.read_text(encoding="utf-8") for p in _templates())
    assert "plotly/plotly.min.js" not in texts
    assert "vendor/plotly/plotly-payesh.min.js" in texts and "vendor/plotly/plotly-payesh-gl.min.js" in texts
    vendor = REPO / "payesh" / "static" / "vendor" / "plotly"
    for name in ("plotly-payesh.min.js", "plotly-payesh-gl.min.js", "LICENSE", "SOURCE.md"):
        assert (vendor / name).exists(), name
    assert "MIT" in (vendor / "LICENSE").read_text()
    # well under the 4.8 MB full bundle
    assert (vendor / "plotly-payesh.min.js").stat().st_size < 2_000_000
