from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from payesh.core.exporters import attachment
from payesh.core.permissions import analyst_required
from payesh.ledger import selectors, services
from payesh.ledger.forms import UploadForm
from payesh.ledger.models import Batch
from payesh.ledger.tasks import batch_run_task


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.batch_list(), 50).get_page(request.GET.get("page"))
    return render(request, "ledger/batch_list.html", {"page": page})


@analyst_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        # Stream the upload to disk; never hold a large file in memory.
        with tempfile.NamedTemporaryFile(delete=False, suffix=Path(uploaded.name).suffix) as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        try:
            batch = services.batch_create(source=Path(handle.name), source_name=uploaded.name,
                                          user=request.user,  # type: ignore[arg-type]
                                          fmt=form.cleaned_data["format"], policy=form.cleaned_data["policy"],
                                          hs_revision=form.cleaned_data["hs_revision"],
                                          sheet=form.cleaned_data["sheet"], move=True)
        finally:
            Path(handle.name).unlink(missing_ok=True)
        batch_run_task.enqueue(batch.id)
        return redirect("ledger:batch", batch_id=batch.id)
    return render(request, "ledger/upload.html", {"form": form})


@login_required
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("created_by", "status_changed_by"), pk=batch_id)
    issues = Paginator(selectors.batch_issues(batch), 100).get_page(request.GET.get("page"))
    return render(request, "ledger/batch_detail.html", {
        "batch": batch, "issues": issues, "stage_label": STAGE_LABELS.get(batch.stage, batch.stage)})


STAGE_LABELS = {
    "start": _("starting"), "hash": _("checking the file"), "read": _("reading"), "normalise": _("normalising"),
    "validate": _("validating"), "write": _("writing"), "commit": _("committing"), "done": _("done"),
}


@login_required
def batch_status(request: HttpRequest, batch_id: str) -> JsonResponse:
    batch = get_object_or_404(Batch, pk=batch_id)
    return JsonResponse({
        "status": batch.status, "status_label": str(batch.get_status_display()), "stage": batch.stage, "stage_label": str(STAGE_LABELS.get(batch.stage, batch.stage)),
        "done": batch.progress_done, "total": batch.progress_total, "percent": batch.progress_percent,
        "finished": batch.finished,
    })


@login_required
def batch_report(request: HttpRequest, batch_id: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    batch = get_object_or_404(Batch, pk=batch_id)
    filename, mimetype, content = selectors.batch_report(batch, fmt)
    return attachment(content, mimetype=mimetype, filename=filename)


def template_download(request: HttpRequest, language: str, fmt: str) -> HttpResponse:
    if language not in ("fa", "en") or fmt not in ("csv", "xlsx"):
        raise Http404
    filename, mimetype, content = selectors.canonical_template(fmt, language)
    return attachment(content, mimetype=mimetype, filename=filename)


def _change_status(request: HttpRequest, batch_id: str, action: str) -> HttpResponse:
    get_object_or_404(Batch, pk=batch_id)
    change = services.batch_withdraw if action == "withdraw" else services.batch_restore
    try:
        change(batch_id=batch_id, user=request.user)  # type: ignore[arg-type]
    except services.LedgerError as exc:
        messages.error(request, exc.message_fa if (get_language() or "fa").startswith("fa") else exc.message_en)
    return redirect("ledger:batch", batch_id=batch_id)


@require_http_methods(["GET", "POST"])
@analyst_required
def batch_withdraw(request: HttpRequest, batch_id: str) -> HttpResponse:
    """GET: a confirmation page saying what withdrawing does; POST (its button): withdraw.

    A page of its own rather than a script-driven dialog: it works without JavaScript and under the
    site's Content-Security-Policy (no inline handlers), and the browser's back button cancels.
    """
    if request.method == "GET":
        batch = get_object_or_404(Batch, pk=batch_id)
        if batch.status != "active":
            return redirect("ledger:batch", batch_id=batch_id)
        return render(request, "ledger/batch_withdraw.html", {"batch": batch})
    return _change_status(request, batch_id, "withdraw")


@require_POST
@analyst_required
def batch_restore(request: HttpRequest, batch_id: str) -> HttpResponse:
    return _change_status(request, batch_id, "restore")
