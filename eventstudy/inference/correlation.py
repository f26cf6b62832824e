"""Average cross-correlation of estimation-window residuals, aligned in calendar time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from eventstudy.errors import InvalidParameterError
from eventstudy.panel import AbnormalPanel

__all__ = ["ResidualCorrelation", "residual_correlation"]


@dataclass(frozen=True)
class ResidualCorrelation:
    """Mean pairwise correlation ``rbar`` of estimation residuals.

    Attributes
    ----------
    rbar : float
        Mean of the pairwise correlations that could be computed; 0.0 when no
        pair of events shares enough calendar dates (``n_pairs == 0``), in which
        case the Kolari–Pynnönen adjustments leave the tests unchanged.
    n_pairs : int
        Number of event pairs whose correlation entered ``rbar``.
    n_possible : int
        ``N (N - 1) / 2`` for the ``N`` events considered.
    n_events : int
        Events considered.
    min_overlap : int
        Minimum number of common session dates a pair needed.
    """

    rbar: float
    n_pairs: int
    n_possible: int
    n_events: int
    min_overlap: int

    def as_extra(self) -> dict[str, float | int]:
        """Entries for :attr:`TestResult.extra`."""
        return {
            "rbar": self.rbar,
            "rbar_pairs": self.n_pairs,
            "rbar_possible_pairs": self.n_possible,
        }


def residual_correlation(
    panel: AbnormalPanel,
    events: npt.NDArray[np.bool_] | None = None,
    *,
    min_overlap: int = 3,
) -> ResidualCorrelation:
    """Mean pairwise correlation of estimation residuals paired on session dates.

    Each event's estimation residuals are placed on the calendar by
    ``panel.est_dates``; two events' residuals are paired on the session dates
    both have (pairwise-complete). The Pearson correlation of every pair with at
    least ``min_overlap`` common dates and non-zero variance on them is averaged.
    Events whose estimation periods are disjoint contribute no pair. For events
    sharing the same event date and estimation window this is the usual
    correlation of residuals aligned by relative day.

    Parameters
    ----------
    panel : AbnormalPanel
    events : ndarray of bool, shape (E,), optional
        Events to include (default all).
    min_overlap : int, default 3
        Minimum number of common session dates for a pair to count.

    Returns
    -------
    ResidualCorrelation

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.
    """
    if min_overlap < 2:
        raise InvalidParameterError("min_overlap", "an integer >= 2", min_overlap)
    resid = np.asarray(panel.est_resid, dtype=np.float64)
    dates = np.asarray(panel.est_dates).astype("datetime64[D]")
    if events is not None:
        sel = np.asarray(events, dtype=bool)
        resid, dates = resid[sel], dates[sel]
    n_events = int(resid.shape[0])
    n_possible = n_events * (n_events - 1) // 2
    ok = np.isfinite(resid) & ~np.isnat(dates)
    if n_events < 2 or not ok.any():
        return ResidualCorrelation(0.0, 0, n_possible, n_events, min_overlap)

    # Calendar matrix (E, D): residual of event i on session date d, NaN otherwise.
    rows, cols = np.nonzero(ok)
    uniq, inv = np.unique(dates[rows, cols], return_inverse=True)
    cal = np.full((n_events, uniq.size), np.nan)
    cal[rows, inv] = resid[rows, cols]
    present = np.isfinite(cal)
    # Centre each event (correlations are invariant to it) for numerical accuracy.
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(np.where(present, cal, np.nan), axis=1, keepdims=True)
    x = np.where(present, cal - np.nan_to_num(centre), 0.0)
    m = present.astype(np.float64)

    # Pairwise-complete sums: n_ij, sum_i over common dates, sums of squares, cross products.
    n = m @ m.T
    sx = x @ m.T  # sx[i, j] = sum of x_i over dates where j is present too
    sxx = (x * x) @ m.T
    sxy = x @ x.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx**2 / n
        var_j = var_i.T
        denom = np.sqrt(var_i * var_j)
        r = cov / denom
    iu = np.triu_indices(n_events, k=1)
    scale = np.sqrt(sxx.diagonal())[:, None] * np.sqrt(sxx.diagonal())[None, :]
    tol = 1e-12 * np.where(scale > 0, scale, 1.0)
    usable = (n >= min_overlap) & (var_i > tol) & (var_j > tol) & np.isfinite(r)
    vals = r[iu][usable[iu]]
    if vals.size == 0:
        return ResidualCorrelation(0.0, 0, n_possible, n_events, min_overlap)
    return ResidualCorrelation(
        float(np.clip(vals.mean(), -1.0, 1.0)), int(vals.size), n_possible, n_events, min_overlap
    )
