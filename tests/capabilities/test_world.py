"""World data through the ledger and the cube, and world complexity as a derived result with provenance.

The issue's "done when": a BACI file with codes 842, 251, 699 and 757 loads through
`payesh ingest --format baci` as a batch, loading it again is refused, and its importers appear in
the answers of /api/cube.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from payesh.analytics.complexity import complexity_pipeline, matrix_from_long
from payesh.capabilities import complexity
from payesh.capabilities.cli import compute_complexity_command, load_world_command
from payesh.cli import app
from payesh.ledger.models import Batch
from payesh.ledger.services import batch_ingest, batch_withdraw
from payesh.reference.models import SourceCountryCode
from tests.capabilities.conftest import TINY_WORLD, write_atlas

pytestmark = pytest.mark.django_db


def _baci(path: Path) -> Path:
    # t,i,j,k,v,q — v in thousands of USD; k written as a number (80410 = HS 080410).
    path.write_text("t,i,j,k,v,q\n"
                    "2022,364,842,80410,1.5,2\n"
                    "2022,364,251,80410,2.5,3\n"
                    "2022,364,699,100630,4.0,20\n"
                    "2022,364,757,252329,0.5,NA\n"
                    "2022,842,364,870323,7.0,1\n", encoding="utf-8")
    return path


def test_source_country_table_knows_each_sources_own_codes() -> None:
    def iso3(source: str, code: str) -> str | None:
        row = SourceCountryCode.objects.filter(source=source, code=code).first()
        return row.iso3 if row else None

    assert [iso3("baci", c) for c in ("842", "251", "699", "757", "490", "364")] == [
        "USA", "FRA", "IND", "CHE", "TWN", "IRN"]
    # The M49 codes BACI replaces by its own are not BACI codes at all.
    assert [iso3("baci", c) for c in ("840", "250", "356", "756")] == [None, None, None, None]
    assert iso3("comtrade", "0") == "WLD" and iso3("comtrade", "842") == "USA" and iso3("atlas", "IRN") == "IRN"
    assert iso3("baci", "0") is None  # BACI has no world rows


def test_source_country_codes_file_is_well_formed() -> None:
    import csv

    from payesh.reference.country_codes import CSV_PATH

    with open(CSV_PATH, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["source", "code", "iso3", "instead_of", "name_en", "note"]
        rows = list(reader)
    assert all(None not in r and None not in r.values() for r in rows)
    keys = [(r["source"], r["code"]) for r in rows]
    assert len(keys) == len(set(keys)) and {r["source"] for r in rows} == {"baci", "comtrade", "atlas"}
    assert all(r["code"].isdigit() and (r["instead_of"] == "" or r["instead_of"].isdigit())
               for r in rows if r["source"] != "atlas")
    assert all(len(r["iso3"]) == 3 and r["iso3"].isupper() and r["name_en"] for r in rows)


def test_baci_loads_through_payesh_ingest_is_refused_twice_and_its_importers_are_in_the_cube(
        tmp_path: Path, client) -> None:  # type: ignore[no-untyped-def]
    path = _baci(tmp_path / "BACI_HS92_Y2022_V202401.csv")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(path), "--format", "baci"])
    assert first.exit_code == 0, first.output
    batch = Batch.objects.get()
    assert (batch.status, batch.format, batch.rows_loaded) == ("active", "baci_csv", 5)
    again = runner.invoke(app, ["ingest", str(path), "--format", "baci"])
    assert again.exit_code == 1
    refused = Batch.objects.exclude(pk=batch.pk).get()
    assert refused.status == "rejected" and [i.rule for i in refused.issues.all()] == ["file_duplicate"]

    response = client.get("/api/cube", {"measures": "value_usd", "drilldowns": "reporter,partner",
                                        "cut": "source:baci", "locale": "en", "format": "json"})
    assert response.status_code == 200, response.content
    rows = {(r["reporter"], r["partner"]): r["value_usd"] for r in response.json()["data"]}
    assert rows == {("IRN", "USA"): 1500.0, ("IRN", "FRA"): 2500.0, ("IRN", "IND"): 4000.0, ("IRN", "CHE"): 500.0,
                    ("USA", "IRN"): 7000.0}
    # World rows never mix into the customs numbers: the default source is the declarations.
    default = client.get("/api/cube", {"measures": "value_usd", "drilldowns": "partner", "format": "json"})
    assert default.status_code == 200 and default.json()["data"] == []


def test_load_world_is_the_same_ledger_path(tmp_path: Path) -> None:
    from rich.console import Console

    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)
    batch_id = load_world_command(write_atlas(tmp_path / "atlas.csv", year=2021), fmt="atlas", console=console)
    batch = Batch.objects.get(pk=batch_id)
    assert (batch.format, batch.status, batch.rows_loaded) == ("atlas_csv", "active",
                                                               sum(len(p) for p in TINY_WORLD.values()))
    with pytest.raises(SystemExit) as refused:
        load_world_command(write_atlas(tmp_path / "atlas.csv", year=2021), fmt="atlas", console=console)
    assert refused.value.code == 1
    with pytest.raises(SystemExit) as unknown:
        load_world_command(tmp_path / "atlas.csv", fmt="nope", console=console)
    assert unknown.value.code == 2
    console.file.close()
    rejected = Batch.objects.get(status="rejected")
    assert [i.rule for i in rejected.issues.all()] == ["file_duplicate"]
    assert rejected.message_en.split(".")[0] in (tmp_path / "out.txt").read_text().replace("\n", " ")


def test_complexity_run_is_a_derived_result_with_provenance_matching_the_pipeline(tmp_path: Path) -> None:
    batch = batch_ingest(path=write_atlas(tmp_path / "atlas.csv"), fmt="atlas_csv")
    assert batch.status == "active", batch.message_en
    stages: list[str] = []
    record = complexity.complexity_compute(year=2022, progress=lambda stage, done: stages.append(stage))
    assert stages[-1] == "done"
    assert record.provenance["source"] == "atlas" and record.provenance["year"] == 2022
    assert record.batches == (batch.pk,)
    assert record.provenance["filters"]["hs_revision"] == "HS92"
    run_ = complexity.run_nearest(2022)
    assert run_ is not None and run_.id == record.id and not run_.stale
    frames = complexity.run_frames(run_)
    long = pd.DataFrame([(c, p, v) for c, ps in TINY_WORLD.items() for p, v in ps.items()],
                        columns=["country", "product", "value"])
    matrix = matrix_from_long(long)
    expected = complexity_pipeline(matrix.values, countries=matrix.countries, products=matrix.products)
    countries = frames["countries"].set_index("country").loc[list(matrix.countries)]
    np.testing.assert_allclose(countries["eci"].to_numpy(), expected.eci, rtol=1e-9, equal_nan=True)
    products = frames["products"].set_index("product").loc[list(matrix.products)]
    np.testing.assert_allclose(products["pci"].to_numpy(), expected.pci, rtol=1e-9, equal_nan=True)
    phi = complexity.run_proximity(run_, list(matrix.products))
    np.testing.assert_allclose(phi, np.nan_to_num(expected.proximity), atol=1e-6)
    rca = frames["rca"].set_index(["country", "product"])["rca"]
    assert rca[("IRN", "0804")] == pytest.approx(
        (900 / 1650) / (1200 / sum(sum(p.values()) for p in TINY_WORLD.values())))
    # Withdrawing the batch it was computed from makes the run stale: pages stop using it.
    batch_withdraw(batch_id=batch.pk)
    assert complexity.complexity_runs()[0].stale and complexity.run_nearest(2022) is None


def test_world_exports_take_world_rows_where_given_else_sum_partners(tmp_path: Path) -> None:
    # Comtrade: IRN has a World row and partner rows (already inside it); PAK only partner rows.
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "typeCode,freqCode,period,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,netWgt,primaryValue\n"
        "C,A,2022,364,X,0,H0,080410,,1000\n"
        "C,A,2022,364,X,586,H0,080410,,400\n"
        "C,A,2022,586,X,364,H0,100630,,300\n"
        "C,A,2022,586,X,4,H0,100630,,200\n"
        "C,A,2022,586,M,4,H0,252329,,999\n", encoding="utf-8")
    assert batch_ingest(path=path, fmt="comtrade").status == "active"
    frame, batches, questions = complexity.world_exports(source="comtrade", year=2022)
    got = {(r.country, r.product): r.value_usd for r in frame.itertuples()}
    assert got == {("IRN", "0804"): 1000.0, ("PAK", "1006"): 500.0}
    assert len(batches) == 1 and questions["to_world"]["cut"].endswith("partner:WLD")


def test_complexity_of_a_year_without_data_is_refused() -> None:
    with pytest.raises(complexity.WorldDataError, match="load-world"):
        complexity.complexity_compute(year=1999)
    with pytest.raises(complexity.WorldDataError, match="unknown world source"):
        complexity.complexity_compute(year=2022, source="nope")


def test_compute_command_without_a_year_computes_every_year_of_the_source(tmp_path: Path) -> None:
    from rich.console import Console

    batch_ingest(path=write_atlas(tmp_path / "a2021.csv", year=2021), fmt="atlas_csv")
    batch_ingest(path=write_atlas(tmp_path / "a2022.csv", year=2022), fmt="atlas_csv")
    console = Console(file=open(tmp_path / "out.txt", "w"), width=160)
    ids = compute_complexity_command(console=console)
    console.file.close()
    assert sorted(r.year for r in complexity.complexity_runs() if r.id in ids) == [2021, 2022]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_world_page_with_and_without_data(client_for, viewer, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(viewer)
    client.cookies["payesh_language"] = language
    empty = client.get("/capabilities/world/")
    assert empty.status_code == 200 and b'data-testid="empty"' in empty.content
    batch = batch_ingest(path=write_atlas(tmp_path / "atlas.csv"), fmt="atlas_csv")
    complexity.complexity_compute(year=2022)
    page = client.get("/capabilities/world/")
    assert page.status_code == 200 and f'lang="{language}"'.encode() in page.content
    assert b'data-testid="ranking"' in page.content and batch.pk.encode() in page.content
    english = "Each world file is a batch of the trade ledger"
    if language == "fa":
        assert english not in page.content.decode()  # translated through the catalog
        assert "BACI" in page.content.decode() and "دفتر تجارت" in page.content.decode()
    else:
        assert english in page.content.decode()
    coverage = pd.read_csv(pd.io.common.StringIO(
        client.get("/capabilities/world/?download=csv&table=coverage").content.decode("utf-8-sig")))
    assert coverage[["source", "gyear"]].values.tolist() == [["atlas", 2022]]
    assert coverage["value_usd"].item() == pytest.approx(sum(sum(p.values()) for p in TINY_WORLD.values()))
    eci = client.get("/capabilities/world/?download=csv&table=eci").content.decode("utf-8-sig")
    assert eci.splitlines()[0].startswith("rank,country,") and "IRN" in eci
    runs = json.loads(client.get("/capabilities/world/?download=json&table=runs").content)
    runs = runs if isinstance(runs, list) else runs.get("data", runs)
    assert [r["batches"] for r in runs] == [batch.pk]


@pytest.mark.realdata
@pytest.mark.slow
def test_real_atlas_2016_through_the_ledger_and_cube_gives_the_complexity_of_the_file_itself() -> None:
    """The Atlas 2016 extract (../shared/data) loaded as a batch and computed through the cube equals
    the pipeline run on the file directly, restricted to the rows the reference knows."""
    from payesh.reference.models import Country, HSProduct
    from tests.conftest import shared_data_dir

    path = shared_data_dir() / "trade" / "atlas_2016_hs92_4digit.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found (set PAYESH_SHARED_DATA to the shared data folder)")
    batch = batch_ingest(path=path, fmt="atlas", policy="quarantine")
    assert batch.status == "active", batch.message_en
    record = complexity.complexity_compute(year=2016)
    assert record.provenance["source"] == "atlas" and record.batches == (batch.pk,)

    raw = pd.read_csv(path, dtype=str)
    raw["export_value_usd"] = raw["export_value_usd"].astype(float)
    countries = set(Country.objects.values_list("iso3", flat=True))
    headings = set(HSProduct.objects.filter(revision="HS92", level=4).values_list("code", flat=True))
    known = raw[raw["iso3"].isin(countries) & raw["hs92_4digit"].isin(headings)]
    assert batch.rows_loaded == len(known) and batch.rows_quarantined == len(raw) - len(known)
    matrix = matrix_from_long(known, country="iso3", product="hs92_4digit", value="export_value_usd")
    expected = complexity_pipeline(matrix.values, countries=matrix.countries, products=matrix.products)
    frames = complexity.run_frames(complexity.run_nearest(2016))  # type: ignore[arg-type]
    got = frames["countries"].set_index("country").loc[list(matrix.countries)]
    np.testing.assert_allclose(got["exports_usd"].to_numpy(), matrix.values.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(got["eci"].to_numpy(), expected.eci, rtol=1e-9, atol=1e-12, equal_nan=True)
    pci = frames["products"].set_index("product").loc[list(matrix.products), "pci"].to_numpy()
    np.testing.assert_allclose(pci, expected.pci, rtol=1e-9, atol=1e-12, equal_nan=True)
    # Japan and Germany lead the 2016 Atlas ranking; Iran sits in the middle.
    ranking = got["eci"].sort_values(ascending=False)
    assert set(ranking.index[:3]) & {"JPN", "DEU", "CHE"} and 0 < list(ranking.index).index("IRN") < len(ranking) - 20
