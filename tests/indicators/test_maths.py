"""The indicators' arithmetic on small frames written by hand (no Django, no cube)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from payesh.analytics.subnational import regional_rca
from payesh.indicators import maths


def test_reconcile_splits_through_and_origin_with_both_identities() -> None:
    frame = pd.DataFrame({
        "office_province": ["IR-11", "IR-11", "IR-11", "IR-23", "IR-23", None],
        "origin_province": ["IR-11", "IR-07", None, "IR-11", "IR-07", "IR-11"],
        "value_usd": [100.0, 40.0, 10.0, 30.0, 500.0, 5.0],
        "value_usd_previous": [80.0, 50.0, 0.0, 20.0, 400.0, 0.0],
        "weight_t": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    parts = maths.reconcile(frame, "IR-11").set_index("part")
    assert parts.loc["through_and_origin", "value_usd"] == 100.0
    assert parts.loc["through_not_origin", "value_usd"] == 50.0  # another province and unknown origin
    assert parts.loc["origin_not_through", "value_usd"] == 35.0  # cleared in IR-23, and at an unknown office
    assert parts.loc["through", "value_usd"] == 150.0
    assert parts.loc["origin", "value_usd"] == 135.0
    assert parts.loc["origin_not_through", "value_usd_previous"] == 20.0
    assert parts.loc["through", "weight_t"] == 6.0


@pytest.mark.parametrize("now, before, loaded, previous_loaded, expected, reason", [
    (120.0, 100.0, True, True, 20.0, None),
    (0.0, 100.0, True, True, -100.0, None),  # a real fall to nothing is −100 %
    (0.0, 100.0, False, True, None, maths.NO_DATA_CURRENT),  # a period not loaded is not a fall
    (50.0, 0.0, True, False, None, maths.NO_DATA_COMPARISON),
    (50.0, 0.0, True, True, None, maths.ZERO_BASE),
    (-30.0, -60.0, True, True, 50.0, None),  # a deficit halved is +50 % (on the base's magnitude)
])
def test_growth_is_none_with_a_reason_when_there_is_no_base(now: float, before: float, loaded: bool,
                                                            previous_loaded: bool, expected: float | None,
                                                            reason: str | None) -> None:
    change, why = maths.growth(now, before, current_loaded=loaded, previous_loaded=previous_loaded)
    assert why == reason
    assert change == (pytest.approx(expected) if expected is not None else None)


def test_unit_values_and_their_change() -> None:
    frame = pd.DataFrame({"value_usd": [1000.0, 500.0, 0.0], "weight_t": [4.0, 0.0, 0.0],
                          "value_usd_previous": [900.0, 100.0, 0.0], "weight_t_previous": [3.0, 1.0, 0.0]})
    out = maths.unit_values(frame)
    assert out["unit_value"].iloc[0] == 250.0 and math.isnan(out["unit_value"].iloc[1])
    assert out["unit_value_previous"].iloc[0] == 300.0
    assert out["unit_value_change_pct"].iloc[0] == pytest.approx(100 * (250 - 300) / 300)
    assert out["unit_value_change_reason"].iloc[1] == maths.NO_DATA_CURRENT


def test_concentration_hhi_and_top_share() -> None:
    frame = pd.DataFrame({"partner": ["PAK", "AFG", "IRQ", "ARE", "XXX"], "value_usd": [50.0, 30.0, 15.0, 5.0, -3.0]})
    out = maths.concentration(frame, top=2).iloc[0]
    assert out["hhi"] == pytest.approx(50**2 + 30**2 + 15**2 + 5**2)  # negative member left out
    assert out["top_share"] == pytest.approx(80.0)
    assert out["members"] == 4
    assert out["equivalent_members"] == pytest.approx(10_000 / (50**2 + 30**2 + 15**2 + 5**2))
    empty = maths.concentration(frame.assign(value_usd=0.0)).iloc[0]
    assert math.isnan(empty["hhi"]) and empty["members"] == 0


def test_shares_of_a_zero_total_are_nan() -> None:
    out = maths.shares(pd.DataFrame({"value_usd": [3.0, 1.0]}))
    assert out["share"].tolist() == [75.0, 25.0]
    assert maths.shares(pd.DataFrame({"value_usd": [0.0, 0.0]}))["share"].isna().all()


def test_rca_frame_calls_regional_rca_against_the_nation() -> None:
    counties = pd.DataFrame({"origin_county": ["A", "A", "B", "B", None],
                             "heading": ["0804", "2711", "0804", "2523", "0804"],
                             "value_usd": [30.0, 10.0, 5.0, 15.0, 99.0]})
    nation = pd.DataFrame({"heading": ["0804", "2711", "2523", "8703"], "value_usd": [100.0, 800.0, 50.0, 50.0]})
    out = maths.rca_frame(counties, region="origin_county", product="heading", reference=nation)
    # (R, P): A, B × 0804, 2523, 2711, 8703 (no county exports 8703; the nation's share still counts it)
    matrix = np.array([[30.0, 0.0, 10.0, 0.0], [5.0, 15.0, 0.0, 0.0]])
    expected = regional_rca(matrix, np.array([100.0, 50.0, 800.0, 50.0]))
    got = out.set_index(["origin_county", "heading"])["rca"]
    assert got[("A", "0804")] == pytest.approx(expected[0, 0])
    assert got[("A", "2711")] == pytest.approx(expected[0, 2])
    assert got[("B", "2523")] == pytest.approx(expected[1, 1])
    assert got[("A", "0804")] == pytest.approx((30 / 40) / (100 / 1000))
    assert ("B", "2711") not in got.index  # no exports: no row
    # Sorted by county, most specialised first.
    assert out[out["origin_county"] == "A"]["rca"].is_monotonic_decreasing
