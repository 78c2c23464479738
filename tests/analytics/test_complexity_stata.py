"""Payesh complexity vs the Harvard Stata ``ecomplexity``/``genproximity`` outputs.

Fixtures: ``../shared/data/expected/py_ecomplexity_stata`` (see SOURCE_NOTES.md there). Stata read
``export_val`` as float32, so the inputs are rounded to float32 before the run; everything then
agrees to ``rtol = 1e-9`` (observed ≤ ~1e-11 relative, ≤ 3e-14 absolute), far inside the upstream
py-ecomplexity tolerances (1e-5 / 1e-4).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from payesh.analytics.complexity import (
    ComplexityResult,
    DroppedUnitsWarning,
    complexity_pipeline,
    continuous_proximity,
    matrix_from_long,
    presence,
    proximity,
    rca,
)

pytestmark = pytest.mark.realdata

RTOL = 1e-9
ATOL = 1e-13  # values that are exactly 0 in Stata (e.g. cog of present products)
YEARS = (1995, 1996)


def _trade(stata_dir: Path) -> pd.DataFrame:
    trade = pd.read_csv(stata_dir / "trade_data_sample.csv")
    # Stata stores export_val as float: reproduce its rounding so RCA agrees to 1e-15.
    trade["export_val"] = trade["export_val"].astype(np.float32).astype(np.float64)
    return trade


def _population(stata_dir: Path) -> pd.DataFrame:
    population = pd.read_csv(stata_dir / "population_data_sample.csv")
    # Stata stores population as float too.
    population["population"] = population["population"].astype(np.float32).astype(np.float64)
    return population


def _run_year(
    trade: pd.DataFrame, year: int, *, population: pd.DataFrame | None = None, **options: Any
) -> tuple[ComplexityResult, tuple[str, ...], tuple[str, ...]]:
    rows = trade[trade["year"] == year]
    pop = None
    if population is not None:
        pop_year = population[population["year"] == year].set_index("origin")["population"]
        rows = rows[rows["origin"].isin(pop_year.index)]
    mat = matrix_from_long(rows, country="origin", product="hs92", value="export_val")
    if population is not None:
        pop = pop_year.reindex(list(mat.countries)).to_numpy(dtype=np.float64)
    result = complexity_pipeline(mat.values, population=pop, countries=mat.countries,
                                 products=mat.products, **options)
    return result, mat.countries, mat.products


def _long(result: ComplexityResult) -> dict[str, np.ndarray]:
    """Our outputs in the fixture's row order (origin, hs92), one value per row."""
    n_c, n_p = result.presence.shape
    columns = {
        "rca": result.rca.ravel(),
        "M": result.presence.ravel(),
        "density": result.density.ravel(),
        "cog": result.cog.ravel(),
        "eci": np.repeat(result.eci, n_p),
        "coi": np.repeat(result.coi, n_p),
        "pci": np.tile(result.pci, n_c),
        "diversity": np.repeat(result.diversity, n_p),
        "ubiquity": np.tile(result.ubiquity, n_c),
    }
    if result.rpop is not None:
        columns["rpop"] = result.rpop.ravel()
    return columns


def _expected(stata_dir: Path, name: str, year: int) -> pd.DataFrame:
    frame = pd.read_csv(stata_dir / name)
    return frame[frame["year"] == year].sort_values(["origin", "hs92"]).reset_index(drop=True)


def _assert_columns(ours: dict[str, np.ndarray], expected: pd.DataFrame, columns: list[str],
                    rows: np.ndarray | None = None) -> None:
    for column in columns:
        got = ours[column]
        want = expected[column].to_numpy(dtype=np.float64)
        if rows is not None:
            got, want = got[rows], want[rows]
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=column)


FULL = ["rca", "M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("fixture", "options"),
    [
        ("stata_ground_truth.csv", {}),
        ("stata_rca_05.csv", {"rca_threshold": 0.5}),
        ("stata_discrete_asymmetric.csv", {"proximity_kind": "asymmetric"}),
        ("stata_continuous.csv", {"proximity_kind": "continuous"}),
    ],
)
def test_rca_option_sets_match_stata(stata_dir: Path, fixture: str, options: dict[str, Any],
                                     year: int) -> None:
    result, _, _ = _run_year(_trade(stata_dir), year, **options)
    _assert_columns(_long(result), _expected(stata_dir, fixture, year), FULL)


