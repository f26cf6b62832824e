"""Event-date clustering: events that share a session or whose windows overlap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy.inference._common import window_label, window_mask
from eventstudy.inference.registry import HEADLINE_CLUSTERED, HEADLINE_INDEPENDENT, TESTS
from eventstudy.panel import AbnormalPanel

#: Human names of the tests, for sentences (from the registry).
TEST_LABELS: dict[str, str] = {name: spec.label for name, spec in TESTS.items()}

__all__ = [
    "HEADLINE_CLUSTERED",
    "HEADLINE_INDEPENDENT",
    "TEST_LABELS",
    "Clustering",
    "detect_clustering",
    "headline_for",
]



def headline_for(n_events: int, clustered: bool) -> tuple[str, ...]:
    """The tests a summary of ``n_events`` events leads with.

    Clustered events: the tests robust to both cross-correlation and
    event-induced variance (:data:`HEADLINE_CLUSTERED`), each from its
    ``headline_min_events`` on. Otherwise :data:`HEADLINE_INDEPENDENT`.
    """
    if not clustered:
        return HEADLINE_INDEPENDENT
    return tuple(t for t in HEADLINE_CLUSTERED if n_events >= TESTS[t].headline_min_events)


def _names(tests: tuple[str, ...]) -> str:
    labels = [TEST_LABELS.get(t, t) for t in tests]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


@dataclass(frozen=True)
class Clustering:
    """Calendar-time clustering of the events of a panel.

    Attributes
    ----------
    n_events : int
    window : tuple of int
        Relative-day window whose calendar spans were compared.
    shared_dates : tuple of (str, tuple of str)
        Each session date (ISO) shared by two or more events, with their event ids.
    overlap_groups : tuple of tuple of str
        Groups (two or more events) whose windows overlap in calendar time,
        transitively; events sharing a date are in the same group.
    message : str
        One sentence for the summary.
    """

    n_events: int
    window: tuple[int, int]
    shared_dates: tuple[tuple[str, tuple[str, ...]], ...]
    overlap_groups: tuple[tuple[str, ...], ...]
    message: str

    @property
    def clustered(self) -> bool:
        """True when any two events share a date or have overlapping windows."""
        return bool(self.overlap_groups)

    @property
    def headline_tests(self) -> tuple[str, ...]:
        """Names of the tests the summary should lead with."""
        return headline_for(self.n_events, self.clustered)


def detect_clustering(
    panel: AbnormalPanel, start: int | None = None, end: int | None = None
) -> Clustering:
    """Find events that share an event date or whose windows overlap in calendar time.

    The event date is the session of relative day 0 (the first day of the span if
    day 0 is not in it). Each event's calendar span is from the first to the last
    session of ``[start, end]`` (default: the whole event span) in
    ``panel.event_dates``; spans that overlap are grouped transitively.

    Parameters
    ----------
    panel : AbnormalPanel
    start, end : int, optional
        Window of relative trading days (default: the panel's event span).

    Returns
    -------
    Clustering

    References
    ----------
    Kolari, J. W., & Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. Review of Financial Studies 23(11), 3996-4025.
    """
    days = np.asarray(panel.event_days)
    start = int(days.min()) if start is None else start
    end = int(days.max()) if end is None else end
    start, end, mask = window_mask(panel, start, end)
    ids = np.asarray(panel.event_ids).astype(str)
    dates = np.asarray(panel.event_dates)
    if dates.dtype != np.dtype("datetime64[D]"):
        dates = dates.astype("datetime64[D]")
    n = int(ids.size)
    col0 = panel.day_index(0) if (days == 0).any() else 0
    event_date = dates[:, col0] if n else np.array([], dtype="datetime64[D]")

    shared: list[tuple[str, tuple[str, ...]]] = []
    valid = ~np.isnat(event_date)
    uniq, inv, counts = np.unique(event_date[valid], return_inverse=True, return_counts=True)
    by_date = ids[valid][np.argsort(inv, kind="stable")]  # ids grouped by date, table order within
    ends = np.cumsum(counts)
    grouped, firsts, lasts = by_date.tolist(), (ends - counts).tolist(), ends.tolist()  # Python lists: cheap slices
    names = uniq.astype(str).tolist()
    for j in np.flatnonzero(counts >= 2).tolist():
        shared.append((names[j], tuple(grouped[firsts[j]:lasts[j]])))

    win = dates[:, mask]
    lo = np.fmin.reduce(win, axis=1)  # NaT skipped; NaT for a row without any session
    hi = np.fmax.reduce(win, axis=1)
    idx = np.flatnonzero(~np.isnat(lo))
    groups: list[tuple[str, ...]] = []
    if idx.size >= 2:
        order = idx[np.argsort(lo[idx], kind="stable")]
        run_hi = np.maximum.accumulate(hi[order].astype(np.int64))
        new = np.concatenate([[True], lo[order][1:].astype(np.int64) > run_hi[:-1]])
        starts = np.flatnonzero(new)  # each group is a run of ``order``
        for a, b in zip(starts, [*starts[1:], order.size], strict=True):
            if b - a >= 2:
                groups.append(tuple(ids[np.sort(order[a:b])].tolist()))

    message = _message(n, (start, end), shared, groups)
    return Clustering(n, (start, end), tuple(shared), tuple(groups), message)


#: Shared sessions the message names (the rest are counted).
_LISTED = 5


def _message(
    n: int,
    window: tuple[int, int],
    shared: list[tuple[str, tuple[str, ...]]],
    groups: list[tuple[str, ...]],
) -> str:
    label = window_label(*window)
    if not groups:
        return (
            f"No two of the {n} events share an event date or have overlapping event windows "
            f"{label}; the summary leads with the {_names(HEADLINE_INDEPENDENT)}."
        )
    heads = headline_for(n, True)
    lead = (f"the summary leads with the tests robust to both that correlation and an "
            f"event-induced variance increase ({_names(heads)}"
            + (f"; GRANK and Corrado–Zivney from {TESTS['grank'].headline_min_events} events"
               if "grank" not in heads else "")
            + "); the Brown–Warner time-series, KP-Patell, Corrado and sample-quantile tests "
            "assume no variance increase on the event day")
    if len(shared) == 1 and len(shared[0][1]) == n:
        return (
            f"All {n} events share the session {shared[0][0]}, so their abnormal returns are "
            f"cross-sectionally correlated; {lead}."
        )
    parts = [f"{len(ev)} events share the session {d}" for d, ev in shared[:_LISTED]]
    if len(shared) > _LISTED:
        rest = shared[_LISTED:]
        parts.append(f"and {sum(len(ev) for _, ev in rest)} events share {len(rest)} more sessions "
                     "(all listed by `detect_clustering(result.panel).shared_dates`)")
    in_groups = sum(len(g) for g in groups)
    parts.append(
        f"{in_groups} of the {n} events fall in {len(groups)} group(s) with overlapping "
        f"event windows {label}"
    )
    return "; ".join(parts) + f"; {lead}."
