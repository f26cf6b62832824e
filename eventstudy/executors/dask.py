"""Run an event study's chunks on a ``dask.distributed`` cluster.

The prepared returns are scattered to the workers once per executor and data
(broadcast, reused by later calls with the same prepared data), every chunk of
events is a task that runs :func:`eventstudy.engine.compute.compute_events`
against them, and the parts come back in order *without* the returns (a lean
panel points into the returns; the client re-attaches its own copy), to be
concatenated and assembled locally, so results are identical to the local
engine::

    from dask.distributed import Client
    from eventstudy import event_study, prepare_data
    from eventstudy.executors.dask import DaskExecutor

    client = Client("tcp://scheduler:8786")
    data = prepare_data(returns=returns, calendar="XNYS")
    ex = DaskExecutor(client)
    res = event_study(returns=data, events=events, benchmark="SPY", executor=ex)

Dask is an optional extra: ``pip install ".[dask]"`` from a checkout of this project
(distribution ``eventstudy-honest``; the PyPI name ``eventstudy`` is an unrelated package),
or ``pip install "dask[distributed]"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.engine.parts import EventsPart
    from eventstudy.options import StudyOptions
    from eventstudy.prepare import PreparedData

__all__ = ["MALLOC_TUNING", "DaskExecutor", "import_distributed", "tune_malloc"]

_HINT = ("The Dask executor needs dask.distributed, an optional extra: "
         "pip install 'dask[distributed]'  (or, from a checkout of this project: "
         "pip install '.[dask]').")


def import_distributed() -> Any:
    """Import ``dask.distributed`` lazily, with an install hint if it is missing."""
    try:
        import dask.distributed as distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_HINT) from exc
    return distributed


def _run_chunk(data: PreparedData, chunk: pd.DataFrame, options: StudyOptions,
               tune: bool = True) -> EventsPart:
    from eventstudy.engine.compute import compute_events

    if tune:
        tune_malloc()
    part = compute_events(data, chunk, values=_values(data), **options.engine_kwargs())
    # the returns (and the residuals, derivable from them) stay here
    return dataclasses.replace(part, panel=part.panel.detached(), est_resid=None)


#: glibc ``mallopt`` parameters set in a worker by ``DaskExecutor(tune_malloc=True)``:
#: ``M_TRIM_THRESHOLD`` (-1) and ``M_MMAP_THRESHOLD`` (-3), in bytes.
MALLOC_TUNING: dict[int, int] = {-1: 256 * 2**20, -3: 64 * 2**20}

_TUNED: list[bool] = []


def tune_malloc() -> bool:
    """Let this (worker) process keep freed memory for reuse: glibc ``mallopt`` (:data:`MALLOC_TUNING`).

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also
    fixes glibc's mmap threshold at 128 KiB: every array above it is mapped and
    unmapped, and its pages faulted in again, on each allocation. The
    statistics' block loops allocate thousands of such temporaries; measured on
    2 workers, a chunk's task ran 1.7-2.5x slower with that setting than
    without. Once per process; ``False`` where ``mallopt`` is not available
    (not glibc), which changes nothing.
    """
    if _TUNED:
        return _TUNED[0]
    ok = False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        ok = all(libc.mallopt(param, value) == 1 for param, value in MALLOC_TUNING.items())
    except (OSError, AttributeError):
        ok = False
    _TUNED.append(ok)
    return ok


def _reduce_chunk(data: PreparedData, owned: pd.DataFrame, halo: pd.DataFrame, options: StudyOptions,
                  plan: Any, tune: bool = True,
                  output: tuple[str, int] | None = None) -> tuple[EventsPart, dict[Any, Any]]:
    from eventstudy.engine.chunks import reduce_chunk

    if tune:
        tune_malloc()
    part, sums = reduce_chunk(data, owned, halo, options, plan, _values(data), output)
    return dataclasses.replace(part, panel=part.panel.detached(), est_resid=None), sums


def _rank_chunk(data: PreparedData, owned: pd.DataFrame, options: StudyOptions, scales: Any,
                tune: bool = True) -> dict[Any, Any]:
    from eventstudy.engine.chunks import rank_chunk

    if tune:
        tune_malloc()
    return rank_chunk(data, owned, options, scales, _values(data))


def _values(data: PreparedData) -> np.ndarray:
    cache = _VALUES.get(id(data))
    if cache is None or cache[0] is not data:
        cache = (data, data.returns.to_numpy(dtype=np.float64))
        _VALUES.clear()
        _VALUES[id(data)] = cache
    return cache[1]


# Per-worker cache of the scattered data's returns array (one entry).
_VALUES: dict[int, tuple[Any, np.ndarray]] = {}


class DaskExecutor:
    """Chunks as tasks on a ``dask.distributed`` client.

    Parameters
    ----------
    client : dask.distributed.Client
        E.g. ``Client("tcp://scheduler:8786")`` or ``Client(LocalCluster())``.
    broadcast : bool, default True
        Scatter the prepared data to every worker up front (else on demand).
    statistics : {"chunks", "client"}, default "chunks"
        ``"chunks"``: each task also reduces its tests' sums on the worker (events
        cut by event session, each chunk with its halo:
        :mod:`eventstudy.inference.chunked`) and the client merges small arrays;
        studies asking for a test without chunk sums fall back to ``"client"``
        (said in ``notes``). ``"client"``: the client runs the tests on the
        stacked panel.
    tune_malloc : bool, default True
        Let each worker process keep freed memory for reuse (:func:`tune_malloc`,
        glibc ``mallopt``: trim threshold 256 MiB, mmap threshold 64 MiB, instead
        of the 64 KiB / 128 KiB that Dask's ``MALLOC_TRIM_THRESHOLD_`` implies),
        set by the first task in each worker. ``False`` leaves the workers as
        configured (the tasks then run 1.7-2.5x slower on this project's
        benchmark).
    """

    def __init__(self, client: Any, *, broadcast: bool = True, statistics: str = "chunks",
                 tune_malloc: bool = True) -> None:
        from eventstudy.executors import check_statistics

        distributed = import_distributed()
        if not isinstance(client, distributed.Client):
            raise TypeError(f"DaskExecutor needs a dask.distributed.Client, got {type(client).__name__}")
        self.statistics = check_statistics(statistics)
        if not isinstance(tune_malloc, bool):
            raise TypeError(f"tune_malloc must be True or False, got {tune_malloc!r}")
        self.tune_malloc = tune_malloc
        self.client = client
        self.broadcast = broadcast
        self._scattered: tuple[Any, Any] | None = None  # (data, future), reused across calls

    def _remote(self, data: PreparedData) -> Any:
        if self._scattered is None or self._scattered[0] is not data:
            self._scattered = (data, self.client.scatter(data, broadcast=self.broadcast, hash=False))
        return self._scattered[1]

    def chunk_size_for(self, n_events: int) -> int:
        """Two chunks per worker at least, at most the local default, at least 1,000 events.

        With one chunk per task, a study of 10,000 events on the local default
        would be one task on one worker; two per worker keep them all busy while
        the halos (the events after a chunk that its last events pair with) stay
        a small share of each chunk.
        """
        from eventstudy.engine.chunks import DEFAULT_CHUNK_SIZE

        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        return int(min(DEFAULT_CHUNK_SIZE, max(1_000, -(-n_events // (2 * workers)))))

    def map_reduced(
        self, data: PreparedData, tasks: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
        options: StudyOptions, plan: Any, outputs: Sequence[tuple[str, int]] | None = None,
    ) -> Iterator[tuple[EventsPart, dict[Any, Any]]]:
        remote = self._remote(data)
        values = data.returns.to_numpy(dtype=np.float64)
        futures = [self.client.submit(_reduce_chunk, remote, owned, halo, options, plan, self.tune_malloc,
                                      None if outputs is None else outputs[k], pure=False)
                   for k, (owned, halo) in enumerate(tasks)]
        for part, sums in _in_order(futures):
            yield dataclasses.replace(part, panel=part.panel.attached(data.sessions, values)), sums

    def map_ranks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions, scales: Any,
    ) -> Iterator[dict[Any, Any]]:
        remote = self._remote(data)
        yield from _in_order([self.client.submit(_rank_chunk, remote, chunk, options, scales,
                                                 self.tune_malloc, pure=False) for chunk in chunks])

    def map_chunks(
        self, data: PreparedData, chunks: Sequence[pd.DataFrame], options: StudyOptions
    ) -> Iterator[EventsPart]:
        remote = self._remote(data)
        values = data.returns.to_numpy(dtype=np.float64)
        futures = [self.client.submit(_run_chunk, remote, chunk, options, self.tune_malloc, pure=False)
                   for chunk in chunks]
        for part in _in_order(futures):
            yield dataclasses.replace(part, panel=part.panel.attached(data.sessions, values))


def _in_order(futures: Sequence[Any]) -> Iterator[Any]:
    """The futures' results in order, each released once used (freeing the worker's copy);
    the ones not reached are cancelled if the caller stops early or a task fails."""
    try:
        for fut in futures:
            result = fut.result()
            fut.release()
            yield result
    finally:
        for fut in futures:
            if not fut.done():
                fut.cancel()