def test_single_year_matches_stata(stata_dir: Path) -> None:
    result, _, _ = _run_year(_trade(stata_dir), 1995)
    _assert_columns(_long(result), _expected(stata_dir, "stata_single_year_1995.csv", 1995), FULL)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("fixture", "options", "columns"),
    [
        ("stata_rpop_default.csv", {"presence_test": "rpop"},
         ["rpop", "M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]),
        ("stata_rca_rpop_combined.csv", {"presence_test": "both"},
         ["rca", "rpop", "M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]),
        ("stata_continuous_rpop.csv", {"presence_test": "rpop", "proximity_kind": "continuous"},
         ["rpop", "M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]),
    ],
)
def test_rpop_option_sets_match_stata(stata_dir: Path, fixture: str, options: dict[str, Any],
                                      columns: list[str], year: int) -> None:
    result, countries, _ = _run_year(_trade(stata_dir), year, population=_population(stata_dir),
                                     **options)
    assert "blx" not in countries  # no population for Belgium-Luxembourg
    _assert_columns(_long(result), _expected(stata_dir, fixture, year), columns)


@pytest.mark.parametrize("year", YEARS)
def test_manual_presence_matches_stata(stata_dir: Path, year: int) -> None:
    manual = pd.read_csv(stata_dir / "manual_mcp_sample.csv")
    manual = manual[manual["year"] == year]
    m = matrix_from_long(manual, country="origin", product="hs92", value="mcp")
    result, countries, products = _run_year(_trade(stata_dir), year, presence_test="manual",
                                            manual_presence=m.values)
    assert (countries, products) == (m.countries, m.products)
    expected = _expected(stata_dir, "stata_manual_mcp.csv", year).rename(
        columns={"binary_presence": "M"})
    _assert_columns(_long(result), expected,
                    ["M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"])


# At RCA ≥ 2 the remaining network is also disconnected; that ComplexityWarning is expected.
@pytest.mark.filterwarnings("ignore::payesh.analytics.complexity.ComplexityWarning")
@pytest.mark.parametrize("year", YEARS)
def test_rca_2_drops_empty_units_where_stata_gives_up(stata_dir: Path, year: int) -> None:
    """At RCA ≥ 2, deu and ita have no product and many products no country.

    Stata then leaves density/ECI/PCI/COI/COG missing for *every* row. Payesh drops exactly the
    empty units (with a warning that names them) and computes the rest; RCA, M, diversity and
    ubiquity match Stata everywhere.
    """
    expected = _expected(stata_dir, "stata_rca_2.csv", year)
    with pytest.warns(DroppedUnitsWarning) as record:
        result, countries, products = _run_year(_trade(stata_dir), year, rca_threshold=2.0)
    ours = _long(result)
    _assert_columns(ours, expected, ["rca", "M", "diversity", "ubiquity"])
    assert expected[["density", "eci", "pci", "coi", "cog"]].isna().all().all()

    empty_countries = expected.groupby("origin")["M"].sum().loc[lambda s: s == 0].index.tolist()
    empty_products = [str(p) for p in
                      expected.groupby("hs92")["M"].sum().loc[lambda s: s == 0].index.tolist()]
    assert empty_countries == ["deu", "ita"]
    dropped = [w.message for w in record if isinstance(w.message, DroppedUnitsWarning)]
    assert len(dropped) == 1
    assert list(dropped[0].countries) == empty_countries
    assert list(dropped[0].products) == empty_products
    kept_c = np.array([c not in empty_countries for c in countries])
    kept_p = np.array([p not in empty_products for p in products])
    np.testing.assert_array_equal(np.isnan(result.eci), ~kept_c)
    np.testing.assert_array_equal(np.isnan(result.pci), ~kept_p)
    assert np.isfinite(result.density[np.ix_(kept_c, kept_p)]).all()
    assert np.isnan(result.density[~kept_c]).all() and np.isnan(result.cog[:, ~kept_p]).all()


@pytest.mark.parametrize("year", YEARS)
def test_rpop_2_density_matches_stata_for_kept_countries(stata_dir: Path, year: int) -> None:
    """At RPOP ≥ 2 five countries have no product: Stata blanks ECI/PCI/COI/COG for all rows."""
    expected = _expected(stata_dir, "stata_rpop_2.csv", year)
    with pytest.warns(DroppedUnitsWarning, match="deu.*esp.*gbr.*ita.*pol"):
        result, _, _ = _run_year(_trade(stata_dir), year, population=_population(stata_dir),
                                  presence_test="rpop", rpop_threshold=2.0)
    ours = _long(result)
    _assert_columns(ours, expected, ["rpop", "M", "diversity", "ubiquity"])
    kept_rows = ~np.isnan(ours["density"])
    assert kept_rows.sum() == 4 * 30
    _assert_columns(ours, expected, ["density"], rows=kept_rows)
    # Stata's density of an empty country is 0 (it has none of the neighbours); ours is NaN.
    np.testing.assert_allclose(expected["density"].to_numpy()[~kept_rows], 0.0)
    assert expected[["eci", "pci", "coi", "cog"]].isna().all().all()


@pytest.mark.parametrize("year_block", [0, 1])
@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("stata_proximity_discrete_sym.csv", "symmetric"),
        ("stata_proximity_discrete_asym.csv", "asymmetric"),
        ("stata_proximity_continuous.csv", "continuous"),
    ],
)
def test_genproximity_matches_stata(stata_dir: Path, fixture: str, kind: str,
                                    year_block: int) -> None:
    year = YEARS[year_block]
    frame = pd.read_csv(stata_dir / fixture).iloc[900 * year_block: 900 * (year_block + 1)]
    expected = frame.pivot(index="hs92_1", columns="hs92_2", values="proximity")
    rows = _trade(stata_dir)
    mat = matrix_from_long(rows[rows["year"] == year], country="origin", product="hs92",
                           value="export_val")
    assert [str(p) for p in expected.index] == list(mat.products)
    rca_values = rca(mat.values)
    if kind == "continuous":
        phi = continuous_proximity(rca_values)
    else:
        phi = proximity(presence(rca_values), kind=kind)  # type: ignore[arg-type]
    np.testing.assert_allclose(phi, expected.to_numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(("fixture", "options"), [
    ("stata_knn_5.csv", {}), ("stata_knn_10.csv", {}), ("stata_knn_20.csv", {}),
    ("stata_continuous_knn_10.csv", {"proximity_kind": "continuous"}),
])
def test_knn_fixtures_agree_where_knn_plays_no_part(stata_dir: Path, fixture: str, options: dict[str, Any],
                                                     year: int) -> None:
    """Stata's ``knn()`` changes only density and what is built on it (coi, cog): its tie-breaking is
    undocumented (SOURCE_NOTES.md) and Payesh has no kNN density. Everything before density —
    RCA, M, diversity, ubiquity, ECI, PCI — must still be Stata's, and density must differ (else
    the fixture would not be a kNN run at all)."""
    result, _, _ = _run_year(_trade(stata_dir), year, **options)
    ours = _long(result)
    expected = _expected(stata_dir, fixture, year)
    _assert_columns(ours, expected, ["rca", "M", "eci", "pci", "diversity", "ubiquity"])
    assert not np.allclose(ours["density"], expected["density"].to_numpy(dtype=np.float64), rtol=1e-6)


def test_long_table_std_convention_is_what_stata_uses(stata_dir: Path) -> None:
    """ddof=1 over the country × product rows matches; per-country ddof 0 or 1 does not."""
    expected = _expected(stata_dir, "stata_ground_truth.csv", 1995)
    eci_stata = expected.groupby("origin")["eci"].first().to_numpy()
    for std, should_match in (("stata", True), ("sample", False), ("population", False)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result, _, _ = _run_year(_trade(stata_dir), 1995, std=std)
        assert np.allclose(result.eci, eci_stata, rtol=1e-9) is should_match, std
