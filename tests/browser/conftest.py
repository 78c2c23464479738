"""A real Payesh server (migrated, reference data, demo users) on a free port, and Debian's Chromium.

The server runs in its own process on its own database so that browser tests see what a user sees
after `payesh init`; Playwright drives /usr/bin/chromium (never a downloaded browser).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("PAYESH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_database(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as con:
            con.execute("DROP DATABASE IF EXISTS payesh_browser WITH (FORCE)")
            con.execute("CREATE DATABASE payesh_browser")
        return base + "/payesh_browser"
    return f"sqlite:///{tmp / 'browser.sqlite3'}"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("server")
    env = {**os.environ, "DATABASE_URL": _server_database(tmp), "PAYESH_LAKE": str(tmp / "lake"),
           "DEBUG": "false"}
    cli = [sys.executable, "-m", "payesh.cli"]
    subprocess.run([*cli, "init"], cwd=REPO, env=env, check=True, capture_output=True, timeout=900)
    subprocess.run([*cli, "demo-users"], cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
    # A small synthetic ledger so that the monitoring pages have numbers to show.
    subprocess.run([*cli, "demo-data", "--rows", "60000", "--out", str(tmp / "demo")], cwd=REPO, env=env,
                   check=True, capture_output=True, timeout=600)
    port = _free_port()
    log = (tmp / "server.log").open("w")
    # Its own process group: the server starts a background worker (holding a database connection);
    # stopping the whole group stops that worker too, whatever `payesh serve` does on SIGTERM.
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((tmp / "server.log").read_text()) from None
                time.sleep(0.5)
        yield url
    finally:
        stop_process_group(server)
        log.close()


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM a process started with ``start_new_session=True`` and everything it started; SIGKILL
    what is left after ``timeout`` seconds (a worker must never outlive the test run)."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # the group is gone
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; members of its group (the worker) may still be stopping.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def set_language(page, base_url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page.context.add_cookies([{"name": "payesh_language", "value": language, "url": base_url}])
