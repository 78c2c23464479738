"""Capability mapping (آمایش): the capacity registry and the record of world data loaded.

A :class:`Capacity` is one fact an agency states about a county (production of a product, a plant,
cold storage, a border facility, labour), with its period, unit and source. Focal points enter
and edit their own agency's rows; analysts approve or return them through the core review workflow
(:mod:`payesh.core.review`). Every change leaves a django-simple-history record, so the page can say who
changed what when (:mod:`payesh.core.history`).

World trade tables (Atlas, BACI, Comtrade) are not facts of the ledger: they live as Parquet files
under ``PAYESH_LAKE/world`` and :class:`WorldDataset` / :class:`ComplexityRun` record what is there.
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


class WorldFormat(models.TextChoices):
    ATLAS = "atlas", "Atlas of Economic Complexity"
    BACI = "baci", "CEPII BACI"
    COMTRADE = "comtrade", "UN Comtrade"


class WorldDataset(models.Model):
    """A country × product export table loaded into ``PAYESH_LAKE/world`` (HS92, 4 digits)."""

    format = models.CharField(_("format"), max_length=10, choices=WorldFormat.choices)
    source_name = models.CharField(_("file"), max_length=300)
    source_revision = models.CharField(_("HS revision of the file"), max_length=4)
    path = models.CharField(_("stored table"), max_length=500)
    years = models.JSONField(_("years"), default=list)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    countries = models.PositiveIntegerField(_("countries"), default=0)
    products = models.PositiveIntegerField(_("products"), default=0)
    total_usd = models.FloatField(_("total exports (USD)"), default=0.0)
    unmapped = models.JSONField(_("unmapped codes"), default=list, blank=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("world data set")
        verbose_name_plural = _("world data sets")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.format})"


class ComplexityRun(models.Model):
    """World RCA/ECI/PCI/proximity of one Gregorian year, stored as Parquet next to the world tables."""

    year = models.PositiveSmallIntegerField(_("year (Gregorian)"))
    dataset = models.ForeignKey(WorldDataset, verbose_name=_("world data set"), on_delete=models.CASCADE,
                                related_name="runs")
    path = models.CharField(_("stored results"), max_length=500)
    countries = models.PositiveIntegerField(_("countries"), default=0)
    products = models.PositiveIntegerField(_("products"), default=0)
    dropped = models.JSONField(_("dropped units"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-computed_at"]
        verbose_name = _("complexity run")
        verbose_name_plural = _("complexity runs")

    def __str__(self) -> str:
        return f"{self.year} ({self.dataset_id})"
