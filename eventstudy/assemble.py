"""Assemble an :class:`~eventstudy.results.EventStudyResult` from the engine's stacked panel.

The last step of the pipeline: the CAR table (excluded events included, with
their reason), the CAAR table, the test battery with its headline rows and the
clustering note (:func:`build_result`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.abnormal import car_index, car_table, window_array
from eventstudy.models import ModelSpec
from eventstudy.panel import AbnormalPanel
from eventstudy.results import EventStudyResult
from eventstudy.windows import Window

__all__ = ["build_result", "caar_table", "car_frame", "with_excluded"]


def caar_table(panel: AbnormalPanel, windows: Sequence[Window]) -> pd.DataFrame:
    """CAAR per window with the cross-sectional t-test (Brown & Warner 1985).

    From each included event's CAR (:func:`~eventstudy.abnormal.car_sum`, the
    ``car`` column of the CAR table), without building that table.
    """
    from eventstudy.abnormal import car_sum
    from eventstudy.inference.parametric import cross_sectional_t_test

    rows: list[dict[str, Any]] = []
    for w in windows:
        vals = car_sum(panel, panel.window_mask(w.start, w.end))[0] if panel.n_events else np.array([])
        vals = vals[np.isfinite(vals)]
        test = cross_sectional_t_test(panel, w.start, w.end)
        rows.append({"start": w.start, "end": w.end,
                     "caar": float(vals.mean()) if vals.size else np.nan, "nobs": int(vals.size),
                     "sd": float(vals.std(ddof=1)) if vals.size > 1 else np.nan,
                     "statistic": test.statistic, "df": test.df, "pvalue": test.pvalue,
                     "valid": test.valid, "reason": test.reason})
    out = pd.DataFrame(rows, columns=["start", "end", "caar", "nobs", "sd", "statistic", "df", "pvalue",
                                      "valid", "reason"])
    out.index = pd.Index(window_array(list(windows)), name="window", tupleize_cols=False)
    return out


def car_frame(panel: AbnormalPanel, diagnostics: pd.DataFrame, windows: Sequence[Window]) -> pd.DataFrame:
    """The result's CAR table: every event (excluded ones with their reason) by window."""
    return with_excluded(car_table(panel, windows), diagnostics, windows)


def build_result(
    *,
    name: str,
    panel: AbnormalPanel,
    windows: tuple[Window, ...],
    estimation: Window,
    model: ModelSpec,
    diagnostics: pd.DataFrame,
    notes: tuple[str, ...],
    data_basis: dict[str, str],
    return_type: str,
    calendar: str,
    battery: bool = True,
    tests: Sequence[str] | None = None,
    days: Iterable[int] | None = None,
    alternative: str = "two-sided",
    est_resid: np.ndarray | None = None,
    n_chunks: int = 1,
    timings: dict[str, float] | None = None,
    tests_table: pd.DataFrame | None = None,
) -> EventStudyResult:
    """Assemble the result: CAR and CAAR tables, the test battery, notes.

    ``tests`` selects registered statistics (default: all of them), ``days``
    the event days of the AAR tests (default: all);
    ``timings`` gains the ``assemble`` and ``tests`` stages; ``est_resid``, the
    engine's residuals of a lean panel, are lent to the battery (not kept);
    ``tests_table``: the battery already computed from chunk sums
    (:mod:`eventstudy.inference.chunked`), given its headline rows here.
    """
    clock = dict(timings or {})
    t0 = time.perf_counter()
    car = functools.partial(car_frame, panel, diagnostics, windows)  # built on first use
    caar = caar_table(panel, windows)
    t1 = time.perf_counter()
    table, extra_notes = _battery(panel, windows, tests, days, alternative, est_resid, tests_table) \
        if battery else (_empty_tests(), ())
    t2 = time.perf_counter()
    clock.update(assemble=clock.get("assemble", 0.0) + t1 - t0, tests=t2 - t1)
    if "total" in clock:
        clock["total"] += t2 - t0
    return EventStudyResult(
        name=name, model=model, estimation=estimation, windows=windows, panel=panel,
        notes=notes + extra_notes, return_type=return_type, calendar=calendar,
        _diagnostics=diagnostics, _car=car, _caar=caar, _tests=table,
        data_basis=dict(data_basis), n_chunks=n_chunks, timings=clock,
    )


