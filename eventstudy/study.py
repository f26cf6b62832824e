"""The event-study engine and its Python entry point, :func:`event_study`.

Pipeline: wide prices/returns -> NYSE sessions -> events resolved to sessions ->
estimation and event windows gathered for all events at once -> normal-return
model fitted on the stacked panel -> abnormal returns -> :class:`EventStudyResult`.
Everything is keyed by *event id*; a security may appear in many events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar, to_timestamp
from eventstudy.errors import (
    EstimationWindowTooShortError,
    InvalidParameterError,
    UnknownSymbolError,
)
from eventstudy.event_dates import ResolvedEvents, resolve_event_dates
from eventstudy.inputs import (
    DEFAULT_RETURN_BOUNDS,
    ReturnType,
    align_to_sessions,
    as_wide,
    check_not_levels,
    check_return_bounds,
    parse_return_bounds,
    prices_to_returns,
    validate_wide,
)
from eventstudy.models import ModelSpec, fit_panel, get_model
from eventstudy.panel import AbnormalPanel
from eventstudy.results import EventStudyResult, build_result
from eventstudy.screens import screen_estimation
from eventstudy.windows import (
    DEFAULT_ESTIMATION,
    DEFAULT_WINDOWS,
    DateWindow,
    Window,
    WindowLike,
    parse_window,
    parse_windows,
)

__all__ = ["MISSING_ESTIMATION_NOTE", "EventsPart", "PreparedData", "ResolvedEvents", "compute_events",
           "event_study", "prepare_data", "resolve_event_dates", "run_events"]

#: An event with more than this fraction of its estimation window without a usable
#: return gets a note in ``result.notes`` (the count is always in ``diagnostics``);
#: an event excluded for too few returns has its exclusion note instead.
MISSING_ESTIMATION_NOTE = 0.10


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
    check off.
    """
    bounds = parse_return_bounds(return_bounds)
    if (prices is None) == (returns is None):
        raise InvalidParameterError(
            "prices/returns", "exactly one of `prices` or `returns`",
            "both" if prices is not None else "neither",
        )
    kind = "prices" if prices is not None else "returns"
    raw = prices if prices is not None else returns
    assert raw is not None
    hint = ("Pass price levels as `prices=` (for batch_study: `batch_study(prepare_data(prices=...), "
            "events)`), or divide percentages by 100.")
    data = as_wide(raw, kind, calendar)
    basis = {**data.attrs.get("basis", {}), **(basis or {})}  # e.g. adj_close vs close (yfinance)
    validate_wide(data, kind, kind)  # type: ignore[arg-type]
    if kind == "returns":
        check_not_levels(data, "returns", hint)
    frames = [data]
    if benchmark is not None:
        bench = as_wide(benchmark, "benchmark", calendar)
        validate_wide(bench, "benchmark", kind)  # type: ignore[arg-type]
        if kind == "returns":
            check_not_levels(bench, "benchmark", hint)
        clash = [c for c in bench.columns if c in data.columns]
        if clash:
            raise InvalidParameterError(
                "benchmark", f"a series whose name is not already a column of `{kind}`", clash
            )
        frames.append(bench)
    start = min(f.index.min() for f in frames)
    end = max(f.index.max() for f in frames)
    if start == end:
        raise InvalidParameterError(kind, "at least two dates (returns need a previous session)",
                                    f"one date, {start.date()}")
    cal = TradingCalendar(calendar, start=start, end=end)
    sessions = cal.sessions(start, end)
    aligned = [align_to_sessions(f, cal, sessions, kind if i == 0 else "benchmark")
               for i, f in enumerate(frames)]
    wide = pd.concat(aligned, axis=1)
    rets = prices_to_returns(wide, return_type) if kind == "prices" else wide
    origin = {c: "benchmark" for c in aligned[1].columns} if len(aligned) > 1 else {}
    check_return_bounds(rets, bounds, return_type=return_type, parameters=origin,
                        prices=wide if kind == "prices" else None, default_parameter=kind)
    fac = None
    if factors is not None:
        fac = as_wide(factors, "factors", calendar)
        validate_wide(fac, "factors", "returns")
        check_not_levels(fac, "factors", "Factor returns are expected in decimals: divide "
                                         "Kenneth French's percentages by 100.")
        inside = fac.loc[(fac.index >= sessions[0]) & (fac.index <= sessions[-1])]
        check_return_bounds(inside, bounds, default_parameter="factors")
        fac = align_to_sessions(inside, cal, sessions, "factors")
        fac.columns = pd.Index(list(fac.columns), name="factor")
    cols = list(rets.columns)
    return PreparedData(rets, fac, cal, return_type,
                        {c: (basis or {}).get(c, kind) for c in cols})


