"""Wide prices or returns put on exchange session grids, ready for the engine.

:func:`prepare_data` puts every column on one calendar (the ``calendar``
argument). :func:`prepare_calendars` puts each column on its own exchange's
calendar (:mod:`eventstudy.exchanges`) and builds one :class:`PreparedData` per
calendar of the study's securities: the securities of that calendar on its
sessions, plus any benchmark that trades elsewhere, matched by date (a session
with no session of the benchmark's exchange on that date has no benchmark
return: missing, never filled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar
from eventstudy.errors import InvalidParameterError, NonSessionDateError
from eventstudy.inputs import (
    DEFAULT_RETURN_BOUNDS,
    ReturnBounds,
    ReturnType,
    align_to_sessions,
    as_wide,
    check_not_levels,
    check_return_bounds,
    parse_return_bounds,
    prices_to_returns,
    validate_wide,
)

__all__ = ["PreparedData", "prepare_calendars", "prepare_data"]

_LEVELS_HINT = ("Pass price levels as `prices=` (or `event_study(returns=prepare_data(prices=...), "
                "events=...)`), or divide percentages by 100.")


@dataclass(frozen=True)
class PreparedData:
    """Returns on a session grid, ready for many event studies.

    Attributes
    ----------
    returns : DataFrame
        Sessions x securities (benchmarks included), NaN where missing.
    factors : DataFrame or None
        Sessions x factor columns (decimal), NaN where missing.
    calendar : TradingCalendar
    return_type : str
    basis : dict
        What each column's returns are computed from (e.g. ``"adj_close"``).
    """

    returns: pd.DataFrame
    factors: pd.DataFrame | None
    calendar: TradingCalendar
    return_type: str
    basis: dict[str, str]
    #: Columns that trade on another exchange, matched to these sessions by date: {column: code}.
    foreign: dict[str, str] = field(default_factory=dict)

    @property
    def sessions(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.returns.index)


def prepare_data(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | None = None,
    benchmark: pd.Series | pd.DataFrame | None = None,
    factors: pd.DataFrame | None = None,
    return_type: ReturnType = "simple",
    calendar: str = "XNYS",
    basis: dict[str, str] | None = None,
    return_bounds: tuple[float, float] | None = DEFAULT_RETURN_BOUNDS,
) -> PreparedData:
    """Validate wide data and put it on the exchange's session grid.

    Give either ``prices`` or ``returns`` (dates x securities). ``benchmark``
    may be an extra Series/DataFrame of the same kind (prices or returns);
    ``factors`` are Fama-French style factor returns in decimals (with ``RF``).

    Returns given as ``returns`` (or a returns ``benchmark``) whose column has a
    median absolute value above 0.5 are refused as price levels or percentages
    (:class:`~eventstudy.errors.PriceLevelsAsReturnsError`). Every daily return,
    given or computed from prices, and every factor return must be a simple
    return ``r`` with ``lower < r <= upper`` for ``return_bounds=(lower, upper)``
    (default ``(-1.0, 10.0)``: at or below -100% or above +1000% is refused with
    :class:`~eventstudy.errors.ImplausibleReturnError`); ``None`` switches that
    check off. A date that is not a session of ``calendar`` must be empty
    (NaN in every column); a value there raises
    :class:`~eventstudy.errors.NonSessionDateError`.
    """
    if (prices is None) == (returns is None):
        raise InvalidParameterError(
            "prices/returns", "exactly one of `prices` or `returns`",
            "both" if prices is not None else "neither",
        )
    kind = "prices" if prices is not None else "returns"
    raw = prices if prices is not None else returns
    assert raw is not None
    data = as_wide(raw, kind, calendar)
    basis = {**data.attrs.get("basis", {}), **(basis or {})}  # e.g. adj_close vs close (yfinance)
    bench = as_wide(benchmark, "benchmark", calendar) if benchmark is not None else None
    columns = [*data.columns, *(bench.columns if bench is not None else [])]
    return prepare_calendars(
        data, kind=kind, calendars={str(c): calendar for c in columns}, groups={calendar: []},
        benchmark=bench, factors=factors, return_type=return_type, basis=basis,
        return_bounds=return_bounds)[calendar]


def _own_calendar(wide: pd.DataFrame, cols: list[str], code: str, kind: str,
                  origin: Mapping[str, str]) -> tuple[TradingCalendar, pd.DataFrame]:
    """``wide[cols]`` on the sessions of ``code`` over the whole span of ``wide``.

    A date that is not a session of ``code`` must be empty in these columns (it is
    padding from another exchange's dates); a value there is an error.
    """
    start, end = wide.index.min(), wide.index.max()
    cal = TradingCalendar(code, start=start, end=end)
    sessions = cal.sessions(start, end)
    sub = wide if wide.columns.tolist() == cols else wide[cols]
    off = ~sub.index.isin(sessions)  # only these dates can hold a value that is not allowed
    present = sub.loc[off].notna().any(axis=1).to_numpy() if off.any() else np.zeros(0, dtype=bool)
    extra = sub.index[off][present].difference(sessions)
    if len(extra):
        where = sorted({origin.get(c, kind) for c in cols})
        shown = ", ".join(str(d.date()) for d in extra[:5])
        more = f" ... ({len(extra)} in total)" if len(extra) > 5 else ""
        bad = [c for c in cols if sub.loc[extra, c].notna().any()]
        raise NonSessionDateError(
            f"`{'/'.join(where)}` column(s) {bad[:5]} (on {code}) have values on dates that are not "
            f"{code} sessions: {shown}{more}. Remove them, or give those securities their exchange "
            "(`calendar=`)."
        )
    return cal, sub.reindex(sessions)


def prepare_calendars(
    data: pd.DataFrame,
    *,
    kind: str,
    calendars: Mapping[str, str],
    groups: Mapping[str, Sequence[str]],
    benchmark: pd.DataFrame | None = None,
    factors: pd.DataFrame | None = None,
    return_type: ReturnType = "simple",
    basis: Mapping[str, str] | None = None,
    return_bounds: ReturnBounds | None = DEFAULT_RETURN_BOUNDS,
) -> dict[str, PreparedData]:
    """One :class:`PreparedData` per calendar, each column computed on its own exchange.

    Parameters
    ----------
    data : DataFrame
        Wide prices or returns (``kind``), already through :func:`~eventstudy.inputs.as_wide`.
    kind : {"prices", "returns"}
    calendars : mapping
        ``{column: exchange_calendars code}`` for every column of ``data`` and ``benchmark``.
    groups : mapping
        ``{code: columns}``: the calendars to prepare and, for each, the columns of
        *other* calendars it needs (benchmarks), matched to its sessions by date.
    benchmark : DataFrame, optional
        Extra columns of the same kind (a benchmark given as a Series).
    factors : DataFrame, optional
        Factor returns (decimals). With one calendar they must lie on its sessions
        (as :func:`prepare_data`); with several, each calendar takes them by date.

    Returns
    -------
    dict
        ``{code: PreparedData}``; ``foreign`` names the columns matched by date.

    Notes
    -----
    Returns are computed session to session on each column's own exchange, so a
    Tokyo stock's return on 2025-01-20 (a New York holiday) is kept, and a New York
    stock has no row that day. A benchmark from another exchange is matched by
    date: its return on the same date, missing where its exchange had no session.
    """
    bounds = parse_return_bounds(return_bounds)
    validate_wide(data, kind, kind)  # type: ignore[arg-type]
    if kind == "returns":
        check_not_levels(data, "returns", _LEVELS_HINT)
    frames = [data]
    origin: dict[str, str] = {}
    if benchmark is not None:
        validate_wide(benchmark, "benchmark", kind)  # type: ignore[arg-type]
        if kind == "returns":
            check_not_levels(benchmark, "benchmark", _LEVELS_HINT)
        clash = [c for c in benchmark.columns if c in data.columns]
        if clash:
            raise InvalidParameterError(
                "benchmark", f"a series whose name is not already a column of `{kind}`", clash)
        frames.append(benchmark)
        origin = {str(c): "benchmark" for c in benchmark.columns}
    wide = pd.concat(frames, axis=1, sort=True) if len(frames) > 1 else data
    if wide.index.min() == wide.index.max():
        raise InvalidParameterError(kind, "at least two dates (returns need a previous session)",
                                    f"one date, {wide.index.min().date()}")
    by_code: dict[str, list[str]] = {}
    for c in map(str, wide.columns.tolist()):  # a list: no per-label pandas access
        by_code.setdefault(calendars[c], []).append(c)
    own: dict[str, tuple[TradingCalendar, pd.DataFrame]] = {}
    for code, cols in by_code.items():
        cal, sub = _own_calendar(wide, cols, code, kind, origin)
        rets = prices_to_returns(sub, return_type) if kind == "prices" else sub
        check_return_bounds(rets, bounds, return_type=return_type, parameters=origin,
                            prices=sub if kind == "prices" else None, default_parameter=kind)
        own[code] = (cal, rets)
    fac_all = None
    if factors is not None:
        fac_all = as_wide(factors, "factors")
        validate_wide(fac_all, "factors", "returns")
        check_not_levels(fac_all, "factors", "Factor returns are expected in decimals: divide "
                                             "Kenneth French's percentages by 100.")
    cols_basis = dict(basis or {})
    out: dict[str, PreparedData] = {}
    for code, needed in groups.items():
        cal, rets = own[code]
        sessions = pd.DatetimeIndex(rets.index)
        parts = [rets]
        foreign: dict[str, str] = {}
        for c in needed:
            other = calendars[c]
            if other == code or c in rets.columns:
                continue
            parts.append(own[other][1][[c]].reindex(sessions))
            foreign[c] = other
        frame = pd.concat(parts, axis=1) if len(parts) > 1 else rets
        fac = None
        if fac_all is not None:
            inside = fac_all.loc[(fac_all.index >= sessions[0]) & (fac_all.index <= sessions[-1])]
            check_return_bounds(inside, bounds, default_parameter="factors")
            fac = (align_to_sessions(inside, cal, sessions, "factors") if len(own) == 1
                   else inside.reindex(sessions))
            fac.columns = pd.Index(list(fac.columns), name="factor")
        out[code] = PreparedData(frame, fac, cal, return_type,
                                 {c: cols_basis.get(c, kind) for c in map(str, frame.columns.tolist())},
                                 foreign)
    return out

