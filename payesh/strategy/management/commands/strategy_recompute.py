from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Recompute every KPI of the approved and open versions and add to their monthly history what changed "
            "(run after a load or a withdrawal, or monthly).")

    def handle(self, *args: Any, **options: Any) -> None:
        from payesh.strategy.models import Version
        from payesh.strategy.services import version_kpis_recompute

        added = sum(version_kpis_recompute(user=None, version=v) for v in Version.objects.exclude(status="superseded"))
        self.stdout.write(f"{added} KPI history entries added")
