"""Wide panel of the price each symbol's returns are computed from."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from eventstudy.errors import DataError, InvalidParameterError

__all__ = ["price_panel"]


def price_panel(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the wide price panel and the price column used per symbol.

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
    panel : pandas.DataFrame
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
    panel = pd.DataFrame(columns).sort_index()
    panel.index.name = "date"
    panel.columns.name = "symbol"
    return panel, basis
