"""Shared fixtures: the reference data in the test database, and personas (healthchecks style)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


def shared_data_dir() -> Path:
    return Path(os.environ.get("PAYESH_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the reference data once into the test database; tests roll back around it."""
    from payesh.reference.services import reference_load

    with django_db_blocker.unblock():
        reference_load()


@pytest.fixture(autouse=True)
def _lake(tmp_path, settings):  # type: ignore[no-untyped-def]
    """Every test gets its own empty lake folder."""
    settings.PAYESH_LAKE = tmp_path / "lake"
    return settings.PAYESH_LAKE


def _persona(username: str, role: str, agency: str | None = None):  # type: ignore[no-untyped-def]
    from payesh.core.services import user_create

    return user_create(username=username, password=f"{username}-password-1", role=role, agency_code=agency,
                       first_name=username.capitalize())


@pytest.fixture
def administrator(db):  # type: ignore[no-untyped-def]
    return _persona("alice", "administrator")


@pytest.fixture
def analyst(db):  # type: ignore[no-untyped-def]
    return _persona("bob", "analyst")


@pytest.fixture
def focal_point(db):  # type: ignore[no-untyped-def]
    return _persona("charlie", "focal_point", "AGRICULTURE")


@pytest.fixture
def other_focal_point(db):  # type: ignore[no-untyped-def]
    return _persona("dave", "focal_point", "FISHERIES")


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return _persona("erin", "working_group")


@pytest.fixture
def viewer(db):  # type: ignore[no-untyped-def]
    return _persona("frank", "viewer")


@pytest.fixture
def client_for(client):  # type: ignore[no-untyped-def]
    """`client_for(user)` → the test client signed in as that persona."""

    def sign_in(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return sign_in
