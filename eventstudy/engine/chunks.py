"""Run the engine over chunks of an events table, and flag same-security overlaps.

:func:`run_chunks` sends chunks of events (at most ``chunk_size`` each) to an
executor (:class:`~eventstudy.executors.LocalExecutor`, or
:class:`~eventstudy.executors.dask.DaskExecutor` for a cluster), with a rich
progress bar on long runs, and stacks the parts. :func:`run_reduced` does the
same with the statistics computed per chunk (where the chunk runs): events
sorted by event session are cut into chunks, each sent with its halo
(:func:`date_chunks`), and the chunks' sums (:mod:`eventstudy.inference.chunked`)
merged. :func:`overlap_diagnostics`
counts, with ``searchsorted`` (no loop over events), the other events of the
same security whose event span overlaps an event's, or that sit in its
estimation window.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.engine.parts import EventsPart, concat_parts
from eventstudy.executors import Executor
from eventstudy.options import StudyOptions
from eventstudy.output import CHUNK_TABLES
from eventstudy.prepare import PreparedData
from eventstudy.windows import Window, event_span

__all__ = ["DEFAULT_CHUNK_SIZE", "PROGRESS_AFTER_SECONDS", "date_chunks", "overlap_diagnostics",
           "overlap_note", "rank_chunk", "reduce_chunk", "release_memory", "run_chunks", "run_reduced"]

T = TypeVar("T")

#: Events gathered and fitted at a time when ``chunk_size`` is not given
#: (about ``chunk_size x (T + L) x 80`` bytes of temporaries: 200 MB for 10,000 events
#: and a year of estimation).
DEFAULT_CHUNK_SIZE = 10_000

#: Runs projected to last longer than this (seconds) show a progress bar (``progress=None``).
PROGRESS_AFTER_SECONDS = 3.0


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


def run_chunks(
    executor: Executor,
    data: PreparedData,
    events: pd.DataFrame,
    chunk_size: int,
    options: StudyOptions,
    progress: bool | None,
) -> tuple[EventsPart, int]:
    """The engine on ``events`` in chunks of ``chunk_size``: the stacked part and the chunk count."""
    bounds = _chunks(len(events), chunk_size)
    tables = [events.iloc[lo:hi] for lo, hi in bounds]
    it = executor.map_chunks(data, tables, options)
    return concat_parts(list(_with_progress(it, len(tables), len(events), progress))), len(tables)


def date_chunks(pos0: npt.NDArray[np.int64], size: int, width: int) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Cut events into chunks by event session, each with its halo.

    Parameters
    ----------
    pos0 : array of int, shape (E,)
        Session row of each event's day 0.
    size : int
        Events per chunk.
    width : int
        ``hi - lo`` of the event span ``[lo, hi]``: two events' spans share a
        session only if their day-0 sessions are at most ``width`` apart.

    Returns
    -------
    list of (owned, halo)
        Row numbers into ``pos0``. The events sorted by day-0 session (ties in
        row order) are cut into runs of ``size`` (owned); a run's halo is every
        later event whose day 0 is at most ``width`` sessions after the run's
        last (the only events after it whose windows can share a session with
        one of its own).
    """
    order = np.argsort(pos0, kind="stable")
    sorted_pos = pos0[order]
    out = []
    for lo in range(0, order.size, size):
        hi = min(lo + size, order.size)
        reach = int(np.searchsorted(sorted_pos, sorted_pos[hi - 1] + width, side="right"))
        out.append((order[lo:hi], order[hi:max(hi, reach)]))
    return out


def reduce_chunk(data: PreparedData, owned: pd.DataFrame, halo: pd.DataFrame, options: StudyOptions,
                 plan: Sequence[Any], values: np.ndarray | None = None,
                 parquet: tuple[str, int] | None = None) -> tuple[EventsPart, dict[Any, Any]]:
    """One chunk's part and its statistics' sums (:func:`eventstudy.inference.chunked.chunk_statistics`).

    The halo is computed too (its events' residuals and standardized values
    feed the ``rbar`` pairs led by the chunk's events) but not returned.
    ``parquet=(directory, index)``: the chunk's AR and CAR tables are written
    there (:func:`eventstudy.output.write_chunk`) where the chunk runs.
    """
    from eventstudy.engine.compute import compute_events
    from eventstudy.inference.chunked import chunk_statistics

    part = compute_events(data, owned, values=values, **options.engine_kwargs())
    if parquet is not None:
        from eventstudy.assemble import car_frame
        from eventstudy.output import write_chunk

        write_chunk(part.panel, car_frame(part.panel, part.diagnostics, part.windows), *parquet)
    if part.panel.n_events == 0:
        return part, {}
    other = compute_events(data, halo, values=values, **options.engine_kwargs()) if len(halo) else None
    stats = chunk_statistics(
        part.panel, None if other is None else other.panel, plan, max_partners=options.rbar_max_partners,
        est_resid=(part.est_resid, None if other is None else other.est_resid))
    return part, stats


