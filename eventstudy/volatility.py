"""Abnormal volatility: the event study of squared abnormal returns (``kind="volatility"``).

Definition
----------
The returns study (same data, normal-return model, windows) gives each event
``i`` its abnormal returns ``AR_it``, the estimation-window residual variance
``s_i^2`` with ``df_i = T_i - k`` degrees of freedom and the forecast-error
factor ``C_it = 1 + x_t'(X_i'X_i)^-1 x_t``
(:meth:`~eventstudy.panel.AbnormalPanel.daily_forecast_factor`). Beaver's
(1968) U statistic, corrected for the forecast error, is the squared
standardized abnormal return

    U_it = AR_it^2 / (s_i^2 C_it),

the ratio of the event day's squared abnormal return to the variance the
estimation window predicts for it. The **abnormal volatility** is

    AVy_it = U_it - 1

(0 when the day is as volatile as the estimation window predicts, 3 when its
squared abnormal return is four times the predicted variance; the measure of
the R package EventStudy's volatility model, with the forecast-error factor),
and the **cumulative abnormal volatility** of a window is
``CAVy_i = sum_t AVy_it`` over its days with an abnormal return.

Tests
-----
Per event and window (the ``car`` table): the variance ratio of the window's
abnormal returns to the estimation variance,

    VR_i = AR_w' (I + X_w (X'X)^-1 X_w')^-1 AR_w / (L_i s_i^2)  ~  F(L_i, df_i),

Chow's (1960) predictive test, **exact** under the model's assumptions
(normal, independent, homoskedastic disturbances and no event effect) for
every model with estimated parameters; for one day it is ``U_it ~ F(1, df_i)``.
Its p-value is the upper tail (H1: the event raised the variance). With
``model="market_adjusted"`` nothing is estimated and ``s^2`` is the sample
variance of the estimation-window excess returns, so the F is approximate.

Across events (the ``caar`` table and ``tests``), for a window or a day:

``avy-t``
    cross-sectional t of ``CAVy_i - L_i * 2 / (df_i - 2)`` (the CAVy minus its
    null mean: ``E[U] = df / (df - 2)`` for ``F(1, df)``), Student t with
    ``N - 1`` df (two-sided): the mean abnormal volatility over events, robust
    to a different volatility increase per event (its variance is the
    cross-section's), assuming independent events; the t reference is a
    large-N approximation (U is skewed).
``avy-sign``
    the number of events whose ``VR_i`` exceeds the median of its null
    ``F(L_i, df_i)``: exactly binomial(N, 1/2) under the null for independent
    events (two-sided), with no assumption on the cross-section.

Only these tests are reported for a volatility study: the return tests
(Patell, BMP, ranks ...) test a mean, not a variance.

References
----------
Beaver, W. H. (1968). The information content of annual earnings announcements.
Journal of Accounting Research 6, 67-92.
Chow, G. C. (1960). Tests of equality between sets of coefficients in two
linear regressions. Econometrica 28(3), 591-605.
Patell, J. M. (1976). Corporate forecasts of earnings per share and stock
price behavior. Journal of Accounting Research 14(2), 246-276.
Balaban, E., & Constantinou, C. T. (2006). Volatility clustering and event-induced
volatility. Economics Letters 92(2), 262-268 (eventstudytools' AVyC, a GARCH
variant of the same question).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.abnormal import window_array
from eventstudy.inference._common import window_label
from eventstudy.inference.result import TestResult
from eventstudy.panel import AbnormalPanel, FloatArray
from eventstudy.windows import Window

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = ["TESTS", "abnormal_volatility", "null_mean", "variance_ratio", "variance_ratio_test",
           "volatility_result", "volatility_tables"]

#: The volatility tests: name -> (label, dependence_robust, variance_robust).
TESTS: dict[str, tuple[str, bool, bool]] = {
    "avy-t": ("cross-sectional t of abnormal volatility", False, True),
    "avy-sign": ("sign test of the variance ratio against its null median", False, True),
}


def abnormal_volatility(panel: AbnormalPanel) -> FloatArray:
    """``AVy_it = AR_it^2 / (s_i^2 C_it) - 1`` per event and event day, shape (E, L)."""
    c = panel.daily_forecast_factor()
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.asarray(panel.ar, dtype=np.float64) ** 2 / (panel.sigma2[:, None] * c)
    return np.asarray(np.where(np.isfinite(u), u - 1.0, np.nan), dtype=np.float64)


def null_mean(df: np.ndarray) -> FloatArray:
    """Null mean of ``AVy`` per day, ``E[F(1, df)] - 1 = 2 / (df - 2)`` (NaN for df <= 2)."""
    d = np.asarray(df, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(d > 2, 2.0 / (d - 2.0), np.nan), dtype=np.float64)


def variance_ratio(panel: AbnormalPanel, start: int, end: int) -> tuple[FloatArray, np.ndarray]:
    """Per event, the window variance ratio ``VR_i`` and the days it uses ``L_i``.

    ``VR_i = e' (I + X_w (X'X)^-1 X_w')^-1 e / (L_i s_i^2)`` over the window's
    days with an abnormal return ``e`` (NaN when there is none), ``F(L_i, df_i)``
    under the null.
    """
    mask = panel.window_mask(start, end)
    ar = np.asarray(panel.ar, dtype=np.float64)
    vr = np.full(panel.n_events, np.nan)
    days = np.zeros(panel.n_events, dtype=np.int64)
    for i in range(panel.n_events):
        use = mask & np.isfinite(ar[i])
        n = int(use.sum())
        days[i] = n
        if n == 0 or not np.isfinite(panel.sigma2[i]) or panel.sigma2[i] <= 0:
            continue
        e = ar[i, use]
        cov = np.eye(n)
        if panel.k:
            x = panel.event_x[i, use, :]
            cov = cov + x @ panel.xtx_inv[i] @ x.T
        vr[i] = float(e @ np.linalg.solve(cov, e)) / (n * float(panel.sigma2[i]))
    return vr, days


def _row(test: str, scope: str, start: int, end: int, stat: float, pval: float, df: float,
         dist: str, n: int, reason: str) -> dict[str, Any]:
    return {"scope": scope, "window": window_label(start, end, scope), "start": start, "end": end,
            "test": test, "statistic": stat, "pvalue": pval, "df": df, "distribution": dist, "nobs": n,
            "valid": not reason, "reason": reason, "dependence_robust": TESTS[test][1],
            "variance_robust": TESTS[test][2]}


def _cross_tests(panel: AbnormalPanel, av: FloatArray, scope: str, start: int,
                 end: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The two cross-sectional tests of one day or window, and its CAAVy row."""
    from scipy import stats

    mask = panel.window_mask(start, end)
    vr, days = variance_ratio(panel, start, end)
    df = panel.df_resid.astype(np.float64)
    cav = np.where(days > 0, np.nansum(np.where(mask, av, 0.0), axis=1), np.nan)
    x = cav - days * null_mean(df)
    ok = np.isfinite(x)
    n = int(ok.sum())
    mean = float(x[ok].mean()) if n else math.nan
    sd = float(x[ok].std(ddof=1)) if n > 1 else math.nan
    reason = "" if n > 1 and sd > 0 else ("fewer than 2 events" if n < 2 else "zero cross-sectional sd")
    t = mean / (sd / math.sqrt(n)) if not reason else math.nan
    p = float(2.0 * stats.t.sf(abs(t), n - 1)) if not reason else math.nan
    rows = [_row("avy-t", scope, start, end, t, p, float(n - 1) if n else math.nan, "t", n, reason)]
    okv = np.isfinite(vr) & (df > 0)
    m = int(okv.sum())
    above = int((vr[okv] > stats.f.median(days[okv], df[okv])).sum()) if m else 0
    ps = float(stats.binomtest(above, m, 0.5).pvalue) if m else math.nan
    rows.append(_row("avy-sign", scope, start, end, float(above) if m else math.nan, ps, math.nan,
                     "binomial", m, "" if m else "no event with a variance ratio"))
    caavy = {"caar": float(cav[np.isfinite(cav)].mean()) if np.isfinite(cav).any() else math.nan,
             "nobs": n, "sd": float(cav[ok].std(ddof=1)) if n > 1 else math.nan, "statistic": t,
             "df": float(n - 1) if n else math.nan, "pvalue": p, "valid": not reason, "reason": reason}
    return rows, caavy


