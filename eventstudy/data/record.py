"""Record live prices into a fixture folder (CSV per symbol + ``manifest.json``).

The folder written by :func:`record` is readable by
:class:`~eventstudy.data.fixtures.CsvSource` (same manifest schema, see
:mod:`eventstudy.data.fixtures`).

The folder is written atomically (:func:`eventstudy.atomic.atomic_folder`):
everything goes into a temporary folder beside ``out``, which replaces ``out``
whole only once every CSV and ``manifest.json`` are written. A failure or an
interruption at any point (download, validation, writing) leaves the previous
complete recording, or no folder, never a mix; no temporary folder stays behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.atomic import atomic_folder
from eventstudy.data.fixtures import MANIFEST_NAME, SCHEMA_VERSION, price_csv_bytes, sha256_bytes
from eventstudy.data.source import PriceSource
from eventstudy.data.yahoo import (
    ADJ_CLOSE_BASIS,
    CLOSE_BASIS,
    YFinanceSource,
    safe_file_stem,
    yfinance_version,
)
from eventstudy.errors import InvalidParameterError

__all__ = ["record"]


def _file_names(symbols: Sequence[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for symbol in symbols:
        name = f"{safe_file_stem(symbol)}.csv"
        clash = [s for s, n in names.items() if n.lower() == name.lower()]
        if clash:
            raise InvalidParameterError(
                "symbols", f"symbols with distinct file names ({clash[0]!r} is also {name})", symbol
            )
        names[symbol] = name
    return names


def record(
    symbols: Sequence[str],
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    out: str | Path,
    *,
    source: PriceSource | None = None,
) -> Path:
    """Download ``symbols`` for ``start``..``end`` (inclusive) and write a fixture folder.

    Parameters
    ----------
    symbols
        Ticker symbols (e.g. ``NVDA``, ``^GSPC``).
    start, end
        Inclusive date range.
    out
        Folder to write (its parent is created if needed). An earlier
        recording there (a folder holding ``manifest.json``) is replaced whole,
        and only once the new recording is complete. ``out`` existing as a
        file, or as a non-empty folder without ``manifest.json``, is refused
        (:class:`~eventstudy.errors.InvalidParameterError`) before anything is
        downloaded.
    source
        Where prices come from; default :class:`~eventstudy.data.yahoo.YFinanceSource`
        without cache. A ``YFinanceSource`` with ``allow_partial=True`` records
        the symbols that succeeded and lists the failures in the manifest.

    Returns
    -------
    pathlib.Path
        Path of the written ``manifest.json``.

    Raises
    ------
    InvalidParameterError
        Bad ``symbols``, an unusable ``out`` (see above), or a cache folder
        inside ``out`` (it would be replaced with it).
    NetworkError
        Yahoo could not be reached (the message names the symbols).
    """
    if isinstance(symbols, str) or not symbols:
        raise InvalidParameterError("symbols", "a non-empty sequence of symbols", symbols)
    out = Path(out)
    source = source if source is not None else YFinanceSource(None)
    if isinstance(source, YFinanceSource):
        symbols = [s.strip().upper() for s in symbols]
        cache = source.cache_dir
        if cache is not None and out.resolve() in (cache.resolve(), *cache.resolve().parents):
            raise InvalidParameterError(
                "cache", f"a folder outside `out` ({out}), which is replaced whole", str(cache)
            )
    names = _file_names(symbols)
    with atomic_folder(out, parameter="out", marker=MANIFEST_NAME) as folder:
        frames = source.history(list(symbols), start, end)
        manifest = _write_recording(folder, frames, names, symbols, start, end, source)
        (folder / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
    return out / MANIFEST_NAME


def _write_recording(
    folder: Path,
    frames: dict[str, pd.DataFrame],
    names: dict[str, str],
    symbols: Sequence[str],
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    source: PriceSource,
) -> dict[str, Any]:
    """Write one CSV per frame into ``folder``; return the manifest (not yet written)."""
    recorded_at = datetime.now(UTC)
    entries: list[dict[str, Any]] = []
    for symbol, frame in frames.items():
        data = price_csv_bytes(frame, symbol)
        (folder / names[symbol]).write_bytes(data)
        entries.append(
            {
                "file": names[symbol],
                "symbol": symbol,
                "sha256": sha256_bytes(data),
                "rows": len(frame),
                "start": f"{frame.index[0]:%Y-%m-%d}",
                "end": f"{frame.index[-1]:%Y-%m-%d}",
                "source": {"description": source.describe()},
                "close": CLOSE_BASIS,
                "adj_close": ADJ_CLOSE_BASIS.format(date=f"{recorded_at:%Y-%m-%d}"),
                "dividend_adjusted_close": False,
            }
        )
    recorded_with: dict[str, Any] = {
        "tool": "eventstudy record",
        "source": source.describe(),
        "recorded_utc": recorded_at.isoformat(timespec="seconds"),
        "requested": {"symbols": list(symbols), "start": str(start), "end": str(end)},
    }
    if isinstance(source, YFinanceSource):
        recorded_with["yfinance_version"] = yfinance_version()
        recorded_with["download_arguments"] = source.download_arguments(symbols, start, end)
        recorded_with["download_call"] = source.last_report.get("arguments")
        recorded_with["failed_symbols"] = list(source.last_failures)
        recorded_with["failure_reasons"] = source.last_report.get("failure_reasons", {})
        recorded_with["padding_rows_dropped"] = source.last_report.get("padding_rows_dropped", {})
        recorded_with["ignored_columns"] = source.last_report.get("ignored_columns", {})
        recorded_with["cache_hits"] = source.last_report.get("cache_hits", [])
    return {
        "schema_version": SCHEMA_VERSION,
        "description": f"Daily prices recorded with eventstudy record, {start} .. {end}.",
        "files": entries,
        "recorded_with": recorded_with,
    }
