"""Docs that cannot drift: every setting and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

from payesh.cli import app
from payesh.env import SETTINGS_DOC

REPO = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_the_readme_and_env_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for name in SETTINGS_DOC:
        assert f"`{name}`" in readme, name
        assert f"{name}=" in example, name


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"payesh {name}" in readme, name
