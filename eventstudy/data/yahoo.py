"""Live daily prices from Yahoo Finance through ``yfinance`` (with a disk cache).

This is the only module that imports :mod:`yfinance`, and only inside
:meth:`YFinanceSource.history` (so ``import eventstudy`` stays light).

``yfinance.download`` is called with every argument spelled out (see
:meth:`YFinanceSource.download_arguments`): raw prices plus ``Adj Close``
(``auto_adjust=False``), dividends and splits (``actions=True``), no repair,
no rounding, tz-naive dates. Our ``end`` is inclusive; yfinance's is
exclusive, so ``end + 1 day`` is passed.

The multi-ticker frame (columns ``(Price, Ticker)``, index ``Date``) is cut per
ticker. yfinance reindexes every ticker to the union of all tickers' dates, so
rows that are NaN in every field for one ticker are padding: they are dropped
and counted in :attr:`YFinanceSource.last_report`. Any other gap is kept and
rejected by :func:`~eventstudy.data.validate.validate_price_frame`.

Every download runs inside :func:`~eventstudy.data.yahoo_guard.yfinance_sandbox`:
yfinance's own caches go to ``<cache_dir>/yfinance`` (or a temporary folder
removed afterwards), its log records, warnings and prints are captured instead
of reaching the terminal, and they are kept in ``last_report["yfinance_messages"]``.
yfinance turns a DNS or connection failure into an empty frame and a log line;
the captured lines are used to report it as a
:class:`~eventstudy.errors.NetworkError` naming the symbols, distinct from a
:class:`~eventstudy.errors.DownloadError` (a ticker with no data).
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.data.fixtures import price_csv_bytes, sha256_bytes
from eventstudy.data.source import CSV_COLUMNS
from eventstudy.data.validate import read_csv_text, validate_price_frame
from eventstudy.data.yahoo_guard import (
    failure_reasons,
    is_network_exception,
    is_network_failure,
    yfinance_sandbox,
)
from eventstudy.errors import (
    DataError,
    DownloadError,
    FixtureHashMismatchError,
    InvalidParameterError,
    NetworkError,
)

__all__ = ["YAHOO_FIELDS", "YFinanceSource", "safe_file_stem", "yfinance_version"]

#: yfinance column (level ``Price``) -> our column.
YAHOO_FIELDS: dict[str, str] = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
    "Dividends": "dividends",
    "Stock Splits": "splits",
}

#: What the recorded columns mean (written to manifests).
CLOSE_BASIS = "split-adjusted printed close (Yahoo, auto_adjust=False); NOT dividend-adjusted"
ADJ_CLOSE_BASIS = "split- and dividend-adjusted (Yahoo `Adj Close`, as of {date})"

Download = Callable[..., Any]


def yfinance_version() -> str:
    """Installed yfinance version (without importing it), or ``"not installed"``."""
    try:
        return metadata.version("yfinance")
    except metadata.PackageNotFoundError:
        return "not installed"


def safe_file_stem(symbol: str) -> str:
    """File name stem for ``symbol``: ``^`` removed, other unsafe characters -> ``_``."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", symbol.replace("^", ""))
    if not stem.strip("._"):
        raise InvalidParameterError("symbol", "a symbol with letters or digits", symbol)
    return stem


