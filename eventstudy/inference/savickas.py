"""The Savickas (2003) test on GARCH-standardised abnormal returns.

Needs the conditional variances of a GARCH study (``model="garch"``,
``"gjr-garch"`` or ``"egarch"``, :mod:`eventstudy.garch`), kept in
``panel.cond_var``; for any other model the result is invalid with the reason.
"""

from __future__ import annotations

import math

import numpy as np

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import (
    check_alternative,
    cross_section_invalid,
    pvalue,
    window_mask,
)
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray

__all__ = ["garch_standardized", "savickas_test"]

_NAME = "savickas"
_GARCH_MODELS = "model='garch', 'gjr-garch' or 'egarch'"


def _null(start: int, end: int) -> str:
    return "AAR on the day is zero" if start == end else "CAAR over the window is zero"


def garch_standardized(panel: AbnormalPanel, start: int, end: int | None = None) -> FloatArray:
    """``SCAR_i = sum_t AR_it / sqrt(sum_t h_it)`` over ``[start, end]`` (``SAR_i`` on one day).

    Days where the abnormal return or the conditional variance is missing are
    left out of both sums; an event with no such day is NaN.

    Parameters
    ----------
    panel : AbnormalPanel
        With ``cond_var`` (a GARCH study).
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.

    Returns
    -------
    ndarray, shape (E,)

    Raises
    ------
    InvalidParameterError
        The window is outside the event span, or the panel has no ``cond_var``.
    """
    start, end, mask = window_mask(panel, start, end)
    if panel.cond_var is None:
        raise InvalidParameterError("panel.cond_var", f"conditional variances ({_GARCH_MODELS})",
                                    None)
    ar = np.asarray(panel.ar, dtype=np.float64)[:, mask]
    h = np.asarray(panel.cond_var, dtype=np.float64)[:, mask]
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(ar) & np.isfinite(h) & (h > 0)
    days = ok.sum(axis=1)
    total = np.where(ok, ar, 0.0).sum(axis=1)
    var = np.where(ok, h, 0.0).sum(axis=1)
    return np.where(days > 0, total / np.sqrt(np.where(days > 0, var, 1.0)), np.nan)


def savickas_test(
    panel: AbnormalPanel, start: int, end: int | None = None, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Cross-sectional test of GARCH-standardised abnormal returns (Savickas 2003).

    ``SAR_i = AR_i0 / sqrt(h_i0)`` on one day, with ``h_i0`` the GARCH
    conditional variance of the day (one step ahead, the estimation-window
    parameters held fixed, :mod:`eventstudy.garch`); over a window
    ``SCAR_i = sum_t AR_it / sqrt(sum_t h_it)``. Then

    ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))``

    with the sample standard deviation (``ddof=1``) of the ``N`` events'
    values, referred to Student t with ``N - 1`` degrees of freedom. Like
    BMP, the cross-sectional variance absorbs an event-induced change of the
    variance, and the GARCH standardisation lets each security's volatility
    vary before and during the event; events are assumed independent.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int
        Window of relative trading days; ``end=None`` for the single day ``start``.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    TestResult
        ``name="savickas"``; ``extra`` holds ``n_events`` and ``mean`` (the mean
        SCAR). Invalid, with the reason, when the panel has no conditional
        variances (a model other than ``garch``, ``gjr-garch``, ``egarch``),
        fewer than 2 events have a value, or the values do not vary.

    Notes
    -----
    Savickas (2003) writes the test on one event day as
    ``t = S_bar / sqrt(sum_i (S_i - S_bar)^2 / (N (N - 1)))`` with
    ``S_i = gamma_i / sqrt(h_iE)``, where ``gamma_i`` is the abnormal return,
    estimated there by an event-day dummy in the mean equation of a GARCH(1,1)
    market model fitted jointly over the estimation and event periods (with an
    event-day dummy in the variance equation too), and ``h_iE`` the event-day
    conditional variance; the statistic is the expression above. This
    implementation keeps that statistic but takes ``gamma_i`` as the
    out-of-sample prediction error (the abnormal return of the other models)
    and ``h_iE`` from the estimation-window fit filtered forward, with no
    variance dummy. The multi-day ``SCAR`` (sum of ARs over the square root of
    the summed conditional variances) is this package's extension to windows.
    The paper's text was not at hand when this was written: the description of
    its model and statistic above is from its abstract and secondary accounts
    (and memory), and should be re-checked against the paper.

    References
    ----------
    Savickas, R. (2003). Event-induced volatility and tests for abnormal
    performance. Journal of Financial Research 26(2), 165-178.
    Boehmer, E., Musumeci, J., & Poulsen, A. B. (1991). Event-study methodology
    under conditions of event-induced variance. Journal of Financial Economics
    30(2), 253-272.
    """
    alternative = check_alternative(alternative)
    start, end, _ = window_mask(panel, start, end)
    null = _null(start, end)
    if panel.cond_var is None:
        return TestResult.invalid(
            _NAME, f"needs GARCH conditional variances ({_GARCH_MODELS}); the {panel.model!r} "
            "model has none", null=null, distribution="t", alternative=alternative)
    scar = garch_standardized(panel, start, end)
    x = scar[np.isfinite(scar)]
    n = int(x.size)
    invalid = cross_section_invalid(x, _NAME, null=null, alternative=alternative,
                                    what="GARCH-standardised abnormal returns")
    if invalid is not None:
        return invalid
    sd = float(x.std(ddof=1))
    mean = float(x.mean())
    stat = mean / (sd / math.sqrt(n))
    return TestResult(_NAME, stat, pvalue(stat, alternative, "t", n - 1), float(n - 1), "t", null,
                      alternative, n, extra={"n_events": n, "mean": mean})
