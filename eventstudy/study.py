"""The event-study engine and its Python entry point, :func:`event_study`.

Pipeline: wide prices/returns -> NYSE sessions -> events resolved to sessions ->
estimation and event windows gathered for all events at once -> normal-return
model fitted on the stacked panel -> abnormal returns -> :class:`EventStudyResult`.
Everything is keyed by *event id*; a security may appear in many events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from eventstudy.calendar import TradingCalendar, to_timestamp
from eventstudy.errors import (
    EstimationWindowTooShortError,
    InvalidParameterError,
    UnknownSymbolError,
)
from eventstudy.event_dates import ResolvedEvents, resolve_event_dates
from eventstudy.exchanges import assign_calendars
from eventstudy.inputs import DEFAULT_RETURN_BOUNDS, ReturnType, as_wide
from eventstudy.models import ModelSpec, fit_market, fit_panel, get_model
from eventstudy.nonsync import NONSYNC_MODELS, fit_nonsync, market_offsets, nonsync_notes
from eventstudy.panel import DERIVABLE_MODELS, AbnormalPanel, PanelSource
from eventstudy.parts import (
    EventsPart,
    calendar_notes,
    concat_parts,
    given_calendars,
    in_event_order,
)
from eventstudy.prepare import PreparedData, prepare_calendars, prepare_data
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
           "concat_parts", "event_study", "prepare_data", "resolve_event_dates", "run_events"]

#: An event with more than this fraction of its estimation window without a usable
#: return gets a note in ``result.notes`` (the count is always in ``diagnostics``);
#: an event excluded for too few returns has its exclusion note instead.
MISSING_ESTIMATION_NOTE = 0.10


def _events_frame(
    events: pd.DataFrame | None,
    event_date: object,
    securities: Sequence[str] | None,
    benchmark_name: str | None,
    available: Sequence[str],
    skip: set[str | None] | None = None,
    event_time: object = None,
    timing: str | None = None,
) -> pd.DataFrame:
    if events is not None:
        if not isinstance(events, pd.DataFrame):
            raise InvalidParameterError("events", "a DataFrame with columns security, event_date",
                                        type(events).__name__)
        missing = {"security"} - set(events.columns)
        if missing or not {"event_date", "event_time"} & set(events.columns):
            raise InvalidParameterError(
                "events", "columns security and event_date or event_time [, event_id, benchmark, "
                "calendar, timing]", list(events.columns)
            )
        ev = events.reset_index(drop=True).copy()
        if "event_date" not in ev.columns:
            ev["event_date"] = None
    else:
        if event_date is None and event_time is None:
            raise InvalidParameterError("event_date", "a date, an `event_time` or an `events` table",
                                        None)
        leave_out = skip if skip is not None else {benchmark_name}
        secs = list(securities) if securities is not None else [
            c for c in available if c not in leave_out
        ]
        if isinstance(securities, str):
            raise InvalidParameterError("securities", "a list of symbols", securities)
        ev = pd.DataFrame({"security": secs, "event_date": [event_date] * len(secs)})
        if event_time is not None:
            ev["event_time"] = pd.Series([event_time] * len(secs), dtype=object)
        if timing is not None:
            ev["timing"] = [timing] * len(secs)
    ev["security"] = ev["security"].astype(str)
    if "benchmark" not in ev.columns:
        ev["benchmark"] = benchmark_name
    if "event_id" not in ev.columns:
        dup = ev["security"].duplicated(keep=False)
        when = ev["event_date"].astype(str)
        if "event_time" in ev.columns:
            when = when.where(ev["event_date"].notna(), ev["event_time"].astype(str))
        ids = ev["security"].where(~dup, ev["security"] + "@" + when)
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

    res_ev = resolve_event_dates(cal, sessions, events["event_date"], roll,
                                 times=events.get("event_time", None),
                                 timings=events.get("timing", None))
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

    derivable = spec.name in DERIVABLE_MODELS and spec.volatility is None
    if derivable:  # the lean path: no design arrays, the panel derives them on access
        r_est = _gather(values, est_rows, sec_idx)
        m_est = np.where(has_bench[:, None], _gather(values, est_rows, bench_idx), np.nan)
        r_ev = _gather(values, ev_rows, sec_idx)
        m_ev = np.where(has_bench[:, None], _gather(values, ev_rows, bench_idx), np.nan)
        mkt_est, mkt_ev = m_est, m_ev
        x_est = x_ev = None
        if spec.name == "market_adjusted":
            y_est, y_ev = r_est - m_est, r_ev - m_ev
        else:
            y_est, y_ev = r_est, r_ev
    else:
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

    nonsync_msgs: list[str] = []
    garch = None
    if spec.volatility:  # GARCH errors: one `arch` fit per event (eventstudy.garch)
        from eventstudy.garch import fit_garch_events

        span = np.arange(est.start, hi + 1)
        r_span, m_span, _, _ = gather_all(pos0[:, None] + span[None, :])
        garch = fit_garch_events(spec.volatility, r_span, m_span, span, est.length, len(ev_days))
        fit = garch.fit
    elif spec.name in NONSYNC_MODELS:  # Dimson / Scholes-Williams: benchmark on neighbouring sessions too
        ns = fit_nonsync(spec.name, y_est, {
            j: np.where(has_bench[:, None], _gather(values, est_rows + j, bench_idx), np.nan)
            for j in market_offsets(spec.name)})
        fit = ns.fit
        nonsync_msgs = nonsync_notes(events["event_id"].astype(str).tolist(), ns)
    elif spec.name == "market":
        fit = fit_market(y_est, m_est)
    else:
        fit = fit_panel(y_est, x_est if x_est is not None else spec.design(m_est, None))
    if spec.name == "market":
        ar = y_ev - (fit.params[:, [0]] + m_ev * fit.params[:, [1]])
    elif spec.k and x_ev is None:  # constant mean
        ar = y_ev - fit.params[:, [0]]
    elif spec.k:
        assert x_ev is not None
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

    k = keep
    common = dict(
        event_ids=events["event_id"].to_numpy(dtype=str)[k],
        securities=events["security"].to_numpy(dtype=str)[k],
        model=spec.name, k=spec.k, event_days=ev_days.astype(np.int64),
        ar=ar[k], raw_event=r_ev[k], raw_event_market=m_ev[k],
        params=fit.params[k], xtx_inv=fit.xtx_inv[k], sigma2=fit.sigma2[k], nobs=fit.nobs[k],
        df_resid=fit.df_resid[k], cond_var=garch.cond_var[k] if garch is not None else None,
    )
    est_ends = dates(est_rows[:, [0, -1]])
    if derivable:
        panel = AbnormalPanel(
            **common,  # type: ignore[arg-type]
            source=PanelSource((to_d,), (values,), est.start, est.length),
            pos0=pos0[k], grid=np.zeros(int(k.sum()), dtype=np.int64), sec_col=sec_idx[k],
            bench_col=np.where(has_bench, bench_idx, -1)[k])
    else:
        assert x_est is not None and x_ev is not None
        panel = AbnormalPanel(**common, stored={  # type: ignore[arg-type]
            "est_dates": dates(est_rows)[k], "est_y": y_est[k], "est_resid": fit.resid[k],
            "est_x": x_est[k], "est_market": mkt_est[k], "event_dates": dates(ev_rows)[k],
            "event_x": np.where(np.isfinite(ar)[..., None], x_ev, np.nan)[k],
            "event_market": mkt_ev[k]})
    diagnostics = pd.DataFrame(
        {
            "security": events["security"].to_numpy(dtype=str),
            "benchmark": bench_names.where(bench_names.notna(), "").astype(str).to_numpy(),
            "event_date": pd.DatetimeIndex(res_ev.requested),
            "event_session": sessions[pos0],
            "rolled": res_ev.rolled,
            **({} if res_ev.timing is None or all(t is None for t in res_ev.timing) else {
                "event_time": pd.DatetimeIndex(np.asarray(res_ev.moment)).tz_localize("UTC"),
                "timing": [t if t is not None else "" for t in res_ev.timing]}),
            "estimation_start": pd.to_datetime(est_ends[:, 0]),
            "estimation_end": pd.to_datetime(est_ends[:, 1]),
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
    for i in range(len(diagnostics)):
        told = res_ev.timing_note(i, sessions)
        if told:
            notes.append(f"{diagnostics.index[i]}: {told}.")
    for eid, why in zip(diagnostics.index[~keep], reason[~keep], strict=True):
        notes.append(f"{eid}: excluded ({why}).")
    n_missing = est.length - fit.nobs
    gappy = ~short & (n_missing > MISSING_ESTIMATION_NOTE * est.length)
    for i in np.flatnonzero(gappy).tolist():
        notes.append(f"{diagnostics.index[i]}: {n_missing[i]} of {est.length} estimation days have no "
                     f"usable return ({100 * n_missing[i] / est.length:.0f}%, more than "
                     f"{100 * MISSING_ESTIMATION_NOTE:.0f}%); the model is fitted on the {fit.nobs[i]} "
                     "available (none filled).")
    notes.extend(nonsync_msgs)
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
    return EventsPart(panel=panel, diagnostics=diagnostics, notes=tuple(notes),
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
        data_basis=data.basis,
        return_type=data.return_type,
        calendar=data.calendar.name,
    )

BenchmarkArg = str | pd.Series | Mapping[str, str] | None


def split_benchmark(benchmark: BenchmarkArg) -> tuple[str | None, pd.Series | None]:
    """``(name, series)`` of a benchmark given as a column name or a Series."""
    if benchmark is None or isinstance(benchmark, str):
        return benchmark, None
    if not isinstance(benchmark, pd.Series):
        raise InvalidParameterError("benchmark", "a column name, a pandas Series or a "
                                    "{calendar: column} mapping", type(benchmark).__name__)
    name = str(benchmark.name) if benchmark.name is not None else "benchmark"
    return name, benchmark.rename(name)


def event_study(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | None = None,
    benchmark: BenchmarkArg = None,
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
    calendar: str | Mapping[str, str] | None = None,
    event_time: object = None,
    timing: str | None = None,
    name: str = "",
    basis: dict[str, str] | None = None,
    return_bounds: tuple[float, float] | None = DEFAULT_RETURN_BOUNDS,
    kind: str = "returns",
    volume: pd.DataFrame | None = None,
) -> EventStudyResult:
    """Run an event study on wide pandas data, each security on its own exchange's sessions.

    Parameters
    ----------
    prices, returns : DataFrame
        Dates x securities; give exactly one. Prices are turned into
        session-to-session returns (``return_type``) on each security's own
        exchange calendar; NaN cells are missing observations, counted in the
        diagnostics and never filled. A date that is not a session of a
        column's exchange must be empty in that column (securities from
        several exchanges share one date index).
    benchmark : str, Series or mapping
        Column of ``prices``/``returns`` to use as the market, a separate
        Series of the same kind, or ``{calendar: column}`` to pair each
        security with the benchmark of its exchange (e.g.
        ``{"XNYS": "^GSPC", "XTKS": "^N225"}``).
    event_date : date-like
        Event date shared by ``securities`` (default: every column except the
        benchmark). Alternatively pass ``events``.
    events : DataFrame
        One row per event: ``security``, ``event_date`` and optionally
        ``event_id``, ``benchmark`` and ``calendar``.
    model : {"market", "market_adjusted", "constant_mean", "capm", "ff3", "carhart", "ff5", "factors"}
    factors : DataFrame
        Factor returns in decimals with ``RF`` (needed by capm and factor models).
    estimation : [start, end] or {start: DATE, end: DATE}
        Estimation window, default ``[-250, -11]`` trading days of each
        security's exchange.
    windows : list of [start, end] or {start: DATE, end: DATE}
        Event windows, default (0,0), (-1,+1), (0,+1), (0,+4), (-5,+5).
    min_estimation_obs : int, default 120
        Events with fewer estimation returns are excluded (and reported).
    roll : {"next", "previous", "raise"}
        What to do with an event date that is not a session (recorded).
    return_type : {"simple", "log"}
    event_time : timestamp with a time zone, optional
        The moment of the news instead of ``event_date`` (e.g.
        ``"2025-01-27T09:00+09:00"``): each security's day 0 is the first
        session of its own exchange whose close is after that moment
        (:mod:`eventstudy.event_time`), recorded per event in ``diagnostics``
        (``event_time`` in UTC, ``timing``: ``before_open``, ``during``,
        ``after_close`` or ``closed``) and in ``notes``. An events table may
        carry an ``event_time`` column instead.
    timing : {"before_open", "during", "after_close"}, optional
        When on ``event_date`` the news came, if no exact time is known:
        ``after_close`` makes day 0 the next session; the others the session
        of that date.
    calendar : None, str or mapping, default None
        ``None``: each security's exchange is inferred from its Yahoo-style
        suffix (``6857.T`` is Tokyo, ``XTKS``; ``ASML.AS`` Amsterdam, ``XAMS``;
        no suffix is New York, ``XNYS``); an exchange_calendars code puts every
        column on that calendar; ``{security: code}`` sets some and infers the
        rest (:mod:`eventstudy.exchanges`). The choice per security is in
        ``diagnostics`` (``calendar``, ``calendar_source``).
    return_bounds : (lower, upper) or None, default (-1.0, 10.0)
        Plausible daily simple returns: a return at or below ``lower`` or above
        ``upper`` (given, or computed from ``prices``) raises
        :class:`~eventstudy.errors.ImplausibleReturnError` naming the security,
        the session and the value. ``None`` switches the check off.
    kind : {"returns", "volume", "volatility"}, default "returns"
        ``"volume"``: abnormal log volume of ``volume`` (:mod:`eventstudy.volume`);
        ``"volatility"``: abnormal volatility of the returns study
        (:mod:`eventstudy.volatility`). Recorded as ``result.kind``.
    volume : DataFrame, optional
        Dates x securities, shares traded (with ``kind="volume"`` only, in place
        of ``prices``/``returns``).

    Returns
    -------
    EventStudyResult

    Notes
    -----
    Securities on different exchanges are studied on their own sessions: the
    estimation and event windows are counted in each one's trading days, and
    the results are aligned in event time (relative day 0 is each security's
    own event session). A benchmark from another exchange is matched by date
    (its return of the same date; missing where its exchange was closed), which
    is stated in ``notes``.

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
    if kind != "returns" or volume is not None:  # abnormal volume / volatility: eventstudy.kinds
        from eventstudy.kinds import run_kind
        args = {k: v for k, v in locals().items() if k not in ("kind", "run_kind")}
        return run_kind(kind, event_study, args)
    by_calendar: dict[str, str] = {}
    if isinstance(benchmark, Mapping):
        by_calendar = {str(k): str(v) for k, v in benchmark.items()}
        bench_name, bench_series = None, None
    else:
        bench_name, bench_series = split_benchmark(benchmark)
    if (prices is None) == (returns is None):
        raise InvalidParameterError("prices/returns", "exactly one of `prices` or `returns`",
                                    "both" if prices is not None else "neither")
    data_kind = "prices" if prices is not None else "returns"
    tz_calendar = calendar if isinstance(calendar, str) else "XNYS"
    data = as_wide(prices if prices is not None else returns, data_kind, tz_calendar)  # type: ignore[arg-type]
    basis = {**data.attrs.get("basis", {}), **(basis or {})}
    bench = as_wide(bench_series, "benchmark", tz_calendar) if bench_series is not None else None
    available = [*map(str, data.columns), *(map(str, bench.columns) if bench is not None else [])]
    if event_date is not None:
        to_timestamp(event_date, "event_date")
    skip = {bench_name, *by_calendar.values()}
    if event_time is not None and event_date is not None:
        raise InvalidParameterError("event_time", "either `event_date` or `event_time`, not both",
                                    event_time)
    ev = _events_frame(events, event_date, securities, bench_name, available, skip=skip,
                       event_time=event_time, timing=timing)
    unknown = sorted(set(ev["security"]) - set(available))
    if unknown:
        raise UnknownSymbolError(unknown, "the return data", available)
    choices = assign_calendars(available, calendar, given_calendars(ev))
    ev["calendar"] = [choices[s].code for s in ev["security"]]
    if by_calendar:
        missing = sorted(set(ev["calendar"]) - set(by_calendar))
        if missing:
            raise InvalidParameterError("benchmark", f"a benchmark for every calendar of the "
                                        f"securities, including {missing}", by_calendar)
        filled = ev["calendar"].map(by_calendar)
        ev["benchmark"] = ev["benchmark"].where(ev["benchmark"].notna(), filled)
    unknown_b = sorted(set(ev["benchmark"].dropna()) - set(available))
    if unknown_b:
        raise UnknownSymbolError(unknown_b, "the benchmark data", available)
    groups: dict[str, list[str]] = {}
    for code, b in zip(ev["calendar"], ev["benchmark"], strict=True):
        needed = groups.setdefault(code, [])
        if isinstance(b, str) and choices[b].code != code and b not in needed:
            needed.append(b)
    datas = prepare_calendars(
        data, kind=data_kind, calendars={s: c.code for s, c in choices.items()}, groups=groups,
        benchmark=bench, factors=factors, return_type=return_type, basis=basis,
        return_bounds=return_bounds)
    parts = [compute_events(datas[code], ev[ev["calendar"] == code].drop(columns="calendar"),
                            model=model, factor_columns=factor_columns, estimation=estimation,
                            windows=windows, min_estimation_obs=min_estimation_obs, roll=roll)
             for code in groups]
    part = in_event_order(concat_parts(parts), list(ev["event_id"]))
    diag = part.diagnostics.copy()
    diag["calendar"] = ev.set_index("event_id").loc[diag.index, "calendar"].to_numpy()
    diag["calendar_source"] = [choices[s].source for s in diag["security"]]
    diag["benchmark_calendar"] = [choices[b].code if b else "" for b in diag["benchmark"]]
    part = dataclasses.replace(part, diagnostics=diag)
    notes = part.notes + calendar_notes(part, datas, choices)
    basis_all = {c: b for d in datas.values() for c, b in d.basis.items()}
    return build_result(
        name=name, panel=part.panel, windows=part.windows, estimation=part.estimation,
        model=part.model, diagnostics=part.diagnostics, notes=notes,
        data_basis=basis_all, return_type=return_type, calendar=", ".join(groups),
    )
