"""A large canonical CSV streams through the fast path in bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


@pytest.mark.slow
def test_two_million_rows_load_within_memory_bar(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_ingest import CODES_PY, INGEST, generate

    csv_path = tmp_path / "big.csv"
    generate(csv_path, 2_000_000)
    # The child's own peak (VmHWM of its address space after exec). Not wait4's ru_maxrss: a child
    # started by vfork/fork counts the parent's resident pages too, and a pytest process deep into the
    # suite holds gigabytes of its own.
    peak = "\nimport re\nprint(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1))\n"
    child = subprocess.run([sys.executable, "-c", INGEST + peak, str(csv_path), str(tmp_path / "lake")],
                           stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), check=False)
    assert child.returncode == 0
    figures, peak_kb = child.stdout.strip().split("\n")[-2:]
    _, loaded, _, _ = figures.split()  # wall s, rows loaded, warnings, CPU s
    assert int(loaded) == 2_000_000
    assert int(peak_kb) / 1024 / 1024 < 2.0  # GB
    assert CODES_PY
