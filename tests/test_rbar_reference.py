"""The Kolari-Pynnönen ``rbar`` against a plain pairwise reference written here.

The reference loops over every pair of events with Python sets and numpy on
their common dates (nothing imported from the package's internals): the pair's
window sessions in common ``d_ij``, the Pearson correlation of the estimation
residuals on the dates both have, the weight ``d_ij / sqrt(L_i L_j)``, the sum
over pairs divided by ``N (N - 1) / 2``. The package computes the same number
banded (no ``E x E`` matrices); they must agree to 1e-12 on every panel below.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest

import eventstudy.inference as inf
import eventstudy.inference.correlation as corr
from eventstudy.errors import InvalidParameterError
from eventstudy.panel import AbnormalPanel

NaT = np.datetime64("NaT", "D")


def make_panel(resid: npt.ArrayLike, est_dates: npt.ArrayLike, event_dates: npt.ArrayLike,
               event_days: npt.ArrayLike) -> AbnormalPanel:
    """A panel with the arrays ``rbar`` reads; the others are placeholders of the right shape."""
    r = np.asarray(resid, dtype=np.float64)
    ed = np.asarray(event_dates).astype("datetime64[D]")
    n, t = r.shape
    ell = ed.shape[1]
    ids = np.array([f"e{i}" for i in range(n)])
    return AbnormalPanel.from_arrays(
        event_ids=ids, securities=ids.copy(), model="market_adjusted", k=0,
        est_dates=np.asarray(est_dates).astype("datetime64[D]"), est_resid=r,
        est_x=np.zeros((n, t, 0)), est_market=np.zeros((n, t)),
        event_days=np.asarray(event_days, dtype=np.int64), event_dates=ed,
        ar=np.zeros((n, ell)), event_x=np.zeros((n, ell, 0)), event_market=np.zeros((n, ell)),
        raw_event=np.zeros((n, ell)), raw_event_market=np.zeros((n, ell)),
        params=np.zeros((n, 0)), xtx_inv=np.zeros((n, 0, 0)), sigma2=np.ones(n),
        nobs=np.full(n, t), df_resid=np.full(n, t - 1),
    )


def reference_rbar(panel: AbnormalPanel, events: npt.NDArray[np.bool_] | None, start: int, end: int,
                   min_overlap: int) -> tuple[float, int, int]:
    """``(rbar, pairs used, pairs sharing a window session)`` by a loop over pairs."""
    cols = (panel.event_days >= start) & (panel.event_days <= end)
    idx = np.arange(panel.n_events) if events is None else np.flatnonzero(events)
    series: list[dict[np.datetime64, float]] = []
    windows: list[set[np.datetime64]] = []
    roots: list[float] = []
    for i in idx:
        s = {d: float(v) for d, v in zip(panel.est_dates[i], panel.est_resid[i], strict=True)
             if not np.isnat(d) and np.isfinite(v)}
        series.append(s)
        vals = np.array(list(s.values()))
        roots.append(float(np.sqrt(((vals - vals.mean()) ** 2).sum())) if vals.size else 0.0)
        windows.append({d for d in panel.event_dates[i][cols] if not np.isnat(d)})
    total, used, overlap = 0.0, 0, 0
    for a, b in itertools.combinations(range(idx.size), 2):
        d = len(windows[a] & windows[b])
        if d == 0:
            continue
        overlap += 1
        common = sorted(set(series[a]) & set(series[b]))
        if len(common) < min_overlap:
            continue
        x = np.array([series[a][c] for c in common])
        y = np.array([series[b][c] for c in common])
        xc, yc = x - x.mean(), y - y.mean()
        vx, vy = float((xc * xc).sum()), float((yc * yc).sum())
        tol = 1e-12 * roots[a] * roots[b] or 1e-12  # "non-zero" relative to the residuals' size
        if not (vx > tol and vy > tol):
            continue
        r = float((xc * yc).sum()) / math.sqrt(vx * vy)
        total += r * d / math.sqrt(len(windows[a]) * len(windows[b]))
        used += 1
    n = idx.size
    possible = n * (n - 1) // 2
    return (min(max(total / possible, -1.0), 1.0) if used else 0.0), used, overlap


def check(panel: AbnormalPanel, start: int, end: int, *, events: npt.NDArray[np.bool_] | None = None,
          min_overlap: int = 3) -> inf.ResidualCorrelation:
    rbar, used, overlap = reference_rbar(panel, events, start, end, min_overlap)
    saved = corr._GATHER_RATIO
    try:  # pair sums from a matrix product per block, then from a dot product per pair
        for ratio in (0, 10**9):
            corr._GATHER_RATIO = ratio
            panel._memo.clear()
            rc = inf.residual_correlation(panel, events, start=start, end=end,
                                          min_overlap=min_overlap)
            assert rc.rbar == pytest.approx(rbar, abs=1e-12, rel=1e-12)
            assert (rc.n_pairs, rc.n_overlap) == (used, overlap)
    finally:
        corr._GATHER_RATIO = saved
    n = panel.n_events if events is None else int(np.sum(events))
    assert (rc.n_events, rc.n_possible) == (n, n * (n - 1) // 2)
    # the banded function itself, with tiny and large blocks, gives the same number
    est, win = corr.panel_positions(panel)
    sel = np.ones(panel.n_events, bool) if events is None else events
    for block in (1, 3, 512):
        got = corr.banded_residual_correlation(panel.est_resid[sel], est[sel], win[sel][:, panel.window_mask(start, end)],
                         min_overlap=min_overlap, block=block)
        assert got.rbar == pytest.approx(rbar, abs=1e-12, rel=1e-12)
        assert (got.n_pairs, got.n_overlap) == (used, overlap)
    return rc


SESS = np.arange(np.datetime64("2020-01-01"), np.datetime64("2022-12-31")).astype("datetime64[D]")
SESS = SESS[np.is_busday(SESS)]


def staggered(rng: np.random.Generator, n: int, t: int, days: tuple[int, int], spread: int,
              common: float = 0.5) -> AbnormalPanel:
    """Events at positions within ``spread`` sessions of each other on one session grid."""
    rel = np.arange(days[0], days[1] + 1)
    pos0 = 300 + rng.integers(0, spread + 1, n)
    est_pos = pos0[:, None] + np.arange(-t - 20, -20)[None, :]
    win_pos = pos0[:, None] + rel[None, :]
    market = rng.standard_normal(SESS.size)  # a common factor: residuals correlate in calendar time
    resid = common * market[est_pos] + rng.standard_normal(est_pos.shape)
    return make_panel(resid * 0.01, SESS[est_pos], SESS[win_pos], rel)


def test_same_event_date() -> None:
    p = staggered(np.random.default_rng(1), 25, 60, (-1, 1), spread=0)
    rc = check(p, -1, 1)
    assert rc.n_overlap == 25 * 24 // 2 and rc.rbar > 0.05  # every pair overlaps in full
    check(p, 0, 0)


@pytest.mark.parametrize("window", [(-5, 5), (0, 0), (-2, 1), (3, 5)])
def test_staggered_partially_overlapping_windows(window: tuple[int, int]) -> None:
    p = staggered(np.random.default_rng(2), 40, 80, (-5, 5), spread=30)
    rc = check(p, *window)
    assert 0 < rc.n_overlap < 40 * 39 // 2


def test_gappy_residuals_and_missing_estimation_dates() -> None:
    rng = np.random.default_rng(3)
    p = staggered(rng, 30, 50, (-3, 3), spread=12)
    resid = p.est_resid.copy()
    resid[rng.random(resid.shape) < 0.15] = np.nan
    dates = p.est_dates.copy()
    dates[rng.random(dates.shape) < 0.05] = NaT
    resid[4] = np.nan  # an event with no residual at all
    resid[5, 3:] = np.nan  # one with 3 residuals
    q = make_panel(resid, dates, p.event_dates, p.event_days)
    for w in ((-3, 3), (0, 0), (-1, 2)):
        check(q, *w)


def test_events_without_a_window_session_and_event_masks() -> None:
    rng = np.random.default_rng(4)
    p = staggered(rng, 20, 40, (-2, 2), spread=6)
    ed = p.event_dates.copy()
    ed[3] = NaT  # no window session at all
    ed[7, 3:] = NaT  # window cut short at the end of the data
    ed[8, :2] = NaT  # and at the start
    q = make_panel(p.est_resid, p.est_dates, ed, p.event_days)
    check(q, -2, 2)
    check(q, 2, 2)
    mask = rng.random(20) < 0.6
    check(q, -2, 2, events=mask)
    check(q, -1, 0, events=mask)
    one = np.zeros(20, bool)
    one[0] = True
    assert check(q, -2, 2, events=one).rbar == 0.0


@pytest.mark.parametrize("min_overlap", [2, 3, 4, 5, 6])
def test_min_overlap_edges(min_overlap: int) -> None:
    # estimation windows shifted by 1..6 sessions share 6..1 dates; windows all share a session
    rng = np.random.default_rng(5)
    shift = np.array([0, 1, 2, 3, 4, 5, 6])
    est_pos = 100 + shift[:, None] + np.arange(7)[None, :]
    win_pos = np.full((7, 1), 200)
    resid = rng.standard_normal(est_pos.shape)
    p = make_panel(resid, SESS[est_pos], SESS[win_pos], [0])
    rc = check(p, 0, 0, min_overlap=min_overlap)
    assert rc.n_overlap == 21 and 0 < rc.n_pairs < 21


def test_constant_residuals_on_the_common_dates_do_not_count() -> None:
    resid = np.array([[0.01, 0.01, 0.01, 0.02, -0.03], [0.01, -0.02, 0.03, 0.01, 0.0],
                      [0.02, 0.01, -0.01, 0.0, 0.01]])
    est_pos = np.array([np.arange(5), np.arange(5), np.arange(5)])
    p = make_panel(resid, SESS[est_pos], SESS[np.full((3, 1), 10)], [0])
    assert check(p, 0, 0).n_pairs == 3
    # event 1 shifted 3 sessions earlier: it shares with event 0 only event 0's first two
    # (equal) residuals, a zero variance, so that pair drops out; (1, 2) keeps two dates
    est_pos2 = np.array([np.arange(5), np.arange(-3, 2), np.arange(5)])
    q = make_panel(resid, SESS[est_pos2 + 5], SESS[np.full((3, 1), 10)], [0])
    assert check(q, 0, 0, min_overlap=2).n_pairs == 2


def test_windows_with_holes_on_a_mixed_calendar_grid() -> None:
    # two calendars: B trades on days A does not, so on the union grid an A window
    # skips B's sessions and two windows whose ranges intersect may share no session
    rng = np.random.default_rng(6)
    grid = SESS[:400]
    a_sess = grid[np.arange(400) % 5 != 2]  # calendar A closed every fifth session
    b_sess = grid[np.arange(400) % 7 != 3]
    rows_d, rows_w, rows_r = [], [], []
    for i in range(24):
        cal = a_sess if i % 2 == 0 else b_sess
        p0 = 200 + int(rng.integers(0, 12))
        rows_d.append(cal[p0 - 120:p0 - 20])
        rows_w.append(cal[p0 - 2:p0 + 3])
        rows_r.append(rng.standard_normal(100) * 0.01)
    p = make_panel(np.array(rows_r), np.array(rows_d), np.array(rows_w), np.arange(-2, 3))
    for w in ((-2, 2), (0, 0), (-1, 1)):
        check(p, *w)
    # a one-day window on a session A does not have, inside A's window range, shares nothing
    assert 207 % 5 == 2  # grid[207] is a session of B, not of A
    ad = a_sess[a_sess < grid[206]][-30:]
    bd = grid[176:206]
    q = make_panel(rng.standard_normal((2, 30)), np.array([ad, bd]),
                   np.array([[grid[206], grid[208]], [grid[207], NaT]]), [0, 1])
    rc = check(q, 0, 1)
    assert rc.n_overlap == 0


def test_memoized_once_per_panel_and_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    p = staggered(np.random.default_rng(7), 15, 40, (-1, 1), spread=3)
    calls = []
    real = corr._banded

    def counting(*args: object, **kwargs: object) -> corr.RbarSums:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(corr, "_banded", counting)
    first = inf.residual_correlation(p, start=-1, end=1)
    assert inf.residual_correlation(p, np.ones(15, bool), start=-1, end=1) == first  # from the memo: no second _banded call
    assert len(calls) == 1
    inf.residual_correlation(p, start=0, end=0)
    inf.residual_correlation(p, start=-1, end=1, min_overlap=4)
    mask = np.ones(15, bool)
    mask[2] = False
    inf.residual_correlation(p, mask, start=-1, end=1)
    assert len(calls) == 4
    # the tests sharing the day's rbar compute it once
    fresh = make_panel(p.est_resid, p.est_dates, p.event_dates, p.event_days)
    calls.clear()
    inf.kp_patell_test(fresh, 0)
    inf.kp_bmp_test(fresh, 0)
    inf.grank_test(fresh, 0)
    assert len(calls) == 1
    # on one session grid, day 1's windows are day 0's shifted by one session: same rbar
    day1 = inf.residual_correlation(fresh, start=1, end=1)
    assert len(calls) == 1 and day1 == inf.residual_correlation(fresh, start=0, end=0)
    assert day1.rbar == pytest.approx(reference_rbar(fresh, None, 1, 1, 3)[0], abs=1e-12)


def test_shifted_windows_reuse_only_when_every_event_shifts_alike() -> None:
    # event 2's day 1 is missing (NaT): day 1 is not day 0 shifted, so it is computed
    p = staggered(np.random.default_rng(11), 6, 30, (0, 1), spread=1, common=2.0)
    ed = p.event_dates.copy()
    ed[2, 1] = NaT
    q = make_panel(p.est_resid, p.est_dates, ed, p.event_days)
    d0 = inf.residual_correlation(q, start=0, end=0)
    d1 = inf.residual_correlation(q, start=1, end=1)
    assert d1 is not d0
    for day, rc in ((0, d0), (1, d1)):
        rbar, used, overlap = reference_rbar(q, None, day, day, 3)
        assert rc.rbar == pytest.approx(rbar, abs=1e-12) and (rc.n_pairs, rc.n_overlap) == (used, overlap)


def test_wrong_mask_shape_is_refused() -> None:
    p = staggered(np.random.default_rng(8), 5, 20, (0, 0), spread=0)
    with pytest.raises(ValueError, match="events"):
        inf.residual_correlation(p, np.ones(4, bool), start=0, end=0)


def test_partner_cap_keeps_the_nearest_partners_and_counts_the_rest() -> None:
    """With ``max_partners`` each event is paired with its next ones by window start only:
    the reference loop restricted to those pairs gives the same rbar; the rest are counted."""
    rng = np.random.default_rng(41)
    n, t = 9, 40
    base = np.datetime64("2024-01-01")
    offsets = np.sort(rng.integers(0, 6, n))  # many shared and overlapping windows
    est_dates = np.array([[base + np.timedelta64(int(o) + j, "D") for j in range(t)] for o in offsets])
    ev_dates = np.array([[base + np.timedelta64(int(o) + t + 5 + j, "D") for j in range(3)]
                         for o in offsets])
    resid = rng.standard_normal((n, t)) + 0.5 * rng.standard_normal(t)
    panel = make_panel(resid, est_dates, ev_dates, [0, 1, 2])
    full = inf.residual_correlation(panel, start=0, end=2)
    for cap in (1, 2, 5):
        got = inf.residual_correlation(panel, start=0, end=2, max_partners=cap)
        # reference: the same weighted correlations, only pairs (i, j) with j among the
        # next `cap` events of i in the order of window starts (stable for ties)
        order = np.argsort(ev_dates[:, 0], kind="stable")
        rank = np.empty(n, int)
        rank[order] = np.arange(n)
        total, kept = 0.0, 0
        for a in range(n):
            for b in range(a + 1, n):
                i, j = (a, b) if rank[a] < rank[b] else (b, a)
                if rank[j] - rank[i] > cap:
                    continue
                shared = len(set(ev_dates[i]) & set(ev_dates[j]))
                if shared == 0:
                    continue
                common = sorted(set(est_dates[i]) & set(est_dates[j]))
                xi = np.array([resid[i][list(est_dates[i]).index(d)] for d in common])
                xj = np.array([resid[j][list(est_dates[j]).index(d)] for d in common])
                r = np.corrcoef(xi, xj)[0, 1]
                total += r * shared / 3.0
                kept += 1
        assert got.rbar == pytest.approx(total / (n * (n - 1) / 2), abs=1e-12)
        assert got.n_pairs == kept
        assert got.n_pairs + got.n_omitted == full.n_pairs  # windows are runs: candidates share
    with pytest.raises(InvalidParameterError, match="max_partners"):
        inf.residual_correlation(panel, start=0, end=2, max_partners=0)


def date_chunks(panel: AbnormalPanel, size: int, start: int, end: int) -> list[tuple[np.ndarray, int]]:
    """Rows of each chunk plus its halo, and the number owned, cut as a distributed study would.

    Events sorted by the first session of their window (ties in row order) are cut into
    chunks of ``size``; a chunk's halo is every later event whose window starts on or
    before the last session of a chunk event's window (written here from the dates).
    """
    cols = panel.window_mask(start, end)
    first = panel.event_dates[:, cols].min(axis=1)
    last = panel.event_dates[:, cols].max(axis=1)
    order = np.argsort(first, kind="stable")
    out = []
    for lo in range(0, order.size, size):
        own = order[lo:lo + size]
        reach = lo + size
        while reach < order.size and first[order[reach]] <= last[own].max():
            reach += 1
        out.append((order[lo:reach], own.size))
    return out


@pytest.mark.parametrize("size", [1, 2, 4, 7])
@pytest.mark.parametrize("cap", [None, 1, 3])
def test_date_partitioned_chunks_with_halos_merge_to_the_whole_panel(size: int, cap: int | None) -> None:
    """Each chunk sums the pairs whose first event it owns, reading partners from its halo;
    merged, the chunks give the reference loop's rbar (every pair once, none lost at a cut)."""
    rng = np.random.default_rng(101)
    p = staggered(rng, 15, 40, (-1, 1), spread=6)
    events = np.ones(15, bool)
    events[[3, 8]] = False  # the tests' masks: events without a value take no part
    whole = inf.residual_correlation(p, events, start=-1, end=1, max_partners=cap)
    if cap is None:
        rbar, used, overlap = reference_rbar(p, events, -1, 1, 3)
        assert whole.rbar == pytest.approx(rbar, abs=1e-12) and whole.n_pairs == used
    merged = corr.RbarSums()
    for rows, owned in date_chunks(p, size, -1, 1):
        part = p.take(rows)
        merged = merged.merge(corr.rbar_sums(part, events[rows], start=-1, end=1, max_partners=cap,
                                             owned=owned))
    got = merged.correlation()
    assert got.rbar == pytest.approx(whole.rbar, abs=1e-12)
    assert (got.n_pairs, got.n_overlap, got.n_omitted, got.n_events, got.n_possible) == (
        whole.n_pairs, whole.n_overlap, whole.n_omitted, whole.n_events, whole.n_possible)


def test_a_halo_event_before_an_owned_one_is_refused() -> None:
    p = staggered(np.random.default_rng(5), 6, 30, (0, 0), spread=4)
    order = np.argsort(p.event_dates[:, 0], kind="stable")
    with pytest.raises(InvalidParameterError, match="owned"):
        corr.rbar_sums(p.take(order[::-1]), start=0, end=0, owned=2)
