"""The engine: events in, lean abnormal-return panels out, from one event to a million.

- :mod:`eventstudy.engine.compute`: one table of events on one calendar ->
  gather, fit, abnormal returns (:func:`~eventstudy.engine.compute.compute_events`);
- :mod:`eventstudy.engine.chunks`: the same over chunks of events on an
  executor (:mod:`eventstudy.executors`), and same-security overlap flags;
- :mod:`eventstudy.engine.parts`: what a chunk returns
  (:class:`~eventstudy.engine.parts.EventsPart`) and how parts are stacked,
  across chunks and across calendars.

:func:`eventstudy.event_study` is the entry point; statistics are computed on
the stacked panel (:mod:`eventstudy.inference`), or per date-partitioned chunk
where the chunk runs and merged (:func:`~eventstudy.engine.chunks.run_reduced`,
:mod:`eventstudy.inference.chunked`), and assembled by :mod:`eventstudy.results`.
"""

from eventstudy.engine.chunks import DEFAULT_CHUNK_SIZE, overlap_diagnostics, run_chunks
from eventstudy.engine.compute import MISSING_ESTIMATION_NOTE, compute_events
from eventstudy.engine.parts import EventsPart, concat_parts

__all__ = ["DEFAULT_CHUNK_SIZE", "MISSING_ESTIMATION_NOTE", "EventsPart", "compute_events",
           "concat_parts", "overlap_diagnostics", "run_chunks"]
