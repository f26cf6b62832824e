"""Data in one line: load_prices, eventstudy.datasets, yf.download frames.

Expected values are read straight from the fixture CSVs with the standard
library's csv module, or built by hand.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import yaml

import eventstudy as es
from eventstudy import datasets, load_prices
from eventstudy.data.wide import from_yfinance_frame, is_yfinance_frame
from eventstudy.errors import InvalidParameterError, UnknownSymbolError
from eventstudy.inputs import as_wide
from eventstudy.resources import case_path, fixtures_dir


def csv_column(symbol_file: str, column: str) -> dict[str, str]:
    with open(fixtures_dir() / symbol_file, newline="", encoding="utf-8") as fh:
        return {row["date"]: row[column] for row in csv.DictReader(fh)}


def test_load_prices_default_is_the_bundled_fixtures_with_its_basis() -> None:
    prices = load_prices()
    files = sorted([*fixtures_dir().glob("*.csv"), *(fixtures_dir() / "intl").glob("*.csv")])
    assert len(prices.columns) == len(files) == 14 + 7  # New York, then Tokyo and Amsterdam
    assert prices.attrs["basis"]["NVDA"] == "adj_close"
    assert prices.attrs["basis"]["^GSPC"] == "close"
    assert "manifest" in prices.attrs["source"]
    nvda = csv_column("NVDA.csv", "adj_close")
    gspc = csv_column("GSPC.csv", "close")
    assert prices.loc["2025-01-24", "NVDA"] == pytest.approx(float(nvda["2025-01-24"]), rel=1e-12)
    assert prices.loc["2025-01-27", "^GSPC"] == pytest.approx(float(gspc["2025-01-27"]), rel=1e-12)
    dates = set()
    for f in files:  # the union of every file's dates (Tokyo trades on some New York holidays)
        with open(f, newline="", encoding="utf-8") as fh:
            dates |= {row["date"] for row in csv.DictReader(fh)}
    assert len(prices) == len(dates) > len(nvda)


def test_load_prices_symbols_and_inclusive_bounds() -> None:
    prices = load_prices(["^GSPC", "NVDA"], start="2025-01-24", end="2025-01-28")
    assert list(prices.columns) == ["^GSPC", "NVDA"]  # the order asked for
    assert [f"{d:%Y-%m-%d}" for d in prices.index] == ["2025-01-24", "2025-01-27", "2025-01-28"]
    assert prices.attrs["basis"] == {"^GSPC": "close", "NVDA": "adj_close"}
    one = load_prices("MU", end="2023-01-05")
    assert list(one.columns) == ["MU"] and len(one) == 3


def write_folder(folder: Path, symbol: str, closes: Sequence[float], adj: bool) -> None:
    folder.mkdir(exist_ok=True)
    dates = ["2025-01-02", "2025-01-03", "2025-01-06"][: len(closes)]
    lines = ["symbol,date,open,high,low,close,adj_close,volume,dividends,splits"]
    for d, c in zip(dates, closes, strict=True):
        a = f"{c / 2}" if adj else ""
        lines.append(f"{symbol},{d},{c},{c},{c},{c},{a},100,,")
    (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_load_prices_from_a_folder_and_from_a_source(tmp_path: Path) -> None:
    write_folder(tmp_path, "AAA", [10.0, 11.0, 12.0], adj=True)
    write_folder(tmp_path, "IDX", [100.0, 101.0, 99.0], adj=False)
    prices = load_prices(data=tmp_path)
    assert prices.attrs["basis"] == {"AAA": "adj_close", "IDX": "close"}
    np.testing.assert_allclose(prices["AAA"], [5.0, 5.5, 6.0])  # the adjusted close, by hand
    np.testing.assert_allclose(prices["IDX"], [100.0, 101.0, 99.0])
    source = es.CsvSource(tmp_path)
    same = load_prices(["IDX"], data=source)
    np.testing.assert_allclose(same["IDX"], [100.0, 101.0, 99.0])


class NoListSource:
    """A PriceSource that cannot list its symbols."""

    def history(self, symbols: Sequence[str], start: object = None,
                end: object = None) -> dict[str, pd.DataFrame]:
        idx = pd.DatetimeIndex(["2025-01-02", "2025-01-03"], name="date")
        return {s: pd.DataFrame({"close": [1.0, 2.0], "adj_close": [np.nan, np.nan]}, index=idx)
                for s in symbols}

    def describe(self) -> str:
        return "a test source"


def test_load_prices_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="data"):
        load_prices(data=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="symbols"):
        load_prices([])
    with pytest.raises(InvalidParameterError, match="symbols.*does not list"):
        load_prices(data=NoListSource())
    with pytest.raises(UnknownSymbolError, match="NOPE"):
        load_prices(["NVDA", "NOPE"])
    assert load_prices(["X"], data=NoListSource()).attrs["basis"] == {"X": "close"}


def test_deepseek_case_matches_its_case_file() -> None:
    doc = yaml.safe_load(case_path().read_text(encoding="utf-8"))
    case = datasets.deepseek()
    assert case.name == "deepseek" and datasets.names() == ["deepseek", "tokyo", "world"]
    assert case.benchmark == doc["benchmark"] == "^GSPC"
    assert list(case.securities) == doc["securities"]
    assert case.event_date == pd.Timestamp("2025-01-27")
    assert list(case.prices.columns) == [*doc["securities"], "^GSPC"]
    assert case.prices.attrs["basis"]["^GSPC"] == "close"
    assert case.case_file == case_path()
    ff = case.factors()
    assert {"Mkt-RF", "SMB", "HML", "RF"} <= set(ff.columns)
    assert datasets.load("deepseek").securities == case.securities
    with pytest.raises(InvalidParameterError, match="deepseek"):
        datasets.load("lehman")


def test_deepseek_case_runs_in_one_call() -> None:
    case = datasets.deepseek()
    res = es.event_study(case.prices, benchmark=case.benchmark, event_date=case.event_date,
                         securities=case.securities)
    # day-0 raw return of NVDA from the CSV, by hand: 118.42 / 142.62 - 1 = about -17%
    nvda = csv_column("NVDA.csv", "adj_close")
    raw = float(nvda["2025-01-27"]) / float(nvda["2025-01-24"]) - 1
    assert res.panel.raw_event[res.event_ids.index("NVDA"), res.panel.day_index(0)] == \
        pytest.approx(raw, rel=1e-12)


# ------------------------------------------------------------------ yfinance frames

DATES = pd.DatetimeIndex(
    xcals.get_calendar("XNYS").sessions_in_range("2024-01-02", "2025-03-31")[:300], name="Date")
TICKERS = ["AAA", "BBB", "^IDX"]


def yf_download_frame(adj: bool = True, group_by_ticker: bool = False) -> pd.DataFrame:
    """A frame shaped as ``yf.download(TICKERS, auto_adjust=not adj)`` returns it."""
    rng = np.random.default_rng(7)
    data = {}
    for t in TICKERS:
        close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(DATES))))
        fields = {"Close": close, "High": close * 1.01, "Low": close * 0.99, "Open": close,
                  "Volume": np.full(len(DATES), 1e6)}
        if adj:
            # a 5% dividend on session 150: the adjusted close is lower before it
            factor = np.where(np.arange(len(DATES)) < 150, 0.95, 1.0)
            fields["Adj Close"] = close * factor if t != "^IDX" else close
        for f, v in fields.items():
            data[(t, f) if group_by_ticker else (f, t)] = v
    names = ["Ticker", "Price"] if group_by_ticker else ["Price", "Ticker"]
    frame = pd.DataFrame(data, index=DATES)
    frame.columns = pd.MultiIndex.from_tuples(list(data), names=names)
    return frame.sort_index(axis=1)


@pytest.mark.parametrize("group_by_ticker", [False, True])
def test_yfinance_frame_uses_adj_close_where_present(group_by_ticker: bool) -> None:
    raw = yf_download_frame(adj=True, group_by_ticker=group_by_ticker)
    assert is_yfinance_frame(raw)
    wide = from_yfinance_frame(raw)
    assert list(wide.columns) == sorted(TICKERS)
    key = ("Adj Close", "AAA") if not group_by_ticker else ("AAA", "Adj Close")
    np.testing.assert_array_equal(wide["AAA"].to_numpy(), raw[key].to_numpy())
    assert wide.attrs["basis"] == {"AAA": "adj_close", "BBB": "adj_close", "^IDX": "adj_close"}


def test_yfinance_frame_without_adj_close_uses_close() -> None:
    raw = yf_download_frame(adj=False)
    wide = from_yfinance_frame(raw)
    np.testing.assert_array_equal(wide["BBB"].to_numpy(), raw[("Close", "BBB")].to_numpy())
    assert set(wide.attrs["basis"].values()) == {"close"}
    # an all-NaN Adj Close column (an index in a mixed download) falls back to Close
    mixed = yf_download_frame(adj=True)
    mixed[("Adj Close", "^IDX")] = np.nan
    assert from_yfinance_frame(mixed).attrs["basis"]["^IDX"] == "close"


def test_yfinance_frame_errors() -> None:
    raw = yf_download_frame(adj=False).drop(columns="Close", level="Price")
    assert not is_yfinance_frame(raw)
    with pytest.raises(InvalidParameterError, match="prices"):
        from_yfinance_frame(raw)
    partial = yf_download_frame(adj=False).drop(columns=[("Close", "BBB")])
    with pytest.raises(InvalidParameterError, match="BBB"):
        from_yfinance_frame(partial)


def test_event_study_accepts_a_yf_download_frame_as_returned() -> None:
    raw = yf_download_frame(adj=True)
    by_hand = raw["Adj Close"].copy()  # what the user would otherwise pick out
    by_hand.columns.name = None
    wide = as_wide(raw, "prices")
    assert wide.attrs["basis"] == {"AAA": "adj_close", "BBB": "adj_close", "^IDX": "adj_close"}
    kwargs = {"benchmark": "^IDX", "event_date": DATES[280], "securities": ["AAA", "BBB"]}
    res = es.event_study(raw, **kwargs)  # type: ignore[arg-type]
    ref = es.event_study(by_hand, **kwargs)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(res.ar, ref.ar)
    from_close = es.event_study(raw["Close"], **kwargs)  # type: ignore[arg-type]
    # the dividend-day return differs (+5.3% more with Adj Close), so the fits differ
    assert not np.allclose(res.params.to_numpy(), from_close.params.to_numpy())


def test_load_prices_basis_survives_as_wide() -> None:
    prices = load_prices(["NVDA", "^GSPC"], end="2023-03-01")
    assert as_wide(prices, "prices").attrs["basis"] == {"NVDA": "adj_close", "^GSPC": "close"}


def test_event_study_records_the_yfinance_price_basis() -> None:
    frame = yf_download_frame(adj=True)
    firm = [t for t in TICKERS if t != "^IDX"][0]
    res = es.event_study(frame, benchmark="^IDX", event_date=DATES[200], securities=[firm],
                         windows=[(0, 0)])
    assert res.data_basis[firm] == "adj_close" and res.data_basis["^IDX"] in ("adj_close", "close")
