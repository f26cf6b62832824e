"""Events as moments: a time-zone-aware timestamp mapped to day 0 on an exchange.

An event may be given as a *moment* (``event_time``, an ISO timestamp with a UTC
offset such as ``2025-01-27T09:00+09:00``) instead of a date. Its day 0 on an
exchange is found by one documented rule:

    **day 0 is the first session of the exchange whose close is after the moment.**

A moment exactly at the close is not before it, so it belongs to the next session.
Opens, closes, early closes (NYSE 2024-11-29 and 2024-12-24 close at 13:00 ET) and
Tokyo's lunch break all come from ``exchange_calendars``; no exchange hours are
written here. The moment's *timing*, its relation to the exchange, is recorded:

``"before_open"``
    the moment's local date (in the exchange's time zone) is a session and the
    moment is before that session's open (day 0 = that session);
``"during"``
    between that session's open (inclusive) and close (exclusive); a moment in
    Tokyo's lunch break (11:30-12:30 JST) is ``"during"`` (day 0 = that session);
``"after_close"``
    at or after that session's close (day 0 = the next session);
``"closed"``
    the local date is not a session (day 0 = the next session).

The same news falls on different days 0 on different exchanges. DeepSeek:

* news at ``2025-01-27T09:00+09:00`` (Tokyo's open) is ``"during"`` in Tokyo
  (XTKS), day 0 = 27 Jan; in New York (XNYS) it is 26 Jan 19:00 ET, a Sunday
  (``"closed"``), so day 0 = 27 Jan there as well;
* news at ``2025-01-27T16:30-05:00`` (after New York's close) is
  ``"after_close"`` in New York, day 0 = 28 Jan; in Tokyo it is 28 Jan 06:30 JST,
  ``"before_open"``, so day 0 = 28 Jan there too.

*Named timings* serve events known only by date: an ``event_date`` with a
``timing`` in ``("before_open", "during", "after_close")``. ``"before_open"`` and
``"during"`` put day 0 on the session of that date, ``"after_close"`` on the next
session. A date that is not a session is rolled by the roll policy exactly as a
plain date (:meth:`eventstudy.calendar.TradingCalendar.resolve`: ``"next"``,
``"previous"`` or ``"raise"``) and the timing moves it no further: on a day
without a session nothing is before the open or after the close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar, to_timestamp
from eventstudy.errors import EventDateOutOfRangeError, InvalidParameterError

__all__ = ["MOMENT_EXPECTED", "RELATIONS", "TIMINGS", "MappedMoments", "classify_moment",
           "map_moments", "parse_moment", "sessions_for_timings"]

TIMINGS: tuple[str, ...] = ("before_open", "during", "after_close")
RELATIONS: tuple[str, ...] = (*TIMINGS, "closed")
MOMENT_EXPECTED = "an ISO timestamp with a UTC offset, e.g. 2025-01-27T09:00+09:00"


def parse_moment(value: object, parameter: str = "event_time") -> pd.Timestamp:
    """Parse a time-zone-aware moment into a UTC Timestamp.

    Parameters
    ----------
    value : str, datetime.datetime or pandas.Timestamp
        An ISO 8601 timestamp with a UTC offset (``"2025-01-27T09:00+09:00"``,
        ``"2025-01-27T00:00Z"``) or an aware datetime.
    parameter : str
        Name used in error messages.

    Returns
    -------
    pandas.Timestamp
        The moment in UTC.

    Raises
    ------
    InvalidParameterError
        ``value`` is not a timestamp, or has no time zone (a naive timestamp is
        refused rather than guessed to be UTC or local time).
    """
    try:
        if isinstance(value, str):
            ts = pd.Timestamp(dt.datetime.fromisoformat(value.strip()))
        elif isinstance(value, dt.datetime):  # pandas.Timestamp is a datetime
            ts = pd.Timestamp(value)
        else:
            raise TypeError(type(value).__name__)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, MOMENT_EXPECTED, value) from exc
    if ts is pd.NaT or ts.tzinfo is None:
        raise InvalidParameterError(parameter, MOMENT_EXPECTED, value)
    return ts.tz_convert("UTC")


@dataclass(frozen=True)
class MappedMoments:
    """Moments mapped to day-0 sessions of one exchange calendar.

    Attributes
    ----------
    moment : ndarray of datetime64[ns], (E,)
        The requested moments in UTC (tz-naive representation).
    local_date : ndarray of datetime64[ns], (E,)
        The moments' calendar dates in the exchange's time zone.
    session : ndarray of datetime64[ns], (E,)
        Day 0: the first session whose close is after the moment.
    timing : ndarray of str, (E,)
        Relation of the moment to the exchange, one of :data:`RELATIONS`.
    """

    moment: np.ndarray
    local_date: np.ndarray
    session: np.ndarray
    timing: np.ndarray


def _utc_ns(ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Aware datetimes as int64 nanoseconds since the epoch (UTC)."""
    idx = pd.DatetimeIndex(ts.array) if isinstance(ts, pd.Series) else ts
    return idx.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[ns]").view(np.int64)


