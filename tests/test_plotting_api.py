"""Figures that show: plot_result (EventStudyResult.plot), inline display, glyphs.

Expected numbers are read from the fixture CSVs with the csv module; display
is checked through IPython's own display formatter, as Jupyter calls it.
"""

from __future__ import annotations

import csv
import re
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

import eventstudy as es
from eventstudy import datasets
from eventstudy.errors import InvalidParameterError
from eventstudy.plotting import (
    PLOT_KINDS,
    ShownFigure,
    event_price_paths,
    figure_png,
    minus,
    plot_car_paths,
    plot_price_paths,
    plot_result,
    plot_tests,
    price_paths,
)
from eventstudy.resources import fixtures_dir

PNG = b"\x89PNG\r\n\x1a\n"
#: A hyphen-minus used as a negative sign (what `minus` replaces).
HYPHEN_NUMBER = re.compile(r"(?:(?<![\w.])|(?<=\de))-(?=\.?\d)")


@pytest.fixture(scope="module")
def result() -> es.EventStudyResult:
    case = datasets.deepseek()
    return es.event_study(case.prices, benchmark=case.benchmark, event_date=case.event_date,
                          securities=case.securities, name="DeepSeek")


def close(symbol_file: str, column: str, date: str) -> float:
    with open(fixtures_dir() / symbol_file, newline="", encoding="utf-8") as fh:
        return next(float(r[column]) for r in csv.DictReader(fh) if r["date"] == date)


def all_texts(fig: Figure) -> list[str]:
    figure_png(fig)  # draw: tick labels exist only once the figure is drawn
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_plot_result_returns_a_figure_jupyter_displays(result: es.EventStudyResult,
                                                       kind: str) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    fig = plot_result(result, kind)  # type: ignore[arg-type]
    assert isinstance(fig, Figure) and isinstance(fig, ShownFigure)
    assert len(fig.axes) == 1 and fig.axes[0].has_data()
    data, _ = InteractiveShell.instance().display_formatter.format(fig)
    assert data["image/png"][:8] == PNG
    assert "matplotlib.pyplot" not in sys.modules or \
        sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_plot_functions_return_axes_that_display_too(result: es.EventStudyResult) -> None:
    """The issue's example: plot_car_paths(res) in Jupyter showed `<Axes: ...>` text."""
    from IPython.core.interactiveshell import InteractiveShell

    ax = plot_car_paths(result, days=(-5, 5))
    assert isinstance(ax, Axes)
    data, _ = InteractiveShell.instance().display_formatter.format(ax)
    assert data["image/png"][:8] == PNG
    assert data["image/png"] == figure_png(ax, dpi=100)


def test_plot_result_draws_on_a_given_axes(result: es.EventStudyResult) -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    out = plot_result(result, "ar", ax=right)
    assert out is fig
    assert not left.has_data() and right.has_data()
    assert len(right.patches) == len(result.event_ids)  # one bar per firm
    assert not [t for t in fig.texts if t.get_gid() == "source-note"]  # layout is the caller's


def test_plot_result_refuses_an_unknown_kind(result: es.EventStudyResult) -> None:
    with pytest.raises(InvalidParameterError, match="kind.*'ar', 'car', 'tests', 'prices'"):
        plot_result(result, "qq")  # type: ignore[arg-type]


def test_car_kind_covers_the_event_span(result: es.EventStudyResult) -> None:
    ax = plot_result(result, "car").axes[0]
    caar = next(ln for ln in ax.lines if ln.get_label().startswith("CAAR"))
    np.testing.assert_array_equal(caar.get_xdata(), np.arange(-5, 6))  # type: ignore[arg-type]
    assert len(ax.collections) == 1  # the band
    assert ax.get_ylabel() == "cumulative abnormal return from day \u22125 (%)"


