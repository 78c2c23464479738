"""Economic complexity: RCA, presence, ECI/PCI, proximity, density, COI/COG.

Pure numpy/scipy, no Django, no pandas in the hot path. Every step is a function that takes arrays
and returns arrays, called in this order by :func:`complexity_pipeline`::

    values (C, P) ──> rca / rpop ──> presence M ──> drop degenerate units
        ──> ECI/PCI (exact eigenvector) ──> proximity φ ──> density ──> COI / COG

Conventions (each checked against the Harvard Stata ``ecomplexity`` fixtures, see
``tests/analytics/test_complexity_stata.py``):

* **RCA** (Balassa) ``(x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp)``; **RPOP**
  ``(x_cp / pop_c) / (Σ_c x_cp / Σ_c pop_c)``.
* **Presence** ``M_cp = 1`` when the index is ``≥ threshold`` (``inclusive=False`` gives ``>``).
  With both RCA and RPOP, ``M = (RCA ≥ t) OR (RPOP ≥ t')`` as Stata ``rca() rpop()``.
* **ECI/PCI** from the second eigenvector of ``M̃ = D⁻¹ M U⁻¹ Mᵀ`` (D = diversity, U = ubiquity),
  computed with ``numpy.linalg.eigh`` on the symmetric similar matrix of the smaller side. The sign
  makes ECI correlate positively with diversity. Both ECI and PCI are standardised with the mean
  and standard deviation of the *raw ECI*, so that ECI stays the mean PCI of a country's products.
  ``std="stata"`` (default) takes the standard deviation as Stata ``egen sd()`` does over the long
  country × product table: ``ddof = 1`` over ``C·P`` rows, i.e.
  ``sd = sqrt(P · Σ_c (e_c − ē)² / (C·P − 1))``. ``"sample"`` (ddof 1 over countries, as pandas /
  Datawheel / R) and ``"population"`` (ddof 0 over countries, as py-ecomplexity's numpy ``std``)
  are available.
* **Proximity** (product × product, diagonal 0): symmetric ``φ_pq = C_pq / max(k_p, k_q)``;
  asymmetric ``φ_pq = C_pq / k_p`` (P(q | p), the direction of Stata ``genproximity, asym``);
  continuous ``(1 + corr(RCA_·p, RCA_·q)) / 2`` with correlations across countries.
* **Density** ``ω_cp = Σ_q W_cq φ_pq / Σ_q φ_pq`` with ``W = M`` (discrete) or ``W = RCA/RPOP``
  (continuous, as Stata ``cont``). **Distance** ``= Σ_q (1 − M_cq) φ_pq / Σ_q φ_pq``
  (``= 1 − discrete density``).
* **COI** ``Σ_p (1 − M_cp) ω_cp (PCI_p − m̄)`` standardised like ECI; **COG**
  ``(1 − M_cp) Σ_q (1 − M_cq) (PCI_q − m̄) φ_qp / Σ_r φ_qr``, where ``m̄`` is the mean PCI over the
  country × product pairs with ``M = 1`` (0 for the exact eigenvector; kept for reflections).

Degenerate units: countries with no exports or no present product and products with no world trade
or no present country are *dropped* from ECI/PCI, proximity, density, COI and COG. A
:class:`DroppedUnitsWarning` names them, and their rows/columns of those outputs are NaN. RCA,
presence, diversity and ubiquity are still returned for them. Results for the kept units are
exactly those of a run on the cleaned matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

StdConvention = Literal["stata", "sample", "population"]
ComplexityMethod = Literal["eigen", "reflections"]
ProximityKind = Literal["symmetric", "asymmetric", "continuous"]
PresenceTest = Literal["rca", "rpop", "both", "manual"]

__all__ = [
    "ComplexityIndices",
    "ComplexityResult",
    "ComplexityWarning",
    "CountryProductMatrix",
    "DroppedUnitsWarning",
    "UnitFilters",
    "average_years",
    "coi_cog",
    "complexity_indices",
    "complexity_pipeline",
    "continuous_proximity",
    "country_proximity",
    "density",
    "distance",
    "diversity",
    "fitness_complexity",
    "matrix_from_long",
    "presence",
    "proximity",
    "rca",
    "rpop",
    "select_units",
    "standardize",
    "ubiquity",
]


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


class ComplexityWarning(UserWarning):
    """A complexity result is less meaningful than it looks (e.g. a disconnected network)."""


class DroppedUnitsWarning(ComplexityWarning):
    """Countries or products were left out of a computation; ``countries``/``products`` name them."""

    def __init__(self, reason: str, countries: Sequence[str], products: Sequence[str]) -> None:
        self.reason = reason
        self.countries = tuple(countries)
        self.products = tuple(products)
        parts = []
        if self.countries:
            parts.append(f"{len(self.countries)} countr{'y' if len(self.countries) == 1 else 'ies'} "
                         f"{list(self.countries)}")
        if self.products:
            parts.append(f"{len(self.products)} product{'' if len(self.products) == 1 else 's'} "
                         f"{list(self.products)}")
        super().__init__(f"Dropped {' and '.join(parts)}: {reason}. Their results are NaN.")


def _labels(n: int, labels: Sequence[str] | None, prefix: str) -> list[str]:
    if labels is None:
        return [f"{prefix}{i}" for i in range(n)]
    if len(labels) != n:
        raise ValueError(f"{prefix.strip('#')} labels: got {len(labels)} labels for {n} rows/columns")
    return [str(label) for label in labels]


def _warn_dropped(reason: str, country_drop: BoolArray, product_drop: BoolArray,
                  countries: Sequence[str] | None, products: Sequence[str] | None) -> None:
    if not (country_drop.any() or product_drop.any()):
        return
    country_names = _labels(country_drop.size, countries, "country #")
    product_names = _labels(product_drop.size, products, "product #")
    warnings.warn(
        DroppedUnitsWarning(
            reason,
            [country_names[i] for i in np.flatnonzero(country_drop)],
            [product_names[i] for i in np.flatnonzero(product_drop)],
        ),
        stacklevel=3,
    )


# ---------------------------------------------------------------------------------------------
# Inputs: long table → matrix, multi-year windows, filters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryProductMatrix:
    """A dense (C, P) matrix with its row and column labels (sorted)."""

    values: FloatArray  # (C, P) float64
    countries: tuple[str, ...]  # (C,)
    products: tuple[str, ...]  # (P,)


def matrix_from_long(
    frame: pd.DataFrame,
    *,
    country: str = "country",
    product: str = "product",
    value: str = "value",
    year: str | None = None,
    years: Sequence[int] | None = None,
) -> CountryProductMatrix:
    """Build the dense (C, P) matrix from a long table of (country, product, value).

    Duplicate pairs are summed. With ``year`` set, the result is the mean over the years of the
    window (``years``, or every year present): a pair missing in a year counts as 0 that year,
    as the Atlas multi-year averages do. Labels are read as strings and sorted.
    """
    data = frame
    n_years = 1
    if year is not None:
        window = sorted(set(data[year].tolist())) if years is None else list(years)
        data = data[data[year].isin(window)]
        n_years = len(window)
        if n_years == 0:
            raise ValueError("matrix_from_long: the year window is empty")
    country_codes = data[country].astype(str).to_numpy()
    product_codes = data[product].astype(str).to_numpy()
    countries, country_index = np.unique(country_codes, return_inverse=True)
    products, product_index = np.unique(product_codes, return_inverse=True)
    amounts = np.nan_to_num(data[value].to_numpy(dtype=np.float64))
    flat = country_index * products.size + product_index
    values = np.bincount(flat, weights=amounts, minlength=countries.size * products.size)
    values = values.reshape(countries.size, products.size) / n_years  # (C, P) float64
    return CountryProductMatrix(values, tuple(countries.tolist()), tuple(products.tolist()))


def average_years(values_by_year: ArrayLike) -> FloatArray:
    """Mean of a (T, C, P) stack over years, missing (NaN) counted as 0. Apply before RCA."""
    stack = np.nan_to_num(np.asarray(values_by_year, dtype=np.float64))  # (T, C, P)
    if stack.ndim != 3:
        raise ValueError(f"average_years expects a (years, countries, products) array, got {stack.shape}")
    return stack.mean(axis=0)  # (C, P) float64


@dataclass(frozen=True)
class UnitFilters:
    """Which countries and products enter the computation (all thresholds are inclusive).

    The Atlas of Economic Complexity uses roughly: country exports ≥ 1 bn US$, population ≥ 1 m,
    product world trade ≥ 10 m US$ (see :data:`ATLAS_FILTERS`). The default filters nothing.
    """

    min_country_exports: float = 0.0
    min_population: float = 0.0
    min_product_world_trade: float = 0.0
    reliable_countries: frozenset[str] | None = None


ATLAS_FILTERS = UnitFilters(min_country_exports=1e9, min_population=1e6, min_product_world_trade=1e7)


def select_units(
    values: ArrayLike,
    filters: UnitFilters,
    *,
    population: ArrayLike | None = None,
    countries: Sequence[str] | None = None,
) -> tuple[BoolArray, BoolArray]:
    """Masks (countries (C,), products (P,)) of the units that pass ``filters``.

    Product world trade is summed over the countries that pass the country filters.
    """
    x = np.asarray(values, dtype=np.float64)  # (C, P)
    keep_country = np.nansum(x, axis=1) >= filters.min_country_exports  # (C,) bool
    if filters.min_population > 0:
        if population is None:
            raise ValueError("select_units: min_population needs a population vector")
        keep_country &= np.asarray(population, dtype=np.float64) >= filters.min_population
    if filters.reliable_countries is not None:
        if countries is None:
            raise ValueError("select_units: reliable_countries needs country labels")
        keep_country &= np.array([c in filters.reliable_countries for c in countries], dtype=bool)
    world_trade = np.nansum(x[keep_country], axis=0)  # (P,)
    keep_product = world_trade >= filters.min_product_world_trade  # (P,) bool
    return keep_country, keep_product


# ---------------------------------------------------------------------------------------------
# Specialisation indices and presence
# ---------------------------------------------------------------------------------------------


def rca(values: ArrayLike) -> FloatArray:
    """Balassa RCA (C, P). Rows or columns that sum to 0 are NaN (the index is undefined)."""
    x = np.asarray(values, dtype=np.float64)  # (C, P)
    country_total = x.sum(axis=1, keepdims=True)  # (C, 1)
    product_total = x.sum(axis=0, keepdims=True)  # (1, P)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / country_total) / (product_total / product_total.sum())  # (C, P)


def rpop(values: ArrayLike, population: ArrayLike) -> FloatArray:
    """RPOP (C, P): exports per capita relative to the world's exports per capita of the product."""
    x = np.asarray(values, dtype=np.float64)  # (C, P)
    pop = np.asarray(population, dtype=np.float64)  # (C,)
    if pop.shape != (x.shape[0],):
        raise ValueError(f"rpop: population has shape {pop.shape}, expected ({x.shape[0]},)")
    product_total = x.sum(axis=0, keepdims=True)  # (1, P)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / pop[:, None]) / (product_total / pop.sum())  # (C, P)


