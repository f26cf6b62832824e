"""The :class:`PriceSource` protocol and the common price-frame schema.

A price source hands out one validated :class:`pandas.DataFrame` per symbol,
indexed by a ``DatetimeIndex`` named ``date`` (tz-naive, midnight), ascending and
unique, with the float columns of :data:`PRICE_COLUMNS`. ``close`` is
split-adjusted; ``adj_close`` is split- and dividend-adjusted, or all-NaN where
the source has none (indices).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import pandas as pd

#: Columns of a fixture CSV file, in order.
CSV_COLUMNS: tuple[str, ...] = (
    "symbol",
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "dividends",
    "splits",
)

#: Columns of a per-symbol price frame handed out by a :class:`PriceSource`.
PRICE_COLUMNS: tuple[str, ...] = CSV_COLUMNS[2:]


@runtime_checkable
class PriceSource(Protocol):
    """Anything that returns daily price history per symbol."""

    def history(
        self,
        symbols: Sequence[str],
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Return ``{symbol: frame}`` for every requested symbol.

        Raises :class:`~eventstudy.errors.UnknownSymbolError` for a symbol the
        source does not have; never returns an empty frame for a symbol.
        ``start``/``end`` are inclusive.
        """
        ...

    def describe(self) -> str:
        """One line naming the source (for diagnostics and reports)."""
        ...
