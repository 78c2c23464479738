from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "payesh.strategy"
    label = "strategy"
    verbose_name = _("Strategic export-development document")

    def ready(self) -> None:
        # KPI sources register themselves (a third source joins the same registry); rules register perms.
        from payesh.strategy import kpis, rules  # noqa: F401
