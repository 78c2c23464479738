"""`payesh ledger check`: dead loads settled from the lake manifest, live ones left alone, orphans removed,
uploads kept for the retention period, and the process-liveness rule behind it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from django.utils import timezone

from payesh.ledger import services
from payesh.ledger.core import Lake, ingest
from payesh.ledger.integrity import ledger_check
from payesh.ledger.models import Batch
from payesh.ledger.runner import Liveness, Runner
from tests.ledger.test_ledger_web import GOOD, HEADER

OTHER = HEADER + "export,2023-11-08,D7,1,MIRJAVEH,customs,,PAK,IR-11,,080410,HS12,100,kg,100,50,road\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAYESH_UPLOAD_RETENTION_DAYS = 7


def _dead_runner() -> Runner:
    """The identity of a process that has exited (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    return Runner(pid=child.pid, host=socket.gethostname(), started=started)


def _queued(tmp_path: Path, text: str = GOOD, name: str = "good.csv") -> Batch:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return services.batch_create(source=path, source_name=name, user=None)


def _mark_running(batch: Batch, runner: Runner) -> None:
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.RUNNING, runner_pid=runner.pid,
                                             runner_host=runner.host, runner_started=runner.started)


def _kinds(check) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(f.kind, f.subject) for f in check.findings]


def test_liveness_tells_this_process_a_dead_one_a_reused_pid_and_another_host() -> None:
    me = Runner.current()
    assert me.liveness() == Liveness.ALIVE
    assert _dead_runner().liveness() == Liveness.DEAD
    # Same pid, other start time: the pid was reused by another process.
    assert Runner(me.pid, me.host, me.started - 3600).liveness() == Liveness.DEAD
    assert Runner(me.pid, me.host + ".elsewhere", me.started).liveness() == Liveness.UNKNOWN


@pytest.mark.django_db
def test_a_dead_load_the_lake_committed_is_recorded_as_loaded_with_counts_and_issues(tmp_path, settings) -> None:
    batch = _queued(tmp_path)
    upload = Path(batch.stored_path)
    # What a worker killed between the lake's commit and its record leaves behind.
    result = ingest(upload, lake=Lake(settings.PAYESH_LAKE), codes=services.reference_codes(), batch_id=batch.id,
                    source_name=batch.source_name)
    assert result.status == "loaded"
    _mark_running(batch, _dead_runner())

    dry = ledger_check(repair=False)
    assert _kinds(dry) == [("running_dead_completed", batch.id)] and dry.needs_repair
    assert Batch.objects.get(pk=batch.pk).status == "running"  # a check without --repair changes nothing

    done = ledger_check(repair=True)
    assert _kinds(done) == [("running_dead_completed", batch.id)] and not done.needs_repair
    batch.refresh_from_db()
    assert (batch.status, batch.rows_loaded, batch.rows_read) == ("active", 3, 3)
    assert batch.sha256 == Lake(settings.PAYESH_LAKE).get(batch.id).sha256
    assert sorted(batch.issues.values_list("rule", "row")) == sorted((i.rule, i.row) for i in result.issues)
    assert not upload.exists() and batch.stored_path == ""  # the lake keeps the source
    assert ledger_check(repair=True).findings == []


@pytest.mark.django_db
def test_a_dead_load_the_lake_lacks_fails_keeps_its_upload_then_the_upload_expires(tmp_path, settings) -> None:
    batch = _queued(tmp_path)
    upload = Path(batch.stored_path)
    _mark_running(batch, _dead_runner())
    # The staging folder the killed load was writing.
    (Path(settings.PAYESH_LAKE) / "staging" / batch.id / "facts").mkdir(parents=True)
    check = ledger_check(repair=True)
    assert _kinds(check) == [("running_dead_failed", batch.id),
                             ("lake_orphan", str(Path(settings.PAYESH_LAKE) / "staging" / batch.id))]
    batch.refresh_from_db()
    assert batch.status == "failed" and "interrupted" in batch.message_en and batch.message_fa
    assert upload.exists()  # kept for a retry ...
    assert ledger_check(repair=True, now=timezone.now() + dt.timedelta(days=6)).findings == []
    later = ledger_check(repair=True, now=timezone.now() + dt.timedelta(days=8))  # ... for 7 days
    assert _kinds(later) == [("upload_expired", str(upload.parent))]
    assert not upload.parent.exists()
    assert Batch.objects.get(pk=batch.pk).stored_path == ""


