"""World complexity runs: read world exports from the cube, compute, publish through the ledger.

World data are ledger batches like any other (``payesh ingest --format baci|comtrade|atlas|world``,
or ``payesh load-world``); the cube answers them with ``cut=source:<source>``. A complexity run:

1. asks the cube for one source's exports of one Gregorian year by ``reporter × heading`` in HS92
   (the revision of the Atlas product space; the cube converts other revisions with the
   concordance weights). A reporter's exports to the world are its ``WLD`` rows where the source
   gives them (Atlas, Comtrade partner 0), else the sum over its partners (BACI) — never both;
2. runs :func:`payesh.analytics.complexity.complexity_pipeline` (RCA → M → ECI/PCI → proximity);
3. publishes countries, products, RCA and proximity as one derived result of the ledger
   (:func:`payesh.ledger.core.derived.derived_publish`) with its provenance: the source, the year,
   the batches the cube read, the filters of the question.

Pages read runs back through :mod:`payesh.cube.derived`; nothing here reads or writes lake files.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from payesh.analytics.complexity import (
    DroppedUnitsWarning,
    UnitFilters,
    complexity_pipeline,
    matrix_from_long,
)
from payesh.cube import CubeError, CubeQuery, run
from payesh.cube.derived import derived_frame, derived_results, derived_stale
from payesh.ledger.core.derived import DerivedRecord, derived_publish

Progress = Callable[[str, float], None]
KIND = "complexity"
#: World sources in the order a run prefers them when the caller names none.
WORLD_SOURCES = ("baci", "comtrade", "atlas", "world")
WORLD = "WLD"


class WorldDataError(ValueError):
    """A world question Payesh cannot answer; the message says what to load or choose."""


def _noop(stage: str, fraction: float) -> None:
    return None


def _ask(params: dict[str, str]) -> pd.DataFrame:
    try:
        return run(CubeQuery.parse(params)).frame
    except FileNotFoundError:
        return pd.DataFrame()


def world_coverage() -> pd.DataFrame:
    """Value and rows of the world sources by source and Gregorian year (the cube's answer)."""
    frame = _ask({"measures": "value_usd,rows", "drilldowns": "source,gyear",
                  "cut": f"source:{','.join(WORLD_SOURCES)}"})
    if frame.empty:
        return pd.DataFrame(columns=["source", "gyear", "value_usd", "rows"])
    return frame.sort_values(["gyear", "source"], ascending=[False, True]).reset_index(drop=True)


def world_source_for(year: int) -> str | None:
    """The preferred world source that has exports in ``year``."""
    coverage = world_coverage()
    present = set(coverage.loc[coverage["gyear"] == year, "source"])
    return next((s for s in WORLD_SOURCES if s in present), None)


def world_exports(*, source: str, year: int) -> tuple[pd.DataFrame, list[str], dict[str, dict[str, str]]]:
    """(country, product, value_usd) exports by HS92 heading, the batches read, the cube questions."""
    base = f"source:{source};flow:export;gyear:{year}"
    questions = {
        "to_world": {"measures": "value_usd", "drilldowns": "reporter,heading", "cut": f"{base};partner:{WORLD}",
                     "hs_revision": "HS92"},
        "bilateral": {"measures": "value_usd", "drilldowns": "reporter,heading", "cut": base,
                      "exclude": f"partner:{WORLD}", "hs_revision": "HS92"},
        "batches": {"measures": "rows", "drilldowns": "batch", "cut": base},
    }
    to_world, bilateral = _ask(questions["to_world"]), _ask(questions["bilateral"])
    if not to_world.empty:
        # Where a reporter has rows to the world, its partner rows are already inside them.
        bilateral = bilateral[~bilateral["reporter"].isin(set(to_world["reporter"]))]
    frame = pd.concat([f for f in (to_world, bilateral) if not f.empty], ignore_index=True) \
        if not (to_world.empty and bilateral.empty) else pd.DataFrame(columns=["reporter", "heading", "value_usd"])
    frame = frame.rename(columns={"reporter": "country", "heading": "product"})
    frame = frame[frame["value_usd"] > 0][["country", "product", "value_usd"]]
    batches = sorted(str(b) for b in _ask(questions["batches"]).get("batch", pd.Series(dtype=str)))
    return frame.reset_index(drop=True), batches, {name: CubeQuery.parse(q).to_params() for name, q in questions.items()}


def complexity_compute(*, year: int, source: str | None = None, min_country_exports: float = 0.0,
                       created_by: str = "", progress: Progress | None = None) -> DerivedRecord:
    """World RCA, ECI, PCI and proximity of one Gregorian year, published as a derived result."""
    report = progress or _noop
    if source is not None and source not in WORLD_SOURCES:
        raise WorldDataError(f"unknown world source {source!r}; use one of {', '.join(WORLD_SOURCES)}")
    source = source or world_source_for(year)
    if source is None:
        raise WorldDataError(f"no world data covers {year}; load a file with "
                             "`payesh load-world FILE --format atlas|baci|comtrade` (or `payesh ingest`)")
    report("read", 0.05)
    try:
        frame, batches, questions = world_exports(source=source, year=year)
    except CubeError as exc:
        raise WorldDataError(f"the cube cannot answer the world question: {exc}") from exc
    if frame.empty:
        raise WorldDataError(f"{source} has no exports with a value in {year}")
    matrix = matrix_from_long(frame, country="country", product="product", value="value_usd")  # (C, P)
    report("matrix", 0.2)
    dropped: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DroppedUnitsWarning)
        result = complexity_pipeline(matrix.values, countries=matrix.countries, products=matrix.products,
                                     filters=UnitFilters(min_country_exports=min_country_exports))
    for warning in caught:
        if isinstance(warning.message, DroppedUnitsWarning):
            dropped.extend(warning.message.countries + warning.message.products)
    report("complexity", 0.7)
    values = matrix.values
    countries, products = np.asarray(matrix.countries), np.asarray(matrix.products)
    c_index, p_index = np.nonzero(values > 0)
    phi = np.nan_to_num(result.proximity)  # (P, P)
    p_rows, q_cols = np.nonzero(phi > 0)
    tables = {
        "countries": pa.table({"country": countries, "exports_usd": values.sum(axis=1),
                               "diversity": result.diversity, "eci": result.eci, "coi": result.coi,
                               "included": result.country_included}),
        "products": pa.table({"product": products, "world_exports_usd": values.sum(axis=0),
                              "ubiquity": result.ubiquity, "pci": result.pci, "included": result.product_included}),
        "rca": pa.table({"country": countries[c_index], "product": products[p_index],
                         "value_usd": values[c_index, p_index], "rca": result.rca[c_index, p_index]}),
        "proximity": pa.table({"product": products[p_rows], "other": products[q_cols],
                               "phi": phi[p_rows, q_cols].astype(np.float32)}),
    }
    report("publish", 0.85)
    from payesh.ledger.services import lake_open

    record = derived_publish(lake_open(), kind=KIND, tables=tables, created_by=created_by, provenance={
        "source": source, "year": year, "batches": batches,
        "filters": {"flow": "export", "hs_revision": "HS92", "level": "heading", "world_rows": WORLD,
                    "min_country_exports": min_country_exports},
        "questions": questions,
        "countries": int(result.country_included.sum()), "products": int(result.product_included.sum()),
        "dropped": dropped[:100]})
    report("done", 1.0)
    return record


