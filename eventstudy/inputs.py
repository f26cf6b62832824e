"""Validation and calendar alignment of user-supplied wide price/return frames.

Wide frames have dates as rows and securities as columns. A NaN cell is a
*missing observation* (e.g. before a listing) and is kept and counted, never
filled. Dates that are not sessions, duplicated or unsorted dates and
non-positive prices are errors.

Two plausibility checks guard against garbage that would otherwise pass as a
result:

- :func:`check_not_levels`: a frame given as *returns* whose column has a median
  absolute value above :data:`LEVELS_MEDIAN_THRESHOLD` (0.5, i.e. a typical daily
  move of 50%) holds price levels or percentages, and is refused.
- :func:`check_return_bounds`: a daily simple return at or below -100% or above
  +1000% (:data:`DEFAULT_RETURN_BOUNDS`) is refused, naming the security, the
  date and the value, whether the returns were given or computed from prices.
  The bounds are the ``return_bounds`` keyword of the entry points (``None``
  switches the check off).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar, exchange_timezone
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    ImplausibleReturnError,
    InvalidParameterError,
    NonPositivePriceError,
    NonSessionDateError,
    PriceLevelsAsReturnsError,
    UnsortedDatesError,
)

ReturnType = Literal["simple", "log"]

ReturnBounds = tuple[float, float]

__all__ = ["DEFAULT_RETURN_BOUNDS", "LEVELS_MEDIAN_THRESHOLD", "ReturnBounds", "ReturnType",
           "align_to_sessions", "as_wide", "check_not_levels", "check_return_bounds",
           "parse_return_bounds", "prices_to_returns", "validate_wide"]

#: Plausible daily simple returns: a return ``r`` is refused when ``r <= -1.0``
#: (a loss of 100% or more) or ``r > 10.0`` (a gain above +1000%).
DEFAULT_RETURN_BOUNDS: ReturnBounds = (-1.0, 10.0)

#: A returns column whose median absolute value is above this holds price levels
#: (or percentages): daily returns have medians of about 0.01.
LEVELS_MEDIAN_THRESHOLD = 0.5


def _first(values: Sequence[object], limit: int = 5) -> str:
    vals = [str(pd.Timestamp(v).date()) if isinstance(v, pd.Timestamp) else str(v) for v in values]
    more = f" ... ({len(vals)} in total)" if len(vals) > limit else ""
    return ", ".join(vals[:limit]) + more


def as_wide(data: pd.DataFrame | pd.Series, parameter: str, calendar: str = "XNYS") -> pd.DataFrame:
    """Coerce ``data`` to a float DataFrame with a DatetimeIndex named ``date``.

    Index labels may be datetimes or ISO 8601 strings (``2025-01-27``); other
    date formats are refused rather than guessed. A timezone-aware index (as
    ``yfinance.Ticker.history`` returns) is converted to the time zone of
    ``calendar`` and its dates kept; a time of day other than midnight there is
    refused later by :func:`validate_wide`. A ``yfinance.download`` frame
    (columns ``(Price, Ticker)``) is reduced to one price per ticker, ``Adj
    Close`` where present and ``Close`` otherwise
    (:func:`eventstudy.data.wide.from_yfinance_frame`). The choice, or a
    ``basis`` already in ``data.attrs`` (as :func:`eventstudy.load_prices` sets
    it), is kept in the returned frame's ``attrs["basis"]``.
    """
    if isinstance(data, pd.DataFrame) and isinstance(data.columns, pd.MultiIndex):
        from eventstudy.data.wide import from_yfinance_frame, is_yfinance_frame

        if is_yfinance_frame(data):
            data = from_yfinance_frame(data, parameter)
    if isinstance(data, pd.Series):
        data = data.to_frame(name=str(data.name) if data.name is not None else parameter)
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            parameter, "a pandas DataFrame (dates x securities) or Series", type(data).__name__
        )
    if data.empty:
        raise InvalidParameterError(parameter, "a non-empty frame", "an empty frame")
    labels = data.index
    if (labels.dtype == object or pd.api.types.is_string_dtype(labels.dtype)) and all(
        isinstance(v, str) for v in labels[:1000]
    ):
        parsed = pd.to_datetime(pd.Series(labels, dtype=object), format="ISO8601", errors="coerce")
        if parsed.isna().any():
            bad = labels[int(np.flatnonzero(parsed.isna().to_numpy())[0])]
            raise InvalidParameterError(
                f"{parameter}.index", "ISO 8601 dates such as '2025-01-27' (other formats are "
                "ambiguous and not guessed)", bad,
            )
        labels = pd.Index(parsed)
    try:
        index = pd.DatetimeIndex(labels)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, "an index of dates", data.index[:3].tolist()) from exc
    if index.tz is not None:
        index = index.tz_convert(exchange_timezone(calendar)).tz_localize(None)
    try:
        values = data.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(parameter, "numeric columns", list(data.dtypes.astype(str))) from exc
    out = pd.DataFrame(values, index=pd.DatetimeIndex(index, name="date"),
                       columns=pd.Index([str(c) for c in data.columns], name="security"))
    basis = data.attrs.get("basis")
    if isinstance(basis, dict):
        out.attrs["basis"] = {str(k): str(v) for k, v in basis.items()}
    if out.columns.duplicated().any():
        raise InvalidParameterError(
            parameter, "unique column names", out.columns[out.columns.duplicated()].tolist()
        )
    return out


def validate_wide(frame: pd.DataFrame, parameter: str, kind: Literal["prices", "returns"]) -> None:
    """Check dates (unique, ascending, midnight), finite values and prices > 0.

    Return values are checked by :func:`check_not_levels` and
    :func:`check_return_bounds`.
    """
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
    timed = idx[idx != idx.normalize()]
    if len(timed):
        raise InvalidParameterError(
            f"{parameter}.index",
            "daily dates without a time of day (a timezone-aware index is first converted to the "
            "calendar's time zone, where it must fall on midnight)",
            str(timed[0]),
        )
    values = frame.to_numpy()
    if np.isinf(values).any():
        raise DataError(f"`{parameter}` contains infinite values.")
    if kind == "prices":
        bad = np.argwhere(values <= 0)
        if bad.size:
            r, c = bad[0]
            raise NonPositivePriceError(
                f"`{parameter}` has non-positive prices ({len(bad)} cells), first: "
                f"{frame.columns[c]} on {idx[r].date()} = {float(values[r, c])!r}. Prices must be > 0."
            )


def parse_return_bounds(bounds: object) -> ReturnBounds | None:
    """Validate the ``return_bounds`` keyword: ``None`` or ``(lower, upper)`` with ``lower < upper``."""
    if bounds is None:
        return None
    expected = "None or a pair (lower, upper) of numbers with lower < upper, e.g. (-1.0, 10.0)"
    if isinstance(bounds, str | bytes) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise InvalidParameterError("return_bounds", expected, bounds)
    try:
        lo, hi = float(bounds[0]), float(bounds[1])
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError("return_bounds", expected, bounds) from exc
    if math.isnan(lo) or math.isnan(hi) or not lo < hi:
        raise InvalidParameterError("return_bounds", expected, bounds)
    return lo, hi


def check_not_levels(frame: pd.DataFrame, parameter: str, hint: str = "") -> None:
    """Refuse a returns frame that holds price levels or percentages.

    A column whose median absolute value (over its non-missing cells) is above
    :data:`LEVELS_MEDIAN_THRESHOLD` cannot be daily returns in decimals. Counted
    exactly as "more than half of the non-missing values exceed the threshold in
    absolute value" (no sort: one pass over the frame).

    Raises
    ------
    PriceLevelsAsReturnsError
        Naming ``parameter``, the columns and their medians; ``hint`` is appended.
    """
    values = frame.to_numpy(dtype=np.float64)
    if values.size == 0:
        return
    # median |x| > t  <=>  more than half of the non-missing |x| exceed t: a count, no sort.
    with np.errstate(invalid="ignore"):
        above = (np.abs(values) > LEVELS_MEDIAN_THRESHOLD).sum(axis=0)
    present = np.isfinite(values).sum(axis=0)
    bad = np.flatnonzero(2 * above > present)
    if not bad.size:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.full(values.shape[1], np.nan)
        med[bad] = np.nanmedian(np.abs(values[:, bad]), axis=0)
    cols = [str(c) for c in frame.columns[bad]]
    shown = ", ".join(f"{c!r} (median |value| {med[j]:.4g})" for c, j in list(zip(cols, bad, strict=True))[:5])
    more = f" ... ({len(cols)} columns in total)" if len(cols) > 5 else ""
    raise PriceLevelsAsReturnsError(
        f"`{parameter}` should hold daily returns in decimals (0.01 = 1%), but column(s) {shown}{more} "
        f"look like price levels or percentages: a median absolute return above "
        f"{LEVELS_MEDIAN_THRESHOLD} is a typical move of more than {100 * LEVELS_MEDIAN_THRESHOLD:.0f}% "
        f"a day.{(' ' + hint) if hint else ''}",
        parameter=parameter, columns=cols, medians=[float(med[j]) for j in bad],
    )


def check_return_bounds(
    returns: pd.DataFrame,
    bounds: ReturnBounds | None,
    *,
    return_type: ReturnType = "simple",
    parameters: Mapping[str, str] | None = None,
    prices: pd.DataFrame | None = None,
    default_parameter: str = "returns",
) -> None:
    """Refuse daily returns outside ``bounds`` (``r <= lower`` or ``r > upper``).

    Parameters
    ----------
    returns : DataFrame
        Sessions x securities; NaN cells (missing) are not checked.
    bounds : (lower, upper) or None
        Simple-return bounds; ``None`` skips the check. Log returns
        (``return_type="log"``) are converted with ``expm1`` before comparing.
    parameters : mapping, optional
        Column -> the argument it came from (for the message); default
        ``default_parameter``.
    prices : DataFrame, optional
        The prices the returns were computed from (same grid); the message then
        quotes the two prices.

    Raises
    ------
    ImplausibleReturnError
        Naming the argument, the security, the session and the value of the
        first offending return, and how many there are.
    """
    if bounds is None:
        return
    lo, hi = bounds
    values = returns.to_numpy(dtype=np.float64)
    simple = np.expm1(values) if return_type == "log" else values
    with np.errstate(invalid="ignore"):
        bad = (simple <= lo) | (simple > hi)
    if not bad.any():
        return
    hits = np.argwhere(bad)
    r, c = (int(v) for v in hits[0])
    security = str(returns.columns[c])
    parameter = (parameters or {}).get(security, default_parameter)
    date = pd.Timestamp(returns.index[r])
    value = float(simple[r, c])
    source = f"`{parameter}`"
    if prices is not None and r > 0:
        before = prices.index[r - 1]
        pv = prices.to_numpy(dtype=np.float64)
        now, then = float(pv[r, c]), float(pv[r - 1, c])
        source = (f"`{parameter}` (price {now:.6g} on {date.date()} after "
                  f"{then:.6g} on {pd.Timestamp(before).date()})")
    kind = "log return" if return_type == "log" else "return"
    shown = f"{value:+.6g}" if return_type == "simple" else f"{values[r, c]:+.6g} (simple {value:+.6g})"
    raise ImplausibleReturnError(
        f"Implausible daily {kind} for {security!r} on {date.date()} from {source}: {shown}; "
        f"a daily simple return must be above {lo:g} and at most {hi:g} (`return_bounds`="
        f"({lo:g}, {hi:g}); {len(hits)} cell(s) outside). Fix the data, or widen the bounds "
        "or switch the check off with `return_bounds=None`.",
        parameter=parameter, security=security, date=date, value=value, count=len(hits),
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
