"""The `payesh` command line. Thin: every command calls the same services as the web pages."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from payesh.cli_setup import django_setup
from payesh.indicators.cli import indicators_command
from payesh.ledger.cli import backup_command, ledger_app, restore_backup, settle_at_startup

app = typer.Typer(
    name="payesh",
    help=(
        "Payesh: foreign-trade monitoring and export-development planning.\n\n"
        "New here? Run `payesh demo` to build a demo site with synthetic data and open "
        "http://127.0.0.1:8000, or `payesh init` to prepare an empty database with the reference data."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()


def _django() -> None:
    django_setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console)


@app.command()
def version() -> None:
    """Print the Payesh version."""
    from payesh import __version__

    console.print(f"payesh {__version__} (Python {sys.version.split()[0]})")


def _migrate() -> None:
    from django.core.management import call_command

    with console.status("Migrating the application database…"):
        call_command("migrate", interactive=False, verbosity=0)
    console.print("[green]✓[/] database migrated")


def _load_reference(overwrite: bool) -> dict[str, int]:
    from payesh.reference.services import STEPS, reference_load

    with _progress() as progress:
        task = progress.add_task("Loading reference data", total=len(STEPS))

        def step(name: str, done: int) -> None:
            progress.update(task, description=f"Loading reference data: {name}", advance=done)

        counts = reference_load(overwrite=overwrite, progress=step)
    table = Table(title="Reference rows")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    return counts


@app.command()
def init(
    overwrite: Annotated[bool, typer.Option(help="Overwrite reference rows an administrator edited.")] = False,
) -> None:
    """Prepare the database: migrate, then load the reference data (safe to run again)."""
    _django()
    _migrate()
    _load_reference(overwrite)


@app.command("load-reference")
def load_reference(
    overwrite: Annotated[bool, typer.Option(help="Overwrite reference rows an administrator edited.")] = False,
) -> None:
    """Load countries, HS nomenclature, concordances, divisions, customs offices, markets and agencies."""
    _django()
    _load_reference(overwrite)


@app.command("demo-users")
def demo_users() -> None:
    """Create (or reset) one demo user per role and print their credentials."""
    _django()
    _print_demo_users()


def _print_demo_users() -> None:
    from django.utils import translation

    from payesh.core.models import Role
    from payesh.core.services import demo_users_create

    users = demo_users_create()
    translation.activate("en")  # the terminal shows the English labels
    table = Table(title="Demo users (synthetic demo only; change these passwords on a real site)")
    for column in ("username", "password", "role", "agency"):
        table.add_column(column)
    for u in users:
        table.add_row(u.username, u.password, str(Role(u.role).label), u.agency_code or "")
    console.print(table)


# Demo steps other parts of Payesh add (e.g. the synthetic ledger); each gets the console.
DEMO_STEPS: list[Callable[[Console], Any]] = []


def _serve(host: str, port: int, with_worker: bool) -> None:
    """The development server (runserver) and the worker; SIGTERM or Ctrl+C stops both (payesh.serving)."""
    from payesh.serving import serve_development

    def runserver() -> None:
        console.print(f"[bold]Serving on http://{host}:{port}[/] — press Ctrl+C to stop.")
        _manage("runserver", f"{host}:{port}", "--insecure", "--noreload")

    code = serve_development(host=host, port=port, with_worker=with_worker, runserver=runserver,
                             echo=lambda text: console.print(f"[green]✓[/] {text}"))
    if code:
        raise typer.Exit(code)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    serve: Annotated[bool, typer.Option(help="Serve the site after building the demo.")] = True,
) -> None:
    """Build the demo: migrate, reference data, demo users, synthetic data; then serve the site."""
    started = time.monotonic()
    _django()
    _migrate()
    _load_reference(False)
    _print_demo_users()
    for step in DEMO_STEPS:
        step(console)
    console.print(f"[green]✓[/] demo ready in {time.monotonic() - started:.0f} s")
    if serve:
        _serve(host, port, with_worker=True)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Also run the background worker.")] = True,
    production: Annotated[bool, typer.Option(
        "--production", help="gunicorn + whitenoise (collects the static files first) instead of the development "
                             "server; needs SECRET_KEY unless DEBUG=true. See docs/deployment.md.")] = False,
    workers: Annotated[int, typer.Option(min=0, help="gunicorn worker processes (0: 2 × cores + 1, at most 9).")]
    = 0,
    timeout: Annotated[int, typer.Option(min=5, help="Seconds a request may take before gunicorn replaces its worker.")]
    = 120,
) -> None:
    """Serve the site and the background worker; SIGTERM or Ctrl+C stops every process it started."""
    if production:
        # Before Django reads the settings: the production rules (SECRET_KEY, whitenoise) apply here too.
        os.environ["PAYESH_SERVER"] = "production"
    _django()
    from payesh.serving import ServeError, migrations_check, production_prepare, serve_production

    try:
        migrations_check()
    except ServeError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    settle_at_startup(console)  # what a crash left: dead loads, orphan files (`payesh ledger check`)
    if not production:
        _serve(host, port, with_worker=worker)
        return
    production_prepare(console)
    console.print(f"[bold]Serving on http://{host}:{port}[/] with gunicorn — SIGTERM or Ctrl+C stops it.")
    code = serve_production(host=host, port=port, workers=workers, timeout=timeout, with_worker=worker,
                            echo=lambda text: console.print(f"[green]✓[/] {text}"))
    if code:
        raise typer.Exit(code)


@app.command()
def worker(
    batch: Annotated[bool, typer.Option(help="Run the queued tasks, then exit (for tests and cron).")] = False,
) -> None:
    """Run background tasks (django.tasks with the database backend)."""
    _django()
    settle_at_startup(console)  # loads a killed worker left running are settled before new ones start
    args = ["db_worker", "--no-reload", "--interval", "1"]
    if batch:
        args += ["--batch", "--no-startup-delay"]
    _manage(*args)


def _user(username: str | None) -> Any:
    if not username:
        return None
    from payesh.core.models import User

    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        console.print(f"[bold red]No user {username!r}.[/] Create it first or leave --user out.")
        raise typer.Exit(2) from None


def _print_batch(batch: Any, show_issues: int = 20) -> None:
    colour = {"active": "green", "rejected": "red", "failed": "red", "withdrawn": "yellow"}.get(batch.status, "white")
    console.print(f"[bold {colour}]{batch.get_status_display()}[/] batch [bold]{batch.id}[/] · {batch.source_name}")
    if batch.message_en:
        console.print(batch.message_en)
    summary = Table(show_header=False, box=None)
    for label, value in (("format", batch.format or "–"), ("rows read", batch.rows_read),
                         ("rows loaded", batch.rows_loaded), ("rows quarantined", batch.rows_quarantined),
                         ("errors", batch.errors), ("warnings", batch.warnings)):
        summary.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(summary)
    issues = list(batch.issues.all()[:show_issues])
    if issues:
        table = Table(title=f"First {len(issues)} of {batch.issues.count():,} findings")
        for column in ("row", "column", "value", "rule", "message"):
            table.add_column(column)
        for i in issues:
            table.add_row(str(i.row or ""), i.column, i.value[:40], i.rule, i.message_en)
        console.print(table)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File to load.")],
    format: Annotated[str, typer.Option("--format", help="Reader (default: detect). See `payesh formats`.")] = "",
    policy: Annotated[str, typer.Option(help="reject: refuse the file on any error; quarantine: load valid rows.")]
    = "reject",
    hs_revision: Annotated[str, typer.Option(help="HS revision when the file does not say (HS92, HS12, HS22).")]
    = "",
    user: Annotated[str, typer.Option(help="Record the load as this user.")] = "",
    sheet: Annotated[str, typer.Option("--sheet", help="Workbook sheet holding the table (XLSX; default: the first).")]
    = "",
) -> None:
    """Validate a customs file and load it into the lake as one batch (all or nothing)."""
    _django()
    from payesh.ledger.services import LedgerError, batch_ingest

    with _progress() as progress:
        task = progress.add_task("Loading", total=None)

        def step(done: int, total: int | None, stage: str) -> None:
            progress.update(task, description=f"{stage}: {done:,} rows", completed=done, total=total)

        try:
            batch = batch_ingest(path=file, user=_user(user), fmt=format, policy=policy, hs_revision=hs_revision,
                                 sheet=sheet, progress=step)
        except LedgerError as exc:
            console.print(f"[bold red]{exc.message_en}[/]")
            raise typer.Exit(2) from exc
    _print_batch(batch)
    if batch.status != "active":
        raise typer.Exit(1)


@app.command()
def formats() -> None:
    """List the file formats the ledger reads."""
    from payesh.ledger.core import READERS

    table = Table(title="Readers")
    for column in ("--format", "English", "Persian"):
        table.add_column(column)
    for reader in READERS.values():
        table.add_row(reader.identifier, reader.label_en, reader.label_fa)
    console.print(table)


@app.command()
def batches() -> None:
    """List the loads (batches) with their status and counts."""
    _django()
    from payesh.ledger.selectors import batch_list

    table = Table(title="Batches")
    for column in ("batch", "file", "status", "rows loaded", "errors", "by", "started"):
        table.add_column(column)
    for b in batch_list()[:200]:
        table.add_row(b.id, b.source_name, str(b.get_status_display()), f"{b.rows_loaded:,}", str(b.errors),
                      b.created_by.username if b.created_by else "", f"{b.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


def _status_command(batch_id: str, user: str, action: str) -> None:
    _django()
    from payesh.ledger import services

    change = services.batch_withdraw if action == "withdraw" else services.batch_restore
    try:
        batch = change(batch_id=batch_id, user=_user(user))
    except services.LedgerError as exc:
        console.print(f"[bold red]{exc.message_en}[/]")
        raise typer.Exit(2) from exc
    except services.Batch.DoesNotExist:
        console.print(f"[bold red]No batch {batch_id!r}.[/] `payesh batches` lists them.")
        raise typer.Exit(2) from None
    console.print(f"batch {batch.id}: [bold]{batch.get_status_display()}[/]")


@app.command()
def withdraw(batch_id: str, user: Annotated[str, typer.Option(help="Record the change as this user.")] = "") -> None:
    """Withdraw a batch: its rows disappear from every number (reversible)."""
    _status_command(batch_id, user, "withdraw")


@app.command()
def restore(
    batch_id: Annotated[str, typer.Argument(metavar="BATCH_ID|SRC",
                                            help="A withdrawn batch, or a backup folder/.tar made by `payesh backup`.")],
    user: Annotated[str, typer.Option(help="Record the change as this user.")] = "",
) -> None:
    """Restore a withdrawn batch (refused if its rows now overlap an active batch), or, given the folder or
    .tar of a backup, restore the database and the lake into the configured empty ones."""
    if Path(batch_id).exists():  # batch ids are never paths: an existing path is a backup
        restore_backup(Path(batch_id), console, _django)
        return
    _status_command(batch_id, user, "restore")


app.command("backup")(backup_command)
app.add_typer(ledger_app, name="ledger")
app.command("indicators")(indicators_command)


@app.command("rebuild-lake")
def rebuild_lake(
    target: Annotated[Path, typer.Argument(help="Empty folder for the rebuilt lake.")],
) -> None:
    """Rebuild the lake from its kept source files into TARGET (then point PAYESH_LAKE at it)."""
    _django()
    from payesh.ledger.services import lake_rebuild

    with console.status("Rebuilding the lake from the kept source files…"):
        summary = lake_rebuild(target=target)
    console.print(f"[green]✓[/] {summary['batches']} batches rebuilt in {summary['root']}")


@app.command("demo-data")
def demo_data(
    rows: Annotated[int, typer.Option(help="Declaration lines to generate over 1396–1403.")] = 400_000,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    out: Annotated[Path, typer.Option(help="Folder for the generated files.")] = Path("var/demo"),
    load: Annotated[bool, typer.Option(help="Load the generated files into the lake.")] = True,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 1403,
) -> None:
    """Generate the synthetic, calibrated demo ledger (Solar Hijri 1396–1403) and load it."""
    _django()
    _demo_data(console, rows=rows, fmt=fmt, out=out, load=load, seed=seed)


def _demo_data(console: Console, *, rows: int = 400_000, fmt: str = "parquet", out: Path = Path("var/demo"),
               load: bool = True, seed: int = 1403) -> None:
    from payesh.ledger.demo_data import SYNTHETIC_NOTICE_EN, generate
    from payesh.ledger.models import Batch
    from payesh.ledger.services import batch_ingest

    if fmt not in ("parquet", "csv"):
        console.print("[bold red]--format must be parquet or csv.[/]")
        raise typer.Exit(2)
    console.print(f"[yellow]{SYNTHETIC_NOTICE_EN}[/]")
    with _progress() as progress:
        task = progress.add_task(f"Generating {rows:,} synthetic rows", total=rows)
        paths = generate(out, rows=rows, fmt=fmt, seed=seed,
                         progress=lambda done, total: progress.update(task, completed=done, total=total))
    if not load:
        console.print(f"[green]✓[/] wrote {len(paths)} files to {out}")
        return
    from payesh.core.models import User

    owner = User.objects.filter(username="analyst").first()
    with _progress() as progress:
        task = progress.add_task("Loading the demo files", total=len(paths))
        for path in paths:
            batch = batch_ingest(path=path, user=owner)
            if batch.status != Batch.Status.ACTIVE and not batch.issues.filter(rule="file_duplicate").exists():
                console.print(f"[bold red]{path.name}: {batch.message_en}[/]")
                raise typer.Exit(1)
            if batch.status != Batch.Status.ACTIVE:
                batch.delete()  # already loaded earlier: keep the batch list free of demo repeats
            progress.update(task, advance=1, description=f"Loading the demo files: {path.name}")
    from payesh.cube import warm

    with console.status("Opening the cube (its rollups were written with each batch)…"):
        warm()
    console.print(f"[green]✓[/] synthetic demo ledger loaded ({rows:,} rows)")


DEMO_STEPS.append(_demo_data)


def _demo_strategy(console: Console) -> None:
    """The demo strategic document (after the ledger: its computed KPIs are wired to the demo data)."""
    from payesh.strategy.demo import EXTRA_USERS, strategy_demo_load

    with console.status("Loading the demo strategic document…"):
        document = strategy_demo_load()
    console.print(f"[green]✓[/] strategic document loaded: /strategy/ ({document.versions.count()} versions); more "
                  "demo logins: " + ", ".join(f"{u.username}/{u.password}" for u in EXTRA_USERS))


DEMO_STEPS.append(_demo_strategy)


compute_app = typer.Typer(help="Compute indicators from loaded data.", no_args_is_help=True)
app.add_typer(compute_app, name="compute")


@compute_app.command("complexity")
def compute_complexity(
    year: Annotated[int | None, typer.Option(help="Gregorian year; default: every year of the world source.")]
    = None,
    source: Annotated[str | None, typer.Option(help="World source: baci, comtrade, atlas or world "
                                                    "(default: the first of these with data).")] = None,
    min_country_exports: Annotated[float, typer.Option(help="Leave out countries exporting less (USD).")] = 0.0,
) -> None:
    """Compute world RCA, ECI, PCI and proximity from the world batches in the ledger (a derived result)."""
    _django()
    from payesh.capabilities.cli import compute_complexity_command

    try:
        compute_complexity_command(year=year, source=source, min_country_exports=min_country_exports,
                                   console=console)
    except SystemExit as exc:
        raise typer.Exit(int(exc.code or 0)) from exc


@app.command("load-world")
def load_world(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="World trade table (BACI, Comtrade, Atlas, world layout).")],
    fmt: Annotated[str, typer.Option("--format", help="atlas, baci, comtrade or world")],
    revision: Annotated[str, typer.Option(help="HS revision when the file does not say it.")] = "",
    user: Annotated[str, typer.Option(help="Record the load as this user.")] = "",
    policy: Annotated[str, typer.Option(help="reject: refuse the file on any error; quarantine: load valid rows.")]
    = "reject",
) -> None:
    """Load a world trade table (Atlas, BACI, Comtrade, world layout) as a ledger batch, as `payesh ingest` does."""
    _django()
    from payesh.capabilities.cli import load_world_command

    try:
        load_world_command(file, fmt=fmt, revision=revision, username=user, policy=policy, console=console)
    except SystemExit as exc:
        raise typer.Exit(int(exc.code or 0)) from exc


token_app = typer.Typer(help="API tokens for the non-public endpoints (/api/facts, /api/batches).",
                        no_args_is_help=True)
app.add_typer(token_app, name="api-token")


@token_app.command("create")
def api_token_create(
    user: Annotated[str, typer.Option(help="The user the token acts for.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'monthly report script'.")],
) -> None:
    """Create a token and print its key once (only its hash is stored)."""
    _django()
    from payesh.api.services import api_token_create as create

    token, key = create(user=_user(user), name=name)
    console.print(f"token {token.prefix}… for {user}: [bold]{key}[/]  (send it as 'Authorization: Bearer <key>')")


@token_app.command("revoke")
def api_token_revoke(prefix: Annotated[str, typer.Argument(help="The token's prefix, as listed in the admin.")]) -> None:
    """Revoke a token: requests with it are refused from now on."""
    _django()
    from payesh.api.models import ApiToken
    from payesh.api.services import api_token_revoke as revoke

    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked=False))
    if len(tokens) != 1:
        console.print(f"[bold red]{len(tokens)} active tokens have the prefix {prefix!r}; give the full prefix.[/]")
        raise typer.Exit(2)
    revoke(token=tokens[0])
    console.print(f"token {prefix} revoked")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run any Django management command, e.g. `payesh manage createsuperuser`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["payesh manage", *ctx.args])


def main() -> None:
    sys.path.insert(0, str(Path.cwd()))
    app()


if __name__ == "__main__":
    main()
