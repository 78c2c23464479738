"""The arithmetic of every indicator: pure functions over cube answers (pandas frames), no Django,
no cube calls, so that a KPI, a report or a test can feed them any frame of the same shape.

Each function names the columns it reads; each returns a new frame and never mutates its input.
Percentages are 0–100; shares of a total that is zero are NaN, never a division by zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from payesh.analytics.subnational import regional_rca

# Why a growth rate is missing (the codes are stable; the sentences are in REASONS).
NO_DATA_CURRENT = "no_data_current"
NO_DATA_COMPARISON = "no_data_comparison"
ZERO_BASE = "zero_base"
REASONS: dict[str, tuple[str, str]] = {
    NO_DATA_CURRENT: ("No data has been loaded for this period yet.", "برای این دوره هنوز داده‌ای بارگذاری نشده است."),
    NO_DATA_COMPARISON: ("No data has been loaded for the comparison period.",
                         "برای دوره مقایسه داده‌ای بارگذاری نشده است."),
    ZERO_BASE: ("Nothing was traded in the comparison period, so there is no base to compare with.",
                "در دوره مقایسه تجارتی نبوده است و مبنایی برای مقایسه وجود ندارد."),
}

RECONCILIATION_PARTS = ("through", "origin", "through_and_origin", "through_not_origin", "origin_not_through")


def growth(current: float, previous: float, *, current_loaded: bool = True, previous_loaded: bool = True
           ) -> tuple[float | None, str | None]:
    """Change in percent from ``previous`` to ``current``, or ``(None, reason)``.

    A period the lake holds no month of is "no data", not a fall to zero: without this, a year not
    yet loaded showed "−100 %" against the year before.
    """
    if not current_loaded:
        return None, NO_DATA_CURRENT
    if not previous_loaded:
        return None, NO_DATA_COMPARISON
    if previous == 0 or previous != previous:
        return None, ZERO_BASE
    return 100.0 * (current - previous) / abs(previous), None


def growth_frame(frame: pd.DataFrame, measures: Sequence[str], *, current_loaded: bool = True,
                 previous_loaded: bool = True) -> pd.DataFrame:
    """For each measure ``m`` (columns ``m`` and ``m_previous``): ``m_change_pct`` and ``m_change_reason``."""
    out = frame.copy()
    for m in measures:
        pairs = [growth(float(now), float(before), current_loaded=current_loaded, previous_loaded=previous_loaded)
                 for now, before in zip(out[m], out[f"{m}_previous"].fillna(0.0), strict=True)]
        out[f"{m}_change_pct"] = pd.Series([p[0] for p in pairs], index=out.index, dtype="float64")
        out[f"{m}_change_reason"] = pd.Series([p[1] for p in pairs], index=out.index, dtype="object")
    return out


def reconcile(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    """Trade through the region's customs against trade produced in the region, and their overlap.

    Reads ``office_province``, ``origin_province``, ``value_usd``, ``value_usd_previous``, ``weight_t``
    (one row per pair of provinces). Returns one row per part of ``RECONCILIATION_PARTS`` with
    ``value_usd``, ``value_usd_previous``, ``weight_t``. Identities: through = through_and_origin +
    through_not_origin; origin = through_and_origin + origin_not_through. Rows of unknown origin count
    as "not origin"; rows of an unknown office as "not through".
    """
    through = (frame["office_province"] == region).fillna(False).astype(bool)
    origin = (frame["origin_province"] == region).fillna(False).astype(bool)
    masks = {"through": through, "origin": origin, "through_and_origin": through & origin,
             "through_not_origin": through & ~origin, "origin_not_through": ~through & origin}
    rows = []
    for part in RECONCILIATION_PARTS:
        chosen = frame[masks[part]]
        rows.append({"part": part, "value_usd": float(chosen["value_usd"].sum()),
                     "value_usd_previous": float(chosen["value_usd_previous"].fillna(0.0).sum())
                     if "value_usd_previous" in chosen else float("nan"),
                     "weight_t": float(chosen["weight_t"].sum())})
    return pd.DataFrame(rows)


def unit_values(frame: pd.DataFrame, *, value: str = "value_usd", weight: str = "weight_t") -> pd.DataFrame:
    """``unit_value`` = value / weight in USD per tonne (NaN where nothing was weighed), and for a
    frame with ``<value>_previous`` / ``<weight>_previous`` the previous unit value and its growth."""
    out = frame.copy()
    out["unit_value"] = out[value] / out[weight].where(out[weight] > 0)
    if f"{value}_previous" in out and f"{weight}_previous" in out:
        out["unit_value_previous"] = out[f"{value}_previous"] / out[f"{weight}_previous"].where(
            out[f"{weight}_previous"] > 0)
        pairs = [growth(float(now), float(before)) if now == now else (None, NO_DATA_CURRENT)
                 for now, before in zip(out["unit_value"], out["unit_value_previous"].fillna(0.0), strict=True)]
        out["unit_value_change_pct"] = pd.Series([p[0] for p in pairs], index=out.index, dtype="float64")
        out["unit_value_change_reason"] = pd.Series([p[1] for p in pairs], index=out.index, dtype="object")
    return out


def concentration(frame: pd.DataFrame, *, value: str = "value_usd", top: int = 3) -> pd.DataFrame:
    """Herfindahl–Hirschman index (0–10,000 on shares in percent), the top-``top`` share (%), the
    number of members with trade, and the equivalent number of equal members (10,000 / HHI).

    Members with a value ≤ 0 are left out: a negative or zero flow has no share of a market.
    """
    values = frame[value][frame[value] > 0].astype("float64")
    total = float(values.sum())
    if total <= 0:
        return pd.DataFrame([{"hhi": float("nan"), "top_n": top, "top_share": float("nan"), "members": 0,
                              "equivalent_members": float("nan")}])
    shares = (100.0 * values / total).sort_values(ascending=False)
    hhi = float((shares**2).sum())
    return pd.DataFrame([{"hhi": hhi, "top_n": top, "top_share": float(shares.head(top).sum()),
                          "members": len(shares), "equivalent_members": 10_000.0 / hhi}])


def shares(frame: pd.DataFrame, *, value: str = "value_usd") -> pd.DataFrame:
    """``share`` (%) of each row in the frame's total of ``value``; NaN for every row when the total is 0."""
    out = frame.copy()
    total = float(out[value].sum())
    out["share"] = 100.0 * out[value] / total if total else float("nan")
    return out


