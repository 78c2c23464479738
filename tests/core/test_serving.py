"""`payesh serve` and `payesh serve --production`: what they serve, and that they stop every process they start.

Each server runs in a subprocess on its own migrated SQLite database and a free port; the processes it
started are read from the process table (psutil) while it runs, then it gets SIGTERM or SIGINT and every
one of them must be gone.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "payesh.cli"]
KEY = "test-only-" + "k3y" * 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "PAYESH_SERVER", "PAYESH_HTTPS")}
    env.update({"PAYESH_VAR_DIR": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'payesh.sqlite3'}",
                "PAYESH_LAKE": str(folder / "lake")})
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database file, made once and copied by each test (migrating takes seconds)."""
    folder = tmp_path_factory.mktemp("migrated")
    subprocess.run([*CLI, "manage", "migrate", "--noinput", "-v0"], cwd=REPO, env=_env(folder), check=True,
                   capture_output=True, timeout=600)
    return folder / "payesh.sqlite3"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One STATIC_ROOT for the module: brotli runs once per file, later starts only re-check the hashes."""
    return tmp_path_factory.mktemp("static")


def _instance(tmp_path: Path, migrated: Path) -> Path:
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copy(migrated, folder / "payesh.sqlite3")
    return folder


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _start(argv: list[str], env: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    # Not start_new_session: the test signals the server itself, as a service manager would.
    with log.open("wb") as out:
        server = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):  # up to ~5 minutes on a loaded machine (the first collectstatic runs brotli)
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answers
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise AssertionError(f"the server did not answer:\n{log.read_text()}")


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _alive(processes: list[psutil.Process]) -> list[str]:
    alive = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{p.pid} {' '.join(p.cmdline())}")
        except psutil.NoSuchProcess:
            pass
    return alive


def _stop_and_collect(server: subprocess.Popen[bytes], sig: signal.Signals) -> int:
    server.send_signal(sig)
    try:
        return server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        raise AssertionError(f"the server ignored {sig.name}") from None


def _settle(children: list[psutil.Process]) -> list[str]:
    """What is still alive once the children had the grace period to exit (psutil waits, no sleeps)."""
    psutil.wait_procs(children, timeout=20)
    return _alive(children)


@pytest.fixture
def cleanup() -> Iterator[list[psutil.Process]]:
    """Whatever a failed test left running is killed (a worker must never outlive the test run)."""
    left: list[psutil.Process] = []
    yield left
    for p in left:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def test_production_server_without_secret_key_stops_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "serve", "--production", "--port", str(_free_port())], cwd=REPO,
                            env=_env(tmp_path, DEBUG="false"), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    output = " ".join(result.stdout.split())
    assert "SECRET_KEY is not set and DEBUG is false" in output
    assert "secrets.token_urlsafe(50)" in output


def test_wsgi_module_is_the_production_entry_point_and_refuses_a_missing_secret_key(tmp_path: Path) -> None:
    """`gunicorn payesh.wsgi` without `payesh serve`: the same rule applies."""
    result = subprocess.run([sys.executable, "-c", "import payesh.wsgi"], cwd=REPO,
                            env=_env(tmp_path, DEBUG="false"), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY is not set and DEBUG is false" in result.stderr


@pytest.mark.parametrize("mode", [["--production"], []], ids=["production", "development"])
def test_server_on_an_unmigrated_database_says_what_to_run(tmp_path: Path, mode: list[str]) -> None:
    result = subprocess.run([*CLI, "serve", *mode, "--port", str(_free_port())], cwd=REPO,
                            env=_env(tmp_path, SECRET_KEY=KEY), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    output = " ".join(result.stdout.split())
    assert "migrations not applied" in output and "Run `payesh init`" in output
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_production_server_serves_compressed_hashed_static_files_and_stops_every_process(
        tmp_path: Path, migrated: Path, static_root: Path, sig: signal.Signals,
        cleanup: list[psutil.Process]) -> None:
    folder = _instance(tmp_path, migrated)
    port = _free_port()
    env = _env(folder, SECRET_KEY=KEY, PAYESH_STATIC_ROOT=str(static_root))
    server = _start([*CLI, "serve", "--production", "--workers", "2", "--port", str(port)], env,
                    tmp_path / "server.log", port)
    children = _descendants(server.pid)
    cleanup.extend(children)
    names = [" ".join(p.cmdline()) for p in children]
    # gunicorn's master and its 2 workers, and the background worker.
    assert sum("gunicorn" in n for n in names) == 3, names
    assert sum(n.endswith("payesh.cli worker") for n in names) == 1, names

    status, headers, body = _get(f"http://127.0.0.1:{port}/monitoring/")
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    bundle = re.search(rb'src="(/static/vendor/plotly/plotly-payesh\.min\.[0-9a-f]{12}\.js)"', body)
    assert bundle is not None, "the monitoring page loads the hashed partial Plotly bundle"
    status, headers, data = _get(f"http://127.0.0.1:{port}{bundle.group(1).decode()}",
                                 {"Accept-Encoding": "br, gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    original = (REPO / "payesh/static/vendor/plotly/plotly-payesh.min.js").stat().st_size
    assert len(data) < original / 3  # brotli: about a quarter of the minified file
    status, headers, _ = _get(f"http://127.0.0.1:{port}{bundle.group(1).decode()}", {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    # Pages themselves are gzipped too (their charts' JSON makes them large).
    status, headers, zipped = _get(f"http://127.0.0.1:{port}/monitoring/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped).startswith(b"<!DOCTYPE html>")

    assert _stop_and_collect(server, sig) == 0
    assert _settle(children) == []


@pytest.mark.slow
def test_development_server_stops_its_background_worker_on_sigterm(
        tmp_path: Path, migrated: Path, cleanup: list[psutil.Process]) -> None:
    """Issue 8: SIGTERM to `payesh serve` used to leave the worker running as an orphan."""
    folder = _instance(tmp_path, migrated)
    port = _free_port()
    server = _start([*CLI, "serve", "--port", str(port)], _env(folder), tmp_path / "server.log", port)
    children = _descendants(server.pid)
    cleanup.extend(children)
    assert [p for p in children if " ".join(p.cmdline()).endswith("payesh.cli worker")], "the worker runs"
    status, headers, _ = _get(f"http://127.0.0.1:{port}/")
    assert status == 200 and "Content-Security-Policy" in headers

    assert _stop_and_collect(server, signal.SIGTERM) == 0
    assert _settle(children) == []


@pytest.mark.slow
def test_worker_of_a_killed_server_does_not_survive_it(tmp_path: Path, migrated: Path,
                                                        cleanup: list[psutil.Process]) -> None:
    """kill -9 leaves no chance to clean up: the kernel's parent-death signal stops the worker."""
    folder = _instance(tmp_path, migrated)
    port = _free_port()
    server = _start([*CLI, "serve", "--port", str(port)], _env(folder), tmp_path / "server.log", port)
    children = _descendants(server.pid)
    cleanup.extend(children)
    assert children
    server.kill()
    server.wait(timeout=30)
    assert _settle(children) == []
