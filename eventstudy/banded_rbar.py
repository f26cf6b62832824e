"""Kolari-Pynnönen ``rbar`` for large batches, without ``E x E`` matrices.

:func:`banded_residual_correlation` gives the same number as
:func:`eventstudy.inference.residual_correlation` (the mean pairwise correlation
of estimation residuals, paired on session dates) but only visits pairs of events
whose tested windows share a session, block by block, so 10,000 events need tens
of MB. :func:`panel_positions` numbers a panel's estimation and event slots on
one session grid. Used by :mod:`eventstudy.batch` (which re-exports both).
"""

from __future__ import annotations

import numpy as np

from eventstudy.errors import InvalidParameterError
from eventstudy.inference.correlation import ResidualCorrelation
from eventstudy.panel import AbnormalPanel

__all__ = ["banded_residual_correlation", "panel_positions"]


def _pair_sums_dense(xb: np.ndarray, mb: np.ndarray, xj: np.ndarray,
                     mj: np.ndarray) -> tuple[np.ndarray, ...]:
    """n, sx, sy, sxx, syy over common dates with masks (events with gaps)."""
    left = np.concatenate([mb, xb, xb * xb], axis=0) @ mj.T
    b = xb.shape[0]
    n, sx, sxx = left[:b], left[b:2 * b], left[2 * b:]
    right = mb @ np.concatenate([xj, xj * xj], axis=0).T
    j = xj.shape[0]
    return n, sx, right[:, :j], sxx, right[:, j:]


