"""Run every test on every event day and window into one tidy table."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import check_alternative, window_label
from eventstudy.inference.registry import HEADLINE_CLUSTERED, HEADLINE_INDEPENDENT, TESTS
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.panel import AbnormalPanel

__all__ = ["COLUMNS", "DAY_TESTS", "DEPENDENCE_ROBUST", "VARIANCE_ROBUST", "WINDOW_TESTS",
           "battery_plan", "battery_row", "battery_table", "headline_tests", "in_plan_order", "run_battery"]

#: Tests run on each event day (the AAR).
DAY_TESTS: tuple[str, ...] = tuple(n for n, t in TESTS.items() if "day" in t.scopes)
#: Tests run on each window (the CAAR, and the BHAR).
WINDOW_TESTS: tuple[str, ...] = tuple(n for n, t in TESTS.items() if "window" in t.scopes)
#: Tests valid when events sharing dates are cross-sectionally correlated.
DEPENDENCE_ROBUST: frozenset[str] = frozenset(n for n, t in TESTS.items() if t.dependence_robust)
#: Tests valid when the event raises the variance of abnormal returns.
VARIANCE_ROBUST: frozenset[str] = frozenset(n for n, t in TESTS.items() if t.variance_robust)

#: Columns of :func:`run_battery`'s table, in order.
COLUMNS: tuple[str, ...] = (
    "scope", "window", "start", "end", "test", "statistic", "pvalue", "df",
    "distribution", "nobs", "valid", "reason", "dependence_robust", "variance_robust",
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
    tests: Sequence[str] | None = None,
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
    tests : sequence of str, optional
        Names of registered tests to run (default: every test in
        :data:`~eventstudy.inference.registry.TESTS`), in the registry's order.

    Returns
    -------
    pandas.DataFrame
        One row per (scope, window, test) with the columns :data:`COLUMNS`:
        ``scope`` (``"day"``/``"window"``), ``window`` (label ``"0"`` or
        ``"(-1, +1)"``), ``start``, ``end``, ``test``, ``statistic``, ``pvalue``,
        ``df`` (NaN when the distribution has none), ``distribution``, ``nobs``,
        ``valid``, ``reason``, ``dependence_robust`` and ``variance_robust``
        (the registry's flags, :mod:`eventstudy.inference.registry`). Undefined
        statistics are rows with ``valid`` False and the ``reason``.

    References
    ----------
    See the individual tests in :mod:`eventstudy.inference`.
    """
    alternative = check_alternative(alternative)
    rows: list[dict[str, Any]] = []
    for scope, start, end, names in battery_plan(panel.event_days, windows, days, tests):
        for test in names:
            fn = TESTS[test].fn
            if test == "bhar-boot":
                res = fn(panel, start, end, alternative=alternative, n_boot=n_boot, seed=bootstrap_seed)
            else:
                res = fn(panel, start, end, alternative=alternative)
            rows.append(battery_row(scope, start, end, test, res))
    return battery_table(rows)


#: One line of a battery: (scope, start, end, test names in the registry's order).
PlanItem = tuple[str, int, int, tuple[str, ...]]


def battery_plan(event_days: Iterable[int], windows: Iterable[Sequence[int]],
                 days: Iterable[int] | None = None, tests: Sequence[str] | None = None) -> list[PlanItem]:
    """What :func:`run_battery` computes: each event day's tests, then each window's.

    ``days`` default to every one of ``event_days``; ``tests`` to every registered test.
    """
    if tests is not None:
        unknown = [t for t in tests if t not in TESTS] if not isinstance(tests, str) else [tests]
        if unknown:
            raise InvalidParameterError("tests", f"a list of registered test names among {list(TESTS)}",
                                        unknown)
    chosen = set(TESTS) if tests is None else set(tests)
    day_list = [int(d) for d in (event_days if days is None else days)]
    day_tests = tuple(t for t in DAY_TESTS if t in chosen)
    window_tests = tuple(t for t in WINDOW_TESTS if t in chosen)
    plan: list[PlanItem] = [("day", d, d, day_tests) for d in day_list]
    plan += [("window", s, e, window_tests) for s, e in _windows(windows)]
    return plan


