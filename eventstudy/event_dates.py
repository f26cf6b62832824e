"""Event dates mapped onto a session grid for a whole events table at once.

:func:`resolve_event_dates` gives the same sessions, rolls and errors as
:meth:`eventstudy.calendar.TradingCalendar.resolve` applied to every event, with
one ``searchsorted`` instead of a loop over events (the per-event resolver is the
fallback for anything unusual, so the errors are its own).

Events may also be given as moments (``times``: ISO timestamps with a UTC offset)
or as dates with a named timing (``timings``: ``"before_open"``, ``"during"``,
``"after_close"``); their day 0 follows the rule of :mod:`eventstudy.event_time`
(the first session whose close is after the moment), and every event's timing and
moment are carried in :class:`ResolvedEvents` for the diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendar import ROLL_POLICIES, ResolvedDate, TradingCalendar, to_timestamp
from eventstudy.errors import EventDateOutOfRangeError, InvalidParameterError
from eventstudy.event_time import _map, _parse_many, sessions_for_timings

__all__ = ["ResolvedEvents", "resolve_event_dates"]


@dataclass(frozen=True)
class ResolvedEvents:
    """Event dates of an events table mapped onto the data's sessions (vectorised)."""

    requested: np.ndarray  # datetime64[ns], (E,); for a moment, its local date on the exchange
    pos0: np.ndarray  # int64 row of the event session in ``sessions``, (E,)
    rolled: np.ndarray  # bool, (E,); True only for a non-session date rolled by ``policy``
    policy: str
    timing: np.ndarray | None = None  # object (E,): a RELATIONS value, or None for a plain date
    moment: np.ndarray | None = None  # datetime64[ns] UTC (E,), NaT where no moment was given
    calendar: str = ""
    tz: str = "UTC"

    def resolved(self, i: int, sessions: pd.DatetimeIndex) -> ResolvedDate:
        """The :class:`ResolvedDate` of event ``i`` (for its note)."""
        return ResolvedDate(pd.Timestamp(self.requested[i]), pd.Timestamp(sessions[self.pos0[i]]),
                            bool(self.rolled[i]), self.policy)

    def timing_note(self, i: int, sessions: pd.DatetimeIndex) -> str:
        """Sentence on how event ``i``'s moment or named timing set day 0 ("" for a plain date)."""
        if self.timing is None or self.timing[i] is None:
            return ""
        day0 = pd.Timestamp(sessions[self.pos0[i]]).date()
        if self.moment is not None and not np.isnat(self.moment[i]):
            local = pd.Timestamp(self.moment[i], tz="UTC").tz_convert(self.tz)
            return (f"event time {local.isoformat()} ({self.calendar} local time) is "
                    f"{self.timing[i]}; day 0 = {day0}, the first session whose close is after it")
        return (f"event date {pd.Timestamp(self.requested[i]).date()} with timing "
                f"{self.timing[i]}; day 0 = {day0}")


def _resolve_slow(cal: TradingCalendar, sessions: pd.DatetimeIndex, dates: pd.Series,
                  roll: str, positions: Sequence[int] | None = None) -> ResolvedEvents:
    pos = range(len(dates)) if positions is None else positions
    resolved = [cal.resolve(d, roll, f"events[{i}].event_date") for i, d in zip(pos, dates, strict=True)]
    return ResolvedEvents(
        np.array([r.requested.to_datetime64() for r in resolved], dtype="datetime64[ns]"),
        np.array([sessions.get_loc(r.session) for r in resolved], dtype=np.int64),
        np.array([r.rolled for r in resolved], dtype=bool),
        roll,
    )


