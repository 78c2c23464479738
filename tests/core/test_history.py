"""History (django-simple-history) read back by payesh.core.history, shown by core/_history.html,
recorded for registry rows, reference data edited in the admin, and users — never editable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from payesh.capabilities import services
from payesh.capabilities.models import Capacity
from payesh.core.history import FieldChange, history_for, readable_reason
from payesh.core.models import User
from payesh.reference.models import Agency, County, CustomsOffice

pytestmark = pytest.mark.django_db


def _capacity(user) -> Capacity:  # type: ignore[no-untyped-def]
    return services.capacity_create(
        user=user, county=County.objects.get(code="IR-11-02"), agency=Agency.objects.get(code="AGRICULTURE"),
        kind="production", hs_revision="HS12", hs_code="080410", description="", quantity=Decimal("12000"),
        unit="t", year=1402, month=None, source="Survey")


def test_creation_lists_what_was_entered_and_changes_list_old_and_new(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, quantity=Decimal("15000.500"), unit="t_per_year")
    with translation.override("en"):
        changed, created = history_for(capacity)
        agency_name = str(Agency.objects.get(code="AGRICULTURE"))
    assert (created.kind, created.user, created.reason) == ("created", focal_point, "")
    entered = {c.field: c.new for c in created.changes}
    # Choice labels and related objects by name, decimals without their storage zeros; empty fields left out.
    assert entered["unit"] == "tonnes" and entered["quantity"] == "12000" and entered["hs_code"] == "080410"
    assert entered["agency"] == agency_name
    assert "description" not in entered and "month" not in entered
    assert all(c.old == "" for c in created.changes)
    assert (changed.kind, changed.user) == ("changed", focal_point)
    assert changed.changes == [
        FieldChange(field="quantity", label="quantity", old="12000", new="15000.5"),
        FieldChange(field="unit", label="unit", old="tonnes", new="tonnes a year"),
    ]
    assert changed.when >= created.when


def test_labels_follow_the_language(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, unit="t_per_year")
    with translation.override("fa"):
        (change,) = history_for(capacity)[0].changes
    assert change.label == "واحد" and change.old == "تن" and change.new == "تن در سال"


def test_dates_in_a_diff_are_solar_hijri_in_persian(focal_point) -> None:  # type: ignore[no-untyped-def]
    from payesh.core.formatting import format_date
    from payesh.core.review import review_submit

    capacity = _capacity(focal_point)
    review_submit(obj=capacity, user=focal_point)
    with translation.override("fa"):
        submitted = next(c for c in history_for(capacity)[0].changes if c.field == "submitted_at")
    assert submitted.old == "" and submitted.new == format_date(capacity.submitted_at, "fa")
    assert submitted.new.startswith("۱۴")  # a Solar Hijri year in Persian digits


def test_reasons_written_by_the_review_services_read_in_both_languages() -> None:
    with translation.override("en"):
        assert readable_reason("review:returned\nWhich season?") == "Returned for correction: Which season?"
        assert readable_reason("review:submitted") == "Submitted for review"
        assert readable_reason("typed by an administrator") == "typed by an administrator"
        assert readable_reason(None) == ""
    with translation.override("fa"):
        assert readable_reason("review:returned\nکدام فصل؟") == "بازگشت برای اصلاح: کدام فصل؟"


def test_the_page_shows_the_history_in_both_languages(client_for, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    client = client_for(focal_point)
    response = client.post(f"/capabilities/registry/{capacity.pk}/edit/", {
        "county": "IR-11-02", "agency": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
        "hs_code": "080410", "description": "", "quantity": "15000", "unit": "t", "year": "1402", "month": "",
        "source": "Survey", "lock_version": "0"})
    assert response.status_code == 302
    # The request middleware named the person who saved through the page.
    assert history_for(capacity)[0].user == focal_point
    client.cookies["payesh_language"] = "en"
    english = client.get(f"/capabilities/registry/{capacity.pk}/").content.decode()
    assert english.count('data-testid="history-entry"') == 2
    assert "<bdi>12000</bdi> → <bdi>15000</bdi>" in english
    client.cookies["payesh_language"] = "fa"
    persian = client.get(f"/capabilities/registry/{capacity.pk}/").content.decode()
    assert "تاریخچه" in persian and "<bdi>12000</bdi> ← <bdi>15000</bdi>" in persian
    when = history_for(capacity)[0].when
    from payesh.core.formatting import format_date

    assert format_date(when, "fa", long=True) in persian  # Solar Hijri month name, Persian digits
    assert "form" not in persian.split('data-testid="history"')[1].split("</section>")[0]  # nothing to edit


def test_admin_edit_of_reference_data_is_recorded_and_shown_read_only(client, administrator) -> None:  # type: ignore[no-untyped-def]
    office = CustomsOffice.objects.exclude(province=None).first()
    assert office is not None
    other_province = County.objects.exclude(province=office.province_id).first().province  # type: ignore[union-attr]
    client.force_login(administrator)
    change_url = f"/admin/reference/customsoffice/{office.pk}/change/"
    form = client.get(change_url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"province": other_province.pk, "_save": "Save"})
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content[:2000]
    office.refresh_from_db()
    assert office.province_id == other_province.pk
    entry = history_for(office)[0]
    assert entry.user == administrator
    province_change = next(c for c in entry.changes if c.field == "province")
    assert province_change.new == str(other_province)
    history_page = client.get(f"/admin/reference/customsoffice/{office.pk}/history/")
    newest = office.history.first()  # type: ignore[attr-defined]
    assert history_page.status_code == 200 and f"/history/{newest.history_id}/" in history_page.content.decode()
    # A past version can be looked at, never saved back over the object, and records are never edited.
    oldest = office.history.last()  # type: ignore[attr-defined]
    version_url = f"/admin/reference/customsoffice/{office.pk}/history/{oldest.history_id}/"
    assert client.get(version_url).status_code == 200
    records = office.history.count()  # type: ignore[attr-defined]
    assert client.post(version_url, {**data, "province": oldest.province_id}).status_code == 403
    office.refresh_from_db()
    assert office.province_id == other_province.pk and office.history.count() == records  # type: ignore[attr-defined]
    from django.contrib import admin

    assert not [m for m in admin.site._registry if m.__name__.startswith("Historical")]


def test_user_history_keeps_role_changes_but_never_the_password(administrator, viewer) -> None:  # type: ignore[no-untyped-def]
    viewer.role = "analyst"
    viewer._history_user = administrator
    viewer.save()
    viewer.set_password("another-password-2")
    viewer.save()
    with translation.override("en"):
        entries = history_for(User.objects.get(pk=viewer.pk))
    assert entries[0].user == administrator
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [("role", "Viewer", "Analyst")]
    assert not hasattr(viewer.history.first(), "password")  # type: ignore[attr-defined]


def test_deleting_leaves_a_last_entry(analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(analyst)
    pk = capacity.pk
    capacity.delete()
    records = Capacity.history.filter(id=pk)  # type: ignore[attr-defined]
    assert [r.history_type for r in records.order_by("history_date")] == ["+", "-"]


def test_signing_in_leaves_no_history_record(client, viewer) -> None:  # type: ignore[no-untyped-def]
    before = viewer.history.count()  # type: ignore[attr-defined]
    assert client.login(username="frank", password="frank-password-1")
    assert User.objects.get(pk=viewer.pk).last_login is not None
    assert viewer.history.count() == before  # type: ignore[attr-defined]
