"""Where a KPI's actual comes from: a registry of sources with one shape (datasette/pretix style).

``computed`` asks the cube (the same question string ``/api/cube`` accepts, so anyone can re-ask it);
``reported`` takes the last accepted report of the responsible agency. A third source registers a
subclass of :class:`KpiSourceBase` with ``register`` and nothing else changes.

Every value carries its provenance: the cube question, the data cut-off month, the batches read
(or the report it came from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payesh.cube import CUBE, CubeError, CubeQuery, Period, query_parse, run

if TYPE_CHECKING:
    from payesh.strategy.models import Kpi


@dataclass(frozen=True)
class KpiValue:
    """One actual for one period (first ``months`` months of Solar Hijri ``year``) with its provenance."""

    year: int
    months: int
    actual: float | None
    previous: float | None = None  # the same months of the year before
    # Share of the first ``months`` months in the previous whole year (seasonality), None if unknown.
    seasonal_share: float | None = None
    cube: str = ""
    cutoff: int | None = None  # yyyymm of the newest month in the data
    batches: tuple[str, ...] = ()
    report_id: int | None = None
    accumulates: bool = True  # a flow over the year (pro-rate targets) rather than a level or a ratio
    notes: tuple[str, ...] = field(default=())


class KpiSourceBase:
    identifier: ClassVar[str]

    def validate(self, kpi: Kpi) -> None:
        """Raise ``ValidationError`` (field → message naming the culprit) when the definition is unusable."""

    def default_period(self, kpi: Kpi) -> tuple[int, int] | None:
        raise NotImplementedError

    def value(self, kpi: Kpi, *, year: int, months: int) -> KpiValue:
        raise NotImplementedError


SOURCES: dict[str, KpiSourceBase] = {}


def register(source: KpiSourceBase) -> KpiSourceBase:
    SOURCES[source.identifier] = source
    return source


# ----------------------------------------------------------------------------------- computed
def _dims_published() -> None:
    """A new lake folder has no dimension tables yet; the one publisher writes them (the ledger does the same)."""
    from payesh.cube.dims import dims_dir, dims_published

    if not dims_published(dims_dir(Path(settings.PAYESH_LAKE))):
        from payesh.reference.services import dimensions_publish

        dimensions_publish()


def _question(kpi: Kpi) -> dict[str, str]:
    params = {"measures": kpi.measure.strip()}
    if kpi.cuts.strip():
        params["cut"] = kpi.cuts.strip()
    if kpi.excludes.strip():
        params["exclude"] = kpi.excludes.strip()
    return params


def cube_string(kpi: Kpi, *, year: int, months: int) -> str:
    """The query string for ``/api/cube?<string>``: one row (no drilldowns) whose measure is the actual."""
    params = _question(kpi)
    params["year"] = str(year)
    if months != 12:
        params["months"] = str(months)
    return urlencode(params, safe=":,;")


def cube_query(cube: str) -> CubeQuery:
    """The query a cube string stands for, parsed exactly as ``/api/cube`` parses it."""
    return CubeQuery.parse({k: v for k, v in parse_qs(cube, keep_blank_values=False).items()})


def data_cutoff() -> int | None:
    """The newest Solar Hijri month (yyyymm) with customs declarations in the active batches."""
    frame = run(CubeQuery(measures=("rows",), drilldowns=("month",))).frame
    frame = frame[frame["rows"] > 0]
    return int(frame["month"].max()) if not frame.empty else None


class ComputedSource(KpiSourceBase):
    identifier = "computed"

    def validate(self, kpi: Kpi) -> None:
        if not kpi.measure.strip():
            raise ValidationError({"measure": _("A computed KPI needs a cube measure.")})
        _dims_published()
        try:
            # The cube's own parser and member check, as /api/cube applies them: unknown levels and members
            # are refused here, at save, with their names.
            query_parse(_question(kpi))
        except CubeError as exc:
            target = {"measures": "measure", "cuts": "cuts", "cut": "cuts", "exclude": "excludes"}.get(
                exc.parameter, "cuts")
            raise ValidationError({target: str(exc.message)}) from exc

    def default_period(self, kpi: Kpi) -> tuple[int, int] | None:
        cutoff = data_cutoff()
        if cutoff is None:
            return None
        cut_year, cut_month = divmod(cutoff, 100)
        years = sorted(t.year for t in kpi.targets.all() if t.year <= cut_year)
        year = years[-1] if years else cut_year
        return year, _months(kpi, year, cut_year, cut_month)

    def value(self, kpi: Kpi, *, year: int, months: int) -> KpiValue:
        cube = cube_string(kpi, year=year, months=months)
        query = cube_query(cube)
        measure = kpi.measure
        additive = CUBE.measure_by_name[measure].additive

        def one(q: CubeQuery) -> float | None:
            frame = run(q).frame
            if frame.empty or frame[measure].isna().all():
                return None
            return float(frame[measure].iloc[0])

        actual = one(query)
        rows = run(query.with_(measures=("rows",), drilldowns=("batch",))).frame
        batches = tuple(sorted(str(b) for b in rows.loc[rows["rows"] > 0, "batch"])) if not rows.empty else ()
        previous = one(query.with_(period=Period.year(year - 1, months)))
        share = None
        if additive and months < 12:
            whole = one(query.with_(period=Period.year(year - 1, 12)))
            if previous and whole:
                share = previous / whole
        return KpiValue(year=year, months=months, actual=actual if (actual is not None and batches) else None,
                        previous=previous, seasonal_share=share, cube=cube, cutoff=data_cutoff(),
                        batches=batches, accumulates=additive)


def _months(kpi: Kpi, year: int, cut_year: int, cut_month: int) -> int:
    from payesh.strategy.models import PeriodRule

    if kpi.period_rule == PeriodRule.WHOLE_YEAR:
        return 12
    if kpi.months:
        return kpi.months
    return cut_month if year == cut_year else 12


# ----------------------------------------------------------------------------------- reported
class ReportedSource(KpiSourceBase):
    identifier = "reported"

    def validate(self, kpi: Kpi) -> None:
        if kpi.agency_id is None:
            raise ValidationError({"agency": _("A reported KPI needs the agency that reports it.")})
        if kpi.measure or kpi.cuts or kpi.excludes:
            raise ValidationError({"measure": _("A reported KPI has no cube question; leave measure and cuts empty.")})

    def _accepted(self, kpi: Kpi):  # type: ignore[no-untyped-def]
        from payesh.core.review import ReviewStatus

        return kpi.reports.filter(review_status=ReviewStatus.APPROVED, agency_id=kpi.agency_id)

    def default_period(self, kpi: Kpi) -> tuple[int, int] | None:
        last = self._accepted(kpi).order_by("-year", "-months", "-reported_on", "-id").first()
        if last is None:
            years = sorted(t.year for t in kpi.targets.all())
            return (years[0], 12) if years else None
        return last.year, last.months

    def value(self, kpi: Kpi, *, year: int, months: int) -> KpiValue:
        report = (self._accepted(kpi).filter(year=year, months__lte=months)
                  .order_by("-months", "-reported_on", "-decided_at", "-id").first())
        previous = (self._accepted(kpi).filter(year=year - 1, months=months)
                    .order_by("-reported_on", "-decided_at", "-id").first())
        return KpiValue(year=year, months=report.months if report else months,
                        actual=report.value if report else None, previous=previous.value if previous else None,
                        report_id=report.pk if report else None, accumulates=kpi.accumulates)


register(ComputedSource())
register(ReportedSource())
