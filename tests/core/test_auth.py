from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from payesh.core.services import DEMO_USERS, demo_users_create, user_create


@pytest.mark.django_db
@pytest.mark.parametrize("language, message", [
    ("fa", "نام کاربری یا گذرواژه درست نیست"),
    ("en", "The username or password is not correct"),
])
def test_wrong_login_says_so_in_the_users_language_without_revealing_the_user(
        client, analyst, language: str, message: str) -> None:
    client.cookies["payesh_language"] = language
    wrong_password = client.post(reverse("login"), {"username": "bob", "password": "nope-nope-1"})
    unknown_user = client.post(reverse("login"), {"username": "nobody", "password": "nope-nope-1"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert message in wrong_password.content.decode()
    assert wrong_password.context["form"].non_field_errors() == unknown_user.context["form"].non_field_errors()


@pytest.mark.django_db
def test_right_login_redirects_home(client, analyst) -> None:
    response = client.post(reverse("login"), {"username": "bob", "password": "bob-password-1"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.django_db
def test_language_is_remembered_per_user_not_per_browser(client, analyst, django_user_model) -> None:
    client.force_login(analyst)
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    analyst.refresh_from_db()
    assert analyst.language == "en"
    client.cookies.clear()  # another browser: no cookie, Persian by default …
    client.force_login(analyst)
    page = client.get(reverse("home"))
    assert 'lang="en"' in page.content.decode() and 'dir="ltr"' in page.content.decode()  # … but the user's choice wins


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client) -> None:
    response = client.post(reverse("language_switch"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_agency_focal_point_must_be_bound_to_an_agency() -> None:
    with pytest.raises(ValidationError):
        user_create(username="lonely", password="lonely-password-1", role="focal_point")


@pytest.mark.django_db
def test_demo_creates_one_user_per_role_who_can_sign_in(client) -> None:
    demo_users_create()
    roles = {u.role for u in DEMO_USERS}
    assert roles == {"administrator", "analyst", "focal_point", "working_group", "viewer"}
    for demo in DEMO_USERS:
        assert client.login(username=demo.username, password=demo.password), demo.username
        client.logout()


@pytest.mark.django_db
def test_only_administrators_reach_the_admin(client_for, administrator, viewer) -> None:
    assert client_for(viewer).get("/admin/").status_code == 302
    assert client_for(administrator).get("/admin/").status_code == 200
