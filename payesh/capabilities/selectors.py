"""Reads for the capability pages: exports by origin from the cube, RCA, product space, opportunities, gaps.

Where each number comes from (one hop):

* exports of a county / the province / the nation by product — :func:`payesh.cube.run` with
  ``hs_revision=HS92`` (the cube maps the ledger's HS12 facts onto HS92 with the Growth Lab
  concordance weights, 6 digits, then we read headings = 4 digits; an approximation where one
  HS12 code splits over several HS92 headings);
* RCA against the nation — :func:`payesh.analytics.subnational.regional_rca` with the nation's
  exports by product as the reference; against the world — the same function with the world's
  product totals of the nearest complexity run (:mod:`payesh.capabilities.complexity`, a derived
  result the cube reads back; only when world data is loaded);
* presence, density, COG and opportunities — :mod:`payesh.analytics.complexity` /
  :mod:`payesh.analytics.opportunity` over the external product space: the world proximity and PCI
  when computed, else the Atlas product-space network (see :mod:`payesh.capabilities.productspace`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import QuerySet

from payesh.analytics.complexity import DroppedUnitsWarning, FloatArray, coi_cog, presence
from payesh.analytics.opportunity import STRATEGIES, opportunity_scores
from payesh.analytics.subnational import regional_density, regional_eci, regional_rca
from payesh.capabilities import complexity
from payesh.capabilities.complexity import WorldRun
from payesh.capabilities.models import TONNE_UNITS, Capacity
from payesh.capabilities.productspace import atlas_product_space
from payesh.core import permissions
from payesh.core.models import User
from payesh.cube import CubeError, CubeQuery, run
from payesh.ledger.models import Batch
from payesh.ledger.selectors import batch_list
from payesh.reference.models import County, HSProduct, Province

HS_LEVEL_BY_DIGITS = {2: "chapter", 4: "heading", 6: "subheading"}


def region_code() -> str:
    return str(settings.PAYESH_REGION)


def solar_to_gregorian(year: int) -> int:
    """The Gregorian year in which most of a Solar Hijri year falls (1402 → 2023)."""
    return year + 621


# ---------------------------------------------------------------------------------------------
# Cube reads
# ---------------------------------------------------------------------------------------------


def _cube(params: dict[str, str]) -> pd.DataFrame:
    try:
        return run(CubeQuery.parse(params)).frame
    except (CubeError, FileNotFoundError):
        return pd.DataFrame()


def _cube_labelled(params: dict[str, str], language: str) -> pd.DataFrame:
    try:
        return run(CubeQuery.parse(params)).labelled(language)
    except (CubeError, FileNotFoundError):
        return pd.DataFrame()


def export_years() -> list[int]:
    """Solar Hijri years with exports originating in the region, latest first."""
    frame = _cube({"measures": "value_usd", "drilldowns": "year",
                   "cut": f"flow:export;origin_province:{region_code()}"})
    if frame.empty:
        return []
    return sorted((int(y) for y in frame.loc[frame["value_usd"] > 0, "year"]), reverse=True)


def exports_by_origin(*, year: int, drilldown: str, hs_revision: str = "HS92", language: str = "en",
                      county: str | None = None) -> pd.DataFrame:
    """Exports originating in the region (or one county) in a year, by ``drilldown`` levels."""
    cut = f"flow:export;origin_province:{region_code()}"
    if county:
        cut += f";origin_county:{county}"
    return _cube_labelled({"measures": "value_usd,weight_t", "drilldowns": drilldown, "cut": cut,
                           "year": str(year), "hs_revision": hs_revision}, language)


def national_exports(*, year: int, hs_revision: str = "HS92", level: str = "heading") -> pd.Series:
    """The nation's exports by product (all origins): the reference of RCA against the nation."""
    frame = _cube({"measures": "value_usd", "drilldowns": level, "cut": "flow:export", "year": str(year),
                   "hs_revision": hs_revision})
    if frame.empty:
        return pd.Series(dtype=float)
    return frame.set_index(level)["value_usd"].astype(float)


