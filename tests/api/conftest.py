"""Fixtures of the API tests: a small ledger in the lake, tokens, a client that sends one."""

from __future__ import annotations

from pathlib import Path

import pytest

from payesh.ledger import services as ledger

HEADER = ("flow,declaration_date,declaration_id,line_no,customs_office,channel,border_market,partner,"
          "origin_province,origin_county,hs_code,hs_revision,quantity,unit,net_weight_kg,value_usd,transport_mode\n")
# Solar Hijri: 2022-10-08 = 1401/07/16, 2023-03-25 = 1402/01/05, 2023-10-08 = 1402/07/16, 2024-01-10 = 1402/10/20.
LEDGER = HEADER + (
    "export,2022-10-08,A1,1,MIRJAVEH,customs,,PAK,IR-11,,080410,HS12,10000,kg,10000,8000,road\n"
    "export,2022-10-08,A1,2,MIRJAVEH,customs,,PAK,IR-11,,252329,HS12,,,50000,2500,road\n"
    "import,2022-10-08,A2,1,MIRJAVEH,customs,,PAK,,,100630,HS12,,,10000,7000,road\n"
    "export,2023-03-25,B1,1,MIRJAVEH,customs,,AFG,IR-11,,080410,HS12,,,5000,4000,road\n"
    "export,2023-10-08,D1,1,MIRJAVEH,customs,,PAK,IR-11,,080410,HS12,24000,kg,24000,19200,road\n"
    "export,1402/07/16,D2,1,PISHIN,border_market,BM_MAND_PISHIN,PAK,IR-11,IR-11-18,252329,HS12,,,30000,1500,road\n"
    "import,2023-10-09,D3,1,MIRJAVEH,customs,,PAK,,,100630,HS12,,,20000,14000,road\n"
    "export,2024-01-10,E1,1,MIRJAVEH,customs,,AFG,IR-11,,252329,HS12,,,40000,2000,road\n"
    "export,2024-01-10,E1,2,MIRJAVEH,customs,,AFG,IR-11,,100630,HS12,,,1000,900,road\n"
)


@pytest.fixture
def ledger_loaded(tmp_path: Path, analyst):  # type: ignore[no-untyped-def]
    """The nine declaration lines of ``LEDGER`` loaded by the analyst."""
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    return batch


@pytest.fixture
def token_key(analyst) -> str:  # type: ignore[no-untyped-def]
    from payesh.api.services import api_token_create

    _token, key = api_token_create(user=analyst, name="tests")
    return key


@pytest.fixture
def bearer(token_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_key}"}