def _resolve_plain(cal: TradingCalendar, sessions: pd.DatetimeIndex, dates: pd.Series,
                   roll: str, positions: Sequence[int] | None = None) -> ResolvedEvents:
    """Plain dates, vectorised; ``positions`` are the events' rows (for error messages)."""
    try:
        req = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).to_numpy(), format="mixed"))
    except (TypeError, ValueError, OverflowError):
        return _resolve_slow(cal, sessions, dates, roll, positions)
    if req.tz is not None or req.hasnans or not (req == req.normalize()).all():
        return _resolve_slow(cal, sessions, dates, roll, positions)
    r = req.to_numpy().astype("datetime64[ns]")
    s = sessions.to_numpy().astype("datetime64[ns]")
    first, last = np.datetime64(cal.first_session, "ns"), np.datetime64(cal.last_session, "ns")
    if s.size == 0 or (r < first).any() or (r > last).any():
        return _resolve_slow(cal, sessions, dates, roll, positions)
    idx = np.searchsorted(s, r, side="left")
    exact = (idx < s.size) & (s[np.minimum(idx, s.size - 1)] == r)
    if exact.all():
        return ResolvedEvents(r, idx.astype(np.int64), np.zeros(r.size, dtype=bool), roll)
    if roll == "raise":
        return _resolve_slow(cal, sessions, dates, roll, positions)
    pos = idx if roll == "next" else idx - 1
    pos = np.where(exact, idx, pos)
    if (pos < 0).any() or (pos >= s.size).any():
        return _resolve_slow(cal, sessions, dates, roll, positions)
    return ResolvedEvents(r, pos.astype(np.int64), ~exact, roll)


def _absent(v: object) -> bool:
    """True for a missing cell: None, NaN, NaT or a blank string."""
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _column(values: Sequence[object] | pd.Series | None, n: int, name: str) -> list[object]:
    if values is None:
        return [None] * n
    out = list(values)
    if len(out) != n:
        raise InvalidParameterError(name, f"one value per event ({n})", f"{len(out)} values")
    return out


