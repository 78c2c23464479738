from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "payesh.core"
    label = "core"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from payesh import checks  # noqa: F401  (registers the system checks)
