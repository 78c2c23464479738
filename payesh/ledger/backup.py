"""`payesh backup` and `payesh restore`: a consistent copy of the application database and the lake.

Consistent means: taken while no batch is committing (under the lake's writer lock, the lock every
load and withdrawal holds), so the copied manifest, the copied facts and the copied batch records
describe the same batches. A load still running when the copy was taken is in the copy as
``running``; restoring settles it (failed, or loaded if its commit made it into the copied lake).

A backup is a folder (or the same folder as a ``.tar`` / ``.tar.gz``) holding::

    payesh-backup.json     what the backup holds (format, time, database engine, batches)
    database.sqlite3       SQLite: a copy made with SQLite's online backup API
    database.pgdump        PostgreSQL: pg_dump --format=custom
    lake/                  the lake: manifest, the files it names, dimension tables, world data
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from payesh.ledger.core import Lake
from payesh.ledger.integrity import LedgerCheck, ledger_check

MANIFEST = "payesh-backup.json"
FORMAT = 1
# Lake entries that are never part of a copy: work in progress, the lock file and the cube's rollups
# (caches keyed by the manifest, rebuilt on the first question).
LAKE_SKIP = frozenset({"staging", "tmp", ".lock", "rollups"})


class BackupError(Exception):
    """A refused backup or restore; the message says what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    batches: int
    lake_files: int


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    database: str
    lake: Path
    batches: int
    check: LedgerCheck


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _engine(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL databases, not {engine}.")


def _postgres_url(db: dict[str, Any]) -> str:
    from urllib.parse import quote

    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgresql://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _postgres_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} was not found on PATH: the PostgreSQL database cannot be copied without it. "
                          f"Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) "
                          f"in the same major version as the server, then run the command again.")
    return tool


# ------------------------------------------------------------------------------------------ backup
def backup_create(*, dest: Path) -> BackupSummary:
    """Copy the database and the lake into ``dest``: a new folder, or a ``.tar``/``.tar.gz`` file."""
    dest = Path(dest)
    archive = dest.name.endswith((".tar", ".tar.gz", ".tgz"))
    if dest.exists() and (archive or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists; give a new folder or archive name.")
    db = _database()
    engine = _engine(db)
    lake = Lake(Path(settings.PAYESH_LAKE), collect_garbage=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent)) if archive else dest
    created = archive or not dest.exists()
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        work.mkdir(parents=True, exist_ok=True)
        with lake.writer():  # waits for a committing load: nothing changes while the copy is taken
            batches = lake.batches()
            if engine == "sqlite":
                _sqlite_copy(Path(db["NAME"]), work / "database.sqlite3")
                database_file = "database.sqlite3"
            else:
                _pg_dump(db, work / "database.pgdump")
                database_file = "database.pgdump"
            skip = set(lake.orphans())
            copied = _copy_lake(lake.root, work / "lake", skip)
        info = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "payesh_version": _version(), "engine": engine, "database": database_file, "lake": "lake",
                "batches": len(batches), "active_batches": sum(b.status == "active" for b in batches),
                "lake_files": copied}
        (work / MANIFEST).write_text(json.dumps(info, indent=1), encoding="utf-8")
        if archive:
            with tarfile.open(partial, "w:gz" if dest.name.endswith(("gz", ".tgz")) else "w") as tar:
                for child in sorted(work.iterdir()):
                    tar.add(child, arcname=child.name)
            partial.replace(dest)
    except BaseException:
        if created:
            shutil.rmtree(work, ignore_errors=True)  # no half-written backup is left to be mistaken for one
            partial.unlink(missing_ok=True)
        raise
    finally:
        if archive:
            shutil.rmtree(work, ignore_errors=True)
    return BackupSummary(path=dest, engine=engine, batches=len(batches), lake_files=copied)


def _version() -> str:
    from payesh import __version__

    return str(__version__)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the site reads and writes."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(db: dict[str, Any], target: Path) -> None:
    result = subprocess.run([_postgres_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
                             f"--dbname={_postgres_url(db)}"], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _copy_lake(root: Path, target: Path, skip: set[str]) -> int:
    """Copy the lake but for work in progress and files no manifest entry names; returns the file count."""
    copied = 0
    target.mkdir(parents=True)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in LAKE_SKIP or relative.name.startswith(".manifest.json.") or \
                any(str(Path(*relative.parts[:n])) in skip for n in range(1, len(relative.parts) + 1)):
            continue
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        else:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            copied += 1
    return copied


# ------------------------------------------------------------------------------------------ restore
def backup_restore(*, source: Path) -> RestoreSummary:
    """Restore a backup into the configured database and lake, both of which must be empty."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    with tempfile.TemporaryDirectory(prefix="payesh-restore-") as temp:
        folder = source
        if source.is_file():
            if not tarfile.is_tarfile(source):
                raise BackupError(f"{source} is neither a backup folder nor a .tar archive made by `payesh backup`.")
            with tarfile.open(source) as tar:
                tar.extractall(temp, filter="data")  # refuses absolute paths, links out of the folder
            folder = Path(temp)
        return _restore_folder(folder)


def _restore_folder(folder: Path) -> RestoreSummary:
    info_path = folder / MANIFEST
    if not info_path.exists():
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a backup made by `payesh backup`.")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of format {info.get('format')!r}; this Payesh reads format {FORMAT}.")
    db = _database()
    engine = _engine(db)
    if info["engine"] != engine:
        raise BackupError(f"The backup holds a {info['engine']} database but DATABASE_URL names a {engine} "
                          f"database; restore into a {info['engine']} database.")
    lake_root = Path(settings.PAYESH_LAKE)
    if lake_root.exists() and any(lake_root.iterdir()):
        raise BackupError(f"The lake folder {lake_root} (PAYESH_LAKE) is not empty; restore into an empty folder.")
    _refuse_non_empty_database(db, engine)
    connections.close_all()
    if engine == "sqlite":
        target = Path(db["NAME"])
        target.unlink(missing_ok=True)  # an empty file SQLite created on connecting
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _sqlite_copy(folder / info["database"], target)
        database = str(target)
    else:
        result = subprocess.run([_postgres_tool("pg_restore"), "--no-owner", "--exit-on-error",
                                 f"--dbname={_postgres_url(db)}", str(folder / info["database"])],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        database = str(db["NAME"])
    lake_root.parent.mkdir(parents=True, exist_ok=True)
    if lake_root.exists():
        lake_root.rmdir()  # empty, checked above
    shutil.copytree(folder / info["lake"], lake_root)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # a backup of an older Payesh
    lake = Lake(lake_root, collect_garbage=False)
    # No process of this instance runs a load yet: a batch the copy holds as running is settled.
    check = ledger_check(repair=True, lake=lake, assume_dead=True)
    return RestoreSummary(engine=engine, database=database, lake=lake_root, batches=len(lake.batches()),
                          check=check)


def _refuse_non_empty_database(db: dict[str, Any], engine: str) -> None:
    if engine == "sqlite":
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return
        con = sqlite3.connect(path)
        try:
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            con.close()
        if tables:
            raise BackupError(f"The database {path} (DATABASE_URL) already holds tables; restore into a new "
                              f"database file.")
        return
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        (tables,) = cursor.fetchone()
    if tables:
        raise BackupError(f"The database {db['NAME']} (DATABASE_URL) already holds tables; restore into an "
                          f"empty database (createdb).")
