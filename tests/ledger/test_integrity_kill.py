"""Crash test: `kill -9` of a real `payesh ingest` / `payesh withdraw` at each step of a commit, then
`payesh ledger check --repair`; afterwards the batch records, the lake manifest and every cube number agree.

The ledger's pause hook (``PAYESH_LAKE_TEST_STOP_AT=<step>``) stops the process at a step until it
is killed, so each kill lands exactly at that step. Steps, in the order a load passes them:

- running: the batch is claimed (database), nothing written to the lake yet
- staged: the batch's files are complete in staging
- facts-renamed, meta-renamed: the facts (then issues and source) are moved into the lake
- manifest-replace: the new manifest is written beside the old one, not yet renamed over it
- manifest-written: the lake has published the batch; the database still says running
- recorded: the database says loaded; the upload is not yet removed
- a withdrawal killed at manifest-replace (not published) and at status-changed (published in the
  lake's manifest, not yet in the database)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from payesh.cube import CubeQuery, run
from tests.ledger.test_integrity_instances import (
    REPO,
    batch_rows,
    clean_env,
    declarations,
    manifest,
    new_instance,
    payesh,
)

ROWS, VALUE = 12, 25.0  # each load: 12 lines worth 25 USD each
# (command, step it is killed at, status the batch must have after the repair)
KILLS: tuple[tuple[str, str, str], ...] = (
    ("withdraw", "manifest-replace", "active"),
    ("withdraw", "status-changed", "withdrawn"),
    ("ingest", "running", "failed"),
    ("ingest", "manifest-written", "active"),
    ("ingest", "recorded", "active"),
    ("ingest", "staged", "failed"),
    ("ingest", "facts-renamed", "failed"),
    ("ingest", "meta-renamed", "failed"),
    ("ingest", "manifest-replace", "failed"),
)
ROUNDS = 3


# Starting Python and Django takes seconds on a busy machine; the commands run instead in children
# forked from one process with Django loaded (each a process of its own, with its own pid and start
# time, killed with SIGKILL), so that the test spends its time in the loads, not in imports.
FORK_SERVER = r"""
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payesh.settings")
import django
django.setup()
from django.db import connections
from payesh.cli import app
print("ready", flush=True)
for line in sys.stdin:
    step, *args = line.rstrip("\n").split("\t")
    connections.close_all()  # a child opens its own connection
    pid = os.fork()
    if pid == 0:
        os.environ["PAYESH_LAKE_TEST_STOP_AT"] = step
        code = 1
        try:
            result = app(args, standalone_mode=False)  # click returns the exit code of typer.Exit
            code = result if isinstance(result, int) else 0
        finally:
            sys.stdout.flush()
            os._exit(code)
    print(f"child {pid}", flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"exit {pid} {status}", flush=True)
