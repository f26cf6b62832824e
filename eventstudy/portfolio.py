"""The portfolio approach to clustered events.

When events share a date, the event firms can be combined into one portfolio
and studied as a single security: the portfolio's estimation-window residual
variance then already contains the firms' cross-correlation, so its t-test is
robust to the clustering (Brown & Warner 1980's "crude dependence adjustment";
Jaffe 1974; Mandelker 1974).

References
----------
Jaffe, J. F. (1974). Special information and insider trading. Journal of
Business 47(3), 410-428.
Mandelker, G. (1974). Risk and return: the case of merging firms. Journal of
Financial Economics 1(4), 303-335.
Brown, S. J., & Warner, J. B. (1980). Measuring security price performance.
Journal of Financial Economics 8(3), 205-258.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError, UnknownSymbolError
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS
from eventstudy.results import EventStudyResult
from eventstudy.study import event_study, prepare_data

__all__ = ["portfolio_event_study", "portfolio_returns"]


def portfolio_returns(returns: pd.DataFrame, weights: pd.Series | None = None,
                      name: str | None = None) -> pd.Series:
    """Daily returns of a portfolio rebalanced to fixed weights every session.

    Parameters
    ----------
    returns : DataFrame
        Sessions x members.
    weights : Series, optional
        Weight per member (e.g. market values on a date before the event); they
        are normalised to sum to one. Default: equal weights.
    name : str, optional
        Name of the returned Series (default ``"EW portfolio"`` / ``"VW portfolio"``).

    Returns
    -------
    Series
        NaN on any session where a member's return is missing: the portfolio is
        never silently re-weighted over the members that happen to have data.
    """
    members = list(returns.columns)
    if weights is None:
        w = np.full(len(members), 1.0 / len(members))
        label = name or "EW portfolio"
    else:
        missing = [m for m in members if m not in weights.index]
        if missing:
            raise InvalidParameterError("weights", f"a weight for every member {members}", missing)
        raw = weights.reindex(members).to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw.sum() <= 0:
            raise InvalidParameterError("weights", "finite non-negative weights with a positive sum",
                                        weights.to_dict())
        w = raw / raw.sum()
        label = name or "VW portfolio"
    values = returns.to_numpy(dtype=np.float64) @ w  # NaN propagates: any missing member -> NaN
    return pd.Series(values, index=returns.index, name=label)


def portfolio_event_study(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | None = None,
    benchmark: str,
    event_date: object,
    securities: Sequence[str],
    weights: pd.Series | None = None,
    **kwargs: Any,
) -> EventStudyResult:
    """Event study of the event firms' portfolio as one security.

    ``weights=None`` gives the equal-weighted portfolio; pass market values
    (e.g. close x shares on the last session before the estimation window ends)
    for the value-weighted one. Other keyword arguments go to
    :func:`~eventstudy.study.event_study`. The portfolio's ``diagnostics`` row
    and ``notes`` say which members and weights were used.
    """
    data = prepare_data(prices, returns=returns, return_type=kwargs.get("return_type", "simple"),
                        calendar=kwargs.get("calendar", "XNYS"),
                        return_bounds=kwargs.get("return_bounds", DEFAULT_RETURN_BOUNDS))
    cols = list(data.returns.columns)
    unknown = [s for s in [*securities, benchmark] if s not in cols]
    if unknown:
        raise UnknownSymbolError(unknown, "the return data", cols)
    if len(securities) < 2:
        raise InvalidParameterError("securities", "two or more portfolio members", list(securities))
    port = portfolio_returns(data.returns[list(securities)], weights)
    frame = pd.concat([port, data.returns[benchmark]], axis=1)
    kwargs = {k: v for k, v in kwargs.items() if k not in ("return_type",)}
    result = event_study(returns=frame, benchmark=benchmark, event_date=event_date,
                         securities=[str(port.name)], **kwargs)
    w = ("equal weights" if weights is None else
         "weights " + ", ".join(f"{s} {v:.3f}" for s, v in
                                (weights.reindex(list(securities)) / weights.sum()).items()))
    note = (f"{port.name}: {len(securities)} members ({', '.join(securities)}), {w}, rebalanced "
            "daily; a session with any member's return missing is missing for the portfolio.")
    return _with_note(result, note)


def _with_note(result: EventStudyResult, note: str) -> EventStudyResult:
    from dataclasses import replace

    return replace(result, notes=(*result.notes, note))