def presence(
    rca_values: ArrayLike | None = None,
    *,
    threshold: float = 1.0,
    rpop_values: ArrayLike | None = None,
    rpop_threshold: float = 1.0,
    inclusive: bool = True,
) -> FloatArray:
    """Binary presence M (C, P) as 0.0/1.0: RCA ≥ threshold, RPOP ≥ rpop_threshold, or either.

    NaN indices count as absent. ``inclusive=False`` uses a strict ``>``.
    """
    if rca_values is None and rpop_values is None:
        raise ValueError("presence needs rca_values, rpop_values or both")
    compare = np.greater_equal if inclusive else np.greater
    result: BoolArray | None = None
    for index, cut in ((rca_values, threshold), (rpop_values, rpop_threshold)):
        if index is None:
            continue
        with np.errstate(invalid="ignore"):
            present = compare(np.nan_to_num(np.asarray(index, dtype=np.float64)), cut)  # (C, P)
        result = present if result is None else (result | present)
    assert result is not None
    return result.astype(np.float64)


def diversity(m: ArrayLike) -> FloatArray:
    """Number of present products per country (C,)."""
    return np.asarray(m, dtype=np.float64).sum(axis=1)


def ubiquity(m: ArrayLike) -> FloatArray:
    """Number of countries where each product is present (P,)."""
    return np.asarray(m, dtype=np.float64).sum(axis=0)


