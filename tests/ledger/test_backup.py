"""`payesh backup` / `payesh restore SRC`: a copy restored into empty folders answers every cube question
as the original does; restore refuses folders that are not empty."""

from __future__ import annotations

import sqlite3
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from payesh.cube import CubeQuery, run
from payesh.ledger import demo_data
from tests.cube.questions import QUESTIONS, assert_same
from tests.ledger.test_integrity_instances import batch_rows, clean_env, manifest, new_instance, payesh


def _answers(settings, lake: Path) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    settings.PAYESH_LAKE = lake
    return {q.id: run(CubeQuery.parse(q.params)).frame for q in QUESTIONS}


def _table_counts(database: Path) -> dict[str, int]:
    con = sqlite3.connect(database)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.mark.slow
def test_backup_restored_into_empty_folders_answers_every_cube_question_the_same(tmp_path_factory, settings) -> None:
    root = new_instance(tmp_path_factory, "original")
    env = clean_env(PAYESH_VAR_DIR=str(root))
    files = demo_data.generate(tmp_path_factory.mktemp("demo"), rows=6000, years=(1401, 1402), fmt="parquet")
    assert len(files) == 2
    for path in files:
        payesh(env, "ingest", str(path))
    original = batch_rows(root / "payesh.sqlite3")
    assert sorted(original.values()) and all(s == "active" and n > 0 for s, n in original.values())

    backups = tmp_path_factory.mktemp("backups")
    payesh(env, "backup", str(backups / "payesh.tar"))
    payesh(env, "backup", str(backups / "folder"))
    with tarfile.open(backups / "payesh.tar") as tar:
        names = set(tar.getnames())
    assert {"payesh-backup.json", "database.sqlite3", "lake/manifest.json"} <= names
    assert not any(n.startswith(("lake/staging/", "lake/tmp/", "lake/rollups/")) for n in names)
    assert (backups / "folder" / "lake" / "manifest.json").read_bytes() == (root / "lake" / "manifest.json").read_bytes()

    # Restore into another database file and another lake folder, both empty.
    target = tmp_path_factory.mktemp("restored")
    restored_env = clean_env(DATABASE_URL=f"sqlite:///{target / 'db' / 'restored.sqlite3'}",
                             PAYESH_LAKE=str(target / "lake-copy"), PAYESH_VAR_DIR=str(target / "var"))
    shown = payesh(restored_env, "restore", str(backups / "payesh.tar")).stdout
    # Restored and settled: the ledger check it ends with found nothing to report.
    assert "restored the sqlite database" in shown and "Ledger check" not in shown
    assert batch_rows(target / "db" / "restored.sqlite3") == original
    assert manifest(target / "lake-copy") == manifest(root / "lake")
    assert _table_counts(target / "db" / "restored.sqlite3") == _table_counts(root / "payesh.sqlite3")

    before, after = _answers(settings, root / "lake"), _answers(settings, target / "lake-copy")
    non_empty = 0
    for question in QUESTIONS:
        keys = [c for c in before[question.id].columns if c in CubeQuery.parse(question.params).drilldowns]
        assert_same(after[question.id], before[question.id], keys, label=question.id)
        non_empty += len(before[question.id]) > 0
    assert non_empty >= len(QUESTIONS) - 2, "the questions must have answers to compare"

    # A second restore into the now filled folders is refused, naming what is not empty.
    again = payesh(restored_env, "restore", str(backups / "folder"), check=False)
    assert again.returncode == 2 and "PAYESH_LAKE" in again.stdout and "not empty" in again.stdout
    (target / "lake-copy2").mkdir()
    filled_db = payesh(clean_env(DATABASE_URL=f"sqlite:///{target / 'db' / 'restored.sqlite3'}",
                                 PAYESH_LAKE=str(target / "lake-copy2")), "restore", str(backups / "folder"),
                       check=False)
    assert filled_db.returncode == 2 and "DATABASE_URL" in filled_db.stdout and "already holds tables" in filled_db.stdout
    assert not any((target / "lake-copy2").iterdir())


def test_postgresql_backup_without_pg_dump_says_what_to_install(monkeypatch, tmp_path) -> None:
    from payesh.ledger import backup
    from payesh.ledger.backup import BackupError, backup_create

    monkeypatch.setattr(backup, "_database", lambda: {"ENGINE": "django.db.backends.postgresql", "NAME": "payesh",
                                                      "USER": "postgres", "HOST": "127.0.0.1", "PORT": 5432})
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    with pytest.raises(BackupError, match=r"pg_dump was not found on PATH.*postgresql-client"):
        backup_create(dest=tmp_path / "copy")
    assert not (tmp_path / "copy").exists()  # nothing half-written


def test_restore_refuses_what_is_not_a_backup(settings, tmp_path) -> None:
    from payesh.ledger.backup import BackupError, backup_restore

    (tmp_path / "not-a-backup").mkdir()
    with pytest.raises(BackupError, match=r"holds no payesh-backup\.json"):
        backup_restore(source=tmp_path / "not-a-backup")
    (tmp_path / "plain.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(BackupError, match=r"neither a backup folder nor a \.tar"):
        backup_restore(source=tmp_path / "plain.txt")
