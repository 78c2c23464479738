"""Choosing the workbook sheet that holds the table: CLI, upload page, kept on the batch (issue 8)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from typer.testing import CliRunner

from payesh.cli import app
from payesh.ledger.models import Batch
from tests.ledger.test_ledger_web import GOOD

# The malformed-file corpus's builders (tests/ledger_core imports its helpers as top-level modules).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ledger_core"))
from corpus import xlsx_file

#: A cover sheet first, the data (3 rows, codes of the test reference tables) on the second sheet,
#: as offices' workbooks often come.
WORKBOOK = xlsx_file("second.xlsx", {"Cover": [["Customs report 1402"]],
                                     "Data": [line.split(",") for line in GOOD.splitlines()]})


@pytest.fixture
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_without_a_sheet_the_refusal_names_the_sheets_and_the_option_that_exists(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(WORKBOOK(tmp_path))])
    assert result.exit_code == 1, result.output
    batch = Batch.objects.get()
    assert batch.status == "rejected" and batch.rows_loaded == 0
    hint = batch.issues.get(rule="sheet_choose")
    assert "'Cover', 'Data'" in hint.message_en and "--sheet NAME" in hint.message_en
    assert "Sheet field of the upload page" in hint.message_en
    # The option the message points to exists on the command.
    assert "--sheet" in CliRunner().invoke(app, ["ingest", "--help"]).output


@pytest.mark.django_db
def test_cli_sheet_option_loads_the_second_sheet_and_the_batch_keeps_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(WORKBOOK(tmp_path)), "--sheet", "Data"])
    assert result.exit_code == 0, result.output
    batch = Batch.objects.get()
    assert (batch.status, batch.sheet, batch.rows_read, batch.rows_loaded) == ("active", "Data", 3, 3)


@pytest.mark.django_db
def test_cli_unknown_sheet_is_refused_naming_the_sheets(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(WORKBOOK(tmp_path)), "--sheet", "Daten"])
    assert result.exit_code == 1, result.output
    issue = Batch.objects.get().issues.get(rule="sheet_unknown")
    assert "'Daten'" in issue.message_en and "'Cover', 'Data'" in issue.message_en


@pytest.mark.django_db
def test_upload_page_with_a_sheet_loads_it_and_a_retry_reads_the_same_sheet(
        client_for, analyst, immediate_tasks, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    page = client.get(reverse("ledger:upload")).content.decode()
    assert 'name="sheet"' in page
    response = client.post(reverse("ledger:upload"), {
        "file": SimpleUploadedFile("second.xlsx", WORKBOOK(tmp_path).read_bytes()), "policy": "reject",
        "format": "", "hs_revision": "", "sheet": "Data"})
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert (batch.status, batch.sheet, batch.rows_loaded) == ("active", "Data", 3)


@pytest.mark.django_db
def test_a_queued_batch_run_later_reads_its_recorded_sheet(tmp_path: Path) -> None:
    from payesh.ledger import services
    from payesh.ledger.tasks import batch_run_task

    batch = services.batch_create(source=WORKBOOK(tmp_path), source_name="second.xlsx", user=None, sheet="Data")
    assert Batch.objects.get(pk=batch.id).sheet == "Data"
    # The task takes only the batch id: the sheet comes from the record.
    assert batch_run_task.call(batch.id) == "active"
    assert Batch.objects.get(pk=batch.id).rows_loaded == 3


@pytest.mark.django_db
def test_sheet_field_is_labelled_in_persian(client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    with translation.override("fa"):
        from payesh.ledger.forms import UploadForm

        form = UploadForm()
        assert str(form.fields["sheet"].label) == "برگه"
        assert "برگه نخست" in str(form.fields["sheet"].help_text)
