"""Rank tests: Corrado (1989), Corrado & Zivney (1992) and GRANK (Kolari & Pynnönen 2011).

All three rank each event's returns over its estimation window combined with the
tested window only (never the union of every window requested, so a statistic
does not depend on unrelated arguments), and scale the ranks as ``U_it = rank_it / (1 + M_i) - 1/2`` where ``M_i`` is the
event's number of non-missing values, so that missing returns are allowed and
``E[U_it] = 0`` under the null (Corrado & Zivney 1992). Ties get average ranks.

With ``N_t`` events available in slot ``t`` (slots are aligned by relative day),
the portfolio value ``z_t = sum_i U_it / sqrt(N_t)`` is variance-stabilised
(Campbell & Wasley 1993), ``S^2 = (1/T) sum_t z_t^2`` over the ``T`` slots with
data, and the test over the ``L`` tested slots ``W`` is

    Z = sum_{t in W} z_t / sqrt(L S^2).

Without missing values ``z_t = sqrt(N) Ubar_t`` and this is Corrado's
``Ubar_0 / S(Ubar)`` on a day and Cowan's (1992) multi-day
``sum_{t in W} Ubar_t / sqrt(L S(Ubar)^2)``; with missing values it equals the
``(N_t / N)`` weighting of Kolari & Pynnönen (2011).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import (
    Moments,
    average_ranks,
    check_alternative,
    pvalue,
    sigma,
    standardized_ar,
    standardized_window,
    window_mask,
)
from eventstudy.inference.correlation import ResidualCorrelation, residual_correlation
from eventstudy.inference.reducers import RankSums
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray

#: How GRANK and Corrado-Zivney re-standardise event-day values: ``"kp"`` divides
#: by the cross-sectional sd corrected for cross-correlation (``sd / sqrt(1 - rbar)``),
#: ``"cross-sectional"`` by the plain cross-sectional sd (as published).
Restandardize = Literal["kp", "cross-sectional"]

__all__ = ["Restandardize", "corrado_from_sums", "corrado_test", "corrado_zivney_from_sums",
           "corrado_zivney_test", "cz_day_scales", "cz_rank_sums", "grank_from_sums", "grank_rank_sums",
           "grank_scale", "grank_test"]


def _null(start: int, end: int) -> str:
    return (
        "abnormal returns on the day are not ranked differently from the estimation period"
        if start == end
        else "abnormal returns over the window are not ranked differently from the estimation period"
    )


def scaled_ranks(values: FloatArray) -> FloatArray:
    """``U_it = rank_it / (1 + M_i) - 1/2`` per row, NaN where ``values`` is NaN."""
    v = np.asarray(values, dtype=np.float64)
    fin = np.isfinite(v)
    m = fin.sum(axis=1, keepdims=True)
    if not bool((m == v.shape[1]).all()):
        v = np.where(fin, v, np.nan)
    ranks = average_ranks(v)  # = stats.rankdata(v, axis=1, nan_policy="omit"), much faster
    return np.asarray(ranks / (1.0 + m) - 0.5, dtype=np.float64)


def _estimation_ranks(panel: AbnormalPanel, standardized: bool) -> npt.NDArray[np.floating[Any]]:
    """Average ranks of each event's estimation values within its row (NaN where not finite).

    The raw residuals (Corrado) or ``e_it / s_i`` (Corrado-Zivney, GRANK); memoized
    on the panel, because every day and window of a battery ranks the same
    estimation values against a few event-window values.
    """
    key = ("estimation-ranks", standardized)
    hit = panel._memo.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    scale = sigma(panel)[:, None] if standardized else None
    # halves of integers below 2^23 are exact in float32: half the memory
    ranks = np.empty(resid.shape, dtype=np.float32 if resid.shape[1] < 1 << 22 else np.float64)
    for r0 in range(0, resid.shape[0], _ROWS):  # a chunk of events at a time (bounded temporaries)
        est = resid[r0:r0 + _ROWS]
        if scale is not None:
            est = est / scale[r0:r0 + _ROWS]
        ranks[r0:r0 + _ROWS] = average_ranks(np.where(np.isfinite(est), est, np.nan))
    ranks.flags.writeable = False
    panel._memo[key] = ranks
    return ranks


def _scaled_ranks_joined(est: FloatArray, est_ranks: npt.NDArray[np.floating[Any]] | None,
                         window: FloatArray) -> FloatArray:
    """``scaled_ranks(np.concatenate([est, window], axis=1))``, bit for bit, without sorting.

    ``est_ranks`` are the average ranks of ``est`` within each row. The average
    rank of a value in the union of two sets is its rank in its own set plus the
    number of the other set's values below it plus half the number equal to it
    (all exact halves in floating point), so only the comparisons of each row's
    few window values with its estimation values are needed. For a window of
    several days one sort of the joined row is faster (``est_ranks`` may then
    be ``None``).
    """
    a = np.asarray(est, dtype=np.float64)
    fa = np.isfinite(a)
    bad = ~fa
    if np.isinf(a[bad]).any():  # +-inf is not ranked (as NaN): it must not count as below / above
        a = np.where(fa, a, np.nan)
    b = np.where(np.isfinite(window), window, np.nan)
    n_rows, t_len = a.shape
    w_len = b.shape[1]
    if w_len > 1 or est_ranks is None:  # a window: one sort of the joined row beats the comparisons
        return scaled_ranks(np.concatenate([a, b], axis=1))
    out = np.empty((n_rows, t_len + w_len))
    ra = out[:, :t_len]
    ra[...] = est_ranks  # shifted in place below
    rb = average_ranks(b) if w_len else np.empty((n_rows, 0))
    if w_len == 1:  # one tested value per row (a day, GRANK's SCAR): no comparison cube
        rb[:, 0] += (a < b).sum(axis=1)  # NaN compares False: not counted
        ra += a > b
        equal = a == b
        if equal.any():  # ties between the tested value and estimation values are rare
            rb[:, 0] += 0.5 * equal.sum(axis=1)
            ra[equal] += 0.5
    out[:, t_len:] = rb
    m = fa.sum(axis=1, keepdims=True) + np.isfinite(b).sum(axis=1, keepdims=True)
    out /= 1.0 + m
    out -= 0.5
    return out


def _rank_z(u: FloatArray, tested: npt.NDArray[np.bool_]) -> tuple[float, int, int]:
    """``(Z, T, L)`` of the scaled ranks ``u`` (E, C); ``tested`` marks the columns in W."""
    return _rank_z_sums(np.nansum(u, axis=0), np.isfinite(u).sum(axis=0), tested)


def _rank_z_sums(total: FloatArray, n_t: npt.NDArray[np.int64], tested: npt.NDArray[np.bool_]
                 ) -> tuple[float, int, int]:
    """:func:`_rank_z` from the column sums of the scaled ranks and their counts."""
    have = n_t > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        z = np.where(have, total / np.sqrt(np.where(have, n_t, 1)), 0.0)
    t_slots = int(have.sum())
    length = int((have & tested).sum())
    s2 = float((z[have] ** 2).mean()) if t_slots else math.nan
    if not (length and s2 > 0):
        return math.nan, t_slots, length
    return float(z[tested & have].sum() / math.sqrt(length * s2)), t_slots, length


#: Events per chunk when the scaled ranks are summed by slot (bounds the temporaries).
_ROWS = 4096


def _joined_rank_sums(panel: AbnormalPanel, standardized: bool, rows: npt.NDArray[np.int64],
                      window: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Column sums and counts of the joined scaled ranks of the events ``rows``.

    The same numbers as ``np.nansum(u, axis=0)`` and ``np.isfinite(u).sum(axis=0)``
    of ``u = _scaled_ranks_joined(est[rows], ranks[rows], window)``, bit for bit
    (the sum over events runs in the same order, chunk after chunk), without
    holding ``u`` for every event at once.
    """
    ranks = _estimation_ranks(panel, standardized) if window.shape[1] == 1 else None
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    scale = sigma(panel) if standardized else None
    total: FloatArray | None = None
    count = np.zeros(resid.shape[1] + window.shape[1], dtype=np.int64)
    for r0 in range(0, rows.size, _ROWS):
        r = rows[r0:r0 + _ROWS]
        est = resid[r] / scale[r][:, None] if scale is not None else resid[r]
        u = _scaled_ranks_joined(est, None if ranks is None else ranks[r], window[r0:r0 + _ROWS])
        count += np.isfinite(u).sum(axis=0)
        if total is not None:  # continue the running sum: the previous total is the first row
            u = np.concatenate([total[None, :], u], axis=0)
        total = np.asarray(np.nansum(u, axis=0), dtype=np.float64)
    if total is None:
        total = np.zeros(count.size)
    return total, count


