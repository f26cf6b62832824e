"""YFinanceSource with a fake ``download`` shaped like yfinance's multi-ticker output."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.yahoo import YFinanceSource, safe_file_stem
from eventstudy.errors import (
    DataError,
    DownloadError,
    FixtureHashMismatchError,
    InvalidParameterError,
    MissingPriceError,
    NetworkError,
)


def ticker_frame(dates: list[str], base: float, *, dividend_on: str | None = None) -> pd.DataFrame:
    """One ticker as ``Ticker.history(auto_adjust=False, actions=True)`` returns it."""
    n = len(dates)
    close = base + np.arange(n, dtype="float64")
    frame = pd.DataFrame(
        {
            "Open": close - 0.5,
            "High": close + 1.0,
            "Low": close - 1.0,
            "Close": close,
            "Adj Close": close * 0.99,
            "Volume": np.arange(1, n + 1, dtype="int64") * 1000,
            "Dividends": np.zeros(n),
            "Stock Splits": np.zeros(n),
        },
        index=pd.DatetimeIndex(pd.to_datetime(dates), name="Date"),
    )
    if dividend_on is not None:
        frame.loc[pd.Timestamp(dividend_on), "Dividends"] = 0.25
    return frame


def yf_multi(dfs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Follow yfinance.multi._download_impl: union reindex, concat, swaplevel, sort."""
    idx = None
    for df in dfs.values():
        if not df.empty:
            idx = df.index if idx is None else idx.union(df.index)
    idx = idx if idx is not None else pd.DatetimeIndex([])
    dfs = {k: v.reindex(idx) for k, v in dfs.items()}
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    data.columns = data.columns.swaplevel(0, 1)
    data = data.sort_index(level=0, axis=1)
    return data


def empty_ticker() -> pd.DataFrame:
    """yfinance.utils.empty_df(): what a failed ticker contributes."""
    frame = pd.DataFrame(
        index=[], data={c: np.nan for c in ("Open", "High", "Low", "Close", "Adj Close", "Volume")}
    )
    frame.index.name = "Date"
    return frame


DATES = ["2025-01-21", "2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27"]


