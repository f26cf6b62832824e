"""Study kinds: abnormal returns, abnormal (log) volume, abnormal volatility.

:func:`eventstudy.event_study` takes ``kind="returns"`` (the default),
``"volume"`` (:mod:`eventstudy.volume`) or ``"volatility"``
(:mod:`eventstudy.volatility`); all three run on the same engine and give an
:class:`~eventstudy.results.EventStudyResult` whose ``kind`` says which. This
module holds what the summary and the figures need to name each kind's numbers
(:data:`KINDS`), and the dispatch from ``event_study`` (:func:`run_kind`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventstudy.errors import InvalidParameterError

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = ["KINDS", "KindLabels", "kind_labels", "run_kind"]


@dataclass(frozen=True)
class KindLabels:
    """Words and number formats of one study kind.

    Attributes
    ----------
    name : str
        ``"returns"``, ``"volume"`` or ``"volatility"``.
    values : str
        What the engine's value table holds (summary "Values:" row).
    abnormal : str
        The per-day abnormal quantity, for axis labels ("abnormal return").
    cumulative : str
        Short name of its cumulation over a window ("CAR", "CAV", "CAVy").
    average : str
        Short name of the cross-sectional mean ("CAAR", "CAAV", "CAAVy").
    percent : bool
        Whether values print as percentages (returns) or plain numbers.
    event_test : str
        The per-event test in the summary's CAR/CAV table title.
    average_test : str
        The cross-sectional test in the summary's CAAR table title.
    """

    name: str
    values: str
    abnormal: str
    cumulative: str
    average: str
    percent: bool
    event_test: str
    average_test: str

    def number(self, value: float, digits: int = 2) -> str:
        """``value`` as the summary prints it (``-3.21%`` or ``1.402``)."""
        if self.percent:
            return f"{100 * value:.{digits}f}%"
        return f"{value:.{digits + 1}f}"


#: Labels per study kind.
KINDS: dict[str, KindLabels] = {k.name: k for k in (
    KindLabels("returns", "returns", "abnormal return", "CAR", "CAAR", True,
               "t, forecast-error corrected", "cross-sectional t (Brown & Warner 1985)"),
    KindLabels("volume", "log(1 + volume)", "abnormal log volume", "CAV", "CAAV", False,
               "t, forecast-error corrected; Campbell & Wasley 1996",
               "cross-sectional t (Campbell & Wasley 1996)"),
    KindLabels("volatility", "squared standardized abnormal returns", "abnormal volatility",
               "CAVy", "CAAVy", False,
               "variance ratio ~ F(L, T-k), upper tail; Chow 1960, Beaver 1968",
               "cross-sectional t of CAVy minus its null mean"),
)}


def kind_labels(kind: str) -> KindLabels:
    """Labels of ``kind``; :class:`~eventstudy.errors.InvalidParameterError` if unknown."""
    if kind not in KINDS:
        raise InvalidParameterError("kind", f"one of {list(KINDS)}", kind)
    return KINDS[kind]


def run_kind(kind: str, returns_study: Callable[..., EventStudyResult],
             arguments: dict[str, Any]) -> EventStudyResult:
    """Run an event study of ``kind`` ``"volume"`` or ``"volatility"``.

    Parameters
    ----------
    kind : {"volume", "volatility"}
    returns_study : callable
        :func:`eventstudy.event_study` itself: a volatility study is the returns
        study (same data, model, windows) turned into abnormal volatility.
    arguments : dict
        ``event_study``'s keyword arguments (``volume`` included).

    Returns
    -------
    EventStudyResult
        With ``result.kind == kind``.
    """
    kind_labels(kind)
    args = dict(arguments)
    volume = args.pop("volume", None)
    if kind == "returns":
        raise InvalidParameterError("volume", "None with kind='returns' (kind='volume' studies volume)",
                                    type(volume).__name__)
    if kind == "volatility":
        if volume is not None:
            raise InvalidParameterError("volume", "None for kind='volatility' (it studies returns)",
                                        type(volume).__name__)
        from eventstudy.volatility import volatility_result

        if args.get("parquet") is not None:
            raise InvalidParameterError("parquet", "None for kind='volatility' (write the result's "
                                        "tables yourself)", args["parquet"])

        return volatility_result(returns_study(**args, kind="returns"))
    if kind == "volume":
        from eventstudy.volume import volume_study

        given = [p for p in ("prices", "returns", "factors", "factor_columns", "event_time", "timing",
                             "tests", "days", "chunk_size", "executor", "progress",
                             "rbar_max_partners", "parquet") if args.get(p) is not None]
        given += [p for p, default in (("alternative", "two-sided"), ("keep_residuals", False))
                  if p in args and args[p] != default]
        if given:
            raise InvalidParameterError(
                given[0], "its default for kind='volume' (give the traded volumes as `volume=`; the "
                "volume study runs its own battery in one chunk)", "a value")
        return volume_study(volume, **{k: args[k] for k in (
            "benchmark", "event_date", "securities", "events", "model", "estimation", "windows",
            "min_estimation_obs", "roll", "calendar", "name")})
    raise InvalidParameterError("kind", "'volume' or 'volatility' here ('returns' is the engine's own)",
                                kind)
