"""docs/deployment.md works as written: its `bash` blocks run, its configuration snippets are valid.

- ```bash blocks run in order in one shell, in a temporary instance (own database, lake, backups folder);
- ```sh blocks need root or a running service: each must be preceded by `<!-- not run: reason -->`;
- the ```ini environment file names only documented settings and loads as production settings;
- the ```nginx block passes `nginx -t`; the systemd unit passes `systemd-analyze verify`.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from payesh.env import SETTINGS_DOC

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deployment.md"


@dataclass
class Block:
    lang: str
    text: str
    note: str  # the `<!-- not run: … -->` comment right before the block, if any
    line: int


def blocks() -> list[Block]:
    found = []
    lines = DOC.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = re.fullmatch(r"```(\w+)", lines[i])
        if match:
            start = i
            end = lines.index("```", i + 1)
            note = lines[start - 1] if start > 0 and lines[start - 1].startswith("<!--") else ""
            found.append(Block(match.group(1), "\n".join(lines[start + 1:end]), note, start + 1))
            i = end
        i += 1
    return found


def _one(lang: str, first_line: str) -> Block:
    matches = [b for b in blocks() if b.lang == lang and b.text.splitlines()[0].startswith(first_line)]
    assert len(matches) == 1, f"expected one ```{lang} block starting with {first_line!r}"
    return matches[0]


def test_every_block_is_run_or_says_why_not() -> None:
    found = blocks()
    assert {b.lang for b in found} <= {"bash", "sh", "ini", "nginx"}
    for block in found:
        if block.lang == "sh":
            assert re.fullmatch(r"<!-- not run: .{10,} -->", block.note), f"line {block.line}: say why it is not run"
        if block.lang == "bash":
            assert not block.note, f"line {block.line}: a bash block is run by this test"
    assert sum(b.lang == "bash" for b in found) >= 3


@pytest.mark.slow
def test_bash_blocks_run_in_a_temporary_instance(tmp_path: Path) -> None:
    script = "\n".join(b.text for b in blocks() if b.lang == "bash")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PAYESH_HTTPS", "PAYESH_SERVER", "EMAIL_BACKEND",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}  # the last one is the test suite's own, never a deployment's
    env.update({"PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}", "PAYESH_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'payesh.sqlite3'}", "PAYESH_LAKE": str(tmp_path / "lake"),
                "BACKUP_DIR": str(tmp_path / "backups")})
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "System check identified no issues (0 silenced)." in result.stdout
    backups = list((tmp_path / "backups").glob("payesh-*.tar.gz"))
    assert len(backups) == 1 and backups[0].stat().st_size > 0


def test_environment_file_names_documented_settings_and_loads_as_production(tmp_path: Path) -> None:
    block = _one("ini", "# /etc/payesh/payesh.env")
    values = dict(line.split("=", 1) for line in block.text.splitlines() if line and not line.startswith("#"))
    assert set(values) <= set(SETTINGS_DOC), set(values) - set(SETTINGS_DOC)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PAYESH_", "DATABASE_URL"))}, **values,
           "PAYESH_SERVER": "production", "PAYESH_VAR_DIR": str(tmp_path)}
    probe = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
             "'debug': s.DEBUG, 'hsts': s.SECURE_HSTS_SECONDS, 'redirect': s.SECURE_SSL_REDIRECT, "
             "'cookie': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
             "'db': s.DATABASES['default']['ENGINE'], 'static': s.STORAGES['staticfiles']['BACKEND']}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE":
                            "payesh.settings"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {"debug": False, "hsts": 3600, "redirect": True, "cookie": True, "csrf": True,
                      "proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "db": "django.db.backends.postgresql",
                      "static": "payesh.serving.StaticFilesStorage"}


def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does)")
    server = _one("nginx", "server {").text
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=trade.example.org", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = server.replace("/etc/ssl/payesh/fullchain.pem", str(cert)).replace("/etc/ssl/payesh/privkey.pem", str(key))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n access_log {tmp_path}/access.log;\n{server}\n}}\n", encoding="utf-8")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "[warn]" not in result.stderr and "[emerg]" not in result.stderr
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in server


def test_systemd_unit_passes_systemd_analyze_and_runs_the_production_server(tmp_path: Path) -> None:
    unit = _one("ini", "[Unit]").text
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit)
    service = parser["Service"]
    assert service["ExecStart"].endswith("payesh serve --production --host 127.0.0.1 --port 8000")
    assert service["KillSignal"] == "SIGTERM" and service["KillMode"] == "mixed"
    assert service["EnvironmentFile"] == "/etc/payesh/payesh.env"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    # The unit as installed would run the payesh of /srv/payesh/app; here the repository's own.
    local = unit.replace("/srv/payesh/app/.venv/bin/payesh", str(Path(sys.executable).parent / "payesh"))
    local = local.replace("/srv/payesh/app", str(REPO))
    path = tmp_path / "payesh.service"
    path.write_text(local, encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
