"""Unit tests of the inference battery: edge cases, rbar, clustering, the tidy table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy.inference as inf
from eventstudy.errors import InvalidParameterError
from eventstudy.inference.result import TestResult
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel, simulate

ALL_FUNCS = [
    inf.cross_sectional_t_test, inf.brown_warner_time_series_test, inf.patell_test,
    inf.kp_patell_test, inf.bmp_test, inf.kp_bmp_test, inf.corrado_test,
    inf.corrado_zivney_test, inf.grank_test, inf.sign_test, inf.generalized_sign_test,
    inf.wilcoxon_test, inf.bhar_skewness_adjusted_t_test, inf.bhar_bootstrap_test,
]


def make(seed: int = 1, **kw: object) -> AbnormalPanel:
    ret, mkt, dates, est_len, days = simulate(seed, **kw)  # type: ignore[arg-type]
    return build_panel(ret, mkt, dates, est_len, days)


@pytest.fixture(scope="module")
def clustered() -> AbnormalPanel:
    return make(3, n_events=12, est_len=80, corr=0.8)


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=lambda f: f.__name__)
def test_every_test_returns_a_testresult(clustered: AbnormalPanel, fn: object) -> None:
    for window in ((0, None), (-1, 1)):
        res = fn(clustered, *window)  # type: ignore[operator]
        assert isinstance(res, TestResult)
        assert res.valid, res.reason
        assert math.isfinite(res.statistic) and 0 <= res.pvalue <= 1
        assert res.nobs == 12


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=lambda f: f.__name__)
def test_one_event_is_invalid_not_nan(fn: object) -> None:
    panel = make(2, n_events=1, est_len=30)
    res = fn(panel, 0)  # type: ignore[operator]
    if fn in (inf.brown_warner_time_series_test, inf.patell_test, inf.corrado_test,
              inf.corrado_zivney_test, inf.sign_test, inf.generalized_sign_test):
        # defined for a single event (time-series variance / binomial count); CZ needs 2 per day
        if fn is inf.corrado_zivney_test:
            assert not res.valid
        return
    assert not res.valid
    assert res.reason
    assert math.isnan(res.statistic) and math.isnan(res.pvalue)


def test_too_few_estimation_days() -> None:
    panel = make(4, n_events=5, est_len=3)  # T - k = 1: Patell variance undefined
    res = inf.patell_test(panel, 0)
    assert not res.valid and "T_i - k > 2" in res.reason
    assert inf.bmp_test(panel, 0).valid


def test_zero_variance_is_invalid() -> None:
    ret, mkt, dates, est_len, days = simulate(5, n_events=4, est_len=30)
    ret[:, est_len:] = mkt[:, est_len:]  # fill event days, then force identical ARs
    panel = build_panel(ret, mkt, dates, est_len, days, model="market_adjusted")
    res = inf.cross_sectional_t_test(panel, 0)
    assert not res.valid and "zero" in res.reason
    assert not inf.bhar_skewness_adjusted_t_test(panel, -1, 1).valid


def test_bad_arguments_raise() -> None:
    panel = make(6, n_events=4, est_len=20)
    with pytest.raises(InvalidParameterError, match="alternative"):
        inf.bmp_test(panel, 0, alternative="both")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="event span"):
        inf.bmp_test(panel, -10, 0)
    with pytest.raises(InvalidParameterError, match="start"):
        inf.bmp_test(panel, 2, 1)
    with pytest.raises(InvalidParameterError, match="resample"):
        inf.bhar_bootstrap_test(panel, -1, 1, resample="half")  # type: ignore[arg-type]


def test_market_adjusted_model() -> None:
    ret, mkt, dates, est_len, days = simulate(8, n_events=6, est_len=40)
    panel = build_panel(ret, mkt, dates, est_len, days, model="market_adjusted")
    assert np.all(panel.daily_forecast_factor() == 1.0)
    for fn in ALL_FUNCS:
        assert fn(panel, -1, 1).valid


def test_missing_returns_are_used_where_available() -> None:
    panel = make(9, n_events=10, est_len=50, missing=0.1)
    res = inf.patell_test(panel, -2, 2)
    assert res.valid and res.extra["mean_T"] < 50
    assert inf.brown_warner_time_series_test(panel, 0).extra["T"] == 50


def test_power_with_a_large_shift() -> None:
    panel = make(10, n_events=30, est_len=100, shift=0.05)
    for fn in ALL_FUNCS:
        assert fn(panel, 0, alternative="greater").pvalue < 0.01, fn.__name__


# --------------------------------------------------------------------------- formulas


def test_cross_sectional_t_equals_scipy(clustered: AbnormalPanel) -> None:
    ref = stats.ttest_1samp(np.nansum(np.asarray(clustered.ar)[:, 2:5], axis=1), 0.0)
    res = inf.cross_sectional_t_test(clustered, -1, 1)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.df == ref.df


def test_wilcoxon_normal_approximation_matches_scipy() -> None:
    panel = make(11, n_events=60, est_len=30)
    cars = np.asarray(panel.ar)[:, 3]
    ref = stats.wilcoxon(cars, method="approx")
    res = inf.wilcoxon_test(panel, 0)
    assert res.distribution == "normal"
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    assert res.statistic == pytest.approx(stats.rankdata(np.abs(cars))[cars > 0].sum())


def test_kp_adjustments_follow_the_formula(clustered: AbnormalPanel) -> None:
    bmp, kp = inf.bmp_test(clustered, 0), inf.kp_bmp_test(clustered, 0)
    r, n = kp.extra["rbar"], kp.nobs
    assert r > 0.05  # common shock (theoretical correlation about 0.15)
    assert kp.statistic == pytest.approx(bmp.statistic * math.sqrt((1 - r) / (1 + (n - 1) * r)))
    pat, kpp = inf.patell_test(clustered, 0), inf.kp_patell_test(clustered, 0)
    assert kpp.statistic == pytest.approx(pat.statistic / math.sqrt(1 + (n - 1) * r))


def test_exact_sign_test_is_binomial(clustered: AbnormalPanel) -> None:
    res = inf.sign_test(clustered, -1, 1, exact=True)
    w = int(res.statistic)
    assert res.distribution == "binomial"
    assert res.pvalue == pytest.approx(stats.binomtest(w, 12, 0.5).pvalue)


def test_bhar_quarter_resample_needs_enough_events(clustered: AbnormalPanel) -> None:
    assert inf.bhar_bootstrap_test(clustered, -1, 1, resample="quarter").valid  # 12 // 4 = 3
    small = make(12, n_events=8, est_len=20)
    res = inf.bhar_bootstrap_test(small, -1, 1, resample="quarter")
    assert not res.valid and "N/4" in res.reason


def test_bhar_definition() -> None:
    panel = make(13, n_events=5, est_len=20)
    r, m = np.asarray(panel.raw_event)[:, 2:5], np.asarray(panel.raw_event_market)[:, 2:5]
    np.testing.assert_allclose(inf.bhar(panel, -1, 1), (1 + r).prod(1) - (1 + m).prod(1), rtol=1e-14)


# --------------------------------------------------------------------------- rbar


def test_rbar_same_dates_equals_aligned_correlation(clustered: AbnormalPanel) -> None:
    c = np.asarray(np.corrcoef(np.asarray(clustered.est_resid)), dtype=np.float64)
    plain = float(c[np.triu_indices(12, 1)].mean())
    for window in ((None, None), (0, 0), (-1, 1)):
        rc = inf.residual_correlation(clustered, start=window[0], end=window[1])
        assert rc.rbar == pytest.approx(plain, rel=1e-10)
        assert rc.n_pairs == rc.n_overlap == rc.n_possible == 66
    kp = inf.kp_bmp_test(clustered, 0)
    assert kp.extra["rbar"] == pytest.approx(plain, rel=1e-10)
    assert kp.extra["rbar_overlap_pairs"] == kp.extra["rbar_pairs"] == 66


def test_rbar_scattered_event_windows_is_zero() -> None:
    # Estimation periods overlap by >= 40 sessions (strong common shock), but the
    # 7-day event windows are 8 sessions apart: no pair shares an event session.
    panel = make(21, n_events=6, est_len=80, offsets=[0, 8, 16, 24, 32, 40], corr=0.8)
    cols = {i: pd.Series(panel.est_resid[i], index=panel.est_dates[i]) for i in range(6)}
    aligned = pd.DataFrame(cols).corr(min_periods=3).to_numpy()[np.triu_indices(6, 1)]
    assert np.isfinite(aligned).all() and aligned.mean() > 0.05  # what every pair used to add
    rc = inf.residual_correlation(panel)
    assert (rc.rbar, rc.n_pairs, rc.n_overlap, rc.n_possible) == (0.0, 0, 0, 15)
    for window in ((0, None), (-3, 3)):
        kp, bmp = inf.kp_bmp_test(panel, *window), inf.bmp_test(panel, *window)
        assert kp.valid and kp.extra["rbar"] == 0.0 and kp.extra["rbar_overlap_pairs"] == 0
        assert kp.statistic == bmp.statistic and kp.pvalue == bmp.pvalue
        assert inf.kp_patell_test(panel, *window).statistic == inf.patell_test(panel, *window).statistic


def test_rbar_uses_the_tested_window() -> None:
    # Two events 2 sessions apart: their (-3, 3) windows overlap, their day-0 sessions do not.
    panel = make(22, n_events=2, est_len=40, offsets=[0, 2], corr=0.8)
    r01 = pd.Series(panel.est_resid[0], index=panel.est_dates[0]).corr(
        pd.Series(panel.est_resid[1], index=panel.est_dates[1]))
    full = inf.residual_correlation(panel, start=-3, end=3)
    # the 7-session windows share 5 sessions: weight 5 / sqrt(7 * 7)
    assert full.rbar == pytest.approx(r01 * 5 / 7, rel=1e-10) and full.n_overlap == full.n_pairs == 1
    assert inf.residual_correlation(panel) == full  # default: the whole event span
    day0 = inf.residual_correlation(panel, start=0, end=0)
    assert (day0.rbar, day0.n_pairs, day0.n_overlap) == (0.0, 0, 0)
    part = inf.residual_correlation(panel, start=-3, end=-1)  # day -1 of 0 = day -3 of 1
    assert part.n_overlap == 1 and part.rbar == pytest.approx(r01 / 3, rel=1e-10)  # 1 of 3 days
    assert inf.kp_bmp_test(panel, 0).extra["rbar"] == 0.0
    assert inf.kp_bmp_test(panel, -3, 3).extra["rbar"] == pytest.approx(r01 * 5 / 7, rel=1e-10)


def test_rbar_partial_overlap_matches_pandas_pairwise() -> None:
    panel = make(14, n_events=6, est_len=30, offsets=[0, 5, 10, 28, 60, 200], missing=0.05)
    rc = inf.residual_correlation(panel)
    cols = {}
    for i in range(6):
        ok = np.isfinite(panel.est_resid[i])
        cols[i] = pd.Series(panel.est_resid[i][ok], index=panel.est_dates[i][ok])
    cm = pd.DataFrame(cols).corr(min_periods=3).to_numpy()
    total, used, overlap = 0.0, 0, 0
    for i in range(6):
        for j in range(i + 1, 6):
            wi, wj = set(panel.event_dates[i]), set(panel.event_dates[j])
            if not wi & wj:
                continue
            overlap += 1
            if np.isfinite(cm[i, j]):
                weight = len(wi & wj) / np.sqrt(len(wi) * len(wj))  # shared share of sessions
                total, used = total + cm[i, j] * weight, used + 1
    assert 0 < used <= overlap < 15
    assert (rc.n_pairs, rc.n_overlap) == (used, overlap)
    assert rc.rbar == pytest.approx(total / 15, rel=1e-10)


def test_rbar_disjoint_estimation_periods() -> None:
    panel = make(15, n_events=3, est_len=20, offsets=[0, 100, 200])
    rc = inf.residual_correlation(panel)
    assert (rc.rbar, rc.n_pairs, rc.n_possible) == (0.0, 0, 3)
    res = inf.kp_bmp_test(panel, 0)
    assert res.statistic == pytest.approx(inf.bmp_test(panel, 0).statistic)
    assert res.extra["rbar_pairs"] == 0


# --------------------------------------------------------------------------- clustering


def test_clustering_all_same_session(clustered: AbnormalPanel) -> None:
    c = inf.detect_clustering(clustered)
    day0 = str(clustered.event_dates[0, clustered.day_index(0)])
    assert c.clustered and len(c.overlap_groups) == 1 and len(c.overlap_groups[0]) == 12
    assert c.message.startswith(f"All 12 events share the session {day0}")
    # 12 events: only KP-BMP leads (GRANK and Corrado-Zivney need 30); bw-ts is named as
    # assuming no variance increase.
    assert "KP-adjusted BMP" in c.message and "assume no variance increase" in c.message
    assert c.headline_tests == ("kp-bmp",)


def test_clustering_disjoint_and_partial() -> None:
    apart = make(16, n_events=3, est_len=20, offsets=[0, 30, 60])
    c = inf.detect_clustering(apart)
    assert not c.clustered and c.shared_dates == () and c.message.startswith("No two of the 3 events")
    partial = make(17, n_events=4, est_len=20, offsets=[0, 0, 4, 50])
    c = inf.detect_clustering(partial, -3, 3)
    assert c.overlap_groups == (("ev0", "ev1", "ev2"),)
    assert c.shared_dates[0][1] == ("ev0", "ev1")
    # A narrow window separates the event 4 sessions later.
    assert inf.detect_clustering(partial, 0, 1).overlap_groups == (("ev0", "ev1"),)


# --------------------------------------------------------------------------- battery


def test_run_battery_table(clustered: AbnormalPanel) -> None:
    table = inf.run_battery(clustered, [(-1, 1), (0, 3)], n_boot=100)
    assert tuple(table.columns) == inf.COLUMNS
    n_days = clustered.event_days.size
    assert len(table) == n_days * len(inf.DAY_TESTS) + 2 * len(inf.WINDOW_TESTS)
    assert set(table.loc[table.scope == "day", "window"]) == {str(d) for d in clustered.event_days}
    assert set(table.loc[table.scope == "window", "window"]) == {"(-1, +1)", "(0, +3)"}
    assert not table.loc[table.scope == "day", "test"].str.startswith("bhar").any()
    assert table.loc[table.test != "savickas", "valid"].all()
    assert table.loc[table.test == "savickas", "reason"].str.contains("GARCH").all()  # no cond_var
    assert set(table.loc[table.dependence_robust, "test"]) == inf.DEPENDENCE_ROBUST
    assert set(table.loc[table.variance_robust, "test"]) == inf.VARIANCE_ROBUST
    both = set(table.loc[table.dependence_robust & table.variance_robust, "test"])
    assert both == {"kp-bmp", "grank", "corrado-zivney"}  # the literature's classification
    assert table["df"].dtype == np.float64 and table.loc[table.test == "patell", "df"].isna().all()
    again = inf.run_battery(clustered, [(-1, 1), (0, 3)], n_boot=100)
    pd.testing.assert_frame_equal(table, again)


def test_headline_tests(clustered: AbnormalPanel) -> None:
    table = inf.run_battery(clustered, [(-1, 1)], days=[0], n_boot=50)
    head = inf.headline_tests(table, clustered=True)
    assert list(head["test"]) == ["kp-bmp"] * 2  # 12 events: below GRANK's 30
    assert list(head["window"]) == ["0", "(-1, +1)"]
    assert (head["dependence_robust"] & head["variance_robust"]).all()
    many = table.assign(nobs=40)
    assert list(inf.headline_tests(many, clustered=True)["test"]) == list(inf.HEADLINE_CLUSTERED) * 2
    assert list(inf.headline_tests(table, clustered=False)["test"]) == list(inf.HEADLINE_INDEPENDENT) * 2


def test_invalid_rows_carry_reasons() -> None:
    panel = make(18, n_events=1, est_len=20)
    table = inf.run_battery(panel, [(-1, 1)], days=[0], n_boot=10)
    bad = table[~table.valid]
    assert len(bad) > 0 and (bad["reason"].str.len() > 0).all()
    assert bad["statistic"].isna().all()


# ------------------------------------------------------------------ sign tests: exact by default


def _sign_panel(n_pos: int, n_neg: int) -> AbnormalPanel:
    """Market-adjusted panel whose day-0 ARs have ``n_pos`` positive and ``n_neg`` negative signs."""
    from inference_helpers import build_panel

    n = n_pos + n_neg
    rng = np.random.default_rng(7)
    est = rng.normal(0, 0.01, size=(n, 30))
    day0 = np.r_[np.full(n_pos, 0.02), np.full(n_neg, -0.02)][:, None]
    ret = np.concatenate([est, day0], axis=1)
    mkt = np.zeros_like(ret)
    dates = np.tile(np.arange("2024-01-01", "2024-02-01", dtype="datetime64[D]")[:31], (n, 1))
    return build_panel(ret, mkt, dates, 30, [0], model="market_adjusted")


def _binom_two_sided(w: int, n: int, p: float) -> float:
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return min(1.0, 2 * min(sum(pmf[: w + 1]), sum(pmf[w:])))


@pytest.mark.parametrize(("n_pos", "n_neg"), [(6, 0), (5, 1), (33, 17), (2, 8)])
def test_sign_test_is_exact_binomial_by_default(n_pos: int, n_neg: int) -> None:
    res = inf.sign_test(_sign_panel(n_pos, n_neg), 0)
    assert res.distribution == "binomial" and res.statistic == n_pos
    assert math.isclose(res.pvalue, _binom_two_sided(n_pos, n_pos + n_neg, 0.5), rel_tol=1e-12)


def test_six_of_six_is_the_smallest_p_at_n_6() -> None:
    # 2 / 2^6 = 0.03125: with six firms only a unanimous sign rejects at 5%.
    assert math.isclose(inf.sign_test(_sign_panel(6, 0), 0).pvalue, 2 / 64, rel_tol=1e-12)
    assert inf.sign_test(_sign_panel(5, 1), 0).pvalue > 0.05


def test_sign_normal_approximation_has_a_continuity_correction() -> None:
    res = inf.sign_test(_sign_panel(33, 17), 0, exact=False)
    z = (abs(33 - 25) - 0.5) / math.sqrt(50 * 0.25)  # hand computation
    assert res.distribution == "normal" and math.isclose(res.statistic, z, rel_tol=1e-12)
    assert math.isclose(res.pvalue, math.erfc(z / math.sqrt(2)), rel_tol=1e-9)


def test_exact_sign_test_size_at_n_50() -> None:
    """Size of the two-sided 5% test under B(50, 1/2): 3.28% exact (6.49% for the uncorrected z)."""
    pmf = [math.comb(50, k) / 2**50 for k in range(51)]
    size = sum(pmf[w] for w in range(51) if _binom_two_sided(w, 50, 0.5) <= 0.05)
    assert round(size, 4) == 0.0328
    rejects = {w for w in range(51) if inf.sign_test(_sign_panel(w, 50 - w), 0).pvalue <= 0.05}
    assert rejects == {w for w in range(51) if _binom_two_sided(w, 50, 0.5) <= 0.05}


def test_corrado_does_not_depend_on_other_requested_windows() -> None:
    """Corrado(0,0) on the bundled case: the same alone and with the default windows."""
    import eventstudy as es
    from eventstudy.data.wide import wide_prices
    from eventstudy.resources import fixtures_dir

    syms = ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG", "^GSPC"]
    prices = wide_prices(es.CsvSource(fixtures_dir()).history(syms))[0]
    stats_by_windows = []
    for windows in ([(0, 0)], [(0, 0), (-1, 1), (0, 1), (0, 4), (-5, 5)], [(-10, 10), (0, 0)]):
        res = es.event_study(prices, benchmark="^GSPC", event_date="2025-01-27", windows=windows)
        t = res.tests
        row = t[(t["test"].isin(["corrado", "corrado-zivney"])) & (t["window"] == "(0, 0)")
                & (t["scope"] == "window")]
        stats_by_windows.append(tuple(row.sort_values("test")["statistic"]))
    assert stats_by_windows[0] == stats_by_windows[1] == stats_by_windows[2]


def test_kp_restandardisation_shrinks_event_values_under_positive_correlation() -> None:
    """With rbar > 0 the corrected sd is larger, so GRANK and Corrado-Zivney move toward 0."""
    panel = make(31, n_events=8, est_len=60, offsets=[0] * 8, corr=0.9)
    rbar = inf.residual_correlation(panel, start=0, end=0).rbar
    assert rbar > 0.1
    for fn in (inf.grank_test, inf.corrado_zivney_test):
        kp = fn(panel, 0, restandardize="kp")
        plain = fn(panel, 0, restandardize="cross-sectional")
        assert kp.valid and plain.valid
        assert abs(kp.statistic) < abs(plain.statistic)
    assert inf.grank_test(panel, 0).extra["rbar"] == rbar
