"""Reads of the trade ledger for pages and the CLI (aggregated trade numbers come from the cube)."""

from __future__ import annotations

from django.db.models import QuerySet

from payesh.ledger.core import Issue, issues_to_csv, issues_to_xlsx
from payesh.ledger.core.templates_data import template_csv, template_xlsx
from payesh.ledger.models import Batch, BatchIssue


def demo_data_loaded() -> bool:
    """Is the synthetic demo ledger among the active batches (pages and API answers then say so)?"""
    return Batch.objects.filter(status=Batch.Status.ACTIVE, source_name__startswith="payesh-demo-").exists()


def batch_list() -> QuerySet[Batch]:
    return Batch.objects.select_related("created_by").all()


def batch_issues(batch: Batch) -> QuerySet[BatchIssue]:
    return batch.issues.all()


def batch_report(batch: Batch, fmt: str) -> tuple[str, str, bytes]:
    """The validation report of a batch as (filename, mimetype, bytes); fmt is csv or xlsx."""
    issues = [Issue(row=i.row, column=i.column or None, value=i.value or None, rule=i.rule, message_en=i.message_en,
                    message_fa=i.message_fa, severity=i.severity)  # type: ignore[arg-type]
              for i in batch.issues.all()]
    if fmt == "xlsx":
        return (f"payesh-report-{batch.id}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", issues_to_xlsx(issues))
    return f"payesh-report-{batch.id}.csv", "text/csv; charset=utf-8", issues_to_csv(issues)


def canonical_template(fmt: str, language: str) -> tuple[str, str, bytes]:
    """The canonical input layout with example rows; Persian or English headers."""
    persian = language == "fa"
    if fmt == "xlsx":
        return (f"payesh-template-{language}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                template_xlsx(persian_headers=persian))
    return f"payesh-template-{language}.csv", "text/csv; charset=utf-8", template_csv(persian_headers=persian)
