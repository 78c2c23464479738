"""``payesh indicators``: list the indicators with their definitions in both languages, or compute one."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def indicators_command(
    name: Annotated[str, typer.Argument(help="Compute this indicator (omit to list them all).")] = "",
    year: Annotated[str, typer.Option(help="Solar Hijri year (default: the latest in the lake).")] = "",
    months: Annotated[str, typer.Option(help="First N months of the year (1–12).")] = "",
    scope: Annotated[str, typer.Option(help="through, origin or national.")] = "",
    flow: Annotated[str, typer.Option(help="export or import.")] = "",
    level: Annotated[str, typer.Option(help="Cube level to break down by.")] = "",
    top: Annotated[str, typer.Option(help="Concentration: the N largest members.")] = "",
    language: Annotated[str, typer.Option(help="en or fa: captions and reasons.")] = "en",
) -> None:
    """List the indicators (name, definition in English and Persian), or compute one as a table."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payesh.settings")
    import django

    django.setup()
    from django.conf import settings

    from payesh.cube import CubeError
    from payesh.indicators import (
        INDICATORS,
        IndicatorError,
        IndicatorRequest,
        indicator_compute,
        indicator_labelled,
        loaded_months,
    )

    if not name:
        table = Table(title="Payesh indicators · شاخص‌های پایش", show_lines=True)
        for column in ("name", "label", "unit", "definition (en)", "تعریف (fa)", "parameters"):
            table.add_column(column, overflow="fold")
        for i in INDICATORS.values():
            table.add_row(i.name, f"{i.label_en}\n{i.label_fa}", i.unit, i.definition_en, i.definition_fa,
                          ", ".join(i.parameters))
        console.print(table)
        return
    params = {"year": year, "months": months, "scope": scope, "flow": flow, "level": level, "top": top}
    held = loaded_months()
    try:
        request = IndicatorRequest.parse(params, region=settings.PAYESH_REGION,
                                         default_year=max(held) // 100 if held else 1403)
        frame = indicator_labelled(indicator_compute(name, request), language)
    except (IndicatorError, CubeError) as exc:
        console.print(f"[bold red]{exc.parameter}:[/] {exc.message}")
        raise typer.Exit(2) from exc
    title = f"{INDICATORS[name].label(language)} · {request.year} ({request.months})"

    def text(value: object) -> str:
        return "–" if value is None or value != value else f"{value:,.2f}" if isinstance(value, float) else str(value)

    if len(frame) == 1:  # one answer: one line per figure reads better than a very wide row
        table = Table("figure", "value", title=title)
        for column, value in frame.iloc[0].items():
            table.add_row(str(column), text(value))
        console.print(table)
        return
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for record in frame.head(200).itertuples(index=False):
        table.add_row(*(text(v) for v in record))
    console.print(table)
