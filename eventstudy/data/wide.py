"""Wide table (dates x symbols) of the price each symbol's returns are computed from."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from eventstudy.errors import DataError, InvalidParameterError

__all__ = ["YF_ADJ_CLOSE", "YF_CLOSE", "from_yfinance_frame", "is_yfinance_frame", "wide_prices",
           "wide_volumes"]


def wide_prices(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the wide price table (dates x symbols) and the price column used per symbol.

    A symbol uses ``adj_close`` when it has one on every row, and ``close``
    when it has none at all (indices, IBKR files). Dates are the union of the
    symbols' dates; no calendar reindexing is done here (a symbol absent on a
    date is NaN there, nothing is filled).

    Parameters
    ----------
    frames
        ``{symbol: price frame}`` as returned by a PriceSource.

    Returns
    -------
    prices : pandas.DataFrame
        Index ``date``, one column per symbol (columns named ``symbol``).
    basis : dict
        ``{symbol: "adj_close" | "close"}``.

    Raises
    ------
    DataError
        A symbol has ``adj_close`` on some rows and not on others.
    """
    if not frames:
        raise InvalidParameterError("frames", "at least one {symbol: frame}", dict(frames))
    columns: dict[str, pd.Series] = {}
    basis: dict[str, str] = {}
    for symbol, frame in frames.items():
        adj = frame["adj_close"]
        missing = adj.isna()
        if not missing.any():
            basis[symbol] = "adj_close"
            columns[symbol] = adj.astype("float64")
        elif missing.all():
            basis[symbol] = "close"
            columns[symbol] = frame["close"].astype("float64")
        else:
            days = frame.index[missing]
            shown = ", ".join(f"{d:%Y-%m-%d}" for d in days[:8])
            raise DataError(
                f"Symbol {symbol!r}: expected adj_close on every row or on none (so one price "
                f"basis is used), but it is missing on {len(days)} of {len(frame)} rows "
                f"({shown})."
            )
    wide = pd.DataFrame(columns).sort_index()
    wide.index.name = "date"
    wide.columns.name = "symbol"
    return wide, basis


