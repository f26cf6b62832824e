"""Reference tests of the market model, AR, CAR and Var(CAR).

Expected values come from outside the library: a hand-worked example in plain
Python (tests/reference/hand_market_model.py, output pasted below), statsmodels
OLS on the same data, and the dummy-variable regression whose event-day dummy
coefficients are the prediction errors and whose t-test of their sum is the CAR
t-test (Karafiath 1988; Salinger 1992).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy import event_study
from eventstudy.resources import fixtures_dir

# --- hand-worked example ------------------------------------------------------
# Output of `python tests/reference/hand_market_model.py`:
HAND = {
    "alpha": 0.001400000000000001,
    "beta": 1.5470588235294118,
    "s2": 1.360588235294117e-05,
    "ar": [-0.0034941176470588246, -0.028194117647058824, 0.0031294117647058806],
    "(0, 0)": {"car": -0.028194117647058824, "var": 1.9928615916955007e-05, "t": -6.315677408547619},
    "(-1, +1)": {"car": -0.02855882352941177, "var": 6.545229757785465e-05, "t": -3.5300256797816867},
}
# 1e-12: the same arithmetic in a different order (QR vs centred sums); the
# values are O(1e-2), so this is ~1e-10 relative at worst.
HAND_TOL = 1e-12

SESSIONS = pd.DatetimeIndex(
    ["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08",
     "2025-01-10", "2025-01-13", "2025-01-14", "2025-01-15"], name="date"
)  # 2025-01-09 (national day of mourning) is not an NYSE session


def hand_returns() -> pd.DataFrame:
    rm = [np.nan, 0.01, -0.02, 0.015, 0.005, -0.01, 0.002, -0.015, 0.01]
    ri = [np.nan, 0.02, -0.03, 0.025, 0.004, -0.012, 0.001, -0.05, 0.02]
    return pd.DataFrame({"S": ri, "M": rm}, index=SESSIONS)


def hand_result():
    return event_study(returns=hand_returns(), benchmark="M", event_date="2025-01-14",
                       estimation=[-6, -2], windows=[[0, 0], [-1, 1]], min_estimation_obs=5)


def test_hand_worked_market_model() -> None:
    res = hand_result()
    assert res.params.loc["S", "alpha"] == pytest.approx(HAND["alpha"], abs=HAND_TOL)
    assert res.params.loc["S", "beta"] == pytest.approx(HAND["beta"], abs=HAND_TOL)
    assert res.sigma2["S"] == pytest.approx(HAND["s2"], abs=HAND_TOL)
    np.testing.assert_allclose(res.ar["S"].to_numpy(), HAND["ar"], atol=HAND_TOL, rtol=0)
    for label in ("(0, 0)", "(-1, +1)"):
        row = res.car.loc[("S", label)]
        assert row["car"] == pytest.approx(HAND[label]["car"], abs=HAND_TOL)
        assert row["std_err"] ** 2 == pytest.approx(HAND[label]["var"], rel=1e-10)
        assert row["statistic"] == pytest.approx(HAND[label]["t"], rel=1e-10)
        assert row["df"] == 3


def test_hand_worked_dates_of_windows() -> None:
    d = hand_result().diagnostics.loc["S"]
    assert str(d["estimation_start"].date()) == "2025-01-03"
    assert str(d["estimation_end"].date()) == "2025-01-10"  # skips the 2025-01-09 closure
    assert d["nobs"] == 5 and d["status"] == "ok"


# --- statsmodels on the recorded data ----------------------------------------
def _fixture_returns(symbol_file: str, column: str) -> pd.Series:
    """Returns computed independently of the library, straight from the CSV."""
    frame = pd.read_csv(fixtures_dir() / symbol_file, parse_dates=["date"], index_col="date")
    return frame[column].pct_change()


@pytest.mark.parametrize("symbol", ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG"])
def test_market_model_matches_statsmodels(symbol: str) -> None:
    ri = _fixture_returns(f"{symbol}.csv", "adj_close")
    rm = _fixture_returns("GSPC.csv", "close")
    dates = rm.index
    day0 = dates.get_loc(pd.Timestamp("2025-01-27"))
    est = dates[day0 - 250 : day0 - 10]  # relative days -250..-11
    assert len(est) == 240
    y, x = ri.loc[est], sm.add_constant(rm.loc[est])
    ols = sm.OLS(y, x).fit()
    ri_all = pd.read_csv(fixtures_dir() / f"{symbol}.csv", parse_dates=["date"], index_col="date")
    rm_all = pd.read_csv(fixtures_dir() / "GSPC.csv", parse_dates=["date"], index_col="date")
    prices = pd.DataFrame({symbol: ri_all["adj_close"]})
    res = event_study(prices, benchmark=rm_all["close"].rename("^GSPC"), event_date="2025-01-27",
                      windows=[[0, 0], [-1, 1]])
    # 1e-10 (absolute, issue requirement): both are double-precision least squares.
    assert res.params.loc[symbol, "alpha"] == pytest.approx(ols.params["const"], abs=1e-10)
    assert res.params.loc[symbol, "beta"] == pytest.approx(ols.params["close"], abs=1e-10)
    assert res.sigma2[symbol] == pytest.approx(ols.scale, abs=1e-10)
    np.testing.assert_allclose(res.bse.loc[symbol].to_numpy(), ols.bse.to_numpy(), rtol=1e-9)
    # Day-0 abnormal return: observed minus fitted, by hand from statsmodels params.
    t0 = pd.Timestamp("2025-01-27")
    expected_ar = ri[t0] - ols.params["const"] - ols.params["close"] * rm[t0]
    assert res.ar.loc[0, symbol] == pytest.approx(expected_ar, abs=1e-12)


def test_car_t_equals_dummy_variable_regression() -> None:
    """CAR t-stat == t-test of the sum of event-day dummies (statsmodels)."""
    ri = _fixture_returns("NVDA.csv", "adj_close")
    rm = _fixture_returns("GSPC.csv", "close")
    dates = rm.index
    day0 = dates.get_loc(pd.Timestamp("2025-01-27"))
    est = list(dates[day0 - 250 : day0 - 10])
    evt = list(dates[day0 - 1 : day0 + 2])  # (-1, +1)
    rows = est + evt
    x = pd.DataFrame({"const": 1.0, "m": rm.loc[rows].to_numpy()}, index=rows)
    for j, d in enumerate(evt):
        x[f"d{j}"] = (x.index == d).astype(float)
    fit = sm.OLS(ri.loc[rows].to_numpy(), x).fit()
    tt = fit.t_test("d0 + d1 + d2 = 0")
    prices = pd.read_csv(fixtures_dir() / "NVDA.csv", parse_dates=["date"], index_col="date")
    bench = pd.read_csv(fixtures_dir() / "GSPC.csv", parse_dates=["date"], index_col="date")
    res = event_study(pd.DataFrame({"NVDA": prices["adj_close"]}),
                      benchmark=bench["close"].rename("^GSPC"), event_date="2025-01-27",
                      windows=[[-1, 1]])
    row = res.car.loc[("NVDA", "(-1, +1)")]
    # 1e-9: the same quantity from two different linear-algebra paths.
    assert row["car"] == pytest.approx(float(tt.effect[0]), abs=1e-12)
    assert row["statistic"] == pytest.approx(float(tt.tvalue[0][0]), rel=1e-9)
    assert row["pvalue"] == pytest.approx(float(tt.pvalue), rel=1e-7)


def test_caar_t_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    sessions = pd.bdate_range("2024-01-02", periods=320)
    import exchange_calendars as xc

    sessions = xc.get_calendar("XNYS").sessions_in_range("2024-01-02", "2025-04-30")
    n = len(sessions)
    m = rng.normal(0, 0.01, n)
    data = {f"S{i}": 0.0005 + (0.5 + 0.3 * i) * m + rng.normal(0, 0.02, n) for i in range(5)}
    rets = pd.DataFrame(data, index=sessions.tz_localize(None) if sessions.tz else sessions)
    rets["MKT"] = m
    res = event_study(returns=rets, benchmark="MKT", event_date="2025-03-03", windows=[[0, 2]])
    cars = res.car.xs("(0, +2)", level="window")["car"].to_numpy()
    ref = stats.ttest_1samp(cars, 0.0)
    row = res.caar.loc["(0, +2)"]
    assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-12)
    assert row["pvalue"] == pytest.approx(ref.pvalue, rel=1e-9)
