"""Run every test on every event day and window into one tidy table."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import check_alternative, window_label
from eventstudy.inference.bhar import bhar_bootstrap_test, bhar_skewness_adjusted_t_test
from eventstudy.inference.clustering import HEADLINE_CLUSTERED, HEADLINE_INDEPENDENT
from eventstudy.inference.parametric import (
    bmp_test,
    brown_warner_time_series_test,
    cross_sectional_t_test,
    kp_bmp_test,
    kp_patell_test,
    patell_test,
)
from eventstudy.inference.rank import corrado_test, corrado_zivney_test, grank_test
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.inference.sign import generalized_sign_test, sign_test, wilcoxon_test
from eventstudy.panel import AbnormalPanel

__all__ = ["COLUMNS", "DAY_TESTS", "ROBUST_TESTS", "WINDOW_TESTS", "headline_tests", "run_battery"]

TestFn = Callable[..., TestResult]

_TESTS: dict[str, TestFn] = {
    "car-t": cross_sectional_t_test,
    "bw-ts": brown_warner_time_series_test,
    "patell": patell_test,
    "kp-patell": kp_patell_test,
    "bmp": bmp_test,
    "kp-bmp": kp_bmp_test,
    "corrado": corrado_test,
    "corrado-zivney": corrado_zivney_test,
    "grank": grank_test,
    "sign": sign_test,
    "gsign": generalized_sign_test,
    "wilcoxon": wilcoxon_test,
    "bhar-skew-t": bhar_skewness_adjusted_t_test,
    "bhar-boot": bhar_bootstrap_test,
}

#: Tests run on each event day (the AAR).
DAY_TESTS: tuple[str, ...] = tuple(t for t in _TESTS if not t.startswith("bhar"))
#: Tests run on each window (the CAAR, and the BHAR).
WINDOW_TESTS: tuple[str, ...] = tuple(_TESTS)

#: Tests whose variance accounts for cross-sectional correlation of events that
#: share calendar dates: the portfolio time-series variance (Brown & Warner 1985's
#: crude dependence adjustment; the rank tests' variance of the mean rank), or the
#: Kolari & Pynnönen (2010) rbar adjustment.
ROBUST_TESTS: frozenset[str] = frozenset(
    {"bw-ts", "kp-patell", "kp-bmp", "corrado", "corrado-zivney", "grank"}
)

#: Columns of :func:`run_battery`'s table, in order.
COLUMNS: tuple[str, ...] = (
    "scope", "window", "start", "end", "test", "statistic", "pvalue", "df",
    "distribution", "n", "valid", "reason", "robust",
)


def _windows(windows: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    out = []
    for w in windows:
        if len(w) != 2:
            raise InvalidParameterError("windows", "pairs (start, end) of relative days", w)
        out.append((int(w[0]), int(w[1])))
    return out


def run_battery(
    panel: AbnormalPanel,
    windows: Iterable[Sequence[int]],
    days: Iterable[int] | None = None,
    alternative: Alternative = "two-sided",
    bootstrap_seed: int = 20250127,
    n_boot: int = 1000,
) -> pd.DataFrame:
    """Every test on every event day and every window, as one tidy table.

    Parameters
    ----------
    panel : AbnormalPanel
    windows : iterable of (int, int)
        Windows ``(start, end)`` of relative trading days for the CAAR (and BHAR) tests.
    days : iterable of int, optional
        Event days for the AAR tests; default every day of ``panel.event_days``.
    alternative : {"two-sided", "less", "greater"}
    bootstrap_seed : int
        Seed of the BHAR bootstrap (``numpy.random.default_rng``).
    n_boot : int
        Bootstrap resamples for the BHAR test.

    Returns
    -------
    pandas.DataFrame
        One row per (scope, window, test) with the columns :data:`COLUMNS`:
        ``scope`` (``"day"``/``"window"``), ``window`` (label ``"0"`` or
        ``"(-1, +1)"``), ``start``, ``end``, ``test``, ``statistic``, ``pvalue``,
        ``df`` (NaN when the distribution has none), ``distribution``, ``n``,
        ``valid``, ``reason``, ``robust`` (dependence-robust test, see
        :data:`ROBUST_TESTS`). Undefined statistics are rows with ``valid`` False
        and the ``reason``.

    References
    ----------
    See the individual tests in :mod:`eventstudy.inference`.
    """
    alternative = check_alternative(alternative)
    day_list = [int(d) for d in (panel.event_days if days is None else days)]
    rows: list[dict[str, Any]] = []
    plan = [("day", d, d, DAY_TESTS) for d in day_list]
    plan += [("window", s, e, WINDOW_TESTS) for s, e in _windows(windows)]
    for scope, start, end, tests in plan:
        for test in tests:
            fn = _TESTS[test]
            if test == "bhar-boot":
                res = fn(panel, start, end, alternative=alternative, n_boot=n_boot, seed=bootstrap_seed)
            else:
                res = fn(panel, start, end, alternative=alternative)
            df = res.df
            rows.append({
                "scope": scope,
                "window": window_label(start, end, scope),
                "start": start,
                "end": end,
                "test": test,
                "statistic": float(res.statistic),
                "pvalue": float(res.pvalue),
                "df": math.nan if df is None or isinstance(df, tuple) else float(df),
                "distribution": res.distribution,
                "n": int(res.nobs),
                "valid": bool(res.valid),
                "reason": res.reason,
                "robust": test in ROBUST_TESTS,
            })
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.astype({"start": np.int64, "end": np.int64, "n": np.int64, "valid": bool,
                         "robust": bool, "statistic": np.float64, "pvalue": np.float64,
                         "df": np.float64})


def headline_tests(table: pd.DataFrame, clustered: bool) -> pd.DataFrame:
    """Rows of :func:`run_battery`'s table the summary should lead with.

    Clustered events (shared dates / overlapping windows, see
    :func:`~eventstudy.inference.clustering.detect_clustering`) lead with the
    dependence-robust tests :data:`~eventstudy.inference.clustering.HEADLINE_CLUSTERED`
    (KP-adjusted BMP, Brown–Warner time-series test, GRANK); otherwise with
    :data:`~eventstudy.inference.clustering.HEADLINE_INDEPENDENT` (BMP,
    cross-sectional t, generalized sign test). Rows keep the table's scope and
    window order, tests in the headline order.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`run_battery`.
    clustered : bool

    Returns
    -------
    pandas.DataFrame
    """
    order = HEADLINE_CLUSTERED if clustered else HEADLINE_INDEPENDENT
    rank = {t: i for i, t in enumerate(order)}
    sel = table.loc[table["test"].isin(order)].copy()
    if sel.empty:
        return sel
    block = (~(sel[["scope", "window"]] == sel[["scope", "window"]].shift()).all(axis=1)).cumsum()
    sel["_block"] = block.to_numpy()
    sel["_rank"] = sel["test"].map(rank).to_numpy()
    sel = sel.sort_values(["_block", "_rank"], kind="stable")
    return sel.drop(columns=["_block", "_rank"])