def _corrado(panel: AbnormalPanel, start: int, end: int | None, alternative: Alternative,
             *, standardized: bool, restandardize: Restandardize = "kp") -> TestResult:
    alternative = check_alternative(alternative)
    start, end, mask = window_mask(panel, start, end)
    name = "corrado-zivney" if standardized else "corrado"
    null = _null(start, end)
    if standardized:
        sar = standardized_ar(panel)[:, mask]
        moments = [Moments.of(col[np.isfinite(col)]) for col in sar.T]
        rcs: list[ResidualCorrelation | None] = [None] * len(moments)
        if restandardize == "kp":  # per tested day, rbar of the events with a SAR that day
            for j, m in enumerate(moments):
                if m.n >= 2 and m.sd > 0:
                    day = start + j
                    rcs[j] = residual_correlation(panel, np.isfinite(sar[:, j]), start=day, end=day)
        sums = cz_rank_sums(panel, start, end, cz_day_scales(moments, rcs, restandardize))
        if sums.n_events < 1:
            return TestResult.invalid(name, "no event has an abnormal return in the window",
                                      null=null, distribution="normal", alternative=alternative)
        return _rank_result(name, sums.total, sums.count, sums.n_events, start, end, alternative)
    event = np.asarray(panel.ar, dtype=np.float64)
    used = np.isfinite(event[:, mask]).any(axis=1)
    n = int(used.sum())
    if n < 1:
        return TestResult.invalid(name, "no event has an abnormal return in the window",
                                  null=null, distribution="normal", alternative=alternative)
    # Ranking span: the estimation window plus the tested window only, so the
    # statistic does not depend on which other windows were requested.
    total, n_t = _joined_rank_sums(panel, standardized, np.flatnonzero(used), event[used][:, mask])
    return _rank_result(name, total, n_t, n, start, end, alternative)


