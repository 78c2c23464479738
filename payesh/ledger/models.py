"""Loads of customs files. The facts live in the Parquet lake (``payesh.ledger.core.lake``); this
table records every attempt — who, when, which file, what came of it — including rejected ones,
which never reach the lake. Whether a committed batch is active or withdrawn is the lake
manifest's word; ``status`` mirrors it for listing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Batch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("validating and loading")
        ACTIVE = "active", _("loaded")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")

    class Policy(models.TextChoices):
        REJECT = "reject", _("reject the whole file on any error")
        QUARANTINE = "quarantine", _("load the valid rows, quarantine the rest")

    id = models.CharField(_("batch"), max_length=40, primary_key=True)
    source_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(_("stored upload"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    format = models.CharField(_("format"), max_length=40, blank=True)
    requested_format = models.CharField(_("requested format"), max_length=40, blank=True)
    hs_revision = models.CharField(_("HS revision"), max_length=4, blank=True)
    # The workbook sheet holding the table (XLSX), kept so that a retried load reads the same one;
    # empty: the first sheet.
    sheet = models.CharField(_("sheet"), max_length=255, blank=True)
    policy = models.CharField(_("policy"), max_length=12, choices=Policy.choices, default=Policy.REJECT)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    progress_done = models.BigIntegerField(_("rows done"), default=0)
    progress_total = models.BigIntegerField(_("rows in total"), null=True, blank=True)
    rows_read = models.BigIntegerField(_("rows read"), default=0)
    rows_loaded = models.BigIntegerField(_("rows loaded"), default=0)
    rows_quarantined = models.BigIntegerField(_("rows quarantined"), default=0)
    errors = models.IntegerField(_("errors"), default=0)
    warnings = models.IntegerField(_("warnings"), default=0)
    issues_truncated = models.BooleanField(_("issue list truncated"), default=False)
    message_en = models.TextField(_("message (English)"), blank=True)
    message_fa = models.TextField(_("message (Persian)"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="batches")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("status changed by"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # The process running the load (set when it starts): `payesh ledger check` tells a load whose
    # process died (kill -9, power cut) from one still running by these three, since a pid alone
    # may have been reused by another process since.
    runner_pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    runner_host = models.CharField(_("host"), max_length=255, blank=True)
    runner_started = models.FloatField(_("process start time"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return f"{self.id} · {self.source_name}"

    @property
    def message(self) -> str:
        return self.message_fa if (get_language() or "fa").startswith("fa") and self.message_fa else self.message_en

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))


class BatchIssue(models.Model):
    """One validation finding of a batch (the pipeline keeps up to its MAX_ISSUES; downloadable)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="issues")
    row = models.BigIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=120, blank=True)
    value = models.TextField(_("value"), blank=True)
    rule = models.CharField(_("rule"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10)
    message_en = models.TextField(_("message (English)"))
    message_fa = models.TextField(_("message (Persian)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("validation issue")
        verbose_name_plural = _("validation issues")

    def __str__(self) -> str:
        return f"{self.rule} @ {self.row}"

    @property
    def message(self) -> str:
        return self.message_fa if (get_language() or "fa").startswith("fa") else self.message_en
