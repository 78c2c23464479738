"""The filters every monitoring page reads from its URL (so a shared link restores the exact view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from django.conf import settings
from django.http import QueryDict

from payesh.cube import CubeQuery, Cut, Period, run
from payesh.cube.query import CubeError

Scope = Literal["through", "origin", "national"]
SCOPES: tuple[Scope, ...] = ("through", "origin", "national")


@dataclass(frozen=True)
class Coverage:
    """The Solar Hijri months the lake holds (``None`` when it is empty)."""

    first: int | None
    last: int | None

    @property
    def years(self) -> list[int]:
        if self.first is None or self.last is None:
            return []
        return list(range(self.last // 100, self.first // 100 - 1, -1))


def coverage() -> Coverage:
    result = run(CubeQuery(measures=("rows",), drilldowns=("month",)))
    months = [int(m) for m, rows in zip(result.frame["month"], result.frame["rows"], strict=True)
              if rows and m == m and m is not None]
    return Coverage(min(months), max(months)) if months else Coverage(None, None)


@dataclass(frozen=True)
class PageFilters:
    year: int
    months: int
    scope: Scope
    region: str
    flow: str = "export"

    @property
    def period(self) -> Period:
        return Period.year(self.year, self.months)

    @property
    def scope_cuts(self) -> tuple[Cut, ...]:
        if self.scope == "through":
            return (Cut("office_province", (self.region,)),)
        if self.scope == "origin":
            return (Cut("origin_province", (self.region,)),)
        return ()

    def query(self, **kwargs: object) -> CubeQuery:
        """A cube query for this page's period and scope, plus the given parts."""
        cuts = cast(tuple[Cut, ...], tuple(kwargs.pop("cuts", ())))  # type: ignore[arg-type]
        kwargs.setdefault("period", self.period)
        return CubeQuery(cuts=self.scope_cuts + cuts, **kwargs)  # type: ignore[arg-type]

    def params(self, **changes: object) -> str:
        values = {"year": self.year, "months": self.months, "scope": self.scope, "flow": self.flow, **changes}
        return "&".join(f"{k}={v}" for k, v in values.items())


class FilterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message


def page_filters(params: QueryDict, cover: Coverage) -> PageFilters:
    """Defaults: the latest year in the lake, its months so far, trade through the region's customs."""
    last = cover.last or 0
    default_year, default_months = (last // 100, last % 100) if last else (1403, 12)

    def integer(name: str, default: int, low: int, high: int) -> int:
        text = params.get(name, "").strip()
        if not text:
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            raise FilterError(name, f"{text!r} is not a number between {low} and {high}")
        return int(text)

    year = integer("year", default_year, 1300, 1500)
    months = integer("months", default_months if year == default_year else 12, 1, 12)
    scope = params.get("scope", "through")
    if scope not in SCOPES:
        raise FilterError("scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
    flow = params.get("flow", "export")
    if flow not in ("export", "import"):
        raise FilterError("flow", f"{flow!r} is not export or import")
    return PageFilters(year=year, months=months, scope=scope, region=settings.PAYESH_REGION,  # type: ignore[arg-type]
                       flow=flow)


__all__ = ["SCOPES", "Coverage", "CubeError", "FilterError", "PageFilters", "coverage", "page_filters"]
