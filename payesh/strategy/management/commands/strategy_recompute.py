from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Recompute every KPI of the approved and open versions and add to their monthly history what changed "
            "(run after a load or a withdrawal, or monthly).")

    def handle(self, *args: Any, **options: Any) -> None:
        from payesh.strategy.services import kpis_recompute_all

        added = kpis_recompute_all()
        self.stdout.write(f"{added} KPI history entries added")
