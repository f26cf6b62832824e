"""The test battery as reducers over date-partitioned chunks of a study.

A study run on a cluster (:class:`~eventstudy.executors.dask.DaskExecutor`) cuts
its events, sorted by their event session (ties in table order), into chunks. A
chunk's task computes its events and a *halo*: the events that follow it in
that order whose event span starts before the last of the chunk's ends (the
only events a chunk event's window can share a session with). It then reduces,
for every event day and window of the battery, the quantities the requested
tests need (:func:`chunk_statistics`):

- ``"car"``: the moments of the owned events' CARs (the cross-sectional t);
- ``"standardized"``: their standardized sums (Patell, BMP;
  :class:`~eventstudy.inference.reducers.StandardizedSums`);
- ``"rbar-patell"`` / ``"rbar-bmp"``: the Kolari–Pynnönen pair sums of the pairs
  whose first event the chunk owns, partners read from the halo
  (:class:`~eventstudy.inference.correlation.RbarSums`), on the events each
  test uses;
- ``"ranks"``: the Corrado rank sums (:class:`~eventstudy.inference.reducers.RankSums`);
- ``"signs"`` / ``"signs-est"``: the counts of finite and positive CARs, and for
  the generalized sign test the sum and count of the events' fractions of
  positive estimation residuals (:class:`~eventstudy.inference.reducers.SignSums`);
- ``"portfolio"``: per window day the sum and count of the abnormal returns, per
  estimation slot those of the estimation residuals, over the events with an
  abnormal return in the window (Brown–Warner time series;
  :class:`~eventstudy.inference.reducers.PortfolioSums`);
- ``"bhar"``: the count, mean and second and third centred moments of the
  events' BHARs (the skewness-adjusted t;
  :class:`~eventstudy.inference._common.Moments3`, merged by Pébay 2008);
- ``"placebo"``: the equally weighted event portfolio's sums for the SQ test: the
  sum of the members' window ARs and, per stretch of estimation days, of their
  placebo sums, with the member count
  (:class:`~eventstudy.inference.quantile.PlaceboPortfolio`).

The client merges the chunks' statistics (:func:`merge_statistics`: sums add,
moments combine exactly) and turns them into the battery's table
(:func:`battery_from_sums`) with the same functions the whole-panel tests use,
so a chunked study equals the whole-panel one to rounding (tested to 1e-12).
Every pair of events is counted once, by the chunk of its first event: a pair
cut by a chunk boundary is found in the first chunk's halo.

GRANK and Corrado–Zivney take a second pass: they rank values re-standardised
by a cross-sectional deviation (and rbar), so the first pass reduces the
moments and the rbar sums, the client merges them into the scales
(:func:`rank_scales`), and each chunk then sends its rank sums at those scales
(:func:`chunk_rank_statistics`).

Tests outside :data:`REDUCIBLE` need the whole cross-section at once (the
Wilcoxon test's ranks across events, the BHAR bootstrap) or a GARCH fit
(Savickas): a study that requests them runs those on the stacked panel.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.inference._common import Moments, car, standardized_window, window_mask
from eventstudy.inference.battery import PlanItem, battery_row, battery_table
from eventstudy.inference.bhar import bhar_moments
from eventstudy.inference.correlation import rbar_sums
from eventstudy.inference.parametric import portfolio_sums
from eventstudy.inference.quantile import sq_sums
from eventstudy.inference.reducers import RankSums, rank_sums, standardized_sums
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.inference.sign import sign_sums
from eventstudy.panel import AbnormalPanel

__all__ = ["REDUCIBLE", "SECOND_PASS", "battery_from_sums", "chunk_rank_statistics", "chunk_statistics",
           "merge_statistics", "rank_scales", "reducible", "second_pass"]

#: Rank sums of no event (a study whose chunks ranked nothing).
_NO_RANKS = RankSums(np.zeros(0), np.zeros(0, dtype=np.int64), 0)

#: The tests computed from chunk sums, and the quantities each needs.
REDUCIBLE: dict[str, tuple[str, ...]] = {
    "car-t": ("car",),
    "patell": ("standardized",),
    "kp-patell": ("standardized", "rbar-patell"),
    "bmp": ("standardized",),
    "kp-bmp": ("standardized", "rbar-bmp"),
    "corrado": ("ranks",),
    "sign": ("signs",),
    "gsign": ("signs-est",),
    "bw-ts": ("portfolio",),
    "bhar-skew-t": ("bhar",),
    "sq": ("placebo",),
    # two passes: the day's (window's) moments and rbar first, then the ranks at their scale
    "corrado-zivney": ("standardized/days", "rbar-bmp/days", "ranks-cz"),
    "grank": ("standardized", "rbar-bmp", "ranks-grank"),
}

#: ``(quantity, start, end)``.
Key = tuple[str, int, int]


class _Mergeable(Protocol):
    def merge(self, other: Any) -> Any: ...


def reducible(tests: Iterable[str]) -> bool:
    """Whether every test of ``tests`` is computed from chunk sums."""
    return all(t in REDUCIBLE for t in tests)


#: Quantities of the second pass: computed once the first pass's sums are merged.
SECOND_PASS: frozenset[str] = frozenset({"ranks-cz", "ranks-grank"})


def _keys(plan: Sequence[PlanItem], second: bool = False) -> list[Key]:
    """The first (or second) pass's keys; ``q/days`` is ``q`` on each day of the window."""
    keys: dict[Key, None] = {}
    for _, start, end, names in plan:
        for name in names:
            for quantity in REDUCIBLE[name]:
                if (quantity in SECOND_PASS) != second:
                    continue
                if quantity.endswith("/days"):
                    for day in range(start, end + 1):
                        keys[(quantity.removesuffix("/days"), day, day)] = None
                else:
                    keys[(quantity, start, end)] = None
    return list(keys)


