"""The stacked event panel: the arrays every statistic is computed from.

The engine (:mod:`eventstudy.study`) gathers, for ``E`` events, the returns of
the estimation window (``T`` slots) and of the event span (``L`` slots, relative
days ``event_days``) into dense 2-D arrays with NaN where a return is missing.
Estimation and abnormal returns are both keyed by *event*, never by security:
the same security may appear in several events.

Every array is read-only (``writeable=False``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]
#: Session numbers (int32 on a single calendar's grid, int64 on a union of dates).
PosArray = npt.NDArray[np.signedinteger[Any]]

__all__ = ["DERIVABLE_MODELS", "DERIVED", "AbnormalPanel", "DateArray", "FloatArray", "IntArray", "PosArray",
           "PanelSource", "session_numbers"]


#: Models whose estimation arrays the panel derives from the returns it points
#: to (:class:`PanelSource`) instead of storing them; the others store them.
DERIVABLE_MODELS = ("market", "constant_mean", "market_adjusted")

#: The arrays a panel either derives (from its source) or stores.
DERIVED = ("est_dates", "est_y", "est_resid", "est_x", "est_market", "event_dates", "event_x",
           "event_market")


@dataclass(frozen=True, eq=False)
class PanelSource:
    """What a lean panel's derived arrays are read from: returns on session grids.

    One entry per session grid (exchange calendar); the arrays are the
    prepared returns themselves (not copies), shared by every event and every
    chunk of a study.

    Attributes
    ----------
    sessions : tuple of ndarray of datetime64[D]
        Session dates of each grid.
    values : tuple of ndarray, shape (n_sessions, n_columns)
        Returns of each grid (NaN where missing), columns as numbered by the
        panel's ``sec_col`` / ``bench_col``.
    est_start, est_length : int
        Relative day of the first estimation slot and the number of slots ``T``.
    """

    sessions: tuple[DateArray, ...]
    values: tuple[FloatArray, ...]
    est_start: int
    est_length: int


@dataclass(frozen=True)
class AbnormalPanel:
    """Abnormal returns of ``E`` events and what their statistics need.

    A panel stores what it cannot derive. For the market, constant-mean and
    market-adjusted models (:data:`DERIVABLE_MODELS`) built by the engine it
    keeps, per event, the abnormal returns, the event-span returns, the fit
    (``params``, ``xtx_inv``, ``sigma2``, ``nobs``, ``df_resid``) and four
    integers (``pos0``, ``grid``, ``sec_col``, ``bench_col``) that point into
    a shared :class:`PanelSource`; the estimation arrays (``est_resid``,
    ``est_y``, ``est_x``, ``est_market``, ``est_dates``) and the event-span
    regressors and dates are *derived* on access, exactly as the engine
    computed them (same floating-point operations). Other models, and panels
    built with :meth:`from_arrays`, store them in ``stored``. Derived arrays
    are recomputed on each access unless the panel is inside
    :meth:`holding` (the test battery uses it).

    Attributes
    ----------
    event_ids : ndarray of str, shape (E,)
    securities : ndarray of str, shape (E,)
    model : str
        Name of the normal-return model (``"market"``, ``"constant_mean"``, ...).
    k : int
        Number of estimated parameters per event (2 for the market model,
        1 for constant mean, 0 for market-adjusted, 1 + #factors for factor models).
    event_days : ndarray of int, shape (L,)
        Relative trading days of the event span (e.g. -5 .. +5).
    ar : ndarray, shape (E, L)
        Abnormal returns (prediction errors), NaN where missing.
    raw_event : ndarray, shape (E, L)
        Security return on each event day (for BHAR).
    raw_event_market : ndarray, shape (E, L)
        Benchmark return on each event day (for BHAR).
    params : ndarray, shape (E, k)
    xtx_inv : ndarray, shape (E, k, k)
        ``(X'X)^-1`` of the estimation regression (empty when k == 0). For the
        ``dimson`` and ``scholes_williams`` models (not OLS on ``[1, R_m]``) it is
        ``A A'`` with ``(alpha, beta)' = A R`` (:mod:`eventstudy.nonsync`), so
        ``sigma2 * xtx_inv`` is still the parameters' covariance under i.i.d. errors.
    sigma2 : ndarray, shape (E,)
        Residual variance ``s2 = RSS / (T_i - k)`` (``T_i - 1`` when k == 0). For
        GARCH models, the same formula on the estimation residuals of the
        GARCH mean equation (the statistics that assume a constant variance
        use it).
    nobs : ndarray of int, shape (E,)
        Estimation returns used, ``T_i``.
    df_resid : ndarray of int, shape (E,)
        Residual degrees of freedom.
    cond_var : ndarray, shape (E, L), or None
        GARCH models only: the conditional variance ``h_it`` of each event day,
        one step ahead with the estimation-window parameters held fixed
        (:mod:`eventstudy.garch`); ``None`` for the other models.
    source : PanelSource or None
        Where derived arrays come from (``None``: everything is stored).
    pos0, grid, sec_col, bench_col : ndarray of int, shape (E,), or None
        Session row of day 0 in the event's grid, the grid's number in
        ``source``, and the columns of the security and of its benchmark
        (-1: none) in that grid's ``values``.
    stored : dict of str to ndarray
        The arrays of :data:`DERIVED` this panel stores rather than derives.
    rbar_max_partners : int or None
        Cap on the partners per event of the Kolari–Pynnönen ``rbar`` pair term
        (:func:`eventstudy.inference.correlation.residual_correlation`); ``None``:
        every pair.

    The derived (or stored) arrays, as properties:

    ``est_dates`` (E, T) datetime64[D], NaT where the slot is outside the data;
    ``est_y`` (E, T) the dependent variable of the estimation regression;
    ``est_resid`` (E, T) estimation residuals, NaN where unused;
    ``est_x`` (E, T, k) regressors of the estimation window;
    ``est_market`` (E, T) market (benchmark) return on each estimation slot
    (excess market return for factor models);
    ``event_dates`` (E, L); ``event_x`` (E, L, k) regressors on the event days
    (NaN rows where the abnormal return is missing), so
    ``Var(AR_t) = s2 (1 + x_t' (X'X)^-1 x_t)``; ``event_market`` (E, L).
    """

    event_ids: npt.NDArray[np.str_]
    securities: npt.NDArray[np.str_]
    model: str
    k: int
    event_days: IntArray
    ar: FloatArray
    raw_event: FloatArray
    raw_event_market: FloatArray
    params: FloatArray
    xtx_inv: FloatArray
    sigma2: FloatArray
    nobs: IntArray
    df_resid: IntArray
    cond_var: FloatArray | None = None
    source: PanelSource | None = field(default=None, repr=False)
    pos0: IntArray | None = None
    grid: IntArray | None = None
    sec_col: IntArray | None = None
    bench_col: IntArray | None = None
    stored: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    rbar_max_partners: int | None = None
    #: Memo of quantities several statistics share (``rbar``, ranks), keyed by the
    #: statistic's inputs; filled on first use, never part of equality.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_arrays(cls, **arrays: Any) -> AbnormalPanel:
        """A panel that stores every array (the fields plus those of :data:`DERIVED`).

        ``est_y`` may be left out: it is then ``est_resid + est_x @ params``.
        """
        stored = {name: arrays.pop(name) for name in DERIVED if name in arrays}
        if "est_y" not in stored and {"est_resid", "est_x"} <= set(stored):  # y = e + X b
            stored["est_y"] = stored["est_resid"] + np.einsum("etk,ek->et", stored["est_x"],
                                                              arrays["params"])
        missing = [name for name in DERIVED if name not in stored]
        if missing:
            raise TypeError(f"from_arrays() needs the arrays {missing}")
        return cls(**arrays, stored=stored)

    def __post_init__(self) -> None:
        for value in (*(getattr(self, f.name) for f in dataclasses.fields(self)),
                      *self.stored.values()):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        if self.source is None and len(self.stored) < len(DERIVED):
            raise TypeError("AbnormalPanel needs a `source` or every array of DERIVED in `stored`")

    def detached(self) -> AbnormalPanel:
        """The panel without its source's arrays (to ship it to another process)."""
        src = self.source
        if src is None or not src.sessions:
            return self
        if len(src.sessions) != 1:
            raise ValueError("only a single-calendar panel can be detached")
        return dataclasses.replace(self, source=PanelSource((), (), src.est_start, src.est_length))

    def attached(self, sessions: pd.DatetimeIndex | DateArray, values: FloatArray) -> AbnormalPanel:
        """A :meth:`detached` panel pointed at ``values`` on ``sessions`` (one grid)."""
        src = self.source
        if src is None or src.sessions:
            return self
        days = np.asarray(sessions).astype("datetime64[D]")
        return dataclasses.replace(self, source=PanelSource((days,), (values,), src.est_start,
                                                            src.est_length))

    def replace(self, **changes: Any) -> AbnormalPanel:
        """A copy with ``changes``; arrays of :data:`DERIVED` given here are stored."""
        stored = {**self.stored, **{n: changes.pop(n) for n in DERIVED if n in changes}}
        return dataclasses.replace(self, **changes, stored=stored)

    #: Fields shared by every event (not sliced or stacked per event).
    _SHARED = ("model", "k", "event_days", "source", "stored", "rbar_max_partners")

    def take(self, rows: npt.ArrayLike | slice) -> AbnormalPanel:
        """The panel restricted to (or reordered by) ``rows`` (indices, a boolean mask or a slice)."""
        idx = rows if isinstance(rows, slice) else np.asarray(rows)
        changes: dict[str, Any] = {
            f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)
            if f.init and f.name not in self._SHARED and getattr(self, f.name) is not None}
        changes["stored"] = {name: v[idx] for name, v in self.stored.items()}
        return dataclasses.replace(self, **changes)

    @classmethod
    def concat(cls, panels: Sequence[AbnormalPanel]) -> AbnormalPanel:
        """Stack panels of the same model and event span (events in the given order).

        Panels with different sources (calendars) share one source holding
        every grid; a panel that stores an array makes the stack store it
        (derived from the others).
        """
        first = panels[0]
        if len(panels) == 1:
            return first
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not f.init or f.name in cls._SHARED or f.name == "grid":
                continue
            vals = [getattr(p, f.name) for p in panels]
            if all(v is None for v in vals):  # optional arrays (cond_var of GARCH models)
                continue
            if any(v is None for v in vals):
                if f.name in ("pos0", "sec_col", "bench_col"):  # some panel has no source
                    continue
                raise ValueError(f"cannot stack panels with and without {f.name!r}")
            changes[f.name] = np.concatenate(vals, axis=0)
        sources = [p.source for p in panels]
        names = set().union(*(p.stored for p in panels))
        if any(s is None for s in sources):
            names = set(DERIVED)
            changes.update(source=None, pos0=None, grid=None, sec_col=None, bench_col=None)
        else:
            grids: list[tuple[DateArray, FloatArray]] = []
            ids: list[IntArray] = []
            for p in panels:
                src = p.source
                assert src is not None and p.grid is not None
                remap: list[int] = []
                for sess, rets in zip(src.sessions, src.values, strict=True):
                    hit = [i for i, (d, v) in enumerate(grids)
                           if v is rets and (d is sess or np.array_equal(d, sess))]
                    if not hit:
                        grids.append((sess, rets))
                    remap.append(hit[0] if hit else len(grids) - 1)
                ids.append(np.asarray(remap, dtype=np.int64)[p.grid])
            s0 = first.source
            assert s0 is not None
            changes["source"] = PanelSource(tuple(d for d, _ in grids), tuple(v for _, v in grids),
                                            s0.est_start, s0.est_length)
            changes["grid"] = np.concatenate(ids)
        changes["stored"] = {name: np.concatenate([getattr(p, name) for p in panels], axis=0)
                             for name in sorted(names)}
        return dataclasses.replace(first, **changes)

    # ------------------------------------------------------------- derived arrays
    @contextmanager
    def holding(self, **lent: np.ndarray | None) -> Iterator[AbnormalPanel]:
        """Keep derived arrays and shared statistics once computed until the block ends.

        ``lent`` are derived arrays already computed elsewhere (the engine's
        residuals), used instead of deriving them. On exit the memo is emptied,
        so a result keeps only what it exposes (later calls recompute what they
        need).
        """
        hold: dict[str, np.ndarray] = {}
        for name, value in lent.items():
            if value is None or name in self.stored:
                continue
            if name not in DERIVED or value.shape[0] != self.n_events:
                raise ValueError(f"cannot lend {name!r} of shape {value.shape} to a panel of "
                                 f"{self.n_events} events")
            value.flags.writeable = False
            hold[name] = value
        self._memo["hold"] = hold
        try:
            yield self
        finally:
            self._memo.clear()

    def _derived(self, name: str) -> np.ndarray:
        if name in self.stored:
            return self.stored[name]
        hold = self._memo.get("hold")
        if hold is not None and name in hold:
            return hold[name]  # type: ignore[no-any-return]
        value = _derive(self, name)
        value.flags.writeable = False
        if hold is not None:
            hold[name] = value
        return value

    @property
    def est_dates(self) -> DateArray:
        return self._derived("est_dates")

    @property
    def est_y(self) -> FloatArray:
        return self._derived("est_y")

    @property
    def est_resid(self) -> FloatArray:
        return self._derived("est_resid")

    @property
    def est_x(self) -> FloatArray:
        return self._derived("est_x")

    @property
    def est_market(self) -> FloatArray:
        return self._derived("est_market")

    @property
    def event_dates(self) -> DateArray:
        return self._derived("event_dates")

    @property
    def event_x(self) -> FloatArray:
        return self._derived("event_x")

    @property
    def event_market(self) -> FloatArray:
        return self._derived("event_market")

    def positions(self) -> tuple[PosArray, PosArray]:
        """Session numbers of the estimation and event-span slots on one grid (-1: none).

        With one session grid these are the rows of the grid itself, as int32
        (no dates touched); otherwise the union of the panel's dates is numbered.
        """
        src = self.source
        if src is not None and len(src.sessions) == 1 and not self.stored and self.pos0 is not None:
            n = src.sessions[0].size
            p0: PosArray = self.pos0.astype(np.int32)[:, None]  # session rows fit in 32 bits
            est: PosArray = p0 + np.arange(src.est_start, src.est_start + src.est_length).astype(np.int32)
            evd: PosArray = p0 + self.event_days.astype(np.int32)[None, :]
            for a in (est, evd):  # in place: no second (E, T) array
                a[(a < 0) | (a >= n)] = -1
            return est, evd
        est_d = np.asarray(self.est_dates).astype("datetime64[D]")
        evd_d = np.asarray(self.event_dates).astype("datetime64[D]")
        both = np.concatenate([est_d.ravel(), evd_d.ravel()])
        grid = np.unique(both[~np.isnat(both)])
        return session_numbers(est_d, grid), session_numbers(evd_d, grid)

    @property
    def n_events(self) -> int:
        return int(self.ar.shape[0])

    def day_index(self, day: int) -> int:
        """Column of relative day ``day`` in the event arrays."""
        hits = np.flatnonzero(self.event_days == day)
        if hits.size == 0:
            raise KeyError(f"relative day {day} not in the event span {self.event_days.tolist()}")
        return int(hits[0])

    def window_mask(self, start: int, end: int) -> npt.NDArray[np.bool_]:
        """Boolean mask over ``event_days`` for the window ``[start, end]``."""
        return (self.event_days >= start) & (self.event_days <= end)

    def forecast_variance(self, start: int, end: int) -> FloatArray:
        """Var(CAR) per event over ``[start, end]`` with the forecast-error term.

        ``Var(CAR_i) = s2_i * (L + g' (X'X)^-1 g)`` with ``g`` the sum of the
        window's regressor rows; for the market model this is
        ``s2 [L + L^2/T + (sum (Rm_t - mean Rm))^2 / Smm]`` (MacKinlay 1997, eq. 12-13
        summed over the window).

        References
        ----------
        MacKinlay, A. C. (1997). Event studies in economics and finance.
        Journal of Economic Literature 35(1), 13-39.
        """
        mask = self.window_mask(start, end)
        # Days with a missing abnormal return are left out of the window (and
        # reported by the engine), so L is counted per event.
        used = np.isfinite(self.ar[:, mask])
        length = used.sum(axis=1).astype(np.float64)
        if self.k == 0:
            return np.asarray(self.sigma2 * length, dtype=np.float64)
        if self.model == "market" and "event_x" not in self.stored and used.shape[1]:
            # event_x = [1, R_m] on the used days: g = (L, sum of R_m), added day by day
            # as the sum over the window axis does (the same numbers, no (E, L, 2) array)
            m = np.where(used, self.raw_event_market[:, mask], 0.0)
            g = np.empty((m.shape[0], 2))
            g[:, 0] = length
            g[:, 1] = m[:, 0]
            for j in range(1, m.shape[1]):
                g[:, 1] += m[:, j]
        else:
            g = np.nansum(self.event_x[:, mask, :], axis=1)  # (E, k); NaN rows = missing days
        quad = np.einsum("ei,eij,ej->e", g, self.xtx_inv, g)
        return np.asarray(self.sigma2 * (length + quad), dtype=np.float64)

    def daily_forecast_factor(self) -> FloatArray:
        """``C_it = 1 + x_t' (X'X)^-1 x_t`` per event and event day, shape (E, L).

        The Patell (1976) correction; 1 for models with no estimated parameters.
        """
        if self.k == 0:
            return np.ones_like(self.ar)
        return np.asarray(
            1.0 + np.einsum("eli,eij,elj->el", self.event_x, self.xtx_inv, self.event_x),
            dtype=np.float64,
        )


