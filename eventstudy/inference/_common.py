"""Helpers shared by the test statistics (window selection, p-values, standardisation)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray
from eventstudy.windows import Window

BoolArray = npt.NDArray[np.bool_]

_ALTERNATIVES = ("two-sided", "less", "greater")


def check_alternative(alternative: str) -> Alternative:
    """Validate ``alternative``."""
    if alternative not in _ALTERNATIVES:
        raise InvalidParameterError("alternative", "one of 'two-sided', 'less', 'greater'", alternative)
    return alternative  # type: ignore[return-value]


@dataclass(frozen=True)
class Moments:
    """Count, sum, mean, sum of squared deviations and largest magnitude of some values."""

    n: int = 0
    total: float = 0.0
    mean: float = 0.0
    m2: float = 0.0
    max_abs: float = 0.0

    @classmethod
    def of(cls, x: FloatArray) -> Moments:
        """The moments of the values ``x`` (two passes, as :meth:`numpy.ndarray.std`)."""
        n = int(x.size)
        if n == 0:
            return cls()
        mean = float(x.mean())
        return cls(n, float(x.sum()), mean, float(((x - mean) ** 2).sum()), float(np.abs(x).max()))

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of values (Chan, Golub & LeVeque 1983)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        return Moments(n, self.total + other.total, self.mean + delta * other.n / n,
                       self.m2 + other.m2 + delta * delta * self.n * other.n / n,
                       max(self.max_abs, other.max_abs))

    @property
    def sd(self) -> float:
        """Sample standard deviation (``ddof=1``); NaN with fewer than 2 values."""
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan



@dataclass(frozen=True)
class Moments3:
    """:class:`Moments` and the sum of cubed deviations ``m3`` of some values.

    Merged exactly by the pairwise update of centred moments (Pébay 2008, the
    case ``p = 3`` of his arbitrary-order formula): with ``n = n_a + n_b`` and
    ``delta = mean_b - mean_a``,
    ``m3 = m3_a + m3_b + delta^3 n_a n_b (n_a - n_b) / n^2 + 3 delta (n_a m2_b - n_b m2_a) / n``,
    the count, mean and ``m2`` as in :meth:`Moments.merge`.

    References
    ----------
    Pébay, P. (2008). Formulas for robust, one-pass parallel computation of
    covariances and arbitrary-order statistical moments. Sandia Report
    SAND2008-6212, Sandia National Laboratories.
    """

    moments: Moments = Moments()
    m3: float = 0.0

    @classmethod
    def of(cls, x: FloatArray) -> Moments3:
        """The moments of the values ``x`` (two passes: the mean, then the deviations)."""
        m = Moments.of(x)
        if m.n == 0:
            return cls()
        return cls(m, float(((x - m.mean) ** 3).sum()))

    def merge(self, other: Moments3) -> Moments3:
        """The moments of both sets of values."""
        a, b = self.moments, other.moments
        if b.n == 0:
            return self
        if a.n == 0:
            return other
        n = a.n + b.n
        delta = b.mean - a.mean
        m3 = (self.m3 + other.m3 + delta**3 * a.n * b.n * (a.n - b.n) / (n * n)
              + 3.0 * delta * (a.n * b.m2 - b.n * a.m2) / n)
        return Moments3(a.merge(b), m3)


def moments_invalid(m: Moments, name: str, *, null: str, alternative: Alternative,
                    what: str, variance_of: str | None = None,
                    min_n: int = 2) -> TestResult | None:
    """The invalid result of a cross-sectional t test on values with moments ``m``, or ``None``.

    Undefined with fewer than ``min_n`` values ("needs at least 2 events with
    {what}") or no cross-sectional variation ("zero cross-sectional variance of
    the {variance_of or what}", relative to the values' size).
    """
    if m.n < min_n:
        return TestResult.invalid(name, f"needs at least {min_n} events with {what}, got {m.n}",
                                  null=null, distribution="t", alternative=alternative, nobs=m.n)
    if not m.sd > 1e-14 * max(1.0, m.max_abs):
        return TestResult.invalid(name, f"zero cross-sectional variance of the {variance_of or what}",
                                  null=null, distribution="t", alternative=alternative, nobs=m.n)
    return None


def cross_section_invalid(x: FloatArray, name: str, *, null: str, alternative: Alternative,
                          what: str, variance_of: str | None = None,
                          min_n: int = 2) -> TestResult | None:
    """:func:`moments_invalid` of the values ``x``."""
    return moments_invalid(Moments.of(np.asarray(x, dtype=np.float64)), name, null=null,
                           alternative=alternative, what=what, variance_of=variance_of, min_n=min_n)


def window_mask(panel: AbnormalPanel, start: int, end: int | None) -> tuple[int, int, BoolArray]:
    """Validate ``[start, end]`` (``end=None`` means one day) and return its column mask."""
    end = start if end is None else end
    if int(start) != start or int(end) != end:
        raise InvalidParameterError("start/end", "integer relative trading days", (start, end))
    start, end = int(start), int(end)
    if start > end:
        raise InvalidParameterError("start", f"a relative day <= end ({end})", start)
    days = np.asarray(panel.event_days)
    if days.size == 0 or start < days.min() or end > days.max():
        span = f"[{days.min()}, {days.max()}]" if days.size else "[] (empty)"
        raise InvalidParameterError(
            "start/end", f"a window inside the event span {span}", (start, end)
        )
    mask = panel.window_mask(start, end)
    return start, end, np.asarray(mask, dtype=bool)


def pvalue(statistic: float, alternative: Alternative, distribution: str, df: float | None = None) -> float:
    """p-value of ``statistic`` under a standard normal or Student-t reference.

    Uses the distribution functions of :mod:`scipy.special` (``ndtr``, ``stdtr``)
    directly: the same numbers as ``scipy.stats.norm`` / ``scipy.stats.t``
    without building a distribution object per call.
    """
    from scipy import special  # imported where used (start-up time)

    def sf(x: float) -> float:
        if distribution == "normal":
            return float(special.ndtr(-x))
        return float(special.stdtr(df, -x))

    if alternative == "greater":
        p = sf(statistic)
    elif alternative == "less":
        p = sf(-statistic)
    else:
        p = 2.0 * sf(abs(statistic))
    return float(min(p, 1.0))


def car(panel: AbnormalPanel, mask: BoolArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """CAR per event over the window columns and the number of days summed.

    Days with a missing abnormal return are left out; an event with no abnormal
    return in the window has CAR NaN.
    """
    ar = np.asarray(panel.ar)[:, mask]
    days = np.isfinite(ar).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        total = np.where(days > 0, np.nansum(ar, axis=1), np.nan)
    return np.asarray(total, dtype=np.float64), days.astype(np.int64)


def sigma(panel: AbnormalPanel) -> FloatArray:
    """Residual standard deviation per event, NaN where it is not positive and finite."""
    s2 = np.asarray(panel.sigma2, dtype=np.float64)
    ok = np.isfinite(s2) & (s2 > 0)
    return np.where(ok, np.sqrt(np.where(ok, s2, 1.0)), np.nan)


def standardized_estimation_residuals(panel: AbnormalPanel) -> FloatArray:
    """``e_it / s_i`` on the estimation window (no forecast-error correction)."""
    return np.asarray(panel.est_resid, dtype=np.float64) / sigma(panel)[:, None]


def standardized_ar(panel: AbnormalPanel) -> FloatArray:
    """Patell (1976) standardized abnormal returns ``AR_it / (s_i sqrt(C_it))``, shape (E, L)."""
    c = np.asarray(panel.daily_forecast_factor(), dtype=np.float64)
    c = np.where(np.isfinite(c) & (c > 0), c, np.nan)
    return np.asarray(panel.ar, dtype=np.float64) / (sigma(panel)[:, None] * np.sqrt(c))


def standardized_car(panel: AbnormalPanel, mask: BoolArray, start: int, end: int) -> FloatArray:
    """``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` with the forecast-error variance of the panel."""
    total, days = car(panel, mask)
    var = np.asarray(panel.forecast_variance(start, end), dtype=np.float64)
    ok = np.isfinite(total) & (days > 0) & np.isfinite(var) & (var > 0)
    return np.where(ok, total / np.sqrt(np.where(ok, var, 1.0)), np.nan)


def standardized_window(panel: AbnormalPanel, start: int, end: int | None) -> FloatArray:
    """SAR on one day (``end`` None or equal to ``start``) or SCAR over a window."""
    start, end, mask = window_mask(panel, start, end)
    if start == end:
        return standardized_ar(panel)[:, panel.day_index(start)]
    return standardized_car(panel, mask, start, end)


def average_ranks(values: FloatArray) -> FloatArray:
    """Average ranks (1-based) of the non-NaN values of each row of a 2-D array; NaN stays NaN.

    Equal, bit for bit, to ``scipy.stats.rankdata(values, axis=1, nan_policy="omit")``
    (method ``"average"``: tied values share the mean of the ranks they span), but
    with one ``argsort`` of the whole matrix (NaN sorts last), ranks scattered from
    ``arange`` and ties averaged, vectorised, only on the rows that have them.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise InvalidParameterError("values", "a 2-D array", v.shape)
    n_rows, m = v.shape
    out = np.empty(v.shape, dtype=np.float64)
    if v.size == 0:
        return out
    # The order among equal values does not matter (their ranks are averaged), so the
    # (faster) default sort is enough; NaN sorts to the end of each row.
    idx = np.argsort(v, axis=1)
    flat = (idx + (np.arange(n_rows) * m)[:, None]).ravel()  # sorted order, as flat indices
    s = v.ravel()[flat].reshape(n_rows, m)
    same = s[:, 1:] == s[:, :-1]  # NaN != NaN: NaNs never tie
    tied = np.flatnonzero(same.any(axis=1))
    ranks = np.arange(1.0, m + 1.0)[np.newaxis].repeat(n_rows, axis=0)
    if tied.size:
        sm = same[tied]
        k = np.arange(m)
        first = np.zeros((tied.size, m), dtype=np.int64)
        first[:, 1:] = np.where(sm, 0, k[1:])
        first = np.maximum.accumulate(first, axis=1)  # first sorted position of the run
        last = np.full((tied.size, m), m - 1, dtype=np.int64)
        last[:, :-1] = np.where(sm, m - 1, k[:-1])
        last = np.minimum.accumulate(last[:, ::-1], axis=1)[:, ::-1]  # its last position
        ranks[tied] = (first + last + 2) * 0.5
    out.ravel()[flat] = ranks.ravel()
    nan_rows = np.flatnonzero(np.isnan(s[:, -1]))  # NaN sorts last: rows with a NaN
    if nan_rows.size:
        out[nan_rows] = np.where(np.isnan(v[nan_rows]), np.nan, out[nan_rows])
    return out


def window_label(start: int, end: int, scope: str = "auto") -> str:
    """Label of a day (``"0"``) or window (``"(-1, +1)"``, ``"(0, 0)"``).

    ``scope="day"``/``"window"`` forces the kind; ``"auto"`` labels a one-day
    span as a day. Windows use :attr:`eventstudy.windows.Window.label`, as the
    CAR tables do.
    """
    if scope == "day" or (scope == "auto" and start == end):
        return str(start)
    return Window(start, end).label


def safe_float(x: Any) -> float:
    """Float, NaN for None."""
    return math.nan if x is None else float(x)
