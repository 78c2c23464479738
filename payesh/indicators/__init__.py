"""Indicators: the named figures that are more than one cube measure — reconciliation (through vs
origin), unit value, concentration, growth on the comparison period, shares and regional RCA —
defined once over cube answers and used by pages, the API, the CLI, KPIs and reports alike.

``maths`` holds the pure arithmetic (frames in, frames out); ``registry`` the names, bilingual
definitions and the cube questions.
"""

from payesh.indicators.maths import REASONS as GROWTH_REASONS
from payesh.indicators.registry import (
    INDICATORS,
    NOT_APPLICABLE,
    REASONS,
    SCOPES,
    Indicator,
    IndicatorError,
    IndicatorRequest,
    Scope,
    indicator_compute,
    indicator_labelled,
    loaded_months,
    period_loaded,
)

__all__ = ["GROWTH_REASONS", "INDICATORS", "NOT_APPLICABLE", "REASONS", "SCOPES", "Indicator", "IndicatorError",
           "IndicatorRequest", "Scope", "indicator_compute", "indicator_labelled", "loaded_months", "period_loaded"]
