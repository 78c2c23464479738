"""`payesh ledger check`, `payesh backup` and `payesh restore SRC` (registered in ``payesh.cli``).

Imports of Django code stay inside the functions: ``payesh.cli`` imports this module before
Django is set up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from payesh.cli_setup import django_setup

if TYPE_CHECKING:
    from payesh.ledger.integrity import LedgerCheck

console = Console()


def _django() -> None:
    django_setup()


ledger_app = typer.Typer(help="Check that the batch records, the lake and the uploads agree; repair them.",
                         no_args_is_help=True)


def print_check(console: Console, check: LedgerCheck, *, quiet_when_clean: bool = False) -> None:
    """One line per finding: what was found and what was (or would be) done."""
    if not check.findings:
        if not quiet_when_clean:
            console.print("[green]✓[/] ledger check: records, lake manifest and uploads agree")
        return
    console.print(f"[bold]Ledger check[/]: {len(check.findings)} finding(s)" + (", repaired" if check.repair else ""))
    for f in check.findings:
        if not f.action:
            outcome = "left alone"
        elif f.repaired:
            outcome = f"[green]done: {f.action}[/]"
        else:
            outcome = f"[yellow]--repair would {f.action}[/]"
        console.print(f"• {f.kind} [bold]{escape(f.subject)}[/]: {escape(f.detail)} → {outcome}", soft_wrap=True)
    if check.needs_repair:
        console.print("[yellow]Run `payesh ledger check --repair` to settle these.[/]")


@ledger_app.command("check")
def check_command(
    repair: Annotated[bool, typer.Option(help="Settle what disagrees (dead loads, orphan files, expired uploads).")]
    = False,
) -> None:
    """Compare batch records, the lake manifest, lake files and uploads; exit 1 if something needs repair."""
    _django()
    from payesh.ledger.integrity import ledger_check, ledger_tables_exist

    if not ledger_tables_exist():
        console.print("[bold red]The database is not migrated yet.[/] Run `payesh init` first.")
        raise typer.Exit(2)
    check = ledger_check(repair=repair)
    print_check(console, check)
    if check.needs_repair:
        raise typer.Exit(1)


def settle_at_startup(console: Console) -> None:
    """Settle what a crash left (start of the worker and the server); silent when all agree."""
    from payesh.ledger.integrity import ledger_check, ledger_tables_exist

    if not ledger_tables_exist():
        return  # not migrated yet: `payesh init` comes first
    print_check(console, ledger_check(repair=True), quiet_when_clean=True)


def backup_command(
    dest: Annotated[Path, typer.Argument(help="New folder, or a .tar / .tar.gz file, for the copy.")],
) -> None:
    """Copy the database and the lake, consistently (waits for a committing load), into DEST."""
    _django()
    from payesh.ledger.backup import BackupError, backup_create

    try:
        with console.status("Copying the database and the lake…"):
            summary = backup_create(dest=dest)
    except BackupError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"[green]✓[/] backup of the {summary.engine} database and the lake ({summary.batches} batches, "
                  f"{summary.lake_files} lake files) written to {summary.path}")


def restore_backup(source: Path, console: Console, django_setup: Callable[[], None]) -> None:
    """Restore a backup into the configured (empty) database and lake folder."""
    django_setup()
    from payesh.ledger.backup import BackupError, backup_restore

    try:
        with console.status(f"Restoring {source}…"):
            summary = backup_restore(source=source)
    except BackupError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"[green]✓[/] restored the {summary.engine} database ({summary.database}) and the lake "
                  f"({summary.lake}, {summary.batches} batches)")
    print_check(console, summary.check, quiet_when_clean=True)
