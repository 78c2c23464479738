"""Fixtures for the analytics tests: where the shared reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def shared_data_dir() -> Path:
    """``$PAYESH_SHARED_DATA`` or the ``shared/data`` folder beside the repository."""
    override = os.environ.get("PAYESH_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"reference data not found at {path} (set PAYESH_SHARED_DATA to its folder)")
    return path


@pytest.fixture(scope="session")
def stata_dir(shared_data: Path) -> Path:
    path = shared_data / "expected" / "py_ecomplexity_stata"
    if not path.is_dir():
        pytest.skip(f"Stata fixtures not found at {path}")
    return path
