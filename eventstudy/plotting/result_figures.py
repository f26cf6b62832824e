"""Figures of one :class:`~eventstudy.results.EventStudyResult`: :func:`plot_result`.

``plot_result(result, kind)`` draws the abnormal returns (``"ar"``), the CAR
paths with the CAAR and its band (``"car"``), the test overview
(``"tests"``) or the event-window price paths (``"prices"``) and returns the
:class:`~matplotlib.figure.Figure` (a :class:`ShownFigure` when it made one,
which Jupyter displays inline). ``EventStudyResult.plot`` calls it.

Volume and volatility studies (``result.kind``, :mod:`eventstudy.kinds`) are
drawn by the same figures in their own units and words (abnormal log volume,
CAV; abnormal volatility, CAVy); a volatility study's ``"ar"`` figure is
:func:`plot_volatility_day`, and a volume study has no ``"prices"``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from eventstudy.errors import InvalidParameterError
from eventstudy.escaping import mathtext
from eventstudy.plotting._style import (
    EVENT_COLOR,
    INDEX_NAMES,
    INDEX_STYLES,
    axes_for,
    figure_of,
    finish,
    minus,
    styled,
    symbol_color,
)
from eventstudy.plotting.data import result_note
from eventstudy.plotting.figures import plot_car_paths, plot_event_ar
from eventstudy.windows import Window

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = ["PLOT_KINDS", "PlotKind", "event_price_paths", "plot_event_prices", "plot_result",
           "plot_tests", "plot_volatility_day"]

PlotKind = Literal["ar", "car", "tests", "prices"]
#: The kinds :func:`plot_result` draws.
PLOT_KINDS: tuple[str, ...] = get_args(PlotKind)

_WINDOW_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


# ------------------------------------------------------------------ test overview


def _pvalue_label(value: float, _pos: object = None, *, floor: float = 0.0) -> str:
    """Tick label of a p-value; the clipped floor reads "≤" (module-level: figures pickle)."""
    return minus(f"≤{value:g}" if value <= floor * 1.001 else f"{value:g}")


def _window_rows(result: EventStudyResult, windows: Sequence[object] | None) -> pd.DataFrame:
    t = result.tests
    t = t[t["scope"] == "window"].copy()
    t["window"] = t["window"].map(str)
    if windows is not None:
        wanted = [Window(int(w[0]), int(w[1])).label if isinstance(w, tuple) else str(w)
                  for w in windows]
        missing = [w for w in wanted if w not in set(t["window"])]
        if missing:
            raise InvalidParameterError("windows", f"windows of the result {sorted(set(t['window']))}",
                                        missing)
        t = t[t["window"].isin(wanted)]
    return t


@styled
def plot_tests(result: EventStudyResult, ax: Axes | None = None,
               windows: Sequence[object] | None = None, level: float = 0.05,
               note: str | None = None) -> Axes:
    """Overview of the window tests: p-value per test (rows) and window (colours).

    p-values are on a log scale with the ``level`` line; the result's headline
    tests (``tests["headline"]``) are listed first, their labels in bold and
    marked with a star, their points filled (others hollow). Tests without a
    p-value (undefined in this design) are listed with "n/a".

    Parameters
    ----------
    result
        A result with its test battery.
    windows
        Windows to show (as in ``result.tests["window"]``, or ``(start, end)``
        tuples); default all.
    level
        Significance level drawn as a vertical line.
    """
    if not 0 < level < 1:
        raise InvalidParameterError("level", "a significance level in (0, 1)", level)
    t = _window_rows(result, windows)
    if t.empty:
        raise InvalidParameterError("result", "a result with window tests", "no window tests")
    head = t.get("headline", pd.Series(False, index=t.index)).astype(bool)
    tests = list(dict.fromkeys([*t.loc[head, "test"], *t["test"]]))
    headline = set(t.loc[head, "test"])
    wins = list(dict.fromkeys(t["window"]))
    fig, ax, owned = axes_for(ax, (8.0, 0.9 + 0.32 * len(tests) + 0.6))
    row = {name: i for i, name in enumerate(tests)}
    offset = np.linspace(-0.25, 0.25, len(wins)) if len(wins) > 1 else np.zeros(1)
    p = t["pvalue"].astype(float)
    floor = max(1e-6, float(np.nanmin(p[p > 0])) / 2) if (p > 0).any() else 1e-6
    for j, w in enumerate(wins):
        part = t[t["window"] == w]
        y = np.array([row[n] for n in part["test"]], dtype=float) + offset[j]
        pv = np.clip(part["pvalue"].to_numpy(float), floor, 1.0)
        is_head = part["test"].isin(headline).to_numpy()
        color = _WINDOW_COLORS[j % len(_WINDOW_COLORS)]
        ax.plot(pv[is_head], y[is_head], "o", ms=6, color=color, ls="none",
                label=f"window {minus(w)}")
        ax.plot(pv[~is_head], y[~is_head], "o", ms=5, mfc="white", mec=color, ls="none")
    ax.set_xscale("log")
    ax.set_xlim(floor * 0.8, 1.2)
    ticks = [v for v in 10.0 ** np.arange(0, np.floor(np.log10(floor)) - 1, -1) if v > floor]
    ax.xaxis.set_major_locator(FixedLocator(sorted([floor, *ticks])))
    ax.axvline(level, color=EVENT_COLOR, lw=1.0, ls="--", label=f"p = {level:g}", gid="level")
    labels = [f"★ {n}" if n in headline else n for n in tests]
    defined = t.groupby("test")["pvalue"].apply(lambda s: s.notna().any())
    labels = [lab if bool(defined.get(n, True)) else f"{lab} (n/a)" for lab, n in
              zip(labels, tests, strict=True)]
    ax.yaxis.set_major_locator(FixedLocator(list(range(len(tests)))))
    ax.set_yticks(range(len(tests)), [mathtext(lab) for lab in labels])
    for tick, name in zip(ax.get_yticklabels(), tests, strict=True):
        if name in headline:
            tick.set_fontweight("bold")
    ax.set_ylim(len(tests) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(FuncFormatter(functools.partial(_pvalue_label, floor=floor)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("p-value (log scale; smaller is stronger evidence of an abnormal return)")
    ax.set_title(f"Tests per window ({mathtext(result.model.name)} model); "
                 "★ headline (robust in this design)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if owned:
        finish(fig, note if note is not None else result_note(result))
    return ax


# ------------------------------------------------------------------ price paths


def event_price_paths(result: EventStudyResult) -> pd.DataFrame:
    """Each event's price over the event span, rebased to 100 at the close before day 0.

    Compounded from the security returns the study used (``return_type``);
    index ``relative_day``, one column per event id, plus the benchmark (named
    after it) when all events share one date and benchmark. A day without a
    return breaks the path (NaN from there on, nothing filled).
    """
    p = result.panel
    days = p.event_days

    def path(r: np.ndarray) -> np.ndarray:
        growth = r if result.return_type == "log" else np.log1p(r)
        level = np.cumsum(growth, axis=-1)  # log price at each day's close, 0 before the span
        base = level[int(np.flatnonzero(days == -1)[0])] if -1 in days else 0.0
        out: np.ndarray = 100.0 * np.exp(level - base)
        return out

    cols: dict[str, np.ndarray] = {str(e): path(p.raw_event[i]) for i, e in enumerate(p.event_ids)}
    d = result.diagnostics
    dates = p.event_dates[:, p.day_index(0)] if 0 in days else np.array([], dtype="datetime64[D]")
    benches = set(d["benchmark"]) if "benchmark" in d.columns else set()
    if len(p.event_ids) and len(set(dates.tolist())) == 1 and len(benches) == 1:
        name = next(iter(benches)) or "benchmark"
        if name not in cols:
            cols[name] = path(p.raw_event_market[0])
    return pd.DataFrame(cols, index=pd.Index(days, name="relative_day"))


@styled
def plot_event_prices(result: EventStudyResult, ax: Axes | None = None,
                      note: str | None = None) -> Axes:
    """Price paths over the event span in trading days relative to the event session.

    Drawn from :func:`event_price_paths` (100 = the close of day −1); the
    benchmark is a grey dashed line when the events share one date.
    """
    paths = event_price_paths(result)
    fig, ax, owned = axes_for(ax, (8.0, 4.6))
    x = paths.index.to_numpy()
    bench = set(result.diagnostics.get("benchmark", pd.Series(dtype=str)))
    for i, col in enumerate(paths.columns):
        if col in bench and col not in result.event_ids:
            st = INDEX_STYLES.get(col, {"color": "0.25", "ls": (0, (5, 2))})
            label = f"{col} ({INDEX_NAMES[col]})" if col in INDEX_NAMES else mathtext(col)
            ax.plot(x, paths[col].to_numpy(float), color=st["color"], ls=st["ls"], lw=1.5,
                    label=label)
        else:
            ax.plot(x, paths[col].to_numpy(float), color=symbol_color(str(col), i), lw=1.6,
                    label=mathtext(col))
    ax.axhline(100, color="0.5", lw=0.7, zorder=0)
    day0 = result.panel.event_dates[:, result.panel.day_index(0)] if 0 in x else None
    when = ""
    if day0 is not None and len(day0) and len(set(day0.tolist())) == 1 and not np.isnat(day0[0]):
        d = pd.Timestamp(day0[0])
        when = f" ({d.day} {d:%b %Y})"
    ax.axvline(0, color=EVENT_COLOR, lw=1.1, ls="--", label=f"event day 0{when}",
               gid="event-marker", zorder=1)
    ax.set_xticks(x, [minus(f"{v:d}") for v in x])
    ax.set_xlim(x[0] - 0.3, x[-1] + 0.3)
    ax.set_xlabel("trading days relative to the event session (day 0)")
    base = "close of day −1 = 100" if -1 in x else f"close before day {minus(str(x[0]))} = 100"
    ax.set_ylabel(f"price, rebased ({base})")
    ax.set_title(f"Price paths over the event span{when}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if owned:
        finish(fig, note if note is not None else result_note(result))
    return ax


# ------------------------------------------------------------------ volume and volatility


def _hundredths(value: float, _pos: object = None) -> str:
    """Tick label of a value drawn ×100 (as a percentage) shown in its own units."""
    return minus(f"{value / 100:g}")


@styled
def _relabel(ax: Axes, result: EventStudyResult, kind: str, day: int) -> None:
    """Units and words of a volume or volatility result drawn by the returns figures.

    The returns figures draw values ×100 as percentages; abnormal log volume and
    abnormal volatility are plain numbers, named by :mod:`eventstudy.kinds`.
    """
    from eventstudy.kinds import kind_labels

    lab = kind_labels(result.kind)
    model = mathtext(result.model.name)
    if kind == "car":
        ax.yaxis.set_major_formatter(FuncFormatter(_hundredths))
        start = minus(str(int(ax.get_xticks()[0])))
        ax.set_ylabel(f"cumulative {lab.abnormal} from day {start} ({lab.cumulative})")
        ax.set_title(f"Cumulative {lab.abnormal} ({model} model)")
        legend = ax.get_legend()
        for text in legend.get_texts() if legend is not None else []:
            text.set_text(text.get_text().replace("CAAR", lab.average))
    elif kind == "ar":
        ax.yaxis.set_major_formatter(FuncFormatter(_hundredths))
        ax.set_ylabel(minus(f"{lab.abnormal} on day {day}"))
        what = "AVy = AR²/(s²C) − 1" if result.kind == "volatility" else "log(1 + volume)"
        ax.set_title(minus(f"Day {day}: {lab.abnormal} ({what}; {model} model)"))
    elif kind == "tests":
        ax.set_xlabel(f"p-value (log scale; smaller is stronger evidence of {lab.abnormal})")


@styled
def plot_volatility_day(result: EventStudyResult, ax: Axes | None = None, day: int = 0,
                        level: float = 0.95, note: str | None = None) -> Axes:
    """Abnormal volatility ``AVy = U − 1`` on ``day`` per event, with its critical value.

    Under the null ``U = AR²/(s²C)`` is ``F(1, T−k)``; the dashed line is the
    upper ``level`` quantile of ``F(1, T−k)`` minus 1 (the median ``T−k`` of the
    events): a bar above it rejects "no change in volatility" for that event.
    """
    from scipy import stats

    if not 0 < level < 1:
        raise InvalidParameterError("level", "a confidence level in (0, 1)", level)
    fig, ax, owned = axes_for(ax, (7.0, 4.2))
    p = result.panel
    av = p.ar[:, p.day_index(day)]
    x = np.arange(p.n_events)
    ax.bar(x, av, color=[symbol_color(str(e), i) for i, e in enumerate(p.event_ids)],
           label="abnormal volatility")
    df = float(np.median(p.df_resid)) if p.n_events else np.nan
    crit = float(stats.f.ppf(level, 1, df)) - 1.0
    ax.axhline(crit, color=EVENT_COLOR, lw=1.0, ls="--", gid="critical",
               label=minus(f"{100 * level:g}% critical value, F(1, {df:g}) − 1"))
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, [mathtext(e) for e in p.event_ids])
    ax.set_xlabel("event")
    ax.set_ylabel(minus(f"abnormal volatility on day {day} (AVy = AR²/(s²C) − 1)"))
    ax.set_title(minus(f"Day {day}: abnormal volatility ({mathtext(result.model.name)} model)"))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if owned:
        finish(fig, note if note is not None else result_note(result))
    return ax


# ------------------------------------------------------------------ entry point


def plot_result(result: EventStudyResult, kind: PlotKind = "car", ax: Axes | None = None,
                **kwargs: Any) -> Figure:
    """Draw one figure of ``result`` and return its Figure.

    Parameters
    ----------
    result
        The event study result.
    kind : {"ar", "car", "tests", "prices"}
        ``"ar"``: day-0 abnormal return per event with its interval
        (:func:`~eventstudy.plotting.plot_event_ar`); ``"car"``: CAR paths, the
        CAAR and its band (:func:`~eventstudy.plotting.plot_car_paths`);
        ``"tests"``: p-value per test and window, headline tests first
        (:func:`plot_tests`); ``"prices"``: price paths over the event span
        (:func:`plot_event_prices`). For a volume study (``result.kind``) the
        values are abnormal log volume (no ``"prices"``); for a volatility
        study abnormal volatility, and ``"ar"`` is :func:`plot_volatility_day`.
    ax
        Axes to draw on (for instance one made with pyplot); the figure
        holding it is returned. Default: a new figure that Jupyter displays
        inline without pyplot.
    **kwargs
        Passed on to the function of ``kind`` (e.g. ``days=(-5, 10)`` for
        ``"car"``, ``day=1`` for ``"ar"``, ``note=...``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidParameterError
        An unknown ``kind``.
    """
    study = getattr(result, "kind", "returns")
    if kind == "car":
        if "days" not in kwargs:
            kwargs["days"] = (int(result.panel.event_days.min()), int(result.panel.event_days.max()))
        drawn = plot_car_paths(result, ax=ax, **kwargs)
    elif kind == "ar" and study == "volatility":
        drawn = plot_volatility_day(result, ax=ax, **kwargs)
    elif kind == "ar":
        drawn = plot_event_ar(result, ax=ax, **kwargs)
    elif kind == "tests":
        drawn = plot_tests(result, ax=ax, **kwargs)
    elif kind == "prices" and study == "volume":
        raise InvalidParameterError("kind", "'ar', 'car' or 'tests' for a volume study (it has no prices)",
                                    kind)
    elif kind == "prices":
        drawn = plot_event_prices(result, ax=ax, **kwargs)
    else:
        raise InvalidParameterError("kind", f"one of {list(PLOT_KINDS)}", kind)
    if study != "returns" and not (kind == "ar" and study == "volatility"):
        _relabel(drawn, result, kind, int(kwargs.get("day", 0)))
    return figure_of(drawn)
