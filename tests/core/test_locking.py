"""Optimistic locking: the second of two people editing the same row is told, and nothing is overwritten."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from payesh.capabilities import services
from payesh.capabilities.forms import CapacityForm
from payesh.capabilities.models import Capacity
from payesh.core.locking import EditConflict, save_versioned
from payesh.reference.models import Agency, County

pytestmark = pytest.mark.django_db


def _capacity(user) -> Capacity:  # type: ignore[no-untyped-def]
    return services.capacity_create(
        user=user, county=County.objects.get(code="IR-11-02"), agency=Agency.objects.get(code="AGRICULTURE"),
        kind="production", hs_revision="HS12", hs_code="080410", description="", quantity=Decimal("12000"),
        unit="t", year=1402, month=None, source="Survey")


def test_each_save_claims_the_next_version(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    assert capacity.lock_version == 0
    capacity.source = "Survey 1402"
    save_versioned(capacity, expected_version=0)
    capacity.quantity = Decimal("1")
    save_versioned(capacity, expected_version=1, update_fields=["quantity"])
    stored = Capacity.objects.get(pk=capacity.pk)
    assert (stored.lock_version, stored.source, stored.quantity) == (2, "Survey 1402", Decimal("1"))
    assert capacity.history.count() == 3  # type: ignore[attr-defined]  # every versioned save is in history


def test_the_second_of_two_editors_gets_a_conflict(focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    first, second = Capacity.objects.get(pk=capacity.pk), Capacity.objects.get(pk=capacity.pk)
    first.source = "First"
    save_versioned(first, expected_version=first.lock_version)
    second.source = "Second"
    with pytest.raises(EditConflict) as conflict:
        save_versioned(second, expected_version=second.lock_version)
    assert conflict.value.code == "edit_conflict"
    stored = Capacity.objects.get(pk=capacity.pk)
    assert (stored.source, stored.lock_version) == ("First", 1)


def test_conflict_message_in_both_languages() -> None:
    with translation.override("en"):
        assert EditConflict().messages == [
            "This item was changed by someone else since you opened it; reload it and make your change again."]
    with translation.override("fa"):
        assert EditConflict().messages == [
            "این مورد پس از آن‌که آن را باز کردید به دست کس دیگری تغییر کرده است؛ صفحه را دوباره بارگذاری کنید "
            "و تغییر خود را دوباره وارد کنید."]


def test_new_objects_are_not_saved_through_the_lock(focal_point) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="new object"):
        save_versioned(Capacity(), expected_version=0)


def test_the_form_carries_the_version_it_was_opened_with(focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, source="Edited")
    capacity.refresh_from_db()
    form = CapacityForm(instance=capacity, user=focal_point)
    assert form.fields["lock_version"].initial == 1
    assert 'type="hidden" name="lock_version" value="1"' in str(form["lock_version"])


def test_the_edit_page_carries_the_version_hidden(client_for, focal_point) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=focal_point, source="Edited")
    page = client_for(focal_point).get(f"/capabilities/registry/{capacity.pk}/edit/").content.decode()
    assert '<input type="hidden" name="lock_version" value="1"' in page
    assert 'for="id_lock_version"' not in page  # no label for a field nobody sees


def test_a_stale_page_is_refused_and_keeps_what_was_typed(client_for, focal_point, analyst) -> None:  # type: ignore[no-untyped-def]
    capacity = _capacity(focal_point)
    services.capacity_update(capacity_id=capacity.pk, user=analyst, source="Changed by the analyst")
    client = client_for(focal_point)
    client.cookies["payesh_language"] = "en"
    response = client.post(f"/capabilities/registry/{capacity.pk}/edit/", {
        "county": "IR-11-02", "agency": "AGRICULTURE", "kind": "production", "hs_revision": "HS12",
        "hs_code": "080410", "description": "", "quantity": "99", "unit": "t", "year": "1402", "month": "",
        "source": "Typed on the stale page", "lock_version": "0"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else since you opened it" in page and "Typed on the stale page" in page
    stored = Capacity.objects.get(pk=capacity.pk)
    assert (stored.source, stored.quantity, stored.lock_version) == ("Changed by the analyst", Decimal("12000"), 1)
