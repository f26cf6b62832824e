"""Screens that keep degenerate estimation windows from passing as results.

An event whose estimation window cannot give a meaningful variance would yield
a CAR with a zero or undefined standard error (bare NaN t and p, or an infinite
t). :func:`screen_estimation` finds such events for the whole panel at once (no
loop over events) so that the engine excludes them with a reason:

- **constant security**: the security's return is the same on every estimation
  day that has one (a constant price: zero estimation variance);
- **identical to its benchmark**: the security's return equals its benchmark's on
  every estimation day the model used (for models that use the benchmark);
- **perfect fit**: the residual standard deviation is below
  ``sqrt(SIGMA2_FLOOR)`` = 1e-10 (returns are decimals: no real security comes
  near), e.g. a security that is an exact linear function of its benchmark.

A security identical to its benchmark always fits perfectly, so the identity is
only checked among the perfect fits: the screen costs two passes over the
estimation returns (a max and a min) whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EstimationScreen", "screen_estimation"]

#: Two returns closer than this are "the same" (decimal returns; float noise is ~1e-17).
SAME_RETURN_ATOL = 1e-12
#: A residual variance at or below this (a residual sd of 1e-10) is a perfect fit.
SIGMA2_FLOOR = 1e-20


@dataclass(frozen=True)
class EstimationScreen:
    """Events flagged by :func:`screen_estimation`, and why (``""`` when not flagged)."""

    flagged: npt.NDArray[np.bool_]
    reason: npt.NDArray[np.object_]


def screen_estimation(
    r_est: npt.NDArray[np.float64],
    m_est: npt.NDArray[np.float64],
    resid: npt.NDArray[np.float64],
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
    resid : ndarray (E, T)
        Residuals of the fit, NaN on the slots it did not use.
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
    hi = np.fmax.reduce(r_est, axis=1) if r_est.shape[1] else np.full(r_est.shape[0], np.nan)
    lo = np.fmin.reduce(r_est, axis=1) if r_est.shape[1] else hi
    with np.errstate(invalid="ignore"):
        constant = candidates & (hi - lo <= SAME_RETURN_ATOL)
        perfect = candidates & ~constant & (sigma2 <= SIGMA2_FLOOR)
    identical = np.zeros_like(perfect)
    idx = np.flatnonzero(perfect & uses_benchmark)
    if idx.size:  # few events: the full comparison only where the fit is perfect
        used = np.isfinite(resid[idx])
        diff = np.where(used, np.abs(r_est[idx] - m_est[idx]), 0.0)
        identical[idx] = (diff <= SAME_RETURN_ATOL).all(axis=1) & used.any(axis=1)

    reason = np.full(r_est.shape[0], "", dtype=object)
    idx = np.flatnonzero(constant)
    n = np.isfinite(r_est[idx]).sum(axis=1)
    reason[idx] = [
        f"zero estimation variance: the security's return is {hi[i]:.6g} on all {k} estimation days"
        + (" (constant price)" if hi[i] == 0 else "") for i, k in zip(idx, n, strict=True)
    ]
    idx = np.flatnonzero(perfect)
    n = np.isfinite(resid[idx]).sum(axis=1)
    reason[idx] = [
        f"security identical to its benchmark {benchmarks[i]}: the same return on all {k} estimation days"
        if identical[i] else
        f"zero residual variance: the {model} model fits all {k} estimation returns exactly"
        for i, k in zip(idx, n, strict=True)
    ]
    return EstimationScreen(constant | perfect, reason)
