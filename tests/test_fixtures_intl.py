"""The bundled Tokyo and Amsterdam fixtures (``fixtures/intl``): intact, on their own exchange's
sessions, holding the moves the issue and ``SOURCES.md`` cite, and usable by the engine on XTKS.

Offline: only the bundled copies are read (never ``shared/``). Expected moves are computed here
from the CSV text with plain Python and compared with the published figures at the precision they
were printed (half a unit of the last digit shown).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import exchange_calendars as xcals
import pandas as pd
import pytest

import eventstudy
from eventstudy.data.fixtures import CsvSource
from eventstudy.data.source import CSV_COLUMNS
from eventstudy.errors import FixtureHashMismatchError
from eventstudy.resources import fixtures_dir

TOKYO = ["6857.T", "8035.T", "9984.T", "5803.T", "6146.T"]
EXPECTED = {**{s: "XTKS" for s in [*TOKYO, "^N225"]}, "ASML.AS": "XAMS"}


def intl() -> Path:
    return fixtures_dir() / "intl"


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((intl() / "manifest.json").read_text(encoding="utf-8"))
    return data


def entry(symbol: str) -> dict[str, Any]:
    return next(e for e in manifest()["files"] if e["symbol"] == symbol)


def closes(symbol: str) -> dict[str, str]:
    """``{date: close text}`` read from the bundled CSV with plain string splitting."""
    lines = (intl() / entry(symbol)["file"]).read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == list(CSV_COLUMNS)
    col = list(CSV_COLUMNS).index("close")
    return {cells[1]: cells[col] for cells in (line.split(",") for line in lines[1:])}


def pct_move(symbol: str, before: str, after: str) -> Decimal:
    c = closes(symbol)
    return (Decimal(c[after]) / Decimal(c[before]) - 1) * 100


def matches_printed(value: Decimal, printed: str) -> bool:
    """``value`` rounds to ``printed``: within half a unit of its last digit."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value - Decimal(printed)) <= Decimal(5) / Decimal(10) ** (decimals + 1)


# --- manifest and files ---------------------------------------------------------------------


def test_manifest_verifies_on_open() -> None:
    source = eventstudy.CsvSource(intl())
    assert source.symbols == sorted(EXPECTED)
    assert "sha256 of all 7 listed files verified" in source.describe()


def test_tampered_copy_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "intl"
    shutil.copytree(intl(), copy)
    path = copy / "6857.T.csv"
    path.write_bytes(path.read_bytes().replace(b",9185.0,", b",9186.0,", 1))
    with pytest.raises(FixtureHashMismatchError, match="6857.T.csv"):
        CsvSource(copy)


def test_entries_name_calendar_basis_and_source() -> None:
    files = {e["symbol"]: e for e in manifest()["files"]}
    assert {s: e["calendar"] for s, e in files.items()} == EXPECTED
    for symbol, e in files.items():
        assert e["source"]["repository"] and len(e["source"]["commit"]) == 40
        assert e["cross_checks"] and e["notes"]
        # Tokyo: printed prices, not dividend-adjusted; ASML.AS: dividend-adjusted (SOURCES.md).
        assert e["dividend_adjusted_close"] is (symbol == "ASML.AS")
    assert "NOT dividend-adjusted" in files["6857.T"]["close"]
    assert "NOT the printed close" in files["ASML.AS"]["close"]
    basis = CsvSource(intl()).basis("9984.T")
    assert basis["dividend_adjusted_close"] is False


def test_rows_and_span_match_manifest() -> None:
    for e in manifest()["files"]:
        dates = list(closes(e["symbol"]))
        assert (len(dates), dates[0], dates[-1]) == (e["rows"], e["start"], e["end"])


def test_dates_are_exactly_the_exchange_sessions() -> None:
    for e in manifest()["files"]:
        dates = pd.DatetimeIndex(pd.to_datetime(list(closes(e["symbol"])), format="%Y-%m-%d"))
        cal = xcals.get_calendar(e["calendar"])
        sessions = cal.sessions_in_range(e["start"], e["end"])
        assert list(dates) == list(sessions), e["file"]


