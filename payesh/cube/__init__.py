"""The cube: the one query layer every aggregated trade number comes from.

Dimensions, levels and measures are declared once as data (``model``); a ``CubeQuery`` is compiled
to an Ibis expression (``compile``) and runs on DuckDB over the lake, on PostgreSQL or on Spark
(``engines``). Pages, the API, exports and KPIs call :func:`payesh.cube.run`.
"""

from pathlib import Path

import pandas as pd

from payesh.cube.engines import Engine
from payesh.cube.model import CUBE, Cube, Dimension, Level, Measure
from payesh.cube.query import CubeError, CubeQuery, Cut, Period
from payesh.cube.run import CubeResult


def _engine_and_lake() -> tuple[Engine, Path]:
    from django.conf import settings

    from payesh.cube.run import dims_dir, engine_for

    lake = Path(settings.PAYESH_LAKE)
    if not (dims_dir(lake) / "dim_country.parquet").exists():
        from payesh.reference.services import cube_dims_export

        cube_dims_export(dims_dir(lake))
    url = ""
    if settings.PAYESH_ENGINE == "postgres":
        db = settings.DATABASES["default"]
        url = (f"postgresql://{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@{db.get('HOST') or '127.0.0.1'}:"
               f"{db.get('PORT') or 5432}/{db['NAME']}")
    return engine_for(settings.PAYESH_ENGINE, lake, url), lake


def warm() -> None:
    """Prepare the engine (connections, rollups) so the first page view is fast."""
    engine, _lake = _engine_and_lake()
    warm_engine = getattr(engine, "warm", None)
    if warm_engine is not None:
        warm_engine()


def run(query: CubeQuery) -> CubeResult:
    """Answer a query with the configured engine (``PAYESH_ENGINE``) over the configured lake."""
    from payesh.cube.run import run_on

    engine, lake = _engine_and_lake()
    return run_on(engine, query, lake)


def facts(query: CubeQuery, *, limit: int = 100, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """The fact rows behind a cube cell (period and cuts of ``query``), newest first, and their count.

    Always read from the facts, never from a rollup; product cuts use each row's own HS revision.
    """
    from payesh.cube.compile import build_rows

    engine, _lake = _engine_and_lake()
    source = engine.source(query.with_(measures=("declarations",), drilldowns=()))  # forces the facts source
    rows = build_rows(query, source)
    total = int(source.execute(rows.count()) if hasattr(rows, "count") else 0)
    page = rows.order_by([rows.declaration_date.desc(), rows.declaration_id, rows.line_no]).limit(limit, offset=offset)
    return source.execute(page), total


__all__ = ["CUBE", "Cube", "CubeError", "CubeQuery", "CubeResult", "Cut", "Dimension", "Level", "Measure", "Period", "facts", "run"]