# ---------------------------------------------------------------------------------------------
# The external product space: world run if computed, else the Atlas network
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalSpace:
    products: tuple[str, ...]  # (P,) HS92 headings
    pci: FloatArray  # (P,)
    proximity: FloatArray  # (P, P)
    world_exports: pd.Series | None  # world exports by product (all products of the run), when a run exists
    run: WorldRun | None
    source: str  # "world" or "atlas"


def external_space(*, solar_year: int) -> ExternalSpace:
    complexity_run = complexity.run_nearest(solar_to_gregorian(solar_year))
    if complexity_run is not None:
        frames = complexity.run_frames(complexity_run)
        all_products = frames["products"].astype({"product": str})
        world_exports = all_products.set_index("product")["world_exports_usd"].astype(float)
        products_frame = all_products[np.isfinite(all_products["pci"])].sort_values("product")
        products = products_frame["product"].tolist()
        return ExternalSpace(tuple(products), products_frame["pci"].to_numpy(dtype=float),
                             complexity.run_proximity(complexity_run, products), world_exports, complexity_run,
                             "world")
    space = atlas_product_space()
    keep = np.isfinite(space.pci)
    products = tuple(p for p, k in zip(space.products, keep, strict=True) if k)
    return ExternalSpace(products, space.pci[keep], space.adjacency[np.ix_(keep, keep)], None, None, "atlas")


# ---------------------------------------------------------------------------------------------
# The province overview
# ---------------------------------------------------------------------------------------------


def _heading_names(codes: Iterable[str], language: str) -> dict[str, str]:
    """HS 1992 heading → its name in the page's language from the reference data (English where the
    reference data has no Persian name yet)."""
    rows = HSProduct.objects.filter(revision="HS92", level=4, code__in=list(codes))
    fa = language.startswith("fa")
    return {p.code: (p.name_fa if fa and p.name_fa else p.name_en) for p in rows}


def heading_names(codes: Iterable[str], language: str) -> dict[str, str]:
    """Public form of :func:`_heading_names` for the pages' charts (product space hover texts)."""
    return _heading_names(codes, language)


def _named(frame: pd.DataFrame, language: str) -> pd.Series:
    """A ``name`` per heading of ``frame``: the reference data's bilingual HS name, else the cube's caption."""
    names = _heading_names(frame["heading"].astype(str).unique().tolist(), language)
    caption = frame["heading_caption"] if "heading_caption" in frame.columns else frame["heading"]
    return frame["heading"].astype(str).map(names).fillna(caption.astype(str))


def region_exports(*, year: int) -> dict[str, float]:
    """Exports originating in the region in a year — every row, with or without a county (the cube's total)."""
    frame = _cube({"measures": "value_usd,weight_t", "cut": f"flow:export;origin_province:{region_code()}",
                   "year": str(year)})
    if frame.empty:
        return {"value_usd": 0.0, "weight_t": 0.0}
    return {"value_usd": float(frame["value_usd"].iloc[0] or 0.0), "weight_t": float(frame["weight_t"].iloc[0] or 0.0)}


#: Key of the overview row for exports of the region whose county of origin was not recorded.
NO_COUNTY = ""


