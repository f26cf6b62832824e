"""Parametric tests of the AAR (one day) and the CAAR (a window).

Every function takes the panel and a window ``[start, end]`` of relative trading
days (``end=None`` or ``end == start`` for a single event day) and returns a
:class:`~eventstudy.inference.result.TestResult`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import (
    Moments,
    car,
    check_alternative,
    moments_invalid,
    pvalue,
    window_mask,
)
from eventstudy.inference.correlation import ResidualCorrelation, residual_correlation
from eventstudy.inference.reducers import PortfolioSums, StandardizedSums, standardized_sums
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray

__all__ = [
    "bmp_from_sums",
    "bmp_test",
    "brown_warner_time_series_test",
    "bw_ts_from_sums",
    "car_t_from_moments",
    "cross_sectional_t_test",
    "kp_bmp_test",
    "kp_patell_test",
    "patell_from_sums",
    "patell_test",
    "portfolio_sums",
]

def _null(start: int, end: int) -> str:
    return "AAR on the day is zero" if start == end else "CAAR over the window is zero"


def cross_sectional_t_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Cross-sectional t test of the AAR / CAAR.

    ``t = mean(CAR_i) / (sd(CAR_i) / sqrt(N))`` with the sample standard deviation
    (``ddof=1``) of the ``N`` events' CARs over ``[start, end]`` (the ARs on a single
    day); Student t with ``N - 1`` degrees of freedom. Days with a missing AR are
    left out of an event's CAR; events without any AR in the window are dropped.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="car-t"``; ``extra`` holds ``mean`` (the CAAR) and ``n_events``.

    References
    ----------
    Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: The case of
    event studies. Journal of Financial Economics 14(1), 3-31.
    """
    alternative = check_alternative(alternative)
    start, end, mask = window_mask(panel, start, end)
    x, _ = car(panel, mask)
    return car_t_from_moments(Moments.of(x[np.isfinite(x)]), start, end, alternative)


def car_t_from_moments(m: Moments, start: int, end: int,
                       alternative: Alternative = "two-sided") -> TestResult:
    """The cross-sectional t from the moments of the events' finite CARs (or ARs on a day).

    One implementation for the whole panel (:func:`cross_sectional_t_test`) and for
    merged chunks (:mod:`eventstudy.inference.chunked`).
    """
    alternative = check_alternative(alternative)
    name, null = "car-t", _null(start, end)
    invalid = moments_invalid(m, name, null=null, alternative=alternative, what="abnormal returns")
    if invalid is not None:
        return invalid
    n, mean, sd = m.n, m.mean, m.sd
    stat = mean / (sd / math.sqrt(n))
    return TestResult(name, stat, pvalue(stat, alternative, "t", n - 1), float(n - 1), "t", null,
                      alternative, n, extra={"mean": mean, "sd": sd, "n_events": n})


