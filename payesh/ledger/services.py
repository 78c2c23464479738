"""Writes of the trade ledger: create and run loads, withdraw and restore batches, rebuild the lake.

The web upload (through a background task) and `payesh ingest` call these same functions.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payesh.core.models import User
from payesh.ledger.core import IngestResult, Lake, LakeError, ReferenceCodes, ingest
from payesh.ledger.core.lake import pause_point
from payesh.ledger.core.numerals import normalize_name
from payesh.ledger.models import Batch, BatchIssue
from payesh.ledger.runner import Runner
from payesh.reference import models as ref
from payesh.reference.country_codes import area_codes, source_country_map

logger = logging.getLogger(__name__)

ProgressFn = Callable[[int, int | None, str], None]


class LedgerError(Exception):
    """A refused ledger operation, with the message in both languages."""

    def __init__(self, message_en: str, message_fa: str) -> None:
        super().__init__(message_en)
        self.message_en, self.message_fa = message_en, message_fa


def lake_open() -> Lake:
    return Lake(Path(settings.PAYESH_LAKE))


# Apps above the ledger that keep figures derived from the lake (e.g. the strategy's KPI history) register
# here, in their AppConfig.ready(); the ledger calls them after every change and imports none of them.
LAKE_LISTENERS: list[Callable[[], object]] = []


def lake_listener_register(listener: Callable[[], object]) -> None:
    if listener not in LAKE_LISTENERS:
        LAKE_LISTENERS.append(listener)


def lake_changed() -> None:
    """After a batch is committed, withdrawn or restored: the writer's side of the cube (rollups,
    the PostgreSQL copy) is rebuilt now, so that no read ever has to; a lake without dimension
    tables yet (a new lake folder) gets them from the one publisher; then the registered listeners run.

    The batch is already committed when a listener runs, so a failing listener does not undo or fail
    the load: its error is logged with its traceback, and the listener's own command repeats it."""
    from payesh.cube import cube_refresh
    from payesh.cube.dims import dims_dir, dims_published
    from payesh.reference.services import dimensions_publish

    if not dims_published(dims_dir(Path(settings.PAYESH_LAKE))):
        dimensions_publish()  # refreshes the cube too
    else:
        cube_refresh()
    for listener in LAKE_LISTENERS:
        try:
            listener()
        except Exception:  # the load stands; the error goes to the log, never silently
            logger.exception("After a ledger change, %s failed; run it again by its own command.",
                             getattr(listener, "__qualname__", listener))


def reference_codes() -> ReferenceCodes:
    """The reference tables as the framework-free validator needs them."""
    hs: dict[str, set[str]] = {}
    for revision, code in ref.HSProduct.objects.values_list("revision", "code"):
        hs.setdefault(revision, set()).add(code)
    countries = list(ref.Country.objects.values_list("iso3", "iso2", "m49", "name_fa", "name_en"))
    provinces = list(ref.Province.objects.values_list("code", "name_fa"))
    counties = list(ref.County.objects.values_list("code", "province_id", "name_fa"))
    offices = list(ref.CustomsOffice.objects.values_list("code", "name_fa"))
    markets = list(ref.BorderMarket.objects.values_list("code", "name_fa"))
    return ReferenceCodes(
        hs_codes={revision: frozenset(codes) for revision, codes in hs.items()},
        # World rows may name an area that is not a country (WLD, XNS); see reference.country_codes.
        countries=frozenset(c[0] for c in countries) | area_codes(),
        country_iso2={c[1]: c[0] for c in countries if c[1]},
        country_m49={c[2]: c[0] for c in countries if c[2] is not None},
        source_countries=source_country_map(),
        country_names_fa={normalize_name(c[3]): c[0] for c in countries if c[3]},
        customs_offices=frozenset(o[0] for o in offices),
        customs_office_names_fa=_office_names(offices),
        border_markets=frozenset(m[0] for m in markets),
        border_market_names_fa={normalize_name(m[1]): m[0] for m in markets if m[1]},
        provinces=frozenset(p[0] for p in provinces),
        province_names_fa={normalize_name(p[1]): p[0] for p in provinces if p[1]},
        counties=frozenset(c[0] for c in counties),
        county_names_fa={(c[1], normalize_name(c[2])): c[0] for c in counties if c[2]},
    )


def _office_names(offices: list[tuple[str, str]]) -> dict[str, str]:
    """Map Persian office names to codes; also without the leading «گمرک» that extracts often omit."""
    names: dict[str, str] = {}
    for code, name in offices:
        if not name:
            continue
        names[normalize_name(name)] = code
        short = name.split("(")[0].replace("گمرک", "").strip()
        if short:
            names.setdefault(normalize_name(short), code)
    return names


def _uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def batch_create(*, source: Path, source_name: str, user: User | None, fmt: str = "", policy: str = "reject",
                 hs_revision: str = "", sheet: str = "", move: bool = False) -> Batch:
    """Record a load and keep its file until it runs; the lake keeps its own copy once committed."""
    if policy not in Batch.Policy.values:
        raise LedgerError(f"Unknown policy {policy!r}; use reject or quarantine.",
                          f"سیاست {policy!r} شناخته نیست؛ reject یا quarantine را به کار ببرید.")
    batch_id = Lake.new_batch_id()
    target_dir = _uploads_dir() / batch_id
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / Path(source_name).name
    if move:
        shutil.move(str(source), target)
    else:
        shutil.copyfile(source, target)
    return Batch.objects.create(id=batch_id, source_name=Path(source_name).name, stored_path=str(target),
                                requested_format=fmt, policy=policy, hs_revision=hs_revision, sheet=sheet,
                                created_by=user)


