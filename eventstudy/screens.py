"""Screens that keep degenerate estimation windows from passing as results.

An event whose estimation window cannot give a meaningful variance would yield
a CAR with a zero or undefined standard error (bare NaN t and p, or an infinite
t). :func:`screen_estimation` finds such events for the whole panel at once (no
loop over events) so that the engine excludes them with a reason:

- **constant security**: the security's return is the same on every usable
  estimation day (a constant price: zero estimation variance);
- **identical to its benchmark**: the security's return equals its benchmark's on
  every usable estimation day (for models that use the benchmark);
- **perfect fit**: the model's residual variance is zero relative to the
  variance of the dependent variable (``s^2 <= 1e-12 Var(y)``), e.g. a security
  that is an exact linear function of its benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EstimationScreen", "screen_estimation"]

#: Two returns closer than this are "the same" (decimal returns; float noise is ~1e-17).
SAME_RETURN_ATOL = 1e-12
#: Residual variance at or below this fraction of Var(y) counts as a perfect fit.
PERFECT_FIT_RTOL = 1e-12


@dataclass(frozen=True)
class EstimationScreen:
    """Events flagged by :func:`screen_estimation`, and why (``""`` when not flagged)."""

    flagged: npt.NDArray[np.bool_]
    reason: npt.NDArray[np.object_]


def screen_estimation(
    r_est: npt.NDArray[np.float64],
    m_est: npt.NDArray[np.float64],
    y_est: npt.NDArray[np.float64],
    x_est: npt.NDArray[np.float64],
    sigma2: npt.NDArray[np.float64],
    candidates: npt.NDArray[np.bool_],
    uses_benchmark: npt.NDArray[np.bool_],
    benchmarks: npt.NDArray[np.str_] | npt.NDArray[np.object_],
    model: str,
) -> EstimationScreen:
    """Flag the degenerate estimation windows among ``candidates``.

    Parameters
    ----------
    r_est, m_est : ndarray (E, T)
        Security and benchmark returns on the estimation slots (NaN where missing).
    y_est : ndarray (E, T)
        Dependent variable of the fit; ``x_est`` (E, T, k) its regressors.
    sigma2 : ndarray (E,)
        Residual variance of the fit.
    candidates : ndarray of bool (E,)
        Events still included (others are not screened).
    uses_benchmark : ndarray of bool (E,)
        Events whose model uses their benchmark (the identity check applies).
    benchmarks : ndarray of str (E,)
        Benchmark names (for the reason).
    model : str
        Model name (for the reason).

    Returns
    -------
    EstimationScreen
    """
    mask = np.isfinite(y_est) & np.isfinite(r_est)
    if x_est.shape[-1]:
        mask &= np.isfinite(x_est).all(axis=2)
    n = mask.sum(axis=1)
    has = candidates & (n > 0)
    hi = np.where(mask, r_est, -np.inf).max(axis=1, initial=-np.inf)
    lo = np.where(mask, r_est, np.inf).min(axis=1, initial=np.inf)
    with np.errstate(invalid="ignore"):
        constant = has & (hi - lo <= SAME_RETURN_ATOL)
        both = mask & np.isfinite(m_est)
        same = np.where(both, np.abs(r_est - m_est) <= SAME_RETURN_ATOL, True).all(axis=1)
    identical = has & ~constant & uses_benchmark & both.any(axis=1) & same
    nf = np.maximum(n, 1).astype(np.float64)
    yy = np.where(mask, y_est, 0.0)
    ybar = yy.sum(axis=1) / nf
    var_y = np.where(mask, (yy - ybar[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n - 1, 1)
    with np.errstate(invalid="ignore"):
        perfect = has & ~constant & ~identical & (sigma2 <= PERFECT_FIT_RTOL * var_y)

    reason = np.full(r_est.shape[0], "", dtype=object)
    idx = np.flatnonzero(constant)
    reason[idx] = [
        f"zero estimation variance: the security's return is {hi[i]:.6g} on all {n[i]} estimation days"
        + (" (constant price)" if hi[i] == 0 else "") for i in idx
    ]
    idx = np.flatnonzero(identical)
    reason[idx] = [
        f"security identical to its benchmark {benchmarks[i]}: the same return on all "
        f"{int(both[i].sum())} estimation days" for i in idx
    ]
    idx = np.flatnonzero(perfect)
    reason[idx] = [
        f"zero residual variance: the {model} model fits all {n[i]} estimation returns exactly" for i in idx
    ]
    return EstimationScreen(constant | identical | perfect, reason)