def _rows_of(sessions: pd.DatetimeIndex, day0: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Rows of the day-0 sessions in the data's ``sessions`` (an error names the event)."""
    rows = sessions.get_indexer(pd.DatetimeIndex(day0))
    if (rows < 0).any():
        k = int(np.flatnonzero(rows < 0)[0])
        first = sessions[0].date() if len(sessions) else None
        last = sessions[-1].date() if len(sessions) else None
        raise EventDateOutOfRangeError(
            f"Parameter `{names[k]}` puts day 0 on {pd.Timestamp(day0[k]).date()}, outside the "
            f"data's sessions {first} .. {last}."
        )
    return rows.astype(np.int64)


def resolve_event_dates(cal: TradingCalendar, sessions: pd.DatetimeIndex, dates: pd.Series,
                        roll: str = "next", *, times: Sequence[object] | pd.Series | None = None,
                        timings: Sequence[object] | pd.Series | None = None) -> ResolvedEvents:
    """Map every event to its day-0 session, vectorised.

    Plain dates (no ``times``, no ``timings``) give the same result and errors as
    :meth:`TradingCalendar.resolve` per event, with one ``searchsorted``: anything
    unusual (unparseable, time of day, time zone, out of range, a non-session with
    ``roll="raise"``) falls back to the per-event resolver, which raises the error.

    Parameters
    ----------
    cal : TradingCalendar
        The exchange's calendar (one calendar per call).
    sessions : pandas.DatetimeIndex
        The data's sessions; ``pos0`` indexes them.
    dates : pandas.Series
        ``event_date`` per event; missing (None/NaT) where the event has a moment.
    roll : {"next", "previous", "raise"}
        What to do with an event date that is not a session (moments do not roll).
    times : sequence or Series, optional
        ``event_time`` per event: an ISO timestamp with a UTC offset (or an aware
        datetime), missing for events given by date. Day 0 is the first session
        whose close is after the moment (:mod:`eventstudy.event_time`).
    timings : sequence or Series, optional
        ``timing`` per event given by date: ``"before_open"``, ``"during"``,
        ``"after_close"``, or missing for a plain date.

    Returns
    -------
    ResolvedEvents
        ``timing`` holds, per event, the moment's relation to the exchange
        (``"before_open"``, ``"during"``, ``"after_close"``, ``"closed"``), the
        named timing, or None for a plain date; ``moment`` the moment in UTC (NaT
        where none); ``requested`` the event date, or the moment's local date on
        the exchange; ``rolled`` is True only for a non-session date rolled by
        ``roll``.

    Raises
    ------
    InvalidParameterError
        A bad roll, date, moment (naive, unparseable) or timing, or an event with
        both ``event_time`` and ``event_date`` (or ``timing``).
    NonSessionDateError
        ``roll="raise"`` and an event date is not a session.
    EventDateOutOfRangeError
        An event (or its day 0) is outside the calendar or the data's sessions.
    """
    if roll not in ROLL_POLICIES:
        raise InvalidParameterError("roll", f"one of {ROLL_POLICIES}", roll)
    n = len(dates)
    tz = str(cal._cal.tz)
    if times is None and timings is None:
        plain = _resolve_plain(cal, sessions, dates, roll)
        return ResolvedEvents(plain.requested, plain.pos0, plain.rolled, roll,
                              np.full(n, None, dtype=object), np.full(n, np.datetime64("NaT", "ns")),
                              cal.name, tz)
    date_l = list(dates)
    time_l = _column(times, n, "times")
    timing_l = _column(timings, n, "timings")
    has_time = np.array([not _absent(v) for v in time_l], dtype=bool)
    has_timing = np.array([not _absent(v) for v in timing_l], dtype=bool)
    for i in np.flatnonzero(has_time).tolist():
        if not _absent(date_l[i]):
            raise InvalidParameterError(
                f"events[{i}].event_date", "no event_date for an event given by event_time "
                "(day 0 follows from the moment)", date_l[i])
        if has_timing[i]:
            raise InvalidParameterError(
                f"events[{i}].timing", "no timing for an event given by event_time "
                "(the timing follows from the moment)", timing_l[i])

    requested = np.empty(n, dtype="datetime64[ns]")
    pos0 = np.empty(n, dtype=np.int64)
    rolled = np.zeros(n, dtype=bool)
    timing = np.full(n, None, dtype=object)
    moment = np.full(n, np.datetime64("NaT", "ns"))

    plain_rows = np.flatnonzero(~has_time & ~has_timing)
    if plain_rows.size:
        sub = pd.Series([date_l[i] for i in plain_rows], dtype=object)
        res = _resolve_plain(cal, sessions, sub, roll, plain_rows.tolist())
        requested[plain_rows], pos0[plain_rows], rolled[plain_rows] = res.requested, res.pos0, res.rolled

    named_rows = np.flatnonzero(~has_time & has_timing)
    if named_rows.size:
        names = [f"events[{i}].event_date" for i in named_rows]
        day0, was_rolled = sessions_for_timings(
            cal, [date_l[i] for i in named_rows], [timing_l[i] for i in named_rows], roll,
            names=names, timing_names=[f"events[{i}].timing" for i in named_rows])
        pos0[named_rows] = _rows_of(sessions, day0, names)
        rolled[named_rows] = was_rolled
        requested[named_rows] = [to_timestamp(date_l[i], n_).to_datetime64()
                                 for i, n_ in zip(named_rows, names, strict=True)]
        timing[named_rows] = [timing_l[i] for i in named_rows]

    time_rows = np.flatnonzero(has_time)
    if time_rows.size:
        names = [f"events[{i}].event_time" for i in time_rows]
        given = [time_l[i] for i in time_rows]
        mapped = _map(cal, _parse_many(given, names), names, given)
        pos0[time_rows] = _rows_of(sessions, mapped.session, names)
        requested[time_rows] = mapped.local_date
        timing[time_rows] = mapped.timing
        moment[time_rows] = mapped.moment
    return ResolvedEvents(requested, pos0, rolled, roll, timing, moment, cal.name, tz)
