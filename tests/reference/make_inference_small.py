"""Independent reference numbers for tests/test_inference_reference.py.

Data: tests/reference/inference_small.csv -- 4 made-up events (A, B, C, D), an
estimation window of 10 relative days (-11 .. -2) and an event span -1 .. +1.
A and B share every date, C is 2 sessions later (partial calendar overlap with A/B),
D is 30 sessions later (disjoint). C misses its return on day -7 (T_C = 9), D
misses its return on day +1. C's day -1 is A's and B's day +1, so the event
windows of A/B and C overlap only for windows containing both days (here (-1, 1)):
the Kolari-Pynnonen rbar lets the A-C and B-C correlations in only there.

Every statistic is computed here straight from the papers' formulas with plain
numpy / scipy / statsmodels / pandas, one event at a time with explicit loops.
Nothing is imported from eventstudy. Run:

    python tests/reference/make_inference_small.py

and paste the printed numbers into tests/test_inference_reference.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

HERE = Path(__file__).resolve().parent
DATA = pd.read_csv(HERE / "inference_small.csv")
EVENTS = ["A", "B", "C", "D"]
EST_DAYS = list(range(-11, -1))
EVENT_DAYS = [-1, 0, 1]
SEED, N_BOOT = 12345, 500


def fit_events() -> dict[str, dict]:
    """Market model by statsmodels OLS per event; residuals and event-day quantities."""
    out = {}
    for ev in EVENTS:
        d = DATA[DATA.event == ev].set_index("rel_day")
        est = d.loc[EST_DAYS].dropna(subset=["ret"])
        fit = sm.OLS(est["ret"].to_numpy(), sm.add_constant(est["mkt"].to_numpy())).fit()
        a, b = fit.params
        T = len(est)
        mbar = est["mkt"].mean()
        smm = ((est["mkt"] - mbar) ** 2).sum()
        s2 = (fit.resid**2).sum() / (T - 2)
        resid = {}
        for day, e in zip(est.index, fit.resid, strict=True):
            resid[day] = (e, est.loc[day, "date"])
        ar, c, rm, r = {}, {}, {}, {}
        for day in EVENT_DAYS:
            row = d.loc[day]
            if not math.isnan(row["ret"]):
                ar[day] = row["ret"] - a - b * row["mkt"]
                c[day] = 1 + 1 / T + (row["mkt"] - mbar) ** 2 / smm  # Patell (1976)
                rm[day] = row["mkt"]
                r[day] = row["ret"]
        out[ev] = dict(T=T, s2=s2, mbar=mbar, smm=smm, resid=resid, ar=ar, c=c, rm=rm, r=r)
    return out


F = fit_events()


def window_days(start: int, end: int) -> list[int]:
    return [t for t in EVENT_DAYS if start <= t <= end]


def cars(start: int, end: int) -> dict[str, float]:
    out = {}
    for ev in EVENTS:
        days = [t for t in window_days(start, end) if t in F[ev]["ar"]]
        if days:
            out[ev] = sum(F[ev]["ar"][t] for t in days)
    return out


def scars(start: int, end: int) -> dict[str, float]:
    """SAR (one day) or SCAR = CAR / sqrt(Var CAR), MacKinlay (1997) eq. 12-13 summed."""
    out = {}
    for ev in EVENTS:
        f = F[ev]
        days = [t for t in window_days(start, end) if t in f["ar"]]
        if not days:
            continue
        if start == end:
            out[ev] = f["ar"][start] / math.sqrt(f["s2"] * f["c"][start])
        else:
            L, T = len(days), f["T"]
            dev = sum(f["rm"][t] - f["mbar"] for t in days)
            var = f["s2"] * (L + L * L / T + dev * dev / f["smm"])
            out[ev] = sum(f["ar"][t] for t in days) / math.sqrt(var)
    return out


def window_dates(ev: str, start: int, end: int) -> set[str]:
    """Session dates of event ``ev``'s window [start, end] (from the csv)."""
    d = DATA[DATA.event == ev].set_index("rel_day")
    return {str(d.loc[t, "date"]) for t in window_days(start, end)}


def rbar(events: list[str], start: int, end: int) -> tuple[float, int, int]:
    """Kolari-Pynnonen rbar weighted by the share of window sessions each pair shares.

    A pair contributes its pairwise-complete, calendar-aligned Pearson correlation
    of estimation residuals (pandas, at least 3 common dates) times
    d_ij / sqrt(L_i L_j), where d_ij is the number of session dates the two
    windows [start, end] have in common and L_i the number of sessions of window i
    (so a pair of one-day windows on the same date counts fully, a pair that shares
    no session counts 0). rbar = sum of contributions / (N (N - 1) / 2).
    Returns (rbar, pairs used, pairs with overlapping windows).
    """
    cols = {}
    for ev in events:
        cols[ev] = pd.Series({date: e for (e, date) in F[ev]["resid"].values()})
    frame = pd.DataFrame(cols)
    cm = frame.corr(min_periods=3)
    total, used, overlap, possible = 0.0, 0, 0, 0
    for i in range(len(events)):
        for j in range(i + 1, len(events)):
            possible += 1
            wi, wj = window_dates(events[i], start, end), window_dates(events[j], start, end)
            if not wi & wj:
                continue
            overlap += 1
            v = float(cm.to_numpy()[i, j])
            if not math.isnan(v):
                total += v * len(wi & wj) / math.sqrt(len(wi) * len(wj))
                used += 1
    return (total / possible if possible else 0.0), used, overlap


