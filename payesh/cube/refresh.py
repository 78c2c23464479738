"""The cube's writer side: what must be rebuilt when the lake changes, rebuilt by the writer.

The ledger's services call :func:`cube_refresh` right after a batch is committed, withdrawn or
restored (and ``payesh cube-refresh`` calls it by hand). Nothing here runs on a read: a page or an
API call only ever opens what this wrote, so a read can neither write the lake nor race a writer.

- DuckDB: the rollups of the new lake version, as Parquet under ``<lake>/rollups/<version>/``
  (older versions removed);
- PostgreSQL: the copy of the active facts and of the dimension tables, replaced in one transaction;
- Spark reads the lake's files directly: nothing to rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

from payesh.cube.engines import DuckDBEngine, PostgresEngine
from payesh.cube.run import configured


@dataclass(frozen=True)
class RefreshReport:
    engine: str
    rebuilt: tuple[str, ...]  # rollups written, or ("facts", "dimensions") for PostgreSQL; () when up to date


def cube_refresh() -> RefreshReport:
    """Rebuild what the configured engine derives from the lake (see the module's docstring)."""
    engine, _lake = configured()
    if isinstance(engine, DuckDBEngine):
        return RefreshReport(engine.name, tuple(engine.refresh()))
    if isinstance(engine, PostgresEngine):
        engine.sync()
        return RefreshReport(engine.name, ("facts", "dimensions"))
    return RefreshReport(engine.name, ())
