"""Synthetic event-study panels with a known truth, for size and power studies.

:func:`synthetic_panel` draws daily returns on real exchange sessions from a
market model,

    R_it = alpha_i + beta_i R_mt + eps_it,

with equicorrelated idiosyncratic returns built from one common factor,

    eps_it = sigma_i (sqrt(rho) f_t + sqrt(1 - rho) u_it),

so that ``corr(eps_it, eps_jt) = rho`` for every pair of firms ``i != j`` and
``Var(eps_it) = sigma_i^2``. On each event's day 0 the firm's ``eps`` is
multiplied by ``event_sigma_mult`` (event-induced variance; Brown & Warner
1985, Boehmer, Musumeci & Poulsen 1991) and the abnormal return ``delta`` is
added (power). The market shock, the common factor and the firm shocks are
standard normal or Student-t with 4 degrees of freedom divided by
``sqrt(2)`` (unit variance, heavy tails).

Two designs, as in the event-study simulation literature (Brown & Warner 1980,
1985; Kolari & Pynnönen 2010):

``"scattered"``
    every event on a different session drawn at random;
``"clustered"``
    all events on one session drawn at random (full calendar clustering).

The generator is independent of the library's engine: it uses numpy for the
draws, pandas for the frames and ``exchange_calendars`` for the sessions, and
returns the inputs a user would pass to :func:`eventstudy.event_study`
(wide returns with a market column, and an events table), together with the
true parameters.

References
----------
Brown, S. J., & Warner, J. B. (1980). Measuring security price performance.
Journal of Financial Economics 8(3), 205-258.
Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: the case of
event studies. Journal of Financial Economics 14(1), 3-31.
Boehmer, E., Musumeci, J., & Poulsen, A. B. (1991). Event-study methodology
under conditions of event-induced variance. Journal of Financial Economics
30(2), 253-272.
Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import exchange_calendars as xcals
import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.errors import InvalidParameterError

__all__ = ["DESIGNS", "TAILS", "Design", "SyntheticPanel", "Tails", "synthetic_panel"]

Design = Literal["scattered", "clustered"]
Tails = Literal["normal", "t4"]

#: Accepted values of ``design``.
DESIGNS: tuple[str, ...] = ("scattered", "clustered")
#: Accepted values of ``tails``.
TAILS: tuple[str, ...] = ("normal", "t4")

_T_DF = 4


@dataclass(frozen=True)
class SyntheticPanel:
    """A synthetic panel and the truth it was drawn from.

    Attributes
    ----------
    returns : DataFrame
        Sessions (tz-naive ``DatetimeIndex`` named ``date``) x securities, plus
        the market column named by ``benchmark``; simple daily returns.
    events : DataFrame
        One row per event: ``event_id``, ``security``, ``event_date``.
    benchmark : str
        Name of the market column of ``returns``.
    alpha, beta, sigma : Series
        True market-model intercept, slope and idiosyncratic standard deviation
        (outside day 0) of each security.
    event_positions : ndarray of int
        Row of ``returns`` holding each event's day 0 (same order as ``events``).
    """

    returns: pd.DataFrame
    events: pd.DataFrame
    benchmark: str
    alpha: pd.Series
    beta: pd.Series
    sigma: pd.Series
    event_positions: npt.NDArray[np.int64]


def _check_number(name: str, value: float, low: float, high: float, *,
                  low_open: bool = False, high_open: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise InvalidParameterError(name, f"a finite number in {lo}{low}, {high}{hi}", value)


def _check_int(name: str, value: int, low: int) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        raise InvalidParameterError(name, f"an integer >= {low}", value)


def _shocks(rng: np.random.Generator, shape: tuple[int, ...], tails: str) -> npt.NDArray[np.float64]:
    """Unit-variance shocks: standard normal, or t(4) / sqrt(2) (Var t(4) = 4 / (4 - 2) = 2)."""
    if tails == "normal":
        return rng.standard_normal(shape)
    return rng.standard_t(_T_DF, shape) / math.sqrt(_T_DF / (_T_DF - 2))


@functools.lru_cache(maxsize=16)
def _sessions(calendar: str, start: pd.Timestamp, n_days: int) -> pd.DatetimeIndex:
    """The first ``n_days`` sessions of ``calendar`` on or after ``start`` (tz-naive, cached)."""
    # A generous calendar end: n sessions span at most ~1.5 n calendar days.
    end = start + pd.Timedelta(days=int(n_days * 1.5) + 30)
    try:
        cal = xcals.get_calendar(calendar, start=start, end=end)
    except xcals.errors.InvalidCalendarName as exc:
        raise InvalidParameterError("calendar", "an exchange_calendars code such as 'XNYS'",
                                    calendar) from exc
    except (ValueError, xcals.errors.CalendarError) as exc:
        raise InvalidParameterError("start/n_days", f"a span that calendar {calendar!r} covers "
                                    f"({exc})", (str(start.date()), n_days)) from exc
    sessions = cal.sessions[cal.sessions >= start][:n_days]
    if len(sessions) < n_days:
        raise InvalidParameterError("n_days", f"at most {len(sessions)} sessions of {calendar} "
                                    f"from {start.date()}", n_days)
    naive = sessions.tz_localize(None) if sessions.tz is not None else sessions
    return pd.DatetimeIndex(naive.to_numpy(), name="date")


def synthetic_panel(
    n_events: int,
    *,
    design: Design = "scattered",
    min_gap: int = 1,
    rho: float = 0.0,
    event_sigma_mult: float = 1.0,
    delta: float = 0.0,
    tails: Tails = "normal",
    n_days: int = 400,
    seed: int | np.random.SeedSequence | None = None,
    estimation_start: int = -250,
    post_days: int = 5,
    market_mean: float = 0.0004,
    market_sigma: float = 0.01,
    beta_range: tuple[float, float] = (0.5, 1.5),
    alpha_sigma: float = 0.0005,
    idio_sigma: float = 0.02,
    start: str = "2015-01-02",
    calendar: str = "XNYS",
    benchmark: str = "MKT",
) -> SyntheticPanel:
    """Draw a market-model panel with ``n_events`` events, one firm per event.

    Parameters
    ----------
    n_events : int
        Number of events (and of firms; firm ``S000`` has event ``E000`` ...).
    design : {"scattered", "clustered"}
        ``"scattered"``: each event on a different session drawn at random
        without replacement; ``"clustered"``: all events on one random session.
    min_gap : int, default 1
        Scattered design: any two event days are at least ``min_gap`` sessions
        apart (1: distinct dates; ``w + 1``: windows of ``w`` sessions never share
        a session). The configuration is uniform among those that respect it.
    rho : float in [0, 1), default 0
        Correlation of the idiosyncratic returns of every pair of firms on every
        session (one-factor equicorrelation), in both designs.
    event_sigma_mult : float > 0, default 1
        Multiplier of the standard deviation of ``eps`` on each event's day 0
        (the firm's own event session). In the clustered design every firm's
        ``eps`` (common factor included) is scaled on the shared day, so the
        correlation on that day is still ``rho``.
    delta : float, default 0
        Abnormal return added to each event firm's return on day 0 (0 under H0).
        The random draws do not depend on ``delta``.
    tails : {"normal", "t4"}
        Distribution of the market shock, the common factor and the firm shocks:
        standard normal, or Student-t(4) scaled by ``1/sqrt(2)`` to unit variance.
    n_days : int, default 400
        Number of sessions (rows of ``returns``).
    seed : int, SeedSequence or None
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same panel.
    estimation_start : int, default -250
        First day of the estimation window relative to day 0; every day 0 has at
        least ``-estimation_start`` sessions before it in the panel.
    post_days : int, default 5
        Every day 0 has at least this many sessions after it in the panel.
    market_mean, market_sigma : float, default 0.0004, 0.01
        Mean and standard deviation of the daily market return.
    beta_range : (low, high), default (0.5, 1.5)
        ``beta_i ~ U(low, high)``.
    alpha_sigma : float, default 0.0005
        ``alpha_i ~ N(0, alpha_sigma^2)``.
    idio_sigma : float, default 0.02
        ``sigma_i``, the same for every firm.
    start : date-like, default "2015-01-02"
        The panel starts at the first session on or after this date.
    calendar : str, default "XNYS"
        exchange_calendars code of the sessions.
    benchmark : str, default "MKT"
        Name of the market column.

    Returns
    -------
    SyntheticPanel
        ``returns`` and ``events`` ready for
        ``event_study(returns=p.returns, benchmark=p.benchmark, events=p.events)``,
        and the true parameters.

    Raises
    ------
    eventstudy.errors.InvalidParameterError
        A parameter is outside its domain, or ``n_days`` is too short for the
        estimation window, ``post_days`` and (scattered) ``n_events`` distinct dates.

    Notes
    -----
    Returns are the model's values, never clipped: with ``tails="t4"`` a simple
    return at or below -100% has probability about 1.3e-7 per cell at the
    default ``idio_sigma`` (``P(t_4 < -69)``), which
    :func:`eventstudy.event_study` refuses with
    :class:`~eventstudy.errors.ImplausibleReturnError`; a Monte Carlo must
    count such draws, not hide them.

    The shocks are drawn in a fixed order (betas, alphas, event days, market,
    common factor, firm shocks), so ``delta`` and ``event_sigma_mult`` change
    only day-0 cells of a panel drawn with the same seed.

    References
    ----------
    Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: the case of
    event studies. Journal of Financial Economics 14(1), 3-31.
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.

    Examples
    --------
    >>> p = synthetic_panel(6, design="clustered", rho=0.1, event_sigma_mult=2.0, seed=1)
    >>> p.returns.shape, p.events["event_date"].nunique()
    ((400, 7), 1)
    """
    _check_int("n_events", n_events, 1)
    if design not in DESIGNS:
        raise InvalidParameterError("design", f"one of {DESIGNS}", design)
    if tails not in TAILS:
        raise InvalidParameterError("tails", f"one of {TAILS}", tails)
    _check_number("rho", rho, 0.0, 1.0, high_open=True)
    _check_number("event_sigma_mult", event_sigma_mult, 0.0, math.inf, low_open=True, high_open=True)
    _check_number("delta", delta, -1.0, math.inf, low_open=True, high_open=True)
    _check_number("market_sigma", market_sigma, 0.0, math.inf, high_open=True)
    _check_number("market_mean", market_mean, -1.0, 1.0, low_open=True, high_open=True)
    _check_number("alpha_sigma", alpha_sigma, 0.0, math.inf, high_open=True)
    _check_number("idio_sigma", idio_sigma, 0.0, math.inf, low_open=True, high_open=True)
    if (not isinstance(beta_range, tuple) or len(beta_range) != 2
            or not all(isinstance(b, int | float) and math.isfinite(b) for b in beta_range)
            or beta_range[0] > beta_range[1]):
        raise InvalidParameterError("beta_range", "a tuple (low, high) of finite numbers, low <= high",
                                    beta_range)
    _check_int("post_days", post_days, 0)
    if not isinstance(estimation_start, int) or isinstance(estimation_start, bool) or estimation_start > 0:
        raise InvalidParameterError("estimation_start", "an integer <= 0", estimation_start)
    _check_int("n_days", n_days, 1)
    first, last = -estimation_start, n_days - 1 - post_days  # admissible rows of day 0
    n_slots = last - first + 1
    _check_int("min_gap", min_gap, 1)
    need = (n_events - 1) * min_gap + 1 if design == "scattered" else 1
    if n_slots < need:
        minimum = -estimation_start + post_days + need
        raise InvalidParameterError(
            "n_days", f"at least {minimum} sessions ({-estimation_start} before day 0, "
            f"{post_days} after it, {need} admissible event day(s) for design {design!r} "
            f"with min_gap={min_gap})", n_days)

    try:
        start_ts = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError("start", "a date such as '2015-01-02'", start) from exc
    if start_ts is pd.NaT or start_ts.tzinfo is not None:
        raise InvalidParameterError("start", "a tz-naive date such as '2015-01-02'", start)
    dates = _sessions(calendar, start_ts.normalize(), n_days)

    rng = np.random.default_rng(seed)
    beta = rng.uniform(beta_range[0], beta_range[1], n_events)
    alpha = rng.normal(0.0, alpha_sigma, n_events)
    if design == "scattered":
        # Uniform over gap-respecting sets: n sorted distinct draws from a range shrunk
        # by (n - 1)(min_gap - 1), the k-th spread out by k (min_gap - 1); then a
        # random assignment of dates to firms.
        base = np.sort(rng.choice(n_slots - (n_events - 1) * (min_gap - 1), size=n_events,
                                  replace=False))
        pos = first + base + np.arange(n_events) * (min_gap - 1)
        pos = rng.permutation(pos)
    else:
        pos = np.full(n_events, first + int(rng.integers(n_slots)))
    pos = pos.astype(np.int64)
    rm = market_mean + market_sigma * _shocks(rng, (n_days,), tails)
    common = _shocks(rng, (n_days, 1), tails)
    own = _shocks(rng, (n_days, n_events), tails)
    eps = idio_sigma * (math.sqrt(rho) * common + math.sqrt(1.0 - rho) * own)
    cols = np.arange(n_events)
    eps[pos, cols] *= event_sigma_mult
    ret = alpha + np.outer(rm, beta) + eps
    ret[pos, cols] += delta

    names = [f"S{i:03d}" for i in range(n_events)]
    returns = pd.DataFrame(ret, index=dates, columns=names)
    returns[benchmark] = rm
    events = pd.DataFrame({
        "event_id": [f"E{i:03d}" for i in range(n_events)],
        "security": names,
        "event_date": dates[pos],
    })
    return SyntheticPanel(
        returns=returns,
        events=events,
        benchmark=benchmark,
        alpha=pd.Series(alpha, index=names, name="alpha"),
        beta=pd.Series(beta, index=names, name="beta"),
        sigma=pd.Series(np.full(n_events, idio_sigma), index=names, name="sigma"),
        event_positions=pos,
    )
