"""Market model with GARCH errors, fitted per event by the ``arch`` package.

Models (``model=`` in :func:`eventstudy.event_study`, the event file and the CLI)
--------------------------------------------------------------------------------
``garch``      ``R_it = alpha + beta R_mt + e_t``, ``h_t = omega + alpha[1] e_{t-1}^2 + beta[1] h_{t-1}``
``gjr-garch``  ``h_t = omega + (alpha[1] + gamma[1] 1[e_{t-1} < 0]) e_{t-1}^2 + beta[1] h_{t-1}``
``egarch``     ``ln h_t = omega + alpha[1] (|z_{t-1}| - sqrt(2/pi)) + beta[1] ln h_{t-1}``, ``z = e / sqrt(h)``

with normal errors ``e_t | past ~ N(0, h_t)``. Each event is one
``arch.arch_model(y, x=m, mean="LS", vol=..., p=1, o=..., q=1, dist="normal")``
fitted by ``arch``'s own maximum likelihood on the estimation window: this module
writes no GARCH likelihood or recursion of its own.

Choices
-------
Scaling
    ``arch``'s optimiser is tuned for returns in percent, so the model is fitted
    on ``100 * R`` (``rescale=False``: the scale is fixed, not chosen by ``arch``)
    and every reported number is converted back to decimal returns: the
    constant ``alpha = Const / 100``, ``omega = omega_pct / 100**2`` (GARCH,
    GJR-GARCH), ``omega = omega_pct - (1 - beta[1]) ln(100**2)`` (EGARCH, whose
    recursion is in ``ln h``), conditional variances ``h = h_pct / 100**2``;
    ``beta``, ``alpha[1]``, ``gamma[1]`` and ``beta[1]`` are scale-free. The
    conversion is exact, so these equal ``arch``'s own fit on percent returns
    converted the same way.
Missing returns
    A GARCH recursion cannot skip a day, and nothing is filled: an event needs a
    return of the security and of its benchmark on every session from the
    estimation start to the end of the event span (the gap between the two
    included, since the event-day variances are filtered through it). Any
    missing day excludes the event, with the days named in ``diagnostics``,
    except a run of missing days that ends the event span (the data stop
    after day 0, say): the span is cut there, the event keeps its earlier
    days, and those days have no abnormal return and no variance (the
    engine's note on missing event-span returns says so).
Event-day variances
    ``h_it`` on each event-span day is the one-step-ahead conditional variance
    with the estimation-window parameters held fixed, filtered through the
    realised residuals up to ``t - 1``: ``arch_model`` over the whole span
    (estimation window, gap, event span) with ``.fix(params)``, whose
    ``conditional_volatility`` squared is ``h``. ``.fix`` starts the recursion
    from its own backcast (an exponentially weighted mean of the first 75
    squared residuals of the span's OLS fit), which differs slightly from the
    fit's; the difference decays geometrically (by ``beta[1]`` per day in a
    GARCH) and is nil by the event span; the values equal ``arch``'s one-step
    forecasts ``res.forecast(horizon=1, start=...)`` from the estimation fit.
Failed fits
    A fit whose optimiser does not report convergence (``arch``'s
    ``convergence_flag`` is not 0), that ``arch`` refuses, or that gives a
    non-finite parameter or variance excludes its event with the reason.
What the other statistics see
    ``params`` are the mean equation's ``(alpha, beta)``; the residual variance
    ``sigma2 = RSS / (T - 2)`` of the GARCH mean residuals on the estimation
    window, and ``(X'X)^-1`` of the estimation regressors, so the tests that
    assume a constant variance (Patell, BMP, ...) run unchanged on a GARCH
    panel; the conditional variances are in ``panel.cond_var`` for the
    Savickas test (:func:`eventstudy.inference.savickas.savickas_test`).

References
----------
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
Journal of Econometrics 31(3), 307-327.
Glosten, L. R., Jagannathan, R., & Runkle, D. E. (1993). On the relation between the
expected value and the volatility of the nominal excess return on stocks. Journal
of Finance 48(5), 1779-1801.
Nelson, D. B. (1991). Conditional heteroskedasticity in asset returns: A new
approach. Econometrica 59(2), 347-370.
Sheppard, K. et al. arch: ARCH models in Python. https://github.com/bashtage/arch
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.errors import InvalidParameterError, MissingDependencyError
from eventstudy.models import PanelFit, fit_panel
from eventstudy.panel import FloatArray, IntArray

__all__ = ["SCALE", "VARIANTS", "GarchFit", "arch_result", "fit_garch_events", "param_names",
           "require_arch"]

#: Returns are fitted in percent: ``arch`` sees ``SCALE * R``.
SCALE = 100.0

#: Model name -> (``arch_model``'s ``vol``, its ``o`` (asymmetric order)).
VARIANTS: dict[str, tuple[str, int]] = {
    "garch": ("GARCH", 0),
    "gjr-garch": ("GARCH", 1),
    "egarch": ("EGARCH", 0),
}


def require_arch(purpose: str = "a GARCH model") -> ModuleType:
    """The ``arch`` package, or :class:`~eventstudy.errors.MissingDependencyError`.

    ``arch`` is an optional extra (``pip install "eventstudy-honest[garch]"``),
    imported only here, when a GARCH model is fitted.
    """
    try:
        return importlib.import_module("arch")
    except ImportError as exc:
        raise MissingDependencyError("arch", "garch", purpose) from exc


def param_names(variant: str) -> tuple[str, ...]:
    """Per-event parameter names: the mean equation's, then ``arch``'s volatility names."""
    vol, o = _variant(variant)
    return ("alpha", "beta", "omega", "alpha[1]", *(("gamma[1]",) if o else ()), "beta[1]")


def _variant(variant: str) -> tuple[str, int]:
    if variant not in VARIANTS:
        raise InvalidParameterError("model", f"a GARCH variant, one of {list(VARIANTS)}", variant)
    return VARIANTS[variant]


@dataclass(frozen=True)
class GarchFit:
    """GARCH fits of ``E`` events, ready for the engine.

    Attributes
    ----------
    fit : PanelFit
        The mean equation as the engine's OLS fits are stored: ``params``
        ``(alpha, beta)``, estimation ``resid``, ``sigma2 = RSS / (T - 2)``,
        ``(X'X)^-1`` of the estimation regressors, ``bse`` of ``alpha`` and
        ``beta`` from ``arch`` (its default robust covariance); NaN rows for
        events that could not be fitted.
    cond_var : ndarray, shape (E, L)
        Conditional variance of each event-span day (decimal returns squared);
        NaN on the days of a missing run that ends the span.
    params : DataFrame
        One row per event (positional index), columns :func:`param_names`
        (decimal-return units) and ``convergence_flag`` (``arch``'s; -1 where
        no fit was attempted).
    reason : ndarray of object, shape (E,)
        Why an event cannot be used (``""`` when it can).
    """

    fit: PanelFit
    cond_var: FloatArray
    params: pd.DataFrame
    reason: npt.NDArray[np.object_]


def _missing_reason(ok: npt.NDArray[np.bool_], days: IntArray, n_est: int, n_event: int) -> str:
    """Words for the missing days of one event (``ok`` False where a return is missing)."""
    parts = {"estimation window": ~ok[:n_est], "gap before the event span": ~ok[n_est:len(ok) - n_event],
             "event span": ~ok[len(ok) - n_event:]}
    counts = ", ".join(f"{int(v.sum())} in the {k}" for k, v in parts.items() if v.any())
    miss = days[~ok]
    shown = ", ".join(f"{int(d):+d}" for d in miss[:5]) + (", ..." if miss.size > 5 else "")
    return (f"GARCH needs a return of the security and its benchmark on every day from the "
            f"estimation start to the end of the event span (the recursion cannot skip a day; "
            f"nothing is filled): {int(miss.size)} missing ({counts}; relative days {shown})")


def _to_decimal(variant: str, pct: pd.Series) -> list[float]:
    """``arch``'s percent-return parameters -> :func:`param_names` order, decimal returns."""
    vol, o = _variant(variant)
    b1 = float(pct["beta[1]"])
    if vol == "EGARCH":
        omega = float(pct["omega"]) - (1.0 - b1) * math.log(SCALE**2)
    else:
        omega = float(pct["omega"]) / SCALE**2
    values = [float(pct.iloc[0]) / SCALE, float(pct.iloc[1]), omega, float(pct["alpha[1]"])]
    if o:
        values.append(float(pct["gamma[1]"]))
    return [*values, b1]


def _model(arch: ModuleType, variant: str, y: FloatArray, m: FloatArray) -> Any:
    vol, o = _variant(variant)
    return arch.arch_model(SCALE * y, x=(SCALE * m)[:, None], mean="LS", vol=vol, p=1, o=o, q=1,
                           dist="normal", rescale=False)


def arch_result(variant: str, y: FloatArray, m: FloatArray) -> Any:
    """``arch``'s own fitted result for one estimation window (for its ``summary()``).

    The same fit as :func:`fit_garch_events` (on ``100 * y`` and ``100 * m``), so
    its parameters are in percent-return units and ``arch``'s names: ``Const``
    is ``100 * alpha``, ``x0`` is ``beta``, ``omega`` is in percent squared
    (GARCH, GJR-GARCH) or shifted by ``(1 - beta[1]) ln(100**2)`` (EGARCH).

    Parameters
    ----------
    variant : {"garch", "gjr-garch", "egarch"}
    y, m : ndarray, shape (T,)
        Security and benchmark returns (decimal) on the estimation window, no NaN.

    Returns
    -------
    arch.univariate.base.ARCHModelResult

    Raises
    ------
    InvalidParameterError
        ``variant`` is not a GARCH variant, or a return is missing.
    MissingDependencyError
        ``arch`` is not installed.
    """
    y = np.asarray(y, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    _variant(variant)
    if y.ndim != 1 or y.shape != m.shape or not (np.isfinite(y).all() and np.isfinite(m).all()):
        raise InvalidParameterError("y/m", "two 1-D arrays of one length without missing returns",
                                    (y.shape, m.shape))
    arch = require_arch(f"model={variant!r}")
    return _model(arch, variant, y, m).fit(disp="off", show_warning=False)


def _fit_one(arch: ModuleType, variant: str, y: FloatArray, m: FloatArray,
             n_est: int, n_event: int) -> tuple[Any, FloatArray, str]:
    """``(result, event-span h, reason)`` of one event with a complete span."""
    nan = np.full(n_event, np.nan)
    try:
        res = _model(arch, variant, y[:n_est], m[:n_est]).fit(disp="off", show_warning=False)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return None, nan, f"arch could not fit the {variant} model ({type(exc).__name__}: {exc})"
    flag = int(res.convergence_flag)
    if flag != 0:
        msg = getattr(res.optimization_result, "message", "")
        return res, nan, (f"arch's optimiser did not converge for the {variant} model "
                          f"(convergence_flag={flag}: {msg})")
    if not np.all(np.isfinite(res.params.to_numpy())):
        return res, nan, f"arch's {variant} fit has a non-finite parameter"
    fixed = _model(arch, variant, y, m).fix(res.params.to_numpy())
    h = np.asarray(fixed.conditional_volatility, dtype=np.float64)[-n_event:] ** 2 / SCALE**2
    if not (np.all(np.isfinite(h)) and np.all(h > 0)):
        return res, nan, f"the {variant} conditional variance is not positive and finite on the event span"
    return res, h, ""


def fit_garch_events(
    variant: str,
    y: FloatArray,
    m: FloatArray,
    days: IntArray,
    n_est: int,
    n_event: int,
) -> GarchFit:
    """Fit the market model with ``variant`` errors for every event with ``arch``.

    Parameters
    ----------
    variant : {"garch", "gjr-garch", "egarch"}
    y, m : ndarray, shape (E, S)
        Security and benchmark returns (decimal) on every session from the
        estimation start to the end of the event span, NaN where missing: the
        estimation window is the first ``n_est`` columns, the event span the
        last ``n_event``, the gap between them the columns in between.
    days : ndarray of int, shape (S,)
        Relative trading day of each column (for the reasons).
    n_est, n_event : int
        Lengths of the estimation window and of the event span.

    Returns
    -------
    GarchFit
        Events with a missing day (other than a run that ends the event span,
        whose days are NaN) or a failed fit have NaN rows and a reason.

    Raises
    ------
    InvalidParameterError
        ``variant`` is not a GARCH variant, or the shapes disagree.
    MissingDependencyError
        ``arch`` is not installed.
    """
    names = param_names(variant)
    y = np.asarray(y, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    days = np.asarray(days, dtype=np.int64)
    if y.ndim != 2 or y.shape != m.shape or days.shape != (y.shape[1],) or n_est < 1 \
            or n_event < 1 or n_est + n_event > y.shape[1]:
        raise InvalidParameterError(
            "y/m/days", f"y and m of one shape (E, S), days of shape (S,), S >= n_est + n_event "
            f"(n_est={n_est}, n_event={n_event})", (y.shape, m.shape, days.shape))
    arch = require_arch(f"model={variant!r}")
    n_ev = y.shape[0]
    complete = np.isfinite(y) & np.isfinite(m)
    y_est, m_est = y[:, :n_est], m[:, :n_est]
    x_est = np.stack([np.ones_like(m_est), m_est], axis=-1)
    ols = fit_panel(y_est, x_est)  # (X'X)^-1, nobs and rank of the estimation regressors
    table = np.full((n_ev, len(names)), np.nan)
    bse = np.full((n_ev, 2), np.nan)
    flags = np.full(n_ev, -1, dtype=np.int64)
    cond_var = np.full((n_ev, n_event), np.nan)
    reason = np.full(n_ev, "", dtype=object)
    first_event = y.shape[1] - n_event
    for i in range(n_ev):  # one likelihood per event: arch fits one series at a time
        ok = complete[i]
        have = np.flatnonzero(ok)
        end = int(have[-1]) + 1 if have.size else 0  # a trailing run of missing days is cut
        if end <= first_event or not ok[:end].all():
            reason[i] = _missing_reason(ok, days, n_est, n_event)
            continue
        res, h, why = _fit_one(arch, variant, y[i, :end], m[i, :end], n_est, end - first_event)
        if res is not None:
            flags[i] = int(res.convergence_flag)
        reason[i] = why
        if why:
            continue
        table[i] = _to_decimal(variant, res.params)
        bse[i] = [float(res.std_err.iloc[0]) / SCALE, float(res.std_err.iloc[1])]
        cond_var[i, :end - first_event] = h
    params = table[:, :2]
    resid = y_est - params[:, [0]] - params[:, [1]] * m_est
    df_resid = ols.nobs - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.einsum("et,et->e", resid, resid) / df_resid
    fit = PanelFit(params=params, bse=bse, xtx_inv=ols.xtx_inv, resid=resid,
                   sigma2=np.where(df_resid > 0, sigma2, np.nan), nobs=ols.nobs,
                   df_resid=df_resid, rank_ok=ols.rank_ok)
    frame = pd.DataFrame(table, columns=list(names))
    frame["convergence_flag"] = flags
    return GarchFit(fit=fit, cond_var=cond_var, params=frame, reason=reason)
