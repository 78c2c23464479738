"""Persian names for every HS heading and for the subheadings the demo region trades (issue 10).

The names come from ``payesh/reference/data/hs_names_fa.csv`` (the project's own translation) and
reach the cube through the published ``dim_product`` table, so the API's caption column is Persian.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from payesh.ledger import services as ledger
from payesh.ledger.demo_data import HS_REVISION, hs_codes_used
from payesh.reference import models as ref
from payesh.reference.hs_names import NAMES_FILE, hs_persian_names

PERSIAN_LETTER = re.compile(r"[\u0622-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")
ARABIC_LOOKALIKES = re.compile(r"[\u064A\u0643]")  # Arabic ي and ك: the reference files use ی and ک

LEDGER = (
    "flow,declaration_date,declaration_id,line_no,customs_office,channel,partner,origin_province,hs_code,"
    "hs_revision,net_weight_kg,value_usd,transport_mode\n"
    "export,2023-10-08,N1,1,MIRJAVEH,customs,PAK,IR-11,080410,HS12,24000,19200,road\n"
    "export,2023-10-09,N2,1,CHABAHAR,customs,OMN,IR-11,252329,HS12,30000,1500,sea\n"
    "export,2023-10-09,N3,1,CHABAHAR,customs,IND,IR-11,030617,HS12,2000,9000,sea\n"
    "import,2023-10-10,N4,1,MIRJAVEH,customs,PAK,,100630,HS12,20000,14000,road\n"
)


def test_the_names_file_is_well_formed_and_marked_as_our_translation() -> None:
    with NAMES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["code", "name_fa", "source"]
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "a code is listed twice"
    assert {r["source"] for r in rows} == {"payesh-translation"}
    for row in rows:
        assert PERSIAN_LETTER.search(row["name_fa"]), row
        assert not ARABIC_LOOKALIKES.search(row["name_fa"]), row
        assert "," not in row["name_fa"] and ";" not in row["name_fa"], row  # Persian ، and ؛ only


def test_a_broken_row_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("code,name_fa,source\n0804,خرما,payesh-translation\n08041,انجیر,payesh-translation\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"names\.csv line 3: code '08041'"):
        hs_persian_names(path)


@pytest.mark.django_db
@pytest.mark.parametrize("revision", ["HS92", "HS12", "HS22"])
def test_every_heading_of_every_revision_has_a_persian_name(revision: str) -> None:
    headings = ref.HSProduct.objects.filter(revision=revision, level=4)
    assert headings.count() > 1200
    unnamed = [code for code, name in headings.values_list("code", "name_fa")
               if not PERSIAN_LETTER.search(name or "")]
    assert unnamed == []
    assert headings.get(code="0804").name_fa.startswith("خرما، انجیر، آناناس")


@pytest.mark.django_db
def test_every_subheading_the_demo_region_trades_has_a_persian_name() -> None:
    codes = hs_codes_used()
    named = dict(ref.HSProduct.objects.filter(revision=HS_REVISION, code__in=codes)
                 .values_list("code", "name_fa"))
    assert sorted(named) == codes  # every demo code is a real HS12 subheading
    assert [c for c in codes if not PERSIAN_LETTER.search(named[c])] == []
    assert named["091020"] == "زعفران"


@pytest.mark.django_db
def test_the_cube_captions_every_heading_in_persian(client, analyst, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    response = client.get("/api/cube", {"drilldowns": "heading", "measures": "value_usd", "locale": "fa"})
    assert response.status_code == 200, response.content
    body = response.json()
    captions = [c["name"] for c in body["columns"] if c["kind"] == "caption"]
    assert len(captions) == 1
    rows = body["data"]
    assert {r["heading"] for r in rows} == {"0804", "2523", "0306", "1006"}
    for row in rows:
        assert PERSIAN_LETTER.search(str(row[captions[0]])), row
    by_code = {r["heading"]: r[captions[0]] for r in rows}
    assert by_code["0804"] == hs_persian_names()["0804"]
