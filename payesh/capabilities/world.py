"""World trade data: loaders for Atlas, BACI and Comtrade country × product tables, and world complexity.

Every loader turns its file into one stored table — ``year`` (Gregorian), ``country`` (ISO3),
``product`` (HS 1992, 4 digits), ``value_usd`` (exports) — written as Parquet under
``PAYESH_LAKE/world/datasets`` and recorded as a :class:`WorldDataset`. HS92 at 4 digits is the
classification of the Atlas product space, so the world, the nation and the region meet on it.
Files in another revision (HS12, HS22 at 6 digits) are converted with the Growth Lab concordance
weights held in the reference database, then aggregated to 4 digits.

:func:`complexity_compute` reads one year of the latest table that covers it and runs
:func:`payesh.analytics.complexity.complexity_pipeline` (RCA → M → ECI/PCI → proximity → …),
storing countries, products, RCA and proximity as Parquet for the pages.

The file layouts read (column names are matched case-insensitively):

* **Atlas** (Growth Lab dataverse, e.g. ``country_hsproduct4digit_year.csv`` or the older
  ``atlas_2016`` extracts): country ``location_code`` | ``country_iso3_code`` | ``iso3``; product
  ``hs_product_code`` | ``product_hs92_code`` | ``hs92``; ``year``; ``export_value``.
* **BACI** (CEPII, HS92 edition unless told otherwise): ``t, i, j, k, v, q`` with ``i`` the exporter's
  numeric code, ``k`` the 6-digit product and ``v`` in thousands of USD.
* **Comtrade** (comtradeplus bulk/API CSV, or the legacy CSV): year ``refYear`` | ``period`` | ``Year``;
  reporter ``reporterISO`` | ``Reporter ISO``; flow ``flowCode`` (X) | ``Trade Flow`` (Export);
  partner ``partnerCode`` (0 = World) | ``Partner ISO`` (WLD); product ``cmdCode`` |
  ``Commodity Code``; value ``primaryValue`` | ``fobvalue`` | ``Trade Value (US$)``; the revision from
  ``classificationCode`` (H0 = HS92, H4 = HS12, H6 = HS22) when present.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from payesh.analytics.complexity import DroppedUnitsWarning, complexity_pipeline, matrix_from_long
from payesh.capabilities.models import ComplexityRun, WorldDataset, WorldFormat
from payesh.core.models import User

Progress = Callable[[str, float], None]
WORLD_COLUMNS = ("year", "country", "product", "value_usd")
CHUNK_ROWS = 1_000_000
COMTRADE_REVISIONS = {"H0": "HS92", "H4": "HS12", "H6": "HS22", "HS92": "HS92", "HS12": "HS12", "HS22": "HS22"}
# BACI numeric codes that are not the UN M49 code of the country.
BACI_SPECIAL = {251: "FRA", 579: "NOR", 757: "CHE", 699: "IND", 490: "TWN", 842: "USA", 58: "BEL", 711: "ZAF"}


class WorldDataError(ValueError):
    """A world file Payesh cannot read; the message names the file's problem and what to do."""


def world_dir() -> Path:
    return Path(settings.PAYESH_LAKE) / "world"


def _noop(stage: str, fraction: float) -> None:
    return None


# ---------------------------------------------------------------------------------------------
# Reading the three layouts into (year, country, product6-or-4, value_usd) chunks
# ---------------------------------------------------------------------------------------------


def _pick(columns: Iterable[str], *candidates: str) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    for name in candidates:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _need(columns: Iterable[str], what: str, *candidates: str) -> str:
    found = _pick(columns, *candidates)
    if found is None:
        raise WorldDataError(f"no {what} column: expected one of {', '.join(candidates)}")
    return found


