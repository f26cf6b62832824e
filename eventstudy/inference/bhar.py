"""Buy-and-hold abnormal returns and the skewness-adjusted t test (Lyon, Barber & Tsai 1999)."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import (
    Moments3,
    check_alternative,
    cross_section_invalid,
    moments_invalid,
    pvalue,
    window_mask,
)
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray

__all__ = ["bhar", "bhar_bootstrap_test", "bhar_moments", "bhar_skew_t_from_moments",
           "bhar_skewness_adjusted_t_test", "skewness_adjusted_t"]

Resample = Literal["full", "quarter"]

_NULL = "mean BHAR over the window is zero"
_DRAW_CHUNK = 1 << 21  # bootstrap values held at once (resamples x resample size)


def bhar(panel: AbnormalPanel, start: int, end: int | None = None) -> FloatArray:
    """``BHAR_i = prod_t (1 + R_it) - prod_t (1 + R_mt)`` over ``[start, end]``.

    Both products run over the window days on which the security's and the
    benchmark's returns (``panel.raw_event``, ``panel.raw_event_market``) are both
    available; an event with no such day has BHAR NaN.

    Returns
    -------
    ndarray, shape (E,)

    References
    ----------
    Barber, B. M., & Lyon, J. D. (1997). Detecting long-run abnormal stock returns:
    The empirical power and specification of test statistics. Journal of Financial
    Economics 43(3), 341-372.
    """
    start, end, mask = window_mask(panel, start, end)
    r = np.asarray(panel.raw_event, dtype=np.float64)[:, mask]
    m = np.asarray(panel.raw_event_market, dtype=np.float64)[:, mask]
    ok = np.isfinite(r) & np.isfinite(m)
    gross = np.prod(np.where(ok, 1.0 + r, 1.0), axis=1) - np.prod(np.where(ok, 1.0 + m, 1.0), axis=1)
    return np.where(ok.any(axis=1), gross, np.nan)


def skewness_adjusted_t(x: FloatArray, centre: float = 0.0) -> FloatArray:
    """Skewness-adjusted t of the last axis: ``sqrt(n) (S + g S^2 / 3 + g / (6 n))``.

    ``S = (mean - centre) / sd`` and ``g = sum (x - mean)^3 / (n sd^3)``, with the
    sample standard deviation ``sd`` (``ddof=1``) in both (Lyon, Barber & Tsai 1999,
    eq. 5-6). Works row-wise on a 2-D array (bootstrap resamples).
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    dev = x - mean[..., None]  # the deviations once: the sd below is numpy's std(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt((dev * dev).sum(axis=-1) / max(n - 1, 0))
    # a constant sample has no sd: floating-point noise (e.g. 8.5e-18) must not make a t of 1e29
    sd = np.where(sd > 1e-14 * np.maximum(1.0, np.abs(mean)), sd, np.nan)
    return _skew_t(n, mean, sd, (dev**3).sum(axis=-1), centre)


def _skew_t(n: int, mean: FloatArray | float, sd: FloatArray | float, m3: FloatArray | float,
            centre: float = 0.0) -> FloatArray:
    """``sqrt(n) (S + g S^2 / 3 + g / (6 n))`` from the count, mean, sd and sum of cubed deviations."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (mean - centre) / sd
        g = m3 / (n * sd**3)
        return np.asarray(math.sqrt(n) * (s + g * s**2 / 3.0 + g / (6.0 * n)), dtype=np.float64)


def bhar_skewness_adjusted_t_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Skewness-adjusted t test of the mean BHAR (Lyon, Barber & Tsai 1999).

    ``t_sa = sqrt(N) (S + gamma S^2 / 3 + gamma / (6 N))`` with ``S = mean / sd`` and
    ``gamma = sum (BHAR_i - mean)^3 / (N sd^3)`` (sample ``sd``, ``ddof=1``). The
    p-value uses Student t with ``N - 1`` degrees of freedom (Johnson 1978);
    :func:`bhar_bootstrap_test` gives the bootstrapped p-value LBT recommend.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="bhar-skew-t"``; ``extra`` holds ``mean`` (mean BHAR), ``skewness``, ``n_events``.

    References
    ----------
    Lyon, J. D., Barber, B. M., & Tsai, C.-L. (1999). Improved methods for tests of
    long-run abnormal stock returns. Journal of Finance 54(1), 165-201.

    Johnson, N. J. (1978). Modified t tests and confidence intervals for asymmetrical
    populations. Journal of the American Statistical Association 73(363), 536-544.
    """
    alternative = check_alternative(alternative)
    start, end, _ = window_mask(panel, start, end)
    return bhar_skew_t_from_moments(bhar_moments(panel, start, end), start, end, alternative)


