"""Atlas-style growth opportunities: which absent products should a country go for?

For every product a country does not have (``M_cp = 0``), three components are put on a common
scale — a z-score across that country's candidate products (population sd, ddof 0):

* **feasibility** = density ω_cp (equivalently, minus the distance);
* **complexity** = PCI_p;
* **opportunity gain** = COG_cp.

The score is a weighted sum of the three z-scores. The weights of the named strategies are Payesh's
choice, in the spirit of the Atlas of Economic Complexity country profiles (not copied from them):

=====================  ===========  ==========  ================
strategy               feasibility  complexity  opportunity gain
=====================  ===========  ==========  ================
``low_hanging_fruit``  0.60         0.15        0.25
``balanced``           0.50         0.20        0.30
``long_jumps``         0.35         0.35        0.30
=====================  ===========  ==========  ================

Weights are normalised to sum to 1. A component with zero spread among a country's candidates
contributes 0. Present products, dropped units and NaN inputs get a NaN score and no rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from payesh.analytics.complexity import FloatArray

__all__ = ["STRATEGIES", "OpportunityWeights", "opportunity_ranking", "opportunity_scores"]

Strategy = Literal["low_hanging_fruit", "balanced", "long_jumps"]


@dataclass(frozen=True)
class OpportunityWeights:
    feasibility: float
    complexity: float
    opportunity_gain: float

    def normalised(self) -> tuple[float, float, float]:
        total = self.feasibility + self.complexity + self.opportunity_gain
        if total <= 0 or min(self.feasibility, self.complexity, self.opportunity_gain) < 0:
            raise ValueError("opportunity weights must be non-negative and not all zero")
        return (self.feasibility / total, self.complexity / total, self.opportunity_gain / total)


STRATEGIES: dict[str, OpportunityWeights] = {
    "low_hanging_fruit": OpportunityWeights(0.60, 0.15, 0.25),
    "balanced": OpportunityWeights(0.50, 0.20, 0.30),
    "long_jumps": OpportunityWeights(0.35, 0.35, 0.30),
}


def _zscore_rows(values: FloatArray, candidate: NDArray[np.bool_]) -> FloatArray:
    """Row-wise z-score over the candidate cells; non-candidates become NaN."""
    masked = np.where(candidate, values, np.nan)  # (C, P)
    with np.errstate(invalid="ignore", divide="ignore"):
        count = candidate.sum(axis=1, keepdims=True)
        mean = np.nansum(masked, axis=1, keepdims=True) / count
        spread = np.sqrt(np.nansum((masked - mean) ** 2, axis=1, keepdims=True) / count)
        z = (masked - mean) / spread
    # No spread among the candidates: the component cannot separate them, so it adds nothing.
    return np.where(candidate & (spread == 0), 0.0, z)


def opportunity_scores(
    m: ArrayLike,
    density: ArrayLike,
    pci: ArrayLike,
    cog: ArrayLike,
    *,
    strategy: Strategy | OpportunityWeights = "balanced",
) -> FloatArray:
    """Opportunity score (C, P) for every absent product; NaN elsewhere."""
    presence = np.asarray(m, dtype=np.float64)  # (C, P)
    dens = np.asarray(density, dtype=np.float64)  # (C, P)
    gain = np.asarray(cog, dtype=np.float64)  # (C, P)
    complexity = np.broadcast_to(np.asarray(pci, dtype=np.float64)[None, :], presence.shape)
    weights = strategy if isinstance(strategy, OpportunityWeights) else STRATEGIES[strategy]
    w_feas, w_pci, w_cog = weights.normalised()
    candidate = (presence == 0) & np.isfinite(dens) & np.isfinite(gain) & np.isfinite(complexity)
    return (w_feas * _zscore_rows(dens, candidate)
            + w_pci * _zscore_rows(complexity, candidate)
            + w_cog * _zscore_rows(gain, candidate))  # (C, P)


def opportunity_ranking(scores: ArrayLike, country: int, *, top: int | None = None) -> NDArray[np.intp]:
    """Product indices of one country's opportunities, best first (ties: lower index first)."""
    row = np.asarray(scores, dtype=np.float64)[country]  # (P,)
    candidates = np.flatnonzero(np.isfinite(row))
    order = candidates[np.argsort(-row[candidates], kind="stable")]
    return order if top is None else order[:top]