def county_overview(*, year: int, language: str) -> pd.DataFrame:
    """Counties of the region with their exports, top product and products with RCA ≥ 1 vs the nation.

    Exports whose county of origin is not recorded get a row of their own (``county`` = ""), so the
    rows add up to the region's total as the cube gives it.
    """
    counties = list(County.objects.filter(province_id=region_code()).order_by("code"))
    base = pd.DataFrame({
        "county": [c.code for c in counties],
        "county_name": [c.name_fa if language.startswith("fa") and c.name_fa else c.name_en for c in counties],
        "lat": [c.lat for c in counties], "lon": [c.lon for c in counties]})
    by_product = exports_by_origin(year=year, drilldown="origin_county,heading", language=language)
    if by_product.empty:
        return base.assign(exports_usd=0.0, weight_t=0.0, products=0, specialised=0, top_product="",
                           top_product_name="")
    by_product = by_product.assign(origin_county=by_product["origin_county"].fillna(NO_COUNTY))
    unassigned = by_product[by_product["origin_county"] == NO_COUNTY]
    if not unassigned.empty:
        # The cube's caption of a missing county ("Unknown" / «نامعلوم»), in the page's language.
        base = pd.concat([base, pd.DataFrame({"county": [NO_COUNTY],
                                              "county_name": [unassigned["origin_county_caption"].iloc[0]],
                                              "lat": [np.nan], "lon": [np.nan]})], ignore_index=True)
    nation = national_exports(year=year)
    wide = by_product.pivot_table(index="origin_county", columns="heading", values="value_usd",
                                  aggfunc="sum", fill_value=0.0)
    # The reference is the nation's whole basket: its total counts every product, not only the region's.
    universe = nation.index.union(wide.columns)
    wide = wide.reindex(columns=universe, fill_value=0.0)
    rca_nation = regional_rca(wide.to_numpy(), nation.reindex(universe).fillna(0.0).to_numpy())  # (R, P)
    specialised = pd.Series((np.nan_to_num(rca_nation) >= 1).sum(axis=1), index=wide.index)
    totals = by_product.groupby("origin_county")[["value_usd", "weight_t"]].sum()
    top = by_product.sort_values("value_usd", ascending=False).drop_duplicates("origin_county").set_index(
        "origin_county")
    frame = base.set_index("county")
    frame["exports_usd"] = totals["value_usd"].reindex(frame.index).fillna(0.0)
    frame["weight_t"] = totals["weight_t"].reindex(frame.index).fillna(0.0)
    frame["products"] = (wide > 0).sum(axis=1).reindex(frame.index).fillna(0).astype(int)
    frame["specialised"] = specialised.reindex(frame.index).fillna(0).astype(int)
    frame["top_product"] = top["heading"].reindex(frame.index).fillna("")
    top = top.assign(name=_named(top.reset_index(), language).to_numpy())
    frame["top_product_name"] = top["name"].reindex(frame.index).fillna("")
    return frame.reset_index().sort_values(["exports_usd", "county"], ascending=[False, True]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The capability profile of a county or of the province
# ---------------------------------------------------------------------------------------------


@dataclass
class Profile:
    scope: str
    scope_kind: str  # "county" or "province"
    name: str
    year: int
    strategy: str
    exports: pd.DataFrame  # heading, name, value_usd, weight_t, share, rca_nation, rca_world
    total_usd: float
    space: ExternalSpace
    world_year: int | None
    eci: float | None  # regional ECI on the world scale (world data only)
    present: set[str] = field(default_factory=set)
    exported: set[str] = field(default_factory=set)
    density: pd.DataFrame = field(default_factory=pd.DataFrame)
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame)
    gap: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_exports(self) -> bool:
        return not self.exports.empty


def scope_lookup(code: str) -> tuple[str, str, str] | None:
    """(code, kind, name) of a county or a province, in the active language's name."""
    county = County.objects.filter(code=code).first()
    if county is not None:
        return county.code, "county", county.name
    province = Province.objects.filter(code=code).first()
    if province is not None:
        return province.code, "province", province.name
    return None


