from __future__ import annotations

from django.tasks import task

from payesh.ledger import services


@task()
def batch_run_task(batch_id: str) -> str:
    """Background load of an uploaded file (enqueued by the upload page)."""
    return str(services.batch_run(batch_id=batch_id).status)