def _events_frame(
    events: pd.DataFrame | None,
    event_date: object,
    securities: Sequence[str] | None,
    benchmark_name: str | None,
    available: Sequence[str],
) -> pd.DataFrame:
    if events is not None:
        if not isinstance(events, pd.DataFrame):
            raise InvalidParameterError("events", "a DataFrame with columns security, event_date",
                                        type(events).__name__)
        missing = {"security", "event_date"} - set(events.columns)
        if missing:
            raise InvalidParameterError(
                "events", "columns security, event_date [, event_id, benchmark]", list(events.columns)
            )
        ev = events.reset_index(drop=True).copy()
    else:
        if event_date is None:
            raise InvalidParameterError("event_date", "a date (or an `events` table)", None)
        secs = list(securities) if securities is not None else [
            c for c in available if c != benchmark_name
        ]
        if isinstance(securities, str):
            raise InvalidParameterError("securities", "a list of symbols", securities)
        ev = pd.DataFrame({"security": secs, "event_date": [event_date] * len(secs)})
    ev["security"] = ev["security"].astype(str)
    if "benchmark" not in ev.columns:
        ev["benchmark"] = benchmark_name
    if "event_id" not in ev.columns:
        dup = ev["security"].duplicated(keep=False)
        ids = ev["security"].where(~dup, ev["security"] + "@" + ev["event_date"].astype(str))
        ev["event_id"] = ids
    ev["event_id"] = ev["event_id"].astype(str)
    if ev["event_id"].duplicated().any():
        raise InvalidParameterError(
            "events.event_id", "unique event ids",
            ev.loc[ev["event_id"].duplicated(), "event_id"].tolist()
        )
    if ev.empty:
        raise InvalidParameterError("events", "at least one event", "none")
    return ev


def _relative(w: Window | DateWindow, sessions: pd.DatetimeIndex, pos0: np.ndarray,
              cal: TradingCalendar, parameter: str) -> Window:
    if isinstance(w, Window):
        return w
    if np.unique(pos0).size != 1:
        raise InvalidParameterError(
            parameter, "relative trading days when events have different event sessions", w.label
        )
    a = sessions.get_loc(cal.resolve(w.start, "next", f"{parameter}.start").session)
    b = sessions.get_loc(cal.resolve(w.end, "previous", f"{parameter}.end").session)
    return Window(int(a) - int(pos0[0]), int(b) - int(pos0[0]))  # type: ignore[arg-type]


