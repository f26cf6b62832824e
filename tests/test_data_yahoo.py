"""YFinanceSource with a fake ``download`` shaped like yfinance's multi-ticker output."""

from __future__ import annotations

import inspect
import json
import logging
import socket
import sys
import warnings
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



# -- the yfinance sandbox: failures, noise, files --------------------------------------

# What yfinance 1.7.0 logged on the 'yfinance' logger for
# yf.download(["NVDA", "^GSPC"], ...) on this machine without network (run once by
# hand, outside the suite); it returned an empty (0, 12) frame and raised nothing.
OFFLINE_LOG = [
    (logging.WARNING, "Cookie/crumb fetch failed (DNSError), continuing without crumb"),
    (logging.ERROR, "Failed to get ticker '^GSPC' reason: Failed to perform, curl: (6) Could "
     "not resolve host: query2.finance.yahoo.com (Domain name not found). See "
     "https://curl.se/libcurl/c/libcurl-errors.html first for more details."),
    (logging.ERROR, "Failed to get ticker 'NVDA' reason: Failed to perform, curl: (6) Could "
     "not resolve host: query2.finance.yahoo.com (Domain name not found). See "
     "https://curl.se/libcurl/c/libcurl-errors.html first for more details."),
    (logging.ERROR, "\n2 Failed downloads:"),
    (logging.ERROR, "['NVDA', '^GSPC']: DNSError('Failed to perform, curl: (6) Could not "
     "resolve host: query2.finance.yahoo.com. See "
     "https://curl.se/libcurl/c/libcurl-errors.html first for more details.')"),
]


class LoggingFake(FakeDownload):
    """A FakeDownload that also logs, warns and prints like yfinance does."""

    def __init__(self, frames: dict[str, pd.DataFrame], log: list[tuple[int, str]],
                 *, noise: bool = False) -> None:
        super().__init__(frames)
        self.log = log
        self.noise = noise

    def __call__(self, **kwargs: Any) -> pd.DataFrame:
        logger = logging.getLogger("yfinance")
        for level, message in self.log:
            logger.log(level, message)
        if self.noise:
            print("printed to stdout by yfinance")
            print("printed to stderr by yfinance", file=sys.stderr)
            warnings.warn("inplace is deprecated", DeprecationWarning, stacklevel=1)
        return super().__call__(**kwargs)


def offline_fake() -> LoggingFake:
    return LoggingFake({}, OFFLINE_LOG)


def test_offline_download_is_a_network_error_naming_the_symbols(tmp_path: Path) -> None:
    source = YFinanceSource(tmp_path, download=offline_fake())
    with pytest.raises(NetworkError) as info:
        source.history(["NVDA", "^GSPC"], "2025-01-21", "2025-01-27")
    assert not isinstance(info.value, DownloadError)  # not "no such ticker"
    message = str(info.value)
    assert "NVDA" in message and "^GSPC" in message
    assert "Could not reach Yahoo Finance" in message and "Could not resolve host" in message
    assert set(source.last_report["failure_reasons"]) == {"NVDA", "^GSPC"}


def test_offline_through_the_real_yfinance_entry_point(
    tmp_path: Path, fake_yfinance_download: Any
) -> None:
    """download=None: YFinanceSource looks up yfinance.download itself (here the fake)."""
    fake = offline_fake()
    fake_yfinance_download(fake)
    with pytest.raises(NetworkError, match="NVDA"):
        YFinanceSource(tmp_path).history(["NVDA"], "2025-01-21", "2025-01-27")
    assert len(fake.calls) == 1


def test_unknown_ticker_stays_a_download_error_with_yfinance_reason(tmp_path: Path) -> None:
    log = [(logging.ERROR, "$NOPE: possibly delisted; no price data found  "
            "(1d 2025-01-21 -> 2025-01-28)")]
    fake = LoggingFake({"NVDA": ticker_frame(DATES, 140.0)}, log)
    with pytest.raises(DownloadError, match="possibly delisted") as info:
        YFinanceSource(tmp_path, download=fake).history(["NVDA", "NOPE"], "2025-01-21",
                                                         "2025-01-27")
    assert info.value.failed == ["NOPE"]


def test_partial_outage_names_only_the_offline_symbol(tmp_path: Path) -> None:
    log = [(logging.ERROR, "Failed to get ticker 'MU' reason: Failed to perform, curl: (28) "
            "Connection timed out after 30001 milliseconds")]
    frames = {"NVDA": ticker_frame(DATES, 140.0)}
    with pytest.raises(NetworkError, match=r"download MU \(") as info:
        YFinanceSource(tmp_path, download=LoggingFake(frames, log)).history(
            ["NVDA", "MU"], "2025-01-21", "2025-01-27")
    assert "Downloaded: NVDA" in str(info.value)
    source = YFinanceSource(tmp_path / "p", download=LoggingFake(frames, log), allow_partial=True)
    with pytest.warns(UserWarning, match="MU failed to connect"):
        out = source.history(["NVDA", "MU"], "2025-01-21", "2025-01-27")
    assert list(out) == ["NVDA"]


def curl_dns_error() -> Exception:
    from curl_cffi.requests.exceptions import DNSError

    return DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com")