"""


class ForkServer:
    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", FORK_SERVER], cwd=REPO, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the fork server stopped"
        return line.rstrip("\n")

    def kill_at(self, step: str, *args: str) -> str:
        """Run `payesh *args` in a child; SIGKILL it when it reports stopping at ``step``."""
        assert self.process.stdin is not None
        self.process.stdin.write("\t".join((step, *args)) + "\n")
        self.process.stdin.flush()
        seen, child = [], 0
        while True:
            line = self._line()
            seen.append(line)
            if line.startswith("child "):
                child = int(line.split()[1])
            elif line.strip() == f"stopped {step}":
                os.kill(child, signal.SIGKILL)
            elif line.startswith(f"exit {child} "):
                status = int(line.split()[2])
                assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "\n".join(seen)
                return "\n".join(seen)

    def run(self, *args: str) -> tuple[int, str]:
        """Run `payesh *args` in a child to its end; its exit status and output."""
        assert self.process.stdin is not None
        self.process.stdin.write("\t".join(("-", *args)) + "\n")
        self.process.stdin.flush()
        seen = [self._line()]
        while not seen[-1].startswith("child "):  # warnings may come first
            seen.append(self._line())
        child = int(seen[-1].split()[1])
        while not seen[-1].startswith(f"exit {child} "):
            seen.append(self._line())
        return os.waitstatus_to_exitcode(int(seen[-1].split()[2])), "\n".join(seen)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _cube_by_batch(lake: Path) -> dict[str, tuple[float, int]]:
    frame = run(CubeQuery(measures=("value_usd", "rows"), drilldowns=("batch",))).frame
    assert lake.exists()
    return {str(r.batch): (float(r.value_usd), int(r.rows)) for r in frame.itertuples()}


@pytest.mark.slow
def test_kill_9_at_every_commit_step_then_records_manifest_and_cube_agree(tmp_path_factory, settings) -> None:
    root = new_instance(tmp_path_factory, "crash")
    env = clean_env(PAYESH_VAR_DIR=str(root))
    database, lake = root / "payesh.sqlite3", root / "lake"
    settings.PAYESH_LAKE = lake  # the cube of this test process reads the instance's lake
    files = tmp_path_factory.mktemp("crash-files")
    seed = files / "seed.csv"
    seed.write_text(declarations("S", ROWS, VALUE), encoding="utf-8")
    server = ForkServer(env)
    assert server.run("ingest", str(seed))[0] == 0
    outcomes: Counter[tuple[str, str, str]] = Counter()
    findings: Counter[str] = Counter()
    kills = 0
    for round_ in range(ROUNDS):
        expected: dict[str, str] = {}
        for number, (command, step, status) in enumerate(KILLS):
            before = batch_rows(database)
            if command == "withdraw":
                # The newest active batch, as the database and the lake both say.
                target = max(b for b, (s, _) in before.items() if s == "active" and manifest(lake)[b]["status"] == "active")
                server.kill_at(step, "withdraw", target)
                expected[target] = status
            else:
                path = files / f"r{round_}-{number}.csv"
                path.write_text(declarations(f"R{round_}N{number}-", ROWS, VALUE), encoding="utf-8")
                server.kill_at(step, "ingest", str(path))
                (new_id,) = set(batch_rows(database)) - set(before)
                expected[new_id] = status
            kills += 1

        # Settled by the start of a worker (a new process) in the first round, by the command in the others.
        if round_ == 0:
            repaired = payesh(env, "worker", "--batch").stdout
        else:
            status, repaired = server.run("ledger", "check", "--repair")
            assert status == 0, repaired
        findings.update(line.split()[1] for line in repaired.splitlines() if line.startswith("•"))
        assert "Ledger check: " in repaired
        status, output = server.run("ledger", "check")
        assert status == 0 and "agree" in output  # nothing left to repair

        records, published = batch_rows(database), manifest(lake)
        for batch_id, status in expected.items():
            assert records[batch_id][0] == status, (round_, batch_id, records[batch_id])
        for command, step, status in KILLS:
            outcomes[(command, step, status)] += 1
        # Record and manifest agree on every batch; nothing is left running.
        assert not [b for b, (s, _) in records.items() if s in ("running", "queued")]
        assert {b: r["status"] for b, r in published.items()} == \
            {b: s for b, (s, _) in records.items() if s in ("active", "withdrawn")}
        assert all(records[b][1] == r["rows_loaded"] for b, r in published.items())
        # The lake holds exactly the files its manifest names, and no upload outlives its load.
        for sub in ("facts", "meta"):
            assert {p.name for p in (lake / sub).iterdir()} == {f"batch={b}" for b in published}
        assert not any((lake / "staging").iterdir())
        assert {p.name for p in (lake / "sources").iterdir()} == {str(r["sha256"]) for r in published.values()}
        uploads = {p.name for p in (root / "media" / "uploads").iterdir()}
        assert uploads == {b for b, (s, _) in records.items() if s == "failed"}
        # Every cube number: per batch, the rows and value of the active batches, nothing else.
        active = {b for b, r in published.items() if r["status"] == "active"}
        assert _cube_by_batch(lake) == {b: (ROWS * VALUE, ROWS) for b in active}
        assert all(records[b][1] == ROWS for b in active)

    server.close()
    assert kills == ROUNDS * len(KILLS) >= 20
    assert all(n == ROUNDS for n in outcomes.values())
    # The repair met each kind of damage: dead loads completed and failed, a withdrawal the record
    # missed, files of unpublished loads, an upload left by a finished load.
    assert {"running_dead_completed", "running_dead_failed", "status_mismatch", "lake_orphan",
            "upload_leftover"} <= set(findings), findings
    print(f"\ncrash test: {kills} kills over {len(KILLS)} steps; repairs: {dict(findings)}")
