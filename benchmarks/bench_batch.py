"""Benchmark: 10,000 events through the batch path vs a statsmodels loop vs bare numpy.

Synthetic panel: 3,000 securities x 10 years of daily returns on the NYSE session
grid (2014-01-02 .. 2023-12-29) from a market model with known alphas and betas
(fixed seed), and 10,000 events (random security and session). Estimation window
[-250, -11], event window [-5, +5]. Timed, in one process:

(a) ``eventstudy.batch.batch_study`` end to end: returns DataFrame + events table ->
    result with AR, CAR, Patell, BMP, KP-BMP and Corrado;
(b) a naive per-event loop: statsmodels OLS per event, scipy ranks, pairwise
    correlations with numpy; run on the first ``--naive-events`` events (default
    1,000) and extrapolated linearly to 10,000 (said so in the output);
(c) bare numpy: fancy-index gather, closed-form OLS, ARs and the four statistics.

Checks that (a) and (b) agree to 1e-10 on alpha, beta, ARs and the statistics (on
the subset) and (a) and (c) on the full set. Reports events/second, a/b, a/c and
peak memory (tracemalloc peak of (a) in an untimed run, and the process's max RSS).

Run: ``python benchmarks/bench_batch.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from eventstudy.batch import batch_study
from eventstudy.calendar import TradingCalendar

EST = (-250, -11)
WIN = (-5, 5)
TOL = 1e-10


def make_panel(n_sec: int, n_ev: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    rng = np.random.default_rng(seed)
    cal = TradingCalendar("XNYS", start="2014-01-02", end="2023-12-29")
    sess = cal.sessions("2014-01-02", "2023-12-29")
    n_s = len(sess)
    rm = rng.normal(0.0004, 0.01, n_s)
    alpha = rng.normal(0.0, 0.0003, n_sec)
    beta = rng.uniform(0.5, 1.5, n_sec)
    sig = rng.uniform(0.01, 0.03, n_sec)
    r = alpha + np.outer(rm, beta) + rng.standard_normal((n_s, n_sec)) * sig
    cols = [f"S{i:04d}" for i in range(n_sec)]
    ret = pd.DataFrame(r, index=pd.DatetimeIndex(sess, name="date"), columns=cols)
    ret["MKT"] = rm
    sec = rng.integers(0, n_sec, n_ev)
    pos = rng.integers(-EST[0] + 1, n_s - WIN[1] - 1, n_ev)
    events = pd.DataFrame({"event_id": [f"E{i:05d}" for i in range(n_ev)],
                           "security": np.array(cols)[sec], "event_date": sess[pos], "benchmark": "MKT"})
    return ret, events, {"alpha": alpha, "beta": beta, "sec": sec, "pos": pos}


# ----------------------------------------------------------------------- (a)
def run_library(ret: pd.DataFrame, events: pd.DataFrame) -> dict[str, Any]:
    res = batch_study(ret, events, benchmark="MKT", estimation=EST, windows=[WIN], progress=False)
    t = res.tests.set_index("test")["statistic"]
    return {"alpha": res.panel.params[:, 0], "beta": res.panel.params[:, 1], "ar": res.panel.ar,
            "car": res.car["car"].to_numpy(), "patell": t["patell"], "bmp": t["bmp"],
            "kp-bmp": t["kp-bmp"], "corrado": t["corrado"], "timings": res.timings}


# ------------------------------------------------------------- shared maths
def _stats_from(ar: np.ndarray, car: np.ndarray, var: np.ndarray, df: np.ndarray, resid: np.ndarray,
                pos0: np.ndarray, rbar_fn: Any, ranks_fn: Any) -> dict[str, float]:
    n = car.size
    scar = car / np.sqrt(var)
    patell = scar.sum() / math.sqrt(float((df / (df - 2.0)).sum()))
    bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(n))
    rbar = rbar_fn(resid, pos0)
    kp = bmp * math.sqrt((1.0 - rbar) / (1.0 + (n - 1) * rbar))
    u = ranks_fn(np.concatenate([resid, ar], axis=1))
    z = u.sum(axis=0) / math.sqrt(n)
    s2 = float((z * z).mean())
    length = ar.shape[1]
    corrado = z[-length:].sum() / math.sqrt(length * s2)
    return {"patell": float(patell), "bmp": float(bmp), "kp-bmp": float(kp), "corrado": float(corrado)}


# ----------------------------------------------------------------------- (b)
def run_naive(ret: pd.DataFrame, events: pd.DataFrame) -> dict[str, Any]:
    sessions = ret.index
    mkt = ret["MKT"]
    alphas, betas, ars, cars, vars_, dfs, resids, pos0s = [], [], [], [], [], [], [], []
    for _, ev in events.iterrows():
        p = sessions.get_loc(ev["event_date"])
        est = slice(p + EST[0], p + EST[1] + 1)
        win = slice(p + WIN[0], p + WIN[1] + 1)
        y = ret[ev["security"]].iloc[est]
        x = sm.add_constant(mkt.iloc[est].to_numpy())
        fit = sm.OLS(y.to_numpy(), x).fit()
        xw = sm.add_constant(mkt.iloc[win].to_numpy(), has_constant="add")
        ar = ret[ev["security"]].iloc[win].to_numpy() - xw @ fit.params
        g = xw.sum(axis=0)
        var = fit.scale * (len(ar) + g @ fit.normalized_cov_params @ g)
        alphas.append(fit.params[0])
        betas.append(fit.params[1])
        ars.append(ar)
        cars.append(ar.sum())
        vars_.append(var)
        dfs.append(fit.df_resid)
        resids.append(fit.resid)
        pos0s.append(p)

    def rbar_pairs(resid: np.ndarray, pos0: np.ndarray) -> float:
        n = len(pos0)
        total = 0.0
        width = WIN[1] - WIN[0]
        for i in range(n):
            for j in range(i + 1, n):
                d = int(pos0[j] - pos0[i])
                if abs(d) > width:
                    continue  # event windows share no session
                a, b = (resid[i, d:], resid[j, : resid.shape[1] - d]) if d >= 0 else \
                    (resid[i, : resid.shape[1] + d], resid[j, -d:])
                # weighted by the share of the (width + 1)-session windows the pair shares
                total += stats.pearsonr(a, b).statistic * (width + 1 - abs(d)) / (width + 1)
        return total / (n * (n - 1) / 2)

    def ranks(v: np.ndarray) -> np.ndarray:
        return np.vstack([stats.rankdata(row) / (row.size + 1.0) - 0.5 for row in v])

    ar = np.vstack(ars)
    out = _stats_from(ar, np.array(cars), np.array(vars_), np.array(dfs), np.vstack(resids),
                      np.array(pos0s), rbar_pairs, ranks)
    return {"alpha": np.array(alphas), "beta": np.array(betas), "ar": ar, "car": np.array(cars), **out}


# ----------------------------------------------------------------------- (c)
def run_numpy(ret: pd.DataFrame, events: pd.DataFrame) -> dict[str, Any]:
    values = ret.to_numpy()
    cols = pd.Index(ret.columns)
    sec = cols.get_indexer(events["security"])
    mcol = cols.get_loc("MKT")
    pos0 = ret.index.get_indexer(events["event_date"])
    est_rows = pos0[:, None] + np.arange(EST[0], EST[1] + 1)
    win_rows = pos0[:, None] + np.arange(WIN[0], WIN[1] + 1)
    y, m = values[est_rows, sec[:, None]], values[est_rows, mcol]
    yw, mw = values[win_rows, sec[:, None]], values[win_rows, mcol]
    t = y.shape[1]
    mbar, ybar = m.mean(axis=1), y.mean(axis=1)
    mc = m - mbar[:, None]
    smm = (mc * mc).sum(axis=1)
    beta = (mc * (y - ybar[:, None])).sum(axis=1) / smm
    alpha = ybar - beta * mbar
    resid = y - alpha[:, None] - beta[:, None] * m
    df = np.full(len(pos0), t - 2.0)
    s2 = (resid * resid).sum(axis=1) / df
    ar = yw - alpha[:, None] - beta[:, None] * mw
    car = ar.sum(axis=1)
    length = ar.shape[1]
    var = s2 * (length + length**2 / t + ((mw - mbar[:, None]).sum(axis=1)) ** 2 / smm)

    def rbar_np(resid: np.ndarray, pos0: np.ndarray) -> float:
        n, t = resid.shape
        order = np.argsort(pos0, kind="stable")
        p = pos0[order]
        x = resid[order]
        x = x - x.mean(axis=1, keepdims=True)
        width = WIN[1] - WIN[0]
        total = 0.0
        k = 0
        while True:  # pairs (i, i + k) in date order, until no pair shares a window session
            k += 1
            i = np.arange(n - k)
            j = i + k
            d = p[j] - p[i]
            sel = d <= width
            if not sel.any():
                break
            i, j, d = i[sel], j[sel], d[sel]
            for dd in np.unique(d):
                ii, jj = i[d == dd], j[d == dd]
                a, b = x[ii, dd:], x[jj, : t - dd]
                a = a - a.mean(axis=1, keepdims=True)
                b = b - b.mean(axis=1, keepdims=True)
                r = (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
                total += float(r.sum()) * (width + 1 - dd) / (width + 1)  # share of sessions shared
        return total / (n * (n - 1) / 2)

    def ranks(v: np.ndarray) -> np.ndarray:
        r = np.empty_like(v)
        idx = np.argsort(v, axis=1)
        np.put_along_axis(r, idx, np.arange(1, v.shape[1] + 1, dtype=np.float64)[None, :], axis=1)
        return r / (v.shape[1] + 1.0) - 0.5

    out = _stats_from(ar, car, var, df, resid, pos0, rbar_np, ranks)
    return {"alpha": alpha, "beta": beta, "ar": ar, "car": car, **out}


# ------------------------------------------------------------------- checks
KEYS = ("alpha", "beta", "ar", "car", "patell", "bmp", "kp-bmp", "corrado")


def max_diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    return {k: float(np.max(np.abs(np.asarray(a[k], dtype=float) - np.asarray(b[k], dtype=float))))
            for k in KEYS}


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--securities", type=int, default=3000)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--naive-events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20260801)
    args = ap.parse_args()

    t0 = time.perf_counter()
    ret, events, truth = make_panel(args.securities, args.events, args.seed)
    print(f"panel: {ret.shape[0]} NYSE sessions x {ret.shape[1] - 1} securities + MKT; "
          f"{len(events)} events; built in {time.perf_counter() - t0:.2f} s")
    n = len(events)

    cold, _ = timed(run_library, ret, events)
    warm, lib = timed(run_library, ret, events)
    print(f"(a) library batch_study : cold {cold:.3f} s, warm {warm:.3f} s = {n / warm:,.0f} events/s  "
          f"stages {', '.join(f'{k} {v:.3f}' for k, v in lib['timings'].items())}")

    _, _ = timed(run_numpy, ret, events)
    t_c, bare = timed(run_numpy, ret, events)
    print(f"(c) bare numpy          : {t_c:.3f} s = {n / t_c:,.0f} events/s")

    sub = events.iloc[: args.naive_events]
    t_b, naive = timed(run_naive, ret, sub)
    t_b_full = t_b * n / len(sub)
    print(f"(b) statsmodels loop    : {t_b:.3f} s on {len(sub)} events = {len(sub) / t_b:,.0f} events/s; "
          f"extrapolated linearly to {n} events: {t_b_full:.2f} s (subset, not run on all events)")
    t_a_sub, lib_sub = timed(run_library, ret, sub)

    d_ab = max_diff(lib_sub, naive)
    d_ac = max_diff(lib, bare)
    ok_ab = all(v <= TOL for v in d_ab.values())
    ok_ac = all(v <= TOL for v in d_ac.values())
    print(f"max |a - b| on {len(sub)} events: " + ", ".join(f"{k} {v:.1e}" for k, v in d_ab.items())
          + f"  -> {'OK' if ok_ab else 'FAIL'} (tol {TOL:g})")
    print(f"max |a - c| on {n} events: " + ", ".join(f"{k} {v:.1e}" for k, v in d_ac.items())
          + f"  -> {'OK' if ok_ac else 'FAIL'} (tol {TOL:g})")
    beta_err = float(np.abs(lib["beta"] - truth["beta"][truth["sec"]]).mean())
    print(f"mean |beta_hat - beta_true| = {beta_err:.4f} (sampling error of 240-day fits)")

    tracemalloc.start()
    run_library(ret, events)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratios: a/c = {warm / t_c:.2f} (target <= 2), b/a = {t_b_full / warm:.1f}x "
          f"(extrapolated; same {len(sub)} events: {t_b / t_a_sub:.1f}x) (target >= 20x)")
    print(f"peak memory: (a) tracemalloc peak {peak / 2**20:.0f} MiB (target < 1024); "
          f"process max RSS {rss:.0f} MiB (includes the 3000x2516 panel and all three paths)")
    print(f"targets: warm < 0.5 s: {'met' if warm < 0.5 else 'MISSED'}; a/c <= 2: "
          f"{'met' if warm / t_c <= 2 else 'MISSED'}; b/a >= 20: {'met' if t_b_full / warm >= 20 else 'MISSED'}")
    return 0 if ok_ab and ok_ac else 1


if __name__ == "__main__":
    raise SystemExit(main())