def _header(path: Path) -> list[str]:
    try:
        return list(pd.read_csv(path, nrows=0).columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise WorldDataError(f"{path.name} is not a readable CSV file: {exc}") from exc


def _chunks(path: Path, usecols: list[str], dtype: dict[str, Any]) -> Iterable[pd.DataFrame]:
    yield from pd.read_csv(path, usecols=usecols, dtype=dtype, chunksize=CHUNK_ROWS)


def _digits(series: pd.Series, width: int) -> pd.Series:
    text = series.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.zfill(width)


def read_atlas(path: Path) -> tuple[Iterable[pd.DataFrame], str]:
    cols = _header(path)
    country = _need(cols, "country", "location_code", "country_iso3_code", "iso3", "exporter")
    product = _need(cols, "product", "hs_product_code", "product_hs92_code", "hs92", "product_code", "product")
    year = _need(cols, "year", "year")
    value = _need(cols, "export value", "export_value", "exports", "value")

    def gen() -> Iterable[pd.DataFrame]:
        for chunk in _chunks(path, [country, product, year, value], {country: str, product: str}):
            code = _digits(chunk[product], 4)
            yield pd.DataFrame({"year": chunk[year].astype(int), "country": chunk[country].str.upper(),
                                "product": code, "value_usd": pd.to_numeric(chunk[value], errors="coerce")})
    return gen(), "HS92"


def _m49_to_iso3() -> dict[int, str]:
    from payesh.reference.models import Country

    mapping = {int(m49): str(iso3) for iso3, m49 in Country.objects.exclude(m49=None).values_list("iso3", "m49")
               if m49 is not None}
    mapping.update(BACI_SPECIAL)
    return mapping


def read_baci(path: Path, revision: str = "HS92") -> tuple[Iterable[pd.DataFrame], str]:
    cols = _header(path)
    names = {c.lower().strip(): c for c in cols}
    missing = [c for c in ("t", "i", "k", "v") if c not in names]
    if missing:
        raise WorldDataError(f"not a BACI file: missing column(s) {', '.join(missing)} (expected t,i,j,k,v,q)")
    codes = _m49_to_iso3()

    def gen() -> Iterable[pd.DataFrame]:
        usecols = [names["t"], names["i"], names["k"], names["v"]]
        for chunk in _chunks(path, usecols, {names["k"]: str}):
            exporter = pd.to_numeric(chunk[names["i"]], errors="coerce").astype("Int64")
            iso3 = exporter.map(lambda n: None if pd.isna(n) else codes.get(int(str(n)), f"N{n}"))
            yield pd.DataFrame({"year": chunk[names["t"]].astype(int), "country": iso3,
                                "product": _digits(chunk[names["k"]], 6),
                                # BACI values are in thousands of US dollars.
                                "value_usd": pd.to_numeric(chunk[names["v"]], errors="coerce") * 1000.0})
    return gen(), revision


def read_comtrade(path: Path, revision: str = "") -> tuple[Iterable[pd.DataFrame], str]:
    cols = _header(path)
    year = _need(cols, "year", "refYear", "period", "Year")
    reporter = _need(cols, "reporter", "reporterISO", "Reporter ISO", "reporter_iso")
    product = _need(cols, "commodity", "cmdCode", "Commodity Code", "commodity_code")
    value = _need(cols, "value", "primaryValue", "fobvalue", "Trade Value (US$)", "trade_value_usd")
    flow = _pick(cols, "flowCode", "Trade Flow", "flow")
    partner = _pick(cols, "partnerCode", "Partner ISO", "partnerISO")
    classification = _pick(cols, "classificationCode", "Classification")
    usecols = [c for c in (year, reporter, product, value, flow, partner, classification) if c]
    if not revision:
        if classification is None:
            revision = "HS92"
        else:
            first = pd.read_csv(path, usecols=[classification], nrows=1, dtype=str)[classification]
            code = str(first.iloc[0]).strip().upper() if len(first) else "H0"
            if code not in COMTRADE_REVISIONS:
                raise WorldDataError(f"classification {code} is not supported; download the file in H0 (HS92), "
                                     "H4 (HS12) or H6 (HS22)")
            revision = COMTRADE_REVISIONS[code]

    def gen() -> Iterable[pd.DataFrame]:
        dtype = {c: str for c in (reporter, product, flow, partner) if c}
        for chunk in _chunks(path, usecols, dtype):
            keep = pd.Series(True, index=chunk.index)
            if flow:
                text = chunk[flow].astype(str).str.strip().str.lower()
                keep &= text.isin(["x", "export", "exports", "2"])
            if partner:
                text = chunk[partner].astype(str).str.strip().str.upper()
                keep &= text.isin(["0", "WLD", "WORLD", "W00"])
            chunk = chunk[keep]
            codes = chunk[product].astype(str).str.strip()
            detailed = codes.str.fullmatch(r"\d{4}|\d{6}")  # drop TOTAL, chapters, 'AG2' aggregates
            chunk, codes = chunk[detailed], codes[detailed]
            yield pd.DataFrame({
                "year": pd.to_numeric(chunk[year].astype(str).str[:4], errors="coerce").astype("Int64"),
                "country": chunk[reporter].astype(str).str.strip().str.upper(),
                "product": codes,
                "value_usd": pd.to_numeric(chunk[value], errors="coerce")})
    return gen(), revision


READERS: dict[str, Callable[..., tuple[Iterable[pd.DataFrame], str]]] = {
    WorldFormat.ATLAS: read_atlas, WorldFormat.BACI: read_baci, WorldFormat.COMTRADE: read_comtrade,
}


# ---------------------------------------------------------------------------------------------
# Normalising to HS92 4-digit and storing
# ---------------------------------------------------------------------------------------------


def hs92_weights(revision: str) -> pd.DataFrame:
    """(from_code, to_code4, weight) mapping 6-digit codes of ``revision`` onto HS92 headings."""
    from payesh.reference.models import HSConcordance

    rows = HSConcordance.objects.filter(from_revision=revision, to_revision="HS92").values_list(
        "from_code", "to_code", "weight")
    frame = pd.DataFrame(list(rows), columns=["from_code", "to_code", "weight"])
    if frame.empty:
        raise WorldDataError(f"no {revision} → HS92 concordance in the reference data; run `payesh load-reference`")
    frame["to_code4"] = frame["to_code"].str[:4]
    return frame.groupby(["from_code", "to_code4"], as_index=False)["weight"].sum()


def to_hs92_headings(frame: pd.DataFrame, revision: str, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """Aggregate a (year, country, product, value_usd) chunk to HS92 4-digit headings."""
    frame = frame.dropna(subset=["year", "country", "value_usd"])
    if revision == "HS92":
        frame = frame.assign(product=frame["product"].str[:4])
    else:
        if weights is None:
            weights = hs92_weights(revision)
        six = frame[frame["product"].str.len() == 6]
        if len(six) < len(frame):
            raise WorldDataError(f"{revision} files need 6-digit product codes to be converted to HS92")
        merged = six.merge(weights, left_on="product", right_on="from_code", how="inner")
        frame = pd.DataFrame({"year": merged["year"], "country": merged["country"], "product": merged["to_code4"],
                              "value_usd": merged["value_usd"] * merged["weight"]})
    return frame.groupby(["year", "country", "product"], as_index=False)["value_usd"].sum()


def world_load(*, path: Path, fmt: str, user: User | None = None, revision: str = "",
               progress: Progress | None = None) -> WorldDataset:
    """Read a world file, convert it to HS92 headings, store it as Parquet and record it."""
    report = progress or _noop
    path = Path(path)
    if fmt not in READERS:
        raise WorldDataError(f"unknown format {fmt!r}; use atlas, baci or comtrade")
    if not path.is_file():
        raise WorldDataError(f"{path} does not exist")
    reader = READERS[fmt]
    chunks, file_revision = reader(path) if fmt == WorldFormat.ATLAS else reader(path, revision or (
        "HS92" if fmt == WorldFormat.BACI else ""))
    weights = None if file_revision == "HS92" else hs92_weights(file_revision)
    size = max(path.stat().st_size, 1)
    parts: list[pd.DataFrame] = []
    report("read", 0.0)
    for index, chunk in enumerate(chunks, start=1):
        parts.append(to_hs92_headings(chunk, file_revision, weights))
        report("read", min(0.95, index * CHUNK_ROWS * 40 / size))
    if not parts:
        raise WorldDataError(f"{path.name} has no rows")
    table = pd.concat(parts, ignore_index=True).groupby(["year", "country", "product"], as_index=False)[
        "value_usd"].sum()
    table = table[table["value_usd"] > 0]
    if table.empty:
        raise WorldDataError(f"{path.name} has no export rows with a value")
    table["year"] = table["year"].astype("int32")
    unmapped = sorted({c for c in table["country"].unique() if not (len(c) == 3 and c.isalpha())})
    target = world_dir() / "datasets"
    target.mkdir(parents=True, exist_ok=True)
    name = f"{fmt}-{uuid.uuid4().hex[:12]}.parquet"
    aside = target / f".{name}.tmp"
    table.to_parquet(aside, index=False)
    os.replace(aside, target / name)  # publish whole or not at all
    report("store", 1.0)
    return WorldDataset.objects.create(
        format=fmt, source_name=path.name, source_revision=file_revision, path=f"datasets/{name}",
        years=sorted(int(y) for y in table["year"].unique()), rows=len(table),
        countries=int(table["country"].nunique()), products=int(table["product"].nunique()),
        total_usd=float(table["value_usd"].sum()), unmapped=unmapped[:50], loaded_by=user)


def world_table(dataset: WorldDataset, year: int | None = None) -> pd.DataFrame:
    frame = pd.read_parquet(world_dir() / dataset.path)
    return frame if year is None else frame[frame["year"] == year]


def dataset_for_year(year: int) -> WorldDataset | None:
    """The most recently loaded data set that covers a Gregorian year."""
    for dataset in WorldDataset.objects.all():
        if year in dataset.years:
            return dataset
    return None


# ---------------------------------------------------------------------------------------------
# World complexity
# ---------------------------------------------------------------------------------------------


def complexity_compute(*, year: int, progress: Progress | None = None, dataset_id: int | None = None,
                       min_country_exports: float = 0.0) -> ComplexityRun:
    """World RCA, ECI, PCI, proximity of one Gregorian year from the stored world table."""
    from payesh.analytics.complexity import UnitFilters

    report = progress or _noop
    dataset = (WorldDataset.objects.get(pk=dataset_id) if dataset_id is not None else dataset_for_year(year))
    if dataset is None:
        raise WorldDataError(f"no world data set covers {year}; load one with `payesh load-world FILE --format …`")
    report("read", 0.05)
    frame = world_table(dataset, year)
    if frame.empty:
        raise WorldDataError(f"the data set {dataset.source_name} has no rows for {year}")
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
    run_id = uuid.uuid4().hex[:12]
    folder = world_dir() / "complexity" / f"{year}-{run_id}"
    aside = folder.with_name(f".{folder.name}.tmp")
    aside.mkdir(parents=True, exist_ok=True)
    values = matrix.values
    pd.DataFrame({"country": matrix.countries, "exports_usd": values.sum(axis=1), "diversity": result.diversity,
                  "eci": result.eci, "coi": result.coi, "included": result.country_included}).to_parquet(
        aside / "countries.parquet", index=False)
    pd.DataFrame({"product": matrix.products, "world_exports_usd": values.sum(axis=0), "ubiquity": result.ubiquity,
                  "pci": result.pci, "included": result.product_included}).to_parquet(
        aside / "products.parquet", index=False)
    c_index, p_index = np.nonzero(values > 0)
    pd.DataFrame({"country": np.asarray(matrix.countries)[c_index], "product": np.asarray(matrix.products)[p_index],
                  "value_usd": values[c_index, p_index], "rca": result.rca[c_index, p_index]}).to_parquet(
        aside / "rca.parquet", index=False)
    report("proximity", 0.85)
    phi = np.nan_to_num(result.proximity)  # (P, P)
    p_rows, q_cols = np.nonzero(phi > 0)
    pd.DataFrame({"product": np.asarray(matrix.products)[p_rows], "other": np.asarray(matrix.products)[q_cols],
                  "phi": phi[p_rows, q_cols].astype(np.float32)}).to_parquet(aside / "proximity.parquet", index=False)
    os.replace(aside, folder)
    run = ComplexityRun.objects.create(year=year, dataset=dataset, path=f"complexity/{folder.name}",
                                       countries=int(result.country_included.sum()),
                                       products=int(result.product_included.sum()), dropped=dropped[:100])
    report("done", 1.0)
    return run


def run_for_year(year: int | None = None) -> ComplexityRun | None:
    """The latest complexity run of a year (or of the latest year when ``year`` is None)."""
    runs = ComplexityRun.objects.select_related("dataset")
    if year is not None:
        runs = runs.filter(year=year)
    for run in runs:
        if (world_dir() / run.path / "products.parquet").exists():
            return run
    return None


def run_nearest(year: int) -> ComplexityRun | None:
    """The run of ``year``, else of the closest earlier year, else the latest one."""
    runs = [r for r in ComplexityRun.objects.select_related("dataset")
            if (world_dir() / r.path / "products.parquet").exists()]
    if not runs:
        return None
    earlier = [r for r in runs if r.year <= year]
    return max(earlier, key=lambda r: (r.year, r.computed_at)) if earlier else max(
        runs, key=lambda r: (r.year, r.computed_at))


def run_frames(run: ComplexityRun) -> dict[str, pd.DataFrame]:
    folder = world_dir() / run.path
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in ("countries", "products", "rca")}


def run_proximity(run: ComplexityRun, products: list[str]) -> np.ndarray:
    """The stored world proximity (P, P) in the order of ``products`` (missing products get 0)."""
    frame = pd.read_parquet(world_dir() / run.path / "proximity.parquet")
    index = {p: i for i, p in enumerate(products)}
    phi = np.zeros((len(products), len(products)))
    rows = frame["product"].map(index)
    cols = frame["other"].map(index)
    keep = rows.notna() & cols.notna()
    phi[rows[keep].astype(int).to_numpy(), cols[keep].astype(int).to_numpy()] = frame["phi"][keep].to_numpy()
    return phi
