"""Capability mapping (آمایش): the capacity registry and the record of world data loaded.

A :class:`Capacity` is one fact an agency states about a county (production of a product, a plant,
cold storage, a border facility, labour), with its period, unit and source. Focal points enter
and edit their own agency's rows; analysts approve or return them through the core review workflow
(:mod:`payesh.core.review`). Every change leaves a django-simple-history record, so the page can say who
changed what when (:mod:`payesh.core.history`).

World trade tables (Atlas, BACI, Comtrade) are ledger batches like any other, and world complexity
runs are derived results in the lake (:mod:`payesh.capabilities.complexity`): no model here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from payesh.core.locking import Versioned
from payesh.core.review import Reviewable


class CapacityKind(models.TextChoices):
    PRODUCTION = "production", _("Production")
    PROCESSING_PLANT = "processing_plant", _("Processing plant")
    PACKAGING = "packaging", _("Packaging")
    COLD_STORAGE = "cold_storage", _("Cold storage")
    BORDER_INFRASTRUCTURE = "border_infrastructure", _("Border infrastructure")
    LABOUR = "labour", _("Labour")
    OTHER = "other", _("Other")


class CapacityUnit(models.TextChoices):
    TONNES = "t", _("tonnes")
    TONNES_PER_YEAR = "t_per_year", _("tonnes a year")
    TONNES_PER_DAY = "t_per_day", _("tonnes a day")
    CUBIC_METRES = "m3", _("cubic metres")
    SQUARE_METRES = "m2", _("square metres")
    HECTARES = "ha", _("hectares")
    PERSONS = "persons", _("persons")
    UNITS = "units", _("units (plants, lines, facilities)")
    TRUCKS_PER_DAY = "trucks_per_day", _("trucks a day")
    OTHER = "other", _("other (see the description)")


#: Units whose quantity can be compared with exported tonnes.
TONNE_UNITS = frozenset({CapacityUnit.TONNES, CapacityUnit.TONNES_PER_YEAR})

hs_code_validator = RegexValidator(r"^(\d{2}|\d{4}|\d{6})$", _("Give 2, 4 or 6 digits of an HS code."))


class Capacity(Reviewable, Versioned, models.Model):
    county = models.ForeignKey("reference.County", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="capacities")
    agency = models.ForeignKey("reference.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="capacities")
    kind = models.CharField(_("kind"), max_length=30, choices=CapacityKind.choices)
    hs_revision = models.CharField(_("HS revision"), max_length=4, blank=True,
                                   choices=[("HS92", "HS 1992"), ("HS12", "HS 2012"), ("HS22", "HS 2022")])
    hs_code = models.CharField(_("HS code"), max_length=6, blank=True, validators=[hs_code_validator])
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3,
                                   validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=20, choices=CapacityUnit.choices)
    year = models.PositiveSmallIntegerField(_("year (Solar Hijri)"),
                                            validators=[MinValueValidator(1300), MaxValueValidator(1500)])
    month = models.PositiveSmallIntegerField(_("month (optional)"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(12)])
    source = models.CharField(_("source"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["county_id", "kind", "-year", "id"]
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        indexes = [models.Index(fields=["county", "year"]), models.Index(fields=["agency", "review_status"])]

    def __str__(self) -> str:
        return f"{self.county_id} {self.get_kind_display()} {self.hs_code} {self.year}"
