"""Unit tests on small hand-computed matrices: maths, failure cases, subnational, opportunities."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from payesh.analytics.complexity import (
    ComplexityWarning,
    DroppedUnitsWarning,
    UnitFilters,
    average_years,
    complexity_indices,
    complexity_pipeline,
    density,
    distance,
    matrix_from_long,
    presence,
    proximity,
    rca,
    rpop,
    select_units,
)
from payesh.analytics.opportunity import OpportunityWeights, opportunity_ranking, opportunity_scores
from payesh.analytics.subnational import regional_density, regional_eci, regional_rca

# ---------------------------------------------------------------- indices and presence


def test_rca_and_rpop_by_hand() -> None:
    values = np.array([[2.0, 2.0], [1.0, 3.0]])  # world totals 3, 5 of 8
    np.testing.assert_allclose(rca(values), [[0.5 / (3 / 8), 0.5 / (5 / 8)],
                                             [0.25 / (3 / 8), 0.75 / (5 / 8)]])
    np.testing.assert_allclose(rpop(values, [1.0, 3.0]), [[2 / (3 / 4), 2 / (5 / 4)],
                                                           [(1 / 3) / (3 / 4), 1 / (5 / 4)]])


def test_presence_threshold_is_inclusive_and_combines_with_or() -> None:
    index = np.array([[1.0, 0.99, np.nan]])
    np.testing.assert_array_equal(presence(index), [[1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(presence(index, inclusive=False), [[0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(
        presence(index, threshold=2.0, rpop_values=np.array([[0.0, 1.5, 0.0]])), [[0.0, 1.0, 0.0]])


# ---------------------------------------------------------------- ECI / PCI

NESTED = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [1, 1, 1, 1]], dtype=float)


def test_eci_is_the_second_eigenvector_of_the_product_matrix() -> None:
    """Independent route: non-symmetric eig of U⁻¹MᵀD⁻¹M, as the Atlas defines PCI."""
    d, u = NESTED.sum(axis=1), NESTED.sum(axis=0)
    mpp = (NESTED / u).T @ (NESTED / d[:, None])
    vals, vecs = np.linalg.eig(mpp)
    kp = np.real(vecs[:, np.argsort(np.real(vals))[-2]])
    kc = NESTED @ kp / d
    result = complexity_indices(NESTED)
    assert result.eigenvalue == pytest.approx(np.sort(np.real(vals))[-2], rel=1e-12)
    sign = np.sign(np.corrcoef(kc, d)[0, 1])
    scale = np.sqrt(4 * ((kc - kc.mean()) ** 2).sum() / (16 - 1))  # Stata: ddof 1 over 4×4 rows
    np.testing.assert_allclose(result.eci, sign * (kc - kc.mean()) / scale, rtol=1e-12)
    np.testing.assert_allclose(result.pci, sign * (kp - kc.mean()) / scale, rtol=1e-12)
    np.testing.assert_allclose(result.eci, [0.89997981, 0.7167844, -1.55647743, -0.06028678],
                               rtol=1e-7)


def test_eci_is_mean_pci_of_present_products_and_sign_follows_diversity() -> None:
    result = complexity_indices(NESTED)
    np.testing.assert_allclose(result.eci, NESTED @ result.pci / NESTED.sum(axis=1), rtol=1e-12)
    assert np.corrcoef(result.eci, NESTED.sum(axis=1))[0, 1] > 0


def test_country_side_and_product_side_solutions_agree() -> None:
    """eigh runs on the smaller side; the transposed problem swaps sides and gives the same."""
    rng = np.random.default_rng(1)
    wide = (rng.random((6, 9)) < 0.5).astype(float)
    wide[:, 0] = 1.0
    wide[0, :] = 1.0
    ours = complexity_indices(wide, std="population")
    tall = complexity_indices(wide.T, std="population")  # countries ↔ products
    # On the transposed problem the "ECI" is our raw PCI up to scale and sign.
    assert abs(np.corrcoef(tall.eci, ours.pci)[0, 1]) == pytest.approx(1.0, abs=1e-12)


def test_reflections_agree_in_ranking_with_the_eigenvector() -> None:
    rng = np.random.default_rng(7)
    size = rng.lognormal(size=40)
    m = (rng.random((40, 60)) < np.clip(size / size.max() + 0.1, 0, 0.95)[:, None]).astype(float)
    eigen = complexity_indices(m)
    reflections = complexity_indices(m, method="reflections", iterations=20)
    assert np.corrcoef(eigen.eci, reflections.eci)[0, 1] > 0.95
    assert np.nanstd(reflections.eci, ddof=0) == pytest.approx(1.0, rel=0.05)


# ---------------------------------------------------------------- proximity, density

SMALL = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1]], dtype=float)  # ubiquity 3, 2, 2


def test_symmetric_and_asymmetric_proximity_by_hand() -> None:
    np.testing.assert_allclose(proximity(SMALL), [[0, 2 / 3, 2 / 3], [2 / 3, 0, 1 / 2],
                                                  [2 / 3, 1 / 2, 0]])
    # φ(p → q) = C_pq / k_p: P(q | p).
    np.testing.assert_allclose(proximity(SMALL, kind="asymmetric"),
                               [[0, 2 / 3, 2 / 3], [1, 0, 1 / 2], [1, 1 / 2, 0]])


def test_density_and_distance_by_hand() -> None:
    phi = proximity(SMALL)
    only_first = np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(density(only_first, phi), [[0.0, 4 / 7, 4 / 7]])
    np.testing.assert_allclose(distance(only_first, phi), [[1.0, 3 / 7, 3 / 7]])


def test_isolated_product_has_density_zero_not_nan() -> None:
    m = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 1]], dtype=float)  # p0 shares no country
    phi = proximity(m)
    np.testing.assert_array_equal(phi[0], 0.0)
    np.testing.assert_allclose(density(m, phi)[:, 0], 0.0)


# ---------------------------------------------------------------- failure cases

VALUES = np.array([
    [10.0, 0.0, 5.0, 0.0, 1.0],
    [0.0, 8.0, 2.0, 0.0, 1.0],
    [3.0, 3.0, 3.0, 0.0, 3.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],  # no exports at all
    [1.0, 6.0, 0.0, 0.0, 4.0],
])  # product 3 has no world trade
COUNTRIES = ["aut", "bel", "che", "zero", "dnk"]
PRODUCTS = ["0101", "0102", "0103", "empty", "0105"]


def test_zero_country_and_empty_product_are_dropped_by_name() -> None:
    with pytest.warns(DroppedUnitsWarning) as record:
        result = complexity_pipeline(VALUES, countries=COUNTRIES, products=PRODUCTS)
    dropped = [w.message for w in record if isinstance(w.message, DroppedUnitsWarning)]
    assert len(dropped) == 1
    assert dropped[0].countries == ("zero",) and dropped[0].products == ("empty",)
    assert "zero" in str(dropped[0]) and "empty" in str(dropped[0])
    np.testing.assert_array_equal(result.country_included, [True, True, True, False, True])
    np.testing.assert_array_equal(result.product_included, [True, True, True, False, True])
    for name in ("eci", "coi"):
        assert np.isnan(getattr(result, name)[3]) and np.isfinite(
            np.delete(getattr(result, name), 3)).all()
    assert np.isnan(result.pci[3]) and np.isfinite(np.delete(result.pci, 3)).all()
    for name in ("density", "distance", "cog", "rca"):
        grid = getattr(result, name)
        assert np.isnan(grid[3]).all() and np.isnan(grid[:, 3]).all(), name
        assert np.isfinite(np.delete(np.delete(grid, 3, axis=0), 3, axis=1)).all(), name


def test_dropping_units_gives_the_results_of_the_cleaned_matrix() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedUnitsWarning)
        full = complexity_pipeline(VALUES)
    clean = complexity_pipeline(np.delete(np.delete(VALUES, 3, axis=0), 3, axis=1))
    np.testing.assert_allclose(np.delete(full.eci, 3), clean.eci, rtol=1e-13)
    np.testing.assert_allclose(np.delete(full.pci, 3), clean.pci, rtol=1e-13)
    np.testing.assert_allclose(np.delete(np.delete(full.cog, 3, 0), 3, 1), clean.cog,
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.delete(np.delete(full.proximity, 3, 0), 3, 1), clean.proximity)


# Without "che", aut shares no product with bel/dnk: the network splits, which is reported too.
@pytest.mark.filterwarnings("ignore::payesh.analytics.complexity.ComplexityWarning")
def test_threshold_that_empties_a_row_drops_that_country() -> None:
    values = np.delete(np.delete(VALUES, 3, axis=0), 3, axis=1)
    # At RCA ≥ 1.5 the balanced exporter "che" keeps no product.
    assert presence(rca(values), threshold=1.5)[2].sum() == 0
    with pytest.warns(DroppedUnitsWarning, match=r"1 country \['che'\]") as record:
        result = complexity_pipeline(values, rca_threshold=1.5,
                                     countries=["aut", "bel", "che", "dnk"])
    assert [w.message.countries for w in record
            if isinstance(w.message, DroppedUnitsWarning)] == [("che",)]
    assert np.isnan(result.eci[2]) and np.isfinite(np.delete(result.eci, 2)).all()
    assert result.diversity[2] == 0 and np.isfinite(result.rca[2]).all()


def test_disconnected_network_warns() -> None:
    blocks = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]], dtype=float)
    with pytest.warns(ComplexityWarning, match="disconnected"):
        complexity_indices(blocks)


def test_negative_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        complexity_pipeline(-VALUES)


# ---------------------------------------------------------------- inputs and filters


def test_matrix_from_long_sums_duplicates_and_averages_years() -> None:
    frame = pd.DataFrame({
        "year": [2019, 2019, 2019, 2020, 2021],
        "country": ["irn", "irn", "pak", "irn", "pak"],
        "product": ["0101", "0101", "0202", "0202", "0101"],
        "value": [1.0, 2.0, 4.0, 6.0, 9.0],
    })
    mat = matrix_from_long(frame, year="year", years=[2019, 2020])
    assert mat.countries == ("irn", "pak") and mat.products == ("0101", "0202")
    np.testing.assert_allclose(mat.values, [[1.5, 3.0], [0.0, 2.0]])
    stack = np.array([[[1.0, np.nan]], [[3.0, 4.0]]])
    np.testing.assert_allclose(average_years(stack), [[2.0, 2.0]])


def test_filters_select_countries_and_products() -> None:
    values = np.array([[5.0, 0.0, 1.0], [1.0, 1.0, 0.0], [9.0, 3.0, 0.5]])
    keep_c, keep_p = select_units(
        values,
        UnitFilters(min_country_exports=3.0, min_population=10.0, min_product_world_trade=1.0,
                    reliable_countries=frozenset({"aut", "che"})),
        population=np.array([20.0, 50.0, 5.0]),
        countries=["aut", "bel", "che"],
    )
    np.testing.assert_array_equal(keep_c, [True, False, False])  # bel too small, che too few people
    np.testing.assert_array_equal(keep_p, [True, False, True])  # world trade over kept countries
    # Each kept country is specialised in two neighbouring products of a ring: a connected network.
    result = complexity_pipeline(np.array([[5.0, 4, 0, 0], [0, 4, 5, 0], [0, 0, 5, 4], [4, 0, 0, 5],
                                           [0.1, 0.1, 0.1, 0.1]]),
                                 filters=UnitFilters(min_country_exports=1.0))
    assert not result.country_included[4] and np.isnan(result.rca[4]).all()
    assert np.isfinite(result.eci[:4]).all()


# ---------------------------------------------------------------- subnational


def test_regional_rca_against_world_totals() -> None:
    regions = np.array([[2.0, 2.0], [1.0, 3.0]])
    np.testing.assert_allclose(regional_rca(regions, [10.0, 30.0]), [[2.0, 2 / 3], [1.0, 1.0]])
    np.testing.assert_allclose(regional_rca(regions), rca(regions))


def test_regional_eci_from_external_pci() -> None:
    m = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    pci = np.array([1.0, -0.5])
    with pytest.warns(DroppedUnitsWarning, match="Qom"):
        eci = regional_eci(m, pci, regions=["Tehran", "Isfahan", "Qom"])
    np.testing.assert_allclose(eci[:2], [1.0, 0.25])
    assert np.isnan(eci[2])
    with pytest.warns(DroppedUnitsWarning):
        standardised = regional_eci(m, pci, reference_mean=0.5, reference_std=0.5)
    np.testing.assert_allclose(standardised[:2], [1.0, -0.5])


def test_regional_density_from_external_proximity() -> None:
    phi = np.array([[0.0, 0.5], [0.5, 0.0]])
    np.testing.assert_allclose(regional_density(np.array([[1.0, 0.0]]), phi), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="proximity has shape"):
        regional_density(np.ones((1, 3)), phi)


# ---------------------------------------------------------------- opportunities

Z = np.sqrt(1.5)  # z-scores of (−1, 0, 1)·s with population sd: ±1.2247


def _opportunities(strategy: object) -> np.ndarray:
    m = np.array([[0.0, 0.0, 0.0, 1.0]])
    dens = np.array([[0.2, 0.4, 0.6, 0.9]])
    pci = np.array([1.0, 0.0, -1.0, 5.0])
    cog = np.array([[0.3, 0.3, 0.3, 0.0]])  # no spread: contributes nothing
    return opportunity_scores(m, dens, pci, cog, strategy=strategy)  # type: ignore[arg-type]


def test_low_hanging_fruit_favours_feasible_products() -> None:
    scores = _opportunities("low_hanging_fruit")
    np.testing.assert_allclose(scores[0, :3], [-0.45 * Z, 0.0, 0.45 * Z], atol=1e-12)
    assert np.isnan(scores[0, 3])  # already exported
    np.testing.assert_array_equal(opportunity_ranking(scores, 0), [2, 1, 0])


def test_long_jumps_balance_feasibility_and_complexity() -> None:
    scores = _opportunities("long_jumps")  # 0.35 feasibility = 0.35 complexity: they cancel
    np.testing.assert_allclose(scores[0, :3], 0.0, atol=1e-15)
    scores = _opportunities(OpportunityWeights(feasibility=0.2, complexity=0.8, opportunity_gain=0.0))
    np.testing.assert_allclose(scores[0, :3], [0.6 * Z, 0.0, -0.6 * Z], atol=1e-12)
    np.testing.assert_array_equal(opportunity_ranking(scores, 0, top=2), [0, 1])


def test_pipeline_feeds_the_opportunity_ranking() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedUnitsWarning)
        result = complexity_pipeline(VALUES)
    scores = opportunity_scores(result.presence, result.density, result.pci, result.cog,
                                strategy="balanced")
    assert np.isnan(scores[result.presence == 1]).all()
    assert np.isnan(scores[3]).all() and np.isnan(scores[:, 3]).all()
    candidates = (result.presence == 0) & result.country_included[:, None] & result.product_included
    assert np.isfinite(scores[candidates]).all()