# ---------------------------------------------------------------------------------------------
# Reading runs (through the cube)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldRun:
    """A published complexity run as pages show it."""

    record: DerivedRecord
    stale: bool

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def year(self) -> int:
        return int(self.record.provenance["year"])

    @property
    def source(self) -> str:
        return str(self.record.provenance.get("source", ""))

    @property
    def countries(self) -> int:
        return int(self.record.provenance.get("countries", 0))

    @property
    def products(self) -> int:
        return int(self.record.provenance.get("products", 0))

    @property
    def batches(self) -> tuple[str, ...]:
        return self.record.batches

    @property
    def computed_at(self) -> str:
        return self.record.created_at


def complexity_runs() -> list[WorldRun]:
    """Published runs, newest first; a run computed from a withdrawn batch is marked stale."""
    return [WorldRun(record, derived_stale(record)) for record in derived_results(KIND)]


def run_nearest(year: int) -> WorldRun | None:
    """The newest current run of ``year``, else of the closest earlier year, else the latest one."""
    runs = [r for r in complexity_runs() if not r.stale]
    if not runs:
        return None
    earlier = [r for r in runs if r.year <= year]
    return max(earlier or runs, key=lambda r: (r.year, r.computed_at))


def run_frames(run_: WorldRun) -> dict[str, pd.DataFrame]:
    return {name: derived_frame(run_.record, name) for name in ("countries", "products", "rca")}


def run_proximity(run_: WorldRun, products: list[str]) -> np.ndarray:
    """The run's world proximity (P, P) in the order of ``products`` (missing products get 0)."""
    frame = derived_frame(run_.record, "proximity")
    index = {p: i for i, p in enumerate(products)}
    phi = np.zeros((len(products), len(products)))
    rows = frame["product"].map(index)
    cols = frame["other"].map(index)
    keep = rows.notna() & cols.notna()
    phi[rows[keep].astype(int).to_numpy(), cols[keep].astype(int).to_numpy()] = frame["phi"][keep].to_numpy()
    return phi