def session_numbers(dates: npt.ArrayLike, grid: DateArray) -> IntArray:
    """Position of each date in the sorted ``grid`` of sessions, -1 for NaT."""
    d = np.asarray(dates).astype("datetime64[D]")
    bad = np.isnat(d)
    if grid.size == 0:
        return np.full(d.shape, -1, dtype=np.int64)
    return np.where(bad, -1, np.searchsorted(grid, np.where(bad, grid[0], d))).astype(np.int64)


def _rows(panel: AbnormalPanel, offsets: IntArray, cols: IntArray | None,
          dates: bool = False) -> np.ndarray:
    """``values[pos0 + offsets, cols]`` (or the session dates) per event, NaN/NaT off the grid."""
    src, pos0, grid = panel.source, panel.pos0, panel.grid
    assert src is not None and pos0 is not None and grid is not None
    shape = (pos0.size, offsets.size)
    if len(src.sessions) == 1 and pos0.size and offsets.size:  # one grid: no selection pass
        n = src.sessions[0].size
        rows = pos0[:, None] + offsets[None, :]
        if int(pos0.min()) + int(offsets.min()) >= 0 and int(pos0.max()) + int(offsets.max()) < n:
            if dates:
                return src.sessions[0][rows]
            assert cols is not None
            if int(cols.min()) >= 0:  # every slot on the grid, every column present
                return src.values[0][rows, cols[:, None]]
    out = np.full(shape, np.datetime64("NaT"), dtype="datetime64[D]") if dates else np.full(shape, np.nan)
    for g in range(len(src.sessions)):
        sel = grid == g
        if not sel.any():
            continue
        whole = bool(sel.all())
        rows = (pos0 if whole else pos0[sel])[:, None] + offsets[None, :]
        n = src.sessions[g].size
        ok = (rows >= 0) & (rows < n)
        safe = np.clip(rows, 0, n - 1)
        if dates:
            got = np.where(ok, src.sessions[g][safe], np.datetime64("NaT"))
        else:
            assert cols is not None
            c = cols if whole else cols[sel]
            got = np.where(ok & (c >= 0)[:, None], src.values[g][safe, np.maximum(c, 0)[:, None]], np.nan)
        if whole:
            return got
        out[sel] = got
    return out


