from __future__ import annotations

from collections import defaultdict

import pytest
from django.urls import reverse

from payesh.reference import models as ref
from payesh.reference.services import reference_load


@pytest.mark.django_db
def test_reference_tables_are_loaded_with_the_expected_sizes() -> None:
    assert ref.Country.objects.count() >= 230
    assert ref.HSSection.objects.count() == 21
    for revision in ("HS92", "HS12", "HS22"):
        chapters = ref.HSProduct.objects.filter(revision=revision, level=2)
        assert chapters.count() >= 96
        assert ref.HSProduct.objects.filter(revision=revision, level=6).count() > 5000
        assert not chapters.filter(name_fa="").exists()
    assert ref.Province.objects.count() == 31
    assert ref.County.objects.filter(province_id="IR-11").count() >= 20
    assert ref.CustomsOffice.objects.filter(code="MIRJAVEH", province_id="IR-11", partner_id="PAK").exists()
    assert ref.BorderMarket.objects.filter(code="BM_MAND_PISHIN").exists()
    assert ref.Agency.objects.filter(code="COMMERCE_ORG").exclude(mandate_fa="").exists()


@pytest.mark.django_db
def test_countries_have_persian_names_and_iran_has_its_neighbours() -> None:
    pakistan = ref.Country.objects.get(iso3="PAK")
    assert pakistan.name_fa == "پاکستان" and pakistan.neighbour_by == "both"
    land = set(ref.Country.objects.filter(neighbour_by__in=["land", "both"]).values_list("iso3", flat=True))
    assert land == {"AFG", "ARM", "AZE", "IRQ", "PAK", "TUR", "TKM"}
    assert ref.Country.objects.exclude(name_fa="").count() >= 200


@pytest.mark.django_db
def test_subheadings_know_their_heading_chapter_and_section() -> None:
    dates = ref.HSProduct.objects.get(revision="HS12", code="080410")
    assert dates.parent_code == "0804" and dates.level == 6 and dates.section.number == 2
    heading = ref.HSProduct.objects.get(revision="HS12", code="0804")
    assert heading.parent_code == "08"


@pytest.mark.django_db
def test_concordance_weights_of_each_source_code_sum_to_one() -> None:
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    for row in ref.HSConcordance.objects.filter(from_revision="HS92").values("from_code", "to_revision", "weight"):
        sums[(row["to_revision"], row["from_code"], "")] += row["weight"]
    assert len(sums) > 5000
    assert all(abs(total - 1.0) < 1e-6 for total in sums.values())


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_keeps_administrators_edits() -> None:
    office = ref.CustomsOffice.objects.get(code="MIRJAVEH")
    office.note_en = "Edited by an administrator"
    office.save()
    before = ref.CustomsOffice.objects.count(), ref.HSProduct.objects.count(), ref.HSConcordance.objects.count()
    reference_load()
    after = ref.CustomsOffice.objects.count(), ref.HSProduct.objects.count(), ref.HSConcordance.objects.count()
    assert before == after
    assert ref.CustomsOffice.objects.get(code="MIRJAVEH").note_en == "Edited by an administrator"


@pytest.mark.django_db
def test_reference_pages_are_browsable_by_anyone(client) -> None:
    index = client.get(reverse("reference:index"))
    assert index.status_code == 200
    page = client.get(reverse("reference:table", args=["counties"]), {"province": "IR-11"})
    assert page.status_code == 200
    assert "زاهدان" in page.content.decode()
    search = client.get(reverse("reference:table", args=["hs"]), {"q": "0804", "revision": "HS12"})
    # Persian pages show codes in Persian digits, with the Persian name beside them.
    assert "۰۸۰۴۱۰" in search.content.decode()
    assert "خرما" in search.content.decode()
    english = client.get(reverse("reference:table", args=["hs"]), {"q": "0804", "revision": "HS12"},
                         HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "payesh_language=en"})
    assert "080410" in english.content.decode()
    assert client.get("/reference/nonexistent/").status_code == 404


@pytest.mark.django_db
def test_administrator_edit_is_kept_in_the_change_history(client_for, administrator) -> None:
    client = client_for(administrator)
    url = reverse("admin:reference_agency_change", args=["CUSTOMS"])
    form = client.get(url).context["adminform"].form
    data = {name: (form.initial.get(name) or "") for name in form.fields}
    data["mandate_en"] = "Clears goods and publishes monthly statistics."
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    client.cookies["payesh_language"] = "en"
    history = client.get(reverse("admin:reference_agency_history", args=["CUSTOMS"]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Reference data is bulk-loaded without history, so the first edit is the first record: who and when.
    assert "View history: Customs Directorate of Sistan and Baluchestan" in history
    assert f">{administrator.username}<" in history.replace(" ", "").replace("\n", "")
    from payesh.reference.models import Agency
    record = Agency.history.get(code="CUSTOMS")  # type: ignore[attr-defined]
    assert record.history_user == administrator
    assert record.mandate_en == "Clears goods and publishes monthly statistics."