@pytest.mark.django_db
def test_a_live_load_and_one_on_another_host_are_left_alone(tmp_path, settings) -> None:
    live = _queued(tmp_path)
    _mark_running(live, Runner.current())
    elsewhere = _queued(tmp_path, OTHER, "other.csv")
    me = Runner.current()
    _mark_running(elsewhere, Runner(me.pid, "another-host", me.started))
    check = ledger_check(repair=True)
    assert _kinds(check) == [("running_alive", live.id), ("running_unknown", elsewhere.id)]
    assert not check.needs_repair
    assert set(Batch.objects.values_list("status", flat=True)) == {"running"}
    assert Path(live.stored_path).exists() and Path(elsewhere.stored_path).exists()


@pytest.mark.django_db
def test_while_a_load_holds_the_lake_its_files_are_not_touched(tmp_path, settings) -> None:
    lake = Lake(settings.PAYESH_LAKE)
    work = lake.staging_dir("20990101T000000-abcdef")
    with lake.writer():
        check = ledger_check(repair=True, lake=Lake(settings.PAYESH_LAKE, collect_garbage=False))
    assert _kinds(check) == [("lake_busy", str(lake.root))]
    assert work.exists()


@pytest.mark.django_db
def test_record_and_manifest_statuses_are_made_to_agree_the_manifest_wins(tmp_path, settings) -> None:
    first = _write_and_load(tmp_path, "g.csv", GOOD)
    second = _write_and_load(tmp_path, "o.csv", OTHER)
    lake = Lake(settings.PAYESH_LAKE)
    lake.withdraw(first.id)  # killed before the record followed the manifest
    Batch.objects.filter(pk=second.pk).update(status=Batch.Status.FAILED)
    # A batch the lake holds with no record (e.g. loaded with the framework-free core).
    third = tmp_path / "t.csv"
    third.write_text(HEADER + "import,2023-12-01,D8,1,MIRJAVEH,customs,,PAK,,,100630,HS12,,,100,70,road\n",
                     encoding="utf-8")
    orphan = ingest(third, lake=lake, codes=services.reference_codes())
    # And a record claiming a batch the lake does not hold.
    ghost = Batch.objects.create(id="20200101T000000-000000", source_name="ghost.csv", status=Batch.Status.ACTIVE,
                                 rows_loaded=5)
    check = ledger_check(repair=True)
    assert sorted(_kinds(check)) == sorted([("record_without_lake", ghost.id), ("status_mismatch", first.id),
                                            ("lake_ahead_of_record", second.id),
                                            ("lake_without_record", orphan.batch_id)])
    statuses = dict(Batch.objects.values_list("id", "status"))
    assert statuses == {first.id: "withdrawn", second.id: "active", orphan.batch_id: "active", ghost.id: "failed"}
    recorded = Batch.objects.get(pk=orphan.batch_id)
    assert (recorded.source_name, recorded.rows_loaded) == ("t.csv", 1)
    manifest = {b.id: b.status for b in lake.batches()}
    assert {k: v for k, v in statuses.items() if k in manifest} == manifest
    assert ledger_check(repair=False).findings == []


@pytest.mark.django_db
def test_leftover_and_orphan_uploads_are_removed_after_the_grace_period(tmp_path, settings) -> None:
    batch = _write_and_load(tmp_path, "g.csv", GOOD)
    leftover = Path(settings.MEDIA_ROOT) / "uploads" / batch.id
    leftover.mkdir(parents=True)  # killed between the record and the upload's removal
    (leftover / "g.csv").write_text(GOOD, encoding="utf-8")
    orphan = Path(settings.MEDIA_ROOT) / "uploads" / "20990101T000000-fedcba"
    orphan.mkdir()  # killed between the upload's copy and the record
    assert _kinds(ledger_check(repair=True)) == [("upload_leftover", str(leftover))]
    assert not leftover.exists() and orphan.exists()  # young: batch_create may be about to record it
    old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(orphan, (old, old))
    assert _kinds(ledger_check(repair=True)) == [("upload_orphan", str(orphan))]
    assert not orphan.exists()


def _write_and_load(tmp_path: Path, name: str, text: str) -> Batch:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    batch = services.batch_ingest(path=path, user=None)
    assert batch.status == "active", batch.message_en
    return batch
