"""The cube: the one query layer every aggregated trade number comes from.

Dimensions, levels and measures are declared once as data (``model``); a ``CubeQuery`` is compiled
to an Ibis expression (``compile``) and runs on DuckDB over the lake, on PostgreSQL or on Spark
(``engines``). Pages, the API, exports and KPIs call :func:`payesh.cube.run` (``run.py``, the read
side, which never writes); the ledger calls :func:`payesh.cube.cube_refresh` (``refresh.py``, the
writer side) after a batch changes. This module only re-exports; it holds no code, so that no
submodule ever imports it back.
"""

from payesh.cube.model import CUBE, Cube, Dimension, Level, Measure
from payesh.cube.query import CubeError, CubeQuery, Cut, Period
from payesh.cube.refresh import cube_refresh
from payesh.cube.run import CubeResult, facts, query_parse, run, warm

__all__ = ["CUBE", "Cube", "CubeError", "CubeQuery", "CubeResult", "Cut", "Dimension", "Level", "Measure", "Period",
           "cube_refresh", "facts", "query_parse", "run", "warm"]