def capability_profile(*, scope: str, year: int, strategy: str = "balanced", language: str = "en",
                       top: int = 25) -> Profile:
    found = scope_lookup(scope)
    if found is None:
        raise LookupError(scope)
    code, kind, name = found
    if strategy not in STRATEGIES:
        strategy = "balanced"
    county = code if kind == "county" else None
    exports = exports_by_origin(year=year, drilldown="heading", language=language, county=county)
    space = external_space(solar_year=year)
    world_year = space.run.year if space.run is not None else None
    profile = Profile(scope=code, scope_kind=kind, name=name, year=year, strategy=strategy,
                      exports=pd.DataFrame(), total_usd=0.0, space=space, world_year=world_year, eci=None)
    profile.gap = capacity_gap(scope=code, scope_kind=kind, language=language)
    if exports.empty or float(exports["value_usd"].sum()) <= 0:
        return profile
    exports = exports[exports["value_usd"] > 0].copy()
    nation = national_exports(year=year)
    # RCA over the nation's whole basket (P_n ⊇ P_r): the reference share of a product is of the nation's total.
    universe = nation.index.union(pd.Index(exports["heading"]))
    own = exports.set_index("heading")["value_usd"].reindex(universe).fillna(0.0).to_numpy()[None, :]  # (1, P_n)
    rca_all = regional_rca(own, nation.reindex(universe).fillna(0.0).to_numpy())[0]  # (P_n,)
    exports["rca_nation"] = pd.Series(rca_all, index=universe).reindex(exports["heading"]).to_numpy()
    if space.world_exports is not None:
        # RCA against the world: the same regional RCA, with the world's exports by product (all
        # products of the run) as the reference. Products the world table lacks are NaN, not zero.
        world_universe = space.world_exports.index.union(pd.Index(exports["heading"]))
        own_world = exports.set_index("heading")["value_usd"].reindex(world_universe).fillna(0.0).to_numpy()
        rca_world = regional_rca(own_world[None, :],  # (1, P_w)
                                 space.world_exports.reindex(world_universe).fillna(0.0).to_numpy())[0]
        exports["rca_world"] = pd.Series(rca_world, index=world_universe).reindex(exports["heading"]).to_numpy()
    else:
        exports["rca_world"] = np.nan
    exports["share"] = exports["value_usd"] / exports["value_usd"].sum()
    exports["name"] = _named(exports, language).to_numpy()
    exports = exports.sort_values("value_usd", ascending=False).reset_index(drop=True)
    profile.exports = exports
    profile.total_usd = float(exports["value_usd"].sum())
    profile.exported = set(exports["heading"].astype(str))
    rca_column = "rca_world" if space.world_exports is not None else "rca_nation"
    present_mask = presence(exports[rca_column].to_numpy(dtype=float)[None, :])[0] > 0
    profile.present = set(exports.loc[present_mask, "heading"].astype(str))
    _opportunities(profile, language=language, top=top)
    return profile


def _opportunities(profile: Profile, *, language: str, top: int) -> None:
    space = profile.space
    m = np.array([[1.0 if p in profile.present else 0.0 for p in space.products]])  # (1, P)
    if m.sum() == 0:
        return
    dens = regional_density(m, space.proximity)  # (1, P)
    if space.run is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DroppedUnitsWarning)
            eci = regional_eci(m, space.pci)[0]
        profile.eci = float(eci) if np.isfinite(eci) else None
    _coi, cog = coi_cog(m, space.pci, space.proximity, dens)  # (1, P)
    names = _heading_names(space.products, language)
    atlas = atlas_product_space()
    atlas_names = dict(zip(atlas.products, atlas.names, strict=True))
    rows = pd.DataFrame({
        "heading": space.products,
        "name": [names.get(p) or atlas_names.get(p, p) for p in space.products],
        "present": m[0] > 0, "density": dens[0], "pci": space.pci, "cog": cog[0]})
    profile.density = rows[~rows["present"]].sort_values("density", ascending=False).head(top).drop(
        columns=["present"]).reset_index(drop=True)
    scores = {name: opportunity_scores(m, dens, space.pci, cog, strategy=name)[0]  # type: ignore[arg-type]
              for name in STRATEGIES}
    rows["score"] = scores[profile.strategy]
    candidates = rows[np.isfinite(rows["score"])].sort_values(["score", "heading"], ascending=[False, True])
    candidates = candidates.drop(columns=["present"]).reset_index(drop=True)
    candidates.insert(0, "rank", np.arange(1, len(candidates) + 1))
    profile.opportunities = candidates


# ---------------------------------------------------------------------------------------------
# Registered capacity against exports
# ---------------------------------------------------------------------------------------------