def p_norm(z: float) -> float:
    return 2 * stats.norm.sf(abs(z))


def binom_two_sided(w: int, n: int, p: float) -> float:
    """Exact binomial p-value, two-sided by doubling the smaller tail (pmf summed by hand)."""
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return min(1.0, 2 * min(sum(pmf[: w + 1]), sum(pmf[w:])))


def p_t(t: float, df: float) -> float:
    return 2 * stats.t.sf(abs(t), df)


def rank_u(series_by_event: dict[str, list[float]]) -> dict[str, list[float]]:
    """U = rank / (1 + M_i) - 1/2 per event; NaN stays NaN."""
    out = {}
    for ev, vals in series_by_event.items():
        finite = [v for v in vals if not math.isnan(v)]
        ranks = stats.rankdata(finite)
        m = len(finite)
        it = iter(ranks)
        out[ev] = [math.nan if math.isnan(v) else next(it) / (1 + m) - 0.5 for v in vals]
    return out


def cw_rank_stat(u: dict[str, list[float]], tested: list[int]) -> tuple[float, int]:
    """Campbell & Wasley (1993) / Cowan (1992): sum_{t in W} z_t / sqrt(L S^2)."""
    n_slots = len(next(iter(u.values())))
    z = []
    for t in range(n_slots):
        vals = [u[ev][t] for ev in u if not math.isnan(u[ev][t])]
        z.append(sum(vals) / math.sqrt(len(vals)) if vals else None)
    used = [v for v in z if v is not None]
    s2 = sum(v * v for v in used) / len(used)
    tw = [z[t] for t in tested if z[t] is not None]
    return sum(tw) / math.sqrt(len(tw) * s2), len(used)


