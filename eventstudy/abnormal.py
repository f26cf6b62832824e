"""Abnormal returns, cumulative abnormal returns and their basic t-tests.

For event ``i`` and window ``[t1, t2]`` of ``L`` days,
``CAR_i = sum AR_it`` and, with the forecast-error correction,

    Var(CAR_i) = s_i^2 [L + L^2/T_i + (sum_t (R_mt - mean R_m))^2 / S_mm]

for the market model (general ``s^2 (L + g'(X'X)^-1 g)`` for any linear model;
see :meth:`AbnormalPanel.forecast_variance`). ``t = CAR / sqrt(Var(CAR))`` is
Student-t with ``T_i - k`` degrees of freedom under normal disturbances.

References
----------
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of
Economic Literature 35(1), 13-39.
Campbell, J. Y., Lo, A. W., & MacKinlay, A. C. (1997). The Econometrics of
Financial Markets, ch. 4. Princeton University Press.
Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: the case of
event studies. Journal of Financial Economics 14(1), 3-31.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.inference._common import car as car_sum
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel, FloatArray
from eventstudy.windows import Window

__all__ = ["car_arrays", "car_index", "car_table", "car_test", "t_pvalue", "window_array"]


def window_array(windows: Sequence[Window], repeat: int = 1) -> np.ndarray:
    """Object array of :class:`Window` values, each repeated ``repeat`` times.

    Built element by element: numpy and pandas would otherwise read the
    ``(start, end)`` tuples as a second dimension or a MultiIndex.
    """
    out = np.empty(len(windows) * repeat, dtype=object)
    for i, w in enumerate(windows):
        for j in range(repeat):
            out[i * repeat + j] = w
    return out


def t_pvalue(stat: FloatArray | float, df: FloatArray | float, alternative: Alternative) -> FloatArray:
    """p-value of a t statistic (``df = inf`` gives the normal)."""
    from scipy import stats  # imported where used (start-up time)

    stat = np.asarray(stat, dtype=np.float64)
    df = np.asarray(df, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if alternative == "two-sided":
            return np.asarray(2.0 * stats.t.sf(np.abs(stat), df), dtype=np.float64)
        if alternative == "greater":
            return np.asarray(stats.t.sf(stat, df), dtype=np.float64)
        return np.asarray(stats.t.cdf(stat, df), dtype=np.float64)


def car_arrays(panel: AbnormalPanel, window: Window) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """CAR, Var(CAR) and number of days used, per event, for ``window``."""
    car, days = car_sum(panel, panel.window_mask(window.start, window.end))
    var = panel.forecast_variance(window.start, window.end)
    return car, np.where(days > 0, var, np.nan), days


def car_test(
    panel: AbnormalPanel, event: int, window: Window, alternative: Alternative = "two-sided"
) -> TestResult:
    """t-test of one event's CAR with the forecast-error-corrected variance."""
    car, var, days = car_arrays(panel, window)
    name, null = "car-t", f"CAR{window.label} = 0"
    if days[event] == 0:
        return TestResult.invalid(name, "no abnormal return in the window", null=null,
                                  distribution="t", alternative=alternative)
    if not np.isfinite(var[event]) or var[event] <= 0:
        return TestResult.invalid(name, "Var(CAR) is zero or undefined", null=null,
                                  distribution="t", alternative=alternative)
    stat = float(car[event] / np.sqrt(var[event]))
    df = float(panel.df_resid[event])
    return TestResult(name, stat, float(t_pvalue(stat, df, alternative)), df, "t", null,
                      alternative, int(days[event]), extra={"car": float(car[event]),
                                                            "std_err": float(np.sqrt(var[event]))})


def car_index(event_ids: npt.ArrayLike, windows: Sequence[Window]) -> pd.MultiIndex:
    """Index ``(event_id, window)`` of rows laid out window by window, events in the given order.

    The index ``set_index(["event_id", "window"])`` builds from those columns
    (levels sorted, the smallest integer codes), made from the ``E`` ids and the
    windows instead of factorizing ``E x W`` labels.
    """
    ids = np.asarray(event_ids)
    e_codes, e_level = pd.factorize(pd.Index(ids), sort=True)
    w_codes, w_level = pd.factorize(pd.Index(window_array(list(windows)), tupleize_cols=False), sort=True)
    levels: list[Any] = [e_level, w_level]
    codes: list[Any] = [np.tile(e_codes, len(windows)), np.repeat(w_codes, ids.size)]
    return pd.MultiIndex(levels=levels, codes=codes, names=["event_id", "window"], verify_integrity=False)


def car_table(panel: AbnormalPanel, windows: Sequence[Window],
              alternative: Alternative = "two-sided") -> pd.DataFrame:
    """Tidy CAR table indexed by (event_id, window).

    The ``window`` level holds :class:`~eventstudy.windows.Window` values, so
    ``(start, end)`` tuples select rows (``xs((0, 0), level="window")``).

    The ``reason`` column says why a row's statistics are undefined (no
    abnormal return in the window, zero or undefined ``Var(CAR)``); it is ``""``
    when every number in the row is defined.
    """
    if not windows or panel.n_events == 0:
        cols = ["security", "start", "end", "car", "std_err", "statistic", "pvalue", "df", "days", "missing_days",
                "reason"]
        return pd.DataFrame(columns=cols, index=pd.MultiIndex.from_arrays([[], []], names=["event_id", "window"]))
    n = panel.n_events
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (
        "car", "std_err", "statistic", "pvalue", "df", "days", "missing_days", "reason")}
    for w in windows:
        car, var, days = car_arrays(panel, w)
        se = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            tstat = np.where(se > 0, car / se, np.nan)
        df = panel.df_resid.astype(np.float64)
        pval = t_pvalue(tstat, df, alternative)
        with np.errstate(invalid="ignore"):
            reason = np.where(
                days == 0, "no abnormal return in the window (every day missing)",
                np.where(~(se > 0), "Var(CAR) is zero or undefined",
                         np.where(~np.isfinite(pval), "t statistic or p-value undefined", "")))
        for name, value in (("car", car), ("std_err", se), ("statistic", tstat), ("pvalue", pval), ("df", df),
                            ("days", days), ("missing_days", w.length - days),
                            ("reason", reason.astype(object))):
            parts[name].append(value)
    columns = {name: np.concatenate(v) for name, v in parts.items()}
    return pd.DataFrame({
        "security": np.tile(panel.securities, len(windows)),
        "start": np.repeat(np.array([w.start for w in windows], dtype=np.int64), n),
        "end": np.repeat(np.array([w.end for w in windows], dtype=np.int64), n),
        **columns,
    }, index=car_index(panel.event_ids, windows))