# ---------------------------------------------------------------------------------------------
# ECI / PCI
# ---------------------------------------------------------------------------------------------


def _spread(mean_deviation_sq_sum: float, n_countries: int, n_products: int,
            std: StdConvention) -> float:
    if std == "stata":
        sd = np.sqrt(n_products * mean_deviation_sq_sum / (n_countries * n_products - 1))
    elif std == "sample":
        sd = np.sqrt(mean_deviation_sq_sum / (n_countries - 1))
    elif std == "population":
        sd = np.sqrt(mean_deviation_sq_sum / n_countries)
    else:
        raise ValueError(f"unknown std convention {std!r}; use 'stata', 'sample' or 'population'")
    # All values equal: standardising gives 0 for everyone, not 0/0.
    return float(sd) if sd > 0 else 1.0


def standardize(country_values: FloatArray, n_products: int,
                std: StdConvention = "stata") -> tuple[float, float]:
    """(mean, sd) of a per-country vector under a std convention (see the module docstring).

    A vector with no spread gets sd 1, so that it standardises to zeros instead of NaN.
    """
    mean = float(country_values.mean())
    sq = float(((country_values - mean) ** 2).sum())
    return mean, _spread(sq, country_values.size, n_products, std)


@dataclass(frozen=True)
class ComplexityIndices:
    eci: FloatArray  # (C,) standardised, NaN for dropped countries
    pci: FloatArray  # (P,) standardised, NaN for dropped products
    eigenvalue: float  # second eigenvalue of M̃ (NaN for reflections)


