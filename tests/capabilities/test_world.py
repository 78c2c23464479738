"""World loaders (Atlas, BACI, Comtrade) on tiny files the tests write, and world complexity on a tiny world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from payesh.analytics.complexity import complexity_pipeline, matrix_from_long
from payesh.capabilities import world
from payesh.capabilities.cli import compute_complexity_command, load_world_command
from payesh.capabilities.models import ComplexityRun, WorldDataset
from tests.capabilities.conftest import TINY_WORLD, write_atlas

pytestmark = pytest.mark.django_db


def _stored(dataset: WorldDataset) -> pd.DataFrame:
    return world.world_table(dataset).sort_values(["country", "product"]).reset_index(drop=True)


def test_atlas_file_is_stored_as_hs92_headings(tmp_path: Path) -> None:
    dataset = world.world_load(path=write_atlas(tmp_path / "atlas.csv"), fmt="atlas")
    table = _stored(dataset)
    assert dataset.years == [2022] and dataset.countries == 6 and dataset.source_revision == "HS92"
    assert dataset.rows == sum(len(p) for p in TINY_WORLD.values())
    assert table.loc[(table["country"] == "IRN") & (table["product"] == "0804"), "value_usd"].item() == 900.0
    assert (world.world_dir() / dataset.path).exists()
    assert dataset.total_usd == pytest.approx(sum(sum(p.values()) for p in TINY_WORLD.values()))


def test_baci_file_maps_numeric_exporters_and_sums_to_headings(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS92_Y2021.csv"
    # t,i,j,k,v,q — v in thousands of USD; k loses its leading zero as BACI writes it; 251 = France in BACI.
    path.write_text("t,i,j,k,v,q\n"
                    "2021,364,586,80410,1.5,10\n"
                    "2021,364,4,80410,0.5,3\n"
                    "2021,364,586,30389,2.0,1\n"
                    "2021,586,364,100630,4.0,20\n"
                    "2021,251,364,870323,7.0,1\n")
    dataset = world.world_load(path=path, fmt="baci")
    table = _stored(dataset)
    got = {(r.country, r.product): r.value_usd for r in table.itertuples()}
    assert got == {("IRN", "0804"): 2000.0, ("IRN", "0303"): 2000.0, ("PAK", "1006"): 4000.0,
                   ("FRA", "8703"): 7000.0}


def test_comtrade_file_keeps_exports_to_the_world_only(tmp_path: Path) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text("refYear,reporterISO,flowCode,partnerCode,classificationCode,cmdCode,primaryValue\n"
                    "2022,IRN,X,0,H0,080410,1000\n"
                    "2022,IRN,X,586,H0,080410,400\n"  # a partner row: already inside the World row
                    "2022,IRN,M,0,H0,100630,999\n"  # an import
                    "2022,IRN,X,0,H0,TOTAL,5000\n"  # an aggregate
                    "2022,PAK,X,0,H0,100630,700\n")
    dataset = world.world_load(path=path, fmt="comtrade")
    table = _stored(dataset)
    assert list(zip(table["country"], table["product"], table["value_usd"], strict=True)) == [
        ("IRN", "0804", 1000.0), ("PAK", "1006", 700.0)]


def test_comtrade_hs12_file_is_converted_with_the_concordance(tmp_path: Path) -> None:
    path = tmp_path / "comtrade-h4.csv"
    path.write_text("refYear,reporterISO,flowCode,partnerCode,classificationCode,cmdCode,primaryValue\n"
                    "2022,IRN,X,0,H4,080410,1000\n")
    dataset = world.world_load(path=path, fmt="comtrade")
    assert dataset.source_revision == "HS12"
    table = _stored(dataset)
    assert table["value_usd"].sum() == pytest.approx(1000.0)  # the weights of one code sum to 1
    assert set(table["product"]) == {"0804"}


def test_a_file_without_the_columns_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(world.WorldDataError, match="BACI"):
        world.world_load(path=path, fmt="baci")
    with pytest.raises(world.WorldDataError, match="country column"):
        world.world_load(path=path, fmt="atlas")
    assert not WorldDataset.objects.exists()


def test_complexity_compute_matches_the_pipeline_on_a_tiny_world(tmp_path: Path) -> None:
    dataset = world.world_load(path=write_atlas(tmp_path / "atlas.csv"), fmt="atlas")
    stages: list[str] = []
    run = world.complexity_compute(year=2022, progress=lambda stage, done: stages.append(stage))
    assert stages[-1] == "done" and run.dataset == dataset
    frames = world.run_frames(run)
    long = pd.DataFrame([(c, p, v) for c, ps in TINY_WORLD.items() for p, v in ps.items()],
                        columns=["country", "product", "value"])
    matrix = matrix_from_long(long)
    expected = complexity_pipeline(matrix.values, countries=matrix.countries, products=matrix.products)
    countries = frames["countries"].set_index("country").loc[list(matrix.countries)]
    np.testing.assert_allclose(countries["eci"].to_numpy(), expected.eci, rtol=1e-9, equal_nan=True)
    products = frames["products"].set_index("product").loc[list(matrix.products)]
    np.testing.assert_allclose(products["pci"].to_numpy(), expected.pci, rtol=1e-9, equal_nan=True)
    phi = world.run_proximity(run, list(matrix.products))
    np.testing.assert_allclose(phi, np.nan_to_num(expected.proximity), atol=1e-6)
    rca = frames["rca"].set_index(["country", "product"])["rca"]
    assert rca[("IRN", "0804")] == pytest.approx(
        (900 / 1650) / (1200 / sum(sum(p.values()) for p in TINY_WORLD.values())))


def test_complexity_of_a_year_without_data_is_refused() -> None:
    with pytest.raises(world.WorldDataError, match="load-world"):
        world.complexity_compute(year=1999)


def test_cli_functions_load_and_compute(tmp_path: Path) -> None:
    from rich.console import Console

    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)
    dataset_id = load_world_command(write_atlas(tmp_path / "atlas.csv", year=2021), fmt="atlas", console=console)
    assert WorldDataset.objects.filter(pk=dataset_id).exists()
    run_ids = compute_complexity_command(console=console)
    assert [r.year for r in ComplexityRun.objects.filter(pk__in=run_ids)] == [2021]
    console.file.close()
    assert "2021" in (tmp_path / "out.txt").read_text()
    with pytest.raises(SystemExit):
        load_world_command(tmp_path / "missing.csv", fmt="atlas", console=Console(file=open(tmp_path / "e.txt", "w")))


@pytest.mark.parametrize("language", ["fa", "en"])
def test_world_page_with_and_without_data(client_for, viewer, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(viewer)
    client.cookies["payesh_language"] = language
    empty = client.get("/capabilities/world/")
    assert empty.status_code == 200 and b'data-testid="empty"' in empty.content
    world.world_load(path=write_atlas(tmp_path / "atlas.csv"), fmt="atlas")
    world.complexity_compute(year=2022)
    page = client.get("/capabilities/world/")
    assert page.status_code == 200 and b'data-testid="ranking"' in page.content
    eci = client.get("/capabilities/world/?download=csv&table=eci").content.decode("utf-8-sig")
    assert eci.splitlines()[0].startswith("rank,country,") and "IRN" in eci