@pytest.mark.parametrize(
    "make_error",
    [curl_dns_error, lambda: __import__("requests").ConnectionError("Max retries exceeded"),
     lambda: TimeoutError("timed out"), lambda: socket.gaierror(-2, "Name or service not known")],
    ids=["curl_cffi-DNSError", "requests-ConnectionError", "TimeoutError", "gaierror"],
)
def test_raised_connection_errors_are_network_errors(tmp_path: Path, make_error: Any) -> None:
    error = make_error()

    def failing(**kwargs: Any) -> pd.DataFrame:
        raise error

    with pytest.raises(NetworkError, match=r"Could not reach Yahoo Finance to download NVDA, ARM"):
        YFinanceSource(tmp_path, download=failing).history(["NVDA", "ARM"], "2025-01-21",
                                                           "2025-01-27")


def test_yfinance_noise_is_captured_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = LoggingFake({"NVDA": ticker_frame(DATES, 140.0)},
                       [(logging.ERROR, "something yfinance says")], noise=True)
    source = YFinanceSource(tmp_path, download=fake)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning escaping the sandbox would fail here
        source.history(["NVDA"], "2025-01-21", "2025-01-27")
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""
    assert "something yfinance says" not in caplog.text
    messages = source.last_report["yfinance_messages"]
    assert "ERROR: something yfinance says" in messages
    assert "printed to stdout by yfinance" in messages
    assert "printed to stderr by yfinance" in messages
    assert "DeprecationWarning: inplace is deprecated" in messages
    logger = logging.getLogger("yfinance")
    assert logger.propagate is True and not any(
        type(h).__name__ == "_ListHandler" for h in logger.handlers)


def test_no_handler_yfinance_error_would_reach_stderr_without_the_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Control for the test above: yfinance's logger does print to stderr by itself."""
    logger = logging.getLogger("yfinance")
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        logger.error("something yfinance says")
    finally:
        root.handlers = saved
    assert "something yfinance says" in capsys.readouterr().err


class CacheProbe(FakeDownload):
    """Does what yfinance does with its own cache on a real download: store a time zone."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        super().__init__(frames)
        self.locations: list[str] = []

    def __call__(self, **kwargs: Any) -> pd.DataFrame:
        import yfinance.cache as yf_cache

        self.locations.append(yf_cache._TzDBManager.get_location())
        yf_cache.get_tz_cache().store("NVDA", "America/New_York")
        return super().__call__(**kwargs)


def test_yfinance_cache_goes_into_the_cache_folder(tmp_path: Path) -> None:
    import yfinance.cache as yf_cache

    before = yf_cache._TzDBManager.get_location()
    before_files = sorted(Path(before).rglob("*")) if Path(before).exists() else []
    probe = CacheProbe({"NVDA": ticker_frame(DATES, 140.0)})
    source = YFinanceSource(tmp_path / "cache", download=probe)
    source.history(["NVDA"], "2025-01-21", "2025-01-27")
    assert probe.locations == [str(tmp_path / "cache" / "yfinance")]
    assert (tmp_path / "cache" / "yfinance" / "tkr-tz.db").is_file()
    # yfinance's previous location is restored and nothing was written there.
    assert yf_cache._TzDBManager.get_location() == before
    after_files = sorted(Path(before).rglob("*")) if Path(before).exists() else []
    assert after_files == before_files
    # A second source with another folder really writes there (no stale open database).
    probe2 = CacheProbe({"NVDA": ticker_frame(DATES, 140.0)})
    YFinanceSource(tmp_path / "cache2", download=probe2).history(["NVDA"], "2025-01-21",
                                                                  "2025-01-27")
    assert (tmp_path / "cache2" / "yfinance" / "tkr-tz.db").is_file()


def test_without_cache_folder_yfinance_cache_is_temporary(tmp_path: Path) -> None:
    probe = CacheProbe({"NVDA": ticker_frame(DATES, 140.0)})
    source = YFinanceSource(None, download=probe)
    source.history(["NVDA"], "2025-01-21", "2025-01-27")
    (location,) = probe.locations
    assert Path(location).name.startswith("eventstudy-yfinance-")
    assert not Path(location).exists()  # removed afterwards
    assert source.last_report["yfinance_cache"] == location


def test_failure_reasons_attribution() -> None:
    from eventstudy.data.yahoo_guard import failure_reasons, is_network_failure

    messages = ["ERROR: ['GSPC']: YFPricesMissingError('$GSPC: possibly delisted')",
                "ERROR: Failed to get ticker '^GSPC' reason: curl: (7) Connection refused",
                "ERROR: NVDAX: something else",
                "WARNING: general remark"]
    reasons = failure_reasons(["^GSPC", "GSPC", "NVDA"], messages)
    assert reasons["^GSPC"] == [messages[1]]
    assert reasons["GSPC"] == [messages[0]]
    # NVDA is named nowhere ("NVDAX" is another ticker): it gets the general messages.
    assert reasons["NVDA"] == [messages[2], messages[3]]
    assert is_network_failure(reasons["^GSPC"]) and not is_network_failure(reasons["GSPC"])


def test_non_network_os_error_is_not_called_a_connection_failure(tmp_path: Path) -> None:
    def failing(**kwargs: Any) -> pd.DataFrame:
        raise PermissionError(13, "Permission denied", "/somewhere/tkr-tz.db")

    with pytest.raises(NetworkError, match="PermissionError") as info:
        YFinanceSource(tmp_path, download=failing).history(["NVDA"], "2025-01-21", "2025-01-27")
    assert "Could not reach" not in str(info.value)
