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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]

__all__ = ["AbnormalPanel", "FloatArray", "IntArray", "DateArray"]


@dataclass(frozen=True)
class AbnormalPanel:
    """Estimation residuals and abnormal returns for ``E`` events.

    Attributes
    ----------
    event_ids : ndarray of str, shape (E,)
    securities : ndarray of str, shape (E,)
    model : str
        Name of the normal-return model (``"market"``, ``"constant_mean"``, ...).
    k : int
        Number of estimated parameters per event (2 for the market model,
        1 for constant mean, 0 for market-adjusted, 1 + #factors for factor models).
    est_dates : ndarray of datetime64[D], shape (E, T)
        Session date of each estimation slot (NaT where the slot is outside the data).
    est_resid : ndarray, shape (E, T)
        Estimation-window residuals (NaN where the return is missing or unused).
    est_x : ndarray, shape (E, T, k)
        Regressors of the estimation window (rows of missing returns are NaN).
    est_market : ndarray, shape (E, T)
        Market (benchmark) return on each estimation slot (the Patell correction
        uses it for the market model); excess market return for factor models.
    event_days : ndarray of int, shape (L,)
        Relative trading days of the event span (e.g. -5 .. +5).
    event_dates : ndarray of datetime64[D], shape (E, L)
    ar : ndarray, shape (E, L)
        Abnormal returns (prediction errors), NaN where missing.
    event_x : ndarray, shape (E, L, k)
        Regressors on the event days, so ``Var(AR_t) = s2 * (1 + x_t' (X'X)^-1 x_t)``;
        NaN rows where the abnormal return is missing.
    event_market : ndarray, shape (E, L)
        Market return on each event day.
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
    """

    event_ids: npt.NDArray[np.str_]
    securities: npt.NDArray[np.str_]
    model: str
    k: int
    est_dates: DateArray
    est_resid: FloatArray
    est_x: FloatArray
    est_market: FloatArray
    event_days: IntArray
    event_dates: DateArray
    ar: FloatArray
    event_x: FloatArray
    event_market: FloatArray
    raw_event: FloatArray
    raw_event_market: FloatArray
    params: FloatArray
    xtx_inv: FloatArray
    sigma2: FloatArray
    nobs: IntArray
    df_resid: IntArray
    cond_var: FloatArray | None = None
    #: Memo of quantities several statistics share (``rbar``, ranks), keyed by the
    #: statistic's inputs; filled on first use, never part of equality.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    #: Fields shared by every event (not sliced or stacked per event).
    _SHARED = ("model", "k", "event_days")

    def take(self, rows: npt.ArrayLike) -> AbnormalPanel:
        """The panel restricted to (or reordered by) ``rows`` (indices or a boolean mask)."""
        idx = np.asarray(rows)
        changes = {f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)
                   if f.init and f.name not in self._SHARED and getattr(self, f.name) is not None}
        return dataclasses.replace(self, **changes)

    @classmethod
    def concat(cls, panels: Sequence[AbnormalPanel]) -> AbnormalPanel:
        """Stack panels of the same model and event span (events in the given order)."""
        first = panels[0]
        if len(panels) == 1:
            return first
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not f.init or f.name in cls._SHARED:
                continue
            vals = [getattr(p, f.name) for p in panels]
            if all(v is None for v in vals):  # optional arrays (cond_var of GARCH models)
                continue
            changes[f.name] = np.concatenate(vals, axis=0)
        return dataclasses.replace(first, **changes)

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
        length = np.isfinite(self.ar[:, mask]).sum(axis=1).astype(np.float64)
        if self.k == 0:
            return np.asarray(self.sigma2 * length, dtype=np.float64)
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
