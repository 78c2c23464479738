"""Keep the batch records, the lake manifest and the uploads in agreement after any crash.

The lake manifest is the truth about which batches exist and which are active (the lake commits
atomically); the ``Batch`` table records every attempt and mirrors the manifest's status. A
process killed during a load leaves its batch ``running``, possibly with the batch already in the
manifest (killed between the lake's commit and the record), and may leave files behind.
:func:`ledger_check` finds each such disagreement and, with ``repair=True``, settles it:

- a ``running`` batch whose process is dead (pid, host and start time, see ``runner``) becomes
  what the manifest says — loaded (or withdrawn), with its counts and issues from the lake — or,
  when the manifest does not hold it, ``failed`` with the lake unchanged;
- a finished batch whose status differs from the manifest takes the manifest's status; a batch
  the manifest holds without a record gets one; a record claiming rows the lake lacks is failed;
- files in the lake that no manifest entry names (staging, spill files, unpublished batches) are
  removed, and so are uploads that no longer serve: of loaded or rejected batches at once, of
  failed and withdrawn loads after ``PAYESH_UPLOAD_RETENTION_DAYS``, without a record after an hour.

It runs at every start of the worker and of the server, and as `payesh ledger check [--repair]`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from payesh.ledger.core import BatchRecord, Lake
from payesh.ledger.models import Batch, BatchIssue
from payesh.ledger.runner import Liveness, Runner

# batch_create makes the upload folder a moment before the record: a folder without a record is
# an orphan only once it is older than this.
ORPHAN_UPLOAD_GRACE = dt.timedelta(hours=1)
LAKE_STATUSES = {"active": Batch.Status.ACTIVE, "withdrawn": Batch.Status.WITHDRAWN}


@dataclass(frozen=True)
class Finding:
    """One disagreement found, and what was (or, without repair, would be) done about it."""

    kind: str  # stable identifier, e.g. running_dead_completed
    subject: str  # a batch id or a path
    detail: str  # what was found, in English
    action: str  # what repair does; empty when nothing is to be done (a live load)
    repaired: bool = False


@dataclass
class LedgerCheck:
    repair: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def needs_repair(self) -> bool:
        return any(f.action and not f.repaired for f in self.findings)

    def add(self, kind: str, subject: str, detail: str, action: str = "") -> Finding:
        finding = Finding(kind, subject, detail, action, repaired=self.repair and bool(action))
        self.findings.append(finding)
        return finding


def ledger_tables_exist() -> bool:
    """False before `payesh init` has migrated the database (start-up then has nothing to check)."""
    return Batch._meta.db_table in connection.introspection.table_names()


def ledger_check(*, repair: bool, lake: Lake | None = None, now: dt.datetime | None = None,
                 assume_dead: bool = False) -> LedgerCheck:
    """Compare records, manifest, lake files and uploads; with ``repair``, settle what disagrees.

    ``assume_dead``: every ``running`` batch is left by a dead process (a restored copy: no process
    of this instance ever ran them, whatever the recorded pid says)."""
    lake = lake or Lake(Path(settings.PAYESH_LAKE), collect_garbage=False)
    now = now or timezone.now()
    check = LedgerCheck(repair=repair)
    # Holding the writer lock keeps the manifest still while it is compared; a live load holds it
    # for its whole run, and then only what a dead process left is touched.
    with lake.writer(blocking=False) as lake_free:
        manifest = {b.id: b for b in lake.batches()}
        _settle_running(check, lake, manifest, lake_free or assume_dead, now, assume_dead)
        _settle_finished(check, lake, manifest, now)
        if lake_free:
            _remove_lake_orphans(check, lake)
        else:
            check.add("lake_busy", str(lake.root), "A load is writing to the lake now; its files were not checked.")
    _apply_upload_retention(check, now)
    return check


# ------------------------------------------------------------------------------------------ batches
def _settle_running(check: LedgerCheck, lake: Lake, manifest: dict[str, BatchRecord], lake_free: bool,
                    now: dt.datetime, assume_dead: bool) -> None:
    for batch in Batch.objects.filter(status=Batch.Status.RUNNING).order_by("created_at"):
        if batch.runner_pid is not None:
            runner = Runner(batch.runner_pid, batch.runner_host, batch.runner_started or 0.0)
            liveness = Liveness.DEAD if assume_dead else runner.liveness()
            who = runner.describe()
        else:
            # Recorded before runners were: dead if no load holds the lake now.
            liveness, who = Liveness.DEAD if lake_free else Liveness.UNKNOWN, "an unrecorded process"
        if liveness == Liveness.ALIVE:
            check.add("running_alive", batch.id, f"Load in progress ({who}).")
            continue
        if liveness == Liveness.UNKNOWN:
            check.add("running_unknown", batch.id,
                      f"Left running by {who}; whether that process lives cannot be told from this host.")
            continue
        record = manifest.get(batch.id)
        if record is not None:
            check.add("running_dead_completed", batch.id,
                      f"Its process ({who}) died after the lake committed the batch ({record.rows_loaded} rows).",
                      f"record it as {record.status} from the lake manifest")
            if check.repair:
                _complete_from_lake(batch, record, lake, now,
                                    f"its process ({who}) stopped after the lake committed it")
        else:
            check.add("running_dead_failed", batch.id,
                      f"Its process ({who}) died before the lake committed the batch; the lake is unchanged.",
                      "mark it failed (the upload is kept for a retry)")
            if check.repair:
                _fail(batch, now,
                      f"The load was interrupted: its process ({who}) stopped before the batch was committed. "
                      f"The lake is unchanged; load the file again.",
                      f"بارگذاری نیمه‌کاره ماند: فرایند آن ({who}) پیش از ثبت دسته متوقف شد. "
                      f"انبار داده تغییری نکرد؛ فایل را دوباره بارگذاری کنید.")


def _settle_finished(check: LedgerCheck, lake: Lake, manifest: dict[str, BatchRecord], now: dt.datetime) -> None:
    finished = Batch.objects.exclude(status__in=(Batch.Status.QUEUED, Batch.Status.RUNNING))
    known = set()
    for batch in finished.order_by("created_at"):
        known.add(batch.id)
        record = manifest.get(batch.id)
        loaded = batch.status in LAKE_STATUSES.values()
        if record is None and loaded:
            check.add("record_without_lake", batch.id,
                      f"Recorded as {batch.status}, but the lake manifest does not hold it.",
                      "mark it failed (its rows are in no number)")
            if check.repair:
                _fail(batch, now,
                      "The lake does not hold this batch (lost, or the lake was restored from an older copy); "
                      "its rows count in no number. Load the file again.",
                      "انبار داده این دسته را ندارد؛ سطرهای آن در هیچ عددی شمرده نمی‌شوند. فایل را دوباره بارگذاری کنید.")
        elif record is not None and not loaded:
            check.add("lake_ahead_of_record", batch.id,
                      f"Recorded as {batch.status}, but the lake holds it as {record.status}.",
                      f"record it as {record.status} from the lake manifest")
            if check.repair:
                _complete_from_lake(batch, record, lake, now, "the lake committed it")
        elif record is not None and LAKE_STATUSES[record.status] != batch.status:
            check.add("status_mismatch", batch.id,
                      f"Recorded as {batch.status}, but the lake manifest says {record.status}.",
                      f"record it as {record.status}")
            if check.repair:
                Batch.objects.filter(pk=batch.pk).update(status=LAKE_STATUSES[record.status], status_changed_at=now)
    known |= set(Batch.objects.filter(status__in=(Batch.Status.QUEUED, Batch.Status.RUNNING))
                 .values_list("id", flat=True))
    for batch_id, record in manifest.items():
        if batch_id not in known:
            check.add("lake_without_record", batch_id,
                      f"The lake holds batch {batch_id} ({record.source_name}, {record.status}) with no record.",
                      "create its record from the lake manifest")
            if check.repair:
                _complete_from_lake(Batch(id=batch_id, source_name=record.source_name[:255]), record, lake, now,
                                    "it was found in the lake without a record")


@transaction.atomic
def _complete_from_lake(batch: Batch, record: BatchRecord, lake: Lake, now: dt.datetime, why: str) -> None:
    """Make the record say what the lake holds: status, counts and the issues kept beside the facts."""
    from payesh.core.models import User

    batch.status = LAKE_STATUSES[record.status]
    batch.format, batch.sha256, batch.policy = record.format, record.sha256, record.policy
    batch.hs_revision = record.hs_revision or ""
    batch.rows_read, batch.rows_loaded = record.rows_read, record.rows_loaded
    batch.rows_quarantined, batch.errors, batch.warnings = record.rows_quarantined, record.errors, record.warnings
    batch.stage = "done"
    batch.finished_at = batch.finished_at or now
    if batch.created_by_id is None and record.created_by:
        batch.created_by = User.objects.filter(username=record.created_by).first()
    batch.message_en = (f"Loaded {record.rows_loaded} row(s) as batch {record.id}. Recorded from the lake by "
                        f"`payesh ledger check`: {why}.")
    batch.message_fa = (f"{record.rows_loaded} سطر با شناسه دسته {record.id} بارگذاری شد. این نتیجه را "
                        f"«payesh ledger check» از انبار داده ثبت کرد.")
    upload = Path(batch.stored_path) if batch.stored_path else None
    batch.stored_path = ""
    batch.save()
    issues_path = lake.issues_path(record.id)
    issues = pq.read_table(issues_path).to_pylist() if issues_path.exists() else []
    batch.issues_truncated = sum(i["severity"] in ("error", "warning") for i in issues) < record.errors + record.warnings
    batch.save(update_fields=["issues_truncated"])
    BatchIssue.objects.filter(batch=batch).delete()
    BatchIssue.objects.bulk_create([
        BatchIssue(batch=batch, row=i["row"], column=i["column"] or "", value=(i["value"] or "")[:500],
                   rule=i["rule"], severity=i["severity"], message_en=i["message_en"], message_fa=i["message_fa"])
        for i in issues], batch_size=5000)
    if upload is not None:
        # The lake keeps its own copy of the source; the upload has served.
        shutil.rmtree(upload.parent, ignore_errors=True)


def _fail(batch: Batch, now: dt.datetime, message_en: str, message_fa: str) -> None:
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.FAILED, stage="", finished_at=now,
                                             message_en=message_en, message_fa=message_fa)


# ------------------------------------------------------------------------------------------ files
def _remove_lake_orphans(check: LedgerCheck, lake: Lake) -> None:
    """Under the writer lock (held by the caller): files of the lake that no manifest entry names."""
    for relative in lake.orphans():
        check.add("lake_orphan", str(lake.root / relative),
                  "Left in the lake by an interrupted load; no manifest entry names it.", "remove it")
        if check.repair:
            path = lake.root / relative
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def _apply_upload_retention(check: LedgerCheck, now: dt.datetime) -> None:
    root = uploads_dir()
    if not root.is_dir():
        return
    retention = dt.timedelta(days=settings.PAYESH_UPLOAD_RETENTION_DAYS)
    batches = {b.id: b for b in Batch.objects.filter(id__in=[p.name for p in root.iterdir()])}
    for folder in sorted(root.iterdir()):
        batch = batches.get(folder.name)
        modified = dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC)
        if batch is None:
            if now - modified < ORPHAN_UPLOAD_GRACE:
                continue
            kind, detail = "upload_orphan", "An upload folder without a batch record."
        elif batch.status in (Batch.Status.QUEUED, Batch.Status.RUNNING):
            continue
        elif batch.status in (Batch.Status.FAILED, Batch.Status.WITHDRAWN):
            since = batch.status_changed_at if batch.status == Batch.Status.WITHDRAWN else batch.finished_at
            since = since or batch.created_at
            if now - since < retention:
                continue
            kind = "upload_expired"
            detail = (f"Upload of a {batch.status} load, kept {settings.PAYESH_UPLOAD_RETENTION_DAYS} days "
                      f"(PAYESH_UPLOAD_RETENTION_DAYS).")
        else:
            kind, detail = "upload_leftover", f"Upload of a {batch.status} load; it is no longer needed."
        check.add(kind, str(folder), detail, "remove it")
        if check.repair:
            shutil.rmtree(folder, ignore_errors=True)
            if batch is not None and batch.stored_path:
                Batch.objects.filter(pk=batch.pk).update(stored_path="")
