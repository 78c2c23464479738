"""The ledger through Django: services, pages, permissions, tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payesh.ledger import services
from payesh.ledger.core import Lake, duckdb_connect
from payesh.ledger.models import Batch

HEADER = ("flow,declaration_date,declaration_id,line_no,customs_office,channel,border_market,partner,"
          "origin_province,origin_county,hs_code,hs_revision,quantity,unit,net_weight_kg,value_usd,transport_mode\n")
GOOD = HEADER + (
    "export,2023-10-08,D1,1,MIRJAVEH,customs,,PAK,IR-11,,080410,HS12,24000,kg,24000,19200,road\n"
    "export,1402/07/16,D2,1,PISHIN,border_market,BM_MAND_PISHIN,PAK,IR-11,IR-11-18,252329,HS12,,,30000,1500,road\n"
    "import,2023-10-09,D3,1,MIRJAVEH,customs,,PAK,,,100630,HS12,,,20000,14000,road\n"
)
BAD = HEADER + (
    "export,2023-10-08,D9,1,MIRJAVEH,customs,,XXX,IR-11,,080410,HS12,24000,kg,24000,19200,road\n"
    "export,2023-10-08,D9,2,NOWHERE,customs,,PAK,IR-11,,999999,HS12,24000,kg,-5,19200,road\n"
)


@pytest.fixture
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _facts_value(lake_root: Path) -> float:
    con = duckdb_connect()
    Lake(lake_root).create_facts_view(con)
    return float(con.execute("select coalesce(sum(value_usd), 0) from facts").fetchone()[0])  # type: ignore[index]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_ingest_loads_a_good_file_and_refuses_it_the_second_time(tmp_path, analyst, settings) -> None:
    path = _write(tmp_path, "good.csv", GOOD)
    batch = services.batch_ingest(path=path, user=analyst)
    assert batch.status == "active" and batch.rows_loaded == 3 and batch.created_by == analyst
    assert len(batch.sha256) == 64
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(34700)
    again = services.batch_ingest(path=path, user=analyst)
    assert again.status == "rejected"
    assert again.issues.get().rule == "file_duplicate"
    assert batch.id in again.message_en or batch.id in again.issues.get().message_en
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(34700)


@pytest.mark.django_db
def test_a_bad_file_is_rejected_whole_with_row_level_findings_in_both_languages(tmp_path, settings) -> None:
    batch = services.batch_ingest(path=_write(tmp_path, "bad.csv", BAD))
    assert batch.status == "rejected" and batch.rows_loaded == 0
    rules = {(i.row, i.rule) for i in batch.issues.all()}
    assert {r for _, r in rules} >= {"partner_unknown", "office_unknown", "hs_unknown", "value_negative"}
    assert all(i.message_fa and i.message_en for i in batch.issues.all())
    assert (2, "partner_unknown") in rules and (3, "office_unknown") in rules
    assert _facts_value(settings.PAYESH_LAKE) == 0


@pytest.mark.django_db
def test_quarantine_policy_loads_the_valid_rows(tmp_path) -> None:
    text = GOOD + BAD.split("\n", 1)[1]
    batch = services.batch_ingest(path=_write(tmp_path, "mixed.csv", text), policy="quarantine")
    assert batch.status == "active" and batch.rows_loaded == 3 and batch.rows_quarantined == 2


@pytest.mark.django_db
def test_withdrawn_batch_disappears_from_the_numbers_and_comes_back_on_restore(tmp_path, analyst, settings) -> None:
    batch = services.batch_ingest(path=_write(tmp_path, "good.csv", GOOD))
    services.batch_withdraw(batch_id=batch.id, user=analyst)
    assert Batch.objects.get(pk=batch.id).status == "withdrawn"
    assert _facts_value(settings.PAYESH_LAKE) == 0
    services.batch_restore(batch_id=batch.id, user=analyst)
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(34700)


@pytest.mark.django_db
def test_overlapping_rows_of_a_second_file_never_double_count(tmp_path, settings) -> None:
    services.batch_ingest(path=_write(tmp_path, "first.csv", GOOD))
    overlap = services.batch_ingest(path=_write(tmp_path, "second.csv", GOOD + "\n"))
    assert overlap.status == "rejected"
    assert {i.rule for i in overlap.issues.exclude(severity="info")} == {"duplicate_key"}
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(34700)


@pytest.mark.django_db
def test_analyst_uploads_through_the_page_and_sees_the_report(client_for, analyst, immediate_tasks) -> None:
    client = client_for(analyst)
    assert client.get(reverse("ledger:upload")).status_code == 200
    response = client.post(reverse("ledger:upload"), {
        "file": SimpleUploadedFile("bad.csv", BAD.encode()), "policy": "reject", "format": "", "hs_revision": ""})
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert batch.status == "rejected"
    page = client.get(response["Location"])
    assert "partner_unknown" in page.content.decode()
    report = client.get(reverse("ledger:batch_report", args=[batch.id, "csv"]))
    assert report.status_code == 200 and b"partner_unknown" in report.content
    xlsx = client.get(reverse("ledger:batch_report", args=[batch.id, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    status = client.get(reverse("ledger:batch_status", args=[batch.id])).json()
    assert status["finished"] is True and status["status"] == "rejected"


@pytest.mark.django_db
def test_viewer_can_list_batches_but_cannot_upload_or_withdraw(client_for, viewer, tmp_path) -> None:
    batch = services.batch_ingest(path=_write(tmp_path, "good.csv", GOOD))
    client = client_for(viewer)
    assert client.get(reverse("ledger:batches")).status_code == 200
    assert client.get(reverse("ledger:upload")).status_code == 403
    assert client.post(reverse("ledger:batch_withdraw", args=[batch.id])).status_code == 403
    assert Batch.objects.get(pk=batch.id).status == "active"


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_sign_in(client) -> None:
    response = client.get(reverse("ledger:batches"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_the_headers_of_each_language(client, language: str, fmt: str) -> None:
    response = client.get(reverse("ledger:template", args=[language, fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert ("تاریخ اظهار" if language == "fa" else "declaration_date") in text.splitlines()[0]


@pytest.mark.django_db
def test_the_template_itself_loads(client, tmp_path) -> None:
    content = client.get(reverse("ledger:template", args=["fa", "xlsx"])).content
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    batch = services.batch_ingest(path=path)
    assert batch.status == "active", [i.message_en for i in batch.issues.all()]
    assert batch.rows_loaded == 2