def cz_day_scales(moments: Sequence[Moments], rcs: Sequence[ResidualCorrelation | None],
                  restandardize: Restandardize = "kp") -> FloatArray:
    """Corrado–Zivney's divisor of each tested day's SARs (NaN: the day is left out).

    The day's cross-sectional sd (``ddof=1``) of the SARs with moments ``moments[j]``,
    divided by ``sqrt(1 - rbar_j)`` with ``"kp"``; a day with fewer than 2 SARs,
    no spread or an unusable ``rbar`` is left out. Shared by
    :func:`corrado_zivney_test` and merged chunks.
    """
    out = np.full(len(moments), np.nan)
    for j, (m, rc) in enumerate(zip(moments, rcs, strict=True)):
        sd = m.sd
        if not (m.n >= 2 and sd > 0):
            continue
        if restandardize == "kp":
            if rc is None or not rc.usable:
                continue
            sd /= math.sqrt(1.0 - rc.rbar)
        out[j] = sd
    return out


def cz_rank_sums(panel: AbnormalPanel, start: int, end: int, scales: FloatArray) -> RankSums:
    """The Corrado–Zivney rank sums of a set of events, each tested day's SARs divided by its scale."""
    _, _, mask = window_mask(panel, start, end)
    sar = standardized_ar(panel)[:, mask]
    ok = np.isfinite(scales)
    event = np.where(ok, sar / np.where(ok, scales, 1.0), np.nan)
    used = np.isfinite(event).any(axis=1)
    total, n_t = _joined_rank_sums(panel, True, np.flatnonzero(used), event[used])
    return RankSums(total, n_t, int(used.sum()))


