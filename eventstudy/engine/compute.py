"""Gather, fit and compute abnormal returns for one table of events on one calendar.

:func:`compute_events` is the engine's unit of work: an events table (a chunk
of a study, all on one exchange calendar) and the prepared returns in, an
:class:`~eventstudy.engine.parts.EventsPart` out (the lean
:class:`~eventstudy.panel.AbnormalPanel`, diagnostics and notes). There is no
Python loop over events. :mod:`eventstudy.engine.chunks` runs it over chunks;
:func:`eventstudy.event_study` over calendars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import as_strided

from eventstudy.calendar import TradingCalendar
from eventstudy.engine.parts import EventsPart
from eventstudy.errors import (
    EstimationWindowTooShortError,
    InvalidParameterError,
    UnknownSymbolError,
)
from eventstudy.event_dates import resolve_event_dates
from eventstudy.models import ModelSpec, fit_market, fit_panel, get_model
from eventstudy.nonsync import NONSYNC_MODELS, fit_nonsync, market_offsets, nonsync_notes
from eventstudy.panel import DERIVABLE_MODELS, AbnormalPanel, PanelSource
from eventstudy.prepare import PreparedData
from eventstudy.screens import screen_estimation
from eventstudy.windows import (
    DEFAULT_ESTIMATION,
    DEFAULT_WINDOWS,
    DateWindow,
    Window,
    WindowLike,
    event_span,
    parse_window,
    parse_windows,
)

__all__ = ["MISSING_ESTIMATION_NOTE", "compute_events"]

#: An event with more than this fraction of its estimation window without a usable
#: return gets a note in ``result.notes`` (the count is always in ``diagnostics``);
#: an event excluded for too few returns has its exclusion note instead.
MISSING_ESTIMATION_NOTE = 0.10


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
    if rows.size == 0 or (rows.min() >= 0 and rows.max() < n):  # every slot on the grid
        return values[rows, cols[:, None]]
    ok = (rows >= 0) & (rows < n)
    out = values[np.clip(rows, 0, n - 1), cols[:, None]]
    return np.where(ok, out, np.nan)


def _span(values: np.ndarray, first: np.ndarray, length: int, cols: np.ndarray,
          present: np.ndarray | None = None) -> np.ndarray:
    """``values[first[e] + t, cols[e]]`` for ``t < length``: :func:`_gather` of contiguous rows.

    Each event's slots are consecutive sessions, so when they all lie on the
    grid the array is read as ``length``-session windows of ``values`` (a
    strided view, one fancy index per event instead of one per slot; a single
    column, e.g. a market shared by every event, is read from a contiguous
    copy of that column). The same numbers as :func:`_gather` (copies, no
    arithmetic). ``present`` (bool per event, optional) marks the events that
    have the column at all; the others get NaN rows.
    """
    n, width = values.shape
    every = present is None or bool(present.all())
    if first.size and length and int(first.min()) >= 0 and int(first.max()) + length <= n:
        c0, c1 = int(cols.min()), int(cols.max())
        if c0 == c1:  # one column for every event: windows of a contiguous copy
            col = np.ascontiguousarray(values[:, c0])
            out = as_strided(col, shape=(n - length + 1, length), strides=(col.strides[0],) * 2,
                             writeable=False)[first]
        else:
            s0, s1 = values.strides
            out = as_strided(values, shape=(n - length + 1, width, length), strides=(s0, s1, s0),
                             writeable=False)[first, cols]
    else:
        out = _gather(values, first[:, None] + np.arange(length)[None, :], cols)
    if not every:
        assert present is not None
        out = np.where(present[:, None], out, np.nan)
    return out


#: The dtype pandas gives a column of Python or numpy strings (``str`` in pandas 3).
_STR_DTYPE = pd.Series(np.array(["x"])).dtype


def _as_str_column(column: pd.Series, as_numpy: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``as_numpy`` (the column's strings) for a frame: the column's own array when it already
    holds those strings in pandas' default string dtype (no conversion back)."""
    if column.dtype == _STR_DTYPE and isinstance(column.dtype, pd.StringDtype) and not column.hasnans:
        return column.array
    return as_numpy


