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


# Issue 8: bounded inputs and strict values through the upload page and the services -----------------

LONG_PERSIAN_NAME = "گزارش-گمرک-میرجاوه-" * 16 + ".csv"  # 305 characters, 560 bytes


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fa"])
def test_an_upload_with_a_300_character_persian_name_is_refused_with_the_limit(client_for, analyst, language) -> None:
    client = client_for(analyst)
    client.cookies["django_language"] = language
    response = client.post(reverse("ledger:upload"), {
        "file": SimpleUploadedFile(LONG_PERSIAN_NAME, GOOD.encode()), "policy": "reject", "format": "",
        "hs_revision": ""}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    # Django keeps at most 255 characters of an uploaded name; the message names the limit, 120.
    assert "PAYESH_LEDGER_MAX_FILENAME_CHARS" in page and "120" in page
    assert ("نام فایل" in page) == (language == "fa")
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_names_the_setting(client_for, analyst, monkeypatch) -> None:
    monkeypatch.setenv("PAYESH_LEDGER_MAX_FILE_MB", "0.0001")
    response = client_for(analyst).post(reverse("ledger:upload"), {
        "file": SimpleUploadedFile("good.csv", GOOD.encode()), "policy": "reject", "format": "", "hs_revision": ""})
    assert response.status_code == 200 and "PAYESH_LEDGER_MAX_FILE_MB" in response.content.decode()
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_a_nan_cell_uploaded_through_the_page_changes_no_number(client_for, analyst, immediate_tasks, settings,
                                                               tmp_path) -> None:
    services.batch_ingest(path=_write(tmp_path, "first.csv", GOOD))
    before = _facts_value(settings.PAYESH_LAKE)
    nan = GOOD.replace("19200", "NaN", 1).replace("D1,", "D7,").replace("D2,", "D8,").replace("D3,", "D9,")
    response = client_for(analyst).post(reverse("ledger:upload"), {
        "file": SimpleUploadedFile("nan.csv", nan.encode()), "policy": "reject", "format": "", "hs_revision": ""})
    assert response.status_code == 302
    batch = Batch.objects.exclude(source_name="first.csv").get()
    assert batch.status == "rejected"
    finding = batch.issues.get(rule="number_not_finite")
    assert (finding.row, finding.column) == (2, "value_usd")
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(before)
    page = client_for(analyst).get(response["Location"]).content.decode()
    assert "number_not_finite" in page


def _corpus_cases():  # type: ignore[no-untyped-def]
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ledger_core"))
    from corpus import CASES

    return [c for c in CASES if not c.loads and c.sheet is None and c.source_name is None and c.history is None]


@pytest.mark.django_db
@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda c: c.id)
def test_corpus_files_change_neither_lake_nor_numbers(case, tmp_path, settings, monkeypatch) -> None:
    """The malformed-file corpus through the service the CLI and the page use: the batch is
    recorded as rejected with the finding, and the lake and the active batches stay as they were."""
    first = services.batch_ingest(path=_write(tmp_path, "first.csv", GOOD), hs_revision="HS12")
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    manifest = (Path(settings.PAYESH_LAKE) / "manifest.json").read_text(encoding="utf-8")
    path = case.build(tmp_path)
    batch = services.batch_ingest(path=path, hs_revision="HS17")
    assert batch.status == "rejected", batch.message_en
    assert batch.issues.filter(rule=case.rule, severity="error").exists()
    assert list(Batch.objects.filter(status="active").values_list("id", flat=True)) == [first.id]
    assert (Path(settings.PAYESH_LAKE) / "manifest.json").read_text(encoding="utf-8") == manifest
    assert _facts_value(settings.PAYESH_LAKE) == pytest.approx(34700)
