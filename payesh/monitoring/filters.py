"""The filters every monitoring page shares: period, scope and flow.

They are one state for all monitoring pages: read from the URL (so a shared link restores the exact
view), else from the session (so switching tabs or language keeps them), else the defaults; the
resolved filters are written back to the session and every tab link carries them in its URL.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext as _

from payesh.cube import CubeQuery, Cut, Period
from payesh.cube.query import CubeError
from payesh.indicators import SCOPES, IndicatorRequest, Scope, loaded_months

SESSION_KEY = "payesh_monitoring_filters"
FILTER_NAMES = ("year", "months", "scope", "flow")


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
    months = loaded_months()
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
        return self.indicator_request().scope_cuts

    @property
    def imports_apply(self) -> bool:
        """Customs records the producing province for exports only: imports (and a balance) of the
        region's own production are not applicable."""
        return self.scope != "origin"

    def indicator_request(self, **changes: object) -> IndicatorRequest:
        request = IndicatorRequest(year=self.year, months=self.months, scope=self.scope, region=self.region,
                                   flow=self.flow)
        return request.with_(**changes) if changes else request

    def query(self, **kwargs: object) -> CubeQuery:
        """A cube query for this page's period and scope, plus the given parts."""
        cuts = cast(tuple[Cut, ...], tuple(kwargs.pop("cuts", ())))  # type: ignore[arg-type]
        kwargs.setdefault("period", self.period)
        return CubeQuery(cuts=self.scope_cuts + cuts, **kwargs)  # type: ignore[arg-type]

    def params(self, **changes: object) -> str:
        values = {"year": self.year, "months": self.months, "scope": self.scope, "flow": self.flow, **changes}
        return "&".join(f"{k}={v}" for k, v in values.items())

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "months": self.months, "scope": self.scope, "flow": self.flow}

    @property
    def scope_label(self) -> str:
        return scope_label(self.scope)


def scope_label(scope: str) -> str:
    return {"through": _("trade through the region's customs"), "origin": _("goods produced in the region"),
            "national": _("the whole country")}[scope]


class FilterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message


def page_filters(params: Mapping[str, str], cover: Coverage,
                 session: MutableMapping[str, Any] | None = None) -> PageFilters:
    """URL parameters first, then the session's last choice, then the defaults: the latest year in
    the lake, its months so far, trade through the region's customs, exports.

    A bad URL value is a :class:`FilterError` naming it; a stale session value is dropped quietly
    (the person did not type it on this page).
    """
    last = cover.last or 0
    default_year, default_months = (last // 100, last % 100) if last else (1403, 12)
    remembered: dict[str, Any] = dict(session.get(SESSION_KEY) or {}) if session is not None else {}

    def raw(name: str) -> tuple[str, bool]:
        text = str(params.get(name, "") or "").strip()
        if text:
            return text, True
        return str(remembered.get(name, "") or "").strip(), False

    def integer(name: str, default: int, low: int, high: int) -> int:
        text, from_url = raw(name)
        if not text:
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            if from_url:
                raise FilterError(name, f"{text!r} is not a number between {low} and {high}")
            return default
        return int(text)

    def choice(name: str, accepted: tuple[str, ...], default: str) -> str:
        text, from_url = raw(name)
        if not text:
            return default
        if text not in accepted:
            if from_url:
                raise FilterError(name, f"{text!r} is not one of {', '.join(accepted)}")
            return default
        return text

    year = integer("year", default_year, 1300, 1500)
    months = integer("months", default_months if year == default_year else 12, 1, 12)
    scope = choice("scope", SCOPES, "through")
    flow = choice("flow", ("export", "import"), "export")
    filters = PageFilters(year=year, months=months, scope=scope, region=settings.PAYESH_REGION,  # type: ignore[arg-type]
                          flow=flow)
    # A first visit on the defaults stores nothing: the defaults are derived again next time (and follow
    # the lake when a new month arrives), and not writing spares a session row per anonymous page view.
    defaults = {"year": default_year, "months": default_months, "scope": "through", "flow": "export"}
    if session is not None and remembered != filters.as_dict() and (remembered or filters.as_dict() != defaults):
        session[SESSION_KEY] = filters.as_dict()
    return filters


__all__ = ["SCOPES", "Coverage", "CubeError", "FilterError", "PageFilters", "coverage", "page_filters",
           "scope_label"]
