"""Subnational complexity: regions measured against a national or world reference.

Regions (provinces, counties) are too few and too alike to estimate their own PCI, so the
"external" method borrows the national/world product space:

* :func:`regional_rca` — a region's share of a product in its export basket over the product's
  share in a reference total (the nation's or the world's exports).
* :func:`regional_eci` — the mean external PCI of the products a region has, put on the scale of a
  reference (by default the country ECI scale: with Stata-convention PCI, a country's ECI is
  exactly the mean PCI of its products, so the raw regional value is already comparable).
* :func:`regional_density` — density of each region over an external proximity matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from payesh.analytics.complexity import (
    BoolArray,
    DroppedUnitsWarning,
    FloatArray,
    density,
)

__all__ = ["regional_density", "regional_eci", "regional_rca"]


def regional_rca(regional_values: ArrayLike, reference_product_totals: ArrayLike | None = None
                 ) -> FloatArray:
    """RCA (R, P) of regions against a reference: ``(x_rp / Σ_p x_rp) / (X_p / Σ_p X_p)``.

    ``reference_product_totals`` (P,) are the nation's or the world's exports by product. When it
    is None the regions themselves are the reference (``X_p = Σ_r x_rp``), which is the ordinary
    Balassa RCA of the regional matrix. Regions with no exports, or products the reference never
    exports, are NaN.
    """
    x = np.asarray(regional_values, dtype=np.float64)  # (R, P)
    reference = x.sum(axis=0) if reference_product_totals is None else np.asarray(
        reference_product_totals, dtype=np.float64)  # (P,)
    if reference.shape != (x.shape[1],):
        raise ValueError(f"regional_rca: reference has shape {reference.shape}, expected ({x.shape[1]},)")
    region_total = x.sum(axis=1, keepdims=True)  # (R, 1)
    reference_share = reference / reference.sum()  # (P,)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = (x / region_total) / reference_share[None, :]  # (R, P)
    # A product the reference never exports has no reference share: undefined, not infinite.
    rca[:, reference_share == 0] = np.nan
    return rca


def regional_eci(
    regional_presence: ArrayLike,
    external_pci: ArrayLike,
    *,
    reference_mean: float = 0.0,
    reference_std: float = 1.0,
    regions: Sequence[str] | None = None,
) -> FloatArray:
    """Regional ECI (R,): mean external PCI of present products, ``(raw − mean) / std``.

    Products with a NaN external PCI are ignored (not counted as present). Regions left with no
    present product are NaN and named in a :class:`DroppedUnitsWarning`. Pass the mean and sd of
    some other population (e.g. the raw values of the country panel) to re-standardise.
    """
    m = np.asarray(regional_presence, dtype=np.float64)  # (R, P) 0/1
    pci = np.asarray(external_pci, dtype=np.float64)  # (P,)
    if pci.shape != (m.shape[1],):
        raise ValueError(f"regional_eci: pci has shape {pci.shape}, expected ({m.shape[1]},)")
    known = np.isfinite(pci)  # (P,)
    m_known = m * known[None, :]  # (R, P)
    count = m_known.sum(axis=1)  # (R,)
    empty: BoolArray = count == 0
    if empty.any():
        names = [str(regions[int(i)]) if regions is not None else f"region #{i}"
                 for i in np.flatnonzero(empty)]
        warnings.warn(DroppedUnitsWarning("no present product with a known PCI", names, []),
                      stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = (m_known @ np.where(known, pci, 0.0)) / count  # (R,)
    return (raw - reference_mean) / reference_std


def regional_density(regional_weights: ArrayLike, external_proximity: FloatArray) -> FloatArray:
    """Density (R, P) of regions over an external proximity (P, P) with the same product order."""
    w = np.asarray(regional_weights, dtype=np.float64)  # (R, P)
    if external_proximity.shape != (w.shape[1], w.shape[1]):
        raise ValueError(
            f"regional_density: proximity has shape {external_proximity.shape}, "
            f"expected ({w.shape[1]}, {w.shape[1]})")
    return density(w, external_proximity)
