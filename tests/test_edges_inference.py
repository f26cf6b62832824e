"""Edges of the parametric, rank, BHAR and rbar statistics: thresholds, empty slots, degenerate events.

Panels are market-adjusted with a zero market return (AR and residuals are the
numbers written here) or fitted with statsmodels (tests/inference_helpers.py).
Expected values are hand formulas evaluated with numpy next to the assertion,
scipy, or counts worked out in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy.inference as inf
from eventstudy.inference.clustering import detect_clustering
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel, simulate

NAN = math.nan


def panel(est: list[list[float]], event: list[list[float]], days: tuple[int, ...] = (0,),
          offsets: list[int] | None = None) -> AbnormalPanel:
    """Market-adjusted panel, Rm = 0; event ``i`` starts ``offsets[i]`` business days after 2024-01-02."""
    ret = np.array([e + v for e, v in zip(est, event, strict=True)], dtype=np.float64)
    n_ev, width = ret.shape
    offsets = offsets or [0] * n_ev
    cal = pd.bdate_range("2024-01-02", periods=width + max(offsets)).to_numpy().astype("datetime64[D]")
    dates = np.array([cal[o:o + width] for o in offsets])
    return build_panel(ret, np.zeros_like(ret), dates, len(est[0]), list(days), model="market_adjusted")


EST = [[0.01, -0.02, 0.03, -0.01, 0.02, 0.0],
       [0.02, 0.01, -0.01, -0.03, 0.01, 0.02],
       [-0.01, 0.02, 0.01, 0.01, -0.02, 0.03],
       [0.0, 0.01, 0.02, -0.02, 0.01, -0.01]]


# ------------------------------------------------------------------ parametric


def test_cross_sectional_t_with_one_event_names_the_count() -> None:
    res = inf.cross_sectional_t_test(panel(EST[:1], [[0.02]]), 0)
    assert not res.valid
    assert res.reason == "needs at least 2 events with abnormal returns, got 1"


def test_brown_warner_counts_only_window_days_someone_has() -> None:
    ev = [[0.01, 0.02, NAN], [0.03, -0.01, NAN], [0.02, 0.0, NAN], [-0.01, 0.04, NAN]]
    p = panel(EST, ev, days=(-1, 0, 1))
    res = inf.brown_warner_time_series_test(p, -1, 1)
    # day +1 has no AR at all: L = 2 days; CAAR = mean(day -1) + mean(day 0)
    e = np.array(EST)
    port = e.mean(axis=0)
    s = port.std(ddof=1)
    caar = np.mean([0.01, 0.03, 0.02, -0.01]) + np.mean([0.02, -0.01, 0.0, 0.04])
    assert res.extra["L"] == 2
    assert res.statistic == pytest.approx(caar / (math.sqrt(2) * s), rel=1e-12)
    assert res.df == 5.0  # T - 1 = 6 - 1


def test_brown_warner_with_one_estimation_slot_names_the_count() -> None:
    est = [[NAN] * 5 + [0.01], [NAN] * 5 + [0.02], [NAN] * 5 + [-0.01]]
    res = inf.brown_warner_time_series_test(panel(est, [[0.01], [0.02], [0.03]]), 0)
    assert not res.valid
    assert res.reason == "needs at least 2 estimation days with residuals, got 1"


def test_patell_leaves_out_events_with_two_residual_degrees_of_freedom() -> None:
    # event 3 has 3 estimation returns: T - k = 2, so Var(SAR) = d / (d - 2) is infinite
    est = [*EST[:3], [NAN, NAN, NAN, 0.01, -0.02, 0.03]]
    ar = [0.02, 0.01, 0.03, 0.05]
    res = inf.patell_test(panel(est, [[v] for v in ar]), 0)
    assert res.nobs == 3
    # market-adjusted: SAR = AR / s_i; Z = sum SAR / sqrt(sum d_i / (d_i - 2)), d_i = 5
    s = np.array([np.std(row, ddof=1) for row in EST[:3]])
    z = float((np.array(ar[:3]) / s).sum() / math.sqrt(3 * 5 / 3))
    assert res.statistic == pytest.approx(z, rel=1e-12)


def test_kp_patell_needs_two_events() -> None:
    res = inf.kp_patell_test(panel(EST[:1], [[0.02]]), 0)
    assert not res.valid
    assert res.reason == "needs at least 2 events for the correlation adjustment"


def test_kp_bmp_refuses_perfectly_correlated_residuals() -> None:
    # two events with the same residuals on the same dates: rbar = 1, (1 - rbar) = 0
    # (dyadic values, so every sum is exact and r is exactly 1.0)
    same = [0.5, -0.5, 0.25, -0.25, 0.125, -0.125]
    p = panel([same, same], [[0.01], [0.03]])
    res = inf.kp_bmp_test(p, 0)
    assert not res.valid
    assert res.reason.startswith("rbar = 1")


def test_zero_estimation_variance_event_is_left_out_of_corrado_zivney() -> None:
    # event 4 has constant residuals (variance 0): its SAR is undefined and must not poison the day
    est = [*EST, [0.01] * 6]
    ev = [[0.02], [0.01], [-0.01], [0.03], [0.02]]
    res = inf.corrado_zivney_test(panel(est, ev), 0)
    assert res.valid, res.reason
    assert res.nobs == 4


# ------------------------------------------------------------------ ranks


def test_corrado_with_an_empty_tested_day_counts_only_days_with_ranks() -> None:
    ev = [[0.01, NAN], [0.03, NAN], [0.02, NAN], [-0.01, NAN]]
    res = inf.corrado_test(panel(EST, ev, days=(0, 1)), 0, 1)
    assert res.valid, res.reason
    assert res.extra["L"] == 1 and res.extra["T"] == 7
    # by hand: ranks of the 7 values of each event (6 residuals + day 0), U = rank / 8 - 1/2
    u = np.array([stats.rankdata([*e, a[0]]) / 8.0 - 0.5 for e, a in zip(EST, ev, strict=True)])
    z = u.sum(axis=0) / math.sqrt(4)
    s = math.sqrt((z**2).mean())
    assert res.statistic == pytest.approx(z[-1] / s, rel=1e-12)


def test_corrado_keeps_events_missing_part_of_the_window() -> None:
    ev = [[0.01, NAN], [0.03, 0.02], [0.02, 0.01], [-0.01, 0.0]]
    res = inf.corrado_test(panel(EST, ev, days=(0, 1)), 0, 1)
    assert res.nobs == 4


def test_corrado_zivney_by_hand() -> None:
    ev = [[0.02], [0.01], [-0.01], [0.03]]
    res = inf.corrado_zivney_test(panel(EST, ev), 0)
    # market-adjusted: SAR = AR / s_i, re-scaled by the cross-sectional sd (ddof 1) of the day;
    # estimation values e / s_i; ranks of the 7 values per event, U = rank / 8 - 1/2
    e = np.array(EST)
    s = e.std(axis=1, ddof=1)
    sar = np.array([a[0] for a in ev]) / s
    event = sar / sar.std(ddof=1)
    u = np.array([stats.rankdata([*(e[i] / s[i]), event[i]]) / 8.0 - 0.5 for i in range(4)])
    z = u.sum(axis=0) / 2.0
    assert res.statistic == pytest.approx(z[-1] / math.sqrt((z**2).mean()), rel=1e-12)


def test_grank_needs_three_rank_slots() -> None:

    p = panel(EST, [[0.02], [0.01], [-0.01], [0.03]])
    only_one = np.full_like(p.est_resid, np.nan)
    only_one[:, 0] = p.est_resid[:, 0]  # one estimation day left (sigma2 kept): T = 2 slots
    res = inf.grank_test(p.replace(est_resid=only_one), 0)
    assert not res.valid
    assert res.reason == "too few estimation days or zero rank variance"


def test_rbar_min_overlap_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="min_overlap"):
        inf.residual_correlation(panel(EST, [[0.01]] * 4), min_overlap=1)


def test_grank_with_one_event_names_the_count() -> None:
    res = inf.grank_test(panel(EST[:1], [[0.02]]), 0)
    assert not res.valid
    assert res.reason == "needs at least 2 events to re-standardize, got 1"


# ------------------------------------------------------------------ rbar / clustering


def test_rbar_counts_pairs_with_exactly_min_overlap_common_days() -> None:
    # two events whose estimation windows share exactly 3 sessions (min_overlap = 3)
    a = [0.01, -0.02, 0.03, -0.01, 0.02, 0.0]
    b = [0.02, 0.01, -0.01, -0.03, 0.01, 0.02]
    p = panel([a, b], [[0.01] * 4, [0.02] * 4], days=(0, 1, 2, 3), offsets=[0, 3])
    rc = inf.residual_correlation(p)
    # common sessions: a's slots 3..5 with b's slots 0..2
    r = np.corrcoef(a[3:6], b[0:3])[0, 1]
    assert rc.n_pairs == 1
    # their 4-session windows (days 0..3, 3 sessions apart) share 1 session: weight 1/4
    assert rc.rbar == pytest.approx(r / 4, rel=1e-12)


def test_rbar_averages_over_all_pairs_and_ignores_pairs_sharing_no_session() -> None:
    # events 0 and 1 share their sessions; event 2 is far away (no shared window session)
    p = panel([EST[0], EST[1], EST[2]], [[0.01], [0.02], [0.03]], offsets=[0, 0, 20])
    rc = inf.residual_correlation(p)
    r01 = np.corrcoef(EST[0], EST[1])[0, 1]
    assert rc.n_possible == 3 and rc.n_pairs == 1
    assert rc.rbar == pytest.approx(r01 / 3, rel=1e-12)  # sum over usable pairs / all 3 pairs


def test_rbar_window_sharing_uses_the_first_window_day() -> None:
    # windows (-1, 0): event 1's day -1 is event 0's day 0, the only shared session
    p = panel([EST[0], EST[1]], [[0.01, 0.02], [0.03, 0.01]], days=(-1, 0), offsets=[0, 1])
    rc = inf.residual_correlation(p, start=-1, end=0)
    assert rc.n_overlap == 1
    assert rc.n_pairs == 1


def test_clustering_windows_touching_on_one_session_overlap_and_two_events_share_a_date() -> None:
    # windows (-1, +1): events 1 day apart share sessions; the message labels the window
    p = panel([EST[0], EST[1]], [[0.01, 0.02, 0.0], [0.03, 0.01, 0.0]], days=(-1, 0, 1), offsets=[0, 2])
    c = detect_clustering(p)
    assert c.overlap_groups == (("ev0", "ev1"),)
    assert c.clustered and c.headline_tests == ("kp-bmp",)  # 2 events: GRANK/CZ need 30
    assert "(-1, +1)" in c.message
    same = panel([EST[0], EST[1], EST[2]], [[0.01], [0.02], [0.03]], offsets=[0, 0, 20])
    c2 = detect_clustering(same)
    # day 0 is the 7th business day from 2024-01-02 (Jan 2, 3, 4, 5, 8, 9, 10)
    assert c2.shared_dates == (("2024-01-10", ("ev0", "ev1")),)
    assert c2.overlap_groups == (("ev0", "ev1"),)
    assert c2.message.startswith("2 events share the session 2024-01-10; 2 of the 3 events")


# ------------------------------------------------------------------ BHAR


def test_bhar_skips_days_without_a_benchmark_return_and_is_nan_without_returns() -> None:
    ret = np.array([[0.01] * 6 + [0.10, 0.20], [0.01] * 6 + [NAN, NAN], [0.01] * 6 + [0.05, -0.05]])
    mkt = np.array([[0.0] * 6 + [0.02, NAN], [0.0] * 8, [0.0] * 6 + [0.01, 0.01]])
    dates = np.tile(pd.bdate_range("2024-01-02", periods=8).to_numpy().astype("datetime64[D]"), (3, 1))
    p = build_panel(ret, mkt, dates, 6, [0, 1], model="market_adjusted")
    b = inf.bhar(p, 0, 1)
    # event 0: day 1 has no market return -> only day 0: 1.10 - 1.02
    assert b[0] == pytest.approx(1.10 - 1.02, abs=1e-12)
    assert math.isnan(b[1])
    assert b[2] == pytest.approx(1.05 * 0.95 - 1.01 * 1.01, abs=1e-12)


def _sat(x: np.ndarray, centre: float = 0.0) -> np.ndarray:
    """Hall's skewness-adjusted t along the last axis, written out from the formula."""
    n = x.shape[-1]
    m = x.mean(axis=-1)
    s = x.std(axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = ((x - m[..., None]) ** 3).sum(axis=-1) / (n * s**3)
        S = (m - centre) / s
        return np.sqrt(n) * (S + g * S**2 / 3 + g / (6 * n))


def test_skewness_adjusted_t_by_hand() -> None:
    x = np.array([0.05, -0.02, 0.10, 0.01, 0.30])
    n, m, s = 5, x.mean(), x.std(ddof=1)
    g = ((x - m) ** 3).sum() / (n * s**3)
    S = m / s
    assert float(inf.skewness_adjusted_t(x)) == pytest.approx(
        math.sqrt(n) * (S + g * S**2 / 3 + g / (6 * n)), rel=1e-12)


def _bhar_panel(values: list[float]) -> AbnormalPanel:
    ret = np.array([[0.01] * 6 + [v] for v in values])
    dates = np.tile(pd.bdate_range("2024-01-02", periods=7).to_numpy().astype("datetime64[D]"), (len(values), 1))
    return build_panel(ret, np.zeros_like(ret), dates, 6, [0], model="market_adjusted")


def test_bhar_tests_accept_exactly_three_events() -> None:
    res = inf.bhar_skewness_adjusted_t_test(_bhar_panel([0.05, -0.02, 0.10]), 0)
    assert res.valid and res.nobs == 3 and res.df == 2.0


def test_bhar_bootstrap_by_hand() -> None:
    x = np.array([0.05, -0.02, 0.10, 0.01, 0.30, -0.04, 0.02, 0.07, -0.01, 0.12, 0.03, 0.0])
    res = inf.bhar_bootstrap_test(_bhar_panel(list(x)), 0, n_boot=200, seed=7, resample="quarter")
    # the documented algorithm: sorted BHARs, N/4 = 3 draws with replacement, centred at the mean;
    # BHAR_i = (1 + R_i) - (1 + 0), computed as the definition does
    xs = np.sort((1.0 + x) - 1.0)
    t = float(_sat(xs))
    draws = xs[np.random.default_rng(7).integers(0, 12, size=(200, 3))]
    tb = _sat(draws, centre=float(xs.mean()))
    tb = tb[np.isfinite(tb)]
    p_hi = (1 + (tb >= t).sum()) / (1 + tb.size)
    p_lo = (1 + (tb <= t).sum()) / (1 + tb.size)
    assert res.extra["resample_size"] == 3
    assert res.pvalue == pytest.approx(min(1.0, 2 * min(p_hi, p_lo)), rel=1e-12)
    m, sd = xs.mean(), xs.std(ddof=1)
    assert res.extra["skewness"] == pytest.approx(((xs - m) ** 3).mean() / sd**3, rel=1e-12)


def test_bhar_bootstrap_two_sided_pvalue_is_capped_at_one() -> None:
    x = [-0.02, -0.01, 0.0, 0.01, 0.02]  # symmetric: t = 0 sits in the middle of the bootstrap
    res = inf.bhar_bootstrap_test(_bhar_panel(x), 0, n_boot=99, seed=0)
    xs = np.sort((1.0 + np.array(x)) - 1.0)
    t = float(_sat(xs))
    tb = _sat(xs[np.random.default_rng(0).integers(0, 5, size=(99, 5))], centre=float(xs.mean()))
    tb = tb[np.isfinite(tb)]
    p_hi = (1 + (tb >= t).sum()) / (1 + tb.size)
    p_lo = (1 + (tb <= t).sum()) / (1 + tb.size)
    assert 2 * min(p_hi, p_lo) > 1.0  # the cap binds on this sample
    assert res.pvalue == 1.0


def test_bhar_bootstrap_needs_three_draws_and_a_positive_n_boot() -> None:
    x = [0.01, -0.01, 0.02, -0.02, 0.0, 0.005, -0.005, 0.015]
    small = inf.bhar_bootstrap_test(_bhar_panel(x), 0, resample="quarter")  # 8 // 4 = 2 draws
    assert not small.valid and small.reason == "resample size N/4 = 2 is below 3 (N = 8)"
    with pytest.raises(ValueError, match="n_boot"):
        inf.bhar_bootstrap_test(_bhar_panel(x), 0, n_boot=0)


# ------------------------------------------------------------------ battery / result


def test_battery_rejects_a_one_element_window_and_labels_robust_tests() -> None:
    ret, mkt, dates, est_len, days = simulate(5, n_events=6, est_len=40)
    p = build_panel(ret, mkt, dates, est_len, days)
    with pytest.raises(ValueError, match="windows"):
        inf.run_battery(p, [(1,)], days=[])
    table = inf.run_battery(p, [(-1, 1)], days=[0], bootstrap_seed=11, n_boot=50)
    robust = set(table.loc[table["dependence_robust"], "test"])
    assert robust == {"bw-ts", "kp-patell", "kp-bmp", "corrado", "corrado-zivney", "grank", "sq"}
    both = set(table.loc[table["dependence_robust"] & table["variance_robust"], "test"])
    assert both == {"kp-bmp", "corrado-zivney", "grank"}
    window = table[table["scope"] == "window"]
    assert {"bhar-skew-t", "bhar-boot"} <= set(window["test"])
    assert set(table.loc[table["scope"] == "day", "test"]).isdisjoint({"bhar-skew-t", "bhar-boot"})
    boot = window.set_index("test").loc["bhar-boot"]
    ref = inf.bhar_bootstrap_test(p, -1, 1, n_boot=50, seed=11)
    assert boot["pvalue"] == ref.pvalue and boot["nobs"] == ref.nobs == 6


def test_testresult_text_and_dict() -> None:
    res = inf.cross_sectional_t_test(panel(EST, [[0.01], [0.02], [0.03], [-0.01]]), 0)
    assert ", df=3.0;" in str(res)
    assert res.to_dict()["nobs"] == 4
    bad = inf.cross_sectional_t_test(panel(EST[:1], [[0.02]]), 0)
    assert bad.valid is False and str(bad).startswith("car-t: undefined (")


def test_constant_bootstrap_resample_has_no_t() -> None:
    # sd of [0.05, 0.05, 0.05] is 8.5e-18 in floating point, not 0: it must still give NaN
    assert np.isnan(inf.skewness_adjusted_t(np.array([[0.05, 0.05, 0.05]]), centre=0.04)).all()
    assert np.isnan(inf.skewness_adjusted_t(np.array([[0.07, 0.07, 0.07]]), centre=0.04)).all()


def test_kp_bmp_refuses_perfect_correlation_up_to_rounding() -> None:
    # identical, non-dyadic residuals: rbar = 0.9999999999999999, which is perfect correlation
    est = [0.01, -0.02, 0.03, -0.01, 0.02, 0.0]
    p = panel([est, est], [[0.01], [0.02]])
    assert inf.residual_correlation(p).rbar > 1 - 1e-12
    res = inf.kp_bmp_test(p, 0)
    assert not res.valid and "rbar" in res.reason
