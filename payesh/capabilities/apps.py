from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapabilitiesConfig(AppConfig):
    name = "payesh.capabilities"
    label = "capabilities"
    verbose_name = _("Capabilities of counties")
