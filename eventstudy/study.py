"""The Python entry point, :func:`event_study`, for one event or a million.

Pipeline: wide prices/returns -> each security's exchange sessions
(:mod:`eventstudy.prepare`) -> events resolved to sessions -> the engine
(:mod:`eventstudy.engine`: gather, fit, abnormal returns, chunk by chunk, per
calendar) -> statistics and tables (:mod:`eventstudy.results`) ->
:class:`EventStudyResult`. Everything is keyed by *event id*; a security may
appear in many events.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.assemble import build_result
from eventstudy.calendar import to_timestamp
from eventstudy.engine.chunks import (
    DEFAULT_CHUNK_SIZE,
    overlap_diagnostics,
    overlap_note,
    release_memory,
    run_chunks,
)
from eventstudy.engine.compute import MISSING_ESTIMATION_NOTE, compute_events
from eventstudy.engine.parts import (
    EventsPart,
    calendar_notes,
    concat_parts,
    given_calendars,
    in_event_order,
)
from eventstudy.errors import InvalidParameterError, UnknownSymbolError
from eventstudy.event_dates import ResolvedEvents, resolve_event_dates
from eventstudy.exchanges import assign_calendars
from eventstudy.executors import Executor, LocalExecutor
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS, ReturnType, as_wide
from eventstudy.options import StudyOptions
from eventstudy.prepare import PreparedData, prepare_calendars, prepare_data
from eventstudy.results import EventStudyResult
from eventstudy.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, Window, WindowLike, event_span

if TYPE_CHECKING:
    from eventstudy.inference.result import Alternative

__all__ = ["MISSING_ESTIMATION_NOTE", "EventsPart", "PreparedData", "ResolvedEvents", "compute_events",
           "concat_parts", "event_study", "prepare_data", "resolve_event_dates", "run_events"]

def _events_frame(
    events: pd.DataFrame | None,
    event_date: object,
    securities: Sequence[str] | None,
    benchmark_name: str | None,
    available: Sequence[str],
    skip: set[str | None] | None = None,
    event_time: object = None,
    timing: str | None = None,
) -> pd.DataFrame:
    if events is not None:
        if not isinstance(events, pd.DataFrame):
            raise InvalidParameterError("events", "a DataFrame with columns security, event_date",
                                        type(events).__name__)
        missing = {"security"} - set(events.columns)
        if missing or not {"event_date", "event_time"} & set(events.columns):
            raise InvalidParameterError(
                "events", "columns security and event_date or event_time [, event_id, benchmark, "
                "calendar, timing]", list(events.columns)
            )
        ev = events.reset_index(drop=True).copy()
        if "event_date" not in ev.columns:
            ev["event_date"] = None
    else:
        if event_date is None and event_time is None:
            raise InvalidParameterError("event_date", "a date, an `event_time` or an `events` table",
                                        None)
        leave_out = skip if skip is not None else {benchmark_name}
        secs = list(securities) if securities is not None else [
            c for c in available if c not in leave_out
        ]
        if isinstance(securities, str):
            raise InvalidParameterError("securities", "a list of symbols", securities)
        ev = pd.DataFrame({"security": secs, "event_date": [event_date] * len(secs)})
        if event_time is not None:
            ev["event_time"] = pd.Series([event_time] * len(secs), dtype=object)
        if timing is not None:
            ev["timing"] = [timing] * len(secs)
    ev["security"] = ev["security"].astype(str)
    if "benchmark" not in ev.columns:
        ev["benchmark"] = benchmark_name
    if "event_id" not in ev.columns:
        dup = ev["security"].duplicated(keep=False)
        when = ev["event_date"].astype(str)
        if "event_time" in ev.columns:
            when = when.where(ev["event_date"].notna(), ev["event_time"].astype(str))
        ids = ev["security"].where(~dup, ev["security"] + "@" + when)
        ev["event_id"] = ids
    ev["event_id"] = ev["event_id"].astype(str)
    if ev["event_id"].duplicated().any():
        raise InvalidParameterError(
            "events.event_id", "unique event ids",
            ev.loc[ev["event_id"].duplicated(), "event_id"].tolist()
        )
    if ev.empty:
        raise InvalidParameterError("events", "at least one event", "none")
    return ev


def run_events(data: PreparedData, events: pd.DataFrame, *, name: str = "",
               **options: Any) -> EventStudyResult:
    """Run the study for an events table on prepared data.

    The same as ``event_study(returns=data, events=events, name=name, **options)``
    (kept for existing code); ``options`` are :func:`event_study`'s method
    keywords (``model``, ``estimation``, ``windows``, ``min_estimation_obs``,
    ``roll``, ``tests``, ...).
    """
    return event_study(returns=data, events=events, name=name, **options)


BenchmarkArg = str | pd.Series | Mapping[str, str] | None


def split_benchmark(benchmark: BenchmarkArg) -> tuple[str | None, pd.Series | None]:
    """``(name, series)`` of a benchmark given as a column name or a Series."""
    if benchmark is None or isinstance(benchmark, str):
        return benchmark, None
    if not isinstance(benchmark, pd.Series):
        raise InvalidParameterError("benchmark", "a column name, a pandas Series or a "
                                    "{calendar: column} mapping", type(benchmark).__name__)
    name = str(benchmark.name) if benchmark.name is not None else "benchmark"
    return name, benchmark.rename(name)


def event_study(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | PreparedData | None = None,
    benchmark: BenchmarkArg = None,
    event_date: object = None,
    securities: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    model: str = "market",
    factors: pd.DataFrame | None = None,
    factor_columns: Sequence[str] | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 120,
    roll: str = "next",
    return_type: ReturnType = "simple",
    calendar: str | Mapping[str, str] | None = None,
    event_time: object = None,
    timing: str | None = None,
    name: str = "",
    basis: dict[str, str] | None = None,
    return_bounds: tuple[float, float] | None = DEFAULT_RETURN_BOUNDS,
    kind: str = "returns",
    volume: pd.DataFrame | None = None,
    tests: Sequence[str] | None = None,
    days: Iterable[int] | None = None,
    alternative: Alternative = "two-sided",
    chunk_size: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    keep_residuals: bool = False,
    rbar_max_partners: int | None = None,
    parquet: str | os.PathLike[str] | None = None,
) -> EventStudyResult:
    """Run an event study on wide pandas data, each security on its own exchange's sessions.

    Parameters
    ----------
    prices, returns : DataFrame
        Dates x securities; give exactly one. Prices are turned into
        session-to-session returns (``return_type``) on each security's own
        exchange calendar; NaN cells are missing observations, counted in the
        diagnostics and never filled. A date that is not a session of a
        column's exchange must be empty in that column (securities from
        several exchanges share one date index).
    benchmark : str, Series or mapping
        Column of ``prices``/``returns`` to use as the market, a separate
        Series of the same kind, or ``{calendar: column}`` to pair each
        security with the benchmark of its exchange (e.g.
        ``{"XNYS": "^GSPC", "XTKS": "^N225"}``).
    event_date : date-like
        Event date shared by ``securities`` (default: every column except the
        benchmark). Alternatively pass ``events``.
    events : DataFrame
        One row per event: ``security``, ``event_date`` and optionally
        ``event_id``, ``benchmark`` and ``calendar``.
    model : {"market", "market_adjusted", "constant_mean", "capm", "ff3", "carhart", "ff5", "factors"}
    factors : DataFrame
        Factor returns in decimals with ``RF`` (needed by capm and factor models).
    estimation : [start, end] or {start: DATE, end: DATE}
        Estimation window, default ``[-250, -11]`` trading days of each
        security's exchange.
    windows : list of [start, end] or {start: DATE, end: DATE}
        Event windows, default (0,0), (-1,+1), (0,+1), (0,+4), (-5,+5).
    min_estimation_obs : int, default 120
        Events with fewer estimation returns are excluded (and reported).
    roll : {"next", "previous", "raise"}
        What to do with an event date that is not a session (recorded).
    return_type : {"simple", "log"}
    event_time : timestamp with a time zone, optional
        The moment of the news instead of ``event_date`` (e.g.
        ``"2025-01-27T09:00+09:00"``): each security's day 0 is the first
        session of its own exchange whose close is after that moment
        (:mod:`eventstudy.event_time`), recorded per event in ``diagnostics``
        (``event_time`` in UTC, ``timing``: ``before_open``, ``during``,
        ``after_close`` or ``closed``) and in ``notes``. An events table may
        carry an ``event_time`` column instead.
    timing : {"before_open", "during", "after_close"}, optional
        When on ``event_date`` the news came, if no exact time is known:
        ``after_close`` makes day 0 the next session; the others the session
        of that date.
    calendar : None, str or mapping, default None
        ``None``: each security's exchange is inferred from its Yahoo-style
        suffix (``6857.T`` is Tokyo, ``XTKS``; ``ASML.AS`` Amsterdam, ``XAMS``;
        no suffix is New York, ``XNYS``); an exchange_calendars code puts every
        column on that calendar; ``{security: code}`` sets some and infers the
        rest (:mod:`eventstudy.exchanges`). The choice per security is in
        ``diagnostics`` (``calendar``, ``calendar_source``).
    return_bounds : (lower, upper) or None, default (-1.0, 10.0)
        Plausible daily simple returns: a return at or below ``lower`` or above
        ``upper`` (given, or computed from ``prices``) raises
        :class:`~eventstudy.errors.ImplausibleReturnError` naming the security,
        the session and the value. ``None`` switches the check off.
    kind : {"returns", "volume", "volatility"}, default "returns"
        ``"volume"``: abnormal log volume of ``volume`` (:mod:`eventstudy.volume`);
        ``"volatility"``: abnormal volatility of the returns study
        (:mod:`eventstudy.volatility`). Recorded as ``result.kind``.
    volume : DataFrame, optional
        Dates x securities, shares traded (with ``kind="volume"`` only, in place
        of ``prices``/``returns``).
    tests : sequence of str, optional
        Registered statistics to compute (:data:`eventstudy.inference.registry.TESTS`;
        default: all of them) on every event day and window.
    days : iterable of int, optional
        Relative days whose AAR is tested (default: every day of the event
        span; ``()`` tests the windows only).
    alternative : {"two-sided", "less", "greater"}
        Alternative hypothesis of the tests.
    chunk_size : int, optional
        Events gathered and fitted at a time (default: the executor's
        ``chunk_size_for``: :data:`~eventstudy.engine.DEFAULT_CHUNK_SIZE` locally,
        two chunks per worker on Dask up to that); bounds the engine's
        temporaries, not the result.
    executor : Executor, optional
        Where chunks run: :class:`~eventstudy.executors.LocalExecutor`
        (default) or :class:`~eventstudy.executors.dask.DaskExecutor`.
    progress : bool or None
        Rich progress bar over chunks; ``None`` shows it on a terminal when
        the run is projected to take more than a few seconds.
    keep_residuals : bool, default False
        Store the estimation residuals in the result's panel. By default the
        panel derives them on access from the returns it points to (they are
        ``T`` floats per event, most of a large study's memory).
    rbar_max_partners : int, optional
        Bound on the cost of the Kolari–Pynnönen ``rbar`` (KP-Patell, KP-BMP,
        GRANK, Corrado–Zivney): each event is paired with at most this many of
        the events whose windows start next; the pairs left out are counted in
        the tests' ``rbar_omitted_pairs`` and can move ``rbar`` by at most their
        number over ``N (N - 1) / 2``
        (:func:`eventstudy.inference.correlation.residual_correlation`).
        Default ``None``: every pair (the cost grows with the number of events
        whose windows share sessions).
    parquet : path, optional
        A directory for the per-event tables as Parquet (needs ``pyarrow``):
        ``ar/`` (AR and running CAR per event and day) and ``car/`` (the CAR
        table), one file per chunk written where the chunk runs (on the Dask
        workers when the statistics run per chunk, so the long tables are never
        built on this machine), and ``diagnostics.parquet``. Files are staged
        and moved into place when every chunk has succeeded; existing tables are
        never overwritten. Without per-chunk statistics the tables are written
        from the result (:meth:`EventStudyResult.to_parquet`). The written paths
        are in ``result.parquet``.

    Returns
    -------
    EventStudyResult
        The same type for one event or a million; ``n_chunks`` and
        ``timings`` say how the engine ran.

    Notes
    -----
    ``returns`` may also be the output of :func:`prepare_data` (validation and
    session alignment done once, reused across calls; one calendar).

    Overlaps are reported, never dropped: ``diagnostics`` columns
    ``window_overlap`` / ``window_overlaps`` flag events of the same security
    whose event spans overlap, ``estimation_contaminated`` /
    ``estimation_events`` events whose estimation window contains another
    event of the same security (:attr:`EventStudyResult.overlaps`).

    Securities on different exchanges are studied on their own sessions: the
    estimation and event windows are counted in each one's trading days, and
    the results are aligned in event time (relative day 0 is each security's
    own event session). A benchmark from another exchange is matched by date
    (its return of the same date; missing where its exchange was closed), which
    is stated in ``notes``.

    Garbage is refused or flagged, never returned with status ``ok``:

    - ``returns`` whose column has a median absolute value above 0.5 (price
      levels or percentages) raise :class:`~eventstudy.errors.PriceLevelsAsReturnsError`;
    - an event whose security has the same return on every estimation day
      (a constant price), whose security is identical to its benchmark on every
      estimation day, or whose model fits the estimation window exactly (zero
      residual variance) is excluded: ``status`` ``"excluded"`` and the reason
      in ``diagnostics`` and ``notes``, and its rows in :attr:`~EventStudyResult.car`
      are NaN with the reason in the ``reason`` column;
    - more than 10% of the estimation window without a usable return
      (:data:`MISSING_ESTIMATION_NOTE`) is stated in ``notes``.
    """
    if kind != "returns" or volume is not None:  # abnormal volume / volatility: eventstudy.kinds
        from eventstudy.kinds import run_kind
        args = {k: v for k, v in locals().items() if k not in ("kind", "run_kind")}
        return run_kind(kind, event_study, args)
    opts = StudyOptions.build(  # every method option checked before the data are touched
        model=model, factor_columns=factor_columns, estimation=estimation, windows=windows,
        min_estimation_obs=min_estimation_obs, roll=roll, return_type=return_type, tests=tests,
        days=days, alternative=alternative, chunk_size=chunk_size,
        rbar_max_partners=rbar_max_partners)
    by_calendar: dict[str, str] = {}
    if isinstance(benchmark, Mapping):
        by_calendar = {str(k): str(v) for k, v in benchmark.items()}
        bench_name, bench_series = None, None
    else:
        bench_name, bench_series = split_benchmark(benchmark)
    t0 = time.perf_counter()
    if (prices is None) == (returns is None):
        raise InvalidParameterError("prices/returns", "exactly one of `prices` or `returns`",
                                    "both" if prices is not None else "neither")
    prepared = returns if isinstance(returns, PreparedData) else None
    if prepared is not None:
        _check_prepared(prepared, bench_series, factors, calendar)
        basis = {**prepared.basis, **(basis or {})}
        available = list(map(str, prepared.returns.columns.tolist()))
        data_kind, bench, data = "returns", None, prepared.returns
    else:
        data_kind = "prices" if prices is not None else "returns"
        tz_calendar = calendar if isinstance(calendar, str) else "XNYS"
        data = as_wide(prices if prices is not None else returns, data_kind, tz_calendar)  # type: ignore[arg-type]
        basis = {**data.attrs.get("basis", {}), **(basis or {})}
        bench = as_wide(bench_series, "benchmark", tz_calendar) if bench_series is not None else None
        available = [*map(str, data.columns), *(map(str, bench.columns) if bench is not None else [])]
    if event_date is not None:
        to_timestamp(event_date, "event_date")
    skip = {bench_name, *by_calendar.values()}
    if event_time is not None and event_date is not None:
        raise InvalidParameterError("event_time", "either `event_date` or `event_time`, not both",
                                    event_time)
    ev = _events_frame(events, event_date, securities, bench_name, available, skip=skip,
                       event_time=event_time, timing=timing)
    known = set(available)  # a Python set: Index.isin on pandas strings builds a scalar per value
    unknown = sorted(s for s in ev["security"].unique().tolist() if s not in known)
    if unknown:
        raise UnknownSymbolError(unknown, "the return data", available)
    if bench_name is not None:  # an events table's empty benchmark cells take the study's
        ev["benchmark"] = ev["benchmark"].where(ev["benchmark"].notna(), bench_name)
    choices = assign_calendars(available, prepared.calendar.name if prepared is not None else calendar,
                               given_calendars(ev))
    ev["calendar"] = _lookup(ev["security"], {s: c.code for s, c in choices.items()})
    if by_calendar:
        missing = sorted(set(ev["calendar"].unique()) - set(by_calendar))
        if missing:
            raise InvalidParameterError("benchmark", f"a benchmark for every calendar of the "
                                        f"securities, including {missing}", by_calendar)
        filled = ev["calendar"].map(by_calendar)
        ev["benchmark"] = ev["benchmark"].where(ev["benchmark"].notna(), filled)
    unknown_b = sorted(b for b in ev["benchmark"].dropna().unique().tolist() if b not in known)
    if unknown_b:
        raise UnknownSymbolError(unknown_b, "the benchmark data", available)
    groups: dict[str, list[str]] = {}
    pairs = ev[["calendar", "benchmark"]].drop_duplicates()
    for code, b in zip(pairs["calendar"], pairs["benchmark"], strict=True):
        needed = groups.setdefault(code, [])
        if isinstance(b, str) and choices[b].code != code and b not in needed:
            needed.append(b)
    if prepared is not None:
        datas = {prepared.calendar.name: prepared}
    else:
        datas = prepare_calendars(
            data, kind=data_kind, calendars={s: c.code for s, c in choices.items()}, groups=groups,
            benchmark=bench, factors=factors, return_type=return_type, basis=basis,
            return_bounds=return_bounds)
    timings = {"prepare": time.perf_counter() - t0}
    t1 = time.perf_counter()
    ex = executor if executor is not None else LocalExecutor()
    size = opts.chunk_size or getattr(ex, "chunk_size_for", lambda n: DEFAULT_CHUNK_SIZE)(len(ev))
    chunk_tests, why_not = _statistics_per_chunk(ex, opts, groups)
    chunked = bool(chunk_tests)
    client_tests = opts.tests
    if chunked:  # the others (if any) run on the stacked panel here
        client_tests = tuple(t for t in (opts.tests if opts.tests is not None else _all_tests())
                             if t not in chunk_tests)
    if parquet is not None:
        from eventstudy.output import check_parquet_directory

        check_parquet_directory(parquet)
    tests_table = None
    if chunked:  # the tests' sums reduced where each date-partitioned chunk runs, then merged
        from eventstudy.engine.chunks import run_reduced
        from eventstudy.inference.chunked import battery_from_sums

        code = next(iter(groups))
        plan = _plan(dataclasses.replace(opts, tests=tuple(chunk_tests)))
        stacked, merged, n_chunks = run_reduced(ex, datas[code], ev.drop(columns="calendar"), size, opts,
                                                plan, progress, parquet)
        tests_table = battery_from_sums(merged, plan, opts.alternative)
        parts = [stacked]
    else:
        parts, n_chunks = [], 0
        for code in groups:
            chunk_part, n = run_chunks(ex, datas[code], ev[ev["calendar"] == code].drop(columns="calendar"),
                                       size, opts, progress)
            parts.append(chunk_part)
            n_chunks += n
    part = concat_parts(parts)
    if chunked or len(parts) > 1:  # date-sorted chunks or calendar groups: back to table order
        part = in_event_order(part, ev["event_id"].to_numpy(dtype=object))
    parts.clear()  # the chunks' arrays are in the stacked part now
    if n_chunks > 1:
        release_memory()
    timings["engine"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    diag = part.diagnostics.copy(deep=False)  # new columns only: the engine's stay shared
    diag["calendar"] = ev["calendar"].to_numpy()
    diag["calendar_source"] = _lookup(diag["security"], {s: c.source for s, c in choices.items()})
    diag["benchmark_calendar"] = _lookup(diag["benchmark"], {**{s: c.code for s, c in choices.items()}, "": ""})
    wins = part.windows
    span = event_span(wins)
    overlaps = overlap_diagnostics(diag["security"], part.pos0, span, part.estimation)
    for col in overlaps.columns:  # added in place (no copy of the whole table)
        diag[col] = overlaps[col].to_numpy()
    part = dataclasses.replace(part, diagnostics=diag)
    notes = part.notes + calendar_notes(part, datas, choices) + overlap_note(diag, span, part.estimation)
    if why_not:
        notes += (why_not + ".",)
    basis_all = {c: b for d in datas.values() for c, b in d.basis.items()}
    panel = part.panel.replace(est_resid=part.panel.est_resid) if keep_residuals else part.panel
    if opts.rbar_max_partners is not None:
        panel = panel.replace(rbar_max_partners=opts.rbar_max_partners)
    timings["assemble"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    if n_chunks > 1:
        release_memory()
    result = build_result(
        name=name, panel=panel, windows=wins, estimation=part.estimation,
        model=part.model, diagnostics=part.diagnostics, notes=notes,
        data_basis=basis_all, return_type=return_type, calendar=", ".join(groups),
        tests=client_tests, days=opts.days, alternative=opts.alternative,
        est_resid=None if keep_residuals else part.est_resid, n_chunks=n_chunks, timings=timings,
        tests_table=tests_table,
    )
    if parquet is None:
        return result
    from eventstudy.output import CHUNK_TABLES, write_parquet

    if chunked:  # the chunks wrote ar/ and car/; the diagnostics are this process's
        written = {t: Path(parquet) / t for t in CHUNK_TABLES}
        written.update(write_parquet(result, parquet, ("diagnostics",)))
    else:
        written = write_parquet(result, parquet)
    return dataclasses.replace(result, parquet=written)


def _lookup(values: pd.Series, mapping: Mapping[str, Any]) -> pd.Series:
    """``values.map(mapping)``, each distinct value looked up once (missing: NaN)."""
    codes, uniq = pd.factorize(values)
    table = np.array([*(mapping.get(u, np.nan) for u in uniq.tolist()), np.nan], dtype=object)
    return pd.Series(table[codes], index=values.index, name=values.name)


def _all_tests() -> tuple[str, ...]:
    from eventstudy.inference.registry import TESTS

    return tuple(TESTS)


def _statistics_per_chunk(executor: Executor, opts: StudyOptions, groups: Mapping[str, Any]
                          ) -> tuple[list[str], str]:
    """The tests to reduce per chunk on ``executor`` (none: all on the stacked panel), and a
    note on what runs on the stacked panel when the executor asked for chunks."""
    from eventstudy.inference.chunked import REDUCIBLE

    if getattr(executor, "statistics", "client") != "chunks":
        return [], ""
    tests = list(_all_tests()) if opts.tests is None else list(opts.tests)
    if not tests:
        return [], ""
    if len(groups) != 1:
        return [], "The statistics were computed on the stacked panel, not per chunk on the executor: " \
                   "the securities trade on several calendars"
    if not all(isinstance(w, Window) for w in (opts.estimation, *opts.windows)):
        return [], "The statistics were computed on the stacked panel, not per chunk on the executor: " \
                   "windows given as dates resolve on the whole table"
    chunk = [t for t in tests if t in REDUCIBLE]
    other = [t for t in tests if t not in REDUCIBLE]
    if not other:
        return chunk, ""
    return chunk, (f"The statistics {', '.join(other)} were computed on the stacked panel, not per chunk "
                   f"on the executor: they need the whole cross-section at once (tests with chunk sums: "
                   f"{', '.join(REDUCIBLE)})")


def _plan(opts: StudyOptions) -> list[Any]:
    """The battery's plan from the options (event days: the span of the windows and day 0)."""
    from eventstudy.inference.battery import battery_plan

    wins = [w for w in opts.windows if isinstance(w, Window)]
    lo, hi = event_span(wins)
    return battery_plan(range(lo, hi + 1), [(w.start, w.end) for w in wins], opts.days, opts.tests)


def _check_prepared(data: PreparedData, bench_series: pd.Series | None, factors: object,
                    calendar: object) -> None:
    """Refuse arguments that :func:`prepare_data` already fixed for ``returns=PreparedData``."""
    if bench_series is not None:
        raise InvalidParameterError("benchmark", "a column name when `returns` is PreparedData",
                                    "a Series")
    if factors is not None:
        raise InvalidParameterError("factors", "None when `returns` is PreparedData (give them to "
                                    "prepare_data)", type(factors).__name__)
    if calendar is not None and calendar != data.calendar.name:
        raise InvalidParameterError("calendar", f"None or {data.calendar.name!r} (the calendar "
                                    "`returns` was prepared on)", calendar)