def bhar_moments(panel: AbnormalPanel, start: int, end: int | None = None) -> Moments3:
    """The moments (count, mean, ``m2``, ``m3``) of one chunk of events' finite BHARs over ``[start, end]``.

    Chunks of any events merge (:meth:`~eventstudy.inference._common.Moments3.merge`,
    Pébay 2008) to the whole panel's moments.
    """
    x = bhar(panel, start, end)
    return Moments3.of(x[np.isfinite(x)])


def bhar_skew_t_from_moments(m: Moments3, start: int, end: int,
                             alternative: Alternative = "two-sided") -> TestResult:
    """The skewness-adjusted t from the merged moments of the events' BHARs (:func:`bhar_moments`).

    One implementation for the whole panel (:func:`bhar_skewness_adjusted_t_test`)
    and for merged chunks (:mod:`eventstudy.inference.chunked`): ``S = mean / sd``,
    ``gamma = m3 / (N sd^3)``, with ``sd`` from ``m2`` (``ddof=1``).
    """
    alternative = check_alternative(alternative)
    name = "bhar-skew-t"
    invalid = moments_invalid(m.moments, name, null=_NULL, alternative=alternative, what="a BHAR",
                              variance_of="BHARs", min_n=3)
    if invalid is not None:
        return invalid
    n, mean, sd = m.moments.n, m.moments.mean, m.moments.sd
    stat = float(_skew_t(n, mean, sd, m.m3))
    return TestResult(name, stat, pvalue(stat, alternative, "t", n - 1), float(n - 1), "t", _NULL,
                      alternative, n, extra={"mean": mean, "sd": sd, "skewness": m.m3 / n / sd**3,
                                             "n_events": n})


def _check(x: FloatArray, name: str, alternative: Alternative, min_n: int = 3) -> TestResult | None:
    return cross_section_invalid(x, name, null=_NULL, alternative=alternative, what="a BHAR",
                                 variance_of="BHARs", min_n=min_n)


def _describe(x: FloatArray) -> dict[str, float | int]:
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    return {"mean": mean, "sd": sd, "skewness": float(((x - mean) ** 3).mean() / sd**3),
            "n_events": int(x.size)}