def _derive(panel: AbnormalPanel, name: str) -> np.ndarray:
    """One array of :data:`DERIVED`, with the engine's own operations (bit-identical)."""
    src = panel.source
    if src is None or panel.model not in DERIVABLE_MODELS:
        raise KeyError(f"the panel neither stores nor can derive {name!r}")
    est = np.arange(src.est_start, src.est_start + src.est_length)
    if name == "est_dates":
        return _rows(panel, est, None, dates=True)
    if name == "event_dates":
        return _rows(panel, panel.event_days, None, dates=True)
    if name == "est_market":
        return _rows(panel, est, panel.bench_col)
    if name == "event_market":
        return panel.raw_event_market
    if name == "est_y":
        r = _rows(panel, est, panel.sec_col)
        return r - _rows(panel, est, panel.bench_col) if panel.model == "market_adjusted" else r
    if name in ("est_x", "event_x"):
        m = panel.est_market if name == "est_x" else panel.raw_event_market
        cols = [] if panel.model == "market_adjusted" else [np.ones_like(m)]
        if panel.model == "market":
            cols.append(m)
        x = np.stack(cols, axis=-1) if cols else np.zeros((*m.shape, 0))
        if name == "event_x":
            x = np.where(np.isfinite(panel.ar)[..., None], x, np.nan)
        return x
    if name == "est_resid":  # from the source directly, a block of events at a time
        out = np.empty((panel.n_events, est.size))
        for lo in range(0, panel.n_events, _BLOCK):
            out[lo:lo + _BLOCK] = _residuals(panel.take(slice(lo, lo + _BLOCK)), est)
        return out
    raise KeyError(name)


#: Events per block when a derived estimation array is built (bounds the temporaries).
_BLOCK = 8192


def _residuals(panel: AbnormalPanel, est: IntArray) -> FloatArray:
    """Estimation residuals of a lean panel, with the engine's own operations."""
    y = _rows(panel, est, panel.sec_col)
    if panel.model == "market_adjusted":
        y -= _rows(panel, est, panel.bench_col)
    if panel.k == 0:
        return np.where(np.isfinite(y), y, np.nan)
    if panel.model == "market":  # as eventstudy.models.fit_market
        m = _rows(panel, est, panel.bench_col)
        fit = panel.params[:, [0]] + m * panel.params[:, [1]]
        ok = np.isfinite(y)
        ok &= np.isfinite(m)
        y -= fit
        return np.where(ok, y, np.nan)
    return np.where(np.isfinite(y), y - panel.params[:, [0]], np.nan)  # constant mean
