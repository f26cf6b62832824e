"""One-line access to price data: :func:`load_prices`.

``load_prices()`` returns the wide frame :func:`eventstudy.event_study` takes
(dates x symbols), from the bundled recorded fixtures by default, a folder of
fixture CSVs, or any :class:`~eventstudy.data.source.PriceSource`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from eventstudy.data.fixtures import CsvSource
from eventstudy.data.source import PriceSource
from eventstudy.data.wide import wide_prices
from eventstudy.errors import InvalidParameterError

__all__ = ["load_prices", "price_source"]


def price_source(data: str | Path | PriceSource | None = None) -> PriceSource:
    """The price source behind ``data``: bundled fixtures, a folder, or ``data`` itself.

    Raises
    ------
    InvalidParameterError
        ``data`` is neither ``None``, a path nor a PriceSource.
    """
    if data is None:
        from eventstudy.data.fixtures import bundled_source

        return bundled_source()
    if isinstance(data, str | Path):
        return CsvSource(data)
    if isinstance(data, PriceSource):
        return data
    raise InvalidParameterError(
        "data", "None (bundled fixtures), a folder of price CSVs, or a PriceSource",
        type(data).__name__)


def load_prices(
    symbols: str | Sequence[str] | None = None,
    *,
    data: str | Path | PriceSource | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Daily prices of ``symbols`` as one wide frame (dates x symbols).

    Each symbol's price is its adjusted close where the source has one on every
    row (stocks) and its close where it has none (indices), as the event study
    computes returns; which one is recorded in ``frame.attrs["basis"]``
    (``{symbol: "adj_close" | "close"}``) and carried into the result's
    ``data_basis`` by :func:`eventstudy.event_study`. Nothing is filled: a
    symbol without a row on a date is NaN there.

    Parameters
    ----------
    symbols
        One symbol or a list (``"^GSPC"`` for the S&P 500); default every
        symbol of the source (sorted, for a folder).
    data
        ``None`` for the bundled recorded fixtures (hash-checked against their
        ``manifest.json``), a folder of price CSVs (with or without a
        manifest), or any :class:`~eventstudy.data.source.PriceSource` (for
        example :class:`~eventstudy.data.yahoo.YFinanceSource`).
    start, end
        Inclusive date bounds; default the whole history.

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (tz-naive sessions), columns ``symbol``, float prices;
        ``attrs["basis"]`` and ``attrs["source"]`` (the source's one-line
        description).

    Raises
    ------
    InvalidParameterError
        ``symbols`` is empty or not strings, or ``data`` is of the wrong type;
        ``symbols`` is needed for a source that cannot list its symbols.
    UnknownSymbolError
        A symbol the source does not have.

    Examples
    --------
    >>> from eventstudy import load_prices
    >>> prices = load_prices(["NVDA", "^GSPC"], end="2025-01-31")
    >>> prices.attrs["basis"]
    {'NVDA': 'adj_close', '^GSPC': 'close'}
    """
    source = price_source(data)
    if symbols is None:
        known = getattr(source, "symbols", None)
        if known is None:
            raise InvalidParameterError(
                "symbols", f"a list of symbols ({source.describe()} does not list its own)", None)
        wanted = list(known)
    elif isinstance(symbols, str):
        wanted = [symbols]
    else:
        wanted = list(symbols)
    if not wanted or not all(isinstance(s, str) and s for s in wanted):
        raise InvalidParameterError("symbols", "one or more non-empty symbol strings", symbols)
    panel, basis = wide_prices(source.history(wanted, start=start, end=end))
    panel = panel[wanted]
    panel.attrs["basis"] = {s: basis[s] for s in wanted}
    panel.attrs["source"] = source.describe()
    return panel
