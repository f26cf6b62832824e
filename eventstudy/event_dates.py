"""Event dates mapped onto a session grid for a whole events table at once.

:func:`resolve_event_dates` gives the same sessions, rolls and errors as
:meth:`eventstudy.calendar.TradingCalendar.resolve` applied to every event, with
one ``searchsorted`` instead of a loop over events (the per-event resolver is the
fallback for anything unusual, so the errors are its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendar import ROLL_POLICIES, ResolvedDate, TradingCalendar
from eventstudy.errors import InvalidParameterError

__all__ = ["ResolvedEvents", "resolve_event_dates"]


@dataclass(frozen=True)
class ResolvedEvents:
    """Event dates of an events table mapped onto the data's sessions (vectorised)."""

    requested: np.ndarray  # datetime64[ns], (E,)
    pos0: np.ndarray  # int64 row of the event session in ``sessions``, (E,)
    rolled: np.ndarray  # bool, (E,)
    policy: str

    def resolved(self, i: int, sessions: pd.DatetimeIndex) -> ResolvedDate:
        """The :class:`ResolvedDate` of event ``i`` (for its note)."""
        return ResolvedDate(pd.Timestamp(self.requested[i]), pd.Timestamp(sessions[self.pos0[i]]),
                            bool(self.rolled[i]), self.policy)


def _resolve_slow(cal: TradingCalendar, sessions: pd.DatetimeIndex, dates: pd.Series,
                  roll: str) -> ResolvedEvents:
    resolved = [cal.resolve(d, roll, f"events[{i}].event_date") for i, d in enumerate(dates)]
    return ResolvedEvents(
        np.array([r.requested.to_datetime64() for r in resolved], dtype="datetime64[ns]"),
        np.array([sessions.get_loc(r.session) for r in resolved], dtype=np.int64),
        np.array([r.rolled for r in resolved], dtype=bool),
        roll,
    )


def resolve_event_dates(cal: TradingCalendar, sessions: pd.DatetimeIndex, dates: pd.Series,
                        roll: str = "next") -> ResolvedEvents:
    """Map every event date to a session with ``searchsorted`` (no loop over events).

    Same result and errors as :meth:`TradingCalendar.resolve` per event: anything
    unusual (unparseable, time of day, time zone, out of range, a non-session with
    ``roll="raise"``) falls back to the per-event resolver, which raises the error.
    """
    if roll not in ROLL_POLICIES:
        raise InvalidParameterError("roll", f"one of {ROLL_POLICIES}", roll)
    try:
        req = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).to_numpy(), format="mixed"))
    except (TypeError, ValueError, OverflowError):
        return _resolve_slow(cal, sessions, dates, roll)
    if req.tz is not None or req.hasnans or not (req == req.normalize()).all():
        return _resolve_slow(cal, sessions, dates, roll)
    r = req.to_numpy().astype("datetime64[ns]")
    s = sessions.to_numpy().astype("datetime64[ns]")
    first, last = np.datetime64(cal.first_session, "ns"), np.datetime64(cal.last_session, "ns")
    if s.size == 0 or (r < first).any() or (r > last).any():
        return _resolve_slow(cal, sessions, dates, roll)
    idx = np.searchsorted(s, r, side="left")
    exact = (idx < s.size) & (s[np.minimum(idx, s.size - 1)] == r)
    if exact.all():
        return ResolvedEvents(r, idx.astype(np.int64), np.zeros(r.size, dtype=bool), roll)
    if roll == "raise":
        return _resolve_slow(cal, sessions, dates, roll)
    pos = idx if roll == "next" else idx - 1
    pos = np.where(exact, idx, pos)
    if (pos < 0).any() or (pos >= s.size).any():
        return _resolve_slow(cal, sessions, dates, roll)
    return ResolvedEvents(r, pos.astype(np.int64), ~exact, roll)