def _status_column(status: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``status`` (``"ok"`` / ``"excluded"``) in the default string dtype, taken from its two values."""
    if not isinstance(_STR_DTYPE, pd.StringDtype) or not np.isin(status, ("excluded", "ok")).all():
        return status
    return pd.array(np.array(["excluded", "ok"]), dtype=_STR_DTYPE).take((status == "ok").astype(np.intp))


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
    col_index = rets.columns
    # each distinct security looked up and converted once (events repeat securities)
    sec_codes, sec_names = pd.factorize(events["security"])
    sec_idx = np.where(sec_codes >= 0, col_index.get_indexer(sec_names)[sec_codes], -1).astype(np.int64) \
        if len(sec_names) else col_index.get_indexer(pd.Index(events["security"])).astype(np.int64)
    if (sec_idx < 0).any():  # the names are listed only when one is unknown
        cols = list(rets.columns)
        raise UnknownSymbolError(sorted(set(events["security"].unique()) - set(cols)), "the return data", cols)
    needs_bench = spec.uses_market or spec.name == "market_adjusted"
    bench_names = events["benchmark"]
    if needs_bench and bench_names.isna().any():
        raise InvalidParameterError("benchmark", f"a benchmark for model {spec.name!r}", None)
    has_bench = bench_names.notna().to_numpy()
    bench_at = col_index.get_indexer(pd.Index(bench_names))
    if (has_bench & (bench_at < 0)).any():
        cols = list(rets.columns)
        raise UnknownSymbolError(sorted(set(bench_names.dropna().unique()) - set(cols)), "the benchmark data",
                                 cols)

    res_ev = resolve_event_dates(cal, sessions, events["event_date"], roll,
                                 times=events.get("event_time", None),
                                 timings=events.get("timing", None))
    pos0 = res_ev.pos0

    est = _relative(parse_window(estimation, "estimation"), sessions, pos0, cal, "estimation")
    wins = tuple(_relative(w, sessions, pos0, cal, f"windows[{i}]")
                 for i, w in enumerate(parse_windows(windows)))
    lo, hi = event_span(wins)
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
    bench_idx = np.maximum(bench_at, 0).astype(np.int64)
    est_days = np.arange(est.start, est.end + 1)
    ev_days = np.arange(lo, hi + 1)
    est_rows = ev_rows = np.empty((0, 0), dtype=np.int64)  # (E, T) and (E, L) rows: built where used

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
        r_est = _span(values, pos0 + est.start, est.length, sec_idx)
        m_est = _span(values, pos0 + est.start, est.length, bench_idx, has_bench)
        r_ev = _span(values, pos0 + lo, hi - lo + 1, sec_idx)
        m_ev = _span(values, pos0 + lo, hi - lo + 1, bench_idx, has_bench)
        mkt_est, mkt_ev = m_est, m_ev
        x_est = x_ev = None
        if spec.name == "market_adjusted":
            y_est, y_ev = r_est - m_est, r_ev - m_ev
        else:
            y_est, y_ev = r_est, r_ev
    else:
        est_rows = pos0[:, None] + est_days[None, :]
        ev_rows = pos0[:, None] + ev_days[None, :]
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
    bench_col = bench_names if bench_names.dtype == _STR_DTYPE and not bench_names.hasnans else \
        bench_names.where(bench_names.notna(), "").astype(str)
    bench_str = bench_col.to_numpy()
    screen = screen_estimation(
        r_est, m_est, fit.resid, fit.sigma2, status == "ok", has_bench & needs_bench, bench_str, spec.name,
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

    every = bool(keep.all())
    k = slice(None) if every else keep  # every event kept: the arrays as they are (no copies)
    ids_str = events["event_id"].to_numpy(dtype=str)
    secs_str = np.asarray(sec_names.to_numpy(dtype=str))[sec_codes] if (sec_codes >= 0).all() else \
        events["security"].to_numpy(dtype=str)
    common = dict(
        event_ids=ids_str[k],
        securities=secs_str[k],
        model=spec.name, k=spec.k, event_days=ev_days.astype(np.int64),
        ar=ar[k], raw_event=r_ev[k], raw_event_market=m_ev[k],
        params=fit.params[k], xtx_inv=fit.xtx_inv[k], sigma2=fit.sigma2[k], nobs=fit.nobs[k],
        df_resid=fit.df_resid[k], cond_var=garch.cond_var[k] if garch is not None else None,
    )
    est_ends = dates(np.stack([pos0 + est.start, pos0 + est.end], axis=1))
    if derivable:
        panel = AbnormalPanel(
            **common,  # type: ignore[arg-type]
            source=PanelSource((to_d,), (values,), est.start, est.length),
            pos0=pos0[keep], grid=np.zeros(int(keep.sum()), dtype=np.int64), sec_col=sec_idx[keep],
            bench_col=np.where(has_bench, bench_idx, -1)[keep])
    else:
        assert x_est is not None and x_ev is not None
        panel = AbnormalPanel(**common, stored={  # type: ignore[arg-type]
            "est_dates": dates(est_rows)[k], "est_y": y_est[k], "est_resid": fit.resid[k],
            "est_x": x_est[k], "est_market": mkt_est[k], "event_dates": dates(ev_rows)[k],
            "event_x": np.where(np.isfinite(ar)[..., None], x_ev, np.nan)[k],
            "event_market": mkt_ev[k]})
    # events with a moment or a named timing (None for a plain date)
    timing = np.asarray(res_ev.timing if res_ev.timing is not None else [], dtype=object)
    timed: list[int] = np.flatnonzero(timing != np.full(timing.shape, None, dtype=object)).tolist()
    diagnostics = pd.DataFrame(
        {
            "security": _as_str_column(events["security"], secs_str),
            "benchmark": _as_str_column(bench_col, bench_str),
            "event_date": pd.DatetimeIndex(res_ev.requested),
            "event_session": sessions[pos0],
            "rolled": res_ev.rolled,
            **({} if not timed else {
                "event_time": pd.DatetimeIndex(np.asarray(res_ev.moment)).tz_localize("UTC"),
                "timing": [t if t is not None else "" for t in timing]}),
            "estimation_start": pd.to_datetime(est_ends[:, 0]),
            "estimation_end": pd.to_datetime(est_ends[:, 1]),
            "estimation_days": est.length,
            "nobs": fit.nobs,
            "estimation_missing": est.length - fit.nobs,
            "event_missing": (~np.isfinite(ar)).sum(axis=1),
            "status": _status_column(status),
            "reason": reason,
        },
        index=pd.Index(_as_str_column(events["event_id"], ids_str), name="event_id"),
    )
    if garch is not None:  # the GARCH parameters (decimal returns) and arch's convergence flag
        diagnostics = pd.concat([diagnostics, garch.params.set_axis(diagnostics.index)], axis=1)
    notes: list[str] = []
    for i in np.flatnonzero(res_ev.rolled).tolist():
        notes.append(f"{diagnostics.index[i]}: {res_ev.resolved(i, sessions).note}.")
    for i in timed:
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
    if (keep & (diagnostics["event_missing"].to_numpy() > 0)).any():
        miss = diagnostics.loc[keep & (diagnostics["event_missing"].to_numpy() > 0)]
        for eid, n in miss["event_missing"].items():
            notes.append(f"{eid}: {n} missing return(s) in the event span {lo}..{hi}; "
                         "CARs use the available days (not filled).")
    return EventsPart(panel=panel, diagnostics=diagnostics, notes=tuple(notes),
                      estimation=est, windows=wins, model=spec, pos0=pos0,
                      est_resid=fit.resid[k] if derivable else None)
