"""Calendar, windows, diagnostics and typed errors of the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from fixture_prices import fixture_prices

from eventstudy import TradingCalendar, event_study
from eventstudy.data.french import load_factors
from eventstudy.errors import (
    DuplicateDatesError,
    EstimationWindowTooShortError,
    EventDateOutOfRangeError,
    EventStudyError,
    InvalidParameterError,
    NonPositivePriceError,
    NonSessionDateError,
    UnknownSymbolError,
    UnsortedDatesError,
)

_prices = fixture_prices


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return _prices("NVDA", "AVGO", "MU", "ARM", "ASML", "CEG", "GSPC").rename(columns={"GSPC": "^GSPC"})


# --- calendar -------------------------------------------------------------------
def test_nyse_closures_2025() -> None:
    cal = TradingCalendar("XNYS", "2025-01-01", "2025-02-28")
    assert not cal.is_session("2025-01-09")  # national day of mourning (President Carter)
    assert not cal.is_session("2025-01-20")  # Martin Luther King Jr. Day; DeepSeek-R1 released
    assert cal.is_session("2025-01-27")
    sessions = cal.sessions("2025-01-06", "2025-01-27")
    assert len(sessions) == 14  # 15 weekdays minus the 9th and the 20th


@pytest.mark.parametrize(("policy", "expected"), [("next", "2025-01-21"), ("previous", "2025-01-17")])
def test_roll_policies(policy: str, expected: str) -> None:
    r = TradingCalendar("XNYS", "2025-01-01", "2025-02-28").resolve("2025-01-20", policy)
    assert r.rolled and str(r.session.date()) == expected


def test_roll_raise() -> None:
    cal = TradingCalendar("XNYS", "2025-01-01", "2025-02-28")
    with pytest.raises(NonSessionDateError, match="2025-01-20"):
        cal.resolve("2025-01-20", "raise")


def test_rolled_event_is_reported(prices: pd.DataFrame) -> None:
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-20", securities=["NVDA"])
    d = res.diagnostics.loc["NVDA"]
    assert bool(d["rolled"]) and str(d["event_session"].date()) == "2025-01-21"
    assert any("rolled to the next session 2025-01-21" in n for n in res.notes)


def test_relative_days_are_sessions(prices: pd.DataFrame) -> None:
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA"],
                      windows=[[-5, 5]])
    dates = res.to_frame().loc["NVDA", "date"]
    assert str(dates.loc[-5].date()) == "2025-01-17"  # skips the 20th
    assert str(dates.loc[5].date()) == "2025-02-03"


def test_date_windows_equal_relative_windows(prices: pd.DataFrame) -> None:
    a = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA", "CEG"],
                    windows=[[-1, 1]])
    b = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA", "CEG"],
                    windows=[{"start": "2025-01-24", "end": "2025-01-28"}],
                    estimation={"start": "2024-01-26", "end": "2025-01-08"})
    np.testing.assert_allclose(a.car["car"].to_numpy(), b.car["car"].to_numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=0, atol=1e-15)


# --- exclusions and missing days ------------------------------------------------------
def test_security_with_too_few_returns_is_excluded(prices: pd.DataFrame) -> None:
    # ARM listed on 2023-09-14: an event on 2024-01-10 leaves < 120 estimation returns.
    res = event_study(prices, benchmark="^GSPC", event_date="2024-01-10", securities=["NVDA", "ARM"])
    d = res.diagnostics
    assert d.loc["ARM", "status"] == "excluded" and "min_estimation_obs=120" in d.loc["ARM", "reason"]
    assert d.loc["NVDA", "status"] == "ok"
    assert res.event_ids == ["NVDA"]
    assert any(n.startswith("ARM: excluded") for n in res.notes)


def test_missing_days_are_counted_not_filled(prices: pd.DataFrame) -> None:
    p = prices[["NVDA", "^GSPC"]].copy()
    p.loc[pd.Timestamp("2024-06-03"), "NVDA"] = np.nan  # -> two returns missing
    p.loc[pd.Timestamp("2025-01-29"), "NVDA"] = np.nan  # day +2 -> days +2, +3 missing
    res = event_study(p, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA"],
                      windows=[[0, 4]])
    d = res.diagnostics.loc["NVDA"]
    assert d["nobs"] == 238 and d["estimation_missing"] == 2
    assert d["event_missing"] == 2
    row = res.car.loc[("NVDA", "(0, +4)")]
    assert row["days"] == 3 and row["missing_days"] == 2
    ar = res.ar["NVDA"]
    assert row["car"] == pytest.approx(ar.loc[[0, 1, 4]].sum(), abs=1e-15)
    assert any("missing return(s) in the event span" in n for n in res.notes)


# --- typed errors ---------------------------------------------------------------------
def test_unknown_symbol(prices: pd.DataFrame) -> None:
    with pytest.raises(UnknownSymbolError, match="TSLA"):
        event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["TSLA"])
    with pytest.raises(KeyError):  # also the builtin
        event_study(prices, benchmark="^XYZ", event_date="2025-01-27", securities=["NVDA"])


def test_event_date_outside_data(prices: pd.DataFrame) -> None:
    with pytest.raises(EventDateOutOfRangeError, match="2026-03-02"):
        event_study(prices, benchmark="^GSPC", event_date="2026-03-02")


def test_estimation_window_too_short(prices: pd.DataFrame) -> None:
    with pytest.raises(EstimationWindowTooShortError, match="min_estimation_obs"):
        event_study(prices, benchmark="^GSPC", event_date="2025-01-27", estimation=[-60, -11])


def test_estimation_overlapping_event_window(prices: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="estimation"):
        event_study(prices, benchmark="^GSPC", event_date="2025-01-27", estimation=[-250, -3])


def test_duplicate_and_unsorted_dates(prices: pd.DataFrame) -> None:
    p = prices[["NVDA", "^GSPC"]]
    with pytest.raises(DuplicateDatesError, match="2025-01-24"):
        event_study(pd.concat([p, p.loc[["2025-01-24"]]]).sort_index(), benchmark="^GSPC",
                    event_date="2025-01-27")
    with pytest.raises(UnsortedDatesError):
        event_study(p.iloc[::-1], benchmark="^GSPC", event_date="2025-01-27")


def test_non_positive_and_non_session_prices(prices: pd.DataFrame) -> None:
    p = prices[["NVDA", "^GSPC"]].copy()
    p.loc[pd.Timestamp("2024-05-01"), "NVDA"] = 0.0
    with pytest.raises(NonPositivePriceError, match="NVDA on 2024-05-01"):
        event_study(p, benchmark="^GSPC", event_date="2025-01-27")
    q = prices[["NVDA", "^GSPC"]].copy()
    q.loc[pd.Timestamp("2025-01-09")] = [100.0, 5000.0]  # a closure
    with pytest.raises(NonSessionDateError, match="2025-01-09"):
        event_study(q.sort_index(), benchmark="^GSPC", event_date="2025-01-27")


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"model": "figarch"}, "model"),
        ({"roll": "sideways"}, "roll"),
        ({"windows": [[2, 1]]}, "windows[0]"),
        ({"windows": [[0, 0], [0, 0]]}, "windows"),
        ({"min_estimation_obs": 1}, "min_estimation_obs"),
        ({"return_type": "excess"}, "return_type"),
        ({"event_date": "not a date"}, "event_date"),
    ],
)
def test_invalid_parameters_name_the_parameter(prices: pd.DataFrame, kwargs: dict, parameter: str) -> None:
    base = {"benchmark": "^GSPC", "event_date": "2025-01-27"}
    with pytest.raises(InvalidParameterError) as info:
        event_study(prices, **{**base, **kwargs})
    assert info.value.parameter == parameter
    assert isinstance(info.value, EventStudyError) and isinstance(info.value, ValueError)


# --- models -----------------------------------------------------------------------
def test_log_returns(prices: pd.DataFrame) -> None:
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA"],
                      return_type="log", windows=[[0, 0]])
    p = prices["NVDA"]
    r0 = np.log(p.loc["2025-01-27"] / p.loc["2025-01-24"])
    m = prices["^GSPC"]
    m0 = np.log(m.loc["2025-01-27"] / m.loc["2025-01-24"])
    a, b = res.params.loc["NVDA"]
    assert res.ar.loc[0, "NVDA"] == pytest.approx(r0 - a - b * m0, abs=1e-14)


def test_market_adjusted_and_constant_mean(prices: pd.DataFrame) -> None:
    rets = prices.pct_change()
    t0 = pd.Timestamp("2025-01-27")
    ma = event_study(prices, benchmark="^GSPC", event_date=t0, securities=["CEG"],
                     model="market_adjusted", windows=[[0, 0]])
    assert ma.ar.loc[0, "CEG"] == pytest.approx(rets.loc[t0, "CEG"] - rets.loc[t0, "^GSPC"], abs=1e-15)
    i0 = rets.index.get_loc(t0)
    est = rets["CEG"].iloc[i0 - 250 : i0 - 10]
    assert ma.sigma2["CEG"] == pytest.approx((est - rets["^GSPC"].iloc[i0 - 250 : i0 - 10]).var(ddof=1))
    cm = event_study(prices, benchmark="^GSPC", event_date=t0, securities=["CEG"],
                     model="constant_mean", windows=[[0, 0]])
    assert cm.ar.loc[0, "CEG"] == pytest.approx(rets.loc[t0, "CEG"] - est.mean(), abs=1e-15)
    # Var(CAR) for constant mean: s2 (L + L^2/T), MacKinlay (1997).
    assert cm.car.loc[("CEG", "(0, 0)"), "std_err"] ** 2 == pytest.approx(est.var(ddof=1) * (1 + 1 / 240), rel=1e-12)


def test_ff3_matches_statsmodels(prices: pd.DataFrame) -> None:
    factors = load_factors(("ff3",))
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["MU"],
                      model="ff3", factors=factors, windows=[[0, 0]])
    rets = prices["MU"].pct_change()
    i0 = rets.index.get_loc(pd.Timestamp("2025-01-27"))
    est = rets.index[i0 - 250 : i0 - 10]
    f = factors.loc[est]
    ols = sm.OLS(rets.loc[est] - f["RF"], sm.add_constant(f[["Mkt-RF", "SMB", "HML"]])).fit()
    np.testing.assert_allclose(res.params.loc["MU"].to_numpy(), ols.params.to_numpy(), rtol=0, atol=1e-10)
    t0 = pd.Timestamp("2025-01-27")
    x0 = np.r_[1.0, factors.loc[t0, ["Mkt-RF", "SMB", "HML"]].to_numpy()]
    expected = rets.loc[t0] - factors.loc[t0, "RF"] - x0 @ ols.params.to_numpy()
    assert res.ar.loc[0, "MU"] == pytest.approx(expected, abs=1e-12)


def test_result_is_immutable(prices: pd.DataFrame) -> None:
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA"])
    car = res.car
    car.iloc[0, 3] = 99.0
    assert res.car.iloc[0, 3] != 99.0
    with pytest.raises(AttributeError):
        res.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.panel.ar[0, 0] = 1.0


def test_summary_str_html_and_fit_detail(prices: pd.DataFrame) -> None:
    res = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", name="case")
    text = str(res)
    assert "CAR per event" in text and "NVDA" in text and "share the session 2025-01-27" in text
    assert "<table" in res._repr_html_()
    detail = res.fit_detail("NVDA")
    assert detail.nobs == 240
    assert "OLS Regression Results" in str(detail.summary())
    tidy = res.to_frame()
    assert tidy.index.names == ["event_id", "relative_day"]
    assert res.ar.index.name == "relative_day" and res.ar.columns.name == "event_id"


def test_factor_data_ending_before_the_window_is_named_in_the_notes() -> None:
    import eventstudy as es
    from eventstudy.data.french import load_factors

    case = es.datasets.deepseek()
    fac = load_factors(("ff3",)).loc[:"2025-01-24"]
    res = es.event_study(case.prices, benchmark=case.benchmark, event_date=case.event_date,
                         securities=["NVDA"], model="ff3", factors=fac, windows=[(0, 0)])
    assert any("NVDA: no abnormal return on the event session 2025-01-27" in n
               and "factor data end on 2025-01-24" in n for n in res.notes)
    row = res.car.reset_index().iloc[0]
    assert row["reason"].startswith("no abnormal return")  # the CAR says why it is missing


def test_the_clustering_note_names_five_shared_sessions_and_counts_the_rest() -> None:
    """A large study's note stays readable: five shared sessions by name, the rest counted
    (here 8 sessions shared by 2 events each, written by hand)."""
    import numpy as np

    from eventstudy.inference.clustering import _message

    shared = [(f"2024-01-{d:02d}", (f"a{d}", f"b{d}")) for d in range(2, 10)]
    msg = _message(16, (0, 0), shared, [tuple(e for _, ev in shared for e in ev)])
    assert msg.count("events share the session") == 5
    assert "and 6 events share 3 more sessions" in msg
    assert np.char.count(msg, "2024-01-0").item() == 5
