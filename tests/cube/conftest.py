"""Fixtures of the cube parity suite: one lake with facts in three HS revisions, shared by the session.

The lake holds a small synthetic demo data set (Solar Hijri 1400–1402, HS12) plus two tiny files whose
rows carry their own ``hs_revision`` column (HS92 and HS22 codes, some of which split over several
HS12 codes), so every product question also runs the concordance path.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_ROWS = 24_000
DEMO_YEARS = range(1400, 1403)

# Codes that exist in the reference nomenclature of the revision; 290490/721129/721130 (HS92) split
# over two HS12 codes each in the concordance, the rest map one to one.
HS92_CODES = ("290490", "721129", "721130", "100630", "080410", "252329")
HS22_CODES = ("850760", "100630", "271112", "030389")
HEADER = ("flow", "declaration_date", "declaration_id", "line_no", "customs_office", "channel", "border_market",
          "partner", "origin_province", "origin_county", "hs_code", "hs_revision", "net_weight_kg", "value_usd",
          "transport_mode")


@dataclass(frozen=True)
class CubeLake:
    root: Path
    dims: Path


def _revision_file(path: Path, revision: str, codes: tuple[str, ...], rows: int, seed: int) -> Path:
    """A few declaration lines in another HS revision, spread over 1401 and 1402 (Gregorian 2022–2024)."""
    offices = ("MIRJAVEH", "CHABAHAR", "SHAHID_RAJAEE")
    partners = ("PAK", "AFG", "ARE", "IRQ", "CHN", "OMN")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            k = i * 7 + seed
            flow = ("export", "export", "import")[i % 3]
            day = f"{2022 + (i % 3)}-{(k % 12) + 1:02d}-{(k % 27) + 1:02d}"
            own = i % 2 == 0
            writer.writerow([
                flow, day, f"{revision}-{seed}-{i // 2:05d}", i % 2 + 1, offices[k % 3], "customs", "",
                partners[k % 6], "IR-11" if own else "", "IR-11-01" if own and i % 4 == 0 else "",
                codes[i % len(codes)], revision, 1000.0 + 37.5 * (k % 50), 2500.0 + 113.25 * (k % 97), "road"])
    return path


def _known_offices_and_counties(codes) -> None:  # type: ignore[no-untyped-def]
    missing = {"MIRJAVEH", "CHABAHAR", "SHAHID_RAJAEE"} - set(codes.customs_offices)
    assert not missing, f"reference data lacks customs offices {missing}; update tests/cube/conftest.py"


@pytest.fixture(scope="session")
def cube_lake(django_db_setup, django_db_blocker, tmp_path_factory) -> CubeLake:  # type: ignore[no-untyped-def]
    from payesh.cube.engines import DuckDBEngine
    from payesh.ledger import demo_data
    from payesh.ledger.core import Lake, ingest
    from payesh.ledger.services import reference_codes
    from payesh.reference.services import dimensions_write

    base = tmp_path_factory.mktemp("cube")
    root = base / "lake"
    with django_db_blocker.unblock():
        codes = reference_codes()
        dimensions_write(root / "dims")
    _known_offices_and_counties(codes)
    lake = Lake(root)
    files = demo_data.generate(base / "demo", rows=DEMO_ROWS, years=DEMO_YEARS, fmt="parquet")
    for path in files:
        result = ingest(path, lake=lake, codes=codes, hs_revision="HS12")
        assert result.status == "loaded", result.message_en
    # No load-level revision: the rows say which revision they are in (the batch record says None).
    for revision, hs, rows, seed in (("HS92", HS92_CODES, 60, 1), ("HS22", HS22_CODES, 24, 2)):
        path = _revision_file(base / f"{revision.lower()}.csv", revision, hs, rows, seed)
        result = ingest(path, lake=lake, codes=codes)
        assert result.status == "loaded", (result.message_en, [i.message_en for i in result.issues[:5]])
    # The writer's side of a commit (``cube_refresh``): the rollups of this lake version.
    DuckDBEngine(root, root / "dims").refresh()
    return CubeLake(root, root / "dims")


# ------------------------------------------------------------------------------------------ PostgreSQL
PG_ADMIN_URL = os.environ.get("PAYESH_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url() -> str:  # type: ignore[misc]
    """A dedicated database for the parity run (one per process, dropped at the end)."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # any failure to connect means "no server here"
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}")
    name = f"payesh_cube_parity_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
