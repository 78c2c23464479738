"""Django set-up for the command line, shared by ``payesh.cli`` and the sub-apps it mounts
(``payesh.ledger.cli``), which cannot import ``payesh.cli`` back."""

from __future__ import annotations

import os

import typer
from rich.console import Console

console = Console()


def django_setup() -> None:
    """Configure Django; a bad setting is a one-line message and exit code 2, never a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payesh.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        console.print(f"[bold red]Configuration error:[/] {exc}")
        raise typer.Exit(2) from exc
