"""Plain functions behind `payesh load-world` and `payesh compute complexity` (the lead registers them in Typer).

They take a rich Console and show progress bars; the work is done by :mod:`payesh.capabilities.world`,
the same services a web page would call.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


def _progress(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console)


def load_world_command(path: Path, *, fmt: str, revision: str = "", username: str = "",
                       console: Console | None = None) -> int:
    """Load an Atlas/BACI/Comtrade country × product file; returns the new data set's id (exit code 2 on error)."""
    from payesh.capabilities.world import WorldDataError, world_load
    from payesh.core.models import User

    console = console or Console()
    user = User.objects.filter(username=username).first() if username else None
    with _progress(console) as progress:
        task = progress.add_task(f"Loading {Path(path).name}", total=1.0)
        try:
            dataset = world_load(path=Path(path), fmt=fmt, user=user, revision=revision,
                                 progress=lambda stage, done: progress.update(
                                     task, completed=done, description=f"{Path(path).name}: {stage}"))
        except WorldDataError as exc:
            console.print(f"[bold red]{exc}[/]")
            raise SystemExit(2) from exc
    console.print(f"[green]✓[/] data set {dataset.pk}: {dataset.rows:,} rows, {dataset.countries} countries, "
                  f"{dataset.products} HS92 headings, years {', '.join(map(str, dataset.years))}")
    if dataset.unmapped:
        console.print(f"[yellow]Exporter codes without an ISO3 code: {', '.join(dataset.unmapped[:10])}[/]")
    return int(dataset.pk)


def compute_complexity_command(*, year: int | None = None, dataset_id: int | None = None,
                               min_country_exports: float = 0.0, console: Console | None = None) -> list[int]:
    """Compute world RCA/ECI/PCI/proximity for a year (or every year of the latest data set)."""
    from payesh.capabilities.models import WorldDataset
    from payesh.capabilities.world import WorldDataError, complexity_compute

    console = console or Console()
    if year is None:
        dataset = (WorldDataset.objects.filter(pk=dataset_id).first() if dataset_id
                   else WorldDataset.objects.first())
        if dataset is None:
            console.print("[bold red]No world data is loaded. Run `payesh load-world FILE --format atlas|baci|comtrade`.[/]")
            raise SystemExit(2)
        years = list(dataset.years)
        dataset_id = dataset.pk
    else:
        years = [year]
    run_ids = []
    with _progress(console) as progress:
        for one_year in years:
            task = progress.add_task(f"Complexity {one_year}", total=1.0)

            def step(stage: str, done: float, task: TaskID = task, year: int = one_year) -> None:
                progress.update(task, completed=done, description=f"Complexity {year}: {stage}")

            try:
                run = complexity_compute(year=one_year, dataset_id=dataset_id, min_country_exports=min_country_exports,
                                         progress=step)
            except WorldDataError as exc:
                console.print(f"[bold red]{exc}[/]")
                raise SystemExit(2) from exc
            run_ids.append(int(run.pk))
            console.print(f"[green]✓[/] {one_year}: {run.countries} countries, {run.products} products")
    return run_ids