def _valid_units(m: FloatArray) -> tuple[BoolArray, BoolArray]:
    return m.sum(axis=1) > 0, m.sum(axis=0) > 0


def _eigen_raw(m: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """Raw (kc (C,), kp (P,), λ₂) of M̃ for an M with no empty row or column."""
    d = m.sum(axis=1)  # (C,)
    u = m.sum(axis=0)  # (P,)
    a = m / np.sqrt(d)[:, None] / np.sqrt(u)[None, :]  # (C, P) D^-1/2 M U^-1/2
    # Only the top two eigenpairs are needed: LAPACK syevr with an index range.
    if m.shape[0] <= m.shape[1]:
        s = a @ a.T  # (C, C) symmetric, similar to D^-1 M U^-1 Mᵀ
        vals, vecs = scipy.linalg.eigh(s, subset_by_index=[s.shape[0] - 2, s.shape[0] - 1])
        lam = float(vals[0])
        kc = vecs[:, 0] / np.sqrt(d)  # (C,)
        kp = (m.T @ kc) / u / lam  # (P,) so that kc = D^-1 M kp exactly
    else:
        s = a.T @ a  # (P, P) symmetric, similar to U^-1 Mᵀ D^-1 M
        vals, vecs = scipy.linalg.eigh(s, subset_by_index=[s.shape[0] - 2, s.shape[0] - 1])
        lam = float(vals[0])
        kp = vecs[:, 0] / np.sqrt(u)  # (P,)
        kc = (m @ kp) / d  # (C,)
    if lam > 1.0 - 1e-10:
        warnings.warn(ComplexityWarning(
            "the country–product network is disconnected (second eigenvalue of M̃ is 1): "
            "ECI/PCI only separate the components"), stacklevel=3)
    with np.errstate(invalid="ignore", divide="ignore"):  # equal diversities: no sign information
        corr = np.corrcoef(kc, d)[0, 1] if kc.size > 1 else 1.0
    if np.isfinite(corr) and corr < 0:
        kc, kp = -kc, -kp
    return kc, kp, lam


def _reflections_raw(m: FloatArray, iterations: int) -> tuple[FloatArray, FloatArray]:
    """Hidalgo–Hausmann method of reflections: kc of order iterations−2, kp of order iterations−1."""
    if iterations < 2:
        raise ValueError("reflections need at least 2 iterations")
    d = m.sum(axis=1)  # (C,)
    u = m.sum(axis=0)  # (P,)
    kc, kp = d.copy(), u.copy()
    kc_out = kc
    for step in range(1, iterations):
        kc, kp = (m @ kp) / d, (m.T @ kc) / u
        if step == iterations - 2:
            kc_out = kc
    return kc_out, kp


def complexity_indices(
    m: ArrayLike,
    *,
    method: ComplexityMethod = "eigen",
    std: StdConvention = "stata",
    iterations: int = 20,
    countries: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
) -> ComplexityIndices:
    """ECI (C,) and PCI (P,) from a binary M (see the module docstring for the conventions).

    ``method="reflections"`` runs the method of reflections and standardises ECI and PCI each with
    its own mean and sd (the raw iterates are not on a common scale); signs are fixed so that ECI
    correlates with diversity and a country's mean PCI with its ECI.
    """
    mat = np.asarray(m, dtype=np.float64)  # (C, P) 0/1
    keep_c, keep_p = _valid_units(mat)
    _warn_dropped("no present product (zero diversity) or no present country (zero ubiquity)",
                  ~keep_c, ~keep_p, countries, products)
    eci = np.full(mat.shape[0], np.nan)
    pci = np.full(mat.shape[1], np.nan)
    if keep_c.sum() < 2 or keep_p.sum() < 2:
        warnings.warn(ComplexityWarning("fewer than 2 countries or products left: ECI/PCI are NaN"),
                      stacklevel=2)
        return ComplexityIndices(eci, pci, float("nan"))
    sub = mat[np.ix_(keep_c, keep_p)] if not (keep_c.all() and keep_p.all()) else mat
    n_products = int(keep_p.sum())
    if method == "eigen":
        kc, kp, lam = _eigen_raw(sub)
        mean, sd = standardize(kc, n_products, std)
        eci[keep_c] = (kc - mean) / sd
        pci[keep_p] = (kp - mean) / sd
        return ComplexityIndices(eci, pci, lam)
    if method == "reflections":
        kc, kp = _reflections_raw(sub, iterations)
        mean_c, sd_c = standardize(kc, n_products, std)
        e = (kc - mean_c) / sd_c
        if np.corrcoef(e, sub.sum(axis=1))[0, 1] < 0:
            e = -e
        mean_p = float(kp.mean())
        sd_p = _spread(float(((kp - mean_p) ** 2).sum()), kp.size, sub.shape[0], std)
        q = (kp - mean_p) / sd_p
        if np.corrcoef((sub @ q) / sub.sum(axis=1), e)[0, 1] < 0:
            q = -q
        eci[keep_c] = e
        pci[keep_p] = q
        return ComplexityIndices(eci, pci, float("nan"))
    raise ValueError(f"unknown method {method!r}; use 'eigen' or 'reflections'")


def fitness_complexity(
    m: ArrayLike, *, iterations: int = 20, extremality: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Tacchella et al. fitness (C,) and product complexity (P,), each normalised to mean 1.

    Same recursion as the R package economiccomplexity (v2, ``method = "fitness"``): start from 1,
    ``F⁽ⁿ⁾ = M Q⁽ⁿ⁻¹⁾``, ``Q⁽ⁿ⁾ = 1 / (Mᵀ (1/F⁽ⁿ⁻¹⁾)^γ)^(1/γ)``, each divided by its mean, and the
    result is iterate ``iterations − 1``. Empty rows/columns are dropped (NaN) with a warning.
    """
    mat = np.asarray(m, dtype=np.float64)  # (C, P)
    keep_c, keep_p = _valid_units(mat)
    _warn_dropped("zero diversity or zero ubiquity", ~keep_c, ~keep_p, None, None)
    sub = mat[np.ix_(keep_c, keep_p)]
    fit = np.ones(sub.shape[0])  # (C,)
    comp = np.ones(sub.shape[1])  # (P,)
    for _ in range(1, iterations):
        new_fit = sub @ comp
        new_fit /= new_fit.mean()
        new_comp = 1.0 / (sub.T @ (1.0 / fit) ** extremality) ** (1.0 / extremality)
        new_comp /= new_comp.mean()
        fit, comp = new_fit, new_comp
    fitness = np.full(mat.shape[0], np.nan)
    complexity = np.full(mat.shape[1], np.nan)
    fitness[keep_c] = fit
    complexity[keep_p] = comp
    return fitness, complexity


# ---------------------------------------------------------------------------------------------
# Proximity, density, distance, COI/COG
# ---------------------------------------------------------------------------------------------

_BLOCK = 512  # rows per block when dividing a (P, P) matrix: bounds the temporary at 512·P·8 bytes


def proximity(m: ArrayLike, *, kind: Literal["symmetric", "asymmetric"] = "symmetric") -> FloatArray:
    """Discrete product proximity (P, P), diagonal 0.

    The co-occurrence ``C = MᵀM`` is one float32 BLAS product: counts of a 0/1 matrix are exact in
    float32 up to 2²⁴ countries. Products with zero ubiquity get a zero row and column.
    """
    m32 = np.asarray(m, dtype=np.float32)  # (C, P) 0/1
    co = m32.T @ m32  # (P, P) float32, exact integer counts (syrk)
    k = m32.sum(axis=0, dtype=np.float64)  # (P,) ubiquity
    phi = co.astype(np.float64)  # (P, P)
    del co
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "symmetric":
            for start in range(0, phi.shape[0], _BLOCK):
                stop = start + _BLOCK
                phi[start:stop] /= np.maximum(k[start:stop, None], k[None, :])
        elif kind == "asymmetric":
            phi /= k[:, None]
        else:
            raise ValueError(f"unknown proximity kind {kind!r}")
    if np.any(k == 0):  # 0/0 for products nobody has
        np.nan_to_num(phi, copy=False, nan=0.0)
    np.fill_diagonal(phi, 0.0)
    return phi


def country_proximity(m: ArrayLike) -> FloatArray:
    """Country × country proximity (C, C): ``Σ_p M_cp M_dp / max(k_c, k_d)``, diagonal 0."""
    return proximity(np.asarray(m).T, kind="symmetric")


def continuous_proximity(index: ArrayLike) -> FloatArray:
    """Continuous proximity (P, P) ``(1 + corr) / 2`` of RCA (or RPOP) columns, diagonal 0.

    Columns with zero variance (a product nobody exports) get a zero row and column.
    """
    x = np.nan_to_num(np.asarray(index, dtype=np.float64))  # (C, P)
    centred = x - x.mean(axis=0, keepdims=True)  # (C, P)
    norm = np.sqrt((centred * centred).sum(axis=0))  # (P,)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred /= norm[None, :]
    np.nan_to_num(centred, copy=False)
    phi = centred.T @ centred  # (P, P) correlations
    np.clip(phi, -1.0, 1.0, out=phi)
    phi += 1.0
    phi *= 0.5
    dead = norm == 0
    phi[dead, :] = 0.0
    phi[:, dead] = 0.0
    np.fill_diagonal(phi, 0.0)
    return phi


def density(weights: ArrayLike, phi: FloatArray) -> FloatArray:
    """Density (C, P): ``Σ_q W_cq φ_pq / Σ_q φ_pq``; W is M (discrete) or RCA/RPOP (continuous).

    A product with no proximity to any other (an isolated node: its only exporters export nothing
    else in common) has density 0 rather than 0/0: none of its neighbours is present.
    """
    w = np.asarray(weights, dtype=np.float64)  # (C, P)
    row_sum = phi.sum(axis=1)  # (P,)
    inverse = np.divide(1.0, row_sum, out=np.zeros_like(row_sum), where=row_sum > 0)  # (P,)
    out = w @ phi.T  # (C, P)
    out *= inverse[None, :]
    return out


def distance(m: ArrayLike, phi: FloatArray) -> FloatArray:
    """Distance (C, P): share of p's proximity that leads to products the country lacks."""
    return 1.0 - density(m, phi)


def coi_cog(
    m: FloatArray,
    pci: FloatArray,
    phi: FloatArray,
    dens: FloatArray,
    *,
    std: StdConvention = "stata",
) -> tuple[FloatArray, FloatArray]:
    """(COI (C,), COG (C, P)) for an M with no empty row/column and finite pci.

    COI is standardised with the std convention; ``m̄`` is the mean PCI over pairs with M = 1.
    """
    absent = 1.0 - m  # (C, P)
    pci_centre = float((m @ pci).sum() / m.sum())
    centred = pci - pci_centre  # (P,)
    coi_raw = (absent * dens) @ centred  # (C,)
    mean, sd = standardize(coi_raw, m.shape[1], std)
    coi = (coi_raw - mean) / sd
    row_sum = phi.sum(axis=1)  # (P,)
    # An isolated product (zero proximity row) spreads no gain: weight 0, not 0/0.
    weight = np.divide(centred, row_sum, out=np.zeros_like(centred), where=row_sum > 0)  # (P,)
    cog = absent * ((absent * weight[None, :]) @ phi)  # (C, P)
    return coi, cog


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexityResult:
    """Everything :func:`complexity_pipeline` computes. NaN marks excluded or dropped units."""

    rca: FloatArray  # (C, P) float64, NaN for excluded units
    rpop: FloatArray | None  # (C, P) float64 or None without population
    presence: FloatArray  # (C, P) 0/1
    diversity: FloatArray  # (C,)
    ubiquity: FloatArray  # (P,)
    eci: FloatArray  # (C,)
    pci: FloatArray  # (P,)
    proximity: FloatArray  # (P, P)
    density: FloatArray  # (C, P)
    distance: FloatArray  # (C, P)
    coi: FloatArray  # (C,)
    cog: FloatArray  # (C, P)
    country_included: BoolArray  # (C,) units that entered ECI/PCI and what follows
    product_included: BoolArray  # (P,)
    countries: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None


def _embed(sub: FloatArray, rows: BoolArray, cols: BoolArray, full_rows: bool, full_cols: bool
           ) -> FloatArray:
    if full_rows and full_cols:
        return sub
    out = np.full((rows.size, cols.size), np.nan)
    out[np.ix_(rows, cols)] = sub
    return out


def complexity_pipeline(
    values: ArrayLike,
    *,
    population: ArrayLike | None = None,
    presence_test: PresenceTest = "rca",
    manual_presence: ArrayLike | None = None,
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    inclusive: bool = True,
    proximity_kind: ProximityKind = "symmetric",
    method: ComplexityMethod = "eigen",
    std: StdConvention = "stata",
    filters: UnitFilters | None = None,
    countries: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
) -> ComplexityResult:
    """RCA → M → ECI/PCI → proximity → density → COI/COG for one period's (C, P) matrix.

    ``presence_test``: ``"rca"``, ``"rpop"`` (needs ``population``), ``"both"`` (RCA OR RPOP) or
    ``"manual"`` (``manual_presence`` given as 0/1). With ``proximity_kind="continuous"`` the
    proximity correlates RPOP columns when the test is ``"rpop"`` and RCA columns otherwise, and
    density weights that index, as Stata ``cont``.

    Units removed by ``filters`` are excluded silently (the caller asked); countries with no
    exports, products with no world trade, and then countries/products with an empty row/column
    of M are dropped with a :class:`DroppedUnitsWarning`. RCA is computed on the included units.
    """
    x_full = np.asarray(values, dtype=np.float64)  # (C, P)
    if x_full.ndim != 2:
        raise ValueError(f"complexity_pipeline expects a (countries, products) matrix, got {x_full.shape}")
    if np.any(x_full < 0):
        raise ValueError("complexity_pipeline: export values must be non-negative")
    x_full = np.nan_to_num(x_full)
    n_c, n_p = x_full.shape
    pop_full = None if population is None else np.asarray(population, dtype=np.float64)  # (C,)
    if presence_test in ("rpop", "both") and pop_full is None:
        raise ValueError(f"presence_test={presence_test!r} needs population")
    if presence_test == "manual" and manual_presence is None:
        raise ValueError("presence_test='manual' needs manual_presence")
    if manual_presence is not None and presence_test != "manual":
        raise ValueError("manual_presence is only used with presence_test='manual'")

    # 1. Units: user filters, then units with no trade at all (RCA undefined).
    keep_c = np.ones(n_c, dtype=bool)
    keep_p = np.ones(n_p, dtype=bool)
    if filters is not None:
        keep_c, keep_p = select_units(x_full, filters, population=pop_full, countries=countries)
    if presence_test != "manual":
        no_trade_c = keep_c & ~(x_full[:, keep_p].sum(axis=1) > 0)
        no_trade_p = keep_p & ~(x_full[keep_c].sum(axis=0) > 0)
        _warn_dropped("no exports (country) or no world trade (product)", no_trade_c, no_trade_p,
                      countries, products)
        keep_c &= ~no_trade_c
        keep_p &= ~no_trade_p
    all_c, all_p = bool(keep_c.all()), bool(keep_p.all())
    x = x_full if (all_c and all_p) else x_full[np.ix_(keep_c, keep_p)]  # (C', P')

    # 2. Specialisation and presence on the included units.
    rca_sub = rca(x)  # (C', P')
    rpop_sub = None if pop_full is None else rpop(x, pop_full[keep_c])
    if presence_test == "manual":
        m_in = np.asarray(manual_presence, dtype=np.float64)
        m_sub = m_in if (all_c and all_p) else m_in[np.ix_(keep_c, keep_p)]
    elif presence_test == "rca":
        m_sub = presence(rca_sub, threshold=rca_threshold, inclusive=inclusive)
    elif presence_test == "rpop":
        m_sub = presence(rpop_values=rpop_sub, rpop_threshold=rpop_threshold, inclusive=inclusive)
    elif presence_test == "both":
        m_sub = presence(rca_sub, threshold=rca_threshold, rpop_values=rpop_sub,
                         rpop_threshold=rpop_threshold, inclusive=inclusive)
    else:
        raise ValueError(f"unknown presence_test {presence_test!r}")
    div_sub = diversity(m_sub)  # (C',)
    ubi_sub = ubiquity(m_sub)  # (P',)

    # 3. Empty rows/columns of M leave the network; the warning names them.
    sub_countries = None if countries is None else [c for c, k in zip(countries, keep_c, strict=True) if k]
    sub_products = None if products is None else [p for p, k in zip(products, keep_p, strict=True) if k]
    ok_c, ok_p = div_sub > 0, ubi_sub > 0
    _warn_dropped("no present product (zero diversity) or no present country (zero ubiquity) "
                  "at the threshold used", ~ok_c, ~ok_p, sub_countries, sub_products)
    net_c = keep_c.copy()
    net_c[keep_c] = ok_c
    net_p = keep_p.copy()
    net_p[keep_p] = ok_p
    all_ok = bool(ok_c.all() and ok_p.all())
    m = m_sub if all_ok else m_sub[np.ix_(ok_c, ok_p)]  # (Cn, Pn)

    # 4. ECI/PCI, proximity, density, COI/COG on the network.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedUnitsWarning)  # already reported above
        indices = complexity_indices(m, method=method, std=std)
    eci_n, pci_n = indices.eci, indices.pci
    if proximity_kind == "continuous":
        index_sub = rpop_sub if presence_test == "rpop" else rca_sub
        if index_sub is None:  # manual presence without values is not meaningful here
            raise ValueError("continuous proximity needs RCA or RPOP values")
        weights = index_sub if all_ok else index_sub[np.ix_(ok_c, ok_p)]
        phi = continuous_proximity(weights)
    else:
        weights = m
        phi = proximity(m, kind=proximity_kind)
    dens = density(weights, phi)  # (Cn, Pn)
    # Distance is about presence; with continuous weights the density is not a share of φ.
    dist = 1.0 - (density(m, phi) if proximity_kind == "continuous" else dens)  # (Cn, Pn)
    coi_n, cog_n = coi_cog(m, pci_n, phi, dens, std=std)

    # 5. Back to the full shape.
    def vec(sub: FloatArray, mask: BoolArray) -> FloatArray:
        if mask.all():
            return sub
        out = np.full(mask.size, np.nan)
        out[mask] = sub
        return out

    full_net = bool(net_c.all() and net_p.all())
    return ComplexityResult(
        rca=_embed(rca_sub, keep_c, keep_p, all_c, all_p),
        rpop=None if rpop_sub is None else _embed(rpop_sub, keep_c, keep_p, all_c, all_p),
        presence=np.nan_to_num(_embed(m_sub, keep_c, keep_p, all_c, all_p)),
        diversity=vec(div_sub, keep_c),
        ubiquity=vec(ubi_sub, keep_p),
        eci=vec(eci_n, net_c),
        pci=vec(pci_n, net_p),
        proximity=_embed(phi, net_p, net_p, full_net, full_net),
        density=_embed(dens, net_c, net_p, full_net, full_net),
        distance=_embed(dist, net_c, net_p, full_net, full_net),
        coi=vec(coi_n, net_c),
        cog=_embed(cog_n, net_c, net_p, full_net, full_net),
        country_included=net_c,
        product_included=net_p,
        countries=None if countries is None else tuple(countries),
        products=None if products is None else tuple(products),
    )