def test_us_holiday_is_a_session_and_coming_of_age_day_is_not() -> None:
    # 2025-01-20 (Martin Luther King Jr. Day, NYSE closed) traded in Tokyo and Amsterdam;
    # 2025-01-13 (Coming of Age Day) and 2025-02-11 are Tokyo holidays (SOURCES.md).
    assert not xcals.get_calendar("XNYS").is_session("2025-01-20")
    for symbol in EXPECTED:
        assert "2025-01-20" in closes(symbol), symbol
    for symbol in [*TOKYO, "^N225"]:
        assert "2025-01-13" not in closes(symbol) and "2025-02-11" not in closes(symbol)
    assert "2025-01-13" in closes("ASML.AS")


# --- the moves the issue cites ----------------------------------------------------------------

#: 2025-01-27 vs 2025-01-24 close, percent, as printed. Source: issue 12 ("Why"), which quotes
#: CNBC 27 Jan 2025 for the four stocks (SOURCES.md table "published") and gives the Nikkei's
#: -0.9% and ASML's -7.0% in Amsterdam (ANP: "closed 7% lower", SOURCES.md Anchors).
PUBLISHED = {
    "6857.T": "-8.6",
    "9984.T": "-8.3",
    "5803.T": "-10.7",
    "8035.T": "-4.9",
    "^N225": "-0.9",
    "ASML.AS": "-7.0",
}

#: The same moves to two decimals as computed in SOURCES.md (its close-to-close table and the
#: ASML.AS Anchors bullet); Disco has no published figure (SOURCES.md: -1.79%).
SOURCES_MD = {
    "6857.T": "-8.61",
    "8035.T": "-4.90",
    "9984.T": "-8.32",
    "5803.T": "-10.66",
    "6146.T": "-1.79",
    "^N225": "-0.92",
    "ASML.AS": "-7.01",
}


@pytest.mark.parametrize("symbol", sorted(PUBLISHED))
def test_published_move_on_27_january(symbol: str) -> None:
    move = pct_move(symbol, "2025-01-24", "2025-01-27")
    assert matches_printed(move, PUBLISHED[symbol]), (symbol, move)


@pytest.mark.parametrize("symbol", sorted(SOURCES_MD))
def test_sources_md_move_on_27_january(symbol: str) -> None:
    move = pct_move(symbol, "2025-01-24", "2025-01-27")
    assert matches_printed(move, SOURCES_MD[symbol]), (symbol, move)


def test_tokyo_names_fell_again_on_28_january() -> None:
    # Issue 12: "on Tuesday 28 January, after NVIDIA's fall, they fell again" (the four names).
    for symbol in ["6857.T", "9984.T", "5803.T", "8035.T"]:
        assert pct_move(symbol, "2025-01-27", "2025-01-28") < 0, symbol


def test_asml_amsterdam_october_2024_drop() -> None:
    # SOURCES.md Anchors: "On 2024-10-15 the file gives -15.64%" (press: "almost 16%").
    move = pct_move("ASML.AS", "2024-10-14", "2024-10-15")
    assert matches_printed(move, "-15.64"), move


# --- the engine on Tokyo's calendar ------------------------------------------------------------


def test_tokyo_study_runs_on_its_own_calendar() -> None:
    prices = eventstudy.load_prices([*TOKYO, "^N225"], data=intl())
    assert set(prices.attrs["basis"].values()) == {"close"}  # no adj_close in Tokyo files
    result = eventstudy.event_study(
        prices,
        benchmark="^N225",
        event_date="2025-01-27",
        securities=TOKYO,
        calendar="XTKS",
        windows=[(0, 0), (0, 1)],
    )
    diag = result.diagnostics
    assert sorted(diag["security"]) == sorted(TOKYO)
    assert (diag["status"] == "ok").all()
    assert {str(pd.Timestamp(s).date()) for s in diag["event_session"]} == {"2025-01-27"}
