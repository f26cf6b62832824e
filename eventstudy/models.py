"""Normal-return models, fitted for every event at once on the stacked panel.

Models
------
``market``          R_it = a_i + b_i R_mt + e_it (OLS; MacKinlay 1997)
``market_adjusted`` AR_it = R_it - R_mt (no estimated parameter; Brown & Warner 1980)
``constant_mean``   R_it = mu_i + e_it (Brown & Warner 1980)
``capm``            R_it - RF_t = a_i + b_i (R_mt - RF_t) + e_it (benchmark in excess of RF)
``ff3``             excess return on Mkt-RF, SMB, HML (Fama & French 1993)
``carhart``         ff3 + Mom (Carhart 1997)
``ff5``             Mkt-RF, SMB, HML, RMW, CMA (Fama & French 2015)
``factors``         user-supplied factor columns (excess return on them)
``dimson``          market model with Dimson's (1979) beta: the sum of the slopes on
                    R_m,t-1, R_mt, R_m,t+1 (non-synchronous trading; :mod:`eventstudy.nonsync`)
``scholes_williams`` market model with the Scholes-Williams (1977) beta
                    (b_-1 + b_0 + b_+1) / (1 + 2 rho_m) (:mod:`eventstudy.nonsync`)
``garch``           market model with GARCH(1,1) errors, fitted per event by ``arch``
                    (Bollerslev 1986; :mod:`eventstudy.garch`)
``gjr-garch``       the same with GJR-GARCH(1,1,1) errors (Glosten, Jagannathan & Runkle 1993)
``egarch``          the same with EGARCH(1,1) errors (Nelson 1991)

The fit is closed-form OLS for all events at once: the estimation rows of event
``i`` with a missing return are masked out, and centred cross-products (models
with a constant) or a batched QR decomposition (otherwise) give the
coefficients, ``(X'X)^-1`` and the residuals, so each event's fit equals its own
OLS regression on its available rows. :func:`fit_statsmodels` gives the same fit
for one event as a statsmodels results object (for its ``summary()``).
``dimson`` and ``scholes_williams`` are not OLS of ``R`` on ``[1, R_m]``: the
engine fits them with :func:`eventstudy.nonsync.fit_nonsync` (alpha, beta).

References
----------
Brown, S. J., & Warner, J. B. (1980). Measuring security price performance.
Journal of Financial Economics 8(3), 205-258.
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of
Economic Literature 35(1), 13-39.
Fama, E. F., & French, K. R. (1993). Common risk factors in the returns on
stocks and bonds. Journal of Financial Economics 33(1), 3-56.
Carhart, M. M. (1997). On persistence in mutual fund performance. Journal of
Finance 52(1), 57-82.
Fama, E. F., & French, K. R. (2015). A five-factor asset pricing model. Journal
of Financial Economics 116(1), 1-22.
Scholes, M., & Williams, J. (1977). Estimating betas from nonsynchronous data.
Journal of Financial Economics 5(3), 309-327.
Dimson, E. (1979). Risk measurement when shares are subject to infrequent
trading. Journal of Financial Economics 7(2), 197-226.
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
Journal of Econometrics 31(3), 307-327.
Glosten, L. R., Jagannathan, R., & Runkle, D. E. (1993). On the relation between the
expected value and the volatility of the nominal excess return on stocks. Journal
of Finance 48(5), 1779-1801.
Nelson, D. B. (1991). Conditional heteroskedasticity in asset returns: A new
approach. Econometrica 59(2), 347-370.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError
from eventstudy.panel import FloatArray, IntArray

if TYPE_CHECKING:  # statsmodels is imported where it is used (start-up time)
    from statsmodels.regression.linear_model import RegressionResultsWrapper

__all__ = [
    "FACTOR_SETS",
    "MODELS",
    "ModelSpec",
    "PanelFit",
    "fit_panel",
    "fit_statsmodels",
    "get_model",
]

FACTOR_SETS: dict[str, tuple[str, ...]] = {
    "ff3": ("Mkt-RF", "SMB", "HML"),
    "carhart": ("Mkt-RF", "SMB", "HML", "Mom"),
    "ff5": ("Mkt-RF", "SMB", "HML", "RMW", "CMA"),
}


@dataclass(frozen=True)
class ModelSpec:
    """What a normal-return model needs and how its regressors are built.

    Attributes
    ----------
    name : str
    factors : tuple of str
        Factor columns used as regressors (after the constant).
    uses_market : bool
        Whether the benchmark return is a regressor (market, capm).
    excess : bool
        Whether the dependent variable is the return in excess of ``RF``.
    intercept : bool
        Whether a constant is estimated.
    volatility : str or None
        GARCH variant of the errors (``"garch"``, ``"gjr-garch"``, ``"egarch"``),
        fitted per event by :mod:`eventstudy.garch`; ``None`` for OLS.
    """

    name: str
    factors: tuple[str, ...] = ()
    uses_market: bool = False
    excess: bool = False
    intercept: bool = True
    volatility: str | None = None

    @property
    def k(self) -> int:
        """Number of estimated parameters."""
        if self.name == "market_adjusted":
            return 0
        return int(self.intercept) + int(self.uses_market) + len(self.factors)

    @property
    def param_names(self) -> tuple[str, ...]:
        if self.name == "market_adjusted":
            return ()
        names: list[str] = ["alpha"] if self.intercept else []
        if self.uses_market:
            names.append("beta")
        names.extend(self.factors)
        return tuple(names)

    @property
    def needs_rf(self) -> bool:
        return self.excess

    def design(
        self,
        market: FloatArray,
        factors: dict[str, FloatArray] | None,
    ) -> FloatArray:
        """Regressor array, shape ``market.shape + (k,)``."""
        cols: list[FloatArray] = []
        if self.intercept and self.name != "market_adjusted":
            cols.append(np.ones_like(market))
        if self.uses_market:
            cols.append(market)
        for f in self.factors:
            if factors is None or f not in factors:
                raise InvalidParameterError(
                    "factors", f"a factor column {f!r} for model {self.name!r}", sorted(factors or {})
                )
            cols.append(factors[f])
        if not cols:
            return np.zeros((*market.shape, 0))
        return np.stack(cols, axis=-1)


MODELS: dict[str, ModelSpec] = {
    "market": ModelSpec("market", uses_market=True),
    "market_adjusted": ModelSpec("market_adjusted", intercept=False),
    "constant_mean": ModelSpec("constant_mean"),
    "capm": ModelSpec("capm", uses_market=True, excess=True),
    "ff3": ModelSpec("ff3", factors=FACTOR_SETS["ff3"], excess=True),
    "carhart": ModelSpec("carhart", factors=FACTOR_SETS["carhart"], excess=True),
    "ff5": ModelSpec("ff5", factors=FACTOR_SETS["ff5"], excess=True),
    "dimson": ModelSpec("dimson", uses_market=True),  # fitted by eventstudy.nonsync
    "scholes_williams": ModelSpec("scholes_williams", uses_market=True),  # idem
    **{v: ModelSpec(v, uses_market=True, volatility=v) for v in ("garch", "gjr-garch", "egarch")},
}


def get_model(name: str, factor_columns: Sequence[str] | None = None) -> ModelSpec:
    """Look up a model by name; ``"factors"`` takes ``factor_columns``."""
    if name == "factors":
        if not factor_columns:
            raise InvalidParameterError(
                "factor_columns", "a non-empty list of factor columns for model='factors'", factor_columns
            )
        return ModelSpec("factors", factors=tuple(factor_columns), excess=True)
    if name not in MODELS:
        raise InvalidParameterError("model", f"one of {[*MODELS, 'factors']}", name)
    return MODELS[name]


@dataclass(frozen=True)
class PanelFit:
    """OLS fits of ``E`` events (arrays; rows of excluded events are NaN)."""

    params: FloatArray  # (E, k)
    bse: FloatArray  # (E, k)
    xtx_inv: FloatArray  # (E, k, k)
    resid: FloatArray  # (E, T), NaN where unused
    sigma2: FloatArray  # (E,)
    nobs: IntArray  # (E,)
    df_resid: IntArray  # (E,)
    rank_ok: np.ndarray  # (E,) bool: design of full column rank


def fit_panel(y: FloatArray, x: FloatArray, chunk: int = 4096) -> PanelFit:
    """OLS of ``y[i]`` on ``x[i]`` for every event ``i``, using its non-missing rows.

    Parameters
    ----------
    y : ndarray, shape (E, T)
        Dependent variable, NaN where missing.
    x : ndarray, shape (E, T, k)
        Regressors, NaN where missing. ``k == 0`` means no parameter (the
        residual is ``y`` itself and ``s2`` its sample variance, ``T - 1`` df).
    chunk : int
        Events per batch (bounds memory for very large panels).

    Returns
    -------
    PanelFit
    """
    n_ev, n_t = y.shape
    k = x.shape[-1]
    mask = np.isfinite(y)
    for j in range(k):  # k is small; 2-D passes beat a reduction over the last axis
        mask &= np.isfinite(x[..., j])
    nobs = mask.sum(axis=1).astype(np.int64)
    if k == 0:
        resid = np.where(mask, y, np.nan)
        df_resid = nobs - 1
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an event with < 2 returns: NaN, excluded
            sigma2 = np.nanvar(resid, axis=1, ddof=1) if n_t else np.full(n_ev, np.nan)
        sigma2 = np.where(df_resid > 0, sigma2, np.nan)
        empty = np.zeros((n_ev, 0))
        return PanelFit(empty, empty, np.zeros((n_ev, 0, 0)), resid, sigma2, nobs, df_resid,
                        np.ones(n_ev, dtype=bool))
    params = np.full((n_ev, k), np.nan)
    xtx_inv = np.full((n_ev, k, k), np.nan)
    rank_ok = np.zeros(n_ev, dtype=bool)
    has_const = bool(np.all(np.where(mask, x[..., 0], 1.0) == 1.0))
    for lo in range(0, n_ev, chunk):
        hi = min(lo + chunk, n_ev)
        if has_const:
            _fit_centred(y[lo:hi], x[lo:hi], mask[lo:hi], nobs[lo:hi],
                         params[lo:hi], xtx_inv[lo:hi], rank_ok[lo:hi])
            continue
        m = mask[lo:hi]
        xm = np.where(m[..., None], x[lo:hi], 0.0)
        ym = np.where(m, y[lo:hi], 0.0)
        q, r = np.linalg.qr(xm)  # batched: (n, T, k), (n, k, k)
        diag = np.abs(np.diagonal(r, axis1=1, axis2=2))
        scale = np.sqrt(np.sum(xm * xm, axis=1))  # column norms, (n, k)
        ok = np.all(diag > 1e-10 * np.maximum(scale, 1e-300), axis=1) & (nobs[lo:hi] > k)
        r_safe = np.where(ok[:, None, None], r, np.eye(k))
        qty = np.einsum("ntk,nt->nk", q, ym)
        beta = np.linalg.solve(r_safe, qty[..., None])[..., 0]
        r_inv = np.linalg.inv(r_safe)
        xtx_inv[lo:hi] = np.where(ok[:, None, None], r_inv @ np.swapaxes(r_inv, 1, 2), np.nan)
        params[lo:hi] = np.where(ok[:, None], beta, np.nan)
        rank_ok[lo:hi] = ok
    fitted = x[..., 0] * params[:, [0]]
    for j in range(1, k):
        fitted += x[..., j] * params[:, [j]]
    resid = np.where(mask & rank_ok[:, None], y - fitted, np.nan)
    df_resid = nobs - k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.einsum("et,et->e", np.nan_to_num(resid), np.nan_to_num(resid)) / df_resid
    sigma2 = np.where(rank_ok & (df_resid > 0), sigma2, np.nan)
    bse = np.sqrt(sigma2[:, None] * np.diagonal(xtx_inv, axis1=1, axis2=2))
    return PanelFit(params, bse, xtx_inv, resid, sigma2, nobs, df_resid, rank_ok)


def fit_market(y: FloatArray, m: FloatArray) -> PanelFit:
    """OLS of ``y[i]`` on ``[1, m[i]]`` for every event, in closed form (the market model).

    The same estimator as :func:`fit_panel` with ``x = [1, m]`` (its centred
    path), without building the ``(E, T, 2)`` design: with ``n_i`` usable rows,
    ``b = sum (m - m_bar)(y - y_bar) / S_mm``, ``a = y_bar - b m_bar``, and
    ``(X'X)^-1 = [[1/n + m_bar^2 / S_mm, -m_bar / S_mm], [-m_bar / S_mm, 1 / S_mm]]``.
    The residuals are ``y - (a + b m)`` on the usable rows (NaN elsewhere);
    ``s2 = RSS / (n - 2)``.

    Parameters
    ----------
    y, m : ndarray, shape (E, T)
        Security and market returns, NaN where missing.

    Returns
    -------
    PanelFit

    References
    ----------
    MacKinlay, A. C. (1997). Event studies in economics and finance.
    Journal of Economic Literature 35(1), 13-39 (eq. 7-8).
    """
    n_ev, n_t = y.shape
    nobs = np.empty(n_ev, dtype=np.int64)
    alpha, beta, zbar, inv_s = (np.empty(n_ev) for _ in range(4))
    sigma2 = np.empty(n_ev)
    resid = np.empty((n_ev, n_t))
    ok = np.empty(n_ev, dtype=bool)
    for lo in range(0, n_ev, _MARKET_BLOCK):  # blocks of events: the temporaries stay in cache
        hi = min(lo + _MARKET_BLOCK, n_ev)
        _fit_market_block(y[lo:hi], m[lo:hi], nobs[lo:hi], alpha[lo:hi], beta[lo:hi], zbar[lo:hi],
                          inv_s[lo:hi], sigma2[lo:hi], resid[lo:hi], ok[lo:hi])
    n = np.maximum(nobs, 1).astype(np.float64)
    params = np.stack([alpha, beta], axis=1)
    xtx_inv = np.empty((len(n), 2, 2))
    xtx_inv[:, 0, 0] = 1.0 / n + zbar * zbar * inv_s
    xtx_inv[:, 0, 1] = xtx_inv[:, 1, 0] = -zbar * inv_s
    xtx_inv[:, 1, 1] = inv_s
    xtx_inv[~ok] = np.nan
    params[~ok] = np.nan
    df_resid = nobs - 2
    bse = np.sqrt(sigma2[:, None] * np.diagonal(xtx_inv, axis1=1, axis2=2))
    return PanelFit(params, bse, xtx_inv, resid, sigma2, nobs, df_resid, ok)


#: Events per block of :func:`fit_market` (its ``(block, T)`` temporaries stay in cache).
_MARKET_BLOCK = 512


def _fit_market_block(y: FloatArray, m: FloatArray, nobs: IntArray, alpha: FloatArray,
                      beta: FloatArray, zbar_out: FloatArray, inv_s_out: FloatArray,
                      sigma2: FloatArray, resid: FloatArray, ok_out: np.ndarray) -> None:
    """:func:`fit_market` on a block of events, into the given output slices.

    Every number of an event depends on its own row only, so blocks give the
    numbers of the whole array.
    """
    ysum, zsum = y.sum(axis=1), m.sum(axis=1)
    # Finite row sums mean no NaN or inf anywhere (both propagate), so the masking passes
    # are skipped (same numbers); otherwise (a gap, or sums that overflow) the mask decides.
    whole = bool(np.isfinite(ysum).all() and np.isfinite(zsum).all())
    mask = None if whole else np.isfinite(y) & np.isfinite(m)
    if mask is not None and mask.all():
        whole, mask = True, None
    if mask is None:
        nobs[:] = y.shape[1]
    else:
        nobs[:] = mask.sum(axis=1)
    n = np.maximum(nobs, 1).astype(np.float64)
    if mask is None:
        zbar = zsum / n
        ybar = ysum / n
        zc = m - zbar[:, None]
        yc = y - ybar[:, None]
    else:
        zc = np.where(mask, m, 0.0)
        yc = np.where(mask, y, 0.0)
        zbar = zc.sum(axis=1) / n
        ybar = yc.sum(axis=1) / n
        zc -= zbar[:, None]  # in place: the centred copies
        yc -= ybar[:, None]
        zc *= mask
        yc *= mask
    smm = np.einsum("et,et->e", zc, zc)
    smy = np.einsum("et,et->e", zc, yc)
    ok = (nobs > 2) & (smm > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_s = np.where(ok, 1.0 / np.where(ok, smm, 1.0), np.nan)
        b = np.where(ok, smy * inv_s, np.nan)
        a = np.where(ok, ybar - zbar * b, np.nan)
    # resid = y - (a + b m), one pass per operation into the output
    np.multiply(m, b[:, None], out=resid)
    resid += a[:, None]
    np.subtract(y, resid, out=resid)
    clean = whole and bool(ok.all())
    if not clean:
        if mask is None:
            resid[~ok] = np.nan  # whole rows of an unusable fit
        else:
            resid[~(mask & ok[:, None])] = np.nan
    df_resid = nobs - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        r0 = resid if clean else np.where(np.isfinite(resid), resid, 0.0)
        s2 = np.einsum("et,et->e", r0, r0) / df_resid
    sigma2[:] = np.where(ok & (df_resid > 0), s2, np.nan)
    alpha[:], beta[:], zbar_out[:], inv_s_out[:], ok_out[:] = a, b, zbar, inv_s, ok


def _fit_centred(y: FloatArray, x: FloatArray, mask: np.ndarray, nobs: IntArray,
                 params: FloatArray, xtx_inv: FloatArray, rank_ok: np.ndarray) -> None:
    """OLS with a constant via centred cross-products (fills the output slices).

    With ``X = [1, Z]``, the slopes are ``S^-1 Zc'yc`` with ``S = Zc'Zc`` (``Zc``,
    ``yc`` demeaned over the event's available rows), the constant is
    ``mean(y) - mean(Z) b``, and ``(X'X)^-1`` follows from the partitioned
    inverse: ``[[1/n + m'S^-1 m, -(S^-1 m)'], [-S^-1 m, S^-1]]`` with ``m = mean(Z)``.
    Centring keeps the cross-products well conditioned (two-pass means), and the
    whole chunk is a few einsums plus batched (k-1)x(k-1) inverses: no loop over
    events and no per-event QR.
    """
    k = x.shape[-1]
    n = np.maximum(nobs, 1).astype(np.float64)
    m = mask.astype(np.float64)
    z = np.where(mask[..., None], x[..., 1:], 0.0)  # (E, T, p)
    yy = np.where(mask, y, 0.0)
    zbar = z.sum(axis=1) / n[:, None]
    ybar = yy.sum(axis=1) / n
    zc = (z - zbar[:, None, :]) * m[..., None]
    yc = (yy - ybar[:, None]) * m
    s = np.einsum("etp,etq->epq", zc, zc)
    szy = np.einsum("etp,et->ep", zc, yc)
    eig = np.linalg.eigvalsh(s) if k > 1 else np.zeros((len(n), 0))
    ok = nobs > k
    if k > 1:
        ok &= eig[:, 0] > 1e-12 * np.maximum(eig[:, -1], 1e-300)
    s_safe = np.where(ok[:, None, None], s, np.eye(k - 1))
    s_inv = np.linalg.inv(s_safe) if k > 1 else np.zeros((len(n), 0, 0))
    slopes = np.einsum("epq,eq->ep", s_inv, szy)
    const = ybar - np.einsum("ep,ep->e", zbar, slopes)
    sm_ = np.einsum("epq,eq->ep", s_inv, zbar)
    inv = np.empty((len(n), k, k))
    inv[:, 0, 0] = 1.0 / n + np.einsum("ep,ep->e", zbar, sm_)
    inv[:, 0, 1:] = -sm_
    inv[:, 1:, 0] = -sm_
    inv[:, 1:, 1:] = s_inv
    params[:, 0] = np.where(ok, const, np.nan)
    params[:, 1:] = np.where(ok[:, None], slopes, np.nan)
    xtx_inv[...] = np.where(ok[:, None, None], inv, np.nan)
    rank_ok[...] = ok


def fit_statsmodels(
    y: pd.Series, x: pd.DataFrame
) -> RegressionResultsWrapper:
    """statsmodels OLS of one event's estimation window (rows with any NaN dropped
    and *reported* by the caller), for the detailed per-security ``summary()``."""
    import statsmodels.api as sm

    frame = pd.concat([y.rename("y"), x], axis=1)
    frame = frame.dropna()
    return sm.OLS(frame["y"], frame[list(x.columns)]).fit()
