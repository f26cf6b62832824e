"""Batch event studies: thousands of events, many per security, in one call.

:func:`batch_study` runs the engine (:func:`eventstudy.study.compute_events`) over
chunks of an events table, so memory stays bounded however many events there are,
concatenates the chunks' panels (everything keyed by *event id*, never by
security), flags overlapping events of the same security, and computes the batch
statistics (Patell, BMP, Kolari-Pynnönen BMP, Corrado) on the stacked panel.
There is no Python loop over events: chunks are processed in a loop, events in
arrays. Chunks can be sent to a Dask cluster (:class:`eventstudy.executors.dask.DaskExecutor`).

The Kolari-Pynnönen ``rbar`` (mean pairwise correlation of estimation residuals
paired on session dates) is computed by :func:`banded_residual_correlation`, which
gives the same number as :func:`eventstudy.inference.residual_correlation` but only
visits pairs of events whose estimation periods share dates, block by block, so
10,000 events need tens of MB rather than ``E x E`` matrices.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.banded_rbar import banded_residual_correlation, panel_positions
from eventstudy.errors import InvalidParameterError
from eventstudy.executors import Executor, LocalExecutor
from eventstudy.inference import bmp_test, corrado_test, patell_test
from eventstudy.inference._common import check_alternative, pvalue, standardized_window
from eventstudy.inference.battery import COLUMNS
from eventstudy.inference.registry import TESTS
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS
from eventstudy.panel import AbnormalPanel
from eventstudy.results import EventStudyResult, build_result
from eventstudy.study import (
    EventsPart,
    PreparedData,
    _events_frame,
    compute_events,
    concat_parts,
    prepare_data,
    split_benchmark,
)
from eventstudy.windows import DEFAULT_ESTIMATION, Window, WindowLike

__all__ = [
    "BATCH_TESTS",
    "BatchResult",
    "banded_residual_correlation",
    "batch_study",
    "batch_tests",
    "concat_parts",
    "overlap_diagnostics",
]

#: Statistics computed by default on every window of a batch study.
BATCH_TESTS: tuple[str, ...] = ("patell", "bmp", "kp-bmp", "corrado")

#: Runs projected to last longer than this (seconds) show a progress bar (``progress=None``).
PROGRESS_AFTER_SECONDS = 3.0


# --------------------------------------------------------------------- results
@dataclass(frozen=True)
class BatchResult:
    """The result of :func:`batch_study`: an :class:`EventStudyResult` plus batch facts.

    Attribute access falls through to :attr:`result` (``ar``, ``car``, ``params``,
    ``diagnostics``, ``tests``, ``summary()`` ...).

    Attributes
    ----------
    result : EventStudyResult
    n_chunks : int
        Chunks the events were processed in.
    timings : dict
        Seconds spent in each stage (``prepare``, ``engine``, ``assemble``, ``tests``).
    """

    result: EventStudyResult
    n_chunks: int
    timings: dict[str, float]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.result, name)

    @property
    def overlaps(self) -> pd.DataFrame:
        """Diagnostics rows of events flagged by the overlap checks."""
        d = self.result.diagnostics
        return d.loc[d["window_overlap"] | d["estimation_contaminated"]]

    def __repr__(self) -> str:
        return (f"BatchResult(events={self.result.panel.n_events}, chunks={self.n_chunks}, "
                f"windows={[w.label for w in self.result.windows]})")


# ----------------------------------------------------------------- the engine
def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


def _run_chunks(
    executor: Executor,
    data: PreparedData,
    events: pd.DataFrame,
    chunk_size: int,
    options: dict[str, Any],
    progress: bool | None,
) -> list[EventsPart]:
    bounds = _chunks(len(events), chunk_size)
    tables = [events.iloc[lo:hi] for lo, hi in bounds]
    it = executor.map_chunks(data, tables, options)
    return list(_with_progress(it, len(tables), len(events), progress))


def _with_progress(it: Iterator[EventsPart], n_chunks: int, n_events: int,
                   progress: bool | None) -> Iterator[EventsPart]:
    """Yield the chunks' parts, with a rich progress bar when the run is long.

    ``progress=None`` (auto) shows the bar on a terminal once the first chunk
    projects the run to last more than :data:`PROGRESS_AFTER_SECONDS`.
    """
    if progress is False or n_chunks == 1 and progress is None:
        yield from it
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    t0 = time.perf_counter()
    bar: Progress | None = None
    task = None
    done = 0
    try:
        for part in it:
            done += 1
            if bar is None:
                elapsed = time.perf_counter() - t0
                long_run = elapsed * n_chunks / done > PROGRESS_AFTER_SECONDS
                if progress is True or (long_run and sys.stderr.isatty()):
                    bar = Progress(TextColumn("event study"), BarColumn(), MofNCompleteColumn(),
                                   TextColumn("chunks ({task.fields[events]} events)"),
                                   TimeRemainingColumn(), transient=True)
                    bar.start()
                    task = bar.add_task("chunks", total=n_chunks, events=n_events)
            if bar is not None and task is not None:
                bar.update(task, completed=done)
            yield part
    finally:
        if bar is not None:
            bar.stop()


# --------------------------------------------------------------- overlaps
def overlap_diagnostics(
    security: npt.NDArray[Any], pos0: npt.NDArray[np.int64], event_span: tuple[int, int],
    estimation: Window,
) -> pd.DataFrame:
    """Same-security overlaps, counted with ``searchsorted`` (no loop over events).

    Parameters
    ----------
    security : array of str, shape (E,)
    pos0 : array of int, shape (E,)
        Session row of each event's day 0.
    event_span : (lo, hi)
        Relative days of the event span (union of the event windows).
    estimation : Window

    Returns
    -------
    DataFrame (E rows, input order) with columns ``window_overlaps`` (other events
    of the same security whose event span overlaps this one's; same session
    counts), ``window_overlap`` (bool), ``estimation_events`` (other events of
    the same security whose event session lies in this event's estimation
    window) and ``estimation_contaminated`` (bool).
    """
    lo, hi = event_span
    codes = pd.factorize(pd.Index(np.asarray(security)))[0].astype(np.int64)
    pos = np.asarray(pos0, dtype=np.int64)
    span = int(max(pos.max(initial=0), 0) + abs(lo) + abs(hi) + abs(estimation.start) + 2)
    key = codes * (4 * span) + pos + 2 * span
    skey = np.sort(key)

    def count(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return (np.searchsorted(skey, b, side="right") - np.searchsorted(skey, a, side="left")).astype(np.int64)

    width = hi - lo  # spans [p+lo, p+hi] and [q+lo, q+hi] overlap iff |p - q| <= width
    win = count(key - width, key + width) - 1
    est = count(key + estimation.start, key + estimation.end)
    return pd.DataFrame({"window_overlaps": win, "window_overlap": win > 0,
                         "estimation_events": est, "estimation_contaminated": est > 0})


def _overlap_note(diag: pd.DataFrame, span: tuple[int, int], estimation: Window) -> tuple[str, ...]:
    notes = []
    for col, what in (("window_overlap", f"an event span ({span[0]}..{span[1]}) that overlaps another "
                                          "event of the same security"),
                      ("estimation_contaminated", f"an estimation window {estimation.label} that "
                                                  "contains another event of the same security")):
        flagged = diag.index[diag[col].to_numpy(dtype=bool)]
        if len(flagged):
            ids = ", ".join(map(str, flagged[:5])) + (", ..." if len(flagged) > 5 else "")
            notes.append(f"{len(flagged)} event(s) have {what} ({ids}); reported in the diagnostics "
                         f"column `{col}`, not dropped.")
    return tuple(notes)


# ------------------------------------------------------------------ tests
def _kp_bmp(panel: AbnormalPanel, start: int, end: int, alternative: Alternative,
            pos: tuple[np.ndarray, np.ndarray]) -> TestResult:
    """:func:`eventstudy.inference.kp_bmp_test` with the banded ``rbar``."""
    base = bmp_test(panel, start, end, alternative=alternative)
    name = "kp-bmp"
    if not base.valid:
        return dataclasses.replace(base, name=name)
    used = np.isfinite(standardized_window(panel, start, end))
    n = base.nobs
    wcols = panel.window_mask(start, end)
    resid, est_pos, win_pos = np.asarray(panel.est_resid), pos[0], pos[1][:, wcols]
    if not used.all():
        resid, est_pos, win_pos = resid[used], est_pos[used], win_pos[used]
    rc = banded_residual_correlation(resid, est_pos, win_pos)
    factor = 1.0 + (n - 1) * rc.rbar
    if not factor > 0 or not rc.usable:
        return TestResult.invalid(name, f"rbar = {rc.rbar:.3g} leaves no valid adjustment",
                                  null=base.null, distribution="t", alternative=alternative, nobs=n)
    stat = base.statistic * math.sqrt((1.0 - rc.rbar) / factor)
    return TestResult(name, stat, pvalue(stat, alternative, "t", n - 1), float(n - 1), "t", base.null,
                      alternative, n, extra={"n_events": n, **rc.as_extra()})


_FUNCS: dict[str, Callable[..., TestResult]] = {
    "patell": patell_test,
    "bmp": bmp_test,
    "corrado": corrado_test,
}


def batch_tests(
    panel: AbnormalPanel,
    windows: Iterable[Window],
    tests: Sequence[str] = BATCH_TESTS,
    *,
    days: Iterable[int] = (),
    alternative: Alternative = "two-sided",
    positions: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The batch statistics on every window (and ``days``), in :func:`run_battery`'s columns.

    Patell, BMP and Corrado are :mod:`eventstudy.inference`'s functions; KP-BMP
    uses :func:`banded_residual_correlation` for ``rbar`` (same value as
    :func:`eventstudy.inference.kp_bmp_test`, without ``E x E`` matrices).
    """
    alternative = check_alternative(alternative)
    unknown = [t for t in tests if t not in (*_FUNCS, "kp-bmp")]
    if unknown:
        raise InvalidParameterError("tests", f"names among {BATCH_TESTS}", unknown)
    pos = positions if positions is not None else panel_positions(panel)
    plan = [("day", d, d, str(d)) for d in days]
    plan += [("window", w.start, w.end, w.label) for w in windows]
    rows: list[dict[str, Any]] = []
    for scope, s, e, label in plan:
        for test in tests:
            if panel.n_events == 0:
                res = TestResult.invalid(test, "no events")
            elif test == "kp-bmp":
                res = _kp_bmp(panel, s, e, alternative, pos)
            else:
                res = _FUNCS[test](panel, s, e, alternative=alternative)
            rows.append({
                "scope": scope, "window": label, "start": s, "end": e, "test": test,
                "statistic": float(res.statistic), "pvalue": float(res.pvalue),
                "df": math.nan if res.df is None or isinstance(res.df, tuple) else float(res.df),
                "distribution": res.distribution, "n": int(res.nobs), "valid": bool(res.valid),
                "reason": res.reason,
                "dependence_robust": TESTS[test].dependence_robust,
                "variance_robust": TESTS[test].variance_robust,
                "headline": scope == "window",
            })
    table = pd.DataFrame(rows, columns=[*COLUMNS, "headline"])
    return table.astype({"start": np.int64, "end": np.int64, "n": np.int64, "valid": bool,
                         "dependence_robust": bool, "variance_robust": bool,
                         "statistic": np.float64, "pvalue": np.float64,
                         "df": np.float64, "headline": bool})


