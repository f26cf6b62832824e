"""Statistics as reducers: chunk sums merged in any order equal the whole-panel statistics.

The expected values are the tests computed on the whole panel and, independently,
plain numpy on the standardized values (mean / (sd / sqrt(N)), sum / sqrt(sum d/(d-2)));
the chunks are the engine's own way of splitting a study: by event date (the order
the banded rbar wants), at random, and one event at a time.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce

import numpy as np
import pytest

import eventstudy.inference as inf
from eventstudy import event_study
from eventstudy.inference._common import Moments, Moments3, standardized_window
from eventstudy.inference.bhar import bhar_moments, bhar_skew_t_from_moments
from eventstudy.inference.parametric import bw_ts_from_sums, portfolio_sums
from eventstudy.inference.quantile import sq_from_sums, sq_sums
from eventstudy.inference.rank import _rank_z_sums
from eventstudy.inference.reducers import rank_sums, standardized_sums
from eventstudy.inference.sign import sign_from_sums, sign_sums
from tests.test_batch import KW, synthetic

TOL = 1e-12


@pytest.fixture(scope="module")
def panel():  # type: ignore[no-untyped-def]
    ret, ev = synthetic(n_sec=6, n_ev=60, seed=13)
    return event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=["bmp"],
                       **KW).panel  # type: ignore[arg-type]


def chunkings(panel) -> dict[str, list[np.ndarray]]:  # type: ignore[no-untyped-def]
    n = panel.n_events
    by_date = np.argsort(panel.event_dates[:, panel.day_index(0)], kind="stable")
    rng = np.random.default_rng(3)
    shuffled = rng.permutation(n)
    return {"by date, 7 events": np.array_split(by_date, math.ceil(n / 7)),
            "random, uneven": np.split(shuffled, [5, 6, 30, 31]),
            "one event each": [np.array([i]) for i in range(n)]}


@pytest.mark.parametrize("window", [(-5, 5), (0, 1), (0, 0)])
def test_merged_standardized_sums_equal_the_whole_panel(panel, window) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    scar = standardized_window(panel, start, end)
    x = scar[np.isfinite(scar)]
    d = panel.df_resid[np.isfinite(scar) & (panel.df_resid > 2)].astype(float)
    bmp_np = x.mean() / (x.std(ddof=1) / math.sqrt(x.size))  # plain numpy
    patell_np = scar[np.isfinite(scar) & (panel.df_resid > 2)].sum() / math.sqrt((d / (d - 2)).sum())
    whole_bmp = inf.bmp_test(panel, start, end).statistic
    whole_patell = inf.patell_test(panel, start, end).statistic
    assert whole_bmp == pytest.approx(bmp_np, abs=TOL) and whole_patell == pytest.approx(patell_np, abs=TOL)
    for name, chunks in chunkings(panel).items():
        sums = reduce(lambda a, b: a.merge(b), (standardized_sums(panel.take(c), start, end)[0] for c in chunks))
        m = sums.values
        assert m.n == x.size, name
        assert m.mean / (m.sd / math.sqrt(m.n)) == pytest.approx(whole_bmp, abs=TOL), name
        assert sums.patell_total / math.sqrt(sums.patell_var) == pytest.approx(whole_patell, abs=TOL), name


def test_merged_rank_sums_equal_the_whole_panel_corrado(panel) -> None:  # type: ignore[no-untyped-def]
    for start, end in ((-5, 5), (0, 0)):
        whole = inf.corrado_test(panel, start, end).statistic
        for name, chunks in chunkings(panel).items():
            sums = reduce(lambda a, b: a.merge(b), (rank_sums(panel.take(c), start, end) for c in chunks))
            length = end - start + 1
            tested = np.r_[np.zeros(sums.total.size - length, bool), np.ones(length, bool)]
            stat, _, _ = _rank_z_sums(sums.total, sums.count, tested)
            assert stat == pytest.approx(whole, abs=TOL), name


def merged(parts):  # type: ignore[no-untyped-def]
    return reduce(lambda a, b: a.merge(b), parts)


@pytest.mark.parametrize("window", [(-5, 5), (0, 1), (0, 0)])
@pytest.mark.parametrize("exact", [None, False])
def test_merged_sign_counts_equal_the_whole_panel(panel, window, exact) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    cols = (panel.event_days >= start) & (panel.event_days <= end)
    ar = np.asarray(panel.ar)[:, cols]
    has = np.isfinite(ar).any(axis=1)
    cars = np.nansum(ar, axis=1)[has]  # plain numpy: CARs, and Cowan's p from the residuals
    resid = np.asarray(panel.est_resid)[has]
    fractions = [Fraction(int((r > 0).sum()), int(np.isfinite(r).sum())) for r in resid if np.isfinite(r).any()]
    sign = inf.sign_test(panel, start, end, exact=exact)
    gsign = inf.generalized_sign_test(panel, start, end, exact=exact)
    assert sign.extra["n_positive"] == gsign.extra["n_positive"] == (cars > 0).sum()
    assert sign.nobs == cars.size and gsign.extra["p0"] == pytest.approx(float(sum(fractions) / len(fractions)), abs=1e-15)
    for name, chunks in chunkings(panel).items():
        for generalized, whole in ((False, sign), (True, gsign)):
            sums = merged(sign_sums(panel.take(c), start, end, generalized=generalized) for c in chunks)
            got = sign_from_sums(sums, start, end, generalized=generalized, exact=exact)
            assert got.nobs == whole.nobs and got.distribution == whole.distribution, name
            # integer counts merge exactly: the same numbers, bit for bit, whatever the chunks
            assert got.statistic == whole.statistic and got.pvalue == whole.pvalue, name
            assert got.extra["p0"] == whole.extra["p0"], name


@pytest.mark.parametrize("window", [(-5, 5), (0, 1), (0, 0)])
def test_merged_portfolio_sums_equal_the_whole_panel_brown_warner(panel, window) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    cols = (panel.event_days >= start) & (panel.event_days <= end)
    ar = np.asarray(panel.ar)[:, cols]
    has = np.isfinite(ar).any(axis=1)
    with np.errstate(invalid="ignore"):  # plain numpy: the portfolio of residuals by slot
        port = np.nanmean(np.asarray(panel.est_resid)[has], axis=0)
    port = port[np.isfinite(port)]
    aar = np.nanmean(ar[has], axis=0)
    stat_np = aar.sum() / (math.sqrt(aar.size) * port.std(ddof=1))
    whole = inf.brown_warner_time_series_test(panel, start, end)
    assert whole.statistic == pytest.approx(stat_np, abs=TOL) and whole.df == port.size - 1
    for name, chunks in chunkings(panel).items():
        got = bw_ts_from_sums(merged(portfolio_sums(panel.take(c), start, end) for c in chunks), start, end)
        assert got.nobs == whole.nobs == has.sum() and got.df == whole.df, name
        assert got.statistic == pytest.approx(whole.statistic, abs=TOL), name
        assert got.pvalue == pytest.approx(whole.pvalue, abs=TOL), name


def test_moments_merge_is_exact_for_known_values() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])
    merged = Moments.of(x[:2]).merge(Moments.of(x[2:5])).merge(Moments()).merge(Moments.of(x[5:]))
    assert merged.n == 6 and merged.total == 41.0
    assert merged.mean == pytest.approx(41 / 6, abs=1e-15)
    assert merged.m2 == pytest.approx(((x - 41 / 6) ** 2).sum(), abs=1e-12)  # 141.5 - 6 (41/6)^2
    assert merged.sd == pytest.approx(np.std(x, ddof=1), abs=1e-15) and merged.max_abs == 16.0
    assert math.isnan(Moments.of(x[:1]).sd)


def test_third_moments_merge_exactly_in_any_split() -> None:
    """Pébay's pairwise update of m3 against numpy on the whole sample (and scipy's skewness)."""
    from scipy import stats

    rng = np.random.default_rng(8)
    x = rng.lognormal(0.0, 0.8, 101) - 1.0  # skewed
    m3 = ((x - x.mean()) ** 3).sum()
    for cuts in ([50], [1, 2, 3, 99], list(range(1, 101)), [0, 0, 101]):
        got = merged(Moments3.of(part) for part in np.split(x, cuts))
        assert got.moments.n == 101 and got.moments.mean == pytest.approx(x.mean(), abs=1e-15)
        assert got.moments.m2 == pytest.approx(((x - x.mean()) ** 2).sum(), abs=1e-12)
        assert got.m3 == pytest.approx(m3, abs=1e-12)
        skew = got.m3 / 101 / (got.moments.m2 / 101) ** 1.5
        assert skew == pytest.approx(stats.skew(x), abs=1e-12)
    assert Moments3.of(np.zeros(0)).merge(Moments3.of(x[:1])).m3 == 0.0


@pytest.mark.parametrize("window", [(-5, 5), (0, 1), (0, 0)])
def test_merged_bhar_moments_equal_the_whole_panel_skewness_adjusted_t(panel, window) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    cols = (panel.event_days >= start) & (panel.event_days <= end)
    r, m = np.asarray(panel.raw_event)[:, cols], np.asarray(panel.raw_event_market)[:, cols]
    ok = np.isfinite(r) & np.isfinite(m)  # plain numpy: BHARs and LBT's t
    x = (np.prod(np.where(ok, 1 + r, 1), axis=1) - np.prod(np.where(ok, 1 + m, 1), axis=1))[ok.any(axis=1)]
    n, sd = x.size, x.std(ddof=1)
    s = x.mean() / sd
    g = ((x - x.mean()) ** 3).sum() / (n * sd**3)
    t_np = math.sqrt(n) * (s + g * s**2 / 3 + g / (6 * n))
    whole = inf.bhar_skewness_adjusted_t_test(panel, start, end)
    assert whole.statistic == pytest.approx(t_np, abs=TOL)
    for name, chunks in chunkings(panel).items():
        got = bhar_skew_t_from_moments(merged(bhar_moments(panel.take(c), start, end) for c in chunks),
                                       start, end)
        assert got.nobs == whole.nobs == n and got.df == whole.df, name
        assert got.statistic == pytest.approx(whole.statistic, abs=TOL), name
        assert got.pvalue == pytest.approx(whole.pvalue, abs=TOL), name
        assert got.extra["skewness"] == pytest.approx(whole.extra["skewness"], abs=TOL), name


@pytest.mark.parametrize("window", [(-5, 5), (0, 1), (0, 0)])
@pytest.mark.parametrize("placebo", ["prediction-error", "residual"])
@pytest.mark.parametrize("weighted", [False, True])
def test_merged_placebo_portfolio_equals_the_whole_panel_sq(panel, window, placebo, weighted) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    cols = (panel.event_days >= start) & (panel.event_days <= end)
    w = np.random.default_rng(1).uniform(0.5, 2.0, panel.n_events) if weighted else np.ones(panel.n_events)
    x_np = (w / w.sum()) @ np.asarray(panel.ar)[:, cols].sum(axis=1)  # plain numpy: the portfolio CAR
    y = (w / w.sum()) @ inf.placebo_sums(panel, int(cols.sum()), placebo)  # its placebo sums
    y = y[np.isfinite(y)]
    p_np = min(1.0, 2 * min(1 + (y <= x_np).sum(), 1 + (y >= x_np).sum()) / (y.size + 1))
    whole = inf.sq_test(panel, start, end, weights=w if weighted else None, placebo=placebo)
    assert whole.statistic == pytest.approx(x_np, abs=TOL) and whole.pvalue == p_np
    assert whole.extra["M"] == y.size and (y < x_np).any() and (y > x_np).any()  # counts on both sides
    for name, chunks in chunkings(panel).items():
        sums = merged(sq_sums(panel.take(c), start, end, weights=w[c], placebo=placebo) for c in chunks)
        got = sq_from_sums(sums, start, end)
        assert got.nobs == whole.nobs == panel.n_events and got.extra["M"] == y.size, name
        assert got.statistic == pytest.approx(whole.statistic, abs=TOL), name
        assert got.pvalue == whole.pvalue and got.extra["quantile"] == whole.extra["quantile"], name


def test_sq_sums_name_the_members_without_a_window_return(panel) -> None:  # type: ignore[no-untyped-def]
    """A member lacking an AR makes the portfolio undefined, whichever chunk holds it; the
    reason names the first five by event id and counts the others."""
    import dataclasses

    ar = np.array(panel.ar)
    day0 = list(panel.event_days).index(0)
    lacking = [3, 17, 18, 30, 44, 45, 59]
    ar[lacking, day0] = np.nan
    broken = dataclasses.replace(panel, ar=ar)
    ids = sorted(str(i) for i in np.asarray(panel.event_ids)[lacking])
    whole = inf.sq_test(broken, 0, 0)
    assert not whole.valid and whole.nobs == panel.n_events
    assert whole.reason.endswith(f"missing for {', '.join(ids[:5])} and 2 more")
    for name, chunks in chunkings(broken).items():
        got = sq_from_sums(merged(sq_sums(broken.take(c), 0, 0) for c in chunks), 0, 0)
        assert not got.valid and got.reason == whole.reason and got.nobs == whole.nobs, name