def capacity_gap(*, scope: str, scope_kind: str, language: str) -> pd.DataFrame:
    """Capacities with a product code next to the exports of the same product, county and year."""
    capacities = Capacity.objects.exclude(hs_code="").select_related("county", "agency")
    capacities = capacities.filter(county_id=scope) if scope_kind == "county" else capacities.filter(
        county__province_id=scope)
    rows: list[dict[str, Any]] = []
    cache: dict[tuple[str, str, int], pd.DataFrame] = {}
    for capacity in capacities.order_by("county_id", "hs_code", "-year"):
        level = HS_LEVEL_BY_DIGITS[len(capacity.hs_code)]
        revision = capacity.hs_revision or "HS12"
        key = (revision, level, capacity.year)
        if key not in cache:
            cache[key] = exports_by_origin(year=capacity.year, drilldown=f"origin_county,{level}",
                                           hs_revision=revision, language=language)
        exports = cache[key]
        match = exports[(exports.get("origin_county") == capacity.county_id) & (exports.get(level) == capacity.hs_code)] \
            if not exports.empty else exports
        exported_t = float(match["weight_t"].sum()) if not match.empty else 0.0
        exported_usd = float(match["value_usd"].sum()) if not match.empty else 0.0
        caption = str(match[f"{level}_caption"].iloc[0]) if not match.empty else ""
        quantity = float(capacity.quantity)
        in_tonnes = capacity.unit in TONNE_UNITS
        rows.append({
            "capacity": capacity.pk, "county": capacity.county_id, "county_name": capacity.county.name,
            "agency": capacity.agency.name, "kind": str(capacity.get_kind_display()), "hs_revision": revision,
            "hs_code": capacity.hs_code, "product": caption or capacity.description[:80], "year": capacity.year,
            "quantity": quantity, "unit": str(capacity.get_unit_display()), "status": str(capacity.get_review_status_display()),
            "exported_t": exported_t, "exported_usd": exported_usd,
            "exported_share": (exported_t / quantity) if in_tonnes and quantity > 0 else np.nan,
            "unexported_t": (quantity - exported_t) if in_tonnes else np.nan,
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# The registry and world data lists
# ---------------------------------------------------------------------------------------------


def capacity_rows_visible_to(user: User) -> QuerySet[Capacity]:
    """The rows this user may read, by the written access policy (docs/access-policy.md, the rule in
    :func:`payesh.core.permissions.capacity_rows_visible_to`; row by row it is ``capabilities.read_capacity``).

    Approved rows: every signed-in user. Drafts, submitted and returned rows: analysts and
    administrators, and the people of the row's own agency.
    """
    return Capacity.objects.filter(permissions.capacity_rows_visible_to(user, status_field="review_status"))


def capacity_list(*, user: User, county: str = "", agency: str = "", kind: str = "", status: str = "",
                  year: int | None = None) -> QuerySet[Capacity]:
    """Rows a user may see (:func:`capacity_rows_visible_to`), filtered."""
    rows = capacity_rows_visible_to(user).select_related("county", "agency", "created_by", "decided_by")
    if county:
        rows = rows.filter(county_id=county)
    if agency:
        rows = rows.filter(agency_id=agency)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(review_status=status)
    if year:
        rows = rows.filter(year=year)
    return rows


def capacity_frame(rows: Iterable[Capacity]) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": c.pk, "county": c.county_id, "county_name": c.county.name, "agency": c.agency_id,
        "kind": c.kind, "hs_revision": c.hs_revision, "hs_code": c.hs_code, "description": c.description,
        "quantity": float(c.quantity), "unit": c.unit, "year": c.year, "month": c.month, "source": c.source,
        "status": c.review_status, "return_reason": c.return_reason,
        "entered_by": c.created_by.username if c.created_by else "", "updated_at": c.updated_at.isoformat(),
    } for c in rows])


#: Ledger readers of world and bilateral trade (their batches are listed on the world page).
WORLD_READERS = ("baci_csv", "comtrade_csv", "atlas_csv", "world_csv")


def world_batches() -> QuerySet[Batch]:
    """Loads of world files in the ledger, newest first (status, rows, who loaded them)."""
    return batch_list().filter(format__in=WORLD_READERS)


def world_coverage() -> pd.DataFrame:
    """World value and rows by source and Gregorian year, from the cube."""
    return complexity.world_coverage()


def world_runs() -> list[WorldRun]:
    return complexity.complexity_runs()


def world_ranking(run_: WorldRun, language: str) -> pd.DataFrame:
    """Countries of a run by ECI, with Persian/English names from the reference data."""
    from payesh.reference.models import Country

    frame = complexity.run_frames(run_)["countries"]
    names = {c.iso3: (c.name_fa if language.startswith("fa") and c.name_fa else c.name_en)
             for c in Country.objects.filter(iso3__in=frame["country"].tolist())}
    frame = frame.assign(country_name=frame["country"].map(names).fillna(frame["country"]))
    frame = frame.sort_values("eci", ascending=False, na_position="last").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[["rank", "country", "country_name", "exports_usd", "diversity", "eci", "coi"]]
