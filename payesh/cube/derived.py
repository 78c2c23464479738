"""Read derived results (world complexity runs, …) that the ledger published in the lake.

The ledger writes them (:mod:`payesh.ledger.core.derived`); pages and the API read them here, so
only the cube reads the lake. A result whose batches are no longer all active is *stale*: it was
computed from data that has since been withdrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from payesh.ledger.core import Lake
from payesh.ledger.core.derived import DerivedRecord, derived_list, derived_table_path


def _root() -> Path:
    from django.conf import settings

    return Path(settings.PAYESH_LAKE)


def derived_results(kind: str, *, root: Path | None = None) -> list[DerivedRecord]:
    """Results of ``kind``, newest first."""
    return derived_list(root or _root(), kind)


def derived_get(kind: str, result_id: str, *, root: Path | None = None) -> DerivedRecord:
    for record in derived_results(kind, root=root):
        if record.id == result_id:
            return record
    raise KeyError(f"no {kind} result {result_id!r}")


def derived_frame(record: DerivedRecord, table: str, *, columns: Sequence[str] | None = None,
                  root: Path | None = None) -> pd.DataFrame:
    """One table of a result as a DataFrame."""
    path = derived_table_path(root or _root(), record, table)
    return pq.read_table(path, columns=list(columns) if columns else None).to_pandas()


def derived_stale(record: DerivedRecord, *, root: Path | None = None) -> bool:
    """True when a batch the result was computed from is no longer active (withdrawn or gone)."""
    lake = Lake(root or _root(), collect_garbage=False)
    active = {b.id for b in lake.active_batches()}
    return not set(record.batches) <= active
