"""Fixtures of the capability tests: a small synthetic ledger in the test's lake, tiny world files."""

from __future__ import annotations

from pathlib import Path

import pytest

from payesh.ledger.demo_data import generate
from payesh.ledger.services import batch_ingest

YEARS = (1401, 1402)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated once per session; each test loads them into its own empty lake."""
    return generate(tmp_path_factory.mktemp("capabilities-demo"), rows=20_000, years=YEARS, seed=1403)


@pytest.fixture
def ledger(db, demo_files: list[Path], _lake: Path) -> Path:  # type: ignore[no-untyped-def]
    for path in demo_files:
        batch = batch_ingest(path=path)
        assert batch.status == "active", batch.message_en
    return _lake


TINY_WORLD = {
    # country: {HS92 heading: exports in USD}; IRN strong in dates (0804) and fish (0303).
    "IRN": {"0804": 900.0, "0303": 400.0, "2523": 300.0, "0805": 50.0},
    "PAK": {"0804": 200.0, "1006": 800.0, "5205": 500.0, "2523": 100.0},
    "ARE": {"0804": 100.0, "2710": 2000.0, "7108": 900.0, "2523": 50.0},
    "DEU": {"8703": 5000.0, "8708": 3000.0, "3004": 2000.0, "0805": 10.0, "2710": 300.0},
    "CHN": {"8517": 6000.0, "8703": 900.0, "5205": 700.0, "8708": 800.0, "3004": 100.0},
    "IND": {"1006": 900.0, "3004": 1200.0, "5205": 600.0, "2710": 700.0, "0303": 80.0},
}


def write_atlas(path: Path, year: int = 2022) -> Path:
    lines = ["location_code,hs_product_code,year,export_value,import_value"]
    for country, products in TINY_WORLD.items():
        for product, value in products.items():
            lines.append(f"{country},{product},{year},{value},0")
    path.write_text("\n".join(lines) + "\n")
    return path
