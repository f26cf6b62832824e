"""Validation of raw price tables into the common per-symbol price frame.

:func:`validate_price_frame` is the single gate every price source goes
through: a raw table with the columns of
:data:`~eventstudy.data.source.CSV_COLUMNS` (as read from a fixture CSV with
``dtype=str``, or built from a download) becomes a frame indexed by a
``DatetimeIndex`` named ``date`` (tz-naive, midnight, ``datetime64[ns]``) with
the float columns of :data:`~eventstudy.data.source.PRICE_COLUMNS`. Empty cells
become NaN; nothing is dropped, filled, sorted or shifted: a table that is not
already clean raises.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from eventstudy.data.source import CSV_COLUMNS, PRICE_COLUMNS
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    MissingPriceError,
    NonPositivePriceError,
    UnsortedDatesError,
)

__all__ = ["EARLIEST_DATE", "POSITIVE_COLUMNS", "read_csv_text", "validate_price_frame"]

#: Earliest date a price row may carry.
EARLIEST_DATE = pd.Timestamp("1900-01-01")

#: Columns whose present (non-NaN) values must be strictly positive.
POSITIVE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")


def read_csv_text(data: bytes, where: str) -> pd.DataFrame:
    """Parse the bytes of a price CSV into a table of strings, refusing what is not one.

    A UTF-8 byte-order mark (as Excel writes) is accepted and dropped; every
    other encoding is refused rather than guessed.

    Parameters
    ----------
    data
        The file's bytes.
    where
        The file's path, for messages.

    Returns
    -------
    pandas.DataFrame
        Every cell as ``str`` (empty string for an empty cell).

    Raises
    ------
    DataError
        Not UTF-8 (UTF-16/32 named when recognised), empty, a header without
        rows, or not parseable as CSV; the message names the file and the line.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise DataError(
            f"{where}: expected UTF-8 text, but the file looks like UTF-16 or UTF-32 "
            "(byte-order mark or NUL bytes); save it as UTF-8 CSV."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{where}: expected UTF-8 text, but line {line} holds a byte that is not UTF-8 "
            f"({data[exc.start:exc.start + 1]!r})."
        ) from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError(
            f"{where}: the file is empty; expected the header {','.join(CSV_COLUMNS)} and "
            "at least one row."
        )
    if len(lines) == 1:
        raise DataError(f"{where}: expected at least one row after the header, received none.")
    if ";" in lines[0] and "," not in lines[0]:
        raise DataError(
            f"{where}: expected comma-separated columns {','.join(CSV_COLUMNS)}, but the header "
            f"is separated by ';' ({lines[0][:80]!r})."
        )
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise DataError(f"{where}: expected a CSV table, but it does not parse ({detail}).") from None


def _fmt_dates(dates: pd.Index | list[object], limit: int = 8) -> str:
    shown = [pd.Timestamp(str(d)).strftime("%Y-%m-%d") for d in list(dates)[:limit]]
    text = ", ".join(shown)
    if len(dates) > limit:
        text += f", ... ({len(dates)} in total)"
    return text


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, float) and math.isnan(value)


def _to_float(series: pd.Series, column: str, where: str) -> pd.Series:
    """Convert cells exactly (Python ``float``), empty -> NaN, garbage -> DataError."""
    values = np.empty(len(series), dtype="float64")
    for i, cell in enumerate(series.tolist()):
        if _is_empty(cell):
            values[i] = np.nan
            continue
        try:
            number = float(cell.strip() if isinstance(cell, str) else cell)
        except (TypeError, ValueError):
            raise DataError(
                f"{where}: column `{column}` expected numbers or empty cells, but row "
                f"{i + 1} (CSV line {i + 2}) holds {str(cell)[:40]!r}."
            ) from None
        if not math.isfinite(number):
            raise DataError(
                f"{where}: column `{column}` expected finite numbers or empty cells, but row "
                f"{i + 1} (CSV line {i + 2}) holds {str(cell)[:40]!r}."
            )
        values[i] = number
    return pd.Series(values, index=series.index, name=column)


