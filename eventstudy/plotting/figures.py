"""The figures of the DeepSeek story (and of any event study result).

Every function takes ``ax=None`` and returns the Axes it drew on (multi-panel
functions return the Figure). When a function creates the figure itself, it
also lays it out and adds the source note (``note``); when you pass ``ax``,
layout and notes are yours.

Text that comes from the user or the data (symbols, event ids, claim ids,
event names, titles and notes passed in) is drawn as typed: it goes through
:func:`eventstudy.escaping.mathtext`, so a ``$`` never starts mathtext.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator
from scipy import stats

from eventstudy.escaping import mathtext
from eventstudy.plotting._style import (
    EVENT_COLOR,
    INDEX_NAMES,
    INDEX_STYLES,
    axes_for,
    finish,
    minus,
    new_figure,
    signed,
    styled,
    symbol_color,
)
from eventstudy.plotting.data import CarPaths, MarketValue, car_paths, result_note

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResult

__all__ = [
    "claims_figure",
    "plot_car_paths",
    "plot_claim_differences",
    "plot_claimed_moves",
    "plot_event_ar",
    "plot_market_value",
    "plot_price_paths",
    "plot_sensitivity",
]

def _pct(value: float, _pos: object = None) -> str:
    """Tick label of a percentage, with the minus sign (module-level: figures pickle)."""
    return f"{signed(value)}%"


def _usd_tn(value: float, _pos: object = None) -> str:
    return f"${value / 1000:.1f}tn"


def _day(d: pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def _long_date(d: pd.Timestamp) -> str:
    return f"{d.day} {d:%b %Y}"


def _mark_event_date(ax: Axes, date: pd.Timestamp) -> None:
    x: Any = date.to_datetime64()
    ax.axvline(x, color=EVENT_COLOR, lw=1.1, ls="--", label=f"event day ({_long_date(date)})",
               gid="event-marker", zorder=1)


def _mark_day0(ax: Axes, date: pd.Timestamp | None) -> None:
    label = "event day (day 0)" if date is None else f"event day 0 ({_long_date(date)})"
    ax.axvline(0, color=EVENT_COLOR, lw=1.1, ls="--", label=label, gid="event-marker", zorder=1)


def _symbol_label(symbol: str) -> str:
    return f"{symbol} ({INDEX_NAMES[symbol]})" if symbol in INDEX_NAMES else mathtext(symbol)


# ------------------------------------------------------------------ price paths


@styled
def plot_price_paths(
    paths: pd.DataFrame,
    event_date: pd.Timestamp | str = "2025-01-27",
    base_date: pd.Timestamp | str = "2025-01-24",
    ax: Axes | None = None,
    note: str | None = None,
    title: str | None = None,
) -> Axes:
    """Rebased price paths (from :func:`~eventstudy.plotting.data.price_paths`).

    Stocks are solid coloured lines, benchmarks (``^...``) grey dashed lines;
    the event day is a dashed vertical line, 100 a thin horizontal one.
    ``title`` is drawn as typed (no mathtext).
    """
    fig, ax, owned = axes_for(ax, (8.0, 4.6))
    event, base = _day(event_date), _day(base_date)
    x = paths.index.to_numpy()
    for i, sym in enumerate(paths.columns):
        if sym in INDEX_STYLES:
            st = INDEX_STYLES[sym]
            ax.plot(x, paths[sym].to_numpy(), color=st["color"], ls=st["ls"], lw=1.5,
                    label=_symbol_label(str(sym)))
        else:
            ax.plot(x, paths[sym].to_numpy(), color=symbol_color(str(sym), i), lw=1.8,
                    label=mathtext(sym))
    ax.axhline(100, color="0.5", lw=0.7, zorder=0)
    _mark_event_date(ax, event)
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(f"date (trading sessions, {x[0].astype('datetime64[Y]')}; ticks on Mondays)")
    ax.set_ylabel(f"price, rebased ({base.day} {base:%b} close = 100)")
    ax.set_title(mathtext(title) if title else
                 "AI stocks fell on the first session after the DeepSeek-R1 news")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=2.6)
    if owned:
        finish(fig, note)
    return ax


# ------------------------------------------------------------------ claims


def _claim_labels(moves: pd.DataFrame) -> list[str]:
    dup = moves["symbol"].duplicated(keep=False)
    return [mathtext(f"{s} ({cid})" if d else s)
            for cid, s, d in zip(moves.index, moves["symbol"], dup, strict=True)]


@styled
def plot_claimed_moves(moves: pd.DataFrame, ax: Axes | None = None,
                       note: str | None = None) -> Axes:
    """Reported (articles) next to recorded (fixtures) one-day moves, in percent.

    ``moves`` comes from :func:`~eventstudy.plotting.data.claimed_moves`. The
    reported bar carries the claim's tolerance as an error bar.
    """
    fig, ax, owned = axes_for(ax, (6.0, 4.6))
    y = np.arange(len(moves))
    h = 0.38
    ax.barh(y - h / 2, moves["reported"], height=h, color="0.75", edgecolor="0.35", lw=0.6,
            xerr=moves["tolerance"], error_kw={"ecolor": "0.1", "capsize": 2.5, "lw": 1.0},
            label="reported by the article (± tolerance)")
    ax.barh(y + h / 2, moves["recorded"], height=h, color="#0072B2", label="recorded close-to-close")
    for yi, rec in zip(y, moves["recorded"], strict=True):
        ax.annotate(f"{signed(rec, '.2f')}%", (rec, yi + h / 2), xytext=(4 if rec < 0 else -4, 0),
                    textcoords="offset points", ha="left" if rec < 0 else "right", va="center",
                    fontsize=7, color="white", gid="recorded-value")
    ax.set_yticks(y, _claim_labels(moves))
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.xaxis.set_major_locator(MultipleLocator(5))
    ax.axvline(0, color="0.3", lw=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(_pct))
    dates = sorted({pd.Timestamp(d) for d in moves["date"] if pd.notna(d)})
    when = _long_date(dates[0]) if len(dates) == 1 else "the claim dates"
    ax.set_xlabel(f"one-day change on {when} (%, close to previous close)")
    ax.set_title("Reported vs recorded one-day moves")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    if owned:
        finish(fig, note)
    return ax


@styled
def plot_claim_differences(moves: pd.DataFrame, ax: Axes | None = None,
                           note: str | None = None) -> Axes:
    """Recorded minus reported (pp) per claim, with the ± tolerance as a band."""
    fig, ax, owned = axes_for(ax, (4.0, 4.6))
    y = np.arange(len(moves))
    tol = moves["tolerance"].to_numpy(float)
    ax.barh(y, 2 * tol, left=-tol, height=0.55, color="#CCE5D6", edgecolor="#5AAE61", lw=0.6,
            label="tolerance (claim holds inside)")
    holds = moves["verdict"].eq("holds").to_numpy()
    diff = moves["difference"].to_numpy(float)
    ax.plot(diff[holds], y[holds], "o", color="#1B7837", ms=5, ls="none", label="difference: holds")
    if (~holds).any():
        ax.plot(diff[~holds], y[~holds], "X", color=EVENT_COLOR, ms=6, ls="none",
                label="difference: fails")
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(y, _claim_labels(moves))
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    lim = max(float(np.nanmax(np.abs(np.r_[tol, diff]))) * 1.15, 0.06)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("recorded − reported (percentage points)")
    ax.set_title("Within the stated precision?")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=1)
    if owned:
        finish(fig, note)
    return ax


@styled
def claims_figure(moves: pd.DataFrame, note: str | None = None) -> Figure:
    """Two panels: reported vs recorded moves, and their difference against the tolerance."""
    fig = new_figure((9.6, 4.8))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.6, 1.0]})
    plot_claimed_moves(moves, ax=left)
    plot_claim_differences(moves, ax=right)
    right.tick_params(labelleft=False)
    finish(fig, note)
    return fig


# ------------------------------------------------------------------ sensitivity

_MODEL_COLORS = {
    "market": ["#08519C", "#4292C6", "#9ECAE1"],
    "market_adjusted": ["#A63603", "#F16913", "#FDAE6B"],
    "capm": ["#54278F", "#807DBA", "#BCBDDC"],
}


@styled
def plot_sensitivity(grid: pd.DataFrame, ax: Axes | None = None, note: str | None = None,
                     day: int = 0) -> Axes:
    """Grouped bars: abnormal return on ``day`` per firm for each (model, benchmark).

    ``grid`` comes from :func:`~eventstudy.plotting.data.sensitivity_grid`; one
    bar group per firm, one bar per (model, benchmark) pair, in grid order.
    """
    fig, ax, owned = axes_for(ax, (9.0, 4.6))
    firms = list(dict.fromkeys(grid["event_id"]))
    combos = list(dict.fromkeys(zip(grid["model"], grid["benchmark"], strict=True)))
    x = np.arange(len(firms))
    width = 0.84 / len(combos)
    seen: dict[str, int] = {}
    for j, (model, bench) in enumerate(combos):
        part = grid[(grid["model"] == model) & (grid["benchmark"] == bench)].set_index("event_id")
        k = seen.get(model, 0)
        seen[model] = k + 1
        palette = _MODEL_COLORS.get(model)
        color = palette[k % len(palette)] if palette else ["0.45", "0.65", "0.8"][k % 3]
        label = mathtext(f"{model}, {bench}" if bench != "factors"
                         else f"{model} (Fama-French factors)")
        ax.bar(x - 0.42 + width * (j + 0.5), 100 * part.reindex(firms)["ar"].to_numpy(float),
               width=width * 0.95, color=color, label=label)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, [mathtext(f) for f in firms])
    ax.yaxis.set_major_formatter(FuncFormatter(_pct))
    ax.set_xlabel("firm")
    ax.set_ylabel(minus(f"abnormal return on day {day} (%)"))
    ax.set_title(minus(f"Day {day}: abnormal return by normal-return model and benchmark"))
    ax.grid(axis="x", visible=False)
    ax.legend(title="model, benchmark", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              title_fontsize=8)
    if owned:
        finish(fig, note)
    return ax


# ------------------------------------------------------------------ CAR paths


@styled
def plot_car_paths(
    result: EventStudyResult | CarPaths,
    ax: Axes | None = None,
    days: tuple[int, int] = (-5, 10),
    level: float = 0.95,
    note: str | None = None,
    band: bool = True,
) -> Axes:
    """CAR paths per firm and the CAAR with its cross-sectional confidence band.

    CARs are cumulated from ``days[0]``; the band is CAAR ± t(n-1) × sd / √N
    (see :attr:`CarPaths.caption`). Pass a result whose event span covers
    ``days`` (days outside it are dropped).
    """
    fig, ax, owned = axes_for(ax, (8.0, 4.6))
    cp = result if isinstance(result, CarPaths) else car_paths(result, days, level)
    event_date = None
    if not isinstance(result, CarPaths) and 0 in result.panel.event_days:
        d0 = result.panel.event_dates[:, result.panel.day_index(0)]
        d0 = d0[~np.isnat(d0)]
        event_date = pd.Timestamp(d0[0]) if d0.size and (d0 == d0[0]).all() else None
    x = cp.car.index.to_numpy()
    for i, eid in enumerate(cp.car.columns):
        ax.plot(x, 100 * cp.car[eid].to_numpy(float), color=symbol_color(str(eid), i), lw=1.2,
                alpha=0.85, label=mathtext(eid))
    if band:
        ax.fill_between(x, 100 * cp.caar["lower"].to_numpy(float),
                        100 * cp.caar["upper"].to_numpy(float), color="0.2", alpha=0.15, lw=0,
                        label=f"{100 * cp.level:g}% band (cross-sectional)")
    ax.plot(x, 100 * cp.caar["caar"].to_numpy(float), color="black", lw=2.6,
            label=f"CAAR (N = {int(cp.caar['nobs'].max())})")
    ax.axhline(0, color="0.5", lw=0.7, zorder=0)
    _mark_day0(ax, event_date)
    ax.set_xticks(x)
    ax.set_xlim(x[0] - 0.3, x[-1] + 0.3)
    ax.yaxis.set_major_formatter(FuncFormatter(_pct))
    ax.set_xlabel("trading days relative to the event session (day 0)")
    ax.set_ylabel(minus(f"cumulative abnormal return from day {x[0]} (%)"))
    name = "" if isinstance(result, CarPaths) else f" ({mathtext(result.model.name)} model)"
    ax.set_title(f"Cumulative abnormal returns{name}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if owned:
        base = note if note is not None else (
            result_note(result) if not isinstance(result, CarPaths) else "")
        finish(fig, f"{base} {cp.caption}".strip())
    return ax


@styled
def plot_event_ar(result: EventStudyResult, ax: Axes | None = None, day: int = 0,
                  level: float = 0.95, note: str | None = None) -> Axes:
    """Abnormal return on ``day`` per event with its forecast-error confidence interval."""
    fig, ax, owned = axes_for(ax, (7.0, 4.2))
    p = result.panel
    j = p.day_index(day)
    ar = p.ar[:, j]
    se = np.sqrt(p.sigma2 * p.daily_forecast_factor()[:, j])
    q = stats.t.ppf(0.5 + level / 2, np.maximum(p.df_resid, 1))
    x = np.arange(p.n_events)
    colors = [symbol_color(str(e), i) for i, e in enumerate(p.event_ids)]
    ax.bar(x, 100 * ar, color=colors, yerr=100 * q * se,
           error_kw={"ecolor": "0.15", "capsize": 3, "lw": 1.0},
           label=f"AR with {100 * level:g}% interval")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, [mathtext(e) for e in p.event_ids])
    ax.yaxis.set_major_formatter(FuncFormatter(_pct))
    ax.set_xlabel("event")
    ax.set_ylabel(minus(f"abnormal return on day {day} (%)"))
    ax.set_title(minus(f"Day {day}: abnormal returns ({mathtext(result.model.name)} model), "
                       f"{100 * level:g}% intervals"))
    ax.grid(axis="x", visible=False)
    if owned:
        finish(fig, note if note is not None else result_note(result))
    return ax


# ------------------------------------------------------------------ market value


@styled
def plot_market_value(mv: MarketValue, ax: Axes | None = None, note: str | None = None) -> Axes:
    """Market value (close × shares, USD bn) with the event-day loss annotated."""
    fig, ax, owned = axes_for(ax, (8.0, 4.4))
    s = mv.value
    x = s.index.to_numpy()
    ax.plot(x, s.to_numpy(float), color=symbol_color(mv.symbol), marker="o", ms=3.5, lw=1.8,
            label=f"{mathtext(mv.symbol)}: close × {mv.shares_bn:g}bn shares")
    _mark_event_date(ax, mv.event_date)
    if mv.event_date in s.index:
        pos = s.index.get_loc(mv.event_date)
        assert isinstance(pos, int)
        after = float(s.iloc[pos])
        before = after - mv.change_bn
        x0 = mv.event_date.to_datetime64()
        ax.annotate("", xy=(x0, after), xytext=(x0, before),
                    arrowprops={"arrowstyle": "-|>", "color": EVENT_COLOR, "lw": 1.6})
        ax.hlines(before, x[max(pos - 1, 0)], x0, colors="0.4", lw=0.8, ls=":")
        ax.annotate(f"−${abs(mv.change_bn):,.1f}bn\non {mv.event_date.day} {mv.event_date:%b}"
                    if mv.change_bn < 0 else f"+${mv.change_bn:,.1f}bn\non {mv.event_date:%d %b}",
                    xy=(x0, before), xytext=(8, -2), textcoords="offset points",
                    ha="left", va="top", fontsize=10, fontweight="bold", color=EVENT_COLOR,
                    gid="loss-annotation")
    ax.yaxis.set_major_formatter(FuncFormatter(_usd_tn))
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlabel(f"date (trading sessions, {x[0].astype('datetime64[Y]')}; ticks on Mondays)")
    ax.set_ylabel("market value (USD trillion)")
    ax.set_title(f"{mathtext(mv.symbol)} market value, {pd.Timestamp(x[0]):%B %Y}")
    ax.legend(loc="lower left")
    if owned:
        finish(fig, note)
    return ax
