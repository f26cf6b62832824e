"""Figures (the only module that imports matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = ["plot_car_paths", "save_result_figures"]


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.get_figure()
        assert isinstance(fig, Figure)
        return fig, ax
    fig = Figure(figsize=figsize, dpi=110)
    return fig, fig.add_subplot()


def plot_car_paths(result: EventStudyResult, ax: Axes | None = None) -> Axes:
    """Cumulative abnormal return paths per event over the event span, day 0 marked."""
    fig, ax = _new_axes(ax)
    p = result.panel
    cum = np.where(np.isfinite(p.ar), np.nancumsum(p.ar, axis=1), np.nan)
    for i, eid in enumerate(p.event_ids):
        ax.plot(p.event_days, 100 * cum[i], marker="o", ms=3, lw=1.4, label=str(eid))
    ax.axvline(0, color="0.3", ls="--", lw=1, label="event day")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("trading days relative to the event session")
    ax.set_ylabel("cumulative abnormal return (%)")
    ax.set_title(f"{result.name}: CAR paths ({result.model.name} model)")
    ax.legend(fontsize=8, ncols=2)
    fig.tight_layout()
    return ax


def save_result_figures(result: EventStudyResult, out: Path) -> list[Path]:
    """Render the result's figures to PNG files in ``out``."""
    path = out / "car_paths.png"
    ax = plot_car_paths(result)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    fig.savefig(path)
    return [path]