def bhar_bootstrap_test(
    panel: AbnormalPanel,
    start: int,
    end: int | None = None,
    *,
    alternative: Alternative = "two-sided",
    n_boot: int = 1000,
    seed: int = 20250127,
    resample: Resample = "full",
) -> TestResult:
    """Bootstrapped skewness-adjusted t test of the mean BHAR (Lyon, Barber & Tsai 1999).

    Draws ``n_boot`` resamples with replacement from the ``N`` BHARs, sorted
    ascending so that the result does not depend on the order of the events, with
    ``numpy.random.default_rng(seed).integers(0, N, size=(n_boot, n_b))`` and
    computes in each ``t*_b = sqrt(n_b) (S*_b + gamma*_b S*_b^2/3 + gamma*_b/(6 n_b))``
    with ``S*_b = (mean*_b - mean) / sd*_b`` (centred at the sample mean, which
    imposes the null). The p-value compares the sample ``t_sa`` with the
    bootstrap distribution: ``P(t* >= t_sa)`` (greater), ``P(t* <= t_sa)`` (less),
    twice the smaller of the two (two-sided), each as ``(1 + count) / (1 + B)``
    capped at 1. Resamples with zero variance are dropped.

    Resample size: ``resample="full"`` (default) uses ``n_b = N``, the usual
    bootstrap, because event studies are often small; ``resample="quarter"`` uses
    LBT's ``n_b = N / 4`` (floored, needs ``n_b >= 3``).

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}
    n_boot : int, default 1000
    seed : int
        Seed of ``numpy.random.default_rng``; results are reproducible.
    resample : {"full", "quarter"}

    Returns
    -------
    TestResult
        ``name="bhar-boot"``, ``distribution="bootstrap"``; ``extra`` holds the
        2.5 % / 97.5 % bootstrap critical values ``crit_lower``/``crit_upper``,
        ``n_boot`` (usable resamples), ``resample_size`` and ``seed``.

    References
    ----------
    Lyon, J. D., Barber, B. M., & Tsai, C.-L. (1999). Improved methods for tests of
    long-run abnormal stock returns. Journal of Finance 54(1), 165-201.

    Sutton, C. D. (1993). Computer-intensive methods for tests about the mean of an
    asymmetrical distribution. Journal of the American Statistical Association
    88(423), 802-810.
    """
    alternative = check_alternative(alternative)
    if resample not in ("full", "quarter"):
        raise InvalidParameterError("resample", "'full' or 'quarter'", resample)
    if int(n_boot) != n_boot or n_boot < 1:
        raise InvalidParameterError("n_boot", "a positive integer", n_boot)
    start, end, _ = window_mask(panel, start, end)
    name = "bhar-boot"
    x = bhar(panel, start, end)
    x = x[np.isfinite(x)]
    n = int(x.size)
    invalid = _check(x, name, alternative)
    if invalid is not None:
        return TestResult.invalid(name, invalid.reason, null=_NULL, distribution="bootstrap",
                                  alternative=alternative, nobs=n)
    n_b = n if resample == "full" else n // 4
    if n_b < 3:
        return TestResult.invalid(name, f"resample size N/4 = {n_b} is below 3 (N = {n})",
                                  null=_NULL, distribution="bootstrap", alternative=alternative, nobs=n)
    x = np.sort(x)
    stat = float(skewness_adjusted_t(x))
    rng = np.random.default_rng(seed)
    # Resamples drawn and reduced a chunk of rows at a time (bounded memory); the
    # generator's stream, and each row's statistic, are those of one big draw.
    step = max(1, _DRAW_CHUNK // n_b)
    centre = float(x.mean())
    tb = np.concatenate([
        skewness_adjusted_t(x[rng.integers(0, n, size=(min(step, int(n_boot) - b0), n_b))],
                            centre=centre)
        for b0 in range(0, int(n_boot), step)
    ])
    tb = tb[np.isfinite(tb)]
    b = int(tb.size)
    if b == 0:
        return TestResult.invalid(name, "every bootstrap resample had zero variance",
                                  null=_NULL, distribution="bootstrap", alternative=alternative, nobs=n)
    p_hi = (1.0 + float((tb >= stat).sum())) / (1.0 + b)
    p_lo = (1.0 + float((tb <= stat).sum())) / (1.0 + b)
    p = {"greater": p_hi, "less": p_lo, "two-sided": 2.0 * min(p_hi, p_lo)}[alternative]
    lo, hi = np.quantile(tb, [0.025, 0.975])
    extra: dict[str, float | int] = {**_describe(x), "crit_lower": float(lo), "crit_upper": float(hi),
                                     "n_boot": b, "resample_size": n_b, "seed": int(seed)}
    return TestResult(name, stat, min(p, 1.0), None, "bootstrap", _NULL, alternative, n, extra=extra)
