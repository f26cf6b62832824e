"""Validation and calendar alignment of user-supplied wide price/return frames.

Wide frames have dates as rows and securities as columns. A NaN cell is a
*missing observation* (e.g. before a listing) and is kept and counted, never
filled. Dates that are not sessions, duplicated or unsorted dates, non-positive
prices and returns at or below -100% are errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    InvalidParameterError,
    NonPositivePriceError,
    NonSessionDateError,
    UnsortedDatesError,
)

ReturnType = Literal["simple", "log"]

__all__ = ["ReturnType", "align_to_sessions", "as_wide", "prices_to_returns", "validate_wide"]


def _first(values: Sequence[object], limit: int = 5) -> str:
    vals = [str(pd.Timestamp(v).date()) if isinstance(v, pd.Timestamp) else str(v) for v in values]
    more = f" ... ({len(vals)} in total)" if len(vals) > limit else ""
    return ", ".join(vals[:limit]) + more


def as_wide(data: pd.DataFrame | pd.Series, parameter: str) -> pd.DataFrame:
    """Coerce ``data`` to a float DataFrame with a DatetimeIndex named ``date``."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=str(data.name) if data.name is not None else parameter)
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            parameter, "a pandas DataFrame (dates x securities) or Series", type(data).__name__
        )
    if data.empty:
        raise InvalidParameterError(parameter, "a non-empty frame", "an empty frame")
    try:
        index = pd.DatetimeIndex(data.index)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, "an index of dates", data.index[:3].tolist()) from exc
    if index.tz is not None:
        index = index.tz_convert(None)
    try:
        values = data.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, "numeric columns", list(data.dtypes.astype(str))) from exc
    out = pd.DataFrame(values, index=pd.DatetimeIndex(index, name="date"),
                       columns=pd.Index([str(c) for c in data.columns], name="security"))
    if out.columns.duplicated().any():
        raise InvalidParameterError(
            parameter, "unique column names", out.columns[out.columns.duplicated()].tolist()
        )
    return out


def validate_wide(frame: pd.DataFrame, parameter: str, kind: Literal["prices", "returns"]) -> None:
    """Check dates (unique, ascending, midnight) and values (prices > 0, returns > -1)."""
    idx = pd.DatetimeIndex(frame.index)
    if idx.has_duplicates:
        raise DuplicateDatesError(
            f"`{parameter}` has duplicated dates: {_first(idx[idx.duplicated()].unique().tolist())}."
        )
    if not idx.is_monotonic_increasing:
        pos = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0]) + 1
        raise UnsortedDatesError(
            f"`{parameter}` dates are not ascending: {idx[pos].date()} follows {idx[pos - 1].date()}."
        )
    if (idx != idx.normalize()).any():
        raise InvalidParameterError(parameter, "daily dates without a time of day", idx[:3].tolist())
    values = frame.to_numpy()
    if np.isinf(values).any():
        raise DataError(f"`{parameter}` contains infinite values.")
    if kind == "prices":
        bad = np.argwhere(values <= 0)
        if bad.size:
            r, c = bad[0]
            raise NonPositivePriceError(
                f"`{parameter}` has non-positive prices ({len(bad)} cells), first: "
                f"{frame.columns[c]} on {idx[r].date()} = {values[r, c]!r}. Prices must be > 0."
            )
    else:
        bad = np.argwhere(values <= -1)
        if bad.size:
            r, c = bad[0]
            raise DataError(
                f"`{parameter}` has returns <= -100% ({len(bad)} cells), first: "
                f"{frame.columns[c]} on {idx[r].date()} = {values[r, c]!r}."
            )


def align_to_sessions(
    frame: pd.DataFrame, calendar: TradingCalendar, sessions: pd.DatetimeIndex, parameter: str
) -> pd.DataFrame:
    """Reindex ``frame`` onto ``sessions``; a row on a non-session date is an error."""
    extra = frame.index.difference(sessions)
    if len(extra):
        raise NonSessionDateError(
            f"`{parameter}` has rows on dates that are not {calendar.name} sessions: "
            f"{_first(extra.tolist())}. Remove them or choose another `calendar`."
        )
    return frame.reindex(sessions)


def prices_to_returns(prices: pd.DataFrame, return_type: ReturnType = "simple") -> pd.DataFrame:
    """Session-to-session returns; a return is NaN when either price is missing.

    The first session has no return. Missing prices are never filled, so a
    return across a gap is not computed (it would span more than one session).
    """
    if return_type not in ("simple", "log"):
        raise InvalidParameterError("return_type", "'simple' or 'log'", return_type)
    p = prices.to_numpy()
    ratio = np.full_like(p, np.nan)
    ratio[1:] = p[1:] / p[:-1]
    values = np.log(ratio) if return_type == "log" else ratio - 1.0
    return pd.DataFrame(values, index=prices.index, columns=prices.columns)
