"""Two Payesh instances on one machine: every folder each writes is its own (PAYESH_VAR_DIR, or DATABASE_URL,
PAYESH_LAKE, PAYESH_MEDIA_ROOT and PAYESH_STATIC_ROOT one by one), and neither touches the other's.

Also the helpers the crash and backup tests share: a migrated instance with the reference data
(made once per test session by `payesh init`, then copied) and `payesh` run against it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_TEMPLATE: list[Path] = []
HEADER = ("flow,declaration_date,declaration_id,line_no,customs_office,channel,border_market,partner,"
          "origin_province,origin_county,hs_code,hs_revision,quantity,unit,net_weight_kg,value_usd,transport_mode\n")


def clean_env(**variables: str) -> dict[str, str]:
    """The test's environment without any Payesh configuration, plus ``variables``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PAYESH_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "400"  # rich wraps at 80 columns without a terminal: keep each message on one line
    env.update(variables)
    return env


def payesh(env: dict[str, str], *args: str, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "payesh.cli", *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"payesh {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def new_instance(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder holding a migrated database with the reference data and a lake with its dimension
    tables (PAYESH_VAR_DIR layout); `payesh init` runs once per session, later instances are copies."""
    if not _TEMPLATE:
        template = tmp_path_factory.mktemp("payesh-template")
        payesh(clean_env(PAYESH_VAR_DIR=str(template)), "init", timeout=900)
        _TEMPLATE.append(template)
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(_TEMPLATE[0], root, dirs_exist_ok=True)
    return root


def declarations(prefix: str, rows: int, value: float = 100.0) -> str:
    """A canonical CSV of ``rows`` export lines worth ``value`` USD each (keys unique per prefix)."""
    lines = [f"export,2023-{i % 12 + 1:02d}-{i % 28 + 1:02d},{prefix}{i:06d},1,MIRJAVEH,customs,,PAK,IR-11,,"
             f"080410,HS12,1000,kg,1000,{value},road\n" for i in range(rows)]
    return HEADER + "".join(lines)


def batch_rows(database: Path) -> dict[str, tuple[str, int]]:
    """id → (status, rows_loaded) as the instance's database records them."""
    con = sqlite3.connect(database)
    try:
        return {i: (s, n) for i, s, n in con.execute("SELECT id, status, rows_loaded FROM ledger_batch")}
    finally:
        con.close()


def manifest(lake: Path) -> dict[str, dict[str, object]]:
    path = lake / "manifest.json"
    if not path.exists():
        return {}
    return {b["id"]: b for b in json.loads(path.read_text(encoding="utf-8"))["batches"]}


def _tree(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_two_instances_side_by_side_write_only_their_own_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    a_root = new_instance(tmp_path_factory, "instance-a")
    # Instance B sets each folder on its own (and no PAYESH_VAR_DIR): the database elsewhere than the lake.
    b_root = tmp_path_factory.mktemp("instance-b")
    shutil.copy(a_root / "payesh.sqlite3", b_root / "b-database.sqlite3")
    shutil.copytree(a_root / "lake", b_root / "b-lake")
    env_a = clean_env(PAYESH_VAR_DIR=str(a_root))
    env_b = clean_env(DATABASE_URL=f"sqlite:///{b_root / 'b-database.sqlite3'}", PAYESH_LAKE=str(b_root / "b-lake"),
                      PAYESH_MEDIA_ROOT=str(b_root / "b-media"), PAYESH_STATIC_ROOT=str(b_root / "b-static"),
                      PAYESH_VAR_DIR=str(b_root / "b-var"))
    files = tmp_path_factory.mktemp("files")
    (files / "a.csv").write_text(declarations("A", 30, 10.0), encoding="utf-8")
    (files / "b.csv").write_text(declarations("B", 20, 7.0), encoding="utf-8")
    template = _tree(_TEMPLATE[0])

    # Both load at the same time, while B collects its static files.
    cli = [sys.executable, "-m", "payesh.cli"]
    jobs = ((env_a, ["ingest", str(files / "a.csv")]), (env_b, ["ingest", str(files / "b.csv")]),
            (env_b, ["manage", "collectstatic", "--noinput", "-v", "0"]))
    running = [subprocess.Popen([*cli, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for env, args in jobs]
    for process in running:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output

    a_batches, b_batches = batch_rows(a_root / "payesh.sqlite3"), batch_rows(b_root / "b-database.sqlite3")
    assert [v for v in a_batches.values()] == [("active", 30)]
    assert [v for v in b_batches.values()] == [("active", 20)]
    assert set(manifest(a_root / "lake")) == set(a_batches)
    assert set(manifest(b_root / "b-lake")) == set(b_batches)
    assert (b_root / "b-static" / "admin").is_dir() and not (a_root / "static").exists()
    assert (a_root / "media" / "uploads").is_dir() and (b_root / "b-media" / "uploads").is_dir()
    assert not (b_root / "b-var" / "lake").exists() and not (b_root / "b-var" / "payesh.sqlite3").exists()
    # Each lists only its own batch, and neither wrote into the template both were copied from.
    (a_id,), (b_id,) = a_batches, b_batches
    for env, own, other in ((env_a, a_id, b_id), (env_b, b_id, a_id)):
        shown = payesh(env, "batches").stdout
        assert own[:8] in shown and other[-6:] not in shown
        assert "agree" in payesh(env, "ledger", "check").stdout
    assert _tree(_TEMPLATE[0]) == template


@pytest.mark.slow
def test_stopping_the_test_server_stops_the_worker_it_started(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The browser tests' server fixture stops `payesh serve` by process group: no worker outlives it."""
    import socket
    import time
    import urllib.request

    import psutil

    from tests.browser.conftest import stop_process_group

    root = new_instance(tmp_path_factory, "served")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "payesh.cli", "serve", "--port", str(port)], cwd=REPO,
                              env=clean_env(PAYESH_VAR_DIR=str(root)), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        started: list[psutil.Process] = []
        for _ in range(240):
            started = psutil.Process(server.pid).children(recursive=True)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                if any("worker" in " ".join(p.cmdline()) for p in started):
                    break
            except OSError:
                pass
            assert server.poll() is None, "the server stopped by itself"
            time.sleep(0.5)
        workers = [p for p in started if "worker" in " ".join(p.cmdline())]
        assert workers, [p.cmdline() for p in started]
    finally:
        stop_process_group(server)
    assert server.returncode is not None
    assert not [p.pid for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
