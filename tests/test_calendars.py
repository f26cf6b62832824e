"""Each security on its own exchange's sessions (issue 12, item 1).

Expected values are computed here from the bundled CSV text with plain Python and
numpy (the dates in each file are its exchange's sessions, as the intl manifest
records), never from the package's output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.errors import InvalidParameterError, NonSessionDateError, UnknownSymbolError
from eventstudy.exchanges import assign_calendars, infer_calendar
from eventstudy.resources import fixtures_dir

US = ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG"]
TOKYO = ["6857.T", "8035.T", "9984.T", "5803.T", "6146.T"]
BENCH = {"XNYS": "^GSPC", "XTKS": "^N225"}


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return es.load_prices([*US, "^GSPC", *TOKYO, "^N225"])


def closes(path: Path, column: str = "close") -> tuple[list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["date"] for r in rows], np.array([float(r[column]) for r in rows])


def hand_market_model_ar(sec_file: str, bench_file: str, event: str, rel: int) -> float:
    """Market-model AR on relative day ``rel``: OLS over days [-250, -11] of the file's own rows."""
    d, p = closes(fixtures_dir() / "intl" / sec_file)
    d2, m = closes(fixtures_dir() / "intl" / bench_file)
    assert d == d2  # same sessions in both files
    r, rm = p[1:] / p[:-1] - 1, m[1:] / m[:-1] - 1
    dates = d[1:]
    i0 = dates.index(event)
    y, x = r[i0 - 250:i0 - 10], rm[i0 - 250:i0 - 10]
    beta = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    alpha = y.mean() - beta * x.mean()
    return float(r[i0 + rel] - alpha - beta * rm[i0 + rel])


def test_suffixes_and_indices_name_their_exchange() -> None:
    assert infer_calendar("6857.T").code == "XTKS"
    assert infer_calendar("ASML.AS").code == "XAMS"
    assert infer_calendar("^N225").code == "XTKS"
    assert infer_calendar("NVDA") == es.exchanges.CalendarChoice("XNYS", "default")
    got = assign_calendars(["6857.T", "NVDA"], {"NVDA": "XNAS"})
    assert (got["NVDA"].code, got["NVDA"].source) == ("XNAS", "given")
    assert got["6857.T"].source == "suffix .T"


def test_tokyo_day0_and_day1_match_a_hand_market_model(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", windows=[(0, 0), (1, 1)])
    ar = res.to_frame()
    for sym in TOKYO:
        f = "N225.csv"
        for rel in (0, 1):
            want = hand_market_model_ar(f"{sym}.csv", f, "2025-01-27", rel)
            assert ar.loc[(sym, rel), "ar"] == pytest.approx(want, abs=1e-12), (sym, rel)
    assert ar.loc[("6857.T", 0), "ar"] == pytest.approx(-0.0747, abs=5e-5)  # Advantest, day 0


def test_each_security_keeps_its_own_sessions(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", windows=[(-5, 5)])
    fr = res.to_frame()
    # 2025-01-20 was a New York holiday (MLK Day) and a Tokyo session.
    assert str(fr.loc[("6857.T", -5), "date"].date()) == "2025-01-20"
    assert str(fr.loc[("NVDA", -5), "date"].date()) == "2025-01-17"
    d = res.diagnostics
    assert set(d.loc[TOKYO, "calendar"]) == {"XTKS"} and set(d.loc[US, "calendar"]) == {"XNYS"}
    assert set(d.loc[TOKYO, "calendar_source"]) == {"suffix .T"}
    assert set(d.loc[TOKYO, "benchmark"]) == {"^N225"}
    assert list(d.index) == [*US, *TOKYO]  # the order the securities were given
    assert res.calendar == "XNYS, XTKS"


def test_combined_study_equals_each_exchange_alone(prices: pd.DataFrame) -> None:
    both = es.event_study(prices, benchmark=BENCH, event_date="2025-01-27")
    us = es.event_study(prices[[*US, "^GSPC"]].dropna(how="all"), benchmark="^GSPC",
                        event_date="2025-01-27", calendar="XNYS")
    tk = es.event_study(prices[[*TOKYO, "^N225"]].dropna(how="all"), benchmark="^N225",
                        event_date="2025-01-27", calendar="XTKS")
    for part, names in ((us, US), (tk, TOKYO)):
        a = both.car.loc[names, ["car", "std_err", "statistic"]]
        b = part.car.loc[names, ["car", "std_err", "statistic"]]
        np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=0, atol=1e-15)
        np.testing.assert_allclose(both.params.loc[names].to_numpy(float),
                                   part.params.loc[names].to_numpy(float), rtol=0, atol=1e-15)


def test_a_benchmark_on_another_exchange_is_matched_by_date(prices: pd.DataFrame) -> None:
    res = es.event_study(prices, benchmark="^GSPC", securities=["6857.T"], event_date="2025-01-27",
                         windows=[(-5, 5)])
    d = res.diagnostics.loc["6857.T"]
    assert (d["calendar"], d["benchmark_calendar"]) == ("XTKS", "XNYS")
    assert any("6857.T (XTKS) against ^GSPC (XNYS)" in n for n in res.notes)
    fr = res.to_frame().loc["6857.T"]
    # no New York return on 2025-01-20: no abnormal return that day, nothing filled
    assert np.isnan(fr.loc[-5, "ar"])
    assert d["event_missing"] == 1


def test_given_calendar_overrides_the_suffix(prices: pd.DataFrame) -> None:
    with pytest.raises(NonSessionDateError, match="XNYS"):
        es.event_study(prices[["6857.T", "^N225"]], benchmark="^N225", event_date="2025-01-27",
                       calendar={"6857.T": "XNYS", "^N225": "XNYS"})


def test_calendar_errors_name_the_parameter(prices: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="XTKS"):
        es.event_study(prices, benchmark={"XNYS": "^GSPC"}, event_date="2025-01-27")
    with pytest.raises(InvalidParameterError, match="calendar"):
        es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", calendar="NOPE")
    with pytest.raises(InvalidParameterError, match="keys among"):
        es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", calendar={"7203.T": "XTKS"})
    with pytest.raises(UnknownSymbolError, match="7203.T"):
        es.event_study(prices, benchmark=BENCH, event_date="2025-01-27", securities=["7203.T"])
    ev = pd.DataFrame({"security": ["NVDA", "NVDA"], "event_date": ["2025-01-27", "2024-08-05"],
                       "benchmark": "^GSPC", "calendar": ["XNYS", "XNAS"]})
    with pytest.raises(InvalidParameterError, match="one calendar per security"):
        es.event_study(prices, events=ev)


def test_events_table_calendar_column_is_used(prices: pd.DataFrame) -> None:
    ev = pd.DataFrame({"security": ["6857.T", "NVDA"], "event_date": ["2025-01-27", "2025-01-27"],
                       "benchmark": ["^N225", "^GSPC"], "calendar": ["XTKS", None]})
    res = es.event_study(prices, events=ev)
    d = res.diagnostics
    assert (d.loc["6857.T", "calendar_source"], d.loc["NVDA", "calendar_source"]) == ("given", "default")
