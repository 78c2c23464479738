"""Plain functions behind `payesh load-world` and `payesh compute complexity` (registered in payesh/cli.py).

`load-world` is a name users know for the ledger's own load: it calls
:func:`payesh.ledger.services.batch_ingest` with the world reader, exactly as
`payesh ingest --format baci|comtrade|atlas|world` does, so a world file is a batch (validated,
reported, refused when loaded twice, withdrawable). `compute complexity` publishes derived
results through :mod:`payesh.capabilities.complexity`.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

#: `--format` values of `payesh load-world` → ledger readers.
WORLD_FORMATS = {"atlas": "atlas_csv", "baci": "baci_csv", "comtrade": "comtrade_csv", "world": "world_csv"}


def _progress(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console)


def load_world_command(path: Path, *, fmt: str, revision: str = "", username: str = "", policy: str = "reject",
                       console: Console | None = None) -> str:
    """Load an Atlas/BACI/Comtrade/world-layout file as a ledger batch; returns the batch id.

    Exit code 2 for a refused request (unknown format, missing file), 1 for a rejected file.
    """
    from payesh.core.models import User
    from payesh.ledger.services import LedgerError, batch_ingest

    console = console or Console()
    if fmt not in WORLD_FORMATS:
        console.print(f"[bold red]Unknown world format {fmt!r}; use {', '.join(WORLD_FORMATS)}.[/]")
        raise SystemExit(2)
    path = Path(path)
    if not path.is_file():
        console.print(f"[bold red]{path} does not exist.[/]")
        raise SystemExit(2)
    user = User.objects.filter(username=username).first() if username else None
    with _progress(console) as progress:
        task = progress.add_task(f"Loading {path.name}", total=None)

        def step(done: int, total: int | None, stage: str) -> None:
            progress.update(task, description=f"{path.name}: {stage} {done:,} rows", completed=done, total=total)

        try:
            batch = batch_ingest(path=path, user=user, fmt=WORLD_FORMATS[fmt], policy=policy, hs_revision=revision,
                                 progress=step)
        except LedgerError as exc:
            console.print(f"[bold red]{exc.message_en}[/]")
            raise SystemExit(2) from exc
    if batch.status != "active":
        console.print(f"[bold red]{batch.message_en}[/]")
        for issue in batch.issues.all()[:20]:
            console.print(f"  row {issue.row or '–'} {issue.column} {issue.value!r}: {issue.message_en}")
        raise SystemExit(1)
    console.print(f"[green]✓[/] batch {batch.pk}: {batch.rows_loaded:,} rows ({batch.format})")
    return str(batch.pk)


def compute_complexity_command(*, year: int | None = None, source: str | None = None,
                               min_country_exports: float = 0.0, console: Console | None = None) -> list[str]:
    """Compute world RCA/ECI/PCI/proximity for a year, or for every year of the chosen world source."""
    from payesh.capabilities.complexity import (
        WORLD_SOURCES,
        WorldDataError,
        complexity_compute,
        world_coverage,
    )

    console = console or Console()
    if year is None:
        coverage = world_coverage()
        chosen = source or next((s for s in WORLD_SOURCES if s in set(coverage["source"])), None)
        if chosen is None:
            console.print("[bold red]No world data is loaded. Run `payesh load-world FILE --format "
                          "atlas|baci|comtrade`.[/]")
            raise SystemExit(2)
        years = sorted(int(y) for y in coverage.loc[coverage["source"] == chosen, "gyear"])
        source = chosen
    else:
        years = [year]
    ids = []
    with _progress(console) as progress:
        for one_year in years:
            task = progress.add_task(f"Complexity {one_year}", total=1.0)

            def step(stage: str, done: float, task: TaskID = task, year: int = one_year) -> None:
                progress.update(task, completed=done, description=f"Complexity {year}: {stage}")

            try:
                record = complexity_compute(year=one_year, source=source, min_country_exports=min_country_exports,
                                            progress=step)
            except WorldDataError as exc:
                console.print(f"[bold red]{exc}[/]")
                raise SystemExit(2) from exc
            ids.append(record.id)
            console.print(f"[green]✓[/] {one_year} ({record.provenance['source']}): "
                          f"{record.provenance['countries']} countries, {record.provenance['products']} products, "
                          f"run {record.id} from batch(es) {', '.join(record.batches)}")
    return ids
