"""Payesh vs the R package economiccomplexity (SITC 1998–2000) and Datawheel's test statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from payesh.analytics.complexity import (
    CountryProductMatrix,
    country_proximity,
    density,
    fitness_complexity,
    matrix_from_long,
    presence,
    proximity,
    rca,
)
from payesh.analytics.subnational import regional_eci, regional_rca

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def sitc(shared_data: Path) -> CountryProductMatrix:
    frame = pd.read_csv(shared_data / "trade" / "sitc2_1998_2000_avg.csv", dtype={"product": str})
    return matrix_from_long(frame)


@pytest.fixture(scope="module")
def r_output(shared_data: Path) -> Path:
    return shared_data / "expected" / "economiccomplexity_output"


def _square(frame: pd.DataFrame, a: str, b: str, labels: tuple[str, ...]) -> np.ndarray:
    """Full symmetric matrix from an upper-triangle edge list (absent pairs are 0)."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(labels), len(labels)))
    rows = frame[a].map(index).to_numpy()
    cols = frame[b].map(index).to_numpy()
    out[rows, cols] = frame["proximity"].to_numpy()
    out[cols, rows] = frame["proximity"].to_numpy()
    return out


def test_binary_balassa_matches_economiccomplexity(sitc: CountryProductMatrix, r_output: Path) -> None:
    expected = pd.read_csv(r_output / "balassa_index_nonzero.csv", dtype={"product": str})
    m = presence(rca(sitc.values))
    rows, cols = np.nonzero(m)
    ours = {(sitc.countries[i], sitc.products[j]) for i, j in zip(rows, cols, strict=True)}
    assert ours == set(zip(expected["country"], expected["product"], strict=True))
    assert len(ours) == 31_951


def test_product_proximity_matches_economiccomplexity(sitc: CountryProductMatrix,
                                                      r_output: Path) -> None:
    expected = pd.read_parquet(r_output / "proximity_product_upper.parquet")
    want = _square(expected, "product_1", "product_2", sitc.products)
    np.testing.assert_allclose(np.diag(want), 1.0)  # R keeps C_pp / k_p = 1 on the diagonal
    np.fill_diagonal(want, 0.0)  # Payesh (and Stata) set it to 0
    got = proximity(presence(rca(sitc.values)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_country_proximity_matches_economiccomplexity(sitc: CountryProductMatrix,
                                                      r_output: Path) -> None:
    expected = pd.read_csv(r_output / "proximity_country_upper.csv")
    want = _square(expected, "country_1", "country_2", sitc.countries)
    np.fill_diagonal(want, 0.0)
    got = country_proximity(presence(rca(sitc.values)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_fitness_matches_economiccomplexity(sitc: CountryProductMatrix, r_output: Path) -> None:
    """R ``complexity_measures(method = "fitness")``: 20 iterations, extremality 1, mean 1."""
    fit, comp = fitness_complexity(presence(rca(sitc.values)), iterations=20, extremality=1.0)
    eci = pd.read_csv(r_output / "complexity_index_country.csv").set_index("country")
    pci = pd.read_csv(r_output / "complexity_index_product.csv", dtype={"product": str}
                      ).set_index("product")
    want_c = eci.loc[list(sitc.countries), "complexity_index_country"].to_numpy()
    want_p = pci.loc[list(sitc.products), "complexity_index_product"].to_numpy()
    np.testing.assert_allclose(fit, want_c, rtol=1e-9)
    np.testing.assert_allclose(comp, want_p, rtol=1e-9)


# --- Datawheel (economic-complexity 0.3.0) ---------------------------------------------------


def _datawheel_exports(shared_data: Path) -> CountryProductMatrix:
    frame = pd.read_csv(shared_data / "trade" / "datawheel_fixture_exports.csv", encoding="utf-8-sig")
    return matrix_from_long(frame, country="Exporter Country ID", product="Section ID",
                            value="Trade Value")


@pytest.mark.parametrize(
    ("section", "stats"),
    [
        ("1", {"count": 226, "mean": 3.484895, "std": 8.261088, "min": 0.0, "25%": 0.129100,
               "50%": 0.718371, "75%": 2.165564, "max": 47.724923}),
        ("9", {"count": 226, "mean": 1.959028, "std": 6.469812, "min": 0.0, "25%": 0.040933,
               "50%": 0.267903, "75%": 1.264129, "max": 75.963223}),
    ],
)
def test_rca_reproduces_datawheel_test_statistics(shared_data: Path, section: str,
                                                  stats: dict[str, float]) -> None:
    """The statistics asserted by Datawheel's ``tests/test_rca.py`` (pandas ``describe``, 6 d.p.)."""
    mat = _datawheel_exports(shared_data)
    column = rca(mat.values)[:, mat.products.index(section)]
    described = pd.Series(column).describe().round(6)
    for name, value in stats.items():
        assert described[name] == value, name


def test_cross_check_with_datawheel_package(shared_data: Path) -> None:
    ec = pytest.importorskip("economic_complexity", reason="economic-complexity not installed")
    frame = pd.read_csv(shared_data / "trade" / "datawheel_global_exports.csv")
    table = frame.pivot(index="Country ID", columns="Section ID", values="Trade Value")
    theirs_rca = ec.rca(table)
    ours_rca = rca(table.fillna(0).to_numpy())
    np.testing.assert_allclose(ours_rca, theirs_rca.to_numpy(), rtol=1e-12)
    m = presence(ours_rca)
    phi = proximity(m)
    np.testing.assert_allclose(phi, ec.proximity(theirs_rca).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(density(m, phi), ec.relatedness(theirs_rca).to_numpy(), rtol=1e-12)


def test_subnational_matches_datawheel_external_method(shared_data: Path) -> None:
    """Spanish provinces with an external PCI: mean PCI of present sections, as Datawheel."""
    ec = pytest.importorskip("economic_complexity", reason="economic-complexity not installed")
    world = pd.read_csv(shared_data / "trade" / "datawheel_global_exports.csv")
    world_table = world.pivot(index="Country ID", columns="Section ID", values="Trade Value")
    _, pci = ec.complexity(ec.rca(world_table))
    subnat = pd.read_csv(shared_data / "trade" / "datawheel_subnat_exports.csv")
    table = subnat.pivot(index="Subnat Geography ID", columns="Section ID",
                         values="Trade Value").fillna(0)
    table = table.reindex(columns=world_table.columns, fill_value=0.0)
    theirs_rca = ec.rca(table)
    theirs_eci, _ = ec.complexity_subnational(theirs_rca, pci)
    ours_rca = regional_rca(table.to_numpy())  # national reference = the provinces themselves
    np.testing.assert_allclose(ours_rca, theirs_rca.to_numpy(), rtol=1e-12)
    ours_eci = regional_eci(presence(ours_rca), pci.reindex(table.columns).to_numpy())
    np.testing.assert_allclose(ours_eci, theirs_eci.reindex(table.index).to_numpy(), rtol=1e-12)
    # Against world totals the reference share is the world's: Spain's basket differs from it.
    world_rca = regional_rca(table.to_numpy(), world_table.fillna(0).sum(axis=0).to_numpy())
    assert world_rca.shape == ours_rca.shape and not np.allclose(world_rca, ours_rca)
