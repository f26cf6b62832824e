"""``models.fit_market`` block by block, against a per-event least-squares fit written here."""

from __future__ import annotations

import numpy as np

from eventstudy.models import _MARKET_BLOCK, fit_market


def test_fit_market_over_several_blocks_equals_per_event_lstsq() -> None:
    rng = np.random.default_rng(11)
    n_ev, n_t = 2 * _MARKET_BLOCK + 37, 60
    m = rng.normal(0.0, 0.01, (n_ev, n_t))
    y = 0.001 + 1.2 * m + rng.normal(0.0, 0.02, (n_ev, n_t))
    y[3, [0, 7]] = np.nan  # gaps in some blocks only
    m[_MARKET_BLOCK + 5, 10] = np.nan
    y[n_ev - 1, :] = np.nan  # nothing usable: excluded (NaN fit)
    fit = fit_market(y, m)
    for i in range(n_ev - 1):
        use = np.isfinite(y[i]) & np.isfinite(m[i])
        x = np.column_stack([np.ones(use.sum()), m[i, use]])
        coef, rss, _, _ = np.linalg.lstsq(x, y[i, use], rcond=None)
        np.testing.assert_allclose(fit.params[i], coef, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(fit.sigma2[i], rss[0] / (use.sum() - 2), rtol=1e-10)
        np.testing.assert_allclose(fit.xtx_inv[i], np.linalg.inv(x.T @ x), rtol=1e-8)
        assert fit.nobs[i] == use.sum()
        np.testing.assert_allclose(fit.resid[i, use], y[i, use] - x @ coef, atol=1e-14)
        assert np.isnan(fit.resid[i, ~use]).all()
    assert not fit.rank_ok[-1] and np.isnan(fit.params[-1]).all() and fit.nobs[-1] == 0


def test_fit_market_counts_finite_returns_whose_sum_overflows() -> None:
    m = np.tile(np.linspace(-1.0, 1.0, 8), (2, 1))
    y = np.array([np.full(8, 1e308), np.linspace(0.0, 1.0, 8)])  # row 0 sums to inf: finite values
    fit = fit_market(y, m)
    assert fit.nobs.tolist() == [8, 8]
    np.testing.assert_allclose(fit.params[1], [0.5, 0.5], rtol=1e-12)


def test_fit_market_without_gaps_but_a_constant_market_is_excluded() -> None:
    rng = np.random.default_rng(2)
    m = rng.normal(0.0, 0.01, (3, 30))
    m[1] = 0.25  # no variance in the market (exactly representable): no slope
    y = 0.5 * m + rng.normal(0.0, 0.01, (3, 30))
    fit = fit_market(y, m)
    assert fit.rank_ok.tolist() == [True, False, True] and fit.nobs.tolist() == [30, 30, 30]
    assert np.isnan(fit.resid[1]).all() and np.isnan(fit.params[1]).all() and np.isnan(fit.sigma2[1])
    coef = np.polyfit(m[2], y[2], 1)[::-1]
    np.testing.assert_allclose(fit.params[2], coef, rtol=1e-10)
