"""Build an AbnormalPanel for the inference tests, independently of the engine.

The market model is fitted per event with statsmodels OLS; every array of the
panel is filled from the fit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm

from eventstudy.panel import AbnormalPanel


def build_panel(
    ret: npt.ArrayLike,
    mkt: npt.ArrayLike,
    dates: npt.ArrayLike,
    est_len: int,
    event_days: npt.ArrayLike,
    *,
    model: str = "market",
    event_ids: list[str] | None = None,
) -> AbnormalPanel:
    """Panel from returns laid out as (E, T + L): estimation slots, then event days.

    ``ret`` may hold NaN (missing returns). ``model`` is ``"market"`` (OLS on the
    market return, k=2) or ``"market_adjusted"`` (AR = R - Rm, k=0).
    """
    r = np.asarray(ret, dtype=np.float64)
    m = np.asarray(mkt, dtype=np.float64)
    d = np.asarray(dates).astype("datetime64[D]")
    days = np.asarray(event_days, dtype=np.int64)
    n_ev, width = r.shape
    t_len, l_len = est_len, width - est_len
    assert l_len == days.size
    k = 2 if model == "market" else 0
    est_resid = np.full((n_ev, t_len), np.nan)
    est_x = np.full((n_ev, t_len, k), np.nan)
    ar = np.full((n_ev, l_len), np.nan)
    event_x = np.full((n_ev, l_len, k), np.nan)
    params = np.full((n_ev, k), np.nan)
    xtx_inv = np.full((n_ev, k, k), np.nan)
    sigma2 = np.full(n_ev, np.nan)
    nobs = np.zeros(n_ev, dtype=np.int64)
    df_resid = np.zeros(n_ev, dtype=np.int64)
    for i in range(n_ev):
        y, x = r[i, :t_len], m[i, :t_len]
        ok = np.isfinite(y) & np.isfinite(x)
        ye, xe = r[i, t_len:], m[i, t_len:]
        oke = np.isfinite(ye) & np.isfinite(xe)
        nobs[i] = ok.sum()
        if model == "market":
            exog = sm.add_constant(x[ok], has_constant="add")
            fit = sm.OLS(y[ok], exog).fit()
            est_resid[i, ok] = fit.resid
            est_x[i, ok, :] = exog
            params[i] = fit.params
            xtx_inv[i] = fit.normalized_cov_params
            sigma2[i] = fit.scale
            df_resid[i] = int(fit.df_resid)
            ar[i, oke] = ye[oke] - (fit.params[0] + fit.params[1] * xe[oke])
            event_x[i, oke, 0] = 1.0
            event_x[i, oke, 1] = xe[oke]
        else:
            resid = y[ok] - x[ok]
            est_resid[i, ok] = resid
            sigma2[i] = resid.var(ddof=1)
            df_resid[i] = ok.sum() - 1
            ar[i, oke] = ye[oke] - xe[oke]
    ids = np.array(event_ids if event_ids is not None else [f"ev{i}" for i in range(n_ev)])
    return AbnormalPanel.from_arrays(
        event_ids=ids,
        securities=ids.copy(),
        model=model,
        k=k,
        est_dates=d[:, :t_len].copy(),
        est_resid=est_resid,
        est_x=est_x,
        est_market=m[:, :t_len].copy(),
        event_days=days,
        event_dates=d[:, t_len:].copy(),
        ar=ar,
        event_x=event_x,
        event_market=m[:, t_len:].copy(),
        raw_event=r[:, t_len:].copy(),
        raw_event_market=m[:, t_len:].copy(),
        params=params,
        xtx_inv=xtx_inv,
        sigma2=sigma2,
        nobs=nobs,
        df_resid=df_resid,
    )


def simulate(
    seed: int,
    n_events: int = 8,
    est_len: int = 60,
    event_days: tuple[int, int] = (-3, 3),
    *,
    offsets: list[int] | None = None,
    shift: float = 0.0,
    missing: float = 0.0,
    corr: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
    """Random market-model returns on business days.

    Event ``i`` starts its estimation window ``offsets[i]`` sessions after
    2020-01-01 (default: all the same, i.e. fully clustered). ``shift`` is added
    to the event-day returns; ``missing`` is the share of returns set to NaN;
    ``corr`` a common shock loading across events on the same calendar day.
    Returns ``(ret, mkt, dates, est_len, event_days)`` for :func:`build_panel`.
    """
    rng = np.random.default_rng(seed)
    days = np.arange(event_days[0], event_days[1] + 1)
    width = est_len + days.size
    offsets = offsets if offsets is not None else [0] * n_events
    span = max(offsets) + width
    cal = pd.bdate_range("2020-01-01", periods=span).to_numpy().astype("datetime64[D]")
    market = rng.normal(0.0004, 0.01, span)
    common = rng.normal(0.0, 0.01, span)
    ret = np.empty((n_events, width))
    mkt = np.empty((n_events, width))
    dates = np.empty((n_events, width), dtype="datetime64[D]")
    for i, off in enumerate(offsets):
        sl = slice(off, off + width)
        beta = rng.uniform(0.5, 1.5)
        own = rng.standard_t(5, width) * 0.015
        ret[i] = 0.0002 + beta * market[sl] + corr * common[sl] + own
        ret[i, est_len:] += shift
        mkt[i] = market[sl]
        dates[i] = cal[sl]
    if missing > 0:
        holes = rng.random(ret.shape) < missing
        ret[holes] = np.nan
    return ret, mkt, dates, est_len, days
