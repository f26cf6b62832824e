"""Portfolio approach, and engine-level properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy import event_study
from eventstudy.portfolio import portfolio_event_study, portfolio_returns
from eventstudy.resources import fixtures_dir

FIRMS = ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG"]


def _prices() -> pd.DataFrame:
    out = {}
    for s in [*FIRMS, "GSPC"]:
        f = pd.read_csv(fixtures_dir() / f"{s}.csv", parse_dates=["date"], index_col="date")
        out["^GSPC" if s == "GSPC" else s] = f["adj_close"] if f["adj_close"].notna().all() else f["close"]
    return pd.DataFrame(out)


PRICES = _prices()


def test_equal_weighted_portfolio_ar_is_mean_of_member_ars() -> None:
    # OLS is linear in y: with the same regressors and no missing rows, the EW
    # portfolio's fitted parameters and ARs are the averages of the members'.
    members = ["NVDA", "AVGO", "MU", "CEG"]  # complete data over the estimation window
    single = event_study(PRICES, benchmark="^GSPC", event_date="2025-01-27", securities=members,
                         windows=[[0, 0], [-1, 1]])
    port = portfolio_event_study(PRICES, benchmark="^GSPC", event_date="2025-01-27",
                                 securities=members, windows=[[0, 0], [-1, 1]])
    np.testing.assert_allclose(port.ar["EW portfolio"].to_numpy(), single.ar.mean(axis=1).to_numpy(),
                               rtol=0, atol=1e-14)
    np.testing.assert_allclose(port.params.loc["EW portfolio"].to_numpy(),
                               single.params.mean(axis=0).to_numpy(), rtol=0, atol=1e-13)
    assert any("4 members" in n and "equal weights" in n for n in port.notes)


def test_value_weights_and_missing_member_days() -> None:
    r = pd.DataFrame({"A": [0.01, np.nan, 0.03], "B": [0.02, 0.01, -0.01]})
    ew = portfolio_returns(r)
    assert ew.iloc[0] == pytest.approx(0.015) and np.isnan(ew.iloc[1])  # never re-weighted
    vw = portfolio_returns(r, pd.Series({"A": 3.0, "B": 1.0}))
    assert vw.iloc[2] == pytest.approx(0.75 * 0.03 + 0.25 * -0.01)
    with pytest.raises(ValueError, match="weights"):
        portfolio_returns(r, pd.Series({"A": 1.0}))


def _synthetic(seed: int, n_sec: int = 4) -> pd.DataFrame:
    import exchange_calendars as xc

    s = xc.get_calendar("XNYS").sessions_in_range("2023-01-03", "2024-03-28")
    idx = pd.DatetimeIndex(s.tz_localize(None) if s.tz else s, name="date")
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0003, 0.01, len(idx))
    data = {f"S{i}": 0.0002 * i + (0.6 + 0.4 * i) * m + rng.normal(0, 0.015, len(idx)) for i in range(n_sec)}
    data["M"] = m
    return pd.DataFrame(data, index=idx)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.floats(-0.01, 0.01, allow_nan=False))
def test_adding_a_constant_leaves_market_model_ars_unchanged(seed: int, c: float) -> None:
    rets = _synthetic(seed)
    a = event_study(returns=rets, benchmark="M", event_date="2024-02-15", windows=[[-2, 3]])
    b = event_study(returns=rets + c, benchmark="M", event_date="2024-02-15", windows=[[-2, 3]])
    np.testing.assert_allclose(a.ar.to_numpy(), b.ar.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.car["statistic"].to_numpy(), b.car["statistic"].to_numpy(), rtol=1e-8)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_results_do_not_depend_on_event_order(seed: int, perm_seed: int) -> None:
    rets = _synthetic(seed, n_sec=5)
    events = pd.DataFrame({"security": [f"S{i}" for i in range(5)],
                           "event_date": ["2024-02-15", "2024-02-15", "2024-03-01", "2024-01-10", "2024-02-16"]})
    perm = np.random.default_rng(perm_seed).permutation(5)
    a = event_study(returns=rets, benchmark="M", events=events, windows=[[0, 0], [-1, 1]])
    b = event_study(returns=rets, benchmark="M", events=events.iloc[perm], windows=[[0, 0], [-1, 1]])
    pd.testing.assert_frame_equal(a.car.sort_index(), b.car.sort_index(), rtol=1e-12)
    ta = a.tests.set_index(["scope", "window", "test"]).sort_index()[["statistic", "pvalue"]]
    tb = b.tests.set_index(["scope", "window", "test"]).sort_index()[["statistic", "pvalue"]]
    pd.testing.assert_frame_equal(ta, tb, rtol=1e-9)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_car_equals_sum_of_ars(seed: int) -> None:
    res = event_study(returns=_synthetic(seed), benchmark="M", event_date="2024-02-15",
                      windows=[[-5, 5], [0, 2]])
    ar = res.ar
    for eid in res.event_ids:
        assert res.car.loc[(eid, "(-5, +5)"), "car"] == pytest.approx(ar[eid].sum(), abs=1e-14)
        assert res.car.loc[(eid, "(0, +2)"), "car"] == pytest.approx(ar.loc[0:2, eid].sum(), abs=1e-14)
