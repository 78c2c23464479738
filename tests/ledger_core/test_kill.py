"""A writer killed with SIGKILL at random moments leaves the lake as before or with the whole batch."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import count_facts, good_row, make_codes, write_csv

from payesh.ledger.core import Lake, ingest

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from helpers import make_codes
from payesh.ledger.core import Lake, ingest
print("start", flush=True)
result = ingest(Path(sys.argv[2]), lake=Lake(Path(sys.argv[1])), codes=make_codes())
print("done", result.status, flush=True)
"""


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


def test_sigkill_during_commit_never_leaves_a_partial_batch(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    first = write_csv(tmp_path / "first.csv", [good_row(i) for i in range(10)])
    assert ingest(first, lake=Lake(root), codes=make_codes()).status == "loaded"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=str(Path(__file__).parent)))
    env = dict(os.environ, PAYESH_LAKE_TEST_PAUSE="0.08", PYTHONPATH=str(REPO))
    rng = random.Random(7)
    before = count_facts(Lake(root))
    outcomes = {"before": 0, "after": 0}
    stages_seen: set[str] = set()
    for attempt in range(24):
        rows = [good_row(1000 * (attempt + 1) + i) for i in range(50)]
        path = write_csv(tmp_path / f"batch{attempt}.csv", rows)
        child = subprocess.Popen([sys.executable, str(script), str(root), str(path)], env=env,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "start"
        # Wait for the commit to begin (validation takes longer on a busy machine), then kill at a
        # random moment of it: its five steps pause up to 80 ms each.
        first = child.stdout.readline()
        assert first.startswith("stage "), first
        time.sleep(rng.uniform(0, 0.35))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate()
        stages_seen.update(line.split()[1] for line in [first, *output.splitlines()] if line.startswith("stage"))
        lake = Lake(root)  # opening collects the garbage of the killed writer
        json.loads((root / "manifest.json").read_text())
        after = count_facts(lake)
        assert after in (before, before + 50), f"attempt {attempt}: {before} → {after}"
        outcomes["before" if after == before else "after"] += 1
        assert not any((root / "staging").iterdir())
        listed = {f"batch={b.id}" for b in lake.batches()}
        assert {p.name for p in (root / "facts").iterdir()} == listed
        before = after
    # The kills really landed inside the commit, on both sides of the publish.
    assert outcomes["before"] > 0 and outcomes["after"] > 0, outcomes
    assert len(stages_seen) >= 3, stages_seen
