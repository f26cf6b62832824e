"""A naive per-event loop (statsmodels OLS, scipy correlations and ranks): a slow, independent check.

Used by ``bench_batch.py --naive-events N`` to check the library against code that shares
nothing with it or with the tight path of ``bench_tight.py``. Full data only (no
missing returns, windows inside the panel), market model on column ``MKT``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

__all__ = ["run_naive"]


def run_naive(ret: pd.DataFrame, events: pd.DataFrame, est_win: tuple[int, int],
              win: tuple[int, int]) -> dict[str, Any]:
    """alpha, beta, AR, CAR, Patell, BMP, KP-BMP (and its ``rbar``) and Corrado, event by event."""
    sessions = ret.index
    mkt = ret["MKT"]
    alphas, betas, ars, cars, vars_, dfs, resids, pos0s = [], [], [], [], [], [], [], []
    for _, ev in events.iterrows():
        p = int(sessions.searchsorted(ev["event_date"]))  # a session of the index
        est = slice(p + est_win[0], p + est_win[1] + 1)
        event = slice(p + win[0], p + win[1] + 1)
        y = ret[ev["security"]].iloc[est]
        fit = sm.OLS(y.to_numpy(), sm.add_constant(mkt.iloc[est].to_numpy())).fit()
        xw = sm.add_constant(mkt.iloc[event].to_numpy(), has_constant="add")
        ar = ret[ev["security"]].iloc[event].to_numpy() - xw @ fit.params
        g = xw.sum(axis=0)
        alphas.append(fit.params[0])
        betas.append(fit.params[1])
        ars.append(ar)
        cars.append(ar.sum())
        vars_.append(fit.scale * (len(ar) + g @ fit.normalized_cov_params @ g))
        dfs.append(fit.df_resid)
        resids.append(fit.resid)
        pos0s.append(p)
    ar_m, car, resid = np.vstack(ars), np.array(cars), np.vstack(resids)
    n, t_len = resid.shape
    scar = car / np.sqrt(np.array(vars_))
    df = np.array(dfs)
    patell = scar.sum() / math.sqrt(float((df / (df - 2.0)).sum()))
    bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(n))
    # rbar: every pair whose windows share sessions, correlation on common estimation dates,
    # weighted by the share of the window sessions the pair shares.
    length = win[1] - win[0] + 1
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = int(pos0s[j] - pos0s[i])
            if abs(d) >= length:
                continue
            a, b = (resid[i, d:], resid[j, : t_len - d]) if d >= 0 else (resid[i, : t_len + d], resid[j, -d:])
            total += stats.pearsonr(a, b).statistic * (length - abs(d)) / length
    rbar = total / (n * (n - 1) / 2)
    kp = bmp * math.sqrt((1.0 - rbar) / (1.0 + (n - 1) * rbar))
    both = np.concatenate([resid, ar_m], axis=1)
    u = np.vstack([stats.rankdata(row) / (row.size + 1.0) - 0.5 for row in both])
    z = u.sum(axis=0) / math.sqrt(n)
    corrado = z[-length:].sum() / math.sqrt(length * float((z * z).mean()))
    return {"alpha": np.array(alphas), "beta": np.array(betas), "ar": ar_m, "car": car,
            "patell": float(patell), "bmp": float(bmp), "kp-bmp": float(kp), "rbar": rbar,
            "corrado": float(corrado)}