def rank_chunk(data: PreparedData, owned: pd.DataFrame, options: StudyOptions, scales: Mapping[Any, Any],
               values: np.ndarray | None = None) -> dict[Any, Any]:
    """The second pass over one chunk (GRANK, Corrado–Zivney): its events again, ranked at ``scales``.

    The chunk's events are computed again (cheaper than keeping every chunk's
    panel alive between the passes) and their rank sums returned
    (:func:`eventstudy.inference.chunked.chunk_rank_statistics`).
    """
    from eventstudy.engine.compute import compute_events
    from eventstudy.inference.chunked import chunk_rank_statistics

    part = compute_events(data, owned, values=values, **options.engine_kwargs())
    return chunk_rank_statistics(part.panel, scales, part.est_resid)


def run_reduced(
    executor: Executor,
    data: PreparedData,
    events: pd.DataFrame,
    chunk_size: int,
    options: StudyOptions,
    plan: Sequence[Any],
    progress: bool | None,
    parquet: str | os.PathLike[str] | None = None,
) -> tuple[EventsPart, dict[Any, Any], int]:
    """The engine and the statistics' sums on date-partitioned chunks of ``events``.

    Returns the stacked part (chunks in event-session order; the caller puts
    the events back in table order), the merged sums and the chunk count.
    ``parquet``: a directory where each chunk writes its AR and CAR tables
    (``<directory>/ar/part-<k>.parquet``, ``<directory>/car/...``), first into a
    hidden staging folder that is moved into place once every chunk has
    succeeded (removed if one fails).
    """
    from eventstudy.event_dates import resolve_event_dates
    from eventstudy.inference.chunked import merge_statistics, rank_scales, second_pass

    pos0 = resolve_event_dates(data.calendar, data.sessions, events["event_date"], options.roll,
                               times=events.get("event_time", None),
                               timings=events.get("timing", None)).pos0
    lo, hi = event_span(w for w in options.windows if isinstance(w, Window))
    width = hi - lo
    cuts = date_chunks(np.asarray(pos0, dtype=np.int64), chunk_size, width)
    tasks = [(events.iloc[own], events.iloc[halo]) for own, halo in cuts]
    staging = None if parquet is None else _staging(Path(parquet))
    parts, stats = [], []
    try:
        outputs = None if staging is None else [(str(staging), k) for k in range(len(tasks))]
        for part, sums in _with_progress(executor.map_reduced(data, tasks, options, plan, outputs),
                                         len(tasks), len(events), progress):
            parts.append(part)
            stats.append(sums)
        if staging is not None and parquet is not None:
            for table in CHUNK_TABLES:
                if (staging / table).exists():
                    os.replace(staging / table, Path(parquet) / table)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    merged = merge_statistics(stats)
    if second_pass(plan):  # GRANK, Corrado-Zivney: the ranks at the merged scales
        scales = rank_scales(merged, plan)
        merged.update(merge_statistics(
            executor.map_ranks(data, [owned for owned, _ in tasks], options, scales)))
    stacked = concat_parts(parts)
    parts.clear()
    release_memory()
    return stacked, merged, len(tasks)


def _staging(directory: Path) -> Path:
    """A fresh hidden folder in ``directory`` for the chunks' files."""
    from eventstudy.output import check_parquet_directory

    check_parquet_directory(directory).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".eventstudy-partial-", dir=directory))


def release_memory() -> bool:
    """Give the heap's free memory back to the system (glibc ``malloc_trim(0)``).

    A study in many chunks frees every chunk's arrays once they are stacked, in
    holes glibc keeps for reuse; at a million events through Dask that kept the
    client's resident memory about 0.5 GB above what it held (measured with
    ``benchmarks/bench_dask.py``: peak 0.65 GB over the start at 300,000 events, 0.50 GB
    with the trims). Called between the stages of a study of more than one
    chunk; ``False`` (nothing done) where ``malloc_trim`` is not available.
    """
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def _with_progress(it: Iterator[T], n_chunks: int, n_events: int,
                   progress: bool | None) -> Iterator[T]:
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
    security: npt.NDArray[Any] | pd.Series, pos0: npt.NDArray[np.int64], event_span: tuple[int, int],
    estimation: Window,
) -> pd.DataFrame:
    """Same-security overlaps, counted with ``searchsorted`` (no loop over events).

    Parameters
    ----------
    security : array or Series of str, shape (E,)
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
    codes = pd.factorize(security)[0].astype(np.int64)  # a pandas string column factorizes in C
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


def overlap_note(diag: pd.DataFrame, span: tuple[int, int], estimation: Window) -> tuple[str, ...]:
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