def corrado_zivney_from_sums(sums: RankSums, start: int, end: int,
                             alternative: Alternative = "two-sided") -> TestResult:
    """The Corrado–Zivney test from merged rank sums (:func:`cz_rank_sums`)."""
    alternative = check_alternative(alternative)
    if sums.n_events < 1:
        return TestResult.invalid("corrado-zivney", "no event has an abnormal return in the window",
                                  null=_null(start, end), distribution="normal", alternative=alternative)
    return _rank_result("corrado-zivney", sums.total, sums.count, sums.n_events, start, end, alternative)


def corrado_from_sums(sums: RankSums, start: int, end: int,
                      alternative: Alternative = "two-sided") -> TestResult:
    """The Corrado rank test from merged rank sums (:func:`eventstudy.inference.reducers.rank_sums`).

    One implementation for the whole panel (:func:`corrado_test`) and for merged
    chunks (:mod:`eventstudy.inference.chunked`).
    """
    alternative = check_alternative(alternative)
    if sums.n_events < 1:
        return TestResult.invalid("corrado", "no event has an abnormal return in the window",
                                  null=_null(start, end), distribution="normal", alternative=alternative)
    return _rank_result("corrado", sums.total, sums.count, sums.n_events, start, end, alternative)


def _rank_result(name: str, total: FloatArray, n_t: npt.NDArray[np.int64], n: int, start: int, end: int,
                 alternative: Alternative) -> TestResult:
    null = _null(start, end)
    length = end - start + 1
    t_len = total.size - length  # estimation slots, then the tested window
    tested = np.concatenate([np.zeros(t_len, dtype=bool), np.ones(length, bool)])
    stat, t_slots, length = _rank_z_sums(total, n_t, tested)
    if not math.isfinite(stat):
        return TestResult.invalid(name, "zero variance of the mean ranks",
                                  null=null, distribution="normal", alternative=alternative, nobs=n)
    return TestResult(name, stat, pvalue(stat, alternative, "normal"), None, "normal", null,
                      alternative, n, extra={"T": t_slots, "L": length, "n_events": n})