def _gather(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``values[rows[e, t], cols[e]]`` with NaN where ``rows`` is off the grid."""
    n = values.shape[0]
    ok = (rows >= 0) & (rows < n)
    out = values[np.clip(rows, 0, n - 1), cols[:, None]]
    return np.where(ok, out, np.nan)


@dataclass(frozen=True)
class EventsPart:
    """The engine's output for an events table, before the result is assembled.

    :func:`run_events` turns one part into an :class:`EventStudyResult`; the batch
    path (:mod:`eventstudy.batch`) computes parts for chunks of events (locally or
    on Dask workers) and concatenates them.
    """

    panel: AbnormalPanel
    diagnostics: pd.DataFrame
    notes: tuple[str, ...]
    est_y: np.ndarray
    estimation: Window
    windows: tuple[Window, ...]
    model: ModelSpec
    pos0: np.ndarray  # (E,) session row of every requested event (included or not)


def compute_events(
    data: PreparedData,
    events: pd.DataFrame,
    *,
    model: str = "market",
    factor_columns: Sequence[str] | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 120,
    roll: str = "next",
    values: np.ndarray | None = None,
) -> EventsPart:
    """Gather, fit and compute abnormal returns for an events table (no result assembly).

    ``values`` may pass ``data.returns.to_numpy(float64)`` computed once by a caller
    that runs many chunks. There is no Python loop over events.
    """
    spec: ModelSpec = get_model(model, factor_columns)
    if not isinstance(min_estimation_obs, int) or min_estimation_obs <= spec.k:
        raise InvalidParameterError(
            "min_estimation_obs", f"an integer > {spec.k} (the model's parameter count)", min_estimation_obs
        )
    rets = data.returns
    sessions = data.sessions
    cal = data.calendar
    cols = list(rets.columns)
    col_index = pd.Index(cols)
    col_set = set(cols)
    unknown = sorted(set(events["security"]) - col_set)
    if unknown:
        raise UnknownSymbolError(unknown, "the return data", cols)
    needs_bench = spec.uses_market or spec.name == "market_adjusted"
    bench_names = events["benchmark"]
    if needs_bench and bench_names.isna().any():
        raise InvalidParameterError("benchmark", f"a benchmark for model {spec.name!r}", None)
    unknown_b = sorted(set(bench_names.dropna()) - col_set)
    if unknown_b:
        raise UnknownSymbolError(unknown_b, "the benchmark data", cols)

    res_ev = resolve_event_dates(cal, sessions, events["event_date"], roll)
    pos0 = res_ev.pos0

    est = _relative(parse_window(estimation, "estimation"), sessions, pos0, cal, "estimation")
    wins = tuple(_relative(w, sessions, pos0, cal, f"windows[{i}]")
                 for i, w in enumerate(parse_windows(windows)))
    lo = min(0, *(w.start for w in wins))
    hi = max(0, *(w.end for w in wins))
    if est.end >= lo:
        raise InvalidParameterError(
            "estimation", f"a window that ends before the event span starts (day {lo})", est.label
        )
    if est.length < min_estimation_obs:
        raise EstimationWindowTooShortError(
            f"Parameter `estimation` {est.label} holds {est.length} trading days, fewer than "
            f"`min_estimation_obs`={min_estimation_obs}; widen the window or lower the minimum."
        )

    if values is None:
        values = rets.to_numpy(dtype=np.float64)
    sec_idx = col_index.get_indexer(pd.Index(events["security"])).astype(np.int64)
    has_bench = bench_names.notna().to_numpy()
    bench_idx = np.maximum(col_index.get_indexer(pd.Index(bench_names)), 0).astype(np.int64)
    est_days = np.arange(est.start, est.end + 1)
    ev_days = np.arange(lo, hi + 1)
    est_rows = pos0[:, None] + est_days[None, :]
    ev_rows = pos0[:, None] + ev_days[None, :]

    def gather_all(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray] | None, np.ndarray]:
        r = _gather(values, rows, sec_idx)
        m = np.where(has_bench[:, None], _gather(values, rows, bench_idx), np.nan)
        fac: dict[str, np.ndarray] | None = None
        rf = np.zeros_like(r)
        if data.factors is not None:
            fv = data.factors.to_numpy(dtype=np.float64)
            zero = np.zeros(len(rows), dtype=np.int64)
            fac = {c: _gather(fv[:, [j]], rows, zero) for j, c in enumerate(data.factors.columns)}
            if spec.excess:
                if "RF" not in fac:
                    raise InvalidParameterError("factors", "an 'RF' column (risk-free rate)",
                                                list(data.factors.columns))
                rf = fac["RF"]
        elif spec.excess:
            raise InvalidParameterError("factors", f"factor data with RF for model {spec.name!r}", None)
        return r, m, fac, rf

    r_est, m_est, f_est, rf_est = gather_all(est_rows)
    r_ev, m_ev, f_ev, rf_ev = gather_all(ev_rows)
    mkt_est = m_est - rf_est if spec.excess else m_est
    mkt_ev = m_ev - rf_ev if spec.excess else m_ev
    x_est = spec.design(mkt_est, f_est)
    x_ev = spec.design(mkt_ev, f_ev)
    if spec.name == "market_adjusted":
        y_est, y_ev = r_est - m_est, r_ev - m_ev
    else:
        y_est, y_ev = r_est - rf_est, r_ev - rf_ev

    garch = None
    if spec.volatility:  # GARCH errors: one `arch` fit per event (eventstudy.garch)
        from eventstudy.garch import fit_garch_events

        span = np.arange(est.start, hi + 1)
        r_span, m_span, _, _ = gather_all(pos0[:, None] + span[None, :])
        garch = fit_garch_events(spec.volatility, r_span, m_span, span, est.length, len(ev_days))
    fit = garch.fit if garch is not None else fit_panel(y_est, x_est)
    if spec.k:
        ar = y_ev - np.einsum("elk,ek->el", x_ev, fit.params)
    else:
        ar = y_ev.copy()
    ar = np.where(np.isfinite(ar), ar, np.nan)

    status = np.where(fit.nobs < min_estimation_obs, "excluded", "ok")
    short = fit.nobs < min_estimation_obs
    reason = np.full(len(status), "", dtype=object)
    reason[short] = [f"{n} estimation returns < min_estimation_obs={min_estimation_obs}"
                     for n in fit.nobs[short]]
    singular = (status == "ok") & ~fit.rank_ok
    status = np.where(singular, "excluded", status)
    reason = np.where(singular, "estimation regressors are collinear (singular design)", reason)
    screen = screen_estimation(
        r_est, m_est, fit.resid, fit.sigma2, status == "ok", has_bench & needs_bench,
        bench_names.where(bench_names.notna(), "").astype(str).to_numpy(), spec.name,
    )
    status = np.where(screen.flagged, "excluded", status)
    reason = np.where(screen.flagged, screen.reason, reason)
    if garch is not None:  # a missing day or a failed fit (after the screens' own reasons)
        unfit = (status == "ok") & (garch.reason != "")
        status, reason = np.where(unfit, "excluded", status), np.where(unfit, garch.reason, reason)
    no_day0 = (status == "ok") & ~np.isfinite(ar[:, int(np.flatnonzero(ev_days == 0)[0])])
    keep = status == "ok"

    to_d = sessions.to_numpy().astype("datetime64[D]")

    def dates(rows: np.ndarray) -> np.ndarray:
        ok = (rows >= 0) & (rows < len(to_d))
        return np.where(ok, to_d[np.clip(rows, 0, len(to_d) - 1)], np.datetime64("NaT"))

    x_ev_masked = np.where(np.isfinite(ar)[..., None], x_ev, np.nan)
    est_dates_all = dates(est_rows)
    k = keep
    panel = AbnormalPanel(
        event_ids=events["event_id"].to_numpy(dtype=str)[k],
        securities=events["security"].to_numpy(dtype=str)[k],
        model=spec.name,
        k=spec.k,
        est_dates=est_dates_all[k],
        est_resid=fit.resid[k],
        est_x=x_est[k],
        est_market=mkt_est[k],
        event_days=ev_days.astype(np.int64),
        event_dates=dates(ev_rows)[k],
        ar=ar[k],
        event_x=x_ev_masked[k],
        event_market=mkt_ev[k],
        raw_event=r_ev[k],
        raw_event_market=m_ev[k],
        params=fit.params[k],
        xtx_inv=fit.xtx_inv[k],
        sigma2=fit.sigma2[k],
        nobs=fit.nobs[k],
        df_resid=fit.df_resid[k],
        cond_var=garch.cond_var[k] if garch is not None else None,
    )
    diagnostics = pd.DataFrame(
        {
            "security": events["security"].to_numpy(dtype=str),
            "benchmark": bench_names.where(bench_names.notna(), "").astype(str).to_numpy(),
            "event_date": pd.DatetimeIndex(res_ev.requested),
            "event_session": sessions[pos0],
            "rolled": res_ev.rolled,
            "estimation_start": pd.to_datetime(est_dates_all[:, 0]),
            "estimation_end": pd.to_datetime(est_dates_all[:, -1]),
            "estimation_days": est.length,
            "nobs": fit.nobs,
            "estimation_missing": est.length - fit.nobs,
            "event_missing": (~np.isfinite(ar)).sum(axis=1),
            "status": status,
            "reason": reason,
        },
        index=pd.Index(events["event_id"].to_numpy(dtype=str), name="event_id"),
    )
    if garch is not None:  # the GARCH parameters (decimal returns) and arch's convergence flag
        diagnostics = pd.concat([diagnostics, garch.params.set_axis(diagnostics.index)], axis=1)
    notes: list[str] = []
    for i in np.flatnonzero(res_ev.rolled).tolist():
        notes.append(f"{diagnostics.index[i]}: {res_ev.resolved(i, sessions).note}.")
    for eid, why in zip(diagnostics.index[~keep], reason[~keep], strict=True):
        notes.append(f"{eid}: excluded ({why}).")
    n_missing = est.length - fit.nobs
    gappy = ~short & (n_missing > MISSING_ESTIMATION_NOTE * est.length)
    for i in np.flatnonzero(gappy).tolist():
        notes.append(f"{diagnostics.index[i]}: {n_missing[i]} of {est.length} estimation days have no "
                     f"usable return ({100 * n_missing[i] / est.length:.0f}%, more than "
                     f"{100 * MISSING_ESTIMATION_NOTE:.0f}%); the model is fitted on the {fit.nobs[i]} "
                     "available (none filled).")
    day0 = sessions[pos0]
    needs_factors = bool(spec.factors) or spec.excess
    fac_end = None
    if needs_factors and data.factors is not None and no_day0.any():  # only to explain a gap
        full = data.factors.notna().all(axis=1)
        fac_end = data.factors.index[full][-1] if full.any() else None
    for i in np.flatnonzero(no_day0).tolist():
        eid, sec, bench = diagnostics.index[i], events["security"].iat[i], bench_names.iat[i]
        causes = []
        if not np.isfinite(float(rets[sec].iat[pos0[i]])):  # type: ignore[arg-type]
            causes.append(f"{sec} has no return")
        if needs_bench and isinstance(bench, str) and not np.isfinite(
                float(rets[bench].iat[pos0[i]])):  # type: ignore[arg-type]
            causes.append(f"the benchmark {bench} has no return")
        if fac_end is not None and day0[i] > fac_end:
            causes.append(f"the factor data end on {fac_end.date()}")
        why = "; ".join(causes) if causes else "an input is missing"
        notes.append(f"{eid}: no abnormal return on the event session {day0[i].date()} ({why}).")
    miss = diagnostics.loc[keep & (diagnostics["event_missing"].to_numpy() > 0)]
    for eid, n in miss["event_missing"].items():
        notes.append(f"{eid}: {n} missing return(s) in the event span {lo}..{hi}; "
                     "CARs use the available days (not filled).")
    return EventsPart(panel=panel, diagnostics=diagnostics, notes=tuple(notes), est_y=y_est[k],
                      estimation=est, windows=wins, model=spec, pos0=pos0)


def run_events(
    data: PreparedData,
    events: pd.DataFrame,
    *,
    model: str = "market",
    factor_columns: Sequence[str] | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 120,
    roll: str = "next",
    name: str = "",
) -> EventStudyResult:
    """Run the study for an events table (columns security, event_date, event_id, benchmark)."""
    part = compute_events(data, events, model=model, factor_columns=factor_columns,
                          estimation=estimation, windows=windows,
                          min_estimation_obs=min_estimation_obs, roll=roll)
    return build_result(
        name=name,
        panel=part.panel,
        windows=part.windows,
        estimation=part.estimation,
        model=part.model,
        diagnostics=part.diagnostics,
        notes=part.notes,
        est_y=part.est_y,
        data_basis=data.basis,
        return_type=data.return_type,
        calendar=data.calendar.name,
    )

def split_benchmark(benchmark: str | pd.Series | None) -> tuple[str | None, pd.Series | None]:
    """``(name, series)`` of a benchmark given as a column name or a Series."""
    if benchmark is None or isinstance(benchmark, str):
        return benchmark, None
    if not isinstance(benchmark, pd.Series):
        raise InvalidParameterError("benchmark", "a column name or a pandas Series",
                                    type(benchmark).__name__)
    name = str(benchmark.name) if benchmark.name is not None else "benchmark"
    return name, benchmark.rename(name)


def event_study(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | None = None,
    benchmark: str | pd.Series | None = None,
    event_date: object = None,
    securities: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    model: str = "market",
    factors: pd.DataFrame | None = None,
    factor_columns: Sequence[str] | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 120,
    roll: str = "next",
    return_type: ReturnType = "simple",
    calendar: str = "XNYS",
    name: str = "",
    basis: dict[str, str] | None = None,
    return_bounds: tuple[float, float] | None = DEFAULT_RETURN_BOUNDS,
) -> EventStudyResult:
    """Run an event study on wide pandas data.

    Parameters
    ----------
    prices, returns : DataFrame
        Dates x securities; give exactly one. Prices are turned into
        session-to-session returns (``return_type``); NaN cells are missing
        observations, counted in the diagnostics and never filled.
    benchmark : str or Series
        Column of ``prices``/``returns`` to use as the market, or a separate
        Series of the same kind.
    event_date : date-like
        Event date shared by ``securities`` (default: every column except the
        benchmark). Alternatively pass ``events``.
    events : DataFrame
        One row per event: ``security``, ``event_date`` and optionally
        ``event_id`` and ``benchmark``.
    model : {"market", "market_adjusted", "constant_mean", "capm", "ff3", "carhart", "ff5", "factors"}
    factors : DataFrame
        Factor returns in decimals with ``RF`` (needed by capm and factor models).
    estimation : [start, end] or {start: DATE, end: DATE}
        Estimation window, default ``[-250, -11]`` trading days.
    windows : list of [start, end] or {start: DATE, end: DATE}
        Event windows, default (0,0), (-1,+1), (0,+1), (0,+4), (-5,+5).
    min_estimation_obs : int, default 120
        Events with fewer estimation returns are excluded (and reported).
    roll : {"next", "previous", "raise"}
        What to do with an event date that is not a session (recorded).
    return_type : {"simple", "log"}
    calendar : str, default "XNYS"
        exchange_calendars code.
    return_bounds : (lower, upper) or None, default (-1.0, 10.0)
        Plausible daily simple returns: a return at or below ``lower`` or above
        ``upper`` (given, or computed from ``prices``) raises
        :class:`~eventstudy.errors.ImplausibleReturnError` naming the security,
        the session and the value. ``None`` switches the check off.

    Returns
    -------
    EventStudyResult

    Notes
    -----
    Garbage is refused or flagged, never returned with status ``ok``:

    - ``returns`` whose column has a median absolute value above 0.5 (price
      levels or percentages) raise :class:`~eventstudy.errors.PriceLevelsAsReturnsError`;
    - an event whose security has the same return on every estimation day
      (a constant price), whose security is identical to its benchmark on every
      estimation day, or whose model fits the estimation window exactly (zero
      residual variance) is excluded: ``status`` ``"excluded"`` and the reason
      in ``diagnostics`` and ``notes``, and its rows in :attr:`~EventStudyResult.car`
      are NaN with the reason in the ``reason`` column;
    - more than 10% of the estimation window without a usable return
      (:data:`MISSING_ESTIMATION_NOTE`) is stated in ``notes``.
    """
    bench_name, bench_series = split_benchmark(benchmark)
    data = prepare_data(prices, returns=returns, benchmark=bench_series, factors=factors,
                        return_type=return_type, calendar=calendar, basis=basis,
                        return_bounds=return_bounds)
    if event_date is not None:
        to_timestamp(event_date, "event_date")
    ev = _events_frame(events, event_date, securities, bench_name, list(data.returns.columns))
    return run_events(data, ev, model=model, factor_columns=factor_columns, estimation=estimation,
                      windows=windows, min_estimation_obs=min_estimation_obs, roll=roll, name=name)
