"""One print-quality style, applied without touching global pyplot state.

Figures are built with :class:`ShownFigure` (a :class:`matplotlib.figure.Figure`
that Jupyter displays inline through ``_repr_png_``) directly, never with
``pyplot``, so nothing is registered with a GUI backend and nothing leaks
between calls. Styling is applied inside :func:`matplotlib.rc_context`, which
restores the caller's ``rcParams`` on exit; artists keep the style they were
created with.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from eventstudy.escaping import mathtext

P = ParamSpec("P")
R = TypeVar("R")

#: Okabe-Ito colour-blind-safe colours, one per firm of the bundled case.
SYMBOL_COLORS: dict[str, str] = {
    "NVDA": "#009E73", "AVGO": "#D55E00", "MU": "#0072B2",
    "ARM": "#CC79A7", "ASML": "#E69F00", "CEG": "#56B4E9",
}
#: Benchmarks: greys with distinct dash patterns.
INDEX_STYLES: dict[str, dict[str, Any]] = {
    "^GSPC": {"color": "0.10", "ls": (0, (5, 2))},
    "^IXIC": {"color": "0.35", "ls": (0, (1, 1.5))},
    "^SOX": {"color": "0.55", "ls": (0, (6, 2, 1, 2))},
}
INDEX_NAMES: dict[str, str] = {"^GSPC": "S&P 500", "^IXIC": "Nasdaq Comp.", "^SOX": "PHLX Semis"}
_FALLBACK = ["#009E73", "#D55E00", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
EVENT_COLOR = "#B2182B"

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    # negative tick labels with U+2212, as every other negative number (see `minus`)
    "axes.unicode_minus": True,
    # user text is escaped for mathtext (eventstudy.escaping.mathtext), not for TeX
    "text.usetex": False,
    "font.size": 9.0,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=_FALLBACK),
    "grid.color": "0.88",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "figure.dpi": 100,
    "savefig.dpi": 150,
}
NOTE_SIZE = 7.5
#: Default size of single-panel figures (inches); 8 in is a README column at 100 dpi.
FIGSIZE = (8.0, 4.5)


def symbol_color(symbol: str, i: int = 0) -> str:
    return SYMBOL_COLORS.get(symbol, _FALLBACK[i % len(_FALLBACK)])


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` inside ``rc_context(STYLE)`` (restored afterwards)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(STYLE):  # type: ignore[arg-type]
            return func(*args, **kwargs)

    return wrapper


#: The minus sign (U+2212) every negative number in a figure is drawn with, as
#: matplotlib draws negative tick labels; the hyphen (U+002D) joins words only.
MINUS = "\u2212"
_NEGATIVE = re.compile(r"(?:(?<![\w.])|(?<=\de))-(?=\.?\d)")


def minus(text: str) -> str:
    """``text`` with the hyphen before a number replaced by the minus sign.

    ``"day -5"`` becomes ``"day −5"``, ``"(-1, +1)"`` ``"(−1, +1)"`` and
    ``"1e-06"`` ``"1e−06"``; hyphens inside words or dates (``Day-0``,
    ``2025-01-27``) are kept.
    """
    return _NEGATIVE.sub(MINUS, text)


def signed(value: float, fmt: str = "+g") -> str:
    """``value`` formatted with ``fmt`` and the minus sign (``0`` without a sign)."""
    return "0" if value == 0 else minus(format(value, fmt))


class ShownFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that Jupyter displays inline.

    ``_repr_png_`` renders the figure (no pyplot, no GUI backend needed), so
    a figure returned as the last value of a cell, or passed to
    ``IPython.display.display``, shows as an image.
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self, dpi=100)


class ShownAxes(Axes):
    """An Axes that Jupyter displays as the figure holding it (see :class:`ShownFigure`)."""

    name = "eventstudy_shown"

    def _repr_png_(self) -> bytes:
        return figure_png(self, dpi=100)


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> ShownFigure:
    """A new, unregistered figure that displays inline in Jupyter."""
    return ShownFigure(figsize=figsize)


def axes_for(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether this call owns the figure.

    A new figure is a :class:`ShownFigure` and its axes a :class:`ShownAxes`,
    so either displays inline in Jupyter.
    """
    if ax is not None:
        return figure_of(ax), ax, False
    fig = new_figure(figsize)
    return fig, fig.add_subplot(axes_class=ShownAxes), True


def finish(fig: Figure, note: str | None) -> None:
    """Lay the figure out and put the source note (drawn as typed) in its bottom-left corner."""
    if note:
        width_chars = int(fig.get_figwidth() * 72 / (NOTE_SIZE * 0.55))
        text = mathtext("\n".join(textwrap.wrap(note, width=max(width_chars, 40))))
        lines = text.count("\n") + 1
        bottom = (lines * NOTE_SIZE * 1.35 + 6) / (fig.get_figheight() * 72)
        fig.text(0.01, 0.01, text, fontsize=NOTE_SIZE, color="0.35", ha="left", va="bottom",
                 gid="source-note")
        fig.tight_layout(rect=(0, bottom, 1, 1))
    else:
        fig.tight_layout()


def figure_of(obj: Axes | Figure) -> Figure:
    """The root :class:`Figure` of an Axes (through any SubFigure) or the figure itself."""
    fig: Any = obj
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def figure_png(obj: Axes | Figure, dpi: float = 150) -> bytes:
    """PNG bytes of the figure holding ``obj`` (no timestamp or version metadata)."""
    buf = io.BytesIO()
    figure_of(obj).savefig(buf, format="png", dpi=dpi, facecolor="white",
                           metadata={"Software": None})
    return buf.getvalue()


def save_png(obj: Axes | Figure, path: str | Path, dpi: float = 150) -> Path:
    """Write the figure holding ``obj`` to ``path`` as PNG; returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(figure_png(obj, dpi=dpi))
    return out
