"""Events as moments: day 0 per exchange (eventstudy.event_time, event_dates).

Every expected session below is written by hand from the exchanges' published
hours and holidays, not from the library:

* NYSE (XNYS): 09:30-16:00 ET (nyse.com, "Holidays and Trading Hours"); early
  closes at 13:00 ET on Fri 29 Nov 2024 (day after Thanksgiving) and Tue 24 Dec
  2024; closed Thu 28 Nov 2024 (Thanksgiving), Wed 25 Dec 2024 (Christmas) and
  Mon 20 Jan 2025 (Martin Luther King Jr. Day). ET is UTC-5 (EST) except from
  Sun 10 Mar 2024 02:00 to Sun 3 Nov 2024 02:00, when it is UTC-4 (EDT).
* TSE (XTKS, jpx.co.jp "Trading Hours"): 09:00-11:30 and 12:30-15:30 JST since
  5 Nov 2024 (the afternoon session closed at 15:00 before); JST is UTC+9 all
  year. Closed Mon 4 Nov 2024 (Culture Day, 3 Nov, falls on a Sunday: substitute
  holiday), 31 Dec 2024 - 3 Jan 2025 (year-end holidays) and Mon 13 Jan 2025
  (Coming of Age Day).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from eventstudy.calendar import TradingCalendar
from eventstudy.errors import (
    EventDateOutOfRangeError,
    EventStudyError,
    InvalidParameterError,
    NonSessionDateError,
)
from eventstudy.event_dates import resolve_event_dates
from eventstudy.event_time import classify_moment, map_moments, parse_moment, sessions_for_timings


@pytest.fixture(scope="module")
def nyse() -> TradingCalendar:
    return TradingCalendar("XNYS", start="2024-01-02", end="2025-03-31")


@pytest.fixture(scope="module")
def tse() -> TradingCalendar:
    return TradingCalendar("XTKS", start="2024-01-04", end="2025-03-31")


# (moment, expected relation, expected day 0), by hand from the hours above.
NYSE_CASES = [
    # DeepSeek: 09:00 JST on 27 Jan = 19:00 EST on Sunday 26 Jan -> closed -> Monday.
    ("2025-01-27T09:00+09:00", "closed", "2025-01-27"),
    # 16:30 EST on 27 Jan: after the 16:00 close -> Tuesday.
    ("2025-01-27T16:30-05:00", "after_close", "2025-01-28"),
    ("2025-01-27T09:29-05:00", "before_open", "2025-01-27"),
    ("2025-01-27T09:30-05:00", "during", "2025-01-27"),
    ("2025-01-27T15:59:59-05:00", "during", "2025-01-27"),
    ("2025-01-27T16:00-05:00", "after_close", "2025-01-28"),  # the close itself: not before it
    ("2025-01-27T21:00Z", "after_close", "2025-01-28"),  # 16:00 EST written in UTC
    ("2025-01-24T17:00-05:00", "after_close", "2025-01-27"),  # Friday evening -> Monday
    ("2025-01-25T12:00-05:00", "closed", "2025-01-27"),  # Saturday
    ("2025-01-20T12:00-05:00", "closed", "2025-01-21"),  # MLK day
    ("2025-01-17T18:00-05:00", "after_close", "2025-01-21"),  # Friday before MLK day
    ("2024-11-28T12:00-05:00", "closed", "2024-11-29"),  # Thanksgiving
    # Early close 13:00 ET on 29 Nov 2024.
    ("2024-11-29T12:59-05:00", "during", "2024-11-29"),
    ("2024-11-29T13:00-05:00", "after_close", "2024-12-02"),
    ("2024-11-29T14:00-05:00", "after_close", "2024-12-02"),  # would be "during" on a full day
    # Early close 13:00 ET on 24 Dec 2024; 25 Dec closed.
    ("2024-12-24T12:00-05:00", "during", "2024-12-24"),
    ("2024-12-24T13:30-05:00", "after_close", "2024-12-26"),
    ("2024-12-25T10:00-05:00", "closed", "2024-12-26"),
    # DST: Friday 8 Mar 2024 is EST (UTC-5), Monday 11 Mar 2024 is EDT (UTC-4).
    ("2024-03-08T20:45Z", "during", "2024-03-08"),  # 15:45 EST
    ("2024-03-08T21:15Z", "after_close", "2024-03-11"),  # 16:15 EST
    ("2024-03-10T12:00-04:00", "closed", "2024-03-11"),  # Sunday of the change
    ("2024-03-10T01:30-05:00", "closed", "2024-03-11"),  # before the 02:00 change
    ("2024-03-11T13:15Z", "before_open", "2024-03-11"),  # 09:15 EDT (08:15 in EST)
    ("2024-03-11T13:45Z", "during", "2024-03-11"),  # 09:45 EDT (08:45 EST would be before open)
    ("2024-03-11T20:15Z", "after_close", "2024-03-12"),  # 16:15 EDT (15:15 EST would be during)
    # Back to EST on Sunday 3 Nov 2024: Monday 4 Nov 14:15Z is 09:15 EST (10:15 in EDT).
    ("2024-11-04T14:15Z", "before_open", "2024-11-04"),
    ("2024-11-01T19:45Z", "during", "2024-11-01"),  # Friday 15:45 EDT
    ("2024-11-01T20:15Z", "after_close", "2024-11-04"),  # Friday 16:15 EDT
]

TSE_CASES = [
    # DeepSeek: 09:00 JST on 27 Jan is Tokyo's open -> during -> 27 Jan.
    ("2025-01-27T09:00+09:00", "during", "2025-01-27"),
    # 16:30 EST on 27 Jan = 06:30 JST on 28 Jan: before Tokyo's open -> 28 Jan.
    ("2025-01-27T16:30-05:00", "before_open", "2025-01-28"),
    ("2025-01-27T08:59+09:00", "before_open", "2025-01-27"),
    ("2025-01-27T11:29+09:00", "during", "2025-01-27"),
    ("2025-01-27T12:00+09:00", "during", "2025-01-27"),  # lunch break counts as during
    ("2025-01-27T03:00Z", "during", "2025-01-27"),  # 12:00 JST, written in UTC
    ("2025-01-27T15:29+09:00", "during", "2025-01-27"),
    ("2025-01-27T15:30+09:00", "after_close", "2025-01-28"),
    ("2025-01-25T10:00+09:00", "closed", "2025-01-27"),  # Saturday
    ("2025-01-13T10:00+09:00", "closed", "2025-01-14"),  # Coming of Age Day
    ("2025-01-10T16:00+09:00", "after_close", "2025-01-14"),  # Friday before it
    ("2025-01-02T10:00+09:00", "closed", "2025-01-06"),  # year-end holidays, then a weekend
    ("2024-12-30T15:45+09:00", "after_close", "2025-01-06"),
    # Close at 15:00 before 5 Nov 2024, 15:30 from then; 4 Nov 2024 a holiday.
    ("2024-11-01T15:10+09:00", "after_close", "2024-11-05"),
    ("2024-11-05T15:10+09:00", "during", "2024-11-05"),
    ("2024-11-01T14:59+09:00", "during", "2024-11-01"),
    ("2024-11-04T10:00+09:00", "closed", "2024-11-05"),
]


@pytest.mark.parametrize(("moment", "relation", "day0"), NYSE_CASES)
def test_nyse_moments(nyse: TradingCalendar, moment: str, relation: str, day0: str) -> None:
    assert classify_moment(nyse, moment) == relation
    got = map_moments(nyse, [moment])
    assert pd.Timestamp(got.session[0]) == pd.Timestamp(day0)
    assert got.timing[0] == relation


@pytest.mark.parametrize(("moment", "relation", "day0"), TSE_CASES)
def test_tse_moments(tse: TradingCalendar, moment: str, relation: str, day0: str) -> None:
    assert classify_moment(tse, moment) == relation
    got = map_moments(tse, [moment])
    assert pd.Timestamp(got.session[0]) == pd.Timestamp(day0)
    assert got.timing[0] == relation


def test_many_moments_at_once(nyse: TradingCalendar, tse: TradingCalendar) -> None:
    for cal, cases in ((nyse, NYSE_CASES), (tse, TSE_CASES)):
        moments = [m for m, _, _ in cases] * 2  # repeated values are parsed once, mapped each time
        got = map_moments(cal, moments)
        want = [pd.Timestamp(d) for _, _, d in cases] * 2
        assert list(pd.DatetimeIndex(got.session)) == want
        assert got.timing.tolist() == [r for _, r, _ in cases] * 2
        # the moment is returned in UTC
        assert pd.Timestamp(got.moment[0]) == pd.Timestamp(cases[0][0]).tz_convert("UTC").tz_localize(None)


def test_aware_inputs(nyse: TradingCalendar) -> None:
    ser = pd.Series(pd.to_datetime(["2025-01-27T14:00Z", "2025-01-27T22:00Z"], utc=True))
    got = map_moments(nyse, ser)  # 09:00 EST (before open), 17:00 EST (after close)
    assert got.timing.tolist() == ["before_open", "after_close"]
    assert list(pd.DatetimeIndex(got.session)) == [pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-28")]
    aware = dt.datetime(2025, 1, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert classify_moment(nyse, aware) == "during"
    assert parse_moment("2025-01-27T09:00+09:00") == pd.Timestamp("2025-01-27T00:00", tz="UTC")


# ---- named timings for date-only events -------------------------------------------------


@pytest.mark.parametrize(("date", "timing", "day0"), [
    ("2025-01-27", "before_open", "2025-01-27"),
    ("2025-01-27", "during", "2025-01-27"),
    ("2025-01-27", "after_close", "2025-01-28"),
    ("2025-01-24", "after_close", "2025-01-27"),  # Friday -> Monday
    ("2025-01-17", "after_close", "2025-01-21"),  # MLK day skipped
    ("2024-11-29", "after_close", "2024-12-02"),  # early-close day: still the next session
    ("2024-12-24", "after_close", "2024-12-26"),
])
def test_named_timings_nyse(nyse: TradingCalendar, date: str, timing: str, day0: str) -> None:
    sessions, rolled = sessions_for_timings(nyse, [date], [timing])
    assert pd.Timestamp(sessions[0]) == pd.Timestamp(day0)
    assert not rolled[0]


def test_named_timings_tse(tse: TradingCalendar) -> None:
    sessions, rolled = sessions_for_timings(
        tse, ["2025-01-27", "2025-01-27", "2024-12-30", "2025-01-10"],
        ["during", "after_close", "after_close", "after_close"])
    want = ["2025-01-27", "2025-01-28", "2025-01-06", "2025-01-14"]
    assert list(pd.DatetimeIndex(sessions)) == [pd.Timestamp(d) for d in want]
    assert not rolled.any()


def test_named_timing_on_a_non_session_rolls_by_policy(nyse: TradingCalendar) -> None:
    # Saturday 25 Jan 2025: rolled as a plain date, the timing moves it no further.
    for timing in ("before_open", "during", "after_close"):
        s, r = sessions_for_timings(nyse, ["2025-01-25"], [timing], roll="next")
        assert (pd.Timestamp(s[0]), bool(r[0])) == (pd.Timestamp("2025-01-27"), True)
        s, r = sessions_for_timings(nyse, ["2025-01-25"], [timing], roll="previous")
        assert (pd.Timestamp(s[0]), bool(r[0])) == (pd.Timestamp("2025-01-24"), True)
    with pytest.raises(NonSessionDateError, match="event_date"):
        sessions_for_timings(nyse, ["2025-01-25"], ["after_close"], roll="raise")


# ---- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2025-01-27T09:00", "2025-01-27", pd.Timestamp("2025-01-27 09:00"),
                                 dt.datetime(2025, 1, 27, 9), dt.date(2025, 1, 27), "yesterday", 20250127,
                                 None])
def test_naive_or_bad_moment_refused(nyse: TradingCalendar, bad: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        classify_moment(nyse, bad)
    msg = str(info.value)
    assert "`event_time`" in msg and "UTC offset" in msg and "2025-01-27T09:00+09:00" in msg
    assert repr(bad) in msg
    assert isinstance(info.value, ValueError) and isinstance(info.value, EventStudyError)


def test_naive_moment_in_a_list_names_its_position(nyse: TradingCalendar) -> None:
    with pytest.raises(InvalidParameterError, match=r"`event_time\[1\]`.*'2025-01-27T09:00'"):
        map_moments(nyse, ["2025-01-27T09:00Z", "2025-01-27T09:00"])


def test_unknown_timing_refused(nyse: TradingCalendar) -> None:
    with pytest.raises(InvalidParameterError) as info:
        sessions_for_timings(nyse, ["2025-01-27", "2025-01-27"], ["during", "at_open"])
    msg = str(info.value)
    assert "`timing[1]`" in msg and "before_open" in msg and "after_close" in msg and "'at_open'" in msg


@pytest.mark.parametrize("moment", ["2023-06-01T12:00-04:00", "2026-01-05T12:00-05:00",
                                    "2025-03-31T16:00-04:00"])  # last close of the span: no later close
def test_moment_outside_the_calendar_refused(nyse: TradingCalendar, moment: str) -> None:
    with pytest.raises(EventDateOutOfRangeError) as info:
        classify_moment(nyse, moment)
    msg = str(info.value)
    assert "`event_time`" in msg and repr(moment) in msg and "XNYS" in msg
    assert isinstance(info.value, ValueError)


def test_after_close_past_the_last_session_refused(nyse: TradingCalendar) -> None:
    with pytest.raises(EventDateOutOfRangeError, match="after_close"):
        sessions_for_timings(nyse, ["2025-03-31"], ["after_close"])


# ---- resolve_event_dates with moments and timings --------------------------------------


def test_resolve_event_dates_mixed(nyse: TradingCalendar, tse: TradingCalendar) -> None:
    dates = pd.Series(["2025-01-25", None, "2025-01-27", pd.NaT, "2025-01-24"], dtype=object)
    times = [None, "2025-01-27T09:00+09:00", None, "2025-01-27T16:30-05:00", None]
    timings = [None, None, "after_close", None, ""]
    for cal, want in ((nyse, ["2025-01-27", "2025-01-27", "2025-01-28", "2025-01-28", "2025-01-24"]),
                      (tse, ["2025-01-27", "2025-01-27", "2025-01-28", "2025-01-28", "2025-01-24"])):
        sessions = cal.sessions("2024-06-03", "2025-03-31")
        got = resolve_event_dates(cal, sessions, dates, "next", times=times, timings=timings)
        assert list(sessions[got.pos0]) == [pd.Timestamp(d) for d in want]
        assert got.rolled.tolist() == [True, False, False, False, False]
    # timings: the relation of each moment to the exchange, the named timing, None for plain dates
    got_ny = resolve_event_dates(nyse, nyse.sessions("2024-06-03", "2025-03-31"), dates,
                                 times=times, timings=timings)
    assert got_ny.timing.tolist() == [None, "closed", "after_close", "after_close", None]
    got_tk = resolve_event_dates(tse, tse.sessions("2024-06-03", "2025-03-31"), dates,
                                 times=times, timings=timings)
    assert got_tk.timing.tolist() == [None, "during", "after_close", "before_open", None]
    # requested: the event date, or the moment's local date on the exchange
    assert list(pd.DatetimeIndex(got_ny.requested)) == [pd.Timestamp(d) for d in
                                                          ["2025-01-25", "2025-01-26", "2025-01-27",
                                                           "2025-01-27", "2025-01-24"]]
    assert list(pd.DatetimeIndex(got_tk.requested))[1:4] == [pd.Timestamp("2025-01-27"),
                                                             pd.Timestamp("2025-01-27"),
                                                             pd.Timestamp("2025-01-28")]
    assert got_ny.moment is not None
    assert np.isnat(got_ny.moment[[0, 2, 4]]).all()
    assert pd.Timestamp(got_ny.moment[3]) == pd.Timestamp("2025-01-27T21:30")
    note = got_ny.timing_note(1, nyse.sessions("2024-06-03", "2025-03-31"))
    assert "2025-01-26T19:00:00-05:00" in note and "closed" in note and "2025-01-27" in note
    assert got_ny.timing_note(0, nyse.sessions("2024-06-03", "2025-03-31")) == ""


def test_resolve_event_dates_plain_unchanged(nyse: TradingCalendar) -> None:
    sessions = nyse.sessions("2024-06-03", "2025-03-31")
    dates = pd.Series(["2025-01-20", "2025-01-27", "2024-12-25"])
    got = resolve_event_dates(nyse, sessions, dates, "next")
    assert list(sessions[got.pos0]) == [pd.Timestamp(d) for d in ["2025-01-21", "2025-01-27", "2024-12-26"]]
    assert got.rolled.tolist() == [True, False, True]
    assert got.timing is not None and got.timing.tolist() == [None, None, None]
    assert got.moment is not None and np.isnat(got.moment).all()


def test_resolve_event_dates_errors(nyse: TradingCalendar) -> None:
    sessions = nyse.sessions("2024-06-03", "2025-03-31")
    dates = pd.Series(["2025-01-27", "2025-01-27"])
    with pytest.raises(InvalidParameterError, match=r"`events\[1\]\.event_date`.*event_time"):
        resolve_event_dates(nyse, sessions, dates, times=[None, "2025-01-27T09:00Z"])
    with pytest.raises(InvalidParameterError, match=r"`events\[1\]\.event_time`.*UTC offset"):
        resolve_event_dates(nyse, sessions, pd.Series(["2025-01-27", None], dtype=object),
                            times=[None, "2025-01-27T09:00"])
    with pytest.raises(InvalidParameterError, match=r"`events\[0\]\.timing`.*'at_open'"):
        resolve_event_dates(nyse, sessions, dates, timings=["at_open", None])
    with pytest.raises(InvalidParameterError, match=r"`events\[0\]\.timing`"):
        resolve_event_dates(nyse, sessions, pd.Series([None, "2025-01-27"], dtype=object),
                            times=["2025-01-27T09:00Z", None], timings=["during", None])
    with pytest.raises(NonSessionDateError, match=r"events\[1\]\.event_date"):
        resolve_event_dates(nyse, sessions, pd.Series(["2025-01-27", "2025-01-25"]), "raise",
                            timings=[None, "during"])
    # day 0 on a session outside the data's sessions (the calendar goes on, the data stop)
    short = nyse.sessions("2024-06-03", "2025-01-27")
    with pytest.raises(EventDateOutOfRangeError, match=r"`events\[0\]\.event_time`.*2025-01-28"):
        resolve_event_dates(nyse, short, pd.Series([None], dtype=object),
                            times=["2025-01-27T16:30-05:00"])
