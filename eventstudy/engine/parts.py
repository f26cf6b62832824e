"""The engine's output for an events table, and how parts are merged.

:class:`EventsPart` is what :func:`eventstudy.study.compute_events` returns for
one events table on one calendar. :func:`concat_parts` stacks parts (chunks of
a large table, or the calendars of a multi-exchange study);
:func:`in_event_order` puts the events back in the table's order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError
from eventstudy.models import ModelSpec
from eventstudy.panel import AbnormalPanel
from eventstudy.windows import Window

if TYPE_CHECKING:
    from eventstudy.exchanges import CalendarChoice
    from eventstudy.prepare import PreparedData

__all__ = ["EventsPart", "calendar_notes", "concat_parts", "given_calendars", "in_event_order"]


@dataclass(frozen=True)
class EventsPart:
    """The engine's output for an events table, before the result is assembled.

    :func:`run_events` turns one part into an :class:`EventStudyResult`; the batch
    path (:mod:`eventstudy.batch`) computes parts for chunks of events (locally or
    on Dask workers) and concatenates them.
    """

    panel: AbnormalPanel
    diagnostics: pd.DataFrame
    notes: tuple[str, ...]
    estimation: Window
    windows: tuple[Window, ...]
    model: ModelSpec
    pos0: np.ndarray  # (E,) session row of every requested event (included or not)
    #: The engine's estimation residuals of the included events, handed to the test battery
    #: so it need not derive them again when the study ran in one chunk; not kept by the
    #: result (``None`` when not passed on).
    est_resid: np.ndarray | None = field(default=None, repr=False)


def concat_parts(parts: Sequence[EventsPart]) -> EventsPart:
    """Stack the engine's outputs for several event tables (chunks or calendars)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    for p in parts[1:]:
        if p.estimation != first.estimation or p.windows != first.windows:
            raise InvalidParameterError(
                "windows", "windows in relative trading days when securities trade on several "
                "calendars (date windows resolve to different relative days per exchange)",
                [w.label for w in p.windows])
    return EventsPart(
        panel=AbnormalPanel.concat([p.panel for p in parts]),
        diagnostics=pd.concat([p.diagnostics for p in parts]),
        notes=tuple(n for p in parts for n in p.notes),
        estimation=first.estimation,
        windows=first.windows,
        model=first.model,
        pos0=np.concatenate([p.pos0 for p in parts]),
        # not stacked: a copy of every chunk's residuals would double the peak memory of a
        # large study; the battery derives them instead
        est_resid=None,
    )


def in_event_order(part: EventsPart, event_ids: Sequence[str] | np.ndarray) -> EventsPart:
    """``part`` with its events in the order of ``event_ids`` (the events table's)."""
    ids = pd.Index(np.asarray(event_ids, dtype=object))
    rows = pd.Index(part.diagnostics.index).get_indexer(ids)  # every event, included or not
    order = pd.Index(part.panel.event_ids).get_indexer(ids)
    order = order[order >= 0]  # the included events, in the table's order
    if np.array_equal(rows, np.arange(rows.size)) and np.array_equal(order, np.arange(order.size)):
        return part
    return dataclasses.replace(part, panel=part.panel.take(order),
                               diagnostics=part.diagnostics.iloc[rows], pos0=part.pos0[rows],
                               est_resid=None if part.est_resid is None else part.est_resid[order])


def given_calendars(ev: pd.DataFrame) -> dict[str, str]:
    """``{security: code}`` from an events table's optional ``calendar`` column."""
    if "calendar" not in ev.columns:
        return {}
    given: dict[str, str] = {}
    for sec, code in zip(ev["security"], ev["calendar"], strict=True):
        if code is None or (isinstance(code, float) and np.isnan(code)):
            continue
        if sec in given and given[sec] != code:
            raise InvalidParameterError(f"events.calendar ({sec})", "one calendar per security",
                                        [given[sec], code])
        given[sec] = code
    return given


def calendar_notes(part: EventsPart, datas: Mapping[str, PreparedData],
                    choices: Mapping[str, CalendarChoice]) -> tuple[str, ...]:
    notes = []
    for code, data in datas.items():
        for col, other in data.foreign.items():
            users = part.diagnostics.index[(part.diagnostics["calendar"] == code)
                                           & (part.diagnostics["benchmark"] == col)]
            if not len(users):
                continue
            missing = int(data.returns[col].isna().sum())
            notes.append(
                f"{', '.join(users[:5])}{' ...' if len(users) > 5 else ''} ({code}) against {col} "
                f"({other}): the benchmark's return of the same date is used; {missing} {code} "
                f"sessions of the data have no {other} session or return (missing, not filled)."
            )
    return tuple(notes)