# ------------------------------------------------------------------ entry
def batch_study(
    returns: pd.DataFrame | PreparedData,
    events: pd.DataFrame,
    *,
    benchmark: str | pd.Series | None = None,
    model: str = "market",
    factors: pd.DataFrame | None = None,
    factor_columns: Sequence[str] | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = ((-5, 5),),
    min_estimation_obs: int = 120,
    roll: str = "next",
    tests: Sequence[str] = BATCH_TESTS,
    alternative: Alternative = "two-sided",
    chunk_size: int = 5000,
    executor: Executor | None = None,
    progress: bool | None = None,
    calendar: str = "XNYS",
    name: str = "",
    return_bounds: tuple[float, float] | None = DEFAULT_RETURN_BOUNDS,
) -> BatchResult:
    """Event study over a table of events (many per security), keyed by event id.

    Parameters
    ----------
    returns : DataFrame or PreparedData
        Dates x securities of returns (decimals), benchmark columns included, or
        the output of :func:`eventstudy.prepare_data` (reused as is).
    events : DataFrame
        One row per event: ``security``, ``event_date``, optional ``event_id``
        (default: the security, ``SEC@DATE`` when a security repeats) and
        ``benchmark`` (default ``benchmark``).
    benchmark : str or Series
        Default benchmark column (or a separate return Series).
    model, factors, factor_columns, estimation, windows, min_estimation_obs, roll
        As in :func:`eventstudy.event_study` (default windows ``[(-5, +5)]``).
    tests : sequence of str
        Statistics computed per window, among :data:`BATCH_TESTS`.
    chunk_size : int
        Events gathered and fitted at a time (bounds memory: about
        ``chunk_size x (T + L) x 100`` bytes).
    executor : Executor, optional
        Where chunks run: :class:`~eventstudy.executors.LocalExecutor` (default)
        or :class:`~eventstudy.executors.dask.DaskExecutor`.
    progress : bool or None
        Rich progress bar over chunks; ``None`` shows it on a terminal when the
        run is projected to take more than a few seconds.
    return_bounds : (lower, upper) or None, default (-1.0, 10.0)
        Plausible daily simple returns, as in :func:`eventstudy.event_study`
        (``None`` switches the check off). A ``PreparedData`` was checked by
        :func:`eventstudy.prepare_data` with its own ``return_bounds``.

    Returns
    -------
    BatchResult
        Wraps the :class:`EventStudyResult` (``ar``, ``car``, ``params``,
        ``tests``, ``diagnostics`` with the overlap columns, ``notes``).

    Notes
    -----
    Overlaps are reported, never dropped: ``window_overlap`` flags events of the
    same security whose event spans overlap, ``estimation_contaminated`` events
    whose estimation window contains another event of the same security.

    Garbage is refused or excluded as in :func:`eventstudy.event_study`: price
    levels (or percentages) given as ``returns`` raise
    :class:`~eventstudy.errors.PriceLevelsAsReturnsError`, implausible returns
    :class:`~eventstudy.errors.ImplausibleReturnError`; events with a constant
    security, a security identical to its benchmark or a perfect fit on the
    estimation window are excluded with the reason in ``diagnostics``, ``notes``
    and the ``reason`` column of ``car``.
    """
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidParameterError("chunk_size", "a positive integer", chunk_size)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    bench_name: str | None = None
    if isinstance(returns, PreparedData):
        data = returns
        if isinstance(benchmark, str):
            bench_name = benchmark
        elif benchmark is not None:
            raise InvalidParameterError("benchmark", "a column name when `returns` is PreparedData",
                                        type(benchmark).__name__)
    else:
        bench_name, bench_series = split_benchmark(benchmark)
        data = prepare_data(returns=returns, benchmark=bench_series, factors=factors, calendar=calendar,
                            return_bounds=return_bounds)
    ev = _events_frame(events, None, None, bench_name, list(data.returns.columns))
    if bench_name is not None:
        ev["benchmark"] = ev["benchmark"].where(ev["benchmark"].notna(), bench_name)
    timings["prepare"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    options = {"model": model, "factor_columns": factor_columns, "estimation": estimation,
               "windows": windows, "min_estimation_obs": min_estimation_obs, "roll": roll}
    ex = executor if executor is not None else LocalExecutor()
    parts = _run_chunks(ex, data, ev, chunk_size, options, progress)
    part = concat_parts(parts)
    timings["engine"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    wins = part.windows
    span = (min(0, *(w.start for w in wins)), max(0, *(w.end for w in wins)))
    ov = overlap_diagnostics(ev["security"].to_numpy(), part.pos0, span, part.estimation)
    ov.index = part.diagnostics.index
    diagnostics = pd.concat([part.diagnostics, ov], axis=1)
    notes = part.notes + _overlap_note(diagnostics, span, part.estimation)
    result = build_result(
        name=name, panel=part.panel, windows=wins, estimation=part.estimation, model=part.model,
        diagnostics=diagnostics, notes=notes, data_basis=data.basis,
        return_type=data.return_type, calendar=data.calendar.name, battery=False,
    )
    timings["assemble"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    keep = (diagnostics["status"] == "ok").to_numpy()
    est_days = np.arange(part.estimation.start, part.estimation.end + 1)
    n_sess = len(data.sessions)
    p0 = part.pos0[keep][:, None]
    pos = p0 + est_days[None, :]
    wpos = p0 + result.panel.event_days[None, :]
    pos = np.where((pos >= 0) & (pos < n_sess), pos, -1)
    wpos = np.where((wpos >= 0) & (wpos < n_sess), wpos, -1)
    with result.panel.holding():
        table = batch_tests(result.panel, wins, tests, alternative=alternative, positions=(pos, wpos))
    result = dataclasses.replace(result, _tests=table)
    timings["tests"] = time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t0
    return BatchResult(result=result, n_chunks=len(parts), timings=timings)


def compute_chunk(data: PreparedData, events: pd.DataFrame, options: dict[str, Any],
                  values: np.ndarray | None = None) -> EventsPart:
    """One chunk through the engine (what executors run)."""
    return compute_events(data, events, values=values, **options)
