"""Average cross-correlation of estimation-window residuals, aligned in calendar time.

Only pairs of events whose event windows share a session contribute (see
:func:`residual_correlation`). One implementation, banded: events are sorted by
the first session of their tested window and only pairs whose windows can share
a session are visited, block by block (:func:`banded_residual_correlation`), so
no ``E x E`` (or ``E x dates``) matrix is formed and 100,000 events need tens of
MB. :func:`residual_correlation` is the panel-level entry point; it memoizes its
result (and the session numbering of :func:`panel_positions`) on the panel, so
the tests that share an ``rbar`` compute it once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.panel import AbnormalPanel, FloatArray, IntArray, PosArray

__all__ = ["RbarSums", "ResidualCorrelation", "banded_residual_correlation", "panel_positions",
           "rbar_sums", "residual_correlation"]


@dataclass(frozen=True)
class ResidualCorrelation:
    """Mean pairwise correlation ``rbar`` of estimation residuals.

    Attributes
    ----------
    rbar : float
        Sum of the contributing pairwise correlations divided by ``n_possible``
        (pairs whose event windows share no session contribute 0); 0.0 when no
        pair contributes, in which case the Kolari–Pynnönen adjustments leave the
        tests unchanged.
    n_pairs : int
        Number of event pairs whose correlation entered ``rbar`` (their event
        windows overlap and their estimation residuals share at least
        ``min_overlap`` dates with non-zero variance).
    n_possible : int
        ``N (N - 1) / 2`` for the ``N`` events considered; the denominator of ``rbar``.
    n_events : int
        Events considered.
    min_overlap : int
        Minimum number of common estimation session dates a pair needed.
    n_overlap : int
        Number of event pairs whose event windows share at least one session date
        (among the pairs visited: see ``n_omitted``).
    n_omitted : int
        Candidate pairs left out by a cap on partners per event
        (``max_partners``); 0 without a cap.
    """

    rbar: float
    n_pairs: int
    n_possible: int
    n_events: int
    min_overlap: int
    n_overlap: int = 0
    n_omitted: int = 0

    @property
    def usable(self) -> bool:
        """``rbar < 1`` with a margin: a value within 1e-12 of 1 is perfect correlation."""
        return self.rbar < 1.0 - 1e-12

    def as_extra(self) -> dict[str, float | int]:
        """Entries for :attr:`TestResult.extra`."""
        return {
            "rbar": self.rbar,
            "rbar_pairs": self.n_pairs,
            "rbar_overlap_pairs": self.n_overlap,
            "rbar_possible_pairs": self.n_possible,
            "rbar_omitted_pairs": self.n_omitted,
        }


@dataclass(frozen=True)
class RbarSums:
    """The ``rbar`` pair term of a set of events, mergeable across date-partitioned chunks.

    A study's events sorted by the first session of their window are cut into
    contiguous chunks; each chunk adds the pairs whose *first* event (in that
    order) it owns, reading the partners of its last events from a halo of the
    events that follow it (:func:`rbar_sums` with ``owned``). Merged, the sums
    give the whole panel's ``rbar`` (:meth:`correlation`): every pair is counted
    once, by the chunk of its first event, so no pair is lost at a boundary.

    Attributes
    ----------
    total : float
        Sum of the weighted pairwise correlations ``r_ij d_ij / sqrt(L_i L_j)``.
    pairs, shared, omitted : int
        Pairs used, pairs whose windows share a session, pairs left out by a
        cap on partners (see :class:`ResidualCorrelation`).
    n_events : int
        Events owned (the denominator counts pairs of all the merged events).
    min_overlap : int
    """

    total: float = 0.0
    pairs: int = 0
    shared: int = 0
    omitted: int = 0
    n_events: int = 0
    min_overlap: int = 3

    def merge(self, other: RbarSums) -> RbarSums:
        if other.min_overlap != self.min_overlap:
            raise InvalidParameterError("min_overlap", f"the same value in both sums ({self.min_overlap})",
                                        other.min_overlap)
        return RbarSums(self.total + other.total, self.pairs + other.pairs, self.shared + other.shared,
                        self.omitted + other.omitted, self.n_events + other.n_events, self.min_overlap)

    def correlation(self) -> ResidualCorrelation:
        """The :class:`ResidualCorrelation` of the merged events."""
        n = self.n_events
        n_possible = n * (n - 1) // 2
        rbar = float(np.clip(self.total / n_possible, -1.0, 1.0)) if self.pairs else 0.0
        return ResidualCorrelation(rbar, self.pairs, n_possible, n, self.min_overlap, self.shared,
                                   self.omitted)


def residual_correlation(
    panel: AbnormalPanel,
    events: npt.NDArray[np.bool_] | None = None,
    *,
    start: int | None = None,
    end: int | None = None,
    min_overlap: int = 3,
    max_partners: int | None = None,
) -> ResidualCorrelation:
    """Mean pairwise correlation of estimation residuals, weighted by window overlap.

    A pair of events contributes its estimation-residual correlation ``r_ij``
    times ``d_ij / sqrt(L_i L_j)``, where ``d_ij`` is the number of session dates
    the two event windows (relative days ``[start, end]``, default the panel's
    whole event span, placed on the calendar by ``panel.event_dates``) share and
    ``L_i`` the number of sessions of window ``i``: under the null the CARs of
    the pair are correlated only through the days they share, so
    ``corr(CAR_i, CAR_j) = r_ij d_ij / sqrt(L_i L_j)``. A pair that shares no
    session contributes 0; two one-day windows on the same date contribute
    ``r_ij`` in full. ``rbar`` is the average over all ``N (N - 1) / 2`` pairs.
    (Counting every overlapping pair in full over-corrects partly overlapping
    multi-day windows: KP-BMP size 2.7% and power 10.7% at +1% for staggered
    (-1, +1) windows, against 3.8% and 15.7% with the weights.) The covariance of two events'
    CARs comes only from the calendar days they share: under the null, abnormal
    returns on different days are uncorrelated, so a pair that never shares an
    event-window session adds nothing to ``Var(sum_i SCAR_i)`` however correlated
    its estimation residuals look (Kolari & Pynnönen 2010, section on event-date
    clustering). Letting such pairs in only adds estimation noise, which the
    ``(N - 1)`` factor of the adjustment amplifies (over-rejection when events are
    scattered in calendar time). For fully scattered events ``rbar = 0`` and the
    adjusted tests equal the unadjusted ones; for events sharing one event date
    every pair overlaps and ``rbar`` is the plain mean pairwise correlation.

    The correlation of a contributing pair is computed on calendar time: each
    event's estimation residuals are placed on the calendar by
    ``panel.est_dates`` and paired on the session dates both have
    (pairwise-complete, Pearson). A pair needs at least ``min_overlap`` common
    estimation dates and non-zero variance on them, otherwise it contributes 0.
    For events sharing the same event date and estimation window this is the
    usual correlation of residuals aligned by relative day.

    Computed by :func:`banded_residual_correlation` on the session numbers of
    :func:`panel_positions` (no ``E x E`` matrix); the result is memoized on the
    panel (``panel._memo``), keyed by the events mask, ``start``, ``end`` and
    ``min_overlap``, so the tests sharing it (KP-Patell, KP-BMP, GRANK,
    Corrado-Zivney) compute it once per panel; windows whose sessions are those
    of another window shifted by a constant (each event day of a single-calendar
    panel) reuse its value, which depends only on the sessions' differences.

    Parameters
    ----------
    panel : AbnormalPanel
    events : ndarray of bool, shape (E,), optional
        Events to include (default all).
    start, end : int, optional
        Tested window of relative trading days (default the first / last day of
        ``panel.event_days``); ``end=None`` with ``start`` given means one day.
    min_overlap : int, default 3
        Minimum number of common estimation session dates for a pair to count.
    max_partners : int, optional
        Bound on the pair term's cost (default: the panel's
        ``rbar_max_partners``, ``None``: every pair). Events sorted by the first
        session of their window, each event is paired with at most this many of
        the next ones, those whose windows start soonest after its own (for
        windows of one length, the ones sharing the most sessions, so the
        largest weights). The pairs left out are counted in ``n_omitted``; each
        would have contributed ``r_ij d_ij / sqrt(L_i L_j)``, so ``rbar`` moves
        by at most ``n_omitted / (N (N - 1) / 2)`` (their weights are at most 1,
        ``|r_ij| <= 1``), towards 0 when the left-out correlations share the sign
        of the kept ones. The cost falls from the number of sharing pairs to at
        most ``N x max_partners``.

    Returns
    -------
    ResidualCorrelation

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.

    Kolari, J. W., Pape, B., & Pynnönen, S. (2018). Event study testing with
    cross-sectional correlation due to partially overlapping event windows.
    SSRN working paper 3167271.
    """
    return rbar_sums(panel, events, start=start, end=end, min_overlap=min_overlap,
                     max_partners=max_partners).correlation()


def rbar_sums(
    panel: AbnormalPanel,
    events: npt.NDArray[np.bool_] | None = None,
    *,
    start: int | None = None,
    end: int | None = None,
    min_overlap: int = 3,
    max_partners: int | None = None,
    owned: int | None = None,
) -> RbarSums:
    """The pair sums behind :func:`residual_correlation`, for a whole panel or a chunk of it.

    Parameters are those of :func:`residual_correlation`, plus:

    owned : int, optional
        The first ``owned`` rows of ``panel`` are a chunk of a larger study, the
        rest its halo: the events that follow the chunk's in the order of their
        windows' first session, up to the last one whose window starts before a
        chunk event's window ends (every possible partner). Only the pairs whose
        first event in that order is owned are summed, and ``n_events`` counts
        the owned events, so the sums of consecutive chunks merge
        (:meth:`RbarSums.merge`) into the whole study's. The owned events must
        come first in that order (the chunks of a study sorted by event
        session, ties in table order). Default: the whole panel.

    Returns
    -------
    RbarSums

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.
    """
    if min_overlap < 2:
        raise InvalidParameterError("min_overlap", "an integer >= 2", min_overlap)
    cap = panel.rbar_max_partners if max_partners is None else max_partners
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        raise InvalidParameterError("max_partners", "a positive integer or None", cap)
    days = np.asarray(panel.event_days)
    if start is None:
        start, end = (int(days.min()), int(days.max())) if days.size else (0, 0)
    end = start if end is None else end
    if start > end:
        raise InvalidParameterError("start", f"a relative day <= end ({end})", start)
    n_all = panel.n_events
    sel = np.ones(n_all, dtype=bool) if events is None else np.asarray(events, dtype=bool)
    if sel.shape != (n_all,):
        raise InvalidParameterError("events", f"a boolean mask of shape ({n_all},)", sel.shape)
    n_owned = n_all if owned is None else int(owned)
    if not 0 <= n_owned <= n_all:
        raise InvalidParameterError("owned", f"a number of rows between 0 and {n_all}", owned)
    key = ("rbar", n_all, np.packbits(sel).tobytes(), int(start), int(end), int(min_overlap), cap,
           n_owned)
    hit = panel._memo.get(key)
    if isinstance(hit, RbarSums):
        return hit
    est_pos, win_pos = panel_positions(panel)
    idx = np.flatnonzero(sel)
    wpos = win_pos[idx][:, (days >= start) & (days <= end)]
    # The value depends on the window sessions only through their differences: windows
    # that are the same sessions shifted by a constant (every event day on a single
    # calendar) give the same rbar, bit for bit.
    valid = wpos >= 0
    shift = int(wpos[valid].min()) if valid.any() else 0
    shape_key = ("rbar-shape", n_all, key[2], int(min_overlap), cap, n_owned, wpos.shape,
                 np.where(valid, wpos - shift, -1).tobytes())
    hit = panel._memo.get(shape_key)
    if isinstance(hit, RbarSums):
        panel._memo[key] = hit
        return hit
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    ev = panel._memo.get(("rbar-event-sums",))
    if not isinstance(ev, _EventSums):
        ev = _event_sums(resid, est_pos)
        panel._memo[("rbar-event-sums",)] = ev
    sums = _banded(resid, est_pos, wpos, idx, ev, min_overlap, 128, cap, n_owned)
    panel._memo[key] = panel._memo[shape_key] = sums
    return sums




def _pair_sums_dense(xb: FloatArray, mb: FloatArray, xj: FloatArray,
                     mj: FloatArray) -> tuple[FloatArray, ...]:
    """n, sx, sy, sxx, syy over common dates with masks (events with gaps)."""
    left = np.concatenate([mb, xb, xb * xb], axis=0) @ mj.T
    b = xb.shape[0]
    n, sx, sxx = left[:b], left[b:2 * b], left[2 * b:]
    right = mb @ np.concatenate([xj, xj * xj], axis=0).T
    j = xj.shape[0]
    return n, sx, right[:, :j], sxx, right[:, j:]


def _on_grid(values: FloatArray, p: IntArray, keep: npt.NDArray[np.bool_], width: int) -> FloatArray:
    """``(rows, width)`` array with ``values`` at columns ``p`` where ``keep`` (0 elsewhere)."""
    rows = p.shape[0]
    out = np.zeros((rows, width))
    flat = (p + (np.arange(rows) * width)[:, None])[keep]
    out.ravel()[flat] = values[keep]
    return out


def banded_residual_correlation(
    resid: npt.ArrayLike, pos: npt.ArrayLike, wpos: npt.ArrayLike, *, min_overlap: int = 3,
    block: int = 128,
) -> ResidualCorrelation:
    """Kolari-Pynnönen ``rbar`` from session numbers, without ``E x E`` matrices.

    The number :func:`residual_correlation` returns: the pairwise-complete
    Pearson correlations of estimation residuals (on common session numbers, at
    least ``min_overlap`` of them, non-zero variance) of the pairs whose tested
    windows share a session, each weighted by ``d_ij / sqrt(L_i L_j)`` (sessions
    shared over the windows' session counts), summed and divided by all
    ``N (N - 1) / 2`` pairs.

    Events are sorted by the first session of their window, so the candidate
    partners of event ``i`` (later events whose window starts before ``i``'s
    ends) are the contiguous run ``i+1 .. reach_i - 1``; the pairs of that band
    are the only ones visited. Events are taken ``block`` at a time: the cross
    products of a block with its partners come from one matrix product on the
    block's estimation sessions, everything else is computed on the list of
    candidate pairs. Events whose residuals are contiguous in session time get
    the per-pair counts from their session ranges and the sums from prefix sums;
    a block touching a gappy event uses masked matrix products. Windows that
    are runs of consecutive session numbers share ``d_ij`` = the overlap of
    their ranges; a block touching a window with holes (a missing session, or a
    session grid mixing calendars) counts the shared sessions exactly with an
    indicator product.

    Cost: ``O(E T)`` for the per-event sums plus ``O(P T)`` for the ``P`` candidate
    pairs (pairs whose windows' session ranges intersect); memory
    ``O(block x (block + partners) x T)``.

    Parameters
    ----------
    resid : array-like (E, T)
        Estimation residuals, NaN where missing.
    pos : array-like of int (E, T)
        Session number of each estimation slot (distinct within a row), negative
        where there is none.
    wpos : array-like of int (E, L)
        Session numbers of each event's tested window, negative where none.
    min_overlap : int, default 3
        Minimum number of common estimation sessions for a pair to count.
    block : int, default 128
        Events per block (memory against the number of matrix products).

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
    return _banded(resid, pos, np.asarray(wpos, dtype=np.int64), np.arange(resid.shape[0]),
                   _event_sums(resid, pos), min_overlap, block).correlation()


#: A block whose candidate pairs number less than (block rows x partner rows) / this
#: gets its pair sums from gathered rows (one dot product per pair) rather than from
#: a matrix product over all (row, partner) couples.
_GATHER_RATIO = 16


@dataclass(frozen=True)
class _EventSums:
    """Per-event summaries of the estimation residuals, in row order.

    ``start`` / ``end``: first and last session with a residual; ``gappy``: the
    residuals do not fill the sessions in between; ``mean``: their mean (events
    are centred on it, for accuracy); ``root``: the root sum of squares about it.
    """

    live: npt.NDArray[np.bool_]
    gappy: npt.NDArray[np.bool_]
    start: IntArray
    end: IntArray
    mean: FloatArray
    root: FloatArray


def _event_sums(resid: FloatArray, pos: IntArray, chunk: int = 8192) -> _EventSums:
    n_ev = resid.shape[0]
    big = np.iinfo(np.int64).max
    live = np.zeros(n_ev, dtype=bool)
    gappy = np.zeros(n_ev, dtype=bool)
    start = np.zeros(n_ev, dtype=np.int64)
    end = np.full(n_ev, -1, dtype=np.int64)
    mean = np.zeros(n_ev)
    root = np.zeros(n_ev)
    for c0 in range(0, n_ev, chunk):
        sl = slice(c0, min(c0 + chunk, n_ev))
        ok = np.isfinite(resid[sl]) & (pos[sl] >= 0)
        cnt = ok.sum(axis=1)
        lv = cnt > 0
        live[sl] = lv
        start[sl] = np.where(lv, np.where(ok, pos[sl], big).min(axis=1), 0)
        end[sl] = np.where(lv, np.where(ok, pos[sl], -1).max(axis=1), -1)
        gappy[sl] = lv & (end[sl] - start[sl] + 1 != cnt)
        x = np.where(ok, resid[sl], 0.0)
        mean[sl] = x.sum(axis=1) / np.maximum(cnt, 1)
        x = np.where(ok, x - mean[sl][:, None], 0.0)
        root[sl] = np.sqrt(np.einsum("ij,ij->i", x, x))
    return _EventSums(live, gappy, start, end, mean, root)


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """One BLAS thread for the block products (``threadpoolctl``).

    The products are small (a block of 128 events by its partners, a few hundred
    sessions): with two OpenBLAS threads they ran several times slower on a shared
    2-core machine (``benchmarks/bench_batch.py`` times both).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _banded(resid: FloatArray, pos: IntArray, wpos: IntArray, idx: IntArray, ev: _EventSums,
            min_overlap: int, block: int, max_partners: int | None = None,
            owned: int | None = None) -> RbarSums:
    """The band's :class:`RbarSums` over the rows ``idx`` of ``resid`` / ``pos``.

    ``wpos`` has one row per entry of ``idx``; ``ev`` summarises every row of ``resid``.
    Only pairs whose first event (by window start) is a row ``< owned`` are summed.
    """
    n_owned = int(idx.size) if owned is None else int((idx < owned).sum())
    big = np.iinfo(np.int64).max
    wok = wpos >= 0
    whave = wok.any(axis=1)
    if idx.size < 2 or not whave.any():
        return RbarSums(n_events=n_owned, min_overlap=min_overlap)
    # Two windows can share a session only if their session ranges intersect.
    ws = np.where(whave, np.where(wok, wpos, big).min(axis=1), big)
    we = np.where(whave, np.where(wok, wpos, -1).max(axis=1), -2)
    e = int(whave.sum())  # events without a window session sort last and share nothing
    order = np.argsort(ws, kind="stable")[:e]
    rows_s = idx[order]  # rows of resid / pos, sorted by window start
    e_owned = e if owned is None else int((rows_s < owned).sum())
    if owned is not None and not (rows_s[:e_owned] < owned).all():
        raise InvalidParameterError("owned", "a chunk whose windows start before its halo's",
                                    f"a halo event before an owned one (sorted row {e_owned})")
    # L_i: distinct sessions of each window (a session listed twice counts once).
    wsorted = np.sort(np.where(wok, wpos, -1)[order], axis=1)
    wlen_i = (wsorted >= 0).sum(axis=1) - ((wsorted[:, 1:] == wsorted[:, :-1])
                                            & (wsorted[:, 1:] >= 0)).sum(axis=1)
    wlen = wlen_i.astype(np.float64)
    ws, we = ws[order], we[order]
    wrun = we - ws + 1 == wlen_i  # the window is a run of consecutive session numbers
    # Candidate partners of the i-th event by window start: the next ones up to reach[i] - 1.
    reach = np.searchsorted(ws, we, side="right")
    omitted = 0
    if max_partners is not None:  # the cost bound: the nearest max_partners later starts only
        capped = np.minimum(reach, np.arange(e) + 1 + max_partners)
        omitted = int((reach - capped)[:e_owned].sum())
        reach = capped
    if int(np.maximum(reach - np.arange(e) - 1, 0)[:e_owned].sum()) == 0:
        return RbarSums(n_events=n_owned, min_overlap=min_overlap, omitted=omitted)
    wpos_s = wpos[order]
    with _one_blas_thread():
        total, pairs, shared = _band_sums(resid, pos, wpos_s, rows_s, ev, ws, we, wlen, wrun, reach,
                                          min_overlap, block, e_owned)
    return RbarSums(total, pairs, shared, omitted, n_owned, min_overlap)


def _band_sums(resid: FloatArray, pos: IntArray, wpos_s: IntArray, rows_s: IntArray, ev: _EventSums,
               ws: IntArray, we: IntArray, wlen: FloatArray, wrun: npt.NDArray[np.bool_],
               reach: IntArray, min_overlap: int, block: int, e_owned: int) -> tuple[float, int, int]:
    """``(sum of weighted r, pairs used, pairs sharing a session)`` over the band, block by block.

    Pairs whose first event is among the first ``e_owned`` (sorted) only.
    """
    e = int(e_owned)
    live_s, gappy_s = ev.live[rows_s], ev.gappy[rows_s]
    start_s, end_s, root_s, mean_s = ev.start[rows_s], ev.end[rows_s], ev.root[rows_s], ev.mean[rows_s]
    total, pairs, shared = 0.0, 0, 0
    for b0 in range(0, e, block):
        b1 = min(b0 + block, e)
        nb = b1 - b0
        j1 = int(reach[b0:b1].max())
        if j1 <= b0 + 1:
            continue
        m = j1 - b0  # the block and its partners, the block's own rows first
        # Candidate pairs (ii, jj), local row numbers: jj = ii + 1 .. reach - 1.
        k = np.maximum(reach[b0:b1] - np.arange(b0 + 1, b1 + 1), 0)
        n_pairs = int(k.sum())
        if n_pairs == 0:
            continue
        ii = np.repeat(np.arange(nb), k)
        jj = np.arange(n_pairs) - np.repeat(np.cumsum(k) - k, k) + ii + 1
        gi, gj = ii + b0, jj + b0
        # d_ij: sessions the two windows share (range overlap for runs, counted otherwise).
        if wrun[b0:j1].all():
            d = np.maximum(np.minimum(we[gi], we[gj]) - np.maximum(ws[gi], ws[gj]) + 1, 0)
        else:
            wlo = int(ws[b0])
            wwidth = int(we[b0:j1].max()) - wlo + 1
            wp = wpos_s[b0:j1] - wlo
            wmat = _on_grid(np.ones(wp.shape), wp, (wp >= 0) & (wpos_s[b0:j1] >= 0), wwidth)
            d = np.einsum("ij,ij->i", wmat[ii], wmat[jj])
        shares = d > 0
        shared += int(shares.sum())
        lb = live_s[b0:b1]
        if not lb.any():
            continue
        dlo = int(start_s[b0:b1][lb].min())
        width = int(end_s[b0:b1][lb].max()) - dlo + 1
        rows = rows_s[b0:j1]
        r_rows = resid[rows]
        p = pos[rows] - dlo
        inside = np.isfinite(r_rows) & (pos[rows] >= 0) & (p >= 0) & (p < width)
        # centred residuals on the block's estimation sessions
        dx = _on_grid(r_rows - mean_s[b0:j1, None], p, inside, width)
        if n_pairs * _GATHER_RATIO < nb * m:  # few pairs: a dot product per pair
            dm = _on_grid(np.ones(p.shape), p, inside, width)
            xi, xj, mi, mj = dx[ii], dx[jj], dm[ii], dm[jj]
            sxy = np.einsum("ij,ij->i", xi, xj)
            n = np.einsum("ij,ij->i", mi, mj)
            sx, sy = np.einsum("ij,ij->i", xi, mj), np.einsum("ij,ij->i", mi, xj)
            sxx, syy = np.einsum("ij,ij->i", xi * xi, mj), np.einsum("ij,ij->i", mi, xj * xj)
        elif gappy_s[b0:j1].any():
            sxy = (dx[:nb] @ dx.T)[ii, jj]
            dm = _on_grid(np.ones(p.shape), p, inside, width)
            n, sx, sy, sxx, syy = (a[ii, jj] for a in _pair_sums_dense(dx[:nb], dm[:nb], dx, dm))
        else:  # runs: common sessions are the intersection of two session ranges
            sxy = (dx[:nb] @ dx.T)[ii, jj]
            lo = np.maximum(start_s[gi], start_s[gj])
            hi = np.minimum(end_s[gi], end_s[gj]) + 1
            n = np.maximum(hi - lo, 0)
            # Prefix sums on the block's sessions; [lo, hi) lies inside them when n > 0.
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
        usable = shares & (n >= min_overlap) & (var_i > tol) & (var_j > tol) & np.isfinite(r)
        weight = d / np.sqrt(wlen[gi] * wlen[gj])
        total += float((r * weight)[usable].sum())
        pairs += int(usable.sum())
    return total, pairs, shared


def panel_positions(panel: AbnormalPanel) -> tuple[PosArray, PosArray]:
    """Session numbers of the estimation and event-span slots of ``panel`` (-1 for NaT).

    The sessions are numbered on one grid (:meth:`AbnormalPanel.positions`:
    the calendar's own rows for a single-calendar lean panel, else the sorted
    distinct dates of ``panel.est_dates`` and ``panel.event_dates``).
    Memoized on the panel; the arrays are read-only.
    """
    key = ("panel_positions",)
    hit = panel._memo.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    out = panel.positions()  # rows of the session grid itself on one calendar (no dates touched)
    for a in out:
        a.flags.writeable = False
    panel._memo[key] = out
    return out
