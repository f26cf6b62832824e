"""Where the chunks of a batch event study run.

An executor maps the engine over chunks of an events table and yields the
chunks' :class:`~eventstudy.engine.parts.EventsPart` in order. :class:`LocalExecutor`
runs them in this process; :class:`eventstudy.executors.dask.DaskExecutor`
(optional extra, ``pip install ".[dask]"`` from a checkout) on a ``dask.distributed``
cluster.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.engine.parts import EventsPart
    from eventstudy.options import StudyOptions
    from eventstudy.prepare import PreparedData

__all__ = ["STATISTICS", "DaskExecutor", "Executor", "LocalExecutor", "check_statistics"]


#: Where an executor computes the statistics: on the stacked panel (``"client"``), or
#: per date-partitioned chunk where the chunk runs, merged (``"chunks"``;
#: :mod:`eventstudy.inference.chunked`, for the tests that are reducible).
STATISTICS = ("client", "chunks")


class Executor(Protocol):
    """Runs :func:`eventstudy.engine.compute.compute_events` over chunks of events."""

    statistics: str

    def chunk_size_for(self, n_events: int) -> int:
        """Events per chunk when the study gives no ``chunk_size``."""
        ...

    def map_chunks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions
    ) -> Iterator[EventsPart]:
        """Yield one part per chunk, in the chunks' order."""
        ...

    def map_reduced(
        self, data: PreparedData, tasks: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
        options: StudyOptions, plan: Sequence[Any], outputs: Sequence[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[EventsPart, dict[Any, Any]]]:
        """Yield ``(part, sums)`` per ``(chunk, halo)`` task, in order
        (:func:`eventstudy.engine.chunks.reduce_chunk`); ``outputs``: per task,
        where it writes its AR and CAR tables."""
        ...

    def map_ranks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions,
        scales: Mapping[Any, Any],
    ) -> Iterator[dict[Any, Any]]:
        """Yield the second pass's rank sums per chunk (:func:`eventstudy.engine.chunks.rank_chunk`)."""
        ...


def check_statistics(statistics: str) -> str:
    """Validate an executor's ``statistics`` argument."""
    from eventstudy.errors import InvalidParameterError

    if statistics not in STATISTICS:
        raise InvalidParameterError("statistics", f"one of {list(STATISTICS)}", statistics)
    return statistics


class LocalExecutor:
    """Chunks one after another in this process (the returns array is built once).

    Parameters
    ----------
    statistics : {"client", "chunks"}, default "client"
        ``"client"``: the tests run once on the stacked panel (one process has it
        all; the engine lends its residuals). ``"chunks"``: as on a cluster, each
        date-partitioned chunk reduces its tests' sums (:mod:`eventstudy.inference.chunked`).
    """

    def __init__(self, statistics: str = "client") -> None:
        self.statistics = check_statistics(statistics)

    def chunk_size_for(self, n_events: int) -> int:
        """:data:`~eventstudy.engine.chunks.DEFAULT_CHUNK_SIZE` (bounds the engine's temporaries)."""
        from eventstudy.engine.chunks import DEFAULT_CHUNK_SIZE

        return DEFAULT_CHUNK_SIZE

    def map_reduced(
        self, data: PreparedData, tasks: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
        options: StudyOptions, plan: Sequence[Any], outputs: Sequence[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[EventsPart, dict[Any, Any]]]:
        from eventstudy.engine.chunks import reduce_chunk

        values = data.returns.to_numpy(dtype=np.float64)
        for k, (owned, halo) in enumerate(tasks):
            part, sums = reduce_chunk(data, owned, halo, options, plan, values,
                                      None if outputs is None else outputs[k])
            yield dataclasses.replace(part, est_resid=None), sums

    def map_ranks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions,
        scales: Mapping[Any, Any],
    ) -> Iterator[dict[Any, Any]]:
        from eventstudy.engine.chunks import rank_chunk

        values = data.returns.to_numpy(dtype=np.float64)
        for chunk in chunks:
            yield rank_chunk(data, chunk, options, scales, values)

    def map_chunks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions
    ) -> Iterator[EventsPart]:
        from eventstudy.engine.compute import compute_events

        values = data.returns.to_numpy(dtype=np.float64)
        for chunk in chunks:
            yield compute_events(data, chunk, values=values, **options.engine_kwargs())


def __getattr__(name: str) -> Any:
    if name == "DaskExecutor":
        from eventstudy.executors.dask import DaskExecutor

        return DaskExecutor
    raise AttributeError(name)
