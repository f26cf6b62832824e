"""Events given as moments through the engine, the events table and the event file (issue 12, item 2).

Expected day-0 sessions are written by hand from the exchanges' published hours
(NYSE 09:30-16:00 ET; Tokyo 09:00-15:30 JST since 5 November 2024); the mapping
itself is tested in ``test_event_time.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.data.fixtures import bundled_source
from eventstudy.errors import EventFileError, InvalidParameterError
from eventstudy.events import load_event_file, run_spec

BENCH = {"XNYS": "^GSPC", "XTKS": "^N225"}


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return es.load_prices(["NVDA", "^GSPC", "6857.T", "^N225"])


def day0(res: es.EventStudyResult) -> dict[str, tuple[str, str]]:
    d = res.diagnostics
    return {e: (str(d.loc[e, "event_session"].date()), str(d.loc[e, "timing"])) for e in d.index}


def test_news_at_tokyos_open_is_day0_on_the_27th_in_both_markets(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark=BENCH, event_time="2025-01-27T09:00+09:00")
    # Tokyo: during its session; New York: Sunday 26 January 19:00 ET, a closed day
    assert day0(res) == {"NVDA": ("2025-01-27", "closed"), "6857.T": ("2025-01-27", "during")}
    assert res.diagnostics.loc["NVDA", "event_time"] == pd.Timestamp("2025-01-27 00:00", tz="UTC")
    by_date = es.event_study(prices, benchmark=BENCH, event_date="2025-01-27")
    np.testing.assert_array_equal(res.car["car"].to_numpy(), by_date.car["car"].to_numpy())
    assert any("6857.T: event time 2025-01-27T09:00:00+09:00" in n for n in res.notes)


def test_news_after_new_yorks_close_is_the_28th_in_both_markets(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark=BENCH, event_time="2025-01-27T16:30-05:00")
    # New York: after its close; Tokyo: 28 January 06:30 JST, before its open
    assert day0(res) == {"NVDA": ("2025-01-28", "after_close"), "6857.T": ("2025-01-28", "before_open")}


def test_named_timing_on_a_date(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark=BENCH, event_date="2025-01-24", timing="after_close")
    assert day0(res) == {"NVDA": ("2025-01-27", "after_close"), "6857.T": ("2025-01-27", "after_close")}
    res = es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", timing="before_open")
    assert day0(res) == {"NVDA": ("2025-01-27", "before_open"), "6857.T": ("2025-01-27", "before_open")}


def test_events_table_with_moments(prices: pd.DataFrame) -> None:
    ev = pd.DataFrame({"security": ["NVDA", "6857.T"], "benchmark": ["^GSPC", "^N225"],
                       "event_time": ["2025-01-27T15:00-05:00", "2025-01-27T15:00-05:00"]})
    res = es.event_study(prices, events=ev)
    # 15:00 ET is during New York's session and after Tokyo's close (28 Jan 05:00 JST, before open)
    assert day0(res) == {"NVDA": ("2025-01-27", "during"), "6857.T": ("2025-01-28", "before_open")}


def test_moment_errors_name_the_parameter(prices: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="event_time"):
        es.event_study(prices, benchmark=BENCH, event_time="2025-01-27T09:00")  # no time zone
    with pytest.raises(InvalidParameterError, match="not both"):
        es.event_study(prices, benchmark=BENCH, event_time="2025-01-27T09:00+09:00",
                       event_date="2025-01-27")
    with pytest.raises(InvalidParameterError, match="timing"):
        es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", timing="lunch")


def test_event_file_event_time(tmp_path: Path) -> None:
    f = tmp_path / "e.yaml"
    for moment in ("2025-01-27T16:30-05:00", "2025-01-27T16:30:00-05:00"):  # string, YAML timestamp
        f.write_text(f"event_time: {moment}\nsecurities: [NVDA, 6857.T]\n"
                     "benchmark: {XNYS: ^GSPC, XTKS: ^N225}\n", encoding="utf-8")
        spec = load_event_file(f)
        assert spec.event_time is not None and str(spec.event_date.date()) == "2025-01-27"
        res = run_spec(spec, bundled_source())
        assert day0(res)["NVDA"] == ("2025-01-28", "after_close")
    f.write_text("event_time: 2025-01-27T16:30\nsecurities: [NVDA]\nbenchmark: ^GSPC\n", encoding="utf-8")
    with pytest.raises(EventFileError, match="`event_time`"):
        load_event_file(f)
    f.write_text("event_date: 2025-01-27\ntiming: noon\nsecurities: [NVDA]\nbenchmark: ^GSPC\n",
                 encoding="utf-8")
    with pytest.raises(EventFileError, match="`timing`"):
        load_event_file(f)
    f.write_text("event_date: 2025-01-27\nevent_time: 2025-01-27T09:00+09:00\nsecurities: [NVDA]\n"
                 "benchmark: ^GSPC\n", encoding="utf-8")
    with pytest.raises(EventFileError, match="not both"):
        load_event_file(f)