def corrado_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Corrado (1989) rank test, with Cowan's (1992) multi-day window version.

    Ranks the raw abnormal returns (estimation residuals and event-span ARs) of
    each event over its estimation window plus the tested window, scales them as
    ``U_it = rank_it / (1 + M_i) - 1/2`` and computes

    ``Z = sum_{t in W} z_t / sqrt(L S^2)``, ``z_t = sum_i U_it / sqrt(N_t)``,
    ``S^2 = (1/T) sum_t z_t^2`` over every slot of that combined period

    (see the module docstring); standard normal. Only events with an AR in the
    window are ranked.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="corrado"``; ``extra`` holds ``T`` (slots with data), ``L``, ``n_events``.

    References
    ----------
    Corrado, C. J. (1989). A nonparametric test for abnormal security-price
    performance in event studies. Journal of Financial Economics 23(2), 385-395.

    Corrado, C. J., & Zivney, T. L. (1992). The specification and power of the sign
    test in event study hypothesis tests using daily stock returns. Journal of
    Financial and Quantitative Analysis 27(3), 465-478.

    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative
    Finance and Accounting 2(4), 343-358.

    Campbell, C. J., & Wasley, C. E. (1993). Measuring security price performance
    using daily NASDAQ returns. Journal of Financial Economics 33(1), 73-92.
    """
    return _corrado(panel, start, end, alternative, standardized=False)


def corrado_zivney_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *,
    alternative: Alternative = "two-sided", restandardize: Restandardize = "kp",
) -> TestResult:
    """Corrado & Zivney (1992) standardized rank test.

    As :func:`corrado_test`, but ranks standardized abnormal returns: estimation
    residuals ``e_it / s_i`` and, on the event span, the Patell-standardized
    ``SAR_it = AR_it / (s_i sqrt(C_it))`` divided by their cross-sectional standard
    deviation on that day (``ddof=1``), Corrado & Zivney's adjustment for
    event-induced variance. Event days with fewer than two SARs are treated as
    missing. Multi-day windows use Cowan's (1992) sum of the window's mean ranks.

    With ``restandardize="kp"`` (default) the day's sd is corrected for
    cross-correlation, ``sd_t / sqrt(1 - rbar_t)`` with ``rbar_t`` the
    Kolari–Pynnönen mean residual correlation of the events with a SAR that day
    (pairs count when they share that session): a cross-sectional sd of
    correlated SARs estimates only ``sqrt(1 - rbar)`` of their spread, which
    made the published form over-reject (9.3% at 5% with 50 events on one date,
    rho = 0.3). ``"cross-sectional"`` keeps the published form.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}
    restandardize : {"kp", "cross-sectional"}, default "kp"

    Returns
    -------
    TestResult
        ``name="corrado-zivney"``; ``extra`` holds ``T``, ``L``, ``n_events``.

    References
    ----------
    Corrado, C. J., & Zivney, T. L. (1992). The specification and power of the sign
    test in event study hypothesis tests using daily stock returns. Journal of
    Financial and Quantitative Analysis 27(3), 465-478.

    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative
    Finance and Accounting 2(4), 343-358.
    """
    return _corrado(panel, start, end, alternative, standardized=True, restandardize=restandardize)


def grank_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *,
    alternative: Alternative = "two-sided", restandardize: Restandardize = "kp",
) -> TestResult:
    """Generalized rank test GRANK-T (Kolari & Pynnönen 2011).

    Variant implemented: the event window (a single day, or the cumulative window
    ``[start, end]``) is collapsed into one observation, the re-standardized
    cumulative abnormal return ``SCAR*_i = SCAR_i / sd(SCAR)`` (``SCAR_i`` as in the
    Patell/BMP tests, with the forecast-error variance; ``sd`` the cross-sectional
    standard deviation, ``ddof=1``). It is appended to the estimation-period
    standardized residuals ``e_it / s_i`` to form the generalized standardized
    abnormal returns GSAR, which are ranked per event and scaled
    ``U_it = rank / (1 + M_i) - 1/2``. With ``Ubar_t`` the mean over the ``N_t``
    events available in slot ``t`` and ``S^2 = (1/T) sum_t (N_t/N) Ubar_t^2`` over
    the ``T`` slots (estimation days with data plus the event point),

    ``Z = Ubar_0 / S`` and ``t_grank = Z sqrt((T - 2) / (T - 1 - Z^2))``,

    Student t with ``T - 2`` degrees of freedom (the paper's eq. for GRANK-T).

    With ``restandardize="kp"`` (default) the cross-sectional sd is corrected for
    cross-correlation, ``SCAR*_i = SCAR_i sqrt(1 - rbar) / sd(SCAR)``, with the
    same window-overlap ``rbar`` as KP-BMP: the cross-sectional sd of correlated
    SCARs estimates only ``sqrt(1 - rbar)`` of their spread (Kolari & Pynnönen
    2010), and the published form over-rejected (9.7% at 5% with 50 events on one
    date, rho = 0.3). ``"cross-sectional"`` keeps the published form. With few
    events the re-standardisation is itself noisy (N - 1 degrees of freedom), so
    GRANK over-rejects at N = 6 whatever the correction: see the README's
    validation table.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}
    restandardize : {"kp", "cross-sectional"}, default "kp"

    Returns
    -------
    TestResult
        ``name="grank"``; ``extra`` holds ``Z``, ``T``, ``n_events``.

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2011). Nonparametric rank tests for event
    studies. Journal of Empirical Finance 18(5), 953-971.
    """
    alternative = check_alternative(alternative)
    start, end, _ = window_mask(panel, start, end)
    scar = standardized_window(panel, start, end)
    used = np.isfinite(scar)
    m = Moments.of(scar[used])
    rc = None
    if restandardize == "kp" and m.n >= 2 and m.sd > 0:
        rc = residual_correlation(panel, used, start=start, end=end)
    scale, invalid = grank_scale(m, rc, start, end, alternative, restandardize)
    if invalid is not None:
        return invalid
    return grank_from_sums(grank_rank_sums(panel, start, end, scale), m.n, rc, start, end, alternative)


def grank_scale(m: Moments, rc: ResidualCorrelation | None, start: int, end: int,
                alternative: Alternative = "two-sided", restandardize: Restandardize = "kp",
                ) -> tuple[float, TestResult | None]:
    """GRANK's divisor of the SCARs from their moments (and ``rbar`` with ``"kp"``), or why not.

    ``sd(SCAR)`` (``ddof=1``), divided by ``sqrt(1 - rbar)`` with ``"kp"``. Returns
    ``(scale, None)``, or ``(nan, invalid result)`` with fewer than 2 events, no
    spread, or an unusable ``rbar``. Shared by :func:`grank_test` and merged chunks.
    """
    name, null = "grank", _null(start, end)
    n = m.n
    if n < 2:
        return math.nan, TestResult.invalid(name, f"needs at least 2 events to re-standardize, got {n}",
                                            null=null, distribution="t", alternative=alternative, nobs=n)
    sd = m.sd
    if not sd > 0:
        return math.nan, TestResult.invalid(name, "zero cross-sectional variance of the standardized CARs",
                                            null=null, distribution="t", alternative=alternative, nobs=n)
    if restandardize == "kp":
        if rc is None:
            raise InvalidParameterError("rc", "the residual correlation of the GRANK events", None)
        if not rc.usable:
            return math.nan, TestResult.invalid(
                name, f"rbar = {rc.rbar:.3g} leaves no valid re-standardisation", null=null,
                distribution="t", alternative=alternative, nobs=n)
        sd /= math.sqrt(1.0 - rc.rbar)
    return sd, None


def grank_rank_sums(panel: AbnormalPanel, start: int, end: int, scale: float) -> RankSums:
    """The GRANK rank sums of a set of events: ``SCAR_i / scale`` ranked with ``e_it / s_i``."""
    scar = standardized_window(panel, start, end)
    used = np.isfinite(scar)
    total, n_t = _joined_rank_sums(panel, True, np.flatnonzero(used), (scar[used] / scale)[:, None])
    return RankSums(total, n_t, int(used.sum()))


def grank_from_sums(ranks: RankSums, n: int, rc: ResidualCorrelation | None, start: int, end: int,
                    alternative: Alternative = "two-sided") -> TestResult:
    """GRANK-T from merged rank sums (:func:`grank_rank_sums`) of ``n`` events."""
    alternative = check_alternative(alternative)
    name, null = "grank", _null(start, end)
    extra: dict[str, float | int] = {} if rc is None else dict(rc.as_extra())
    tested = np.zeros(ranks.total.size, dtype=bool)
    tested[-1] = True
    z, t_slots, _ = _rank_z_sums(ranks.total, ranks.count, tested)
    if not math.isfinite(z) or t_slots < 3:
        return TestResult.invalid(name, "too few estimation days or zero rank variance",
                                  null=null, distribution="t", alternative=alternative, nobs=n)
    room = t_slots - 1 - z * z
    if not room > 0:
        return TestResult.invalid(name, f"Z^2 = {z * z:.3g} >= T - 1 = {t_slots - 1}",
                                  null=null, distribution="t", alternative=alternative, nobs=n)
    stat = z * math.sqrt((t_slots - 2) / room)
    return TestResult(name, stat, pvalue(stat, alternative, "t", t_slots - 2), float(t_slots - 2),
                      "t", null, alternative, n, extra={"Z": z, "T": t_slots, "n_events": n, **extra})