def brown_warner_time_series_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Time-series (crude dependence adjustment) test of the AAR / CAAR.

    The standard deviation of the AAR is estimated from the time series of the
    equally weighted portfolio of estimation residuals, aligned by relative day:
    ``Abar_s = mean_i e_is`` over the events with a residual in slot ``s``, and
    ``S = sqrt(sum_s (Abar_s - mean Abar)^2 / (T - 1))`` over the ``T`` slots with
    at least one residual. The statistic is ``AAR_0 / S`` on a day and
    ``CAAR / (sqrt(L) S)`` over a window, with ``CAAR = sum_t AAR_t`` and ``L`` the
    window days with at least one AR; Student t with ``T - 1`` degrees of freedom.
    Because the variance comes from a portfolio, cross-sectional correlation of
    events sharing calendar dates is accounted for.

    Only events with at least one abnormal return in the window enter both the
    AAR and the estimation portfolio.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="bw-ts"``; ``extra`` holds ``caar``, ``sd``, ``T``, ``L``, ``n_events``.

    References
    ----------
    Brown, S. J., & Warner, J. B. (1980). Measuring security price performance.
    Journal of Financial Economics 8(3), 205-258.

    Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: The case of
    event studies. Journal of Financial Economics 14(1), 3-31.
    """
    alternative = check_alternative(alternative)
    start, end, _ = window_mask(panel, start, end)
    return bw_ts_from_sums(portfolio_sums(panel, start, end), start, end, alternative)


def portfolio_sums(panel: AbnormalPanel, start: int, end: int | None = None) -> PortfolioSums:
    """The Brown–Warner sums of one chunk of events for the window ``[start, end]``.

    Over the events with an abnormal return in the window: per window day the sum
    and count of their abnormal returns, per estimation slot those of their
    estimation residuals. Chunks of any events merge
    (:meth:`~eventstudy.inference.reducers.PortfolioSums.merge`) to the whole panel's sums.
    """
    start, end, mask = window_mask(panel, start, end)
    ar = np.asarray(panel.ar, dtype=np.float64)[:, mask]
    used = np.isfinite(ar).any(axis=1)
    ar = ar[used]
    fin = np.isfinite(ar)
    total, count = _portfolio(panel, np.asarray(used, dtype=bool))
    return PortfolioSums(int(used.sum()), np.where(fin, ar, 0.0).sum(axis=0),
                         fin.sum(axis=0).astype(np.int64), total, count)


def bw_ts_from_sums(sums: PortfolioSums, start: int, end: int,
                    alternative: Alternative = "two-sided") -> TestResult:
    """The Brown–Warner time-series t from merged portfolio sums (:func:`portfolio_sums`).

    One implementation for the whole panel (:func:`brown_warner_time_series_test`)
    and for merged chunks (:mod:`eventstudy.inference.chunked`).
    """
    alternative = check_alternative(alternative)
    name, null = "bw-ts", _null(start, end)
    n = sums.n
    if n < 1:
        return TestResult.invalid(name, "no event has an abnormal return in the window",
                                  null=null, distribution="t", alternative=alternative)
    n_t = sums.ar_count
    with np.errstate(invalid="ignore", divide="ignore"):
        aar = np.where(n_t > 0, sums.ar_total / n_t, np.nan)
        port = np.where(sums.resid_count > 0, sums.resid_total / sums.resid_count, np.nan)
    port = port[np.isfinite(port)]
    t_slots = int(port.size)
    length = int((n_t > 0).sum())
    if t_slots < 2:
        return TestResult.invalid(name, f"needs at least 2 estimation days with residuals, got {t_slots}",
                                  null=null, distribution="t", alternative=alternative, nobs=n)
    sd = float(port.std(ddof=1))
    if not sd > 0:
        return TestResult.invalid(name, "zero variance of the estimation-window average residual",
                                  null=null, distribution="t", alternative=alternative, nobs=n)
    caar = float(np.nansum(aar))
    stat = caar / (math.sqrt(length) * sd)
    return TestResult(name, stat, pvalue(stat, alternative, "t", t_slots - 1), float(t_slots - 1),
                      "t", null, alternative, n,
                      extra={"caar": caar, "sd": sd, "T": t_slots, "L": length, "n_events": n})


def _portfolio(panel: AbnormalPanel, used: npt.NDArray[np.bool_]
               ) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Sum and count of the finite estimation residuals per slot over the events ``used``.

    Memoized on the panel (every day of a battery usually uses the same events).
    """
    key = ("bw-portfolio", used.size, np.packbits(used).tobytes())
    hit = panel._memo.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    rows = np.flatnonzero(used)
    total = np.zeros(resid.shape[1])
    count = np.zeros(resid.shape[1], dtype=np.int64)
    for lo in range(0, rows.size, _ROWS):  # sums and counts a block of events at a time
        block = resid[rows[lo:lo + _ROWS]]
        fin = np.isfinite(block)
        total += np.where(fin, block, 0.0).sum(axis=0)
        count += fin.sum(axis=0)
    panel._memo[key] = (total, count)
    return total, count


#: Events per block when the estimation residuals are reduced by slot (bounds the temporaries).
_ROWS = 4096