def _day(value: pd.Timestamp | str | None, name: str) -> pd.Timestamp:
    if value is None:
        raise InvalidParameterError(name, "a date (YYYY-MM-DD); Yahoo needs an explicit range", None)
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(name, "a date (YYYY-MM-DD)", value) from None
    if day != day.normalize() or day.tz is not None:
        raise InvalidParameterError(name, "a tz-naive date without time", value)
    return day


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole: a temporary file beside it, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class YFinanceSource:
    """A :class:`~eventstudy.data.source.PriceSource` backed by ``yfinance.download``.

    Parameters
    ----------
    cache_dir
        Folder for the disk cache (one fixture-format CSV per (symbol, start,
        end) plus a JSON sidecar of the download arguments); ``None``: no cache.
    allow_partial
        If some symbols fail, return the others and list the failures in
        :attr:`last_failures` (and warn) instead of raising
        :class:`~eventstudy.errors.DownloadError`.
    download
        Replacement for ``yfinance.download`` (tests); same keyword arguments.
    timeout
        Seconds per request, passed to yfinance.

    Attributes
    ----------
    last_failures : list of str
        Symbols that failed in the last :meth:`history` call.
    last_report : dict
        Per call: ``cache_hits``, ``downloaded``, ``padding_rows_dropped``
        (symbol -> count), ``ignored_columns`` (yfinance fields outside our
        schema, e.g. ``Capital Gains``), ``arguments``, ``yfinance_messages``
        (what yfinance logged, warned or printed, captured instead of shown),
        ``yfinance_cache`` (where yfinance's own caches were pointed) and
        ``failure_reasons`` (failed symbol -> the messages explaining it).
    """

    def __init__(
        self,
        cache_dir: str | Path | None,
        *,
        allow_partial: bool = False,
        download: Download | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.allow_partial = allow_partial
        self._download = download
        self.timeout = timeout
        self.last_failures: list[str] = []
        self.last_report: dict[str, Any] = {}

    def describe(self) -> str:
        """One line naming the source."""
        cache = f"cache {self.cache_dir}" if self.cache_dir else "no cache"
        return f"Yahoo Finance via yfinance {yfinance_version()} ({cache})"

    def download_arguments(
        self, symbols: Sequence[str], start: pd.Timestamp | str, end: pd.Timestamp | str
    ) -> dict[str, Any]:
        """The exact keyword arguments passed to ``yfinance.download``.

        ``end`` is inclusive here; the returned ``end`` is one day later
        because yfinance's ``end`` is exclusive.
        """
        lo, hi = _day(start, "start"), _day(end, "end")
        if hi < lo:
            raise InvalidParameterError("end", f"a date on or after start {lo:%Y-%m-%d}", end)
        return {
            "tickers": list(symbols),
            "start": f"{lo:%Y-%m-%d}",
            "end": f"{hi + pd.Timedelta(days=1):%Y-%m-%d}",
            "actions": True,
            "threads": True,
            "ignore_tz": True,
            "group_by": "column",
            "auto_adjust": False,
            "back_adjust": False,
            "repair": False,
            "keepna": False,
            "progress": False,
            "period": None,
            "interval": "1d",
            "prepost": False,
            "rounding": False,
            "timeout": self.timeout,
            "session": None,
            "multi_level_index": True,
        }

    # -- cache -------------------------------------------------------------
    def _cache_paths(self, symbol: str, lo: str, hi: str) -> tuple[Path, Path]:
        assert self.cache_dir is not None
        stem = f"{safe_file_stem(symbol)}_{lo}_{hi}"
        return self.cache_dir / f"{stem}.csv", self.cache_dir / f"{stem}.json"

    def _read_cache(self, symbol: str, lo: str, hi: str) -> pd.DataFrame | None:
        if self.cache_dir is None:
            return None
        csv_path, note_path = self._cache_paths(symbol, lo, hi)
        if not (csv_path.is_file() and note_path.is_file()):
            return None
        try:
            note = json.loads(note_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(
                f"{note_path}: expected the JSON note of a cached download, but it does not parse "
                f"({exc}); delete it and {csv_path.name} to download again."
            ) from None
        if not isinstance(note, dict):
            raise DataError(
                f"{note_path}: expected a JSON object, received {type(note).__name__}; delete it "
                f"and {csv_path.name} to download again."
            )
        data = csv_path.read_bytes()
        if sha256_bytes(data) != note.get("sha256"):
            raise FixtureHashMismatchError(
                f"{csv_path}: expected sha256 {note.get('sha256')} (from {note_path.name}), but "
                f"the file hashes to {sha256_bytes(data)}; delete both files to download again."
            )
        return validate_price_frame(read_csv_text(data, str(csv_path)), symbol, str(csv_path))

    def _write_cache(
        self, symbol: str, frame: pd.DataFrame, arguments: dict[str, Any], lo: str, hi: str
    ) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        csv_path, note_path = self._cache_paths(symbol, lo, hi)
        data = price_csv_bytes(frame, symbol)
        _replace_file(csv_path, data)
        note = {
            "symbol": symbol,
            "start": lo,
            "end": hi,
            "sha256": sha256_bytes(data),
            "yfinance_version": yfinance_version(),
            "arguments": arguments,
            "downloaded_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "padding_rows_dropped": self.last_report["padding_rows_dropped"].get(symbol, 0),
        }
        _replace_file(note_path, (json.dumps(note, indent=2) + "\n").encode("utf-8"))

    # -- download ----------------------------------------------------------
    def _call_download(self, arguments: dict[str, Any]) -> pd.DataFrame:
        """Call ``yfinance.download`` (or the injected fake) inside the sandbox."""
        download = self._download
        if download is None:
            import yfinance  # the only yfinance import in eventstudy

            download = yfinance.download
        symbols = _fmt_list(arguments["tickers"])
        try:
            with yfinance_sandbox(self.cache_dir) as capture:
                try:
                    data = download(**arguments)
                finally:
                    self.last_report["yfinance_messages"] = capture.messages
                    self.last_report["yfinance_cache"] = capture.cache_location
        except Exception as exc:
            if is_network_exception(exc):
                raise NetworkError(
                    f"Could not reach Yahoo Finance to download {symbols} (DNS or connection "
                    f"failure): {type(exc).__name__}: {exc}. Check the network connection "
                    "and proxy settings."
                ) from exc
            raise NetworkError(
                f"yfinance.download of {symbols} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if data is None or not isinstance(data, pd.DataFrame):
            raise DownloadError(arguments["tickers"], detail=f"yfinance returned {type(data).__name__}")
        return data

    def _extract(
        self, data: pd.DataFrame, symbol: str, lo: pd.Timestamp, hi: pd.Timestamp
    ) -> pd.DataFrame | None:
        """Our-schema raw frame of ``symbol`` (None: nothing came back)."""
        columns = data.columns
        if not isinstance(columns, pd.MultiIndex) or list(columns.names) != ["Price", "Ticker"]:
            raise DataError(
                f"yfinance download: expected columns MultiIndex (Price, Ticker), but got "
                f"names {list(getattr(columns, 'names', [None]))}."
            )
        tickers = set(columns.get_level_values("Ticker"))
        if symbol.upper() not in tickers:
            return None
        part = data.loc[:, columns.get_level_values("Ticker") == symbol.upper()].copy()
        part.columns = part.columns.get_level_values("Price")
        extra = sorted(str(c) for c in part.columns if c not in YAHOO_FIELDS)
        if extra:
            self.last_report["ignored_columns"][symbol] = extra
        part = part.reindex(columns=list(YAHOO_FIELDS)).astype("float64")
        padding = part.isna().all(axis=1)
        if padding.all():
            return None
        self.last_report["padding_rows_dropped"][symbol] = int(padding.sum())
        part = part[~padding]
        index = pd.DatetimeIndex(part.index)
        outside = index[(index < lo) | (index > hi)]
        if len(outside):
            raise DataError(
                f"yfinance download of {symbol}: expected dates {lo:%Y-%m-%d} .. {hi:%Y-%m-%d}, "
                f"but got {outside[0]}."
            )
        raw = part.rename(columns=YAHOO_FIELDS)
        raw.insert(0, "date", index)
        raw.insert(0, "symbol", symbol)
        return raw.reset_index(drop=True)[list(CSV_COLUMNS)]

    def history(
        self,
        symbols: Sequence[str],
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Download (or read from cache) ``{symbol: frame}``, ``start``..``end`` inclusive.

        Raises
        ------
        NetworkError
            Yahoo could not be reached (DNS, connection, timeout, rate limit),
            whether the download raised or yfinance reported it and returned
            empty frames; the message names the symbols.
        DownloadError
            A symbol came back empty (all of them, or some without
            ``allow_partial``).
        DataError
            Downloaded data fail validation.
        """
        if isinstance(symbols, str) or not symbols:
            raise InvalidParameterError("symbols", "a non-empty sequence of symbols", symbols)
        symbols = [s.strip().upper() for s in symbols]
        if len(set(symbols)) != len(symbols):
            raise InvalidParameterError("symbols", "distinct symbols (case-insensitive)", symbols)
        lo, hi = _day(start, "start"), _day(end, "end")
        arguments = self.download_arguments(symbols, lo, hi)
        self.last_failures = []
        self.last_report = {
            "cache_hits": [],
            "downloaded": [],
            "padding_rows_dropped": {},
            "ignored_columns": {},
            "arguments": None,
            "yfinance_messages": [],
            "yfinance_cache": None,
            "failure_reasons": {},
        }
        out: dict[str, pd.DataFrame] = {}
        for symbol in symbols:
            cached = self._read_cache(symbol, f"{lo:%Y-%m-%d}", f"{hi:%Y-%m-%d}")
            if cached is not None:
                out[symbol] = cached
                self.last_report["cache_hits"].append(symbol)
        missing = [s for s in symbols if s not in out]
        if missing:
            arguments["tickers"] = missing
            self.last_report["arguments"] = arguments
            data = self._call_download(arguments)
            for symbol in missing:
                raw = self._extract(data, symbol, lo, hi)
                if raw is None:
                    self.last_failures.append(symbol)
                    continue
                frame = validate_price_frame(raw, symbol, f"yfinance download of {symbol}")
                self._write_cache(symbol, frame, arguments, f"{lo:%Y-%m-%d}", f"{hi:%Y-%m-%d}")
                out[symbol] = frame
                self.last_report["downloaded"].append(symbol)
        if self.last_failures:
            self._raise_or_warn(symbols, out)
        return {s: out[s] for s in symbols if s in out}

    def _raise_or_warn(self, symbols: Sequence[str], out: dict[str, pd.DataFrame]) -> None:
        """Explain :attr:`last_failures` from yfinance's captured messages; raise or warn."""
        succeeded = [s for s in symbols if s in out]
        reasons = failure_reasons(self.last_failures, self.last_report["yfinance_messages"])
        self.last_report["failure_reasons"] = reasons
        offline = [s for s in self.last_failures if is_network_failure(reasons[s])]
        if offline and (not succeeded or not self.allow_partial):
            first = next(r for r in reasons[offline[0]] if is_network_failure([r]))
            others = [s for s in self.last_failures if s not in offline]
            raise NetworkError(
                f"Could not reach Yahoo Finance to download {_fmt_list(offline)} (DNS or "
                f"connection failure; yfinance reported: {_shorten(first)}). Check the network "
                "connection and proxy settings."
                + (f" Also no data for {_fmt_list(others)}." if others else "")
                + (f" Downloaded: {_fmt_list(succeeded)}." if succeeded else "")
            )
        explained = [f"{s}: {_shorten(reasons[s][0])}" for s in self.last_failures if reasons[s]]
        detail = ("no rows came back (unknown or delisted ticker, no data in range, or no "
                  "network: yfinance reports connection errors as empty results)")
        if explained:
            detail += "; yfinance reported " + "; ".join(explained)
        if not succeeded or not self.allow_partial:
            raise DownloadError(self.last_failures, succeeded, detail)
        why = f" ({'; '.join(explained)})" if explained else ""
        if offline:
            why += f"; {_fmt_list(offline)} failed to connect"
        warnings.warn(
            f"yfinance: no data for {', '.join(self.last_failures)}{why}; returning "
            f"{', '.join(succeeded)} only (allow_partial=True).",
            UserWarning,
            stacklevel=3,
        )


def _fmt_list(items: Sequence[str]) -> str:
    return ", ".join(items)


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
