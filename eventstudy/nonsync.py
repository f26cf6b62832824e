"""Betas for non-synchronous trading: Scholes-Williams (1977) and Dimson (1979).

A security that trades at other hours than its benchmark (a Tokyo stock against
a US index, an ADR against its home index) or trades thinly has a daily return
that reacts to the market's return of the *neighbouring* sessions too, and the
OLS market-model beta is biased. Both estimators here add the benchmark's
return of the previous and next sessions, fitted for a stack of ``E`` events at
once on the engine's arrays (shape ``(E, T)``, NaN where missing):

``dimson``
    OLS of ``R_it`` on a constant and ``R_m,t+j`` for ``j = -lags .. +lags``
    (default ``lags=1``: ``R_m,t-1``, ``R_mt``, ``R_m,t+1``); the beta is the
    sum of the slopes (Dimson 1979, the "aggregated coefficients" estimator).
``scholes_williams``
    ``b = (b_-1 + b_0 + b_+1) / (1 + 2 rho_m)``, each ``b_j`` the slope of the
    simple regression of ``R_it`` on ``R_m,t+j`` and ``rho_m`` the first-order
    autocorrelation of the market return (Scholes & Williams 1977, eq. 12).
    ``rho_m`` is computed as the sample (Pearson) correlation of the pairs
    ``(R_mt, R_m,t-1)`` over the same rows as the slopes.

Both then take the usual Scholes-Williams intercept
``alpha = mean(R_i) - beta * mean(R_m)`` over the estimation rows used, so the
abnormal return is ``AR_it = R_it - alpha - beta R_mt`` (the contemporaneous
market return only), and the residual variance is
``s2 = sum (R_it - alpha - beta R_mt)^2 / (T_i - 2)`` over the same rows.

Neighbouring sessions and missing days
--------------------------------------
``R_m,t-1`` and ``R_m,t+1`` are the benchmark's returns on the previous and
next *sessions* of the calendar grid (rows ``t - 1`` and ``t + 1``; the engine
gathers them). For the first and last estimation days they come from the
sessions just outside the window: a market return only, never the security's.
An estimation row is used only when the security's return and every market
return it needs (``R_m,t+j`` for all ``j``) are present: one sample per event
for the slopes, ``rho_m``, ``alpha`` and ``s2``. Rows missing a needed value
are dropped, never filled; :attr:`NonsyncFit.neighbour_missing` counts the rows
dropped *only* because a neighbouring session's market return is missing (or
outside the data), and :func:`nonsync_notes` reports them. A missing market
return on session ``t`` therefore removes rows ``t - lags .. t + lags``.

Variance terms
--------------
Both betas are linear in the security's returns given the market returns:
``beta = w'R`` and ``alpha = (1/n - mean(R_m) w)'R``. The fit's ``xtx_inv``
holds the matrix ``A A'`` with ``(alpha, beta)' = A R``, i.e.
``[[1/n + mean(R_m)^2 q, -mean(R_m) q], [-mean(R_m) q, q]]`` with ``q = w'w``,
so ``s2 * xtx_inv`` is the covariance of ``(alpha, beta)`` under i.i.d. errors
(for OLS, ``A A' = (X'X)^-1``: the market model's matrix). With the regressor
rows ``x_t = [1, R_mt]`` of the event days, the engine's forecast-error terms
(``Var(CAR) = s2 (L + g' A A' g)``, Patell's ``1 + x_t' A A' x_t``) are then the
variance of the prediction error of these estimators under i.i.d. errors.
For Dimson, ``q = c' S^-1 c`` (``S`` the centred cross-product matrix of the
market columns, ``c`` a vector of ones); for Scholes-Williams,
``q = d' S d / (1 + 2 rho_m)^2`` with ``d_j = 1 / S_jj``.

References
----------
Scholes, M., & Williams, J. (1977). Estimating betas from nonsynchronous data.
Journal of Financial Economics 5(3), 309-327.
Dimson, E. (1979). Risk measurement when shares are subject to infrequent
trading. Journal of Financial Economics 7(2), 197-226.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from eventstudy.errors import InvalidParameterError
from eventstudy.models import PanelFit
from eventstudy.panel import FloatArray, IntArray

__all__ = [
    "DEFAULT_LAGS",
    "NONSYNC_MODELS",
    "NonsyncFit",
    "fit_nonsync",
    "market_offsets",
    "nonsync_notes",
]

#: The models of this module (names as in :data:`eventstudy.models.MODELS`).
NONSYNC_MODELS: frozenset[str] = frozenset({"dimson", "scholes_williams"})
#: Lags (and leads) of the market return in the Dimson regression by default.
DEFAULT_LAGS = 1

_LABELS = {"dimson": "Dimson", "scholes_williams": "Scholes-Williams"}
#: A market column whose centred sum of squares is below this fraction of its
#: uncentred one is constant (up to rounding): the beta is not identified.
_REL_TOL = 1e-12


@dataclass(frozen=True)
class NonsyncFit:
    """Scholes-Williams or Dimson fits of ``E`` events.

    Attributes
    ----------
    fit : PanelFit
        ``params`` ``(alpha, beta)``, ``bse``, ``xtx_inv`` (the matrix ``A A'``
        of the module docstring), ``resid`` (``R - alpha - beta R_m`` on the rows
        used, NaN elsewhere), ``sigma2`` (``T_i - 2`` df), ``nobs``,
        ``df_resid`` and ``rank_ok`` (False where the beta is not identified).
    model : str
    offsets : tuple of int
        Sessions of the market returns used, relative to ``t`` (``-1, 0, 1``).
    slopes : ndarray, shape (E, len(offsets))
        Dimson: the multiple-regression slopes on ``R_m,t+j``; Scholes-Williams:
        the simple-regression slopes ``b_j``.
    rho : ndarray, shape (E,)
        Scholes-Williams' market autocorrelation ``rho_m`` (NaN for Dimson).
    neighbour_missing : ndarray of int, shape (E,)
        Rows with the security's and the market's same-session returns present
        but dropped because a neighbouring session's market return is missing.
    """

    fit: PanelFit
    model: str
    offsets: tuple[int, ...]
    slopes: FloatArray
    rho: FloatArray
    neighbour_missing: IntArray


def market_offsets(model: str, lags: int = DEFAULT_LAGS) -> tuple[int, ...]:
    """Sessions (relative to ``t``) whose market return ``model`` needs.

    Parameters
    ----------
    model : {"dimson", "scholes_williams"}
    lags : int, default 1
        Dimson: number of lags and of leads (``-lags .. +lags``).
        Scholes-Williams is defined for one lag and one lead: ``lags`` must be 1.

    Returns
    -------
    tuple of int
    """
    if model not in NONSYNC_MODELS:
        raise InvalidParameterError("model", f"one of {sorted(NONSYNC_MODELS)}", model)
    if not isinstance(lags, int) or isinstance(lags, bool) or lags < 1:
        raise InvalidParameterError("lags", "a positive integer", lags)
    if model == "scholes_williams" and lags != 1:
        raise InvalidParameterError(
            "lags", "1 for model 'scholes_williams' (one lag and one lead, Scholes & Williams 1977)", lags
        )
    return tuple(range(-lags, lags + 1))


def fit_nonsync(
    model: str,
    y: FloatArray,
    market: Mapping[int, FloatArray],
    lags: int = DEFAULT_LAGS,
) -> NonsyncFit:
    """Scholes-Williams or Dimson alpha and beta for every event at once.

    Parameters
    ----------
    model : {"dimson", "scholes_williams"}
    y : ndarray, shape (E, T)
        Security returns on the estimation slots, NaN where missing.
    market : mapping of int to ndarray (E, T)
        ``market[j][e, t]`` is the benchmark's return on the session ``j``
        sessions after slot ``t`` of event ``e`` (``market[0]`` the same
        session), NaN where missing; every offset of
        :func:`market_offsets` is needed.
    lags : int, default 1
        See :func:`market_offsets`.

    Returns
    -------
    NonsyncFit

    Notes
    -----
    Rows where any needed value is missing are dropped (and counted), never
    filled; see the module docstring for the sample, the intercept and the
    variance terms.

    References
    ----------
    Scholes, M., & Williams, J. (1977). Estimating betas from nonsynchronous
    data. Journal of Financial Economics 5(3), 309-327.
    Dimson, E. (1979). Risk measurement when shares are subject to infrequent
    trading. Journal of Financial Economics 7(2), 197-226.
    """
    offs = market_offsets(model, lags)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 2:
        raise InvalidParameterError("y", "a 2-D array (events x estimation slots)", f"shape {y.shape}")
    absent = [j for j in offs if j not in market]
    if absent:
        raise InvalidParameterError("market", f"market returns at the session offsets {list(offs)}",
                                    f"offsets {sorted(market)}")
    cols = [np.asarray(market[j], dtype=np.float64) for j in offs]
    bad = [j for j, c in zip(offs, cols, strict=True) if c.shape != y.shape]
    if bad:
        raise InvalidParameterError(f"market[{bad[0]}]", f"an array of shape {y.shape} (as y)",
                                    f"shape {cols[offs.index(bad[0])].shape}")
    i0 = offs.index(0)
    ms = np.stack(cols, axis=-1)  # (E, T, p)
    p = len(offs)
    own = np.isfinite(y) & np.isfinite(cols[i0])
    mask = own & np.isfinite(ms).all(axis=-1)
    nobs = mask.sum(axis=1).astype(np.int64)
    neighbour_missing = (own & ~mask).sum(axis=1).astype(np.int64)

    n = np.maximum(nobs, 1).astype(np.float64)
    w = mask.astype(np.float64)
    z = np.where(mask[..., None], ms, 0.0)
    yy = np.where(mask, y, 0.0)
    zbar = z.sum(axis=1) / n[:, None]
    ybar = yy.sum(axis=1) / n
    zc = (z - zbar[:, None, :]) * w[..., None]
    yc = (yy - ybar[:, None]) * w
    s = np.einsum("etp,etq->epq", zc, zc)
    szy = np.einsum("etp,et->ep", zc, yc)
    diag = np.diagonal(s, axis1=1, axis2=2)
    raw_ss = np.einsum("etp,etp->ep", z, z)
    ok = (nobs > p + 1) & np.all(diag > _REL_TOL * np.maximum(raw_ss, 1e-300), axis=1)

    if model == "dimson":
        eig = np.linalg.eigvalsh(s)
        ok &= eig[:, 0] > _REL_TOL * np.maximum(eig[:, -1], 1e-300)
        s_inv = np.linalg.inv(np.where(ok[:, None, None], s, np.eye(p)))
        slopes = np.einsum("epq,eq->ep", s_inv, szy)
        beta = slopes.sum(axis=1)
        q = s_inv.sum(axis=(1, 2))  # c' S^-1 c
        rho = np.full(len(n), np.nan)
    else:
        d = 1.0 / np.where(ok[:, None], diag, 1.0)
        slopes = szy * d
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = s[:, i0, i0 - 1] / np.sqrt(diag[:, i0] * diag[:, i0 - 1])
        denom = 1.0 + 2.0 * rho
        ok &= np.abs(denom) > 1e-12
        denom = np.where(ok, denom, 1.0)
        beta = slopes.sum(axis=1) / denom
        q = np.einsum("ep,epq,eq->e", d, s, d) / denom**2
        rho = np.where(ok, rho, np.nan)

    mbar = zbar[:, i0]
    alpha = ybar - beta * mbar
    params = np.where(ok[:, None], np.stack([alpha, beta], axis=1), np.nan)
    inv = np.empty((len(n), 2, 2))
    inv[:, 0, 0] = 1.0 / n + mbar**2 * q
    inv[:, 0, 1] = inv[:, 1, 0] = -mbar * q
    inv[:, 1, 1] = q
    xtx_inv = np.where(ok[:, None, None], inv, np.nan)
    resid = np.where(mask & ok[:, None], y - params[:, [0]] - params[:, [1]] * cols[i0], np.nan)
    df_resid = nobs - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.einsum("et,et->e", np.nan_to_num(resid), np.nan_to_num(resid)) / df_resid
    sigma2 = np.where(ok & (df_resid > 0), sigma2, np.nan)
    bse = np.sqrt(sigma2[:, None] * np.diagonal(xtx_inv, axis1=1, axis2=2))
    fit = PanelFit(params, bse, xtx_inv, resid, sigma2, nobs, df_resid, ok)
    return NonsyncFit(fit, model, offs, np.where(ok[:, None], slopes, np.nan), rho, neighbour_missing)


def nonsync_notes(event_ids: Sequence[str], result: NonsyncFit) -> list[str]:
    """One sentence per event that lost estimation rows to a missing neighbouring market return.

    Parameters
    ----------
    event_ids : sequence of str, length E
    result : NonsyncFit

    Returns
    -------
    list of str
    """
    label = _LABELS[result.model]
    lo, hi = result.offsets[0], result.offsets[-1]
    notes = []
    for i in np.flatnonzero(result.neighbour_missing > 0).tolist():
        c = int(result.neighbour_missing[i])
        notes.append(
            f"{event_ids[i]}: {c} estimation day(s) dropped from the {label} fit because the "
            f"benchmark return of a neighbouring session (offsets {lo:+d}..{hi:+d}) is missing or "
            "outside the data (none filled)."
        )
    return notes