def wide_volumes(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the wide table of traded volume (shares), one column per symbol.

    The companion of :func:`wide_prices` for volume studies
    (:mod:`eventstudy.volume`). Dates are the union of the symbols' dates; a
    missing or empty ``volume`` cell stays NaN (a missing observation, never
    filled), and a zero volume stays zero.

    Parameters
    ----------
    frames
        ``{symbol: price frame}`` as returned by a PriceSource (each with a
        ``volume`` column).

    Returns
    -------
    pandas.DataFrame
        Index ``date``, one float column per symbol (columns named ``symbol``).

    Raises
    ------
    InvalidParameterError
        ``frames`` is empty.
    DataError
        A frame has no ``volume`` column, or a negative volume.
    """
    if not frames:
        raise InvalidParameterError("frames", "at least one {symbol: frame}", dict(frames))
    columns: dict[str, pd.Series] = {}
    for symbol, frame in frames.items():
        if "volume" not in frame.columns:
            raise DataError(f"Symbol {symbol!r}: expected a `volume` column for a volume study, "
                            f"but the frame has only {list(frame.columns)}.")
        try:
            vol = frame["volume"].astype("float64")
        except (TypeError, ValueError) as exc:
            raise DataError(f"Symbol {symbol!r}: column `volume` expected numbers (NaN where "
                            f"missing), got {frame['volume'].dtype} values.") from exc
        bad = frame.index[(vol < 0).to_numpy()]
        if len(bad):
            raise DataError(f"Symbol {symbol!r}: column `volume` expected values >= 0, but it is "
                            f"negative on {len(bad)} row(s), first {bad[0]:%Y-%m-%d}.")
        columns[symbol] = vol
    wide = pd.DataFrame(columns).sort_index()
    wide.index.name = "date"
    wide.columns.name = "symbol"
    return wide


#: Column names of the two price fields of a ``yfinance.download`` frame.
YF_ADJ_CLOSE = "Adj Close"
YF_CLOSE = "Close"


def is_yfinance_frame(data: object) -> bool:
    """Whether ``data`` looks like a ``yfinance.download`` frame.

    That is a DataFrame whose columns are a two-level MultiIndex one level of
    which holds the price fields (``Close``, and ``Adj Close`` when the download
    used ``auto_adjust=False``), e.g. ``(Price, Ticker)`` as returned by default
    or ``(Ticker, Price)`` with ``group_by="ticker"``.
    """
    if not isinstance(data, pd.DataFrame) or not isinstance(data.columns, pd.MultiIndex):
        return False
    cols = data.columns
    return cols.nlevels == 2 and any(
        YF_CLOSE in cols.get_level_values(i) or YF_ADJ_CLOSE in cols.get_level_values(i)
        for i in range(2)
    )


def from_yfinance_frame(data: pd.DataFrame, parameter: str = "prices") -> pd.DataFrame:
    """Wide price frame (one column per ticker) from a ``yfinance.download`` frame.

    Per ticker, ``Adj Close`` is used where the frame has that column with at
    least one value (``yf.download(..., auto_adjust=False)``), ``Close``
    otherwise (with ``auto_adjust=True``, the default since yfinance 0.2.51,
    ``Close`` is already split- and dividend-adjusted). Which one was used is
    recorded in ``frame.attrs["basis"]`` as ``{ticker: "adj_close" | "close"}``.
    Nothing is filled: a NaN price stays NaN.

    Parameters
    ----------
    data
        Columns a two-level MultiIndex with the price fields on one level
        (named ``Price`` by yfinance, or found by its ``Close`` entries) and the
        tickers on the other.
    parameter
        Name of the argument, for error messages.

    Returns
    -------
    pandas.DataFrame
        Same index, columns the tickers (named ``symbol``), float prices.

    Raises
    ------
    InvalidParameterError
        The columns have no ``Close``/``Adj Close`` level, or a ticker has
        neither field.
    """
    if not is_yfinance_frame(data):
        raise InvalidParameterError(
            parameter, "a yfinance.download frame: columns (Price, Ticker) with 'Close' or "
            "'Adj Close' on the Price level", type(data).__name__ if not isinstance(
                data, pd.DataFrame) else list(data.columns[:4]))
    cols = data.columns
    assert isinstance(cols, pd.MultiIndex)
    names = list(cols.names)
    if "Price" in names:
        field_level = names.index("Price")
    else:
        field_level = next(i for i in range(2)
                           if {YF_CLOSE, YF_ADJ_CLOSE} & set(cols.get_level_values(i)))
    ticker_level = 1 - field_level
    by_field = {str(k): data.xs(k, axis=1, level=field_level)
                for k in dict.fromkeys(cols.get_level_values(field_level))}
    tickers = list(dict.fromkeys(str(t) for t in cols.get_level_values(ticker_level)))
    columns: dict[str, pd.Series] = {}
    basis: dict[str, str] = {}
    for ticker in tickers:
        adj = by_field.get(YF_ADJ_CLOSE)
        if adj is not None and ticker in adj.columns and adj[ticker].notna().any():
            columns[ticker], basis[ticker] = adj[ticker].astype("float64"), "adj_close"
            continue
        close = by_field.get(YF_CLOSE)
        if close is None or ticker not in close.columns:
            raise InvalidParameterError(
                f"{parameter}[{ticker!r}]", "an 'Adj Close' or 'Close' column for every ticker",
                sorted(str(k) for k, f in by_field.items() if ticker in f.columns))
        columns[ticker], basis[ticker] = close[ticker].astype("float64"), "close"
    out = pd.DataFrame(columns, index=data.index)
    out.columns.name = "symbol"
    out.attrs["basis"] = basis
    return out
