"""Tests of :func:`eventstudy.simulate.synthetic_panel` against hand and independent computations.

Expected values come from the model's definition (rho, the multiplier, t(4)/sqrt(2)),
hand-listed NYSE holidays, and scipy's Student-t; tolerances are a few standard
errors derived from the sample size next to each check.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.errors import InvalidParameterError
from eventstudy.simulate import SyntheticPanel, synthetic_panel


def _eps(p: SyntheticPanel) -> np.ndarray:
    """Idiosyncratic returns recomputed by hand from the returns and the true parameters."""
    firms = p.returns.drop(columns=p.benchmark)
    rm = p.returns[p.benchmark].to_numpy()
    return firms.to_numpy() - p.alpha.to_numpy() - np.outer(rm, p.beta.to_numpy())


def test_shapes_and_event_layout() -> None:
    p = synthetic_panel(8, design="scattered", min_gap=11, n_days=400, seed=1)
    assert p.returns.shape == (400, 9)
    assert list(p.returns.columns) == [f"S{i:03d}" for i in range(8)] + ["MKT"]
    assert p.returns.index.name == "date" and p.returns.index.tz is None
    assert list(p.events.columns) == ["event_id", "security", "event_date"]
    assert list(p.events["security"]) == list(p.returns.columns[:8])
    pos = p.returns.index.get_indexer(p.events["event_date"])
    np.testing.assert_array_equal(pos, p.event_positions)
    assert pos.min() >= 250 and pos.max() <= 400 - 1 - 5  # [-250, +5] inside the panel
    assert np.diff(np.sort(pos)).min() >= 11
    assert np.isfinite(p.returns.to_numpy()).all()
    assert ((p.beta >= 0.5) & (p.beta <= 1.5)).all()

    c = synthetic_panel(8, design="clustered", n_days=300, seed=1)
    assert c.events["event_date"].nunique() == 1
    assert 250 <= c.event_positions[0] <= 300 - 1 - 5


def test_sessions_are_nyse_sessions() -> None:
    # Hand-listed NYSE full-day closures, 2015-01-02 .. 2016-06 (weekdays only).
    holidays = pd.to_datetime([
        "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03", "2015-09-07",
        "2015-11-26", "2015-12-25", "2016-01-01", "2016-01-18", "2016-02-15", "2016-03-25",
        "2016-05-30",
    ])
    weekdays = pd.bdate_range("2015-01-02", "2016-06-30")
    expected = weekdays[~weekdays.isin(holidays)][:360]
    p = synthetic_panel(3, n_days=360, seed=2, start="2015-01-01")
    np.testing.assert_array_equal(p.returns.index.to_numpy(), expected.to_numpy())
    assert p.returns.index[0] == pd.Timestamp("2015-01-02")  # 2015-01-01 is a holiday


def test_seed_reproducible_and_seeds_differ() -> None:
    a = synthetic_panel(5, design="clustered", rho=0.2, tails="t4", seed=7)
    b = synthetic_panel(5, design="clustered", rho=0.2, tails="t4", seed=7)
    pd.testing.assert_frame_equal(a.returns, b.returns)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = synthetic_panel(5, design="clustered", rho=0.2, tails="t4", seed=8)
    assert not np.allclose(a.returns.to_numpy(), c.returns.to_numpy())
    s1 = synthetic_panel(5, seed=np.random.SeedSequence([1, 2, 3]))
    s2 = synthetic_panel(5, seed=np.random.SeedSequence([1, 2, 3]))
    pd.testing.assert_frame_equal(s1.returns, s2.returns)


@pytest.mark.parametrize("rho", [0.0, 0.1, 0.3])
def test_idiosyncratic_correlation_is_rho(rho: float) -> None:
    n, t = 20, 3000
    p = synthetic_panel(n, design="clustered", rho=rho, n_days=t, seed=11)
    eps = _eps(p)
    assert eps.std() == pytest.approx(0.02, rel=0.02)  # sigma_i = 2%; SE of sd ~ 0.3%
    # Estimator 1: variance of the cross-sectional mean of eps / sigma equals
    # v = rho + (1 - rho) / n, so rho_hat = (n v_hat - 1) / (n - 1). Under normality
    # SE(v_hat) = v sqrt(2 / (t - 1)), hence SE(rho_hat) = n / (n - 1) v sqrt(2 / (t - 1)).
    v = rho + (1 - rho) / n
    se = n / (n - 1) * v * math.sqrt(2 / (t - 1))
    v_hat = np.var((eps / 0.02).mean(axis=1), ddof=1)
    rho_hat = (n * v_hat - 1) / (n - 1)
    assert abs(rho_hat - rho) < 4 * se, (rho_hat, rho, se)
    # Estimator 2: mean pairwise sample correlation (same leading-order error).
    r = np.corrcoef(eps, rowvar=False)
    rbar = r[np.triu_indices(n, 1)].mean()
    assert abs(rbar - rho) < 5 * se, (rbar, rho, se)


def test_event_day_variance_ratio_clustered() -> None:
    n = 3000
    p = synthetic_panel(n, design="clustered", event_sigma_mult=2.0, n_days=270, seed=5)
    eps = _eps(p) / 0.02
    day0 = eps[p.event_positions[0]]
    other = np.delete(eps, p.event_positions[0], axis=0)
    # Var(eps_0) / sigma^2 = 4; SE of a sample variance = 4 sqrt(2 / (n - 1)) under normality.
    assert abs(day0.var(ddof=1) - 4.0) < 4 * 4.0 * math.sqrt(2 / (n - 1))
    assert abs(other.var() - 1.0) < 4 * math.sqrt(2 / other.size)


def test_event_day_multiplier_scales_only_day0_scattered() -> None:
    n = 400
    kw = {"design": "scattered", "rho": 0.1, "n_days": 700, "seed": 9}
    base = synthetic_panel(n, **kw)
    hit = synthetic_panel(n, event_sigma_mult=2.0, **kw)
    e1, e2 = _eps(base), _eps(hit)
    cells = (hit.event_positions, np.arange(n))
    np.testing.assert_allclose(e2[cells], 2.0 * e1[cells], rtol=0, atol=1e-15)
    mask = np.ones_like(e1, dtype=bool)
    mask[cells] = False
    np.testing.assert_array_equal(e2[mask], e1[mask])
    # Mean of eps_0^2 / sigma^2 over the event cells is 4, SE 4 sqrt(2 / n).
    assert abs(np.mean((e2[cells] / 0.02) ** 2) - 4.0) < 4 * 4.0 * math.sqrt(2 / n)


def test_t4_tails_unit_variance_and_heavy() -> None:
    n, t = 250, 2000
    p = synthetic_panel(n, design="clustered", tails="t4", n_days=t, seed=3)
    z = (_eps(p) / 0.02).ravel()
    # Independent reference: scipy's t(4) scaled by 1/sqrt(2) (variance 4/(4-2)/2 = 1).
    assert stats.t(df=4, scale=1 / math.sqrt(2)).var() == pytest.approx(1.0)
    ks = stats.kstest(z[:200_000], stats.t(df=4, scale=1 / math.sqrt(2)).cdf)
    assert ks.pvalue > 1e-3
    normal_ks = stats.kstest(z[:200_000], stats.norm.cdf)
    assert normal_ks.pvalue < 1e-6  # the tails are not normal
    # The sample variance of 5e5 t(4) draws converges slowly (infinite fourth
    # moment): 0.03 is several times its spread at this size.
    assert z.var() == pytest.approx(1.0, abs=0.03)
    assert stats.kurtosis(z) > 2.0  # excess kurtosis is infinite in theory
    m = p.returns["MKT"].to_numpy()
    assert stats.kurtosis(m) > 1.0
    # Gaussian control: excess kurtosis within 5 SE (sqrt(24 / size)) of 0.
    g = (_eps(synthetic_panel(n, design="clustered", n_days=t, seed=3)) / 0.02).ravel()
    assert abs(stats.kurtosis(g)) < 5 * math.sqrt(24 / g.size)


def test_t4_with_rho_keeps_unit_variance() -> None:
    p = synthetic_panel(100, design="clustered", rho=0.3, tails="t4", n_days=2000, seed=4)
    z = _eps(p) / 0.02
    # The common factor enters through only 2,000 heavy-tailed draws (weight rho):
    # its sample variance moves by several percent, hence the wider tolerance.
    assert z.var() == pytest.approx(1.0, abs=0.1)
    assert stats.kurtosis(z.ravel()) > 1.0


@pytest.mark.parametrize("design", ["scattered", "clustered"])
def test_delta_lands_on_day0_only(design: str) -> None:
    n = 12
    a = synthetic_panel(n, design=design, seed=21)
    b = synthetic_panel(n, design=design, delta=0.01, seed=21)
    diff = (b.returns - a.returns).to_numpy()
    expected = np.zeros_like(diff)
    expected[a.event_positions, np.arange(n)] = 0.01
    np.testing.assert_allclose(diff, expected, rtol=0, atol=1e-15)
    pd.testing.assert_frame_equal(a.events, b.events)


@pytest.mark.parametrize("kwargs", [
    {"design": "both"}, {"tails": "cauchy"}, {"rho": 1.0}, {"rho": -0.1},
    {"event_sigma_mult": 0.0}, {"n_days": 100}, {"min_gap": 0}, {"start": "not a date"},
    {"calendar": "NOPE"}, {"beta_range": (1.5, 0.5)},
])
def test_bad_parameters_raise_typed_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidParameterError):
        synthetic_panel(6, seed=0, **kwargs)  # type: ignore[arg-type]


def test_too_many_scattered_events_for_the_span() -> None:
    with pytest.raises(InvalidParameterError, match="n_days"):
        synthetic_panel(50, design="scattered", min_gap=11, n_days=400, seed=0)
