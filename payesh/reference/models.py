"""Reference data: countries, HS nomenclature, Iran's divisions, customs offices, border markets, agencies.

Every model carries English and Persian names; ``name`` picks the one for the active language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BilingualName(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=1000)
    name_fa = models.CharField(_("name (Persian)"), max_length=1000, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "fa").startswith("fa") and self.name_fa:
            return self.name_fa
        return self.name_en


class CountryGroup(BilingualName):
    """A region or group of countries (continent, UN region, Atlas group)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("country group")
        verbose_name_plural = _("country groups")


class Country(BilingualName):
    iso3 = models.CharField(_("ISO3 code"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO2 code"), max_length=2, blank=True)
    m49 = models.PositiveIntegerField(_("UN M49 code"), null=True, blank=True)
    region = models.ForeignKey(
        CountryGroup, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="region_countries",
    )
    groups = models.ManyToManyField(CountryGroup, verbose_name=_("groups"), blank=True, related_name="countries")
    neighbour_of_iran = models.BooleanField(_("neighbour of Iran"), default=False)
    neighbour_by = models.CharField(_("neighbour by"), max_length=20, blank=True, help_text=_("land, sea or both"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class HSRevision(models.TextChoices):
    HS92 = "HS92", "HS 1992"
    HS12 = "HS12", "HS 2012"
    HS22 = "HS22", "HS 2022"


class HSSection(BilingualName):
    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    roman = models.CharField(_("roman numeral"), max_length=6)
    chapter_from = models.CharField(_("first chapter"), max_length=2)
    chapter_to = models.CharField(_("last chapter"), max_length=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("HS section")
        verbose_name_plural = _("HS sections")


class HSProduct(BilingualName):
    """A chapter (2 digits), heading (4) or subheading (6) of one HS revision."""

    revision = models.CharField(_("revision"), max_length=4, choices=HSRevision.choices)
    code = models.CharField(_("code"), max_length=6)
    level = models.PositiveSmallIntegerField(_("level (digits)"))
    parent_code = models.CharField(_("parent code"), max_length=6, blank=True)
    section = models.ForeignKey(HSSection, verbose_name=_("section"), on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["revision", "code"]
        verbose_name = _("HS product")
        verbose_name_plural = _("HS products")
        constraints = [models.UniqueConstraint(fields=["revision", "code"], name="hsproduct_unique_code")]
        indexes = [models.Index(fields=["revision", "level"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class HSConcordance(models.Model):
    """Weight with which one subheading of a revision maps onto one of the next (Growth Lab weights)."""

    from_revision = models.CharField(_("from revision"), max_length=4)
    from_code = models.CharField(_("from code"), max_length=6)
    to_revision = models.CharField(_("to revision"), max_length=4)
    to_code = models.CharField(_("to code"), max_length=6)
    weight = models.FloatField(_("weight"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("HS concordance weight")
        verbose_name_plural = _("HS concordance weights")
        indexes = [models.Index(fields=["from_revision", "to_revision", "from_code"])]

    def __str__(self) -> str:
        return f"{self.from_revision}:{self.from_code} → {self.to_revision}:{self.to_code} ({self.weight:.3f})"


class Province(BilingualName):
    code = models.CharField(_("code (ISO 3166-2)"), max_length=8, primary_key=True)
    capital_en = models.CharField(_("capital (English)"), max_length=120, blank=True)
    capital_fa = models.CharField(_("capital (Persian)"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    borders = models.CharField(_("land borders (ISO3)"), max_length=60, blank=True)
    coastal = models.BooleanField(_("coastal"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class County(BilingualName):
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT,
                                 related_name="counties")
    seat_en = models.CharField(_("seat (English)"), max_length=120, blank=True)
    seat_fa = models.CharField(_("seat (Persian)"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    established = models.CharField(_("established (Solar Hijri year)"), max_length=4, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")
    PLANNED = "planned", _("planned")


class CustomsOffice(BilingualName):
    class Kind(models.TextChoices):
        CUSTOMS_HOUSE = "customs_house", _("customs house")
        BORDER_CROSSING = "border_crossing", _("border crossing")
        SEA_PORT = "sea_port", _("sea port")
        AIRPORT = "airport", _("airport")
        FREE_ZONE = "free_zone", _("free zone")
        RAIL = "rail", _("rail terminal")
        NATIONAL = "national", _("national total (no office)")

    code = models.CharField(_("code"), max_length=30, primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(Province, verbose_name=_("province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="customs_offices")
    county = models.ForeignKey(County, verbose_name=_("county"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="customs_offices")
    partner = models.ForeignKey(Country, verbose_name=_("partner country"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    partner_crossing_en = models.CharField(_("crossing on the other side"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened = models.DateField(_("opened"), null=True, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_fa = models.TextField(_("note (Persian)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["province_id", "code"]
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")


class BorderMarket(BilingualName):
    code = models.CharField(_("code"), max_length=30, primary_key=True)
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT,
                                 related_name="border_markets")
    county = models.ForeignKey(County, verbose_name=_("county"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="border_markets")
    partner = models.ForeignKey(Country, verbose_name=_("partner country"), on_delete=models.PROTECT,
                                related_name="+")
    partner_side_en = models.CharField(_("market on the other side"), max_length=120, blank=True)
    customs_office = models.ForeignKey(CustomsOffice, verbose_name=_("supervising customs office"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="border_markets")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened = models.DateField(_("opened"), null=True, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_fa = models.TextField(_("note (Persian)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["province_id", "code"]
        verbose_name = _("border market")
        verbose_name_plural = _("border markets")


class Agency(BilingualName):
    """A responsible agency of the export-development document, with its mandate."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    mandate_en = models.TextField(_("mandate (English)"), blank=True)
    mandate_fa = models.TextField(_("mandate (Persian)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    @property
    def mandate(self) -> str:
        if (get_language() or "fa").startswith("fa") and self.mandate_fa:
            return self.mandate_fa
        return self.mandate_en


class SourceCountryCode(models.Model):
    """A world-data source's own code for a country (BACI 842 = USA, Comtrade 0 = World, Atlas ROM = ROU).

    The ledger's readers map codes only through this table (:mod:`payesh.reference.country_codes`
    loads it): BACI and Comtrade differ from UN M49 for several countries, so M49 is never assumed.
    ``iso3`` is a country's ISO3, or a Payesh area code that is not a country (``WLD`` the world,
    ``XNS`` areas not elsewhere specified).
    """

    source = models.CharField(_("source"), max_length=20)
    code = models.CharField(_("code in the source"), max_length=10)
    iso3 = models.CharField(_("ISO3 code"), max_length=3)
    name_en = models.CharField(_("name in the source"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["source", "code"]
        constraints = [models.UniqueConstraint(fields=["source", "code"], name="source_country_code_unique")]
        verbose_name = _("source country code")
        verbose_name_plural = _("source country codes")

    def __str__(self) -> str:
        return f"{self.source} {self.code} → {self.iso3}"
