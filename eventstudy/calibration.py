"""Size and power of every test on the user's own data and design (placebo events).

:func:`calibrate` answers "can I trust this test here?": it moves the study's
events to randomly drawn placebo dates in the user's own returns, keeping the
design (the same securities, the same number of events per date, the same
estimation window and windows), optionally adds an abnormal return ``delta``
and an event-day volatility increase on day 0, runs the battery, and reports
how often each test rejects. Under ``delta = 0`` that is the test's size on
this design; under ``delta != 0`` its power.

The synthetic mode (:func:`calibrate_synthetic`) does the same on panels
drawn from a market model (:mod:`eventstudy.simulate`) with a chosen
cross-correlation, event-day volatility and tails: the literature's designs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError
from eventstudy.inference._common import window_label
from eventstudy.inference.correlation import residual_correlation
from eventstudy.inference.registry import TESTS
from eventstudy.panel import AbnormalPanel
from eventstudy.study import _events_frame, compute_events, prepare_data, split_benchmark
from eventstudy.windows import DEFAULT_ESTIMATION, WindowLike, parse_window, parse_windows

__all__ = ["CALIBRATION_TESTS", "calibrate", "calibrate_panels", "calibrate_synthetic"]

#: Tests calibrated by default: the battery without the BHAR tests (the BHAR
#: bootstrap would dominate the run time; pass ``tests=`` to include them).
CALIBRATION_TESTS: tuple[str, ...] = tuple(n for n in TESTS
                                           if not n.startswith("bhar") and n != "savickas")

_SYNTHETIC_CHUNK = 100  # synthetic replications per engine call

_COLUMNS = ["test", "window", "delta", "sigma_multiplier", "rejection_rate", "std_err", "reps",
            "invalid", "dependence_robust", "variance_robust"]


def _subset(panel: AbnormalPanel, rows: np.ndarray) -> AbnormalPanel:
    """The panel restricted to ``rows`` (every per-event array sliced)."""
    return panel.take(rows)


def _shock(panel: AbnormalPanel, delta: float, sigma_multiplier: float,
           rng: np.random.Generator) -> AbnormalPanel:
    """Add ``delta`` on day 0 and extra noise so the day-0 sd is ``sigma_multiplier`` times larger.

    The extra noise ``sqrt(m^2 - 1) s_i (sqrt(rbar) f + sqrt(1 - rbar) u_i)`` keeps
    the events' cross-correlation: ``rbar`` is the Kolari–Pynnönen mean residual
    correlation of the events that share day 0, ``f`` one common and ``u_i``
    independent standard normal draws. (Independent noise would dilute the
    day-0 correlation and make correlation-adjusted tests look conservative.)
    """
    if delta == 0.0 and sigma_multiplier == 1.0:
        return panel
    j = panel.day_index(0)
    ar, raw = np.array(panel.ar), np.array(panel.raw_event)
    extra = np.full(panel.n_events, float(delta))
    if sigma_multiplier != 1.0:
        rbar = residual_correlation(panel, start=0, end=0).rbar if panel.n_events > 1 else 0.0
        rho = min(max(rbar, 0.0), 0.99)
        z = math.sqrt(rho) * rng.standard_normal() + math.sqrt(1.0 - rho) * rng.standard_normal(
            panel.n_events)
        extra = extra + math.sqrt(sigma_multiplier**2 - 1.0) * np.sqrt(np.asarray(panel.sigma2)) * z
    ar[:, j] += extra
    raw[:, j] += extra
    return dataclasses.replace(panel, ar=ar, raw_event=raw)


def calibrate_panels(
    panel: AbnormalPanel,
    groups: Sequence[np.ndarray],
    windows: Sequence[tuple[int, int]],
    *,
    deltas: Iterable[float] = (0.0,),
    sigma_multiplier: float = 1.0,
    tests: Sequence[str] = CALIBRATION_TESTS,
    alpha: float = 0.05,
    seed: int = 20250127,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Rejection rates of ``tests`` over the replications ``groups`` (rows of ``panel``).

    Parameters
    ----------
    panel : AbnormalPanel
        Every replication's events stacked.
    groups : sequence of int arrays
        Rows of ``panel`` forming each replication.
    windows : sequence of (int, int)
    deltas : iterable of float
        Abnormal returns added on day 0 (0 measures size).
    sigma_multiplier : float
        Day-0 standard deviation multiplier (event-induced variance); >= 1.
    tests : sequence of str
        Registered test names.
    alpha : float
        Two-sided level.
    seed : int
    progress : bool, optional
        Show a progress bar (default: when there are more than 200 replications).

    Returns
    -------
    pandas.DataFrame
        One row per (test, window, delta): ``rejection_rate`` among the valid
        replications, its binomial ``std_err``, ``reps`` (valid replications),
        ``invalid`` (replications where the test was undefined), and the
        registry's robustness flags.
    """
    unknown = [t for t in tests if t not in TESTS]
    if unknown:
        raise InvalidParameterError("tests", f"names among {list(TESTS)}", unknown)
    if not 0.0 < alpha < 1.0:
        raise InvalidParameterError("alpha", "a level between 0 and 1", alpha)
    if not sigma_multiplier >= 1.0:
        raise InvalidParameterError("sigma_multiplier", "a number >= 1", sigma_multiplier)
    rng = np.random.default_rng(seed)
    delta_list = [float(d) for d in deltas]
    counts: dict[tuple[str, str, float], list[int]] = {}
    show = progress if progress is not None else len(groups) > 200
    bar: Any = None
    if show:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("calibrating", total=len(groups) * len(delta_list))
        bar.start()
    try:
        for rows in groups:
            base = _subset(panel, rows)
            for delta in delta_list:
                shocked = _shock(base, delta, sigma_multiplier, rng)
                for start, end in windows:
                    label = window_label(start, end, "window")
                    for name in tests:
                        spec = TESTS[name]
                        kwargs = {"n_boot": 200, "seed": seed} if name == "bhar-boot" else {}
                        res = spec.fn(shocked, start, end, **kwargs)
                        tally = counts.setdefault((name, label, delta), [0, 0, 0])
                        if res.valid and math.isfinite(res.pvalue):
                            tally[0] += int(res.pvalue <= alpha)
                            tally[1] += 1
                        else:
                            tally[2] += 1
                if bar is not None:
                    bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()
    out = []
    for (name, label, delta), (rej, valid, invalid) in counts.items():
        rate = rej / valid if valid else math.nan
        se = math.sqrt(rate * (1.0 - rate) / valid) if valid else math.nan
        out.append({"test": name, "window": label, "delta": delta,
                    "sigma_multiplier": sigma_multiplier, "rejection_rate": rate, "std_err": se,
                    "reps": valid, "invalid": invalid,
                    "dependence_robust": TESTS[name].dependence_robust,
                    "variance_robust": TESTS[name].variance_robust})
    return pd.DataFrame(out, columns=_COLUMNS)


