"""Abnormal trading volume: the event study of log volume (``kind="volume"``).

Definition (Campbell & Wasley 1996)
-----------------------------------
The value of security ``i`` on session ``t`` is its log volume

    v_it = log(1 + V_it)

with ``V_it`` the shares traded (``1 +`` keeps a zero-volume day defined:
``log 1 = 0``). A missing or empty volume cell is a missing observation,
never filled. The normal log volume is the market model against the
benchmark's log volume,

    v_it = a_i + b_i v_mt + e_it,

fitted by OLS over the estimation window, when the benchmark has a positive
volume on at least ``min_estimation_obs`` days of every event's estimation
window; otherwise the mean-adjusted model (``constant_mean``, ``v_it = a_i +
e_it``) is used for every event and a note says why. The abnormal log volume
``AV_it = v_it - E[v_it]`` runs through the returns engine unchanged: its
t-tests (per event with the forecast-error correction, cross-sectional), the
rank tests (Corrado 1989 and the rest of the battery) and the CAV, the sum of
abnormal log volume over a window (the CAR table of the volume panel). The
buy-and-hold tests are marked undefined (compounding log volume means nothing).

An abnormal log volume of ``x`` means volume ``exp(x)`` times its normal level
(``x = 1.39``: four times).

References
----------
Campbell, C. J., & Wasley, C. E. (1996). Measuring abnormal daily trading
volume for samples of NYSE/ASE and NASDAQ securities using parametric and
nonparametric test statistics. Review of Quantitative Finance and Accounting
6(3), 309-326.
Ajinkya, B. B., & Jain, P. C. (1989). The behavior of daily stock market
trading volume. Journal of Accounting and Economics 11(4), 331-359.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from eventstudy.assemble import build_result
from eventstudy.calendar import TradingCalendar, to_timestamp
from eventstudy.errors import DataError, InvalidParameterError
from eventstudy.inputs import align_to_sessions, as_wide, validate_wide
from eventstudy.results import EventStudyResult
from eventstudy.study import PreparedData, _events_frame, compute_events, split_benchmark
from eventstudy.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, WindowLike

__all__ = ["LOG_VOLUME", "VOLUME_MODELS", "prepare_volume", "volume_study"]

#: ``PreparedData.return_type`` of a volume study (its values are log(1 + volume)).
LOG_VOLUME = "log_volume"
#: Normal-volume models: the market model (against the benchmark's log volume)
#: and the mean-adjusted model.
VOLUME_MODELS: tuple[str, ...] = ("market", "constant_mean")
#: Tests of the returns battery that have no meaning for log volume.
UNDEFINED_TESTS: dict[str, str] = {
    "bhar-skew-t": "buy-and-hold compounding is not defined for log volume",
    "bhar-boot": "buy-and-hold compounding is not defined for log volume",
}


def _check_volume(frame: pd.DataFrame, parameter: str) -> None:
    values = frame.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.argwhere(values < 0)
    if bad.size:
        r, c = (int(v) for v in bad[0])
        raise DataError(
            f"`{parameter}` expected traded volumes >= 0 (NaN where missing), but {frame.columns[c]!r} "
            f"on {pd.Timestamp(frame.index[r]).date()} is {values[r, c]!r} ({len(bad)} negative cell(s))."
        )


def prepare_volume(
    volume: pd.DataFrame,
    *,
    benchmark: pd.Series | pd.DataFrame | None = None,
    calendar: str = "XNYS",
) -> PreparedData:
    """Put traded volumes on the exchange's sessions as log(1 + volume).

    The engine's input for a volume study: a :class:`~eventstudy.study.PreparedData`
    whose value table (``.returns``) holds ``log(1 + V)`` rather than returns,
    ``return_type`` :data:`LOG_VOLUME` and basis ``"volume"`` per column. The
    return checks of :func:`~eventstudy.study.prepare_data` (price levels,
    implausible returns) do not apply; dates are checked as there (unique,
    ascending, sessions of ``calendar``) and volumes must be >= 0.

    Parameters
    ----------
    volume : DataFrame
        Dates x securities, shares traded; NaN is a missing observation (kept,
        never filled); 0 is a valid zero-volume day.
    benchmark : Series or DataFrame, optional
        The benchmark's volume when it is not a column of ``volume``.
    calendar : str, default "XNYS"
        exchange_calendars code.

    Returns
    -------
    PreparedData

    Raises
    ------
    InvalidParameterError, DataError, NonSessionDateError
        Bad frames, negative or infinite volumes, dates that are not sessions.
    """
    data = as_wide(volume, "volume", calendar)
    validate_wide(data, "volume", "returns")
    _check_volume(data, "volume")
    frames = [data]
    if benchmark is not None:
        bench = as_wide(benchmark, "benchmark", calendar)
        validate_wide(bench, "benchmark", "returns")
        _check_volume(bench, "benchmark")
        clash = [c for c in bench.columns if c in data.columns]
        if clash:
            raise InvalidParameterError("benchmark", "a series whose name is not already a column of "
                                        "`volume`", clash)
        frames.append(bench)
    start = min(f.index.min() for f in frames)
    end = max(f.index.max() for f in frames)
    cal = TradingCalendar(calendar, start=start, end=end)
    sessions = cal.sessions(start, end)
    aligned = [align_to_sessions(f, cal, sessions, "volume" if i == 0 else "benchmark")
               for i, f in enumerate(frames)]
    wide = pd.concat(aligned, axis=1)
    logv = pd.DataFrame(np.log1p(wide.to_numpy(dtype=np.float64)), index=wide.index, columns=wide.columns)
    return PreparedData(logv, None, cal, LOG_VOLUME, {str(c): "volume" for c in logv.columns})


def _benchmark_volume_days(data: PreparedData, diagnostics: pd.DataFrame) -> np.ndarray:
    """Per event, estimation days on which its benchmark has a positive volume."""
    values = data.returns
    out = np.zeros(len(diagnostics), dtype=np.int64)
    for i, (bench, lo, hi) in enumerate(zip(diagnostics["benchmark"], diagnostics["estimation_start"],
                                            diagnostics["estimation_end"], strict=True)):
        if not bench or bench not in values.columns or pd.isna(lo) or pd.isna(hi):
            continue
        v = values[bench].loc[lo:hi].to_numpy(dtype=np.float64)
        out[i] = int(np.count_nonzero(np.isfinite(v) & (v > 0)))
    return out


def _one_calendar(volume: pd.DataFrame, bench: pd.Series | None,
                  calendar: str | Mapping[str, str] | None) -> str:
    """The one exchange of a volume study (inferred from the symbols when not given)."""
    if isinstance(calendar, str):
        return calendar
    from eventstudy.exchanges import assign_calendars

    names = [str(c) for c in volume.columns] + ([str(bench.name)] if bench is not None else [])
    codes = sorted({c.code for c in assign_calendars(names, calendar).values()})
    if len(codes) != 1:
        raise InvalidParameterError("calendar", "securities of one exchange in a volume study "
                                    "(run one volume study per exchange)", codes)
    return codes[0]


def volume_study(
    volume: pd.DataFrame | None,
    *,
    benchmark: str | pd.Series | None = None,
    event_date: object = None,
    securities: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    model: str = "market",
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 120,
    roll: str = "next",
    calendar: str | Mapping[str, str] | None = None,
    name: str = "",
) -> EventStudyResult:
    """Abnormal log volume event study (``event_study(..., kind="volume")``).

    Parameters are those of :func:`eventstudy.event_study`, with traded
    volumes (dates x securities, shares) in place of prices; ``benchmark`` is a
    column of ``volume`` or a Series of the benchmark's volume. ``model`` is
    ``"market"`` (against the benchmark's log volume; mean-adjusted for every
    event when some event's benchmark has a positive volume on fewer than
    ``min_estimation_obs`` of its estimation days, with a note) or
    ``"constant_mean"``.

    Returns
    -------
    EventStudyResult
        ``kind == "volume"``; ``ar`` is the abnormal log volume, the ``car``
        table the CAV per event and window, ``caar`` its cross-sectional mean.
    """
    if volume is None:
        raise InvalidParameterError("volume", "a DataFrame of traded volumes (dates x securities) for "
                                    "kind='volume'", None)
    if model not in VOLUME_MODELS:
        raise InvalidParameterError("model", f"one of {list(VOLUME_MODELS)} for kind='volume'", model)
    bench_name, bench_series = split_benchmark(benchmark)
    calendar = _one_calendar(volume, bench_series, calendar)
    data = prepare_volume(volume, benchmark=bench_series, calendar=calendar)
    if event_date is not None:
        to_timestamp(event_date, "event_date")
    ev = _events_frame(events, event_date, securities, bench_name, list(data.returns.columns))
    kw = dict(estimation=estimation, windows=windows, min_estimation_obs=min_estimation_obs, roll=roll)
    notes: tuple[str, ...] = ()
    if model == "market" and ev["benchmark"].isna().any():
        notes = ("Normal log volume is mean-adjusted (constant_mean, Campbell & Wasley 1996) for every "
                 "event: no benchmark was given for "
                 f"{', '.join(ev.loc[ev['benchmark'].isna(), 'event_id'].astype(str))}.",)
        model = "constant_mean"
    part = compute_events(data, ev, model=model, **kw)  # type: ignore[arg-type]
    if model == "market":
        days = _benchmark_volume_days(data, part.diagnostics)
        short = days < min_estimation_obs
        if short.any():
            who = ", ".join(f"{e} ({b or 'no benchmark'}: {n} days)" for e, b, n in zip(
                part.diagnostics.index[short], part.diagnostics["benchmark"][short], days[short],
                strict=True))
            notes = (f"Normal log volume is mean-adjusted (constant_mean, Campbell & Wasley 1996) for "
                     f"every event: the benchmark has a positive volume on fewer than "
                     f"min_estimation_obs={min_estimation_obs} estimation days for {who}.",)
            part = compute_events(data, ev, model="constant_mean", **kw)  # type: ignore[arg-type]
    result = build_result(
        name=name, panel=part.panel, windows=part.windows, estimation=part.estimation, model=part.model,
        diagnostics=part.diagnostics, notes=notes + part.notes, data_basis=data.basis,
        return_type=LOG_VOLUME, calendar=data.calendar.name,
    )
    tests = result.tests
    for test, why in UNDEFINED_TESTS.items():
        rows = tests["test"] == test
        tests.loc[rows, ["statistic", "pvalue", "df"]] = np.nan
        tests.loc[rows, "valid"] = False
        tests.loc[rows, "reason"] = why
        tests.loc[rows, "headline"] = False
    return dataclasses.replace(result, kind="volume", _tests=tests)
