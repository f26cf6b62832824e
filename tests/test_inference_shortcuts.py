"""The shortcuts of the fast battery against direct computations written here.

* The rank tests join the memoized within-event ranks of the estimation values
  with the tested window's values by counting; checked against
  ``scipy.stats.rankdata`` of the concatenation (with ties, NaN and infinities).
* The sample-quantile placebo sums are computed in closed form; checked against
  the deletion identity solved directly, one ``L x L`` system per stretch.
* Statistics sharing a memoized quantity give the same values on a fresh panel
  and on one whose memo is already filled, in any order.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

import eventstudy.inference as inf
from eventstudy.inference.rank import _scaled_ranks_joined
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel


def _scipy_scaled(values: np.ndarray) -> np.ndarray:
    v = np.where(np.isfinite(values), values, np.nan)
    ranks = stats.rankdata(v, axis=1, nan_policy="omit")
    m = np.isfinite(v).sum(axis=1, keepdims=True)
    return np.asarray(ranks / (1.0 + m) - 0.5)


@pytest.mark.parametrize("seed", range(40))
def test_joined_ranks_equal_ranks_of_the_concatenation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    e, t, w = int(rng.integers(1, 25)), int(rng.integers(1, 30)), int(rng.integers(0, 4))
    coarse = seed % 2 == 0  # many ties
    a = rng.integers(-3, 4, (e, t)) * 0.1 if coarse else rng.standard_normal((e, t))
    b = rng.integers(-3, 4, (e, w)) * 0.1 if coarse else rng.standard_normal((e, w))
    a[rng.random(a.shape) < 0.1] = np.nan
    b[rng.random(b.shape) < 0.2] = np.nan
    if seed % 5 == 0:
        a.flat[0] = np.inf
    if seed % 7 == 0 and b.size:
        b.flat[-1] = -np.inf
    own = stats.rankdata(np.where(np.isfinite(a), a, np.nan), axis=1, nan_policy="omit")
    got = _scaled_ranks_joined(a, own, b)
    np.testing.assert_array_equal(got, _scipy_scaled(np.concatenate([a, b], axis=1)))


def _market_panel(seed: int, n: int = 4, t: int = 40, ell: int = 5, gaps: bool = True) -> AbnormalPanel:
    rng = np.random.default_rng(seed)
    mkt = rng.normal(0.0, 0.01, (n, t + ell))
    ret = 0.0002 + rng.uniform(0.5, 1.5, (n, 1)) * mkt + rng.normal(0, 0.02, (n, t + ell))
    if gaps:
        ret[rng.random(ret.shape) < 0.05] = np.nan
    dates = np.arange(np.datetime64("2021-01-04"), np.datetime64("2021-01-04") + t + ell)
    return build_panel(ret, mkt, np.tile(dates, (n, 1)), t, np.arange(-2, ell - 2))


def _direct_placebo(panel: AbnormalPanel, length: int) -> np.ndarray:
    n, t = panel.est_resid.shape
    out = np.full((n, t - length + 1), np.nan)
    for i in range(n):
        for s in range(t - length + 1):
            e = panel.est_resid[i, s:s + length]
            x = panel.est_x[i, s:s + length]
            if not (np.isfinite(e).all() and np.isfinite(x).all()):
                continue
            hat = x @ panel.xtx_inv[i] @ x.T
            out[i, s] = np.linalg.solve(np.eye(length) - hat, e).sum()
    return out


@pytest.mark.parametrize("length", [1, 2, 5, 11])
def test_closed_form_placebo_sums_equal_the_deletion_identity(length: int) -> None:
    p = _market_panel(3)
    got = inf.placebo_sums(p, length)
    ref = _direct_placebo(p, length)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-14)
    assert np.isfinite(got).any()
    # the residual placebo: plain sums of L consecutive residuals, NaN with a gap
    plain = inf.placebo_sums(p, length, "residual")
    win = np.lib.stride_tricks.sliding_window_view(p.est_resid, length, axis=1).sum(axis=2)
    np.testing.assert_allclose(plain, win, rtol=1e-12, atol=1e-15)


def test_closed_form_placebo_sums_with_three_regressors() -> None:
    # k = 3 goes through numpy.linalg.solve instead of Cramer's rule
    rng = np.random.default_rng(9)
    n, t, ell = 3, 30, 3
    x = np.concatenate([np.ones((n, t, 1)), rng.normal(0, 0.01, (n, t, 2))], axis=2)
    y = x @ np.array([0.001, 1.0, 0.3]) + rng.normal(0, 0.02, (n, t))
    resid, inv = np.empty((n, t)), np.empty((n, 3, 3))
    for i in range(n):
        beta, *_ = np.linalg.lstsq(x[i], y[i], rcond=None)
        resid[i] = y[i] - x[i] @ beta
        inv[i] = np.linalg.inv(x[i].T @ x[i])
    base = _market_panel(1, n=n, t=t, ell=ell, gaps=False)
    p = base.replace(k=3, est_resid=resid, est_x=x, xtx_inv=inv,
                            params=np.zeros((n, 3)), event_x=np.zeros((n, ell, 3)))
    for length in (1, 4):
        np.testing.assert_allclose(inf.placebo_sums(p, length), _direct_placebo(p, length),
                                   rtol=1e-10, atol=1e-14)


def test_memoized_battery_equals_fresh_calls_in_any_order() -> None:
    p = _market_panel(5, n=12, gaps=True)
    table = inf.run_battery(p, [(-2, 2), (0, 1)])
    assert p._memo  # filled: rbar, ranks, placebo series, positions
    for row in table.itertuples():
        fresh = dataclasses.replace(p)
        assert not fresh._memo
        fn = inf.TESTS[row.test].fn
        res = fn(fresh, row.start, row.end)
        if row.valid:
            assert res.statistic == row.statistic and res.pvalue == row.pvalue, row.test
        else:
            assert not res.valid and res.reason == row.reason


def test_rank_sums_by_chunk_of_events_equal_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    import eventstudy.inference.rank as rank

    p = _market_panel(8, n=15, gaps=True)
    whole = {(t, w): inf.TESTS[t].fn(dataclasses.replace(p), *w)
             for t in ("corrado", "corrado-zivney", "grank") for w in ((0, 0), (-2, 2))}
    monkeypatch.setattr(rank, "_ROWS", 2)
    for (t, w), res in whole.items():
        got = inf.TESTS[t].fn(dataclasses.replace(p), *w)
        assert res.valid and got.statistic == res.statistic, (t, w)