def second_pass(plan: Sequence[PlanItem]) -> bool:
    """Whether ``plan`` has tests that need a second pass over the chunks (GRANK, Corrado–Zivney)."""
    return bool(_keys(plan, second=True))


def rank_scales(merged: Mapping[Key, Any], plan: Sequence[PlanItem]) -> dict[Key, Any]:
    """The re-standardisation scales of the second pass, from the merged first-pass sums.

    ``("ranks-cz", start, end)``: each tested day's divisor
    (:func:`~eventstudy.inference.rank.cz_day_scales`); ``("ranks-grank", start, end)``:
    GRANK's divisor (:func:`~eventstudy.inference.rank.grank_scale`; NaN when the
    test is undefined, then no ranks are needed).
    """
    from eventstudy.inference.rank import cz_day_scales, grank_scale

    out: dict[Key, Any] = {}
    for key in _keys(plan, second=True):
        quantity, start, end = key
        if quantity == "ranks-cz":
            days = range(start, end + 1)
            out[key] = cz_day_scales([merged[("standardized", d, d)].values for d in days],
                                     [merged[("rbar-bmp", d, d)].correlation() for d in days])
        else:
            out[key] = grank_scale(merged[("standardized", start, end)].values,
                                   merged[("rbar-bmp", start, end)].correlation(), start, end)[0]
    return out


def chunk_rank_statistics(owned: AbnormalPanel, scales: Mapping[Key, Any],
                          est_resid: np.ndarray | None = None) -> dict[Key, Any]:
    """The second pass of one chunk: its rank sums at the merged scales (:func:`rank_scales`)."""
    from eventstudy.inference.rank import cz_rank_sums, grank_rank_sums

    out: dict[Key, Any] = {}
    if owned.n_events == 0:
        return out
    with owned.holding(est_resid=est_resid):
        for key, scale in scales.items():
            quantity, start, end = key
            if quantity == "ranks-cz":
                out[key] = cz_rank_sums(owned, start, end, np.asarray(scale, dtype=np.float64))
            elif np.isfinite(scale):
                out[key] = grank_rank_sums(owned, start, end, float(scale))
    return out


def chunk_statistics(owned: AbnormalPanel, halo: AbnormalPanel | None, plan: Sequence[PlanItem], *,
                     max_partners: int | None = None, min_overlap: int = 3,
                     est_resid: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
                     ) -> dict[Key, Any]:
    """The sums one chunk contributes to every test of ``plan``.

    Parameters
    ----------
    owned : AbnormalPanel
        The chunk's events.
    halo : AbnormalPanel or None
        The events after the chunk (by event session) whose event span starts
        on or before the last session of a chunk event's span.
    plan : list of (scope, start, end, tests)
        :func:`~eventstudy.inference.battery.battery_plan`; every test in :data:`REDUCIBLE`.
    max_partners : int, optional
        The ``rbar`` cost bound (``rbar_max_partners`` of the study).
    min_overlap : int
    est_resid : (array or None, array or None)
        The engine's estimation residuals of ``owned`` and ``halo``, lent so they
        are not derived again.

    Returns
    -------
    dict
        ``{(quantity, start, end): sums}``, merged across chunks by :func:`merge_statistics`.
    """
    full = owned if halo is None or halo.n_events == 0 else AbnormalPanel.concat([owned, halo])
    resid = est_resid[0]
    if full is not owned and resid is not None:
        resid = None if est_resid[1] is None else np.concatenate([resid, est_resid[1]])
    out: dict[Key, Any] = {}
    finite: dict[tuple[int, int], npt.NDArray[np.bool_]] = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(full.holding(est_resid=resid))
        if full is not owned:
            stack.enter_context(owned.holding(est_resid=est_resid[0]))
        for quantity, start, end in _keys(plan):
            if quantity == "car":
                _, _, mask = window_mask(owned, start, end)
                x, _ = car(owned, mask)
                out[(quantity, start, end)] = Moments.of(x[np.isfinite(x)])
            elif quantity == "standardized":
                out[(quantity, start, end)] = standardized_sums(owned, start, end)[0]
            elif quantity == "ranks":
                out[(quantity, start, end)] = rank_sums(owned, start, end)
            elif quantity == "placebo":
                out[(quantity, start, end)] = sq_sums(owned, start, end)
            elif quantity == "bhar":
                out[(quantity, start, end)] = bhar_moments(owned, start, end)
            elif quantity == "portfolio":
                out[(quantity, start, end)] = portfolio_sums(owned, start, end)
            elif quantity in ("signs", "signs-est"):
                out[(quantity, start, end)] = sign_sums(owned, start, end,
                                                        generalized=quantity == "signs-est")
            else:  # rbar on the events the test uses, pairs led by an owned event
                if (start, end) not in finite:  # shared by the Patell and BMP rbar of a window
                    finite[(start, end)] = np.isfinite(standardized_window(full, start, end))
                used = finite[(start, end)]
                if quantity == "rbar-patell":
                    used = used & (np.asarray(full.df_resid) > 2)  # a new mask: the cached one is shared
                out[(quantity, start, end)] = rbar_sums(
                    full, used, start=start, end=end, min_overlap=min_overlap,
                    max_partners=max_partners, owned=owned.n_events)
    return out