def test_tests_kind_lists_the_headline_first(result: es.EventStudyResult) -> None:
    t = result.tests
    t = t[t["scope"] == "window"]
    head = list(dict.fromkeys(t.loc[t["headline"].astype(bool), "test"]))
    assert head  # six firms on one date: the robust tests lead
    ax = plot_tests(result)
    labels = [lab.get_text() for lab in ax.get_yticklabels()]
    assert len(labels) == t["test"].nunique()
    assert labels[: len(head)] == [f"★ {n}" for n in head]
    bold = [lab.get_text() for lab in ax.get_yticklabels() if lab.get_fontweight() == "bold"]
    assert bold == labels[: len(head)]
    points = sum(int(np.isfinite(ln.get_xdata()).sum()) for ln in ax.lines  # type: ignore[arg-type]
                 if ln.get_gid() != "level")
    assert points == int(t["pvalue"].notna().sum())
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "window (\u22121, +1)" in legend and "p = 0.05" in legend
    only = plot_tests(result, windows=[(-1, 1)])
    assert sum(int(np.isfinite(ln.get_xdata()).sum()) for ln in only.lines  # type: ignore[arg-type]
               if ln.get_gid() != "level") == int(
        t.loc[t["window"].map(str) == "(-1, +1)", "pvalue"].notna().sum())
    with pytest.raises(InvalidParameterError, match="windows"):
        plot_tests(result, windows=[(0, 9)])


def test_prices_kind_rebases_to_the_close_before_the_event(result: es.EventStudyResult) -> None:
    paths = event_price_paths(result)
    assert list(paths.columns) == [*result.event_ids, "^GSPC"]
    assert list(paths.index) == list(range(-5, 6))
    # by hand from the CSVs: 27 Jan adjusted close / 24 Jan adjusted close
    nvda = 100 * close("NVDA.csv", "adj_close", "2025-01-27") / close("NVDA.csv", "adj_close",
                                                                      "2025-01-24")
    gspc = 100 * close("GSPC.csv", "close", "2025-01-27") / close("GSPC.csv", "close", "2025-01-24")
    assert paths.loc[0, "NVDA"] == pytest.approx(nvda, rel=1e-10)
    assert paths.loc[0, "^GSPC"] == pytest.approx(gspc, rel=1e-10)
    assert paths.loc[-1].to_numpy() == pytest.approx(100.0)
    before = 100 * close("MU.csv", "adj_close", "2025-01-17") / close("MU.csv", "adj_close",
                                                                      "2025-01-24")
    assert paths.loc[-5, "MU"] == pytest.approx(before, rel=1e-10)  # 17 Jan is day -5
    ax = plot_result(result, "prices").axes[0]
    assert ax.get_xlabel() == "trading days relative to the event session (day 0)"
    assert "27 Jan 2025" in ax.get_title(loc="left")


def test_dated_price_chart_says_it_shows_dates() -> None:
    source = es.CsvSource(fixtures_dir())
    ax = plot_price_paths(price_paths(source, ["NVDA", "^GSPC"]))
    assert ax.get_xlabel().startswith("date (trading sessions, 2025")


def test_minus_sign() -> None:
    assert minus("from day -5 to -1e-06, (-1, +1)") == "from day \u22125 to \u22121e\u221206, (\u22121, +1)"
    assert minus("Day-0 on 2025-01-27, kp-bmp") == "Day-0 on 2025-01-27, kp-bmp"


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_negative_numbers_use_one_glyph(result: es.EventStudyResult, kind: str) -> None:
    texts = all_texts(plot_result(result, kind))  # type: ignore[arg-type]
    assert any("\u2212" in t for t in texts)  # negative numbers are drawn ...
    assert [t for t in texts if HYPHEN_NUMBER.search(t)] == []  # ... all with U+2212


def test_dated_price_chart_uses_one_glyph() -> None:
    source = es.CsvSource(fixtures_dir())
    ax = plot_price_paths(price_paths(source, ["NVDA", "^GSPC"]))
    texts = all_texts(ax.figure)  # type: ignore[arg-type]
    assert [t for t in texts if HYPHEN_NUMBER.search(t)] == []


def test_result_figures_are_picklable(result: es.EventStudyResult) -> None:
    import pickle

    fig = plot_result(result, "ar")
    again = pickle.loads(pickle.dumps(fig))
    assert isinstance(again, ShownFigure) and again._repr_png_()[:8] == PNG


def test_returns_given_as_returns_have_no_price_chart_error() -> None:
    """A study on returns still draws the compounded price paths (from its returns)."""
    case = datasets.deepseek()
    rets = case.prices.pct_change().iloc[1:]
    res = es.event_study(returns=rets, benchmark=case.benchmark, event_date=case.event_date,
                         securities=case.securities)
    paths = event_price_paths(res)
    nvda = 100 * close("NVDA.csv", "adj_close", "2025-01-27") / close("NVDA.csv", "adj_close",
                                                                      "2025-01-24")
    assert paths.loc[0, "NVDA"] == pytest.approx(nvda, rel=1e-10)
    assert isinstance(pd.Timestamp("2025-01-27"), pd.Timestamp)
