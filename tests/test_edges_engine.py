"""Edges of the engine (inputs, study, batch): events on the data's first and last
sessions, thresholds met exactly, missing benchmark returns, typed input errors.

Data are synthetic returns on the 2024 NYSE sessions; expected values are
counts worked out in the comments, hand arithmetic, or statsmodels.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import eventstudy.inference as inf
from eventstudy import TradingCalendar, event_study
from eventstudy.batch import batch_tests
from eventstudy.engine import overlap_diagnostics
from eventstudy.engine.chunks import overlap_note
from eventstudy.errors import (
    CalendarError,
    DataError,
    EstimationWindowTooShortError,
    ImplausibleReturnError,
    InvalidParameterError,
    NonPositivePriceError,
    NonSessionDateError,
    UnsortedDatesError,
)
from eventstudy.inference.correlation import banded_residual_correlation
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS, as_wide, check_return_bounds, validate_wide
from eventstudy.panel import session_numbers
from eventstudy.study import prepare_data
from eventstudy.windows import Window

SESSIONS = TradingCalendar("XNYS", "2024-01-02", "2024-12-31").sessions("2024-01-02", "2024-12-31")
N = len(SESSIONS)  # 252 NYSE sessions in 2024


def returns(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0005, 0.01, N)
    data = {"M": m, "A": 0.001 + 1.2 * m + rng.normal(0, 0.01, N),
            "B": -0.0005 + 0.8 * m + rng.normal(0, 0.012, N)}
    return pd.DataFrame(data, index=SESSIONS)


S = SESSIONS  # shorthand: S[i] is the i-th session of 2024


# ------------------------------------------------------------------ inputs


def test_input_frames_are_checked_cell_by_cell() -> None:
    with pytest.raises(InvalidParameterError, match="non-empty"):
        as_wide(pd.DataFrame(), "prices")
    with pytest.raises(InvalidParameterError, match="unique column names"):
        as_wide(pd.DataFrame([[1.0, 2.0]], columns=["A", "A"], index=S[:1]), "prices")
    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-04", "2024-01-03"])
    with pytest.raises(UnsortedDatesError, match="2024-01-03 follows 2024-01-04"):
        validate_wide(pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=idx), "prices", "prices")
    with pytest.raises(NonPositivePriceError, match="first: A on 2024-01-03"):
        validate_wide(pd.DataFrame({"A": [1.0, 0.0]}, index=S[:2]), "prices", "prices")
    # a loss of 100% is at the default return bound (refused), one just above it is not
    with pytest.raises(ImplausibleReturnError, match="'A'"):
        check_return_bounds(pd.DataFrame({"A": [0.01, -1.0]}, index=S[:2]), DEFAULT_RETURN_BOUNDS,
                            default_parameter="returns")
    check_return_bounds(pd.DataFrame({"A": [0.01, -0.999]}, index=S[:2]), DEFAULT_RETURN_BOUNDS,
                        default_parameter="returns")
    with pytest.raises(DataError, match="infinite"):
        validate_wide(pd.DataFrame({"A": [0.01, np.inf], "B": [0.0, 0.0]}, index=S[:2]), "returns", "returns")
    timed = pd.DatetimeIndex([S[0], S[1] + pd.Timedelta(hours=16)])
    with pytest.raises(InvalidParameterError, match="without a time of day"):
        validate_wide(pd.DataFrame({"A": [0.01, 0.02]}, index=timed), "returns", "returns")


def test_rows_on_non_sessions_are_refused_and_counted() -> None:
    ret = returns()
    one = pd.concat([ret, pd.DataFrame({"M": [0.0], "A": [0.0], "B": [0.0]},
                                       index=pd.DatetimeIndex(["2024-12-25"]))]).sort_index()
    with pytest.raises(NonSessionDateError, match="2024-12-25"):
        prepare_data(returns=one)
    days = pd.DatetimeIndex(["2024-01-06", "2024-01-07", "2024-01-13", "2024-01-14", "2024-01-20", "2024-01-21"])
    six = pd.concat([ret, pd.DataFrame(0.0, index=days, columns=ret.columns)]).sort_index()
    with pytest.raises(NonSessionDateError, match=r"\(6 in total\)"):
        prepare_data(returns=six)


def test_calendar_that_cannot_cover_the_span_is_a_calendar_error() -> None:
    with pytest.raises(CalendarError, match="2025-02-01"):
        TradingCalendar("XNYS", "2025-02-01", "2025-01-01")


def test_simple_and_log_returns_from_prices() -> None:
    prices = pd.DataFrame({"A": [100.0, 110.0, 99.0]}, index=S[:3])
    simple = prepare_data(prices).returns["A"]
    log = prepare_data(prices, return_type="log").returns["A"]
    assert math.isnan(simple.iloc[0])
    assert simple.iloc[1:].tolist() == pytest.approx([0.10, -0.10], abs=1e-12)  # 110/100 - 1, 99/110 - 1
    assert log.iloc[1:].tolist() == pytest.approx([math.log(1.1), math.log(0.9)], abs=1e-12)


# ------------------------------------------------------------------ study


def test_benchmark_series_named_like_a_security_is_refused() -> None:
    ret = returns()
    with pytest.raises(InvalidParameterError, match="benchmark"):
        prepare_data(returns=ret[["A", "B"]], benchmark=ret["M"].rename("A"))


def test_factors_on_the_first_session_are_kept() -> None:
    ret = returns()
    fac = pd.DataFrame({"Mkt-RF": ret["M"] - 0.0001, "RF": 0.0001}, index=S)
    data = prepare_data(returns=ret, factors=fac)
    assert data.factors is not None and data.factors.iloc[0].notna().all()


def test_event_on_the_first_possible_session_uses_row_zero() -> None:
    # event at row 120 with estimation (-120, -11): the estimation window starts on the data's first session
    res = event_study(returns=returns(), benchmark="M", event_date=S[120], estimation=(-120, -11),
                      windows=[(0, 0)], min_estimation_obs=110)
    d = res.diagnostics.loc["A"]
    assert d["estimation_start"] == S[0] and d["nobs"] == 110 and d["estimation_missing"] == 0
    assert d["status"] == "ok"
    assert res.event_ids == ["A", "B"]  # the benchmark is not studied as a security


def test_event_on_the_last_session_has_no_returns_after_it() -> None:
    res = event_study(returns=returns(), benchmark="M", event_date=S[-1], windows=[(-1, 1)])
    car = res.car.loc[("A", "(-1, +1)")]
    assert car["days"] == 2 and car["missing_days"] == 1
    assert any("A: 1 missing return(s) in the event span -1..1" in n for n in res.notes)


def test_estimation_thresholds_met_exactly() -> None:
    ret = returns()
    # estimation (-130, -11) holds exactly 120 sessions, the minimum: accepted and 'ok'
    res = event_study(returns=ret, benchmark="M", event_date=S[200], estimation=(-130, -11),
                      windows=[(0, 0)], min_estimation_obs=120)
    assert (res.diagnostics["status"] == "ok").all()
    with pytest.raises(EstimationWindowTooShortError):
        event_study(returns=ret, benchmark="M", event_date=S[200], estimation=(-129, -11),
                    windows=[(0, 0)], min_estimation_obs=120)
    with pytest.raises(InvalidParameterError, match="min_estimation_obs"):
        event_study(returns=ret, benchmark="M", event_date=S[200], min_estimation_obs=2)
    with pytest.raises(InvalidParameterError, match="estimation"):
        event_study(returns=ret, benchmark="M", event_date=S[200], estimation=(-150, 0), windows=[(0, 0)])


def test_missing_estimation_and_event_day_returns_are_reported() -> None:
    ret = returns()
    ret.loc[S[100:103], "A"] = np.nan  # 3 estimation days
    ret.loc[S[200], "B"] = np.nan  # B's event day
    res = event_study(returns=ret, benchmark="M", event_date=S[200], windows=[(0, 1)],
                      estimation=(-150, -11), min_estimation_obs=100)
    assert res.diagnostics.loc["A", "estimation_missing"] == 3
    assert res.diagnostics.loc["A", "nobs"] == 137
    # the note names the session and the cause: B's own return is missing (not M's)
    assert f"B: no abnormal return on the event session {S[200].date()} (B has no return)." in res.notes
    # one too few estimation returns: excluded with the count in the reason
    short = event_study(returns=ret, benchmark="M", event_date=S[200], windows=[(0, 1)],
                        estimation=(-150, -11), min_estimation_obs=138)
    assert short.diagnostics.loc["A", "status"] == "excluded"
    assert short.diagnostics.loc["A", "reason"] == "137 estimation returns < min_estimation_obs=138"


def test_market_adjusted_ar_and_benchmark_requirement() -> None:
    ret = returns()
    res = event_study(returns=ret, benchmark="M", event_date=S[200], model="market_adjusted",
                      windows=[(0, 1)])
    assert res.ar.loc[0, "A"] == pytest.approx(ret["A"].iloc[200] - ret["M"].iloc[200], abs=1e-15)
    assert res.ar.loc[1, "B"] == pytest.approx(ret["B"].iloc[201] - ret["M"].iloc[201], abs=1e-15)
    with pytest.raises(InvalidParameterError, match="benchmark"):
        event_study(returns=ret[["A", "B"]], event_date=S[200], model="market_adjusted")


def test_constant_mean_without_benchmark_has_no_bhar() -> None:
    res = event_study(returns=returns()[["A", "B"]], event_date=S[200], model="constant_mean",
                      windows=[(0, 1)])
    assert np.isnan(res.panel.raw_event_market).all()
    assert np.isnan(inf.bhar(res.panel, 0, 1)).all()


def test_capm_regresses_excess_returns() -> None:
    ret = returns()
    rf = pd.Series(np.linspace(0.0001, 0.0003, N), index=S)
    fac = pd.DataFrame({"RF": rf}, index=S)
    res = event_study(returns=ret, benchmark="M", factors=fac, event_date=S[200], model="capm",
                      windows=[(0, 0)])
    rows = slice(200 - 250 if 200 >= 250 else 0, 200 - 10)
    y, x = (ret["A"] - rf).iloc[rows], (ret["M"] - rf).iloc[rows]
    ref = sm.OLS(y.to_numpy(), sm.add_constant(x.to_numpy())).fit()
    np.testing.assert_allclose(res.params.loc["A"].to_numpy(), ref.params, rtol=1e-9)


def test_date_windows_roll_inward_and_repeated_securities_get_dated_ids() -> None:
    ret = returns()
    # event on Monday 2024-06-17; window Saturday 06-15 .. Sunday 06-23 -> Mon 17 .. Fri 21,
    # sessions 17, 18, 20, 21 (19 June is Juneteenth, an NYSE holiday) = (0, +3)
    res = event_study(returns=ret, benchmark="M", event_date="2024-06-17", securities=["A"],
                      windows=[{"start": "2024-06-15", "end": "2024-06-23"}])
    assert res.windows == (Window(0, 3),)
    ev = pd.DataFrame({"security": ["A", "A"], "event_date": ["2024-06-17", "2024-09-16"]})
    two = event_study(returns=ret, benchmark="M", events=ev, windows=[(0, 0)], estimation=(-100, -11),
                      min_estimation_obs=90)
    assert two.event_ids == ["A@2024-06-17", "A@2024-09-16"]
    # a Saturday event with roll='previous' is studied on Friday 2024-06-14
    prev = event_study(returns=ret, benchmark="M", event_date="2024-06-15", securities=["A"],
                       roll="previous", windows=[(0, 0)])
    assert prev.diagnostics.loc["A", "event_session"] == pd.Timestamp("2024-06-14")
    with pytest.raises(InvalidParameterError, match="at least one event"):
        event_study(returns=ret, benchmark="M", events=ev.iloc[:0])


# ------------------------------------------------------------------ batch


def test_overlap_diagnostics_by_hand() -> None:
    sec = np.array(["A", "A", "A", "B"])
    pos0 = np.array([100, 110, 111, 100])
    d = overlap_diagnostics(sec, pos0, (-5, 5), Window(-250, -11))
    # spans [p-5, p+5] overlap iff |p - q| <= 10: A@100~A@110, A@110~A@111; A@100 vs A@111 is 11 apart
    assert d["window_overlaps"].tolist() == [1, 2, 1, 0]
    # estimation [p-250, p-11]: only A@111's window [-139, 100] holds another A event (A@100)
    assert d["estimation_events"].tolist() == [0, 0, 1, 0]
    assert d["estimation_contaminated"].tolist() == [False, False, True, False]


def test_overlap_note_marks_truncation() -> None:
    diag = pd.DataFrame({"window_overlap": [True] * 6, "estimation_contaminated": [False] * 6},
                        index=[f"e{i}" for i in range(6)])
    (note,) = overlap_note(diag, (-5, 5), Window(-250, -11))
    assert note.startswith("6 event(s) have an event span (-5..5)") and "(e0, e1, e2, e3, e4, ...)" in note


def test_banded_rbar_by_hand() -> None:
    a = np.array([0.01, -0.02, 0.03, -0.01, 0.02, 0.0])
    b = np.array([0.02, 0.01, -0.01, -0.03, 0.01, 0.02])
    c = np.array([0.03, -0.01, 0.0, 0.02, -0.02, 0.01])
    resid = np.stack([a, b, c])
    pos = np.array([np.arange(0, 6), np.arange(3, 9), np.arange(50, 56)])  # a, b share 3 sessions
    wpos = np.array([[6], [6], [60]])  # a and b share their one window session; c shares nothing
    rc = banded_residual_correlation(resid, pos, wpos)
    r = np.corrcoef(a[3:], b[:3])[0, 1]
    assert rc.n_pairs == 1 and rc.n_overlap == 1
    assert rc.rbar == pytest.approx(r / 3, rel=1e-12)  # summed over usable pairs / all 3 pairs
    # windows that touch on one session share it
    touch = banded_residual_correlation(resid[:2], pos[:2], np.array([[6, 7], [7, 8]]))
    # two-session windows sharing one session: weight 1 / sqrt(2 * 2) = 1/2
    assert touch.n_overlap == 1 and touch.rbar == pytest.approx(r / 2, rel=1e-12)


def test_positions_of_missing_dates() -> None:
    grid = np.array(["2024-01-02", "2024-01-03"], dtype="datetime64[D]")
    d = np.array([["2024-01-03", "NaT"]], dtype="datetime64[D]")
    assert session_numbers(d, grid).tolist() == [[1, -1]]


def test_batch_study_edges() -> None:
    ret = returns()
    ev = pd.DataFrame({"security": ["A", "B"], "event_date": [S[0 + 130], S[-1]],
                       "benchmark": ["M", np.nan]})
    with pytest.raises(InvalidParameterError, match="chunk_size"):
        event_study(returns=ret, events=ev, benchmark="M", chunk_size=0)
    res = event_study(returns=ret, events=ev, benchmark="M", windows=[(-1, 1)], estimation=(-130, -11),
                      progress=False)
    assert res.diagnostics["benchmark"].tolist() == ["M", "M"]  # NaN -> the default benchmark
    assert res.diagnostics.loc["A", "estimation_start"] == S[0]
    with pytest.warns(FutureWarning, match="batch_tests is deprecated"):
        tests = batch_tests(res.panel, [Window(-1, 1)], days=[0])
    assert tests.loc[tests["scope"] == "window", "headline"].all()
    assert not tests.loc[tests["scope"] == "day", "headline"].any()


def test_batch_kp_bmp_uses_residuals_on_the_data_first_session() -> None:
    ret = returns(1)
    # both events on the same session, estimation from the data's first session (row 0)
    ev = pd.DataFrame({"security": ["A", "B"], "event_date": [S[130], S[130]]})
    res = event_study(returns=ret, events=ev, benchmark="M", windows=[(0, 0)], estimation=(-130, -11),
                      progress=False)
    e = np.asarray(res.panel.est_resid)
    assert np.isfinite(e).all() and e.shape == (2, 120)
    r = np.corrcoef(e[0], e[1])[0, 1]  # all 120 estimation days are common
    t = res.tests.query("scope == 'window'").set_index("test")
    # KP: t_adj = t_BMP sqrt((1 - rbar) / (1 + (N - 1) rbar)), N = 2, rbar = r (one pair)
    assert t.loc["kp-bmp", "statistic"] == pytest.approx(
        t.loc["bmp", "statistic"] * math.sqrt((1 - r) / (1 + r)), rel=1e-9)