def merge_statistics(chunks: Iterable[Mapping[Key, _Mergeable]]) -> dict[Key, Any]:
    """Merge the chunks' :func:`chunk_statistics` key by key, in the chunks' order."""
    merged: dict[Key, Any] = {}
    for stats in chunks:
        for key, sums in stats.items():
            merged[key] = sums if key not in merged else merged[key].merge(sums)
    return merged


def battery_from_sums(merged: Mapping[Key, Any], plan: Sequence[PlanItem],
                      alternative: Alternative = "two-sided") -> pd.DataFrame:
    """The battery's table (:func:`~eventstudy.inference.battery.run_battery`'s) from merged sums."""
    from eventstudy.inference.bhar import bhar_skew_t_from_moments
    from eventstudy.inference.parametric import (
        bmp_from_sums,
        bw_ts_from_sums,
        car_t_from_moments,
        patell_from_sums,
    )
    from eventstudy.inference.quantile import sq_from_sums
    from eventstudy.inference.rank import (
        corrado_from_sums,
        corrado_zivney_from_sums,
        grank_from_sums,
        grank_scale,
    )
    from eventstudy.inference.sign import sign_from_sums

    rows = []
    for scope, start, end, names in plan:
        for name in names:
            res: TestResult
            if name == "car-t":
                res = car_t_from_moments(merged[("car", start, end)], start, end, alternative)
            elif name in ("patell", "kp-patell"):
                rc = merged[("rbar-patell", start, end)].correlation() if name == "kp-patell" else None
                res = patell_from_sums(merged[("standardized", start, end)], rc, start, end,
                                       alternative, adjust=name == "kp-patell")
            elif name in ("bmp", "kp-bmp"):
                rc = merged[("rbar-bmp", start, end)].correlation() if name == "kp-bmp" else None
                res = bmp_from_sums(merged[("standardized", start, end)], rc, start, end, alternative,
                                    adjust=name == "kp-bmp")
            elif name == "sq":
                res = sq_from_sums(merged[("placebo", start, end)], start, end, alternative)
            elif name == "bhar-skew-t":
                res = bhar_skew_t_from_moments(merged[("bhar", start, end)], start, end, alternative)
            elif name == "bw-ts":
                res = bw_ts_from_sums(merged[("portfolio", start, end)], start, end, alternative)
            elif name == "corrado-zivney":
                res = corrado_zivney_from_sums(merged.get(("ranks-cz", start, end), _NO_RANKS), start, end,
                                               alternative)
            elif name == "grank":
                m, rc = merged[("standardized", start, end)].values, merged[("rbar-bmp", start, end)].correlation()
                scale, invalid = grank_scale(m, rc, start, end, alternative)
                res = invalid if invalid is not None else grank_from_sums(
                    merged[("ranks-grank", start, end)], m.n, rc, start, end, alternative)
            elif name in ("sign", "gsign"):
                key = ("signs-est" if name == "gsign" else "signs", start, end)
                res = sign_from_sums(merged[key], start, end, alternative, generalized=name == "gsign")
            else:
                res = corrado_from_sums(merged[("ranks", start, end)], start, end, alternative)
            rows.append(battery_row(scope, start, end, name, res))
    return battery_table(rows)