def with_excluded(car: pd.DataFrame, diagnostics: pd.DataFrame,
                   windows: Sequence[Window]) -> pd.DataFrame:
    """Add NaN rows, with ``reason`` "event excluded: ...", for the excluded events.

    Rows are ordered by window, then by the order of the requested events.
    """
    excluded = diagnostics["status"].to_numpy() != "ok"
    if not excluded.any() or not len(windows):
        return car
    ids = diagnostics.index[excluded].to_numpy(dtype=str)
    secs = diagnostics["security"].to_numpy()[excluded].astype(str)
    why = "event excluded: " + diagnostics["reason"].to_numpy()[excluded].astype(str).astype(object)
    n = len(ids)
    filler: dict[str, Any] = {
        "security": np.tile(secs, len(windows)),
        "start": np.repeat([w.start for w in windows], n),
        "end": np.repeat([w.end for w in windows], n),
        "car": np.nan, "std_err": np.nan, "statistic": np.nan, "pvalue": np.nan, "df": np.nan,
        "days": np.zeros(n * len(windows), dtype=np.int64),
        "missing_days": np.repeat([w.length for w in windows], n),
        "reason": np.tile(why, len(windows)),
    }
    laid_out = _excluded_laid_out(car, diagnostics, windows, excluded, filler)
    if laid_out is not None:
        return laid_out
    rows = pd.DataFrame({"event_id": np.tile(ids, len(windows)), "window": window_array(list(windows), n),
                         **filler})
    both = pd.concat([car.reset_index(), rows], ignore_index=True) if len(car) else rows
    w_rank = pd.Index(window_array(list(windows)), tupleize_cols=False).get_indexer(
        pd.Index(both["window"].to_numpy(dtype=object), tupleize_cols=False))
    e_rank = pd.Index(diagnostics.index.astype(str)).get_indexer(pd.Index(both["event_id"].astype(str)))
    order = np.lexsort((e_rank, w_rank))
    out = both.iloc[order].astype({"start": np.int64, "end": np.int64, "days": np.int64,
                                   "missing_days": np.int64})
    return out.set_index(["event_id", "window"])


def _empty_tests() -> pd.DataFrame:
    from eventstudy.inference.battery import COLUMNS

    return pd.DataFrame(columns=[*COLUMNS, "headline"])