def in_plan_order(table: pd.DataFrame, event_days: Iterable[int], windows: Iterable[Sequence[int]],
                  days: Iterable[int] | None = None) -> pd.DataFrame:
    """The rows of a battery's table (built in pieces) in :func:`run_battery`'s order.

    Event days, then windows, as :func:`battery_plan` lists them; within each,
    the tests in the registry's order. Index reset.
    """
    items = {(scope, start, end): i for i, (scope, start, end, _) in
             enumerate(battery_plan(event_days, windows, days))}
    position = {name: i for i, name in enumerate(TESTS)}
    key = np.array([items[(sc, int(a), int(b))] * len(position) + position[t] for sc, a, b, t in
                    zip(table["scope"], table["start"], table["end"], table["test"], strict=True)],
                   dtype=np.int64)
    return table.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def battery_row(scope: str, start: int, end: int, test: str, res: TestResult) -> dict[str, Any]:
    """One row of the battery's table for the result ``res`` of ``test``."""
    df = res.df
    return {
        "scope": scope,
        "window": window_label(start, end, scope),
        "start": start,
        "end": end,
        "test": test,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "df": math.nan if df is None or isinstance(df, tuple) else float(df),
        "distribution": res.distribution,
        "nobs": int(res.nobs),
        "valid": bool(res.valid),
        "reason": res.reason,
        "dependence_robust": TESTS[test].dependence_robust,
        "variance_robust": TESTS[test].variance_robust,
    }


def battery_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The battery's table (:data:`COLUMNS`, their dtypes) from :func:`battery_row` rows."""
    if rows:  # column by column, each with its dtype (no DataFrame.astype pass)
        typed = {"start": np.int64, "end": np.int64, "nobs": np.int64, "valid": bool,
                 "dependence_robust": bool, "variance_robust": bool, "statistic": np.float64,
                 "pvalue": np.float64, "df": np.float64}
        return pd.DataFrame({c: np.array([r[c] for r in rows], dtype=typed[c]) if c in typed
                             else [r[c] for r in rows] for c in COLUMNS}, columns=list(COLUMNS))
    table = pd.DataFrame(list(rows), columns=list(COLUMNS))
    return table.astype({"start": np.int64, "end": np.int64, "nobs": np.int64, "valid": bool,
                         "dependence_robust": bool, "variance_robust": bool, "statistic": np.float64, "pvalue": np.float64,
                         "df": np.float64})


def headline_tests(table: pd.DataFrame, clustered: bool) -> pd.DataFrame:
    """Rows of :func:`run_battery`'s table the summary should lead with.

    Clustered events (shared dates / overlapping windows, see
    :func:`~eventstudy.inference.clustering.detect_clustering`) lead with the
    tests robust to both cross-correlation and event-induced variance
    (:data:`~eventstudy.inference.registry.HEADLINE_CLUSTERED`, each from its
    ``headline_min_events`` on, judged by the row's ``nobs``); otherwise with
    :data:`~eventstudy.inference.registry.HEADLINE_INDEPENDENT` (BMP,
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
    if clustered and len(sel):
        need = sel["test"].map(lambda t: TESTS[t].headline_min_events)
        sel = sel.loc[sel["nobs"].to_numpy() >= need.to_numpy()]
    if sel.empty:
        return sel
    block = (~(sel[["scope", "window"]] == sel[["scope", "window"]].shift()).all(axis=1)).cumsum()
    sel["_block"] = block.to_numpy()
    sel["_rank"] = sel["test"].map(rank).to_numpy()
    sel = sel.sort_values(["_block", "_rank"], kind="stable")
    return sel.drop(columns=["_block", "_rank"])