def banded_residual_correlation(
    resid: np.ndarray, pos: np.ndarray, wpos: np.ndarray, *, min_overlap: int = 3, block: int = 128,
) -> ResidualCorrelation:
    """Kolari-Pynnönen ``rbar`` without ``E x E`` matrices.

    The same number as :func:`eventstudy.inference.residual_correlation`: the
    pairwise-complete Pearson correlations of estimation residuals (on common
    session dates, at least ``min_overlap`` of them, non-zero variance) of the
    pairs whose tested windows share a session, each weighted by
    ``d_ij / sqrt(L_i L_j)`` (sessions shared over the windows' lengths), summed
    and divided by all ``N (N - 1) / 2`` pairs. Events are sorted by the first session of their
    window, so the partners of event ``i`` (later events whose window starts
    before ``i``'s ends) are the contiguous run ``i+1 .. reach_i - 1``. Events are
    taken ``block`` at a time: the cross products of a block with its partners come
    from one matrix product on the block's estimation dates, and everything else is
    computed on the list of sharing pairs only. Events whose residuals are
    contiguous in session time get the per-pair counts from their session ranges
    and the sums from prefix sums on the block's dates; a block touching a gappy
    event uses masked matrix products.

    Parameters
    ----------
    resid : ndarray (E, T)
        Estimation residuals, NaN where missing.
    pos : ndarray of int (E, T)
        Session number of each estimation slot (strictly increasing), negative where none.
    wpos : ndarray of int (E, L)
        Session numbers of each event's tested window, negative where none.
    min_overlap, block : int

    Returns
    -------
    ResidualCorrelation
    """
    if min_overlap < 2:
        raise InvalidParameterError("min_overlap", "an integer >= 2", min_overlap)
    if block < 1:
        raise InvalidParameterError("block", "a positive integer", block)
    resid = np.asarray(resid, dtype=np.float64)
    pos = np.asarray(pos, dtype=np.int64)
    wpos = np.asarray(wpos, dtype=np.int64)
    n_events = int(resid.shape[0])
    n_possible = n_events * (n_events - 1) // 2
    big = np.iinfo(np.int64).max
    wok = wpos >= 0
    whave = wok.any(axis=1)
    if n_events < 2 or not whave.any():
        return ResidualCorrelation(0.0, 0, n_possible, n_events, min_overlap, 0)
    # Windows are runs of consecutive sessions: two share a session iff the runs intersect.
    ws = np.where(whave, np.where(wok, wpos, big).min(axis=1), big)
    we = np.where(whave, np.where(wok, wpos, -1).max(axis=1), -2)
    e = int(whave.sum())  # events without a window session sort last and share nothing
    order = np.argsort(ws, kind="stable")[:e]
    wlen = wok.sum(axis=1)[order].astype(np.float64)  # L_i, sessions of each window
    ws, we = ws[order], we[order]
    # Partners of the i-th event by window start: the next ones up to reach[i] - 1.
    reach = np.searchsorted(ws, we, side="right")
    shared = int(np.maximum(reach - np.arange(e) - 1, 0).sum())
    if shared == 0:
        return ResidualCorrelation(0.0, 0, n_possible, n_events, min_overlap, 0)
    # Per-event quantities, in input order (rows are gathered block by block below).
    # ``pos`` increases along a row, so the first / last usable slot holds the first /
    # last session; "runs" are events whose residuals sit in consecutive slots on
    # consecutive sessions, the other live events are gappy.
    n_slots = resid.shape[1]
    ok = np.isfinite(resid) & (pos >= 0)
    cnt = ok.sum(axis=1)
    live = cnt > 0
    first = np.argmax(ok, axis=1)
    last = n_slots - 1 - np.argmax(ok[:, ::-1], axis=1)
    rix = np.arange(n_events)
    start = np.where(live, pos[rix, first], 0)
    end = np.where(live, pos[rix, last], -1)
    gappy = live & ((end - start != last - first) | (last - first + 1 != cnt))
    if gappy.any():  # sessions of gappy events need not be increasing: take min / max
        g = np.flatnonzero(gappy)
        start[g] = np.where(ok[g], pos[g], big).min(axis=1)
        end[g] = np.where(ok[g], pos[g], -1).max(axis=1)
    x = np.where(ok, resid, 0.0)
    x -= (x.sum(axis=1) / np.maximum(cnt, 1))[:, None]  # centred (accuracy; r is invariant)
    x[~ok] = 0.0
    root = np.sqrt(np.einsum("ij,ij->i", x, x))
    # Sorted views of the per-event vectors.
    live_s, gappy_s, start_s, end_s = live[order], gappy[order], start[order], end[order]
    root_s = root[order]

    total, pairs = 0.0, 0
    for b0 in range(0, e, block):
        b1 = min(b0 + block, e)
        nb = b1 - b0
        j1 = int(reach[b0:b1].max())
        lb = live_s[b0:b1]
        if j1 <= b0 + 1 or not lb.any():
            continue
        m = j1 - b0  # the block and its partners, the block's own rows first
        # Sharing pairs (ii, jj), local row numbers: jj = ii + 1 .. reach - 1.
        k = np.maximum(reach[b0:b1] - np.arange(b0 + 1, b1 + 1), 0)
        n_pairs = int(k.sum())
        if n_pairs == 0:
            continue
        ii = np.repeat(np.arange(nb), k)
        jj = np.arange(n_pairs) - np.repeat(np.cumsum(k) - k, k) + ii + 1
        dlo = int(start_s[b0:b1][lb].min())
        width = int(end_s[b0:b1][lb].max()) - dlo + 1
        rows = order[b0:j1]
        p = pos[rows] - dlo
        inside = ok[rows] & (p >= 0) & (p < width)
        flat = (p + (np.arange(m) * width)[:, None])[inside]
        dx = np.zeros((m, width))  # x on the block's estimation dates
        dx.ravel()[flat] = x[rows][inside]
        sxy = (dx[:nb] @ dx.T)[ii, jj]
        gi, gj = ii + b0, jj + b0
        if gappy_s[b0:j1].any():
            dm = np.zeros((m, width))
            dm.ravel()[flat] = 1.0
            n, sx, sy, sxx, syy = (a[ii, jj] for a in _pair_sums_dense(dx[:nb], dm[:nb], dx, dm))
        else:  # runs: common dates are the intersection of two session ranges
            lo = np.maximum(start_s[gi], start_s[gj])
            hi = np.minimum(end_s[gi], end_s[gj]) + 1
            n = np.maximum(hi - lo, 0)
            # Prefix sums on the block's dates; [lo, hi) lies inside them when n > 0.
            la = np.clip(lo - dlo, 0, width)
            lb_ = np.clip(hi - dlo, 0, width)
            c = np.zeros((m, width + 1))
            np.cumsum(dx, axis=1, out=c[:, 1:])
            sx, sy = c[ii, lb_] - c[ii, la], c[jj, lb_] - c[jj, la]
            np.square(dx, out=c[:, 1:])
            np.cumsum(c[:, 1:], axis=1, out=c[:, 1:])
            sxx, syy = c[ii, lb_] - c[ii, la], c[jj, lb_] - c[jj, la]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sxy - sx * sy / n
            var_i = sxx - sx * sx / n
            var_j = syy - sy * sy / n
            r = cov / np.sqrt(var_i * var_j)
        tol = 1e-12 * root_s[gi] * root_s[gj]
        tol = np.where(tol > 0, tol, 1e-12)
        usable = (n >= min_overlap) & (var_i > tol) & (var_j > tol) & np.isfinite(r)
        # Weight d_ij / sqrt(L_i L_j): sessions the two windows (runs) share.
        d = np.maximum(np.minimum(we[gi], we[gj]) - np.maximum(ws[gi], ws[gj]) + 1, 0)
        weight = d / np.sqrt(wlen[gi] * wlen[gj])
        total += float((r * weight)[usable].sum())
        pairs += int(usable.sum())
    if pairs == 0:
        return ResidualCorrelation(0.0, 0, n_possible, n_events, min_overlap, shared)
    return ResidualCorrelation(float(np.clip(total / n_possible, -1.0, 1.0)), pairs, n_possible,
                               n_events, min_overlap, shared)


def _positions(dates: np.ndarray, grid: np.ndarray) -> np.ndarray:
    d = np.asarray(dates).astype("datetime64[D]")
    bad = np.isnat(d)
    if grid.size == 0:
        return np.full(d.shape, -1, dtype=np.int64)
    p = np.searchsorted(grid, np.where(bad, grid[0], d))
    return np.where(bad, -1, p).astype(np.int64)


def panel_positions(panel: AbnormalPanel) -> tuple[np.ndarray, np.ndarray]:
    """Session numbers of the estimation slots and event-span slots of ``panel`` (-1 for NaT)."""
    est = np.asarray(panel.est_dates).astype("datetime64[D]")
    evd = np.asarray(panel.event_dates).astype("datetime64[D]")
    both = np.concatenate([est.ravel(), evd.ravel()])
    grid = np.unique(both[~np.isnat(both)])
    return _positions(est, grid), _positions(evd, grid)
