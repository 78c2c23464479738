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
    child = subprocess.Popen([sys.executable, "-c", INGEST, str(csv_path), str(tmp_path / "lake")],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    _, loaded, _, _ = out.split()  # wall s, rows loaded, warnings, CPU s
    assert int(loaded) == 2_000_000
    assert usage.ru_maxrss / 1024 / 1024 < 2.0  # GB
    assert CODES_PY
