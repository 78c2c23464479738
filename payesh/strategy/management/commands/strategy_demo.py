from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo strategic document (needs the demo users and, for computed KPIs, the demo ledger)."

    def handle(self, *args: Any, **options: Any) -> None:
        from payesh.strategy.demo import strategy_demo_load

        document = strategy_demo_load()
        self.stdout.write(f"strategic document {document.pk}: {document.title_en}")
