"""Small tests written for mutants of ``benchmarks/mutation.py`` that the suite let survive.

Each test names the mutant it kills. Expected values come from the construction
of the data (which session is where, what was not given) or from numpy's own
least squares and correlation on the raw returns, never from the package.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest

from eventstudy import TradingCalendar, event_study
from eventstudy.inference.correlation import residual_correlation

SESSIONS = TradingCalendar("XNYS", "2024-01-02", "2024-12-31").sessions("2024-01-02", "2024-12-31")
N = len(SESSIONS)  # 252 NYSE sessions in 2024


def _returns(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0005, 0.01, N)
    common = rng.normal(0.0, 0.01, N)  # shared noise: the two securities' residuals correlate
    return pd.DataFrame({"M": m, "A": 0.001 + 1.2 * m + common + rng.normal(0, 0.01, N),
                         "B": 0.8 * m + common + rng.normal(0, 0.01, N)}, index=SESSIONS)


def _market_residuals(ret: pd.DataFrame, sec: str, rows: np.ndarray) -> np.ndarray:
    """OLS residuals of ``sec`` on ``M`` over ``rows`` (numpy's least squares)."""
    y, x = ret[sec].to_numpy()[rows], ret["M"].to_numpy()[rows]
    b, a = np.polyfit(x, y, 1)
    return np.asarray(y - (a + b * x))


def test_window_slots_past_the_last_session_have_no_position_and_no_weight() -> None:
    # kills panel-02 (a slot one past the last session numbered as a phantom session n)
    ret = _returns()
    ev = pd.DataFrame({"security": ["A", "B"], "event_date": [SESSIONS[N - 2], SESSIONS[N - 3]]})
    res = event_study(returns=ret, events=ev, benchmark="M", windows=[(-1, 2)], estimation=(-60, -6),
                      min_estimation_obs=40)
    panel = res.panel
    assert list(panel.event_ids) == ["A", "B"]
    _, win = panel.positions()
    # A's window (-1..+2 around row N-2) is rows N-3..N: row N does not exist.
    np.testing.assert_array_equal(win, [[N - 3, N - 2, N - 1, -1], [N - 4, N - 3, N - 2, N - 1]])
    # rbar by hand: r_AB on the common estimation rows, weighted by d / sqrt(L_A L_B) with
    # d = 3 shared sessions (N-3..N-1), L_A = 3 real sessions, L_B = 4; one pair.
    rows_a = np.arange(N - 2 - 60, N - 2 - 6 + 1)
    rows_b = np.arange(N - 3 - 60, N - 3 - 6 + 1)
    ea = pd.Series(_market_residuals(ret, "A", rows_a), index=rows_a)
    eb = pd.Series(_market_residuals(ret, "B", rows_b), index=rows_b)
    both = ea.index.intersection(eb.index)
    r = float(np.corrcoef(ea[both], eb[both])[0, 1])
    rc = residual_correlation(panel, start=-1, end=2)
    assert rc.n_pairs == 1 and rc.n_possible == 1
    assert rc.rbar == pytest.approx(r * 3 / math.sqrt(3 * 4), abs=1e-10)


def test_an_estimation_window_starting_before_the_data_derives_row_zero() -> None:
    # kills panel-04 (the off-grid path of the lean panel treats the data's first row as missing)
    ret = _returns()
    res = event_study(returns=ret, events=pd.DataFrame({"security": ["A"], "event_date": [SESSIONS[110]]}),
                      benchmark="M", windows=[(0, 0)], estimation=(-120, -11), min_estimation_obs=90)
    panel = res.panel
    dates = np.asarray(panel.est_dates).astype("datetime64[D]")[0]
    # relative day -120 is row -10 (before the data), -110 is row 0
    assert np.isnat(dates[:10]).all()
    assert dates[10] == np.datetime64(SESSIONS[0].date())
    assert panel.est_market[0, 10] == ret["M"].iat[0]
    rows = np.arange(0, 100)  # rows 0..99 = relative days -110..-11
    np.testing.assert_allclose(panel.est_resid[0, 10:], _market_residuals(ret, "A", rows), rtol=0, atol=1e-12)


def test_market_adjusted_estimation_returns_are_net_of_the_benchmark() -> None:
    # kills panel-05 (the lean panel's est_y adds the benchmark for market_adjusted)
    ret = _returns()
    res = event_study(returns=ret, events=pd.DataFrame({"security": ["B"], "event_date": [SESSIONS[200]]}),
                      benchmark="M", model="market_adjusted", windows=[(0, 0)], estimation=(-100, -11),
                      min_estimation_obs=60)
    rows = np.arange(100, 190)
    expected = ret["B"].to_numpy()[rows] - ret["M"].to_numpy()[rows]
    np.testing.assert_allclose(res.panel.est_y[0], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.panel.est_resid[0], expected, rtol=0, atol=1e-15)


def test_an_event_without_benchmark_has_no_market_return() -> None:
    # kills compute-09 (an event with no benchmark gets the returns of column 0 as its market)
    ret = _returns()[["A", "B"]]
    rng = np.random.default_rng(11)
    fac = pd.DataFrame({"Mkt-RF": rng.normal(0, 0.01, N), "SMB": rng.normal(0, 0.01, N),
                        "HML": rng.normal(0, 0.01, N), "RF": 0.0001}, index=SESSIONS)
    ev = pd.DataFrame({"security": ["B"], "event_date": [SESSIONS[150]]})  # no benchmark anywhere
    res = event_study(returns=ret, events=ev, factors=fac, model="ff3", windows=[(-1, 1)],
                      estimation=(-100, -6), min_estimation_obs=50)
    assert np.isnan(res.panel.raw_event_market).all()
    assert np.isnan(res.panel.event_market).all()


def test_constant_mean_estimation_residuals_are_demeaned() -> None:
    # kills panel-09 (the lean panel's constant-mean residuals keep the mean)
    ret = _returns()
    res = event_study(returns=ret, events=pd.DataFrame({"security": ["A"], "event_date": [SESSIONS[200]]}),
                      benchmark="M", model="constant_mean", windows=[(0, 0)], estimation=(-100, -11),
                      min_estimation_obs=60)
    y = ret["A"].to_numpy()[100:190]
    np.testing.assert_allclose(res.panel.est_resid[0], y - y.mean(), rtol=0, atol=1e-15)


def test_take_restricts_stored_arrays_to_the_rows() -> None:
    # kills panel-11 (take keeps every row of the arrays a factor-model panel stores)
    ret = _returns()[["A", "B"]]
    rng = np.random.default_rng(11)
    fac = pd.DataFrame({"Mkt-RF": rng.normal(0, 0.01, N), "SMB": rng.normal(0, 0.01, N),
                        "HML": rng.normal(0, 0.01, N), "RF": 0.0001}, index=SESSIONS)
    ev = pd.DataFrame({"security": ["A", "B"], "event_date": [SESSIONS[150], SESSIONS[160]]})
    res = event_study(returns=ret, events=ev, benchmark=None, factors=fac, model="ff3", windows=[(0, 0)],
                      estimation=(-100, -6), min_estimation_obs=50)
    one = res.panel.take([1])
    rows = np.arange(160 - 100, 160 - 6 + 1)
    x = np.column_stack([np.ones(rows.size), fac[["Mkt-RF", "SMB", "HML"]].to_numpy()[rows]])
    y = ret["B"].to_numpy()[rows] - 0.0001
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    assert one.est_resid.shape == (1, rows.size)
    np.testing.assert_allclose(one.est_resid[0], y - x @ beta, rtol=0, atol=1e-12)


def test_fit_market_refuses_two_observations() -> None:
    # kills models-17 (two usable returns give a line through both points and a "usable" fit)
    from eventstudy.models import fit_market

    y = np.array([[0.01, 0.02, np.nan, np.nan], [0.01, 0.03, -0.01, 0.02]])
    m = np.array([[0.00, 0.01, 0.02, 0.03], [0.00, 0.01, -0.02, 0.01]])
    fit = fit_market(y, m)
    assert fit.nobs.tolist() == [2, 4]
    # two points, two parameters: no residual degree of freedom, the fit is refused
    assert not fit.rank_ok[0] and np.isnan(fit.params[0]).all() and np.isnan(fit.sigma2[0])
    assert fit.rank_ok[1]


def test_check_option_model_tests_and_days_edges() -> None:
    # kills options-02 ("factors" refused), options-03 (empty test list accepted),
    # options-04 (True accepted as a relative day)
    from eventstudy.errors import InvalidParameterError
    from eventstudy.options import check_option

    assert check_option("model", "factors") == "factors"
    with pytest.raises(InvalidParameterError, match="tests"):
        check_option("tests", [])
    with pytest.raises(InvalidParameterError, match="days"):
        check_option("days", [0, True])


def test_long_frame_has_no_running_car_on_a_missing_day() -> None:
    # kills output-03 (the running CAR is carried onto days without an abnormal return)
    from eventstudy.output import long_frame

    ret = _returns()
    res = event_study(returns=ret, events=pd.DataFrame({"security": ["A"], "event_date": [SESSIONS[N - 1]]}),
                      benchmark="M", windows=[(-1, 1)], estimation=(-100, -11), min_estimation_obs=60)
    frame = long_frame(res.panel).set_index("relative_day")
    ar = frame["ar"]
    assert np.isnan(ar.loc[1])  # day +1 is after the data's last session
    assert frame.loc[-1, "car"] == ar.loc[-1]
    assert frame.loc[0, "car"] == pytest.approx(ar.loc[-1] + ar.loc[0], abs=1e-15)
    assert np.isnan(frame.loc[1, "car"])


def test_a_two_calendar_panel_derives_each_event_on_its_own_sessions() -> None:
    # kills panel-12 (concat leaves the Tokyo events pointing at the New York grid)
    import csv

    import eventstudy as es
    from eventstudy.resources import fixtures_dir

    def closes(name: str) -> tuple[list[str], np.ndarray]:
        with open(fixtures_dir() / "intl" / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return [r["date"] for r in rows], np.array([float(r["close"]) for r in rows])

    prices = es.load_prices(["NVDA", "^GSPC", "6857.T", "^N225"])
    res = es.event_study(prices, benchmark={"XNYS": "^GSPC", "XTKS": "^N225"}, event_date="2025-01-27",
                         windows=[(0, 0)])
    row = list(res.panel.event_ids).index("6857.T")
    d, p = closes("6857.T.csv")
    d2, m = closes("N225.csv")
    assert d == d2
    r, rm, dates = p[1:] / p[:-1] - 1, m[1:] / m[:-1] - 1, d[1:]
    i0 = dates.index("2025-01-27")
    est_dates = np.asarray(res.panel.est_dates).astype("datetime64[D]")[row]
    np.testing.assert_array_equal(est_dates, np.array(dates[i0 - 250:i0 - 10], dtype="datetime64[D]"))
    y, x = r[i0 - 250:i0 - 10], rm[i0 - 250:i0 - 10]
    beta = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    alpha = y.mean() - beta * x.mean()
    np.testing.assert_allclose(res.panel.est_resid[row], y - alpha - beta * x, rtol=0, atol=1e-12)


def test_every_mutant_points_at_code_that_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    # benchmarks/mutation.py refuses to run while a mutant's original text is missing or
    # repeated; this keeps a refactor from leaving mutants behind unnoticed until the next run.
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation.py"
    spec = importlib.util.spec_from_file_location("_mutation_harness", path)
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, harness)  # dataclasses look their module up
    spec.loader.exec_module(harness)
    _, problems = harness.check_mutants(harness.all_mutants())
    assert problems == []
