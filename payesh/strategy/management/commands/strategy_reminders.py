from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Send the strategy reminders (actions due and overdue, rounds closing) in the app and by e-mail; "
            "run daily (each reminder goes once per object and day). With --digest also the weekly digest of "
            "every focal point (once per ISO week).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--digest", action="store_true", help="Also send the weekly digest.")

    def handle(self, *args: Any, **options: Any) -> None:
        from payesh.strategy.services import digest_send, reminders_send

        sent = reminders_send()
        self.stdout.write(f"{sent} reminders sent")
        if options["digest"]:
            self.stdout.write(f"{digest_send()} digests sent")
