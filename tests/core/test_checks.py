from __future__ import annotations

from pathlib import Path

import pytest

from payesh.checks import payesh_checks


def test_default_configuration_passes_the_checks(settings, tmp_path: Path) -> None:
    settings.PAYESH_LAKE = tmp_path / "lake"
    assert payesh_checks() == []


def test_unwritable_lake_is_error_e001(settings, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings.PAYESH_LAKE = blocker / "lake"
    assert [m.id for m in payesh_checks()] == ["payesh.E001"]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_postgres_engine_on_sqlite_is_error_e002(settings) -> None:
    settings.PAYESH_ENGINE = "postgres"
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    assert "payesh.E002" in [m.id for m in payesh_checks()]


def test_exposed_site_with_development_secret_warns_w001(settings) -> None:
    settings.ALLOWED_HOSTS = ["trade.example.org"]
    settings.SECRET_KEY = "payesh-development-only-secret-key-change-me-0123456789abcdef"
    assert "payesh.W001" in [m.id for m in payesh_checks()]
