"""Where the chunks of a batch event study run.

An executor maps the engine over chunks of an events table and yields the
chunks' :class:`~eventstudy.engine.parts.EventsPart` in order. :class:`LocalExecutor`
runs them in this process; :class:`eventstudy.executors.dask.DaskExecutor`
(optional extra, ``pip install ".[dask]"`` from a checkout) on a ``dask.distributed``
cluster.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.engine.parts import EventsPart
    from eventstudy.options import StudyOptions
    from eventstudy.prepare import PreparedData

__all__ = ["DaskExecutor", "Executor", "LocalExecutor"]


class Executor(Protocol):
    """Runs :func:`eventstudy.engine.compute.compute_events` over chunks of events."""

    def map_chunks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions
    ) -> Iterator[EventsPart]:
        """Yield one part per chunk, in the chunks' order."""
        ...


class LocalExecutor:
    """Chunks one after another in this process (the returns array is built once)."""

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
