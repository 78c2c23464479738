"""The fact rows behind a cube cell: the cube's cut and period parameters as a DuckDB filter.

The rows come from ``payesh.cube.facts`` — the same period and cut logic the cube aggregates with —
so a level added to the cube can be cut on here too. Product cuts match the codes as declared (no
HS-revision conversion: these are the raw lines).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from payesh.core.permissions import FactAccess
from payesh.cube import CubeQuery, Cut, Period, query_parse

# The parameters of /api/facts that choose rows (the rest of CubeQuery.parse's are not used here).
FILTER_PARAMETERS = ("cut", "exclude", "year", "months", "from", "to", "rolling")


@dataclass(frozen=True)
class FactFilter:
    cuts: tuple[Cut, ...]
    period: Period

    @classmethod
    def parse(cls, params: dict[str, str | list[str]]) -> FactFilter:
        """Read the cube's cut/exclude/period parameters; :class:`CubeError` names a bad one (a
        control character, a member its level does not have, a malformed period…)."""
        query = query_parse({k: v for k, v in params.items() if k in FILTER_PARAMETERS})
        return cls(query.cuts, query.period)

    def to_params(self) -> dict[str, str]:
        params = CubeQuery(cuts=self.cuts, period=self.period).to_params()
        params.pop("measures", None)
        return params


@dataclass
class FactsPage:
    frame: pd.DataFrame  # (limit, len(FACT_COLUMNS))
    total: int


def facts_page(*, fact_filter: FactFilter, limit: int, offset: int, access: FactAccess) -> FactsPage:
    """One page of the active fact rows that pass ``fact_filter`` (the cube's own row filter), with
    the columns ``access`` (the reader's part of the access policy) lets its reader see."""
    from payesh.cube import facts

    frame, total = facts(CubeQuery(cuts=fact_filter.cuts, period=fact_filter.period), limit=limit, offset=offset)
    frame = access.apply(frame)
    frame["declaration_date"] = pd.to_datetime(frame["declaration_date"]).dt.strftime("%Y-%m-%d")
    return FactsPage(frame, total)
