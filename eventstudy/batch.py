"""Deprecated: the former batch API, now a thin alias of :func:`eventstudy.event_study`.

:func:`event_study` runs 1 to 10^6 events on one engine (chunks, executors,
overlap flags, the whole battery) and returns one result type, so the batch
names only forward to it. They keep their former defaults (windows
``[(-5, +5)]``, tests Patell, BMP, KP-BMP and Corrado) and warn with a
:class:`FutureWarning`; they will be removed in a later release.

==============================  ==============================================
former                          now
==============================  ==============================================
``batch_study(returns, ev)``    ``event_study(returns=returns, events=ev)``
``BatchResult``                 :class:`~eventstudy.results.EventStudyResult`
``batch_tests(panel, wins)``    :func:`eventstudy.inference.run_battery`
``overlap_diagnostics``         :func:`eventstudy.engine.overlap_diagnostics`
``concat_parts``                :func:`eventstudy.engine.concat_parts`
==============================  ==============================================
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import pandas as pd

from eventstudy.engine import concat_parts, overlap_diagnostics
from eventstudy.executors import Executor
from eventstudy.inference.battery import run_battery
from eventstudy.inference.correlation import banded_residual_correlation
from eventstudy.inference.result import Alternative
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS
from eventstudy.panel import AbnormalPanel
from eventstudy.prepare import PreparedData
from eventstudy.results import EventStudyResult
from eventstudy.study import event_study
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

#: The former batch default: statistics computed on every window.
BATCH_TESTS: tuple[str, ...] = ("patell", "bmp", "kp-bmp", "corrado")

#: The former batch result type: results are :class:`EventStudyResult` for any number of events.
BatchResult = EventStudyResult


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated and will be removed in a later release; use {new} "
                  "(same engine, same result type).", FutureWarning, stacklevel=3)


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
) -> EventStudyResult:
    """Deprecated alias: ``event_study(returns=returns, events=events, ...)``.

    Every column is put on ``calendar`` (the former behaviour); the defaults
    are the former ones (``windows=[(-5, +5)]``, ``tests`` :data:`BATCH_TESTS`).
    The result is an :class:`~eventstudy.results.EventStudyResult` equal to
    :func:`~eventstudy.event_study` with the same arguments.

    Returns
    -------
    EventStudyResult
    """
    _deprecated("batch_study(returns, events, ...)", "event_study(returns=..., events=...)")
    return event_study(
        returns=returns, events=events, benchmark=benchmark, model=model, factors=factors,
        factor_columns=factor_columns, estimation=estimation, windows=windows,
        min_estimation_obs=min_estimation_obs, roll=roll, tests=tests, alternative=alternative,
        chunk_size=chunk_size, executor=executor, progress=progress,
        calendar=None if isinstance(returns, PreparedData) else calendar, name=name,
        return_bounds=return_bounds,
    )


def batch_tests(
    panel: AbnormalPanel,
    windows: Iterable[Window],
    tests: Sequence[str] = BATCH_TESTS,
    *,
    days: Iterable[int] = (),
    alternative: Alternative = "two-sided",
) -> pd.DataFrame:
    """Deprecated alias: :func:`eventstudy.inference.run_battery` with ``tests`` and ``days``.

    Returns
    -------
    pandas.DataFrame
        The battery's table with a ``headline`` column (True on window rows).
    """
    _deprecated("batch_tests", "eventstudy.inference.run_battery(panel, windows, tests=...)")
    table = run_battery(panel, [(w.start, w.end) for w in windows], days=list(days),
                        alternative=alternative, tests=tests)
    table["headline"] = table["scope"] == "window"
    return table
