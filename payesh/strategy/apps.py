from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "payesh.strategy"
    label = "strategy"
    verbose_name = _("Strategic export-development document")
    # Shown on the home page's card (payesh/templates/core/home.html); declared here so that this app's
    # catalog keeps its Persian translation when its messages are extracted again.
    description = _("Goals, KPIs computed from the trade data or reported by the agencies, actions and their "
                    "reports, consultation rounds and approval by the working group.")

    def ready(self) -> None:
        # KPI sources register themselves (a third source joins the same registry); rules register perms.
        from payesh.core.review import reason_labels_register
        from payesh.ledger.services import lake_listener_register
        from payesh.strategy import kpis, rules  # noqa: F401
        from payesh.strategy.services import kpis_recompute_all

        # A load, withdrawal or restore re-computes the KPI history (a revised number is a new line).
        lake_listener_register(kpis_recompute_all)
        # The reasons services.py records when a version changes status, read in the page's language.
        reason_labels_register({
            "consultation opened": _("Consultation opened"),
            "approval requested": _("approval requested"),
            "superseded": _("Superseded"),
            "approved by the working group": _("Approved by the working group"),
            "changes requested by the working group": _("Changes requested by the working group"),
        })
