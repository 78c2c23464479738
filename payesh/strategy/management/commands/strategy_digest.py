from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send every focal point the weekly digest of what their agency owes (once per ISO week)."

    def handle(self, *args: Any, **options: Any) -> None:
        from payesh.strategy.services import digest_send

        self.stdout.write(f"{digest_send()} digests sent")
