"""The lean panel: what it derives equals a hand computation, and it stores nothing of size T.

Expected values come from the returns frame itself (rows picked by date with
pandas) and statsmodels OLS per event, not from the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import event_study
from eventstudy.panel import DERIVED, AbnormalPanel
from tests.test_batch import synthetic

EST = (-120, -6)
WIN = [(-5, 5), (0, 0)]


@pytest.fixture(scope="module")
def case() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    ret, ev = synthetic(n_sec=5, n_ev=18, seed=5)
    res = event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", estimation=EST,
                      windows=WIN, min_estimation_obs=100, tests=["bmp"], chunk_size=5)
    return ret, ev, res


def test_derived_arrays_equal_a_hand_computation(case) -> None:  # type: ignore[no-untyped-def]
    ret, _, res = case
    p = res.panel
    assert p.source is not None and not p.stored  # a market-model panel derives everything
    sessions = ret.index
    diag = res.diagnostics
    for i, eid in enumerate(p.event_ids):
        sec = p.securities[i]
        at = sessions.get_loc(diag.loc[eid, "event_session"])
        rows = np.arange(at + EST[0], at + EST[1] + 1)
        y = ret[sec].to_numpy()[rows]
        m = ret["MKT"].to_numpy()[rows]
        ok = np.isfinite(y) & np.isfinite(m)
        fit = sm.OLS(y[ok], sm.add_constant(m[ok])).fit()
        resid = np.full(len(rows), np.nan)
        resid[ok] = fit.resid
        np.testing.assert_allclose(p.est_resid[i], resid, rtol=0, atol=1e-12)
        np.testing.assert_allclose(p.params[i], fit.params, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(p.est_y[i], y)
        np.testing.assert_array_equal(p.est_market[i], m)
        np.testing.assert_array_equal(p.est_dates[i], sessions[rows].to_numpy().astype("datetime64[D]"))
        ev_rows = at + p.event_days
        inside = ev_rows < len(sessions)
        np.testing.assert_array_equal(
            p.event_dates[i][inside], sessions[ev_rows[inside]].to_numpy().astype("datetime64[D]"))
        assert np.isnat(p.event_dates[i][~inside]).all()
        x = p.event_x[i]
        fin = np.isfinite(p.ar[i])
        np.testing.assert_array_equal(x[fin, 0], 1.0)
        np.testing.assert_array_equal(x[fin, 1], p.raw_event_market[i][fin])
        assert np.isnan(x[~fin]).all()
        np.testing.assert_array_equal(p.est_x[i][:, 1], m)


def test_the_panel_stores_no_estimation_sized_array(case) -> None:  # type: ignore[no-untyped-def]
    _, _, res = case
    p = res.panel
    e, length = p.ar.shape
    t_len = EST[1] - EST[0] + 1
    for name, value in vars(p).items():
        if isinstance(value, np.ndarray) and value.ndim == 2 and name != "xtx_inv":
            assert value.shape[1] <= length < t_len, name
    kept = event_study(returns=case[0], events=case[1], benchmark="MKT", calendar="XNYS",
                       estimation=EST, windows=WIN, min_estimation_obs=100, tests=["bmp"],
                       keep_residuals=True).panel
    assert set(kept.stored) == {"est_resid"}
    np.testing.assert_array_equal(kept.est_resid, p.est_resid)


def test_take_concat_detach_attach_round_trip(case) -> None:  # type: ignore[no-untyped-def]
    ret, _, res = case
    p = res.panel
    n = p.n_events
    parts = [p.take(np.arange(0, n // 2)), p.take(np.arange(n // 2, n))]
    again = AbnormalPanel.concat(parts)
    assert again.source is not None and len(again.source.values) == 1  # one grid, not one per part
    for name in DERIVED:
        np.testing.assert_array_equal(getattr(again, name), getattr(p, name))
    back = p.detached()
    assert back.source is not None and back.source.values == ()
    values = p.source.values[0]  # type: ignore[union-attr]
    attached = back.attached(ret.index, values)
    np.testing.assert_array_equal(attached.est_resid, p.est_resid)
    with pytest.raises(ValueError, match="stack panels"):
        AbnormalPanel.concat([p, p.replace(cond_var=np.zeros_like(p.ar))])


def test_stored_arrays_override_and_from_arrays_needs_them(case) -> None:  # type: ignore[no-untyped-def]
    p = case[2].panel
    zero = np.zeros_like(p.est_resid)
    q = p.replace(est_resid=zero)
    assert (q.est_resid == 0).all() and (p.est_resid != 0).any()
    with pytest.raises(TypeError, match="from_arrays"):
        AbnormalPanel.from_arrays(event_ids=p.event_ids, securities=p.securities, model="market", k=2,
                                  event_days=p.event_days, ar=p.ar, raw_event=p.raw_event,
                                  raw_event_market=p.raw_event_market, params=p.params,
                                  xtx_inv=p.xtx_inv, sigma2=p.sigma2, nobs=p.nobs,
                                  df_resid=p.df_resid, est_resid=p.est_resid)


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_the_engine_residuals_lent_to_the_battery_equal_the_derived_ones(case, model: str) -> None:  # type: ignore[no-untyped-def]
    from eventstudy import prepare_data
    from eventstudy.engine.compute import compute_events

    ret, ev, _ = case
    events = ev.assign(benchmark="MKT")
    events.loc[3, "security"] = "S1"  # S1 has a gap in its history: masked residuals
    part = compute_events(prepare_data(returns=ret), events, model=model, estimation=EST, windows=WIN,
                          min_estimation_obs=100)
    assert part.est_resid is not None
    np.testing.assert_array_equal(part.est_resid, part.panel.est_resid)  # bit for bit, NaN where unused
    with part.panel.holding(est_resid=part.est_resid) as p:
        assert p.est_resid is part.est_resid
    with pytest.raises(ValueError, match="cannot lend"), part.panel.holding(est_resid=part.est_resid[:2]):
        pass
