"""Tight bare-numpy event-study arithmetic: the bound the library is measured against (issue 10).

Written without the library (numpy only, no ``eventstudy`` import), for full data
(no missing returns, every window inside the panel, no ties among a row's ranked values):

* :func:`tight_core` -- fancy-index gather of the estimation and event rows,
  closed-form centred OLS on the market, ARs, CARs, the CAR's forecast-error
  variance and the Patell Z;
* :func:`tight_full` -- the same plus the full default battery: BMP t,
  Kolari-Pynnonen BMP with the banded ``rbar`` of :func:`blocked_rbar` and the
  Corrado rank test of :func:`corrado_z`.

Used by ``bench_batch.py``, which checks these numbers against the library to 1e-10
and times both, interleaved, in one process.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["blocked_rbar", "corrado_z", "tight_core", "tight_full"]


def tight_core(values: np.ndarray, mkt: np.ndarray, sec: np.ndarray, pos: np.ndarray,
               est: tuple[int, int], win: tuple[int, int]) -> dict[str, Any]:
    """OLS + AR + CAR + Patell for every event.

    Parameters
    ----------
    values : ndarray (S, K)
        Returns, sessions x securities.
    mkt : ndarray (S,)
        Market returns on the same sessions.
    sec, pos : ndarray of int (E,)
        Column of each event's security and row of its day 0.
    est, win : (int, int)
        Estimation window and tested (= event) window, relative days, inclusive.

    Returns
    -------
    dict
        ``alpha``, ``beta``, ``ar`` (E, L), ``car``, ``var`` (forecast-error variance of
        the CAR), ``resid`` (E, T), ``scar``, ``df`` (``T - 2``) and ``patell``.
    """
    est_rows = pos[:, None] + np.arange(est[0], est[1] + 1)
    win_rows = pos[:, None] + np.arange(win[0], win[1] + 1)
    t_len, l_len = est_rows.shape[1], win_rows.shape[1]
    y = values[est_rows, sec[:, None]]
    x = mkt[est_rows]
    xm, ym = x.mean(axis=1), y.mean(axis=1)
    xc = x - xm[:, None]
    sxx = np.einsum("ij,ij->i", xc, xc)
    beta = np.einsum("ij,ij->i", xc, y - ym[:, None]) / sxx
    alpha = ym - beta * xm
    resid = y - alpha[:, None] - beta[:, None] * x
    df = t_len - 2
    s2 = np.einsum("ij,ij->i", resid, resid) / df
    xe = mkt[win_rows]
    ar = values[win_rows, sec[:, None]] - alpha[:, None] - beta[:, None] * xe
    car = ar.sum(axis=1)
    var = s2 * (l_len + l_len**2 / t_len + (xe - xm[:, None]).sum(axis=1) ** 2 / sxx)
    scar = car / np.sqrt(var)
    patell = float(scar.sum() / math.sqrt(len(pos) * df / (df - 2.0)))
    return {"alpha": alpha, "beta": beta, "ar": ar, "car": car, "var": var, "resid": resid,
            "scar": scar, "df": df, "patell": patell}


def blocked_rbar(resid: np.ndarray, pos: np.ndarray, win_len: int, *, block: int = 128,
                 min_overlap: int = 3) -> tuple[float, int]:
    """Kolari-Pynnonen ``rbar`` over pairs whose tested windows share sessions, block by block.

    Event ``i`` has residuals on ``T`` contiguous sessions and a tested window of
    ``win_len`` contiguous sessions, both at the same offsets from its day-0 session
    ``pos_i`` for every event, so two windows share ``d_ij = win_len - |pos_i - pos_j|``
    sessions when that is positive. Each such pair contributes its Pearson correlation
    on the estimation sessions both have (``T - |pos_i - pos_j|`` of them, re-centred on
    them; at least ``min_overlap``, non-zero variances) times
    ``d_ij / sqrt(L_i L_j) = d_ij / win_len``; the sum is divided by all ``N (N - 1) / 2``
    pairs.

    Events are sorted by session; a block of ``block`` consecutive events and the later
    events within reach of its windows are placed on the block's session grid (zeros
    outside each event's estimation sessions), so one matrix product gives every cross
    product on common sessions. The sums and sums of squares on the common sessions are
    the event's totals less its first (earlier event) or last (later event) ``lag``
    values, from prefix sums over the first and last ``win_len - 1`` slots only.

    Returns
    -------
    (rbar, pairs used)
    """
    n_ev, t_len = resid.shape
    if n_ev < 2:
        return 0.0, 0
    order = np.argsort(pos, kind="stable")
    p = pos[order]
    reach = np.searchsorted(p, p + (win_len - 1), side="right")  # partners: i+1 .. reach_i - 1
    edge = min(win_len, t_len)  # lags are 0 .. win_len - 1
    head = np.zeros((n_ev, edge + 1))  # head[:, d] / head2[:, d]: sum of the first d values
    head2 = np.zeros((n_ev, edge + 1))
    tail, tail2 = np.zeros_like(head), np.zeros_like(head)  # the last d values
    front, back = resid[:, :edge], resid[:, ::-1][:, :edge]
    np.cumsum(front, axis=1, out=head[:, 1:])
    np.cumsum(front * front, axis=1, out=head2[:, 1:])
    np.cumsum(back, axis=1, out=tail[:, 1:])
    np.cumsum(back * back, axis=1, out=tail2[:, 1:])
    tot = resid.sum(axis=1)
    tot2 = np.einsum("ij,ij->i", resid, resid)
    slot = np.arange(t_len)
    total, used = 0.0, 0
    for b0 in range(0, n_ev, block):
        b1 = min(b0 + block, n_ev)
        k = reach[b0:b1] - np.arange(b0 + 1, b1 + 1)
        n_pairs = int(k.sum())
        if n_pairs == 0:
            continue
        j1 = int(reach[b1 - 1])
        rows = order[b0:j1]
        off = p[b0:j1] - p[b0]
        grid = np.zeros((j1 - b0, int(off[-1]) + t_len))
        grid[np.arange(j1 - b0)[:, None], off[:, None] + slot] = resid[rows]
        prod = grid[: b1 - b0] @ grid.T  # (block, block + partners)
        ii = np.repeat(np.arange(b1 - b0), k)
        jj = ii + 1 + np.arange(n_pairs) - np.repeat(np.cumsum(k) - k, k)
        sxy = prod[ii, jj]
        gi, gj = rows[ii], rows[jj]  # rows of resid
        lag = off[jj] - off[ii]  # j starts lag sessions later: i drops its first lag, j its last
        n = t_len - lag
        sx = tot[gi] - head[gi, lag]
        sy = tot[gj] - tail[gj, lag]
        var_i = tot2[gi] - head2[gi, lag] - sx * sx / n
        var_j = tot2[gj] - tail2[gj, lag] - sy * sy / n
        ok = (n >= min_overlap) & (var_i > 0) & (var_j > 0)
        r = (sxy - sx * sy / n)[ok] / np.sqrt(var_i[ok] * var_j[ok])
        total += float((r * (win_len - lag[ok])).sum()) / win_len
        used += int(ok.sum())
    return total / (n_ev * (n_ev - 1) // 2), used


def corrado_z(resid: np.ndarray, ar: np.ndarray) -> float:
    """Corrado (1989) / Cowan (1992) rank Z over estimation residuals plus the tested window.

    Ranks each event's ``T + L`` values, ``U = rank / (T + L + 1) - 1/2``,
    ``z_t = sum_i U_it / sqrt(N)``, ``S^2 = mean_t z_t^2`` over all ``T + L`` slots and
    ``Z = sum_{t in window} z_t / sqrt(L S^2)``. Column sums of the ranks come from one
    row-wise argsort and a weighted bincount (no rank matrix).
    """
    v = np.concatenate([resid, ar], axis=1)
    n_ev, m = v.shape
    srt = np.sort(v, axis=1)
    if bool((srt[:, 1:] == srt[:, :-1]).any()):
        raise ValueError("tight corrado_z assumes no ties within an event's ranked values")
    idx = np.argsort(v, axis=1)
    rank_sum = np.bincount(idx.ravel(), weights=np.tile(np.arange(1.0, m + 1.0), n_ev), minlength=m)
    z = (rank_sum / (m + 1.0) - 0.5 * n_ev) / math.sqrt(n_ev)
    s2 = float((z * z).mean())
    l_len = ar.shape[1]
    return float(z[-l_len:].sum() / math.sqrt(l_len * s2))


def tight_full(values: np.ndarray, mkt: np.ndarray, sec: np.ndarray, pos: np.ndarray,
               est: tuple[int, int], win: tuple[int, int]) -> dict[str, Any]:
    """:func:`tight_core` plus BMP, KP-BMP (``rbar`` from :func:`blocked_rbar`) and Corrado."""
    out = tight_core(values, mkt, sec, pos, est, win)
    scar = out["scar"]
    n = scar.size
    bmp = float(scar.mean() / (scar.std(ddof=1) / math.sqrt(n)))
    rbar, _ = blocked_rbar(out["resid"], pos, win[1] - win[0] + 1)
    kp = bmp * math.sqrt((1.0 - rbar) / (1.0 + (n - 1) * rbar))
    out.update({"bmp": bmp, "rbar": rbar, "kp-bmp": kp, "corrado": corrado_z(out["resid"], out["ar"])})
    return out


if __name__ == "__main__":  # the timing lives in bench_batch.py (kept so the old command still runs)
    from bench_batch import main

    raise SystemExit(main())
