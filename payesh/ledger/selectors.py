"""Reads of the trade ledger for pages and the CLI (aggregated trade numbers come from the cube)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from django.db.models import QuerySet

from payesh.core.exporters import export
from payesh.ledger.core.issues import Issue
from payesh.ledger.core.report import REPORT_COLUMNS
from payesh.ledger.core.schema import INPUT_COLUMNS
from payesh.ledger.core.templates_data import EXAMPLE_ROWS
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
    return issues_report(batch.issues.all(), fmt, stem=f"payesh-report-{batch.id}")


def issues_report(issues: Iterable[BatchIssue | Issue], fmt: str, *, stem: str) -> tuple[str, str, bytes]:
    """Validation findings (recorded, or straight from the ledger core) as a download.

    Written by the site's one exporter (payesh.core.exporters), which keeps a cell value such as
    ``=HYPERLINK(…)`` copied from a bad file from becoming a live formula in the report."""
    frame = pd.DataFrame([{c: getattr(i, c) if getattr(i, c) != "" else None for c in REPORT_COLUMNS}
                          for i in issues], columns=list(REPORT_COLUMNS))
    file = export([("issues", frame)], fmt, stem=stem)
    return file.filename, file.mimetype, file.content


def canonical_template(fmt: str, language: str) -> tuple[str, str, bytes]:
    """The canonical input layout with example rows; Persian or English headers (the XLSX also
    describes each column on a second sheet)."""
    persian = language == "fa"
    examples = pd.DataFrame([[row.get(c.name) for c in INPUT_COLUMNS] for row in EXAMPLE_ROWS],
                            columns=[c.header_fa if persian else c.name for c in INPUT_COLUMNS])
    tables = [("data", examples)]
    if fmt == "xlsx":
        tables.append(("columns", pd.DataFrame(
            [[c.name, c.header_fa, "yes" if c.required else "no", c.description_en] for c in INPUT_COLUMNS],
            columns=["column", "ستون", "required", "description"])))
    file = export(tables, fmt, stem=f"payesh-template-{language}", language=language)
    return file.filename, file.mimetype, file.content
