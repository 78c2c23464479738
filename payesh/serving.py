"""`payesh serve`: the development server of the demo, and the production server (gunicorn + whitenoise).

Both run the background worker beside the web server and stop every process they started when they get
SIGTERM (a service manager, a test) or SIGINT (Ctrl+C): children are started in process groups of their
own, signalled as groups, given a grace period, then killed. Children also ask the kernel to send them
SIGTERM if this process dies without cleaning up (``kill -9``), so no worker outlives its server.

Why gunicorn (not granian): Payesh's requests are CPU-bound cube questions answered by an in-process
DuckDB that serialises queries behind one lock per process, so the useful concurrency is one request per
process; gunicorn's pre-fork sync workers are exactly that, with graceful SIGTERM handling, a worker
timeout for a runaway query, and decades of use behind nginx and systemd (Debian packages it). granian's
edge — raw throughput of tiny responses, HTTP/2 — does not show when nginx terminates TLS and a page costs
tens of milliseconds of query and template time.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

GRACE_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1, capped: each worker holds its own DuckDB and caches."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux prctl; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):  # no libc symbol: the group signal below still stops the child
            pass


class Supervisor:
    """Starts child processes in their own process groups and stops all of them together."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(list(argv), env=env, start_new_session=True, preexec_fn=_die_with_parent)
        self.children.append((name, child))
        self.echo(f"{name} started (pid {child.pid})")
        return child

    def _signal_groups(self, sig: signal.Signals) -> None:
        for _, child in self.children:
            try:
                os.killpg(child.pid, sig)  # the child leads its own group: gunicorn's workers are in it too
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        """SIGTERM every group, wait up to GRACE_SECONDS, then SIGKILL what is left (idempotent)."""
        if self.stopping:
            return
        self.stopping = True
        self._signal_groups(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for _, child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        # Also the groups whose leader is gone but whose members (gunicorn workers) might not be.
        self._signal_groups(signal.SIGKILL)
        for _, child in self.children:
            child.wait()

    def wait_any(self) -> tuple[str, int]:
        """Block until a child exits; return its name and exit code."""
        while True:
            for name, child in self.children:
                code = child.poll()
                if code is not None:
                    return name, code
            time.sleep(0.2)


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM/SIGINT handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def _install_stop_handlers() -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        previous[sig] = signal.signal(sig, _raise_stop)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "payesh.cli", "worker"]


def serve_development(*, host: str, port: int, with_worker: bool, echo: Callable[[str], None],
                      runserver: Callable[[], None]) -> int:
    """Django's runserver in this process (as `make demo` always did) plus the worker as a child."""
    supervisor = Supervisor(echo)
    previous = _install_stop_handlers()
    try:
        if with_worker:
            supervisor.start("background worker", worker_argv(), os.environ.copy())
        runserver()
        return 0
    except _Stop as stop:
        echo(f"{signal.Signals(stop.signum).name}: stopping")
        return 0
    finally:
        # Ignore further signals while stopping, so a second Ctrl+C cannot leave the worker behind.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop()
        _restore_handlers(previous)


def gunicorn_argv(*, host: str, port: int, workers: int, timeout: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "payesh.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",  # one request per process: see the module docstring
        "--timeout", str(timeout),  # a cube question on a big lake may take long; then the worker is replaced
        "--graceful-timeout", str(int(GRACE_SECONDS) - 5),
        "--access-logfile", "-",
        "--forwarded-allow-ips", "127.0.0.1,::1",  # X-Forwarded-Proto is believed from the local proxy only
        "--no-control-socket",
    ]


class ServeError(Exception):
    """The production server cannot start; the message says what to do."""


def migrations_check() -> None:
    """Refuse to serve a database that is not migrated (every later step would fail with a traceback)."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise ServeError(f"The database {settings.DATABASES['default']['NAME']} has {len(pending)} migrations not "
                         "applied (first: {}). Run `payesh init` (or `payesh manage migrate`) first.".format(
                             pending[0][0]))


def production_prepare(console: Any) -> None:
    """Run the system checks; collect the static files (hashed names, gzip and brotli copies)."""
    from django.conf import settings
    from django.core.management import call_command

    with console.status("Checking the configuration and collecting the static files…"):
        call_command("check", fail_level="ERROR")
        call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"[green]✓[/] static files collected, hashed and compressed in {settings.STATIC_ROOT}")


def serve_production(*, host: str, port: int, workers: int, timeout: int, with_worker: bool,
                     echo: Callable[[str], None]) -> int:
    """gunicorn (serving the collected static files through whitenoise) and the worker, supervised."""
    env = {**os.environ, "PAYESH_SERVER": "production"}
    workers = workers or default_workers()
    supervisor = Supervisor(echo)
    previous = _install_stop_handlers()
    try:
        supervisor.start("gunicorn", gunicorn_argv(host=host, port=port, workers=workers, timeout=timeout), env)
        if with_worker:
            supervisor.start("background worker", worker_argv(), env)
        name, code = supervisor.wait_any()
        echo(f"{name} exited with status {code}; stopping the others")
        return code or 1
    except _Stop as stop:
        echo(f"{signal.Signals(stop.signum).name}: stopping")
        return 0
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop()
        _restore_handlers(previous)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's storage (hashed names, gzip + brotli) that compresses a hashed file only once.

    A hashed name is the content's fingerprint, so a ``.br``/``.gz`` already beside it is that content's;
    a restart of `payesh serve --production` then collects in seconds instead of re-running brotli at
    its highest quality over every file.
    """

    def compress_files(self, paths: Any) -> Any:
        def done(path: str) -> bool:
            full = self.path(path)
            return os.path.exists(full + ".br") or os.path.exists(full + ".gz")

        fresh = [p for p in paths if not done(p)]
        yield from super().compress_files(fresh)
