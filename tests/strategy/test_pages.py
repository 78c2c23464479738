"""Strategy pages over HTTP in both languages, the forms' refusals, downloads and the token API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payesh.strategy import services
from payesh.strategy.models import Goal, ProgressReport
from tests.strategy.conftest import build_document

pytestmark = pytest.mark.django_db


def _pages(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return ["/strategy/", f"/strategy/versions/{doc.version.pk}/", f"/strategy/goals/{doc.g1.pk}/",
            f"/strategy/kpis/{doc.k1.pk}/", f"/strategy/actions/{doc.a1.pk}/", "/strategy/agencies/AGRICULTURE/",
            "/strategy/obligations/", "/strategy/notifications/"]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_page_answers_in_both_languages(approved, client_for, viewer, analyst, settings, language) -> None:
    client = client_for(viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    draft = services.version_new_draft(user=analyst, source=approved.version)
    pages = [*_pages(approved), f"/strategy/diff/{approved.version.pk}/{draft.pk}/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'lang="{language}"' in html
        if language == "fa":
            assert "dir=\"rtl\"" in html
    page = client.get(f"/strategy/kpis/{approved.k1.pk}/").content.decode()
    assert "measures=exports_usd&amp;cut=partner:PAK&amp;year=1402&amp;months=10" in page
    assert ("۲۰٬۷۰۰" if language == "fa" else "20,700") in page


def test_anonymous_users_are_sent_to_sign_in(approved, client) -> None:
    response = client.get(f"/strategy/versions/{approved.version.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_focal_point_files_a_report_with_evidence_from_the_page(approved, client_for, focal_point, analyst) -> None:
    client = client_for(focal_point)
    url = f"/strategy/actions/{approved.a1.pk}/"
    page = client.get(url).content.decode()
    assert 'data-testid="report-form"' in page
    bad = client.post(url, {"text": "done", "percent": "30", "reported_on": "1404/13/01"})
    assert "1404/13/01" in bad.content.decode()
    evidence = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nxxxx", content_type="image/png")
    response = client.post(url, {"text": "Two packing houses", "percent": "30", "reported_on": "۱۴۰۴/۰۲/۱۰",
                                 "evidence": [evidence]})
    assert response.status_code == 302
    report = ProgressReport.objects.get(action=approved.a1)
    assert (report.percent, report.review_status, report.evidence.get().name) == (30, "submitted", "photo.png")
    analyst_client = client_for(analyst)
    analyst_client.post(f"/strategy/reports/progress/{report.pk}/return/", {"reason": ""})
    report.refresh_from_db()
    assert report.review_status == "submitted"  # a return without a reason is refused
    analyst_client.post(f"/strategy/reports/progress/{report.pk}/return/", {"reason": "Which houses?"})
    report.refresh_from_db()
    assert (report.review_status, report.return_reason) == ("returned", "Which houses?")
    evidence_url = f"/strategy/evidence/{report.evidence.get().pk}/"
    assert analyst_client.get(evidence_url).status_code == 200
    assert client_for(focal_point).get(evidence_url).status_code == 200  # the agency's own focal point


def test_kpi_form_names_the_unknown_member_and_targets_without_year(doc, client_for, analyst, settings) -> None:
    client = client_for(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/strategy/versions/{doc.version.pk}/kpis/new/"
    base = {"code": "K5", "name_en": "x", "goal": doc.g1.pk, "source": "computed", "unit": "USD",
            "direction": "up", "measure": "exports_usd", "period_rule": "first_months", "projection": "seasonal",
            "lock_version": "0"}
    page = client.post(url, {**base, "cuts": "partner:XXX"}).content.decode()
    assert "has no member 'XXX'" in page.replace("&#x27;", "'")
    page = client.post(url, {**base, "cuts": "partner:PAK", "targets": "25000"}).content.decode()
    assert "a target needs its year" in page
    response = client.post(url, {**base, "cuts": "partner:PAK", "targets": "1402: 25000"})
    assert response.status_code == 302


def test_edit_conflict_is_a_clear_message(doc, client_for, analyst, settings) -> None:
    client = client_for(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/strategy/versions/{doc.version.pk}/goals/{doc.g1.pk}/edit/"
    form = {"code": "G1", "title_en": "Mine", "title_fa": "", "order": "0", "lock_version": "0"}
    assert client.post(url, form).status_code == 302
    page = client.post(url, {**form, "title_en": "Theirs"}).content.decode()
    assert "changed by someone else" in page
    assert Goal.objects.get(pk=doc.g1.pk).title_en == "Mine"


def test_diff_and_round_summary_download_as_xlsx_and_csv(approved, client_for, analyst) -> None:
    from openpyxl import load_workbook

    from payesh.reference.models import Agency

    client = client_for(analyst)
    draft = services.version_new_draft(user=analyst, source=approved.version)
    services.goal_save(user=analyst, version=draft, data={"code": "G9", "title_en": "New"})
    response = client.get(f"/strategy/diff/{approved.version.pk}/{draft.pk}/?download=diff&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][1] == "G9"
    import datetime as dt

    round_ = services.round_open(user=analyst, version=draft, agencies=[Agency.objects.get(code="AGRICULTURE")],
                                 deadline=dt.date.today() + dt.timedelta(days=5))
    csv = client.get(f"/strategy/rounds/{round_.pk}/?download=viewpoints&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


def test_api_lists_documents_and_kpis_with_a_cube_string(approved, client, token_key) -> None:
    headers = {"Authorization": f"Bearer {token_key}"}
    assert client.get("/api/strategy/documents").status_code == 401
    documents = client.get("/api/strategy/documents", headers=headers).json()["data"]
    assert documents[0]["versions"][0]["status"] == "approved"
    answer = client.get(f"/api/strategy/documents/{approved.document.pk}/kpis", headers=headers).json()
    kpi = answer["data"][0]
    assert (kpi["code"], kpi["status"], kpi["actual"], kpi["target"]) == ("K1", "at_risk", 20700.0, 25000.0)
    row = client.get(f"/api/cube?{kpi['cube']}").json()["data"]
    assert len(row) == 1 and row[0]["exports_usd"] == kpi["actual"]
    missing = client.get("/api/strategy/documents/999/kpis", headers=headers)
    assert missing.status_code == 400 and missing.json()["parameter"] == "document_id"


@pytest.fixture
def token_key(viewer) -> str:  # type: ignore[no-untyped-def]
    from payesh.api.services import api_token_create

    return api_token_create(user=viewer, name="tests")[1]


def test_doc_fixture_builds(analyst) -> None:
    assert build_document(analyst).version.goals.count() == 2


@pytest.mark.parametrize("persona, status", [("viewer", 403), ("other_focal_point", 403), ("member", 200)])
def test_evidence_is_read_by_its_agency_the_analysts_and_the_working_group(
        approved, client_for, focal_point, persona, status, request) -> None:
    evidence = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nxxxx", content_type="image/png")
    report = services.progress_report_submit(user=focal_point, action=approved.a1, text="done", percent=10,
                                             reported_on=dt.date(2025, 5, 1), files=[evidence])
    url = f"/strategy/evidence/{report.evidence.get().pk}/"
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == status
