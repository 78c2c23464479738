from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from payesh import __version__
from payesh.cli import app

REPO = Path(__file__).resolve().parents[2]


def test_help_lists_the_commands_a_newcomer_needs() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "init", "load-reference", "worker", "version"):
        assert command in result.output


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "payesh.cli", "version"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and __version__ in result.stdout