def rca_frame(frame: pd.DataFrame, *, region: str, product: str, value: str = "value_usd",
              reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Revealed comparative advantage of each region (column ``region``) in each product (``product``),
    with :func:`payesh.analytics.subnational.regional_rca`.

    ``frame`` has one row per region × product with ``value``. ``reference`` (product, ``value``) is
    the nation's or the world's exports by product; without it the regions are their own reference.
    Returns region, product, value and ``rca`` (NaN where the reference never trades the product).
    """
    known = frame.dropna(subset=[region, product])
    matrix = known.pivot_table(index=region, columns=product, values=value, aggfunc="sum", fill_value=0.0)
    if matrix.empty:
        return pd.DataFrame(columns=[region, product, value, "rca"])
    totals = None
    if reference is not None:
        # The reference's share of a product is over everything the reference trades, including
        # products no region exports: widen the matrix to every product of the reference.
        known_reference = reference.dropna(subset=[product])
        products = matrix.columns.union(pd.Index(known_reference[product].unique())).rename(product)
        matrix = matrix.reindex(columns=products, fill_value=0.0)
        totals = known_reference.groupby(product)[value].sum().reindex(products).fillna(0.0).to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = regional_rca(matrix.to_numpy(np.float64), totals)  # (R, P)
    out = pd.DataFrame(rca, index=matrix.index, columns=matrix.columns).stack(future_stack=True)
    result = out.rename("rca").reset_index()
    result[value] = matrix.stack(future_stack=True).to_numpy()
    result["rca"] = result["rca"].where(np.isfinite(result["rca"]))
    result = result[result[value] > 0]
    return result[[region, product, value, "rca"]].sort_values([region, "rca"], ascending=[True, False],
                                                                 kind="stable").reset_index(drop=True)
