"""Edges of the sign, generalized sign and Wilcoxon tests: zeros, empty windows, thresholds.

The panels are market-adjusted with a zero market return, so every abnormal
return and residual is exactly the number written in the test; expected values
are worked by hand (arithmetic in the comments) or taken from scipy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy.inference as inf
from eventstudy.errors import InvalidParameterError
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel

NAN = math.nan


def panel(est: list[list[float]], event: list[list[float]], days: tuple[int, ...] = (0,)) -> AbnormalPanel:
    """Market-adjusted panel with Rm = 0: AR = R on the event days, residual = R before."""
    ret = np.array([e + v for e, v in zip(est, event, strict=True)], dtype=np.float64)
    n_ev, width = ret.shape
    dates = pd.bdate_range("2024-01-02", periods=width).to_numpy().astype("datetime64[D]")
    return build_panel(ret, np.zeros_like(ret), np.tile(dates, (n_ev, 1)), len(est[0]), list(days),
                       model="market_adjusted")


EST = [0.01, -0.02, 0.03, -0.01, 0.02]


def test_sign_test_counts_a_zero_car_as_not_positive() -> None:
    # day-0 ARs 0, 0.01, 0.02, 0.03: w = 3 of N = 4 (the zero is not positive)
    p = panel([EST] * 4, [[0.0], [0.01], [0.02], [0.03]])
    res = inf.sign_test(p, 0)
    assert res.extra["n_positive"] == 3
    # exact by default: statistic w = 3; two-sided p = 2 P(B(4, 1/2) >= 3) = 2 * 5/16
    assert res.statistic == 3.0 and res.distribution == "binomial"
    assert res.pvalue == pytest.approx(10 / 16, abs=1e-12)
    # normal approximation with continuity correction: z = (|3 - 2| - 1/2) / sqrt(4/4) = 0.5
    approx = inf.sign_test(p, 0, exact=False)
    assert approx.statistic == pytest.approx(0.5, abs=1e-12)
    assert approx.pvalue == pytest.approx(2 * stats.norm.sf(0.5), abs=1e-12)
    exact = inf.sign_test(p, 0, exact=True, alternative="greater")
    # P(B(4, 1/2) >= 3) = (4 + 1) / 16
    assert exact.statistic == 3.0
    assert exact.pvalue == pytest.approx(5 / 16, abs=1e-12)
    assert exact.extra["pvalue_exact"] == pytest.approx(5 / 16, abs=1e-12)


def test_generalized_sign_p0_skips_events_without_residuals_and_zero_is_not_positive() -> None:
    est = [
        [0.01, -0.01, 0.0, 0.02],  # 2 positive of 4 (the zero is not positive) -> 0.5
        [0.01, 0.02, 0.03, -0.01],  # 3 of 4 -> 0.75
        [NAN, NAN, NAN, NAN],  # no estimation residual: left out of p0
        [-0.01, -0.02, 0.01, -0.03],  # 1 of 4 -> 0.25
    ]
    p = panel(est, [[0.01], [0.02], [-0.01], [0.03]])
    res = inf.generalized_sign_test(p, 0)
    assert res.valid, res.reason
    # p0 = (0.5 + 0.75 + 0.25) / 3 = 0.5; w = 3 of N = 4
    assert res.extra["p0"] == pytest.approx(0.5, abs=1e-12)
    assert res.extra["n_positive"] == 3
    assert res.statistic == 3.0  # exact: the count
    # continuity-corrected z = (|3 - 2| - 1/2) / sqrt(4 * 0.25) = 0.5
    assert res.extra["z"] == pytest.approx(0.5, abs=1e-12)


def test_generalized_sign_without_any_estimation_residual_is_invalid() -> None:
    p = panel([[NAN] * 4] * 3, [[0.01], [0.02], [-0.01]])
    res = inf.generalized_sign_test(p, 0)
    assert not res.valid
    assert "no estimation residuals" in res.reason


def test_generalized_sign_with_no_positive_residual_is_invalid() -> None:
    # every estimation residual <= 0 -> p0 = 0: Z would divide by zero
    p = panel([[-0.01, 0.0, -0.02]] * 3, [[0.01], [0.02], [-0.01]])
    res = inf.generalized_sign_test(p, 0)
    assert not res.valid
    assert "share of positive residuals is 0.0" in res.reason


def test_sign_test_with_no_abnormal_return_in_the_window_is_invalid() -> None:
    p = panel([EST] * 3, [[NAN, 0.01], [NAN, 0.02], [NAN, -0.01]], days=(0, 1))
    res = inf.sign_test(p, 0)
    assert not res.valid
    assert res.reason == "no event has an abnormal return in the window"


def test_wilcoxon_drops_and_counts_zero_cars() -> None:
    p = panel([EST] * 5, [[0.0], [0.01], [-0.02], [-0.03], [0.04]])
    res = inf.wilcoxon_test(p, 0)
    # non-zero |CAR| 0.01, 0.02, 0.03, 0.04 rank 1, 2, 3, 4; W+ = 1 + 4 = 5; one zero, two negatives
    assert res.statistic == 5.0
    assert res.extra == {"n_events": 4, "n_zero": 1}
    assert res.pvalue == pytest.approx(stats.wilcoxon([0.01, -0.02, -0.03, 0.04], method="exact").pvalue)


def test_wilcoxon_is_exact_up_to_fifty_events() -> None:
    x = [(i + 1) * 0.001 * (1 if i % 3 else -1) for i in range(50)]  # distinct, no zero
    p = panel([EST] * 50, [[v] for v in x])
    res = inf.wilcoxon_test(p, 0)
    assert res.distribution == "wilcoxon"
    assert res.pvalue == pytest.approx(stats.wilcoxon(x, method="exact").pvalue, rel=1e-9)


def test_window_end_must_be_an_integer() -> None:
    p = panel([EST] * 3, [[0.01, 0.0], [0.02, 0.0], [-0.01, 0.0]], days=(0, 1))
    with pytest.raises(InvalidParameterError, match="start/end"):
        inf.sign_test(p, 0, 0.5)  # type: ignore[arg-type]


def test_two_sided_pvalue_of_a_negative_statistic_matches_scipy() -> None:
    x = [-0.01, -0.02, -0.03, 0.005]
    p = panel([EST] * 4, [[v] for v in x])
    res = inf.cross_sectional_t_test(p, 0)
    ref = stats.ttest_1samp(x, 0.0)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.pvalue < 0.5