def compute(start: int, end: int) -> dict[str, float]:
    res: dict[str, float] = {}
    car = cars(start, end)
    x = np.array(list(car.values()))
    tt = stats.ttest_1samp(x, 0.0)
    res["car-t"] = float(tt.statistic)
    res["car-t p"] = float(tt.pvalue)

    # Brown & Warner: portfolio residual per relative estimation day over the events used.
    used = list(car)
    port = []
    for day in EST_DAYS:
        v = [F[ev]["resid"][day][0] for ev in used if day in F[ev]["resid"]]
        if v:
            port.append(sum(v) / len(v))
    sd = float(np.std(port, ddof=1))
    caar, L = 0.0, 0
    for t in window_days(start, end):
        v = [F[ev]["ar"][t] for ev in used if t in F[ev]["ar"]]
        if v:
            caar += sum(v) / len(v)
            L += 1
    res["bw-ts"] = caar / (math.sqrt(L) * sd)
    res["bw-ts p"] = p_t(res["bw-ts"], len(port) - 1)

    sc = scars(start, end)
    n = len(sc)
    patell = sum(sc.values()) / math.sqrt(sum((F[ev]["T"] - 2) / (F[ev]["T"] - 4) for ev in sc))
    r, npairs, noverlap = rbar(list(sc), start, end)
    res["rbar"], res["rbar pairs"], res["rbar overlap pairs"] = r, npairs, noverlap
    res["patell"] = patell
    res["patell p"] = p_norm(patell)
    res["kp-patell"] = patell / math.sqrt(1 + (n - 1) * r)
    res["kp-patell p"] = p_norm(res["kp-patell"])
    v = np.array(list(sc.values()))
    bmp = v.mean() / (v.std(ddof=1) / math.sqrt(n))
    res["bmp"] = float(bmp)
    res["bmp p"] = p_t(bmp, n - 1)
    res["kp-bmp"] = float(bmp * math.sqrt((1 - r) / (1 + (n - 1) * r)))
    res["kp-bmp p"] = p_t(res["kp-bmp"], n - 1)

    # Corrado (raw ARs) and Corrado-Zivney (standardized, event days re-standardized).
    # Ranking span: the estimation days plus the tested window's days only.
    wdays = window_days(start, end)
    tested = [len(EST_DAYS) + j for j in range(len(wdays))]
    raw, std = {}, {}
    sar_day = {t: {ev: F[ev]["ar"][t] / math.sqrt(F[ev]["s2"] * F[ev]["c"][t])
                   for ev in EVENTS if t in F[ev]["ar"]} for t in EVENT_DAYS}
    sd_day = {t: float(np.std(list(sar_day[t].values()), ddof=1)) for t in EVENT_DAYS}
    # Re-standardisation corrected for cross-correlation: the cross-sectional sd of
    # correlated SARs estimates sd * sqrt(1 - rbar), so multiply back by sqrt(1 - rbar).
    kp_day = {t: math.sqrt(1 - rbar(sorted(sar_day[t]), t, t)[0]) for t in EVENT_DAYS}
    for ev in used:
        f = F[ev]
        est = [f["resid"][d][0] if d in f["resid"] else math.nan for d in EST_DAYS]
        raw[ev] = est + [f["ar"].get(t, math.nan) for t in wdays]
        std[ev] = [e / math.sqrt(f["s2"]) for e in est] + [
            sar_day[t][ev] * kp_day[t] / sd_day[t] if ev in sar_day[t] else math.nan
            for t in wdays
        ]
    res["corrado"], _ = cw_rank_stat(rank_u(raw), tested)
    res["corrado p"] = p_norm(res["corrado"])
    res["corrado-zivney"], _ = cw_rank_stat(rank_u(std), tested)
    res["corrado-zivney p"] = p_norm(res["corrado-zivney"])

    # GRANK (Kolari & Pynnonen 2011): estimation SARs + re-standardized SCAR as one point.
    sdsc = float(np.std(list(sc.values()), ddof=1))
    g = {}
    for ev in sc:
        f = F[ev]
        est = [f["resid"][d][0] / math.sqrt(f["s2"]) if d in f["resid"] else math.nan for d in EST_DAYS]
        g[ev] = [*est, sc[ev] * math.sqrt(1 - r) / sdsc]  # r: the window's rbar, as for KP-BMP
    u = rank_u(g)
    n_all = len(g)
    slots = len(EST_DAYS) + 1
    ubar, nt = [], []
    for t in range(slots):
        vals = [u[ev][t] for ev in g if not math.isnan(u[ev][t])]
        ubar.append(sum(vals) / len(vals))
        nt.append(len(vals))
    s = math.sqrt(sum(nt[t] / n_all * ubar[t] ** 2 for t in range(slots)) / slots)
    z = ubar[-1] / s
    tg = z * math.sqrt((slots - 2) / (slots - 1 - z * z))
    res["grank"], res["grank p"] = tg, p_t(tg, slots - 2)

    # Sign and generalized sign (Cowan 1992: p-hat = mean of per-event fractions).
    w = sum(1 for c in car.values() if c > 0)
    n = len(car)
    res["sign"] = float(w)  # exact binomial (N <= 1000): the statistic is the count
    res["sign p"] = binom_two_sided(w, n, 0.5)
    fr = []
    for ev in used:
        e = [v for v, _ in F[ev]["resid"].values()]
        fr.append(sum(1 for v in e if v > 0) / len(e))
    ph = sum(fr) / len(fr)
    res["p-hat"] = ph
    res["gsign"] = float(w)
    res["gsign p"] = binom_two_sided(w, n, ph)

    wres = stats.wilcoxon(x)
    ranks = stats.rankdata(np.abs(x))
    res["wilcoxon W+"] = float(sum(rk for rk, c in zip(ranks, x, strict=True) if c > 0))
    res["wilcoxon p"] = float(wres.pvalue)

    # BHAR with the skewness-adjusted t (Lyon, Barber & Tsai 1999).
    bh = []
    for ev in EVENTS:
        f = F[ev]
        days = [t for t in window_days(start, end) if t in f["r"]]
        if days:
            pr, pm = 1.0, 1.0
            for t in days:
                pr *= 1 + f["r"][t]
                pm *= 1 + f["rm"][t]
            bh.append(pr - pm)
    bh = np.array(bh)

    def tsa(sample: np.ndarray, centre: float) -> float:
        nn = len(sample)
        m = sum(sample) / nn
        sdv = math.sqrt(sum((y - m) ** 2 for y in sample) / (nn - 1))
        if sdv == 0:
            return math.nan
        S = (m - centre) / sdv
        gam = sum((y - m) ** 3 for y in sample) / (nn * sdv**3)
        return math.sqrt(nn) * (S + gam * S * S / 3 + gam / (6 * nn))

    t_sa = tsa(bh, 0.0)
    res["bhar mean"] = float(bh.mean())
    res["bhar-skew-t"] = t_sa
    res["bhar-skew-t p"] = p_t(t_sa, len(bh) - 1)
    rng = np.random.default_rng(SEED)
    bh = np.array(sorted(bh))  # resample from the BHARs in ascending order
    idx = rng.integers(0, len(bh), size=(N_BOOT, len(bh)))
    tb = [tsa(bh[row], bh.mean()) for row in idx]
    tb = [v for v in tb if not math.isnan(v)]
    hi = (1 + sum(1 for v in tb if v >= t_sa)) / (1 + len(tb))
    lo = (1 + sum(1 for v in tb if v <= t_sa)) / (1 + len(tb))
    res["bhar-boot p"] = min(1.0, 2 * min(hi, lo))
    res["bhar-boot n"] = len(tb)
    return res


if __name__ == "__main__":
    for start, end in [(0, 0), (1, 1), (-1, 1), (0, 1)]:
        print(f"# window ({start}, {end})")
        for key, val in compute(start, end).items():
            print(f"    {key!r}: {float(val)!r},")