class FakeDownload:
    """Records calls; returns the frames given per ticker (others fail like yfinance)."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.frames = frames
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> pd.DataFrame:
        self.calls.append(kwargs)
        dfs = {t.upper(): self.frames.get(t.upper(), empty_ticker()) for t in kwargs["tickers"]}
        return yf_multi(dfs)


def make_fake(**frames: pd.DataFrame) -> FakeDownload:
    return FakeDownload({k.replace("_", "^"): v for k, v in frames.items()})


def test_fake_shape_matches_yfinance() -> None:
    data = make_fake(NVDA=ticker_frame(DATES, 140.0), SPY=ticker_frame(DATES, 600.0))(
        tickers=["NVDA", "SPY"]
    )
    assert list(data.columns.names) == ["Price", "Ticker"]
    assert data.index.name == "Date"
    assert set(data.columns.get_level_values(0)) == {
        "Adj Close", "Close", "Dividends", "High", "Low", "Open", "Stock Splits", "Volume",
    }


def test_every_download_argument_is_explicit(tmp_path: Path) -> None:
    import yfinance

    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    YFinanceSource(tmp_path, download=fake).history(["NVDA"], "2025-01-21", "2025-01-27")
    (call,) = fake.calls
    assert set(call) == set(inspect.signature(yfinance.download).parameters)
    assert call["start"] == "2025-01-21"
    assert call["end"] == "2025-01-28"  # yfinance's end is exclusive
    assert call["auto_adjust"] is False and call["actions"] is True
    assert call["repair"] is False and call["period"] is None and call["ignore_tz"] is True


def test_normalised_frame(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0, dividend_on="2025-01-24"))
    out = YFinanceSource(tmp_path, download=fake).history(["nvda"], "2025-01-21", "2025-01-27")
    frame = out["NVDA"]
    assert list(frame.columns) == [
        "open", "high", "low", "close", "adj_close", "volume", "dividends", "splits",
    ]
    assert frame.index.name == "date"
    assert list(frame.index.strftime("%Y-%m-%d")) == DATES
    assert frame.loc["2025-01-27", "close"] == 144.0
    assert frame.loc["2025-01-27", "adj_close"] == 144.0 * 0.99
    assert frame.loc["2025-01-24", "dividends"] == 0.25


def test_padding_rows_dropped_and_reported(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0), ARM=ticker_frame(DATES[2:], 160.0))
    source = YFinanceSource(tmp_path, download=fake)
    out = source.history(["NVDA", "ARM"], "2025-01-21", "2025-01-27")
    assert len(out["ARM"]) == 3 and len(out["NVDA"]) == 5
    assert source.last_report["padding_rows_dropped"] == {"NVDA": 0, "ARM": 2}


def test_nan_close_inside_data_is_not_dropped(tmp_path: Path) -> None:
    bad = ticker_frame(DATES, 140.0)
    bad.loc[pd.Timestamp("2025-01-23"), "Close"] = np.nan
    with pytest.raises(MissingPriceError, match="2025-01-23"):
        YFinanceSource(tmp_path, download=make_fake(NVDA=bad)).history(
            ["NVDA"], "2025-01-21", "2025-01-27"
        )


def test_cache_hit_does_not_download(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    first = YFinanceSource(tmp_path, download=fake).history(["NVDA"], "2025-01-21", "2025-01-27")

    def explode(**kwargs: Any) -> pd.DataFrame:
        raise AssertionError("download called on a cache hit")

    second_source = YFinanceSource(tmp_path, download=explode)
    second = second_source.history(["NVDA"], "2025-01-21", "2025-01-27")
    pd.testing.assert_frame_equal(first["NVDA"], second["NVDA"])
    assert second_source.last_report["cache_hits"] == ["NVDA"]
    note = json.loads((tmp_path / "NVDA_2025-01-21_2025-01-27.json").read_text())
    assert note["arguments"]["end"] == "2025-01-28" and note["end"] == "2025-01-27"


def test_tampered_cache_raises(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    YFinanceSource(tmp_path, download=fake).history(["NVDA"], "2025-01-21", "2025-01-27")
    path = tmp_path / "NVDA_2025-01-21_2025-01-27.csv"
    path.write_text(path.read_text().replace("144.0", "145.0"))
    with pytest.raises(FixtureHashMismatchError, match="NVDA_2025-01-21_2025-01-27.csv"):
        YFinanceSource(tmp_path, download=fake).history(["NVDA"], "2025-01-21", "2025-01-27")


def test_all_nan_symbol_is_a_download_error(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    with pytest.raises(DownloadError) as info:
        YFinanceSource(tmp_path, download=fake).history(["NVDA", "NOPE"], "2025-01-21", "2025-01-27")
    assert info.value.failed == ["NOPE"] and info.value.succeeded == ["NVDA"]
    assert "NOPE" in str(info.value)


def test_allow_partial_returns_successes_and_reports(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    source = YFinanceSource(tmp_path, download=fake, allow_partial=True)
    with pytest.warns(UserWarning, match="NOPE"):
        out = source.history(["NVDA", "NOPE"], "2025-01-21", "2025-01-27")
    assert list(out) == ["NVDA"]
    assert source.last_failures == ["NOPE"]


def test_all_failed_raises_even_with_allow_partial(tmp_path: Path) -> None:
    source = YFinanceSource(tmp_path, download=make_fake(), allow_partial=True)
    with pytest.raises(DownloadError) as info:
        source.history(["NOPE"], "2025-01-21", "2025-01-27")
    assert info.value.failed == ["NOPE"] and info.value.succeeded == []


@pytest.mark.parametrize(
    "error", [ConnectionError("reset"), OSError("curl: (6) resolve"), RuntimeError("blocked")]
)
def test_download_exception_becomes_network_error(tmp_path: Path, error: Exception) -> None:
    def failing(**kwargs: Any) -> pd.DataFrame:
        raise error

    with pytest.raises(NetworkError, match="NVDA"):
        YFinanceSource(tmp_path, download=failing).history(["NVDA"], "2025-01-21", "2025-01-27")


def test_wrong_shape_is_a_data_error(tmp_path: Path) -> None:
    def flat(**kwargs: Any) -> pd.DataFrame:
        return ticker_frame(DATES, 1.0)

    with pytest.raises(DataError, match="MultiIndex"):
        YFinanceSource(tmp_path, download=flat).history(["NVDA"], "2025-01-21", "2025-01-27")


def test_range_is_required(tmp_path: Path) -> None:
    source = YFinanceSource(tmp_path, download=make_fake())
    with pytest.raises(InvalidParameterError, match="start"):
        source.history(["NVDA"], None, "2025-01-27")
    with pytest.raises(InvalidParameterError, match="end"):
        source.history(["NVDA"], "2025-01-27", "2025-01-01")


def test_safe_file_stem() -> None:
    assert safe_file_stem("^GSPC") == "GSPC"
    assert safe_file_stem("BRK-B") == "BRK-B"
    assert safe_file_stem("EURUSD=X") == "EURUSD_X"
    with pytest.raises(InvalidParameterError):
        safe_file_stem("^")


def test_import_eventstudy_data_does_not_import_yfinance() -> None:
    import subprocess
    import sys

    code = "import sys, eventstudy.data, eventstudy.data.yahoo; print('yfinance' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