def patell_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Patell (1976) standardized-residual Z test with the forecast-error correction.

    On a day, ``SAR_i = AR_i / (s_i sqrt(C_i))`` with ``C_i`` from
    :meth:`AbnormalPanel.daily_forecast_factor` (``1 + 1/T_i + (Rm - mean Rm)^2 / Smm``
    for the market model). Over a window, ``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` with
    ``Var(CAR_i)`` from :meth:`AbnormalPanel.forecast_variance`. Each standardized
    value is ``t(d_i)`` with ``d_i = T_i - k`` (``panel.df_resid``), variance
    ``d_i / (d_i - 2)``, and ``Z = sum_i SCAR_i / sqrt(sum_i d_i / (d_i - 2))`` is
    standard normal. Events with ``d_i <= 2`` are left out.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="patell"``; ``extra`` holds ``n_events`` and ``mean_T`` (mean ``T_i``).

    References
    ----------
    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price
    behavior: Empirical tests. Journal of Accounting Research 14(2), 246-276.

    Mikkelson, W. H., & Partch, M. M. (1988). Withdrawn security offerings.
    Journal of Financial and Quantitative Analysis 23(2), 119-133.
    """
    return _patell(panel, start, end, alternative, adjust=False)


def kp_patell_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Patell Z adjusted for cross-sectional correlation (Kolari & Pynnönen 2010).

    ``Z_adj = Z / sqrt(1 + (N - 1) rbar)`` with ``Z`` from :func:`patell_test` and
    ``rbar`` the mean pairwise correlation of the events' estimation residuals,
    paired on calendar dates, where only pairs whose windows ``[start, end]``
    share a session contribute (others count as 0; CARs on different days are
    uncorrelated under the null), averaged over all ``N (N - 1) / 2`` pairs
    (:func:`~eventstudy.inference.correlation.residual_correlation`).

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="kp-patell"``; ``extra`` adds ``rbar``, ``rbar_pairs``,
        ``rbar_overlap_pairs``, ``rbar_possible_pairs``.

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.

    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price
    behavior: Empirical tests. Journal of Accounting Research 14(2), 246-276.
    """
    return _patell(panel, start, end, alternative, adjust=True)


def _patell(panel: AbnormalPanel, start: int, end: int | None, alternative: Alternative,
            *, adjust: bool) -> TestResult:
    start, end, _ = window_mask(panel, start, end)
    sums, finite = standardized_sums(panel, start, end)  # the reducer (eventstudy.inference.reducers)
    rc = None
    if adjust and sums.patell_n >= 2:
        rc = residual_correlation(panel, finite & (np.asarray(panel.df_resid) > 2), start=start, end=end)
    return patell_from_sums(sums, rc, start, end, alternative, adjust=adjust)


def patell_from_sums(sums: StandardizedSums, rc: ResidualCorrelation | None, start: int, end: int,
                     alternative: Alternative = "two-sided", *, adjust: bool = False) -> TestResult:
    """The Patell Z (``adjust``: the KP-Patell Z with ``rc``) from merged window sums.

    One implementation for the whole panel (:func:`patell_test`,
    :func:`kp_patell_test`) and for a study whose chunks were reduced apart
    (:mod:`eventstudy.inference.chunked`).
    """
    alternative = check_alternative(alternative)
    name, null = ("kp-patell" if adjust else "patell"), _null(start, end)
    n = sums.patell_n
    if n < 1:
        return TestResult.invalid(name, "no event has a standardized abnormal return with T_i - k > 2",
                                  null=null, distribution="normal", alternative=alternative)
    if adjust and n < 2:
        return TestResult.invalid(name, "needs at least 2 events for the correlation adjustment",
                                  null=null, distribution="normal", alternative=alternative, nobs=n)
    stat = float(sums.patell_total / math.sqrt(sums.patell_var))
    extra: dict[str, float | int] = {"n_events": n, "mean_T": sums.patell_nobs / n}
    if adjust:
        if rc is None:
            raise InvalidParameterError("rc", "the residual correlation of the Patell events", None)
        factor = 1.0 + (n - 1) * rc.rbar
        extra.update(rc.as_extra())
        if not factor > 0:
            return TestResult.invalid(name, f"1 + (N-1) rbar = {factor:.3g} is not positive",
                                      null=null, distribution="normal", alternative=alternative, nobs=n)
        stat /= math.sqrt(factor)
    return TestResult(name, stat, pvalue(stat, alternative, "normal"), None, "normal", null,
                      alternative, n, extra=extra)


def bmp_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Standardized cross-sectional test (Boehmer, Musumeci & Poulsen 1991).

    ``t = mean(SCAR_i) / (sd(SCAR_i) / sqrt(N))`` on the Patell-standardized values
    (``SAR_i`` on a day, ``SCAR_i`` over a window, see :func:`patell_test`), sample
    standard deviation with ``ddof=1``; Student t with ``N - 1`` degrees of freedom.
    Robust to event-induced variance.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="bmp"``; ``extra`` holds ``n_events``.

    References
    ----------
    Boehmer, E., Musumeci, J., & Poulsen, A. B. (1991). Event-study methodology
    under conditions of event-induced variance. Journal of Financial Economics
    30(2), 253-272.
    """
    return _bmp(panel, start, end, alternative, adjust=False)


def kp_bmp_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """BMP test adjusted for cross-sectional correlation (Kolari & Pynnönen 2010).

    ``t_adj = t_BMP sqrt((1 - rbar) / (1 + (N - 1) rbar))`` with ``rbar`` the mean
    pairwise correlation of the events' estimation residuals paired on calendar
    dates, where only pairs whose windows ``[start, end]`` share a session
    contribute (others count as 0), averaged over all ``N (N - 1) / 2`` pairs
    (:func:`~eventstudy.inference.correlation.residual_correlation`); Student t
    with ``N - 1`` degrees of freedom.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="kp-bmp"``; ``extra`` adds ``rbar``, ``rbar_pairs``,
        ``rbar_overlap_pairs``, ``rbar_possible_pairs``.

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.

    Boehmer, E., Musumeci, J., & Poulsen, A. B. (1991). Event-study methodology
    under conditions of event-induced variance. Journal of Financial Economics
    30(2), 253-272.
    """
    return _bmp(panel, start, end, alternative, adjust=True)


def _bmp(panel: AbnormalPanel, start: int, end: int | None, alternative: Alternative,
         *, adjust: bool) -> TestResult:
    start, end, _ = window_mask(panel, start, end)
    sums, used = standardized_sums(panel, start, end)  # the reducer (eventstudy.inference.reducers)
    rc = None
    if adjust and sums.values.n >= 2:
        rc = residual_correlation(panel, used, start=start, end=end)
    return bmp_from_sums(sums, rc, start, end, alternative, adjust=adjust)


def bmp_from_sums(sums: StandardizedSums, rc: ResidualCorrelation | None, start: int, end: int,
                  alternative: Alternative = "two-sided", *, adjust: bool = False) -> TestResult:
    """The BMP t (``adjust``: the KP-BMP t with ``rc``) from merged window sums.

    One implementation for the whole panel (:func:`bmp_test`, :func:`kp_bmp_test`)
    and for a study whose chunks were reduced apart (:mod:`eventstudy.inference.chunked`).
    """
    alternative = check_alternative(alternative)
    name, null = ("kp-bmp" if adjust else "bmp"), _null(start, end)
    m = sums.values
    n = m.n
    invalid = moments_invalid(m, name, null=null, alternative=alternative,
                              what="standardized abnormal returns")
    if invalid is not None:
        return invalid
    stat = m.mean / (m.sd / math.sqrt(n))
    extra: dict[str, float | int] = {"n_events": n}
    if adjust:
        if rc is None:
            raise InvalidParameterError("rc", "the residual correlation of the BMP events", None)
        factor = 1.0 + (n - 1) * rc.rbar
        extra.update(rc.as_extra())
        if not factor > 0 or not rc.usable:
            return TestResult.invalid(name, f"rbar = {rc.rbar:.3g} leaves no valid adjustment",
                                      null=null, distribution="t", alternative=alternative, nobs=n)
        stat *= math.sqrt((1.0 - rc.rbar) / factor)
    return TestResult(name, stat, pvalue(stat, alternative, "t", n - 1), float(n - 1), "t", null,
                      alternative, n, extra=extra)