class _ThrottledProgress:
    """Write progress to the database at most twice a second (the page polls it)."""

    def __init__(self, batch: Batch, echo: ProgressFn | None) -> None:
        self.batch, self.echo, self.last = batch, echo, 0.0

    def __call__(self, done: int, total: int | None, stage: str) -> None:
        if self.echo:
            self.echo(done, total, stage)
        now = time.monotonic()
        if now - self.last < 0.5 and stage == self.batch.stage:
            return
        self.last = now
        Batch.objects.filter(pk=self.batch.pk).update(stage=stage[:40], progress_done=done, progress_total=total)


def batch_run(*, batch_id: str, progress: ProgressFn | None = None) -> Batch:
    """Validate and load a queued batch; never leaves the lake half-written (the core commits atomically).

    The batch is claimed with the identity of this process (pid, host, start time): if the process
    dies, `payesh ledger check` (run at every start of the worker and the server) settles it."""
    runner = Runner.current()
    # Claim atomically: of two workers handed the same batch, one runs it.
    claimed = Batch.objects.filter(pk=batch_id, status=Batch.Status.QUEUED).update(
        status=Batch.Status.RUNNING, stage="start", runner_pid=runner.pid, runner_host=runner.host,
        runner_started=runner.started)
    batch = Batch.objects.get(pk=batch_id)
    if not claimed:
        return batch
    pause_point("running")
    path = Path(batch.stored_path)
    try:
        result = ingest(path, lake=lake_open(), codes=reference_codes(), fmt=batch.requested_format or None,
                        policy=batch.policy,  # type: ignore[arg-type]
                        created_by=batch.created_by.username if batch.created_by else "",
                        hs_revision=batch.hs_revision or None, source_name=batch.source_name, batch_id=batch.id,
                        sheet=batch.sheet or None, progress=_ThrottledProgress(batch, progress))
    except Exception as exc:
        # A bug or an I/O failure, not a problem in the file: record it, keep the upload for a retry.
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.FAILED, finished_at=timezone.now(),
            message_en=f"The load failed unexpectedly: {exc.__class__.__name__}: {exc}. The lake is unchanged.",
            message_fa=f"بارگذاری به‌طور غیرمنتظره متوقف شد: {exc.__class__.__name__}: {exc}. داده‌های انبار تغییری نکرد.")
        raise
    _record_result(batch, result)
    pause_point("recorded")
    if result.status == "loaded":
        lake_changed()
    path.unlink(missing_ok=True)
    shutil.rmtree(path.parent, ignore_errors=True)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _record_result(batch: Batch, result: IngestResult) -> None:
    batch.status = Batch.Status.ACTIVE if result.status == "loaded" else Batch.Status.REJECTED
    batch.format = result.format or ""
    batch.rows_read, batch.rows_loaded = result.rows_read, result.rows_loaded
    batch.rows_quarantined, batch.errors, batch.warnings = result.rows_quarantined, result.errors, result.warnings
    batch.issues_truncated = result.issues_truncated
    batch.message_en, batch.message_fa = result.message_en, result.message_fa
    batch.finished_at = timezone.now()
    batch.stage = "done"
    if result.status == "loaded":
        record = lake_open().get(batch.id)
        batch.sha256 = record.sha256
    batch.save()
    BatchIssue.objects.filter(batch=batch).delete()
    BatchIssue.objects.bulk_create([
        BatchIssue(batch=batch, row=i.row, column=i.column or "", value=(i.value or "")[:500], rule=i.rule,
                   severity=i.severity, message_en=i.message_en, message_fa=i.message_fa)
        for i in result.issues
    ], batch_size=5000)


def batch_ingest(*, path: Path, user: User | None = None, fmt: str = "", policy: str = "reject",
                 hs_revision: str = "", sheet: str = "", progress: ProgressFn | None = None) -> Batch:
    """Load a file synchronously (the CLI). ``sheet`` names the workbook sheet holding the table
    (XLSX); empty reads the first sheet."""
    batch = batch_create(source=path, source_name=path.name, user=user, fmt=fmt, policy=policy,
                         hs_revision=hs_revision, sheet=sheet)
    return batch_run(batch_id=batch.id, progress=progress)


def _set_status(batch_id: str, user: User | None, action: str) -> Batch:
    batch = Batch.objects.get(pk=batch_id)
    lake = lake_open()
    try:
        record = lake.withdraw(batch_id, by=user.username if user else "") if action == "withdraw" \
            else lake.restore(batch_id, by=user.username if user else "")
    except LakeError as exc:
        raise LedgerError(exc.message_en, exc.message_fa) from exc
    except KeyError as exc:
        raise LedgerError(f"Batch {batch_id} is not in the lake (it was never loaded).",
                          f"دسته {batch_id} در انبار داده نیست (هرگز بارگذاری نشده است).") from exc
    pause_point("status-changed")
    batch.status = Batch.Status.ACTIVE if record.status == "active" else Batch.Status.WITHDRAWN
    batch.status_changed_by, batch.status_changed_at = user, timezone.now()
    batch.save(update_fields=["status", "status_changed_by", "status_changed_at"])
    lake_changed()
    return batch


def batch_withdraw(*, batch_id: str, user: User | None = None) -> Batch:
    """Hide a batch's rows from every number; reversible with ``batch_restore``."""
    return _set_status(batch_id, user, "withdraw")


def batch_restore(*, batch_id: str, user: User | None = None) -> Batch:
    return _set_status(batch_id, user, "restore")


def lake_rebuild(*, target: Path, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Re-create the lake from its kept source files into ``target`` (an empty folder)."""
    from payesh.ledger.core import rebuild

    new = rebuild(lake_open(), codes=reference_codes(), target=target, progress=progress)
    return {"batches": len(new.batches()), "root": str(target)}
