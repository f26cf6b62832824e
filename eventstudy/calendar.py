"""Trading sessions and event-date resolution (exchange_calendars).

Event time is counted in *sessions* of an exchange calendar (NYSE, ``XNYS``, by
default): relative day 0 is the event session, day -1 the session before it.
Calendar days are never used. An event date that is not a session is rolled to
the next session (default), the previous session, or refused, and every roll is
recorded by the caller in the result's diagnostics.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from eventstudy.errors import (
    CalendarError,
    EventDateOutOfRangeError,
    InvalidParameterError,
    NonSessionDateError,
)

RollPolicy = Literal["next", "previous", "raise"]
ROLL_POLICIES: tuple[str, ...] = ("next", "previous", "raise")

__all__ = ["ROLL_POLICIES", "ResolvedDate", "RollPolicy", "TradingCalendar", "exchange_timezone",
           "to_timestamp"]


def to_timestamp(value: object, parameter: str) -> pd.Timestamp:
    """Parse a date-like ``value`` into a tz-naive midnight Timestamp.

    Raises
    ------
    InvalidParameterError
        If ``value`` is not a date.
    """
    try:
        if isinstance(value, str):
            # ISO 8601 only: dateutil would guess "27th of January" into this year.
            value = dt.datetime.fromisoformat(value.strip())
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, "a date such as '2025-01-27'", value) from exc
    if ts is pd.NaT:
        raise InvalidParameterError(parameter, "a date such as '2025-01-27'", value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    if ts != ts.normalize():
        raise InvalidParameterError(parameter, "a date without a time of day", value)
    return ts


@functools.lru_cache(maxsize=32)
def exchange_timezone(name: str) -> str:
    """The time zone of exchange calendar ``name`` (``"America/New_York"`` for XNYS).

    Raises
    ------
    InvalidParameterError
        ``name`` is not an exchange_calendars code.
    """
    import exchange_calendars as xcals  # imported where used (start-up time)

    try:
        return str(xcals.get_calendar(name).tz)
    except xcals.errors.InvalidCalendarName as exc:
        raise InvalidParameterError(
            "calendar", "an exchange_calendars code such as 'XNYS'", name
        ) from exc


@dataclass(frozen=True)
class ResolvedDate:
    """An event date mapped onto a session."""

    requested: pd.Timestamp
    session: pd.Timestamp
    rolled: bool
    policy: str

    @property
    def note(self) -> str:
        """Human sentence describing the roll (empty when none happened)."""
        if not self.rolled:
            return ""
        return (
            f"event date {self.requested.date()} is not a trading session; "
            f"rolled to the {self.policy} session {self.session.date()}"
        )


class TradingCalendar:
    """Sessions of one exchange calendar over a span of dates.

    Parameters
    ----------
    name : str, default "XNYS"
        exchange_calendars code (``"XNYS"`` is the New York Stock Exchange).
    start, end : date-like
        First and last date the calendar must cover.
    """

    def __init__(self, name: str = "XNYS", start: object = None, end: object = None) -> None:
        kwargs: dict[str, pd.Timestamp] = {}
        if start is not None:
            kwargs["start"] = to_timestamp(start, "start")
        if end is not None:
            kwargs["end"] = to_timestamp(end, "end")
        import exchange_calendars as xcals  # imported where used (start-up time)

        try:
            with warnings.catch_warnings():
                # exchange_calendars (not this package) trips a pandas deprecation warning
                warnings.filterwarnings("ignore", message=r"Series\.values returning an ndarray")
                self._cal = xcals.get_calendar(name, **kwargs)
        except xcals.errors.InvalidCalendarName as exc:
            raise InvalidParameterError(
                "calendar", "an exchange_calendars code such as 'XNYS'", name
            ) from exc
        except (ValueError, xcals.errors.CalendarError) as exc:
            raise CalendarError(f"Calendar {name!r} cannot cover {start}..{end}: {exc}") from exc
        self.name = name

    @property
    def first_session(self) -> pd.Timestamp:
        return pd.Timestamp(self._cal.first_session)

    @property
    def last_session(self) -> pd.Timestamp:
        return pd.Timestamp(self._cal.last_session)

    def sessions(self, start: object, end: object) -> pd.DatetimeIndex:
        """Sessions from ``start`` to ``end`` inclusive (tz-naive), named ``date``."""
        s = max(to_timestamp(start, "start"), self.first_session)  # a non-session first date
        e = min(to_timestamp(end, "end"), self.last_session)
        idx = self._cal.sessions_in_range(s, e)
        return pd.DatetimeIndex(idx.tz_localize(None) if idx.tz else idx, name="date")

    def is_session(self, date: object) -> bool:
        ts = to_timestamp(date, "date")
        if ts < self.first_session or ts > self.last_session:
            return False
        return bool(self._cal.is_session(ts))

    def resolve(self, date: object, policy: str = "next", parameter: str = "event_date") -> ResolvedDate:
        """Map ``date`` to a session following ``policy``.

        Parameters
        ----------
        date : date-like
        policy : {"next", "previous", "raise"}
            What to do when ``date`` is not a session.
        parameter : str
            Name used in error messages.

        Raises
        ------
        NonSessionDateError
            ``policy="raise"`` and ``date`` is not a session.
        EventDateOutOfRangeError
            ``date`` is outside the calendar's span.
        """
        if policy not in ROLL_POLICIES:
            raise InvalidParameterError("roll", f"one of {ROLL_POLICIES}", policy)
        ts = to_timestamp(date, parameter)
        if ts < self.first_session or ts > self.last_session:
            raise EventDateOutOfRangeError(
                f"Parameter `{parameter}` is {ts.date()}, outside the data's sessions "
                f"{self.first_session.date()} .. {self.last_session.date()}."
            )
        if self._cal.is_session(ts):
            return ResolvedDate(ts, ts, False, policy)
        if policy == "raise":
            raise NonSessionDateError(
                f"Parameter `{parameter}` is {ts.date()} ({ts.day_name()}), which is not a "
                f"{self.name} session, and roll='raise'. Use roll='next' or 'previous'."
            )
        direction = "next" if policy == "next" else "previous"
        from exchange_calendars.errors import CalendarError as XcalsCalendarError

        try:
            session = pd.Timestamp(self._cal.date_to_session(ts, direction=direction))
        except (ValueError, XcalsCalendarError) as exc:
            raise EventDateOutOfRangeError(
                f"Parameter `{parameter}` {ts.date()} has no {direction} session within the "
                f"calendar span {self.first_session.date()} .. {self.last_session.date()}."
            ) from exc
        return ResolvedDate(ts, session.tz_localize(None) if session.tz else session, True, policy)
