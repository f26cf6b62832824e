"""Figures: the only part of ``eventstudy`` that imports matplotlib.

:func:`plot_result` (``EventStudyResult.plot``) draws one figure of a result,
``kind`` ``"ar"``, ``"car"``, ``"tests"`` or ``"prices"``, and returns the
:class:`~matplotlib.figure.Figure`. Every ``plot_*`` function takes ``ax=None``
and returns the Axes it drew on; ``claims_figure`` (two panels) returns a
Figure. Figures are built as :class:`ShownFigure` (a Figure with
``_repr_png_``) and their axes as :class:`ShownAxes`, so a figure or an axes
returned into a Jupyter cell displays inline as an image - never through
``pyplot``, so nothing is registered with a GUI backend and no global state is
left behind. Negative numbers are drawn with the minus sign (U+2212)
throughout (:func:`minus`), hyphens join words only. Data for
each figure comes from :mod:`eventstudy.plotting.data` (pandas only).

Quick start::

    import eventstudy as es
    from eventstudy.plotting import plot_result, save_png

    case = es.datasets.deepseek()
    res = es.event_study(case.prices, benchmark=case.benchmark, event_date=case.event_date,
                         securities=case.securities)
    fig = plot_result(res, "car")      # shows inline as the last value of a Jupyter cell
    save_png(fig, "car_paths.png")
    plot_result(res, "tests", ax=ax)   # or on an Axes of your own (e.g. from pyplot)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.plotting._style import (
    MINUS,
    STYLE,
    ShownAxes,
    ShownFigure,
    figure_of,
    figure_png,
    minus,
    save_png,
)
from eventstudy.plotting.data import (
    FIRMS,
    INDICES,
    CarPaths,
    MarketValue,
    car_paths,
    claimed_moves,
    data_note,
    market_value,
    price_paths,
    result_note,
    sensitivity_grid,
)
from eventstudy.plotting.figures import (
    claims_figure,
    plot_car_paths,
    plot_claim_differences,
    plot_claimed_moves,
    plot_event_ar,
    plot_market_value,
    plot_price_paths,
    plot_sensitivity,
)
from eventstudy.plotting.result_figures import (
    PLOT_KINDS,
    event_price_paths,
    plot_event_prices,
    plot_result,
    plot_tests,
)

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = [
    "FIRMS",
    "INDICES",
    "MINUS",
    "PLOT_KINDS",
    "STYLE",
    "CarPaths",
    "ShownAxes",
    "ShownFigure",
    "MarketValue",
    "car_paths",
    "claimed_moves",
    "claims_figure",
    "data_note",
    "event_price_paths",
    "figure_of",
    "figure_png",
    "market_value",
    "minus",
    "plot_car_paths",
    "plot_claim_differences",
    "plot_claimed_moves",
    "plot_event_ar",
    "plot_event_prices",
    "plot_market_value",
    "plot_price_paths",
    "plot_result",
    "plot_sensitivity",
    "plot_tests",
    "price_paths",
    "result_note",
    "save_png",
    "save_result_figures",
    "sensitivity_grid",
]


def save_result_figures(result: EventStudyResult, out: Path) -> list[Path]:
    """Render the result's figures to PNG files in ``out`` (used by ``eventstudy run``).

    Writes ``car_paths.png`` (CAR per event and the CAAR band over the result's
    event span) and ``abnormal_returns.png`` (day-0 AR per event with its 95%
    interval, when day 0 is in the span). Returns the paths written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from eventstudy.plotting.result_figures import plot_result

    days = (int(result.panel.event_days.min()), int(result.panel.event_days.max()))
    written = [save_png(plot_result(result, "car", days=days), out / "car_paths.png")]
    if 0 in result.panel.event_days:  # labelled per study kind (returns, volume, volatility)
        written.append(save_png(plot_result(result, "ar"), out / "abnormal_returns.png"))
    return written
