"""Edges of the trading calendar and the window parser: the calendar's first and last
sessions, roll notes, one-day windows, malformed window specs.

Sessions are NYSE facts (2025-01-02 is the first session of 2025, 2025-01-31 a
Friday session, 2025-01-20 Martin Luther King Jr. Day).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from eventstudy import TradingCalendar
from eventstudy.calendar import to_timestamp
from eventstudy.errors import InvalidParameterError
from eventstudy.windows import DateWindow, Window, parse_window, parse_windows


@pytest.fixture(scope="module")
def jan() -> TradingCalendar:
    return TradingCalendar("XNYS", "2025-01-02", "2025-01-31")


def test_first_and_last_sessions_are_sessions(jan: TradingCalendar) -> None:
    assert jan.first_session == pd.Timestamp("2025-01-02")
    assert jan.last_session == pd.Timestamp("2025-01-31")
    assert jan.is_session("2025-01-02") and jan.is_session("2025-01-31")
    assert not jan.is_session("2025-02-03")  # a session, but outside the calendar's span


@pytest.mark.parametrize("date", ["2025-01-02", "2025-01-31"])
def test_events_on_the_first_and_last_session_resolve_unrolled(jan: TradingCalendar, date: str) -> None:
    r = jan.resolve(date, "raise")
    assert r.session == pd.Timestamp(date)
    assert not r.rolled and r.note == ""


def test_roll_note_names_both_dates(jan: TradingCalendar) -> None:
    r = jan.resolve("2025-01-20", "next")
    assert r.note == ("event date 2025-01-20 is not a trading session; "
                      "rolled to the next session 2025-01-21")


def test_unknown_roll_policy_and_time_of_day_are_refused(jan: TradingCalendar) -> None:
    with pytest.raises(InvalidParameterError, match="roll"):
        jan.resolve("2025-01-21", "nearest")
    with pytest.raises(InvalidParameterError, match="without a time of day"):
        to_timestamp("2025-01-27 10:30", "event_date")


# ------------------------------------------------------------------ windows


def test_one_day_windows_and_labels() -> None:
    assert Window(0, 0).length == 1 and Window(-5, 5).length == 11
    assert Window(0, 1).label == "(0, +1)" and Window(-1, 0).label == "(-1, 0)"
    assert parse_window([2, 2]) == Window(2, 2)
    d = parse_window({"start": "2025-01-27", "end": "2025-01-27"})
    assert d == DateWindow(pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-27"))
    assert DateWindow(pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-27")).label == \
        "[2025-01-27 .. 2025-01-27]"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"start": 0, "end": 1, "step": 1}, "start, end"),
        ([0, 1, 2], "[start, end]"),
        ([1, "2025-01-27"], "both ends relative days or both dates"),
        ([True, 2], "both ends relative days or both dates"),
        ([3, 2], "start <= end"),
        (["2025-01-28", "2025-01-27"], "start <= end"),
    ],
)
def test_malformed_windows_are_refused(value: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match="Parameter `w`") as info:
        parse_window(value, "w")
    assert message in str(info.value)


def test_window_lists() -> None:
    with pytest.raises(InvalidParameterError, match="distinct windows"):
        parse_windows([(0, 1), [0, 1]])
    with pytest.raises(InvalidParameterError, match="a list of windows"):
        parse_windows({"start": 0, "end": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="at least one window"):
        parse_windows([])