def _battery(panel: AbnormalPanel, windows: tuple[Window, ...], tests: Sequence[str] | None = None,
             days: Iterable[int] | None = None, alternative: str = "two-sided",
             est_resid: np.ndarray | None = None,
             table: pd.DataFrame | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Every test for every event day and window; flag the headline rows.

    When events share dates or have overlapping windows (detected in calendar
    time), the headline is led by the dependence-robust tests and a note says why.
    """
    from eventstudy.inference.battery import headline_tests, run_battery
    from eventstudy.inference.clustering import detect_clustering

    if panel.n_events == 0:
        return _empty_tests(), ()
    with panel.holding(est_resid=est_resid):  # derived arrays computed once for the whole battery
        spans = [(w.start, w.end) for w in windows]
        day_list = None if days is None else list(days)
        if table is None:
            table = run_battery(panel, spans, tests=tests, days=day_list, alternative=alternative)  # type: ignore[arg-type]
        elif tests is None or len(tests):  # the tests without chunk sums, on the stacked panel
            from eventstudy.inference.battery import in_plan_order

            other = run_battery(panel, spans, tests=tests, days=day_list, alternative=alternative)  # type: ignore[arg-type]
            table = in_plan_order(pd.concat([table, other], ignore_index=True), panel.event_days, spans,
                                  day_list)
        clustering = detect_clustering(panel)
    head = headline_tests(table, clustering.clustered)
    head = head[head["scope"] == "window"]
    table["headline"] = False
    table.loc[head.index, "headline"] = True
    order = {idx: i for i, idx in enumerate(head.index)}
    rank = np.array([order.get(i, len(order) + i) for i in table.index], dtype=np.int64)  # distinct ranks
    if rank.size > 1 and (np.diff(rank) < 0).any():  # headline rows first, the others as they were
        table = table.iloc[np.argsort(rank, kind="stable")]
    table = table.reset_index(drop=True)
    notes = (clustering.message,) if clustering.message else ()
    return table, notes


#: The columns of :func:`~eventstudy.abnormal.car_table`, in order.
_CAR_COLUMNS = ["security", "start", "end", "car", "std_err", "statistic", "pvalue", "df", "days", "missing_days",
                "reason"]
_INT_COLUMNS = ("start", "end", "days", "missing_days")
#: The dtype pandas gives a column of Python strings (``str`` in pandas 3).
_STR_DTYPE = pd.Series(np.array([""], dtype=object)).dtype


def _excluded_laid_out(car: pd.DataFrame, diagnostics: pd.DataFrame, windows: Sequence[Window],
                       excluded: np.ndarray, filler: dict[str, Any]) -> pd.DataFrame | None:
    """:func:`with_excluded` for a CAR table with a row per window and included event.

    The rows are then every (window, event) pair, window by window in the order of
    the requested events: each column is filled in place (the included events' values
    and ``filler``, the excluded events' rows in that order) and the index is made with
    :func:`~eventstudy.abnormal.car_index`, instead of concatenating and sorting frames.
    The same frame as the general path; ``None`` when the table is not of that shape.
    """
    n_all, n_win = len(diagnostics), len(windows)
    if list(car.columns) != _CAR_COLUMNS or list(car.index.names) != ["event_id", "window"] \
            or not isinstance(car.index, pd.MultiIndex) or not len(car):
        return None
    if any(car[c].dtype != _STR_DTYPE for c in ("security", "reason")):
        return None
    ids_all = diagnostics.index.to_numpy(dtype=str)
    at = car.index.levels[0].get_indexer(diagnostics.index)  # each requested event in the level
    e_level = np.full(len(car.index.levels[0]), -1, dtype=np.int64)
    e_level[at[at >= 0]] = np.flatnonzero(at >= 0)
    w_level = pd.Index(window_array(list(windows)), tupleize_cols=False).get_indexer(car.index.levels[1])
    e_pos, w_pos = e_level[car.index.codes[0]], w_level[car.index.codes[1]]
    if (e_pos < 0).any() or (w_pos < 0).any():
        return None
    target = w_pos * n_all + e_pos
    grid = np.zeros((n_win, n_all), dtype=np.int64)
    np.add.at(grid, (w_pos, e_pos), 1)
    if (grid[:, excluded] != 0).any() or (grid[:, ~excluded] != 1).any():  # each included pair once
        return None
    fill = (np.arange(n_win)[:, None] * n_all + np.flatnonzero(excluded)[None, :]).ravel()
    columns: dict[str, np.ndarray] = {}
    for name in _CAR_COLUMNS:
        have = car[name].to_numpy(dtype=object) if name in ("security", "reason") else car[name].to_numpy()
        more = np.broadcast_to(np.asarray(filler[name]), fill.shape)
        col = np.empty(n_win * n_all, dtype=object if have.dtype == object else np.result_type(have, more))
        col[target] = have
        col[fill] = more
        columns[name] = col.astype(np.int64) if name in _INT_COLUMNS else col
    return pd.DataFrame(columns, index=car_index(ids_all, windows))