def _parse_dates(raw: pd.Series, where: str) -> pd.DatetimeIndex:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        dates = pd.DatetimeIndex(raw)
        if dates.tz is not None:
            raise DataError(f"{where}: column `date` expected tz-naive dates, but got tz={dates.tz}.")
    else:
        text = raw.astype(object).map(lambda v: "" if _is_empty(v) else str(v).strip())
        years = pd.to_numeric(text.str.extract(r"^(\d{4})-", expand=False), errors="coerce")
        early = np.flatnonzero((years < EARLIEST_DATE.year).to_numpy())
        if len(early):
            i = int(early[0])
            raise DataError(
                f"{where}: column `date` expected dates from {EARLIEST_DATE:%Y-%m-%d} on, but "
                f"row {i + 1} (CSV line {i + 2}) holds {text.iloc[i]!r}."
            )
        dates = pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
        bad = np.flatnonzero(dates.isna())
        if len(bad):
            i = int(bad[0])
            raise DataError(
                f"{where}: column `date` expected YYYY-MM-DD dates, but row {i + 1} (CSV "
                f"line {i + 2}) holds {text.iloc[i][:40]!r}"
                + (f" ({len(bad)} such rows in total)." if len(bad) > 1 else ".")
            )
        today = pd.Timestamp.today().normalize()
        future = np.flatnonzero(dates > today)
        if len(future):
            i = int(future[0])
            raise DataError(
                f"{where}: column `date` expected recorded dates (up to today, {today:%Y-%m-%d}), "
                f"but row {i + 1} (CSV line {i + 2}) holds {text.iloc[i]!r}."
            )
    if dates.isna().any():
        raise DataError(f"{where}: column `date` has missing dates.")
    not_midnight = dates[dates != dates.normalize()]
    if len(not_midnight):
        raise DataError(
            f"{where}: column `date` expected dates at midnight, but got {not_midnight[0]}."
        )
    return pd.DatetimeIndex(dates.as_unit("ns"), name="date")


def _check_dates(dates: pd.DatetimeIndex, where: str) -> None:
    duplicated = dates[dates.duplicated()].unique()
    if len(duplicated):
        raise DuplicateDatesError(
            f"{where}: expected unique dates, but these occur more than once: "
            f"{_fmt_dates(duplicated)}."
        )
    values = dates.asi8
    backwards = np.flatnonzero(values[1:] < values[:-1])
    if len(backwards):
        i = int(backwards[0]) + 1
        raise UnsortedDatesError(
            f"{where}: expected ascending dates, but {_fmt_dates([dates[i]])} (row {i + 1}) "
            f"follows {_fmt_dates([dates[i - 1]])}."
        )


def validate_price_frame(frame: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Validate a raw price table and return the per-symbol price frame.

    Parameters
    ----------
    frame
        Raw table with exactly the columns of ``CSV_COLUMNS`` (any order).
        Cells may be strings (empty string = missing) or numbers.
    symbol
        The symbol the table is expected to hold; every ``symbol`` cell must
        equal it.
    where
        Where the table came from (file path or download description), used in
        error messages.

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (``DatetimeIndex``, tz-naive, midnight, ascending,
        unique), float64 columns ``PRICE_COLUMNS`` in that order.

    Raises
    ------
    DataError
        Missing/extra columns, an empty table, a ``symbol`` cell that is not
        ``symbol``, unparseable dates or numbers.
    DuplicateDatesError, UnsortedDatesError
        Dates not unique / not ascending.
    MissingPriceError
        An existing row without a ``close``.
    NonPositivePriceError
        A value <= 0 in ``open``, ``high``, ``low``, ``close`` or ``adj_close``.
    """
    columns = [str(c) for c in frame.columns]
    missing = [c for c in CSV_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in CSV_COLUMNS]
    if missing or extra or len(set(columns)) != len(columns):
        raise DataError(
            f"{where}: expected columns {','.join(CSV_COLUMNS)}, but received "
            f"{','.join(columns)} (missing: {missing or 'none'}; unexpected: {extra or 'none'})."
        )
    if len(frame) == 0:
        raise DataError(f"{where}: expected at least one row for symbol {symbol!r}, got none.")
    symbols = frame["symbol"].astype(object).map(lambda v: "" if _is_empty(v) else str(v).strip())
    wrong = sorted(set(symbols[symbols != symbol]))
    if wrong:
        raise DataError(
            f"{where}: column `symbol` expected {symbol!r} on every row, but also found "
            f"{', '.join(repr(s) for s in wrong[:8])}."
        )
    dates = _parse_dates(frame["date"], where)
    _check_dates(dates, where)
    out = pd.DataFrame(
        {c: _to_float(frame[c], c, where).to_numpy() for c in PRICE_COLUMNS}, index=dates
    )
    no_close = out.index[out["close"].isna()]
    if len(no_close):
        raise MissingPriceError(
            f"{where}: symbol {symbol!r} expected a close on every row, but it is missing on "
            f"{_fmt_dates(no_close)}."
        )
    for column in POSITIVE_COLUMNS:
        bad = out[column][out[column] <= 0]
        if len(bad):
            raise NonPositivePriceError(
                f"{where}: symbol {symbol!r} column `{column}` expected prices > 0, but got "
                + ", ".join(f"{v!r} on {_fmt_dates([d])}" for d, v in bad.head(8).items())
                + "."
            )
    negative_volume = out.index[out["volume"] < 0]
    if len(negative_volume):
        raise DataError(
            f"{where}: symbol {symbol!r} column `volume` expected values >= 0, but it is "
            f"negative on {_fmt_dates(negative_volume)}."
        )
    return out
