from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from payesh import env

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), ("Off", False), ("no", False), ("", True)])
def test_env_bool_accepts_the_documented_words(raw: str, expected: bool) -> None:
    assert env.env_bool("DEBUG", True, {"DEBUG": raw}) is expected


def test_env_bool_rejects_maybe_naming_the_variable_and_the_accepted_values() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        env.env_bool("DEBUG", False, {"DEBUG": "maybe"})
    assert "DEBUG='maybe'" in str(info.value)
    assert "true" in str(info.value) and "false" in str(info.value)


def test_unknown_engine_is_rejected_with_the_list_of_engines() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        env.env_choice("PAYESH_ENGINE", "duckdb", env.ENGINES, {"PAYESH_ENGINE": "oracle"})
    assert "PAYESH_ENGINE='oracle'" in str(info.value)
    assert "duckdb, postgres, spark" in str(info.value)


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "not a url", "postgres://", "sqlite://"])
def test_malformed_database_url_is_rejected(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        env.env_database("DATABASE_URL", "sqlite:///var/x.sqlite3", REPO, {"DATABASE_URL": url})
    assert "DATABASE_URL" in str(info.value)


def test_sqlite_url_is_relative_to_the_project_with_three_slashes_and_absolute_with_four() -> None:
    rel = env.env_database("DATABASE_URL", "", REPO, {"DATABASE_URL": "sqlite:///var/a.sqlite3"})
    absolute = env.env_database("DATABASE_URL", "", REPO, {"DATABASE_URL": "sqlite:////tmp/b.sqlite3"})
    assert rel["NAME"] == str(REPO / "var" / "a.sqlite3")
    assert absolute["NAME"] == "/tmp/b.sqlite3"


def test_postgres_url_is_parsed() -> None:
    config = env.env_database("DATABASE_URL", "", REPO, {"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/payesh"})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "payesh" and config["PORT"] == 5432


@pytest.mark.parametrize("variable, value, fragment", [
    ("DEBUG", "maybe", "DEBUG='maybe'"),
    ("PAYESH_ENGINE", "oracle", "PAYESH_ENGINE='oracle'"),
    ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL='mysql://x@y/z'"),
])
def test_bad_environment_stops_the_cli_with_a_message(variable: str, value: str, fragment: str) -> None:
    environ = {**os.environ, variable: value}
    result = subprocess.run([sys.executable, "-m", "payesh.cli", "manage", "check"], cwd=REPO, env=environ,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert fragment in result.stdout.replace("\n", "")