def _parse_many(moments: Sequence[object] | pd.Series | pd.DatetimeIndex,
                names: Sequence[str]) -> pd.DatetimeIndex:
    """Parse moments (one parse per distinct value) into a UTC DatetimeIndex."""
    if isinstance(moments, pd.DatetimeIndex | pd.Series) and isinstance(
            getattr(moments, "dtype", None), pd.DatetimeTZDtype):
        idx = pd.DatetimeIndex(moments)
        if idx.hasnans:
            i = int(np.flatnonzero(idx.isna())[0])
            raise InvalidParameterError(names[i], MOMENT_EXPECTED, None)
        return idx.tz_convert("UTC")
    values = list(moments)
    parsed: dict[Any, pd.Timestamp] = {}
    out = []
    for i, v in enumerate(values):
        try:
            ts = parsed[v]
        except KeyError:
            ts = parsed[v] = parse_moment(v, names[i])
        except TypeError:  # unhashable
            ts = parse_moment(v, names[i])
        out.append(ts)
    return pd.DatetimeIndex(out, tz="UTC") if out else pd.DatetimeIndex([], tz="UTC")


def _map(calendar: TradingCalendar, moments: pd.DatetimeIndex, names: Sequence[str],
         received: Sequence[object] | None = None) -> MappedMoments:
    """Vectorised rule; ``received`` are the moments as given (for error messages)."""
    xcal = calendar._cal
    s = pd.DatetimeIndex(xcal.sessions).to_numpy().astype("datetime64[ns]")
    opens = _utc_ns(xcal.opens)
    closes = _utc_ns(xcal.closes)
    m = _utc_ns(moments)
    local = moments.tz_convert(str(xcal.tz)).tz_localize(None).normalize()
    loc = local.to_numpy().astype("datetime64[ns]")
    bad = (loc < s[0]) | (loc > s[-1]) | (m >= closes[-1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        first_open = pd.Timestamp(opens[0], tz="UTC").tz_convert(str(xcal.tz))
        last_close = pd.Timestamp(closes[-1], tz="UTC").tz_convert(str(xcal.tz))
        raise EventDateOutOfRangeError(
            f"Parameter `{names[i]}` expected a moment within the {calendar.name} calendar's span "
            f"(local dates {s[0].astype('datetime64[D]')} .. {s[-1].astype('datetime64[D]')}, "
            f"first open {first_open.isoformat()}, last close {last_close.isoformat()}), "
            f"but received {received[i] if received is not None else moments[i].isoformat()!r}."
        )
    idx = np.searchsorted(s, loc, side="left")
    j = np.minimum(idx, s.size - 1)
    is_session = s[j] == loc
    timing = np.select([~is_session, m < opens[j], m < closes[j]],
                       ["closed", "before_open", "during"], "after_close").astype(object)
    day0 = np.searchsorted(closes, m, side="right")  # first close strictly after the moment
    return MappedMoments(m.view("datetime64[ns]").copy(), loc, s[day0], timing)


def map_moments(calendar: TradingCalendar, moments: Sequence[object] | pd.Series | pd.DatetimeIndex,
                parameter: str = "event_time") -> MappedMoments:
    """Map many moments to their day-0 sessions on one exchange calendar (vectorised).

    Day 0 is the first session whose close is after the moment (see the module
    docstring); the relation of each moment to the exchange is returned with it.

    Parameters
    ----------
    calendar : TradingCalendar
        The exchange's calendar; its span must cover the moments.
    moments : sequence of str or aware datetimes, or an aware Series/DatetimeIndex
        The moments (ISO timestamps with a UTC offset). Strings are parsed once per
        distinct value.
    parameter : str
        Name used in error messages (``"event_time[3]"`` for the fourth moment).

    Returns
    -------
    MappedMoments

    Raises
    ------
    InvalidParameterError
        A moment is not a timestamp or has no time zone.
    EventDateOutOfRangeError
        A moment's local date is outside the calendar's span, or the moment is at or
        after the close of the calendar's last session.
    """
    n = len(moments)
    names = [f"{parameter}[{i}]" for i in range(n)]
    return _map(calendar, _parse_many(moments, names), names, list(moments))


def classify_moment(calendar: TradingCalendar, moment: object, parameter: str = "event_time") -> str:
    """Relation of ``moment`` to the exchange of ``calendar``.

    Parameters
    ----------
    calendar : TradingCalendar
    moment : str or aware datetime
        An ISO timestamp with a UTC offset, e.g. ``"2025-01-27T09:00+09:00"``.
    parameter : str
        Name used in error messages.

    Returns
    -------
    str
        ``"before_open"``, ``"during"`` (lunch breaks included), ``"after_close"``
        (from the close on) or ``"closed"`` (the local date is not a session).

    Raises
    ------
    InvalidParameterError
        ``moment`` has no time zone or is not a timestamp.
    EventDateOutOfRangeError
        ``moment`` is outside the calendar's span.
    """
    ts = parse_moment(moment, parameter)
    return str(_map(calendar, pd.DatetimeIndex([ts]), [parameter], [moment]).timing[0])


def sessions_for_timings(calendar: TradingCalendar, event_dates: Sequence[object] | pd.Series,
                         timings: Sequence[object] | pd.Series, roll: str = "next",
                         names: Sequence[str] | None = None,
                         timing_names: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Day-0 sessions of date-only events with a named timing.

    ``"before_open"`` and ``"during"`` give the session of the date,
    ``"after_close"`` the next session; a date that is not a session is rolled by
    ``roll`` as a plain date and moves no further (see the module docstring).

    Parameters
    ----------
    calendar : TradingCalendar
    event_dates : sequence of date-like
    timings : sequence of str
        One of ``("before_open", "during", "after_close")`` per event.
    roll : {"next", "previous", "raise"}
        What to do with a date that is not a session.
    names, timing_names : sequence of str, optional
        Names of each date and timing in error messages (default
        ``event_date[i]`` and ``timing[i]``).

    Returns
    -------
    sessions : ndarray of datetime64[ns]
        Day 0 per event.
    rolled : ndarray of bool
        Whether the date was not a session and was rolled by ``roll``.

    Raises
    ------
    InvalidParameterError
        An unknown timing, or a date that is not a date.
    NonSessionDateError
        ``roll="raise"`` and a date is not a session.
    EventDateOutOfRangeError
        A date (or, for ``"after_close"``, its next session) is outside the calendar.
    """
    dates = list(event_dates)
    tims = list(timings)
    n = len(dates)
    if len(tims) != n:
        raise InvalidParameterError("timings", f"one timing per event date ({n})", len(tims))
    names = list(names) if names is not None else [f"event_date[{i}]" for i in range(n)]
    timing_names = (list(timing_names) if timing_names is not None
                    else [f"timing[{i}]" for i in range(n)])
    for i, t in enumerate(tims):
        if not isinstance(t, str) or t not in TIMINGS:
            raise InvalidParameterError(timing_names[i], f"one of {TIMINGS}", t)
    session = np.empty(n, dtype="datetime64[ns]")
    rolled = np.zeros(n, dtype=bool)
    cache: dict[Any, tuple[np.datetime64, bool]] = {}
    for i, d in enumerate(dates):  # one resolution per distinct date
        key = d if not isinstance(d, list | dict) else repr(d)
        if key not in cache:
            r = calendar.resolve(d, roll, names[i])
            cache[key] = (r.session.to_datetime64(), r.rolled)
        session[i], rolled[i] = cache[key]
    shift = (np.array(tims, dtype=object) == "after_close") & ~rolled
    if shift.any():
        s = pd.DatetimeIndex(calendar._cal.sessions).to_numpy().astype("datetime64[ns]")
        nxt = np.searchsorted(s, session[shift], side="right")
        if (nxt >= s.size).any():
            i = int(np.flatnonzero(shift)[int(np.flatnonzero(nxt >= s.size)[0])])
            raise EventDateOutOfRangeError(
                f"Parameter `{names[i]}` is {to_timestamp(dates[i], names[i]).date()} with timing "
                f"'after_close', whose next session is after the calendar's last session "
                f"{calendar.last_session.date()}."
            )
        session[shift] = s[nxt]
    return session, rolled
