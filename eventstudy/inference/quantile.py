"""The sample-quantile (placebo) test of Gelbach, Helland & Klick (2013).

Few firms on one date are the hardest design of an event study: the
cross-section is too small for an asymptotic t, and the firms' returns are
correlated. The SQ test needs neither a large cross-section nor normality: it
holds the firms together as one portfolio and compares the portfolio's
abnormal return over the tested window with the empirical distribution of the
same-length sums of that portfolio's prediction errors over the estimation
window. Its null hypothesis is that the event window is an ordinary stretch of
the estimation period: a mean shift *or* a volatility increase on the event
day both reject it (it is dependence-robust, not variance-robust).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import check_alternative, window_mask
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray

__all__ = ["Placebo", "PlaceboPortfolio", "placebo_sums", "sq_from_sums", "sq_sums", "sq_test"]

#: How the placebo sums are formed: ``"prediction-error"`` (default) uses, for each
#: stretch of ``L`` estimation days, the errors of the model fitted without those
#: days (so they have the forecast-error variance of an event-window CAR);
#: ``"residual"`` sums the in-sample residuals (GHK's plain form; slightly too
#: narrow for multi-day windows, because residuals are shrunk by ``1 - h_tt``).
Placebo = Literal["prediction-error", "residual"]

_CHUNK = 1024  # events per chunk of the closed-form placebo sums (temporaries of M x chunk each)


def _window_sums(v: FloatArray, length: int) -> FloatArray:
    """Sums of ``length`` consecutive slots along axis 0 of ``v`` (finite), shape (M, ...)."""
    if length == 1:
        return v
    c = np.cumsum(v, axis=0)
    out = c[length - 1:].copy()
    out[1:] -= c[:-length]
    return out


def _solve_small(a: list[list[FloatArray]], b: list[FloatArray]) -> list[FloatArray]:
    """``x`` with ``a x = b``, elementwise over stacks of ``k x k`` systems given by entries.

    Closed form for ``k <= 2`` (Cramer's rule); ``numpy.linalg.solve`` above.
    """
    k = len(b)
    if k == 1:
        return [b[0] / a[0][0]]
    if k == 2:
        det = a[0][0] * a[1][1] - a[0][1] * a[1][0]
        return [(a[1][1] * b[0] - a[0][1] * b[1]) / det, (a[0][0] * b[1] - a[1][0] * b[0]) / det]
    mat = np.stack([np.stack(row, axis=-1) for row in a], axis=-2)
    sol = np.asarray(np.linalg.solve(mat, np.stack(b, axis=-1)[..., None])[..., 0], dtype=np.float64)
    return [sol[..., i] for i in range(k)]


def placebo_sums(panel: AbnormalPanel, length: int, placebo: Placebo = "prediction-error"
                 ) -> FloatArray:
    """``(E, M)`` sums of ``length`` consecutive estimation-window errors per event.

    Column ``s`` covers the estimation slots ``s .. s + length - 1``; a stretch
    with a missing residual is NaN. With ``"prediction-error"`` each stretch is
    left out of the fit: ``e~ = (I - H_ss)^-1 e_s`` with
    ``H_ss = X_s (X'X)^-1 X_s'`` (the deletion identity of OLS), so
    ``Var(sum e~) = s^2 (L + 1' X_s (X'_(s) X_(s))^-1 X_s' 1)``, the variance of
    a CAR predicted out of sample.

    Computed in closed form, without an ``L x L`` system per stretch: with
    ``A = (X'X)^-1`` and the stretch's sums ``g = X_s' 1``, ``G = X_s' X_s`` and
    ``h = X_s' e_s`` (moving sums over the slots),
    ``1' (I - X_s A X_s')^-1 e_s = 1' e_s + g' A (I - G A)^-1 h`` (the
    push-through identity ``(I - U V)^-1 = I + U (I - V U)^-1 V``), a ``k x k``
    solve per stretch.

    Parameters
    ----------
    panel : AbnormalPanel
    length : int
        Window length ``L`` (sessions).
    placebo : {"prediction-error", "residual"}

    Returns
    -------
    ndarray, shape (E, T - L + 1)

    References
    ----------
    Belsley, D. A., Kuh, E., & Welsch, R. E. (1980). Regression Diagnostics.
    Wiley (the deletion formulas for OLS).
    """
    if placebo not in ("prediction-error", "residual"):
        raise InvalidParameterError("placebo", "'prediction-error' or 'residual'", placebo)
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    n_ev, t_len = resid.shape
    m = t_len - length + 1
    if length < 1 or m < 1:
        return np.full((n_ev, 0), np.nan)
    out = np.full((n_ev, m), np.nan)
    k = panel.k
    # Slots on axis 0 (T, C): the moving sums run over contiguous rows.
    for c0 in range(0, n_ev, _CHUNK):
        c1 = min(c0 + _CHUNK, n_ev)
        e = np.ascontiguousarray(resid[c0:c1].T)
        fin = np.isfinite(e)
        if placebo == "residual" or k == 0:
            if length == 1:
                out[c0:c1] = resid[c0:c1]
                continue
            full = _window_sums(fin.astype(np.int64), length) == length
            out[c0:c1] = np.where(full, _window_sums(np.where(fin, e, 0.0), length), np.nan).T
            continue
        x = np.asarray(panel.take(slice(c0, c1)).est_x, dtype=np.float64)  # (C, T, k), this chunk only
        inv = np.asarray(panel.xtx_inv[c0:c1], dtype=np.float64)  # (C, k, k)
        xs = [np.ascontiguousarray(x[:, :, i].T) for i in range(k)]
        for xi in xs:
            fin &= np.isfinite(xi)
        full = _window_sums(fin.astype(np.int64), length) == length
        inv_ok = np.asarray(np.isfinite(inv).reshape(c1 - c0, -1).all(axis=1))
        full &= inv_ok[None, :]
        e0 = np.where(fin, e, 0.0)
        xs = [np.where(fin, xi, 0.0) for xi in xs]
        se = _window_sums(e0, length)  # 1' e_s, (M, C)
        g = [_window_sums(xi, length) for xi in xs]  # X_s' 1
        h = [np.where(full, _window_sums(xi * e0, length), 0.0) for xi in xs]  # X_s' e_s
        gram = [[_window_sums(xs[i] * xs[j], length) if j >= i else None for j in range(k)]
                for i in range(k)]  # X_s' X_s (symmetric: upper triangle)
        inv0 = np.where(np.isfinite(inv), inv, 0.0)  # A, (C, k, k)
        # a = I - G A, entry by entry (k is small); identity where the stretch is incomplete
        a = [[np.zeros(1)] * k for _ in range(k)]
        for i in range(k):
            for col in range(k):
                acc = np.zeros((m, c1 - c0))
                for j in range(k):
                    acc += (gram[i][j] if j >= i else gram[j][i]) * inv0[:, j, col]
                a[i][col] = np.where(full, float(i == col) - acc, float(i == col))
        sol = _solve_small(a, h)  # (I - G A)^-1 h
        corr = np.zeros((m, c1 - c0))
        for i in range(k):
            for j in range(k):
                corr += g[i] * inv0[:, i, j] * sol[j]
        out[c0:c1] = np.where(full, se + corr, np.nan).T
    return out


#: Events per block when the portfolio's placebo sums are accumulated (bounds the temporaries).
_BLOCK = 8192
#: Members lacking a window AR named in the SQ test's reason (the first by event id).
_NAMED = 5


@dataclass(frozen=True)
class PlaceboPortfolio:
    """What the SQ test of one window needs from a set of events (:func:`sq_sums`).

    Attributes
    ----------
    weight : float
        Total portfolio weight of the members (``w_i > 0``; ``n`` with equal weights).
    n : int
        Members.
    length : int
        Window length ``L``.
    placebo_kind : {"prediction-error", "residual"}
    car : float
        ``sum_i w_i sum_{t in W} AR_it`` over the members.
    placebo : ndarray, shape (M,)
        ``sum_i w_i Y_is`` per stretch ``s`` of ``L`` estimation days; NaN where a
        member's stretch is incomplete.
    n_missing : int
        Members lacking an AR on a window day (the test is then undefined).
    missing : tuple of str
        The first of their event ids, sorted (at most five).
    """

    weight: float
    n: int
    length: int
    placebo_kind: str
    car: float
    placebo: FloatArray
    n_missing: int = 0
    missing: tuple[str, ...] = ()

    def merge(self, other: PlaceboPortfolio) -> PlaceboPortfolio:
        if (self.length, self.placebo_kind) != (other.length, other.placebo_kind):
            raise InvalidParameterError("other", f"sums of the same window length {self.length} "
                                        f"and placebo {self.placebo_kind!r}",
                                        (other.length, other.placebo_kind))
        return PlaceboPortfolio(self.weight + other.weight, self.n + other.n, self.length,
                                self.placebo_kind, self.car + other.car, self.placebo + other.placebo,
                                self.n_missing + other.n_missing,
                                tuple(sorted(self.missing + other.missing))[:_NAMED])


def _empirical_p(x: float, y: FloatArray, alternative: Alternative) -> float:
    """``(1 + #{Y <= x}) / (M + 1)`` and mirror; two-sided doubles the smaller tail."""
    m = y.size
    lower = (1.0 + float((y <= x).sum())) / (m + 1.0)
    upper = (1.0 + float((y >= x).sum())) / (m + 1.0)
    if alternative == "less":
        return lower
    if alternative == "greater":
        return upper
    return min(1.0, 2.0 * min(lower, upper))


def sq_test(
    panel: AbnormalPanel,
    start: int,
    end: int | None = None,
    *,
    alternative: Alternative = "two-sided",
    weights: Sequence[float] | npt.ArrayLike | None = None,
    placebo: Placebo = "prediction-error",
) -> TestResult:
    """Sample-quantile test of the event portfolio's CAR (Gelbach, Helland & Klick 2013).

    The event firms are held as one portfolio with weights ``w_i`` (equal by
    default; pass market values for a value-weighted portfolio). The statistic
    is the portfolio CAR over the window ``W`` of ``L`` sessions,
    ``X = sum_{t in W} sum_i w_i AR_it``. Its null distribution is the empirical
    distribution of the ``M`` placebo sums ``Y_s = sum_i w_i sum_{t=s}^{s+L-1} e~_it``
    over every stretch of ``L`` consecutive estimation days on which every firm
    has a return (overlapping stretches; with ``placebo="prediction-error"`` the
    errors of the model fitted without the stretch, see :func:`placebo_sums`).
    Estimation slots are aligned by relative day, so firms sharing an event date
    share calendar days. p-values are the exact empirical quantiles

    ``p_less = (1 + #{Y_s <= X}) / (M + 1)``, ``p_greater = (1 + #{Y_s >= X}) / (M + 1)``,

    two-sided ``min(1, 2 min(p_less, p_greater))`` (equal tails; no symmetry
    assumed). The resolution is ``1 / (M + 1)``: with the default estimation
    window ``M`` is about 240 and the smallest two-sided p about 0.008.

    Valid under fat tails and any cross-correlation of the firms, because the
    portfolio's own history carries both. Not robust to event-induced
    variance: a volatility increase on the event day is itself a departure from
    the null (in a one-date design with the event-day sd doubled it rejects a
    zero mean about a third of the time at 5%).

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}
    weights : array-like of float, shape (E,), optional
        Portfolio weights (normalised to sum to 1); default equal.
    placebo : {"prediction-error", "residual"}

    Returns
    -------
    TestResult
        ``name="sq"``, ``distribution="empirical"``; ``statistic`` is the portfolio
        CAR. ``extra`` holds ``M`` (placebo sums), ``resolution`` (``1/(M+1)``),
        ``quantile`` (share of placebo sums below ``X``, ties half), ``L``,
        ``n_events`` and, for up to 50 events, ``per_event``: each firm's own
        CAR and two-sided empirical p-value against its own placebo sums.

    References
    ----------
    Gelbach, J. B., Helland, E., & Klick, J. (2013). Valid inference in
    single-firm, single-event studies. American Law and Economics Review 15(2),
    495-541.
    """
    alternative = check_alternative(alternative)
    start, end, mask = window_mask(panel, start, end)
    n_ev = panel.n_events
    w = np.full(n_ev, 1.0 / max(n_ev, 1)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n_ev,) or not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
        raise InvalidParameterError("weights", f"{n_ev} finite non-negative weights, not all 0",
                                    np.asarray(weights).tolist() if weights is not None else None)
    w = w / w.sum()  # the portfolio's weights (sq_sums' total weight is then 1)
    sums = placebo_sums(panel, int(mask.sum()), placebo) if n_ev <= 50 else None
    res = sq_from_sums(sq_sums(panel, start, end, weights=w, placebo=placebo, _sums=sums),
                       start, end, alternative)
    if sums is None or not res.valid:
        return res
    ar = np.asarray(panel.ar, dtype=np.float64)[:, mask]
    per: dict[str, tuple[float, float]] = {}
    for i in np.flatnonzero(w > 0):
        yi = sums[i][np.isfinite(sums[i])]
        xi = float(ar[i].sum())
        per[str(panel.event_ids[i])] = (xi, _empirical_p(xi, yi, "two-sided") if yi.size else math.nan)
    return dataclasses.replace(res, extra={**res.extra, "per_event": per})


def sq_sums(panel: AbnormalPanel, start: int, end: int | None = None, *,
            weights: FloatArray | None = None, placebo: Placebo = "prediction-error",
            _sums: FloatArray | None = None) -> PlaceboPortfolio:
    """The SQ test's sums over one chunk of events for the window ``[start, end]``.

    With the events' (unnormalised) portfolio weights ``w_i`` (default 1 each),
    the members ``w_i > 0``: their total weight, the weighted sum of their
    window ARs and, per stretch of estimation days, the weighted sum of their
    placebo sums (:func:`placebo_sums`; NaN where a member's stretch is
    incomplete), and the members lacking an AR on a window day. Chunks of any
    events merge (:meth:`PlaceboPortfolio.merge`) to the whole panel's sums;
    :func:`sq_from_sums` divides by the total weight (the portfolio's weights
    sum to 1). ``_sums``: the panel's placebo sums when already computed.
    """
    start, end, mask = window_mask(panel, start, end)
    if placebo not in ("prediction-error", "residual"):
        raise InvalidParameterError("placebo", "'prediction-error' or 'residual'", placebo)
    n_ev = panel.n_events
    w = np.ones(n_ev) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (n_ev,) or not np.isfinite(w).all() or (w < 0).any():
        raise InvalidParameterError("weights", f"{n_ev} finite non-negative weights",
                                    np.asarray(w).tolist())
    ar = np.asarray(panel.ar, dtype=np.float64)[:, mask]
    member = w > 0
    length = int(mask.sum())
    missing = member & ~np.isfinite(ar).all(axis=1)
    x = float((w[member, None] * ar[member]).sum())
    # The placebo sums depend on the length, the placebo kind and the weights only:
    # every day of a battery shares them (memoized on the panel).
    key = ("sq-placebo", length, placebo, w.tobytes())
    y_all = panel._memo.get(key)
    if y_all is None and _sums is not None:
        y_all = (w[member, None] * _sums[member]).sum(axis=0)
    elif y_all is None:  # the weighted sum over events, a block of events at a time
        rows = np.flatnonzero(member)
        acc: FloatArray | None = None
        for lo in range(0, rows.size, _BLOCK):
            r = rows[lo:lo + _BLOCK]
            part = (w[r, None] * placebo_sums(panel.take(r), length, placebo)).sum(axis=0)
            acc = part if acc is None else acc + part
        y_all = acc if acc is not None else np.zeros(max(panel.est_resid.shape[1] - length + 1, 0))
    panel._memo[key] = y_all
    ids = tuple(sorted(str(i) for i in np.asarray(panel.event_ids)[missing]))[:_NAMED]
    return PlaceboPortfolio(float(w[member].sum()), int(member.sum()), length, placebo, x,
                            np.asarray(y_all, dtype=np.float64), int(missing.sum()), ids)


def sq_from_sums(sums: PlaceboPortfolio, start: int, end: int,
                 alternative: Alternative = "two-sided") -> TestResult:
    """The SQ test from merged portfolio sums (:func:`sq_sums`).

    One implementation for the whole panel (:func:`sq_test`, which adds the
    per-event p-values for up to 50 events) and for merged chunks
    (:mod:`eventstudy.inference.chunked`). The p-value counts the placebo sums
    on either side of the portfolio CAR: the sums are exact up to the order of
    summation, and a count can differ between two orders only for a placebo sum
    within rounding (about 1e-16 relative) of the CAR.
    """
    alternative = check_alternative(alternative)
    name = "sq"
    null = ("the event-window CAR of the event portfolio is drawn from the distribution of "
            "same-length sums over the estimation window")
    if sums.n_missing:
        more = f" and {sums.n_missing - len(sums.missing)} more" if sums.n_missing > len(sums.missing) else ""
        return TestResult.invalid(name, f"the portfolio needs every member's AR on every window day; "
                                  f"missing for {', '.join(sums.missing)}{more}", null=null,
                                  distribution="empirical", alternative=alternative, nobs=sums.n)
    if not sums.weight > 0:
        return TestResult.invalid(name, "the portfolio has no member", null=null,
                                  distribution="empirical", alternative=alternative, nobs=sums.n)
    x = sums.car / sums.weight
    y_all = sums.placebo / sums.weight
    y = y_all[np.isfinite(y_all)]
    m = int(y.size)
    length = sums.length
    if m < 2:
        return TestResult.invalid(name, f"needs at least 2 placebo sums of {length} estimation days, got {m}",
                                  null=null, distribution="empirical", alternative=alternative,
                                  nobs=sums.n)
    p = _empirical_p(x, y, alternative)
    extra: dict[str, object] = {
        "M": m, "resolution": 1.0 / (m + 1), "L": length, "n_events": sums.n,
        "quantile": (float((y < x).sum()) + 0.5 * float((y == x).sum())) / m,
        "placebo": sums.placebo_kind,
    }
    return TestResult(name, x, p, None, "empirical", null, alternative, sums.n, extra=extra)
