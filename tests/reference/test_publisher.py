"""One publisher of the dimension tables: an admin edit of reference data reaches the cube's numbers.

A customs office moved to another province in the admin counts for the new province on the very
next request to /api/cube (the through scope is ``office_province``, joined through the published
``dim_office`` table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.forms.models import model_to_dict

from payesh.ledger import services as ledger
from payesh.reference.models import BorderMarket, CustomsOffice

LEDGER = (
    "flow,declaration_date,declaration_id,line_no,customs_office,channel,partner,origin_province,hs_code,"
    "hs_revision,net_weight_kg,value_usd,transport_mode\n"
    "export,2023-10-08,P1,1,MIRJAVEH,customs,PAK,IR-11,080410,HS12,24000,19200,road\n"
    "export,2023-10-09,P2,1,CHABAHAR,customs,OMN,IR-11,252329,HS12,30000,1500,sea\n"
    "export,2023-10-09,P3,1,SHAHID_RAJAEE,customs,ARE,IR-22,100630,HS12,20000,14000,sea\n"
)


@pytest.fixture
def loaded(tmp_path: Path, analyst):  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    return batch


def _through(client: Any, province: str) -> float:
    """Exports cleared in ``province``'s customs offices, as the API answers them."""
    response = client.get("/api/cube", {"measures": "exports_usd", "cut": f"office_province:{province}",
                                        "locale": "en"})
    assert response.status_code == 200, response.content
    return float(response.json()["data"][0]["exports_usd"])


def _form_data(obj: Any) -> dict[str, Any]:
    """The admin change form's fields as the browser would post them back unchanged."""
    return {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}


def test_moving_a_customs_office_in_the_admin_changes_the_through_numbers(  # type: ignore[no-untyped-def]
        client, client_for, administrator, loaded, django_capture_on_commit_callbacks) -> None:
    assert CustomsOffice.objects.get(code="SHAHID_RAJAEE").province_id == "IR-22"
    assert _through(client, "IR-11") == 19200 + 1500
    assert _through(client, "IR-22") == 14000
    office = CustomsOffice.objects.get(code="CHABAHAR")
    admin = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/reference/customsoffice/{office.pk}/change/",
                              {**_form_data(office), "province": "IR-22"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CustomsOffice.objects.get(code="CHABAHAR").province_id == "IR-22"
    client.logout()
    assert _through(client, "IR-11") == 19200
    assert _through(client, "IR-22") == 14000 + 1500


def test_deleting_in_the_admin_republishes(client_for, administrator, loaded, settings,  # type: ignore[no-untyped-def]
                                           django_capture_on_commit_callbacks) -> None:
    market = BorderMarket.objects.get(code="BM_MAND_PISHIN")
    dim_market = Path(settings.PAYESH_LAKE) / "dims" / "dim_market.parquet"
    assert "BM_MAND_PISHIN" in pq.read_table(dim_market)["code"].to_pylist()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(f"/admin/reference/bordermarket/{market.pk}/delete/",
                                                  {"post": "yes"})
    assert response.status_code == 302
    assert "BM_MAND_PISHIN" not in pq.read_table(dim_market)["code"].to_pylist()


def test_reference_load_publishes_every_dimension_table(db, settings) -> None:  # type: ignore[no-untyped-def]
    from payesh.cube.dims import DIM_TABLES
    from payesh.reference.services import reference_load

    reference_load()
    dims = Path(settings.PAYESH_LAKE) / "dims"
    counts = {name: pq.read_metadata(dims / f"{name}.parquet").num_rows for name in DIM_TABLES}
    assert counts["dim_office"] == CustomsOffice.objects.count()
    assert counts["dim_market"] == BorderMarket.objects.count()
    assert counts["dim_section"] == 21 and counts["concordance"] > 10_000