def _window_pairs(windows: Iterable[WindowLike]) -> list[tuple[int, int]]:
    out = []
    for i, w in enumerate(parse_windows(windows)):
        if not hasattr(w, "start") or not isinstance(w.start, int):
            raise InvalidParameterError(f"windows[{i}]", "relative windows [start, end]", w)
        out.append((int(w.start), int(w.end)))
    return out


def calibrate(
    prices: pd.DataFrame | None = None,
    *,
    returns: pd.DataFrame | None = None,
    benchmark: str | pd.Series | None = None,
    event_date: object = None,
    securities: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    model: str = "market",
    factors: pd.DataFrame | None = None,
    estimation: WindowLike = DEFAULT_ESTIMATION,
    windows: Iterable[WindowLike] = ((0, 0), (-1, 1)),
    reps: int = 1000,
    deltas: Iterable[float] = (0.0,),
    sigma_multiplier: float = 1.0,
    tests: Sequence[str] = CALIBRATION_TESTS,
    alpha: float = 0.05,
    min_estimation_obs: int = 120,
    return_type: str = "simple",
    calendar: str = "XNYS",
    seed: int = 20250127,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Empirical size and power of every test on the user's own returns and design.

    Each replication moves every group of events that share an event date to
    one placebo session drawn at random (groups get distinct sessions), so the
    clustering of the study is kept: the same securities, the same number of
    events per date, the same estimation window and windows. Placebo sessions
    are drawn from those whose estimation window and event windows lie in the
    data and overlap no real event's window (so the real event contaminates
    neither the placebo's estimation nor its event window). Day 0 of every
    placebo event then gets ``delta`` added and, with ``sigma_multiplier > 1``,
    extra noise ``sqrt(m^2 - 1) s_i z`` (``s_i`` the event's residual sd), so its
    sd is ``m`` times larger. All replications run through the engine in one
    call; the tests then run per replication.

    Parameters
    ----------
    prices, returns, benchmark, event_date, securities, events, model, factors,
    estimation, min_estimation_obs, return_type, calendar
        As for :func:`eventstudy.event_study`.
    windows : iterable of [start, end]
        Relative windows to calibrate (default day 0 and (-1, +1)).
    reps : int
        Replications.
    deltas : iterable of float
        Abnormal returns added on day 0; 0 gives the size.
    sigma_multiplier : float
        Event-day standard-deviation multiplier (1: none).
    tests : sequence of str
        Registered tests (default :data:`CALIBRATION_TESTS`).
    alpha : float
        Two-sided level.
    seed : int
        Seeds the placebo draws and the shocks.
    progress : bool, optional

    Returns
    -------
    pandas.DataFrame
        ``test``, ``window``, ``delta``, ``sigma_multiplier``, ``rejection_rate``,
        ``std_err``, ``reps``, ``invalid``, ``dependence_robust``, ``variance_robust``.

    References
    ----------
    Brown, S. J., & Warner, J. B. (1985). Using daily stock returns: The case of
    event studies. Journal of Financial Economics 14(1), 3-31 (placebo
    simulation of event-study tests on real returns).
    """
    if not isinstance(reps, int) or reps < 1:
        raise InvalidParameterError("reps", "a positive integer", reps)
    bench_name, bench_series = split_benchmark(benchmark)
    data = prepare_data(prices, returns=returns, benchmark=bench_series, factors=factors,
                        return_type=return_type, calendar=calendar)  # type: ignore[arg-type]
    real = _events_frame(events, event_date, securities, bench_name, list(data.returns.columns))
    wins = _window_pairs(windows)
    est = parse_window(estimation, "estimation")
    if not isinstance(est.start, int):
        raise InvalidParameterError("estimation", "a relative window [start, end]", estimation)
    sessions = data.sessions
    n = len(sessions)
    lo_rel = min(int(est.start), *(s for s, _ in wins))
    hi_rel = max(e for _, e in wins)
    real_pos = sessions.searchsorted(pd.DatetimeIndex(pd.to_datetime(real["event_date"])))
    candidates = np.arange(-lo_rel, n - hi_rel)
    wmin = min(s for s, _ in wins)
    clean = np.ones(candidates.size, dtype=bool)
    for p in np.unique(real_pos):  # no real event window inside a placebo's span
        clean &= ~((candidates + lo_rel <= p + hi_rel) & (candidates + hi_rel >= p + wmin))
    candidates = candidates[clean]
    date_groups = [np.flatnonzero(real_pos == p) for p in np.unique(real_pos)]
    if candidates.size < len(date_groups):
        raise InvalidParameterError(
            "returns", f"enough sessions for {len(date_groups)} placebo date(s) clear of the real "
            f"events (estimation {est.label} and windows)", f"{candidates.size} eligible sessions")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    reps_ids: list[list[str]] = []
    for r in range(2 * reps):  # over-draw: replications with an excluded event are dropped
        picks = rng.choice(candidates, size=len(date_groups), replace=False)
        ids = []
        for g, p in zip(date_groups, picks, strict=True):
            for i in g:
                ev = real.iloc[i]
                ids.append(f"{r}|{ev['event_id']}")
                rows.append({"event_id": ids[-1], "security": ev["security"],
                             "benchmark": ev["benchmark"], "event_date": sessions[p]})
        reps_ids.append(ids)
    table = pd.DataFrame(rows)
    part = compute_events(data, table, model=model, estimation=estimation,
                          windows=[list(w) for w in wins], min_estimation_obs=min_estimation_obs)
    ok = set(part.diagnostics.index[part.diagnostics["status"] == "ok"].astype(str))
    row_of = {str(e): k for k, e in enumerate(np.asarray(part.panel.event_ids))}
    groups = [np.asarray([row_of[e] for e in ids]) for ids in reps_ids
              if all(e in ok and e in row_of for e in ids)][:reps]
    if len(groups) < reps:
        raise InvalidParameterError(
            "reps", f"at most {len(groups)} replications in which every placebo event has enough "
            f"estimation data (min_estimation_obs={min_estimation_obs})", reps)
    return calibrate_panels(part.panel, groups, wins, deltas=deltas,
                            sigma_multiplier=sigma_multiplier, tests=tests, alpha=alpha,
                            seed=seed, progress=progress)


def calibrate_synthetic(
    n_events: int,
    *,
    design: str = "clustered",
    rho: float = 0.1,
    sigma_multiplier: float = 1.0,
    tails: str = "normal",
    reps: int = 1000,
    deltas: Iterable[float] = (0.0,),
    windows: Iterable[WindowLike] = ((0, 0), (-1, 1)),
    tests: Sequence[str] = CALIBRATION_TESTS,
    alpha: float = 0.05,
    seed: int = 20250127,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Size and power on synthetic market-model panels (the literature's designs).

    Each replication draws a fresh panel with :func:`eventstudy.simulate.synthetic_panel`
    (``design`` "clustered": all events on one date; "scattered": each on its
    own date; equicorrelated idiosyncratic returns ``rho``; Gaussian or
    Student-t(4) ``tails``; the whole day-0 error, common factor included,
    scaled by ``sigma_multiplier``), runs the engine (market model, estimation
    [-250, -11]) and the tests, with ``delta`` added on day 0 as in :func:`calibrate`.

    Returns
    -------
    pandas.DataFrame
        As :func:`calibrate`, plus ``design``, ``rho``, ``tails``, ``n_events``.
    """
    from eventstudy.simulate import synthetic_panel

    if not isinstance(reps, int) or reps < 1:
        raise InvalidParameterError("reps", "a positive integer", reps)
    wins = _window_pairs(windows)
    seeds = np.random.SeedSequence(seed).spawn(reps)
    panels, groups, offset = [], [], 0
    for c0 in range(0, reps, _SYNTHETIC_CHUNK):  # replications side by side: one engine call
        cols, evs = [], []
        for r in range(c0, min(c0 + _SYNTHETIC_CHUNK, reps)):
            sp = synthetic_panel(n_events, design=design, rho=rho,  # type: ignore[arg-type]
                                 tails=tails, seed=seeds[r],  # type: ignore[arg-type]
                                 event_sigma_mult=sigma_multiplier)
            cols.append(sp.returns.add_prefix(f"{r}|"))
            evs.append(sp.events.assign(event_id=f"{r}|" + sp.events["event_id"].astype(str),
                                        security=f"{r}|" + sp.events["security"].astype(str),
                                        benchmark=f"{r}|{sp.benchmark}"))
        data = prepare_data(returns=pd.concat(cols, axis=1))
        table = pd.concat(evs, ignore_index=True)
        part = compute_events(data, table, windows=[list(w) for w in wins])
        rep_of = table["event_id"].str.split("|").str[0].astype(int).to_numpy()
        for r in np.unique(rep_of):
            groups.append(offset + np.flatnonzero(rep_of == r))
        panels.append(part.panel)
        offset += part.panel.n_events
    out = calibrate_panels(_stack(panels), groups, wins, deltas=deltas, sigma_multiplier=1.0,
                           tests=tests, alpha=alpha, seed=seed, progress=progress)
    return out.assign(design=design, rho=rho, tails=tails, n_events=n_events,
                      sigma_multiplier=sigma_multiplier)


def _stack(panels: Sequence[AbnormalPanel]) -> AbnormalPanel:
    """Concatenate panels with the same estimation length and event span."""
    return AbnormalPanel.concat(panels)