def volatility_tables(panel: AbnormalPanel, windows: Sequence[Window]
                      ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The per-event (``car``), cross-sectional (``caar``) and ``tests`` tables.

    ``panel`` is the returns panel (its ``ar`` abnormal returns). The per-event
    table has the CAR table's index and columns: ``car`` holds the CAVy,
    ``ratio`` the variance ratio ``VR_i`` (the F statistic), ``pvalue`` its
    upper-tail p-value under ``F(days, df)`` and ``df_num`` its numerator
    degrees of freedom; ``std_err`` and ``statistic`` are NaN (no t-test: see ``ratio``).
    """
    from scipy import stats

    av = abnormal_volatility(panel)
    df = panel.df_resid.astype(np.float64)
    parts, caar_rows, test_rows = [], [], []
    for d in panel.event_days.tolist():
        rows, _ = _cross_tests(panel, av, "day", int(d), int(d))
        test_rows += rows
    for w in windows:
        vr, days = variance_ratio(panel, w.start, w.end)
        cav = np.where(days > 0, np.nansum(np.where(panel.window_mask(w.start, w.end), av, 0.0), axis=1),
                       np.nan)
        with np.errstate(invalid="ignore"):
            pval = np.where(np.isfinite(vr), stats.f.sf(vr, np.maximum(days, 1), df), np.nan)
        reason = np.where(days == 0, "no abnormal return in the window (every day missing)",
                          np.where(~np.isfinite(vr), "estimation variance is zero or undefined", ""))
        parts.append(pd.DataFrame({
            "event_id": panel.event_ids, "window": window_array([w], panel.n_events),
            "security": panel.securities, "start": w.start, "end": w.end, "car": cav,
            "std_err": np.nan, "statistic": np.nan, "ratio": vr, "pvalue": pval, "df": df, "df_num": days,
            "days": days, "missing_days": w.length - days, "reason": reason.astype(object)}))
        rows, caavy = _cross_tests(panel, av, "window", w.start, w.end)
        test_rows += rows
        caar_rows.append({"start": w.start, "end": w.end, **caavy})
    car = pd.concat(parts, ignore_index=True).set_index(["event_id", "window"])
    caar = pd.DataFrame(caar_rows, columns=["start", "end", "caar", "nobs", "sd", "statistic", "df", "pvalue",
                                            "valid", "reason"])
    caar.index = pd.Index(window_array(list(windows)), name="window", tupleize_cols=False)
    tests = pd.DataFrame(test_rows)
    tests["headline"] = tests["scope"] == "window"
    tests = tests.astype({"start": np.int64, "end": np.int64, "nobs": np.int64, "valid": bool,
                          "statistic": np.float64, "pvalue": np.float64, "df": np.float64})
    head = tests[tests["headline"]]
    return car, caar, pd.concat([head, tests[~tests["headline"]]], ignore_index=True)


def volatility_result(result: EventStudyResult) -> EventStudyResult:
    """Turn a returns study into its abnormal-volatility study (``kind="volatility"``).

    The result keeps the returns study's model, windows, diagnostics and notes;
    its ``panel.ar`` (and so ``result.ar``, the figures) holds ``AVy_it``, its
    ``car`` table the CAVy with the variance-ratio F test, ``caar`` the mean
    CAVy with the cross-sectional t and ``tests`` only the volatility tests
    (:data:`TESTS`). The raw returns stay in ``panel.raw_event``.
    """
    from eventstudy.assemble import with_excluded

    if result.kind != "returns":
        from eventstudy.errors import InvalidParameterError
        raise InvalidParameterError("result", "a returns study", f"a {result.kind} study")
    panel = result.panel
    if not panel.n_events:
        return dataclasses.replace(result, kind="volatility")
    car, caar, tests = volatility_tables(panel, result.windows)
    car = with_excluded(car, result.diagnostics, result.windows)
    note = ("Abnormal volatility AVy = AR^2 / (s^2 C) - 1 (Beaver 1968 U, forecast-error corrected); "
            "per event the window variance ratio ~ F(L, T-k) (Chow 1960), upper tail.")
    return dataclasses.replace(
        result, kind="volatility", panel=dataclasses.replace(panel, ar=abnormal_volatility(panel)),
        notes=(*result.notes, note), _car=car, _caar=caar, _tests=tests)


def variance_ratio_test(result: EventStudyResult, event_id: str, window: Window) -> TestResult:
    """One event's variance-ratio F test over one of the study's windows (``result.car_test``).

    Read from the ``car`` table of a volatility result: ``statistic`` is
    ``VR_i``, ``df`` ``(L_i, T_i - k)``, the p-value the upper tail of the F.
    """
    from eventstudy.errors import InvalidParameterError

    if window not in result.windows:
        raise InvalidParameterError("window", f"one of the study's windows {list(result.windows)}", window)
    row = result.car.loc[(event_id, window)]  # type: ignore[index]
    null = f"Var(AR{window.label}) = estimation variance"
    if row["reason"]:
        return TestResult.invalid("variance-ratio", str(row["reason"]), null=null, distribution="F",
                                  alternative="greater")
    return TestResult("variance-ratio", float(row["ratio"]), float(row["pvalue"]),
                      (float(row["df_num"]), float(row["df"])), "F", null, "greater", int(row["days"]),
                      extra={"cavy": float(row["car"])})
