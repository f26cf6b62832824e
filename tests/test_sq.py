"""The sample-quantile test (Gelbach, Helland & Klick 2013) against a slow, independent reference.

Reference: tests/reference/make_sq.py (pandas + statsmodels, refitting the market
model without each stretch of estimation days; never imports eventstudy); its
raw output is tests/reference/make_sq.out. Tolerance 1e-10 (floating-point
order of summation only).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import eventstudy as es
import eventstudy.inference as inf
from eventstudy.data.wide import wide_prices
from eventstudy.panel import AbnormalPanel
from eventstudy.resources import fixtures_dir

# Printed by `python tests/reference/make_sq.py` (make_sq.out).
REFERENCE = {
    (0, 0): {"X": -0.13432991926630977, "M": 240.0, "p": 0.008298755186721992,
             "p less": 0.004149377593360996, "placebo min": -0.049612000592573265,
             "placebo max": 0.07872486261140815, "placebo mean": 1.774613651064182e-05},
    (-1, 1): {"X": -0.14092090550258324, "M": 238.0, "p": 0.008368200836820083,
              "p less": 0.0041841004184100415, "placebo min": -0.10885194993343661,
              "placebo max": 0.1143473629237118, "placebo mean": 0.00034477522223944464},
}


@pytest.fixture(scope="module")
def panel() -> AbnormalPanel:
    prices = wide_prices(es.CsvSource(fixtures_dir()).history(["NVDA", "MU", "CEG", "^GSPC"]))[0]
    res = es.event_study(prices, benchmark="^GSPC", event_date="2025-01-27",
                         windows=[(0, 0), (-1, 1)])
    return res.panel


@pytest.mark.parametrize("window", list(REFERENCE))
def test_sq_matches_the_refitting_reference(panel: AbnormalPanel, window: tuple[int, int]) -> None:
    ref = REFERENCE[window]
    res = inf.sq_test(panel, *window)
    assert res.valid and res.distribution == "empirical"
    assert res.statistic == pytest.approx(ref["X"], abs=1e-10)
    assert res.extra["M"] == ref["M"]
    assert res.pvalue == pytest.approx(ref["p"], abs=1e-12)
    assert inf.sq_test(panel, *window, alternative="less").pvalue == pytest.approx(ref["p less"])
    length = window[1] - window[0] + 1
    y = inf.placebo_sums(panel, length).mean(axis=0)
    assert y.min() == pytest.approx(ref["placebo min"], abs=1e-10)
    assert y.max() == pytest.approx(ref["placebo max"], abs=1e-10)
    assert y.mean() == pytest.approx(ref["placebo mean"], abs=1e-10)


def test_sq_resolution_and_per_event(panel: AbnormalPanel) -> None:
    res = inf.sq_test(panel, 0)
    assert res.extra["resolution"] == pytest.approx(1 / 241)
    # the portfolio CAR is below every placebo sum: the smallest attainable p
    assert res.extra["quantile"] == 0.0 and res.pvalue == pytest.approx(2 / 241)
    assert set(res.extra["per_event"]) == {"NVDA", "MU", "CEG"}


def test_residual_placebo_is_narrower_than_prediction_errors(panel: AbnormalPanel) -> None:
    """In-sample residuals are shrunk by (1 - h): their L-day sums spread less."""
    pe = inf.placebo_sums(panel, 11, "prediction-error")
    rs = inf.placebo_sums(panel, 11, "residual")
    assert np.nanstd(rs) < np.nanstd(pe)


def test_sq_equal_weights_by_default_and_value_weights(panel: AbnormalPanel) -> None:
    eq = inf.sq_test(panel, 0)
    manual = inf.sq_test(panel, 0, weights=[1, 1, 1])
    assert eq.statistic == manual.statistic and eq.pvalue == manual.pvalue
    one = inf.sq_test(panel, 0, weights=[1, 0, 0])  # NVDA alone
    assert one.statistic == pytest.approx(float(panel.ar[0, list(panel.event_days).index(0)]))
    with pytest.raises(es.errors.InvalidParameterError, match="weights"):
        inf.sq_test(panel, 0, weights=[1, -1, 1])


def test_sq_invalid_when_a_member_lacks_a_return(panel: AbnormalPanel) -> None:
    import dataclasses

    ar = np.array(panel.ar)
    ar[1, list(panel.event_days).index(0)] = math.nan
    broken = dataclasses.replace(panel, ar=ar)
    res = inf.sq_test(broken, 0)
    assert not res.valid and "MU" in res.reason
