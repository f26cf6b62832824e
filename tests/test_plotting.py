"""Figures: what each one draws (lines, bars, labels, event marker, legend, note)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from eventstudy.claims import check_claims, load_claims
from eventstudy.data.fixtures import CsvSource
from eventstudy.events import load_event_file, run_spec
from eventstudy.plotting import (
    FIRMS,
    INDICES,
    car_paths,
    claimed_moves,
    claims_figure,
    data_note,
    figure_png,
    market_value,
    plot_car_paths,
    plot_claim_differences,
    plot_claimed_moves,
    plot_event_ar,
    plot_market_value,
    plot_price_paths,
    plot_sensitivity,
    price_paths,
    save_result_figures,
    sensitivity_grid,
)
from eventstudy.resources import case_path, default_claims_paths, fixtures_dir
from eventstudy.windows import Window

EVENT = pd.Timestamp("2025-01-27")


@pytest.fixture(scope="module")
def source() -> CsvSource:
    return CsvSource(fixtures_dir())


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_event_file(case_path())


@pytest.fixture(scope="module")
def result(spec, source):  # type: ignore[no-untyped-def]
    return run_spec(spec.with_overrides(windows=(*spec.windows, Window(-5, 10))), source)


@pytest.fixture(scope="module")
def claims():  # type: ignore[no-untyped-def]
    return load_claims(default_claims_paths()[0])


@pytest.fixture(scope="module")
def moves(claims, source) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return claimed_moves(check_claims(claims, source))


def labelled_lines(ax: Axes) -> dict[str, object]:
    return {ln.get_label(): ln for ln in ax.lines if not ln.get_label().startswith("_")}


def legend_texts(ax: Axes) -> list[str]:
    leg = ax.get_legend()
    assert leg is not None
    return [t.get_text() for t in leg.get_texts()]


def event_markers(ax: Axes) -> list[object]:
    return [ln for ln in ax.lines if ln.get_gid() == "event-marker"]


def note_text(ax_or_fig: Axes | Figure) -> str:
    fig = ax_or_fig if isinstance(ax_or_fig, Figure) else ax_or_fig.get_figure()
    assert isinstance(fig, Figure)
    notes = [t.get_text() for t in fig.texts if t.get_gid() == "source-note"]
    assert len(notes) == 1
    return notes[0].replace("\n", " ")


# ----------------------------------------------------------------- no global state


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_plotting_never_uses_pyplot() -> None:
    src = Path(__file__).resolve().parents[1] / "eventstudy" / "plotting"
    for path in src.glob("*.py"):
        assert not any("pyplot" in m for m in _imported_modules(path)), path
        assert "plt." not in path.read_text(encoding="utf-8"), path


def test_only_plotting_imports_matplotlib() -> None:
    pkg = Path(__file__).resolve().parents[1] / "eventstudy"
    offenders = [p for p in pkg.rglob("*.py") if "plotting" not in p.parts
                 and any(m.split(".")[0] == "matplotlib" for m in _imported_modules(p))]
    assert offenders == []


def test_rcparams_restored_and_no_pyplot_figures(source: CsvSource) -> None:
    before = dict(mpl.rcParams)
    plot_price_paths(price_paths(source, ["NVDA", "^GSPC"]))
    assert dict(mpl.rcParams) == before
    if "matplotlib.pyplot" in sys.modules:  # another test may have imported it
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


# ----------------------------------------------------------------- price paths


def test_price_paths_rebased(source: CsvSource) -> None:
    paths = price_paths(source, [*FIRMS, *INDICES])
    assert list(paths.columns) == [*FIRMS, *INDICES]
    assert paths.index[0] == pd.Timestamp("2025-01-13")
    assert paths.index[-1] == pd.Timestamp("2025-02-14")
    np.testing.assert_allclose(paths.loc["2025-01-24"].to_numpy(), 100.0)
    # NVDA fell about 17% on the event day (adjusted close)
    assert paths.loc[EVENT, "NVDA"] == pytest.approx(83.03, abs=0.05)


def test_plot_price_paths_contents(source: CsvSource) -> None:
    symbols = [*FIRMS, *INDICES]
    note = data_note(source, symbols)
    ax = plot_price_paths(price_paths(source, symbols), note=note)
    lines = labelled_lines(ax)
    data_labels = [k for k in lines if not k.startswith("event day")]
    assert len(data_labels) == 9
    assert set(FIRMS) <= set(data_labels)
    assert {"^GSPC (S&P 500)", "^IXIC (Nasdaq Comp.)", "^SOX (PHLX Semis)"} <= set(data_labels)
    markers = event_markers(ax)
    assert len(markers) == 1
    x = markers[0].get_xdata()[0]  # type: ignore[attr-defined]
    assert mdates.date2num(np.datetime64(x, "D") if not isinstance(x, float) else x) == \
        mdates.date2num(EVENT.to_datetime64())
    assert "event day (27 Jan 2025)" in legend_texts(ax)
    assert len(legend_texts(ax)) == 10
    assert "24 Jan close = 100" in ax.get_ylabel()
    assert ax.get_xlabel().startswith("date (trading sessions")
    assert "DeepSeek" in ax.get_title(loc="left")
    assert "2023-01-03 to 2025-06-30" in note_text(ax)
    assert "manifest.json" in note_text(ax)
    # every line spans the 25 sessions 13 Jan .. 14 Feb
    assert all(len(lines[s].get_xdata()) == 24 for s in FIRMS)  # type: ignore[attr-defined]


def test_plot_on_given_axes_adds_no_note(source: CsvSource) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    out = plot_price_paths(price_paths(source, ["NVDA", "^GSPC"]), ax=ax, note="ignored")
    assert out is ax
    assert fig.texts == []
    assert len(labelled_lines(ax)) == 3


def test_data_note_without_manifest(tmp_path: Path, source: CsvSource) -> None:
    (tmp_path / "NVDA.csv").write_bytes((fixtures_dir() / "NVDA.csv").read_bytes())
    note = data_note(CsvSource(tmp_path), ["NVDA"])
    assert "2023-01-03 to 2025-06-30" in note and "no manifest" in note


# ----------------------------------------------------------------- claims


def test_claimed_moves_frame(moves: pd.DataFrame) -> None:
    assert list(moves["symbol"]) == ["NVDA", "NVDA", "AVGO", "MU", "ARM", "ASML", "CEG",
                                     "^IXIC", "^SOX"]
    assert (moves["verdict"] == "holds").all()
    assert moves.loc["ceg-1d-003", "recorded"] == pytest.approx(-20.8496, abs=1e-3)
    assert moves.loc["ceg-1d-003", "tolerance"] == 0.05


def test_plot_claimed_moves_contents(moves: pd.DataFrame) -> None:
    ax = plot_claimed_moves(moves)
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2
    assert len(ax.patches) == 2 * len(moves)
    reported, recorded = bars
    assert reported.errorbar is not None  # the tolerance
    widths = [p.get_width() for p in recorded.patches]
    np.testing.assert_allclose(widths, moves["recorded"].to_numpy())
    assert all(w < 0 for w in widths)  # every move was a fall
    seg = reported.errorbar.lines[2][0].get_segments()  # type: ignore[union-attr]
    half = [abs(s[1][0] - s[0][0]) / 2 for s in seg]
    np.testing.assert_allclose(half, moves["tolerance"].to_numpy())
    assert legend_texts(ax) == ["reported by the article (± tolerance)", "recorded close-to-close"]
    assert "27 Jan 2025" in ax.get_xlabel() and "%" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "NVDA (nvda-1d-002)" and ticks[2] == "AVGO"
    assert ax.yaxis_inverted()


def test_plot_claim_differences_contents(moves: pd.DataFrame) -> None:
    ax = plot_claim_differences(moves)
    assert len(ax.patches) == len(moves)  # one tolerance band per claim
    np.testing.assert_allclose([p.get_width() / 2 for p in ax.patches], moves["tolerance"])
    pts = labelled_lines(ax)["difference: holds"]
    np.testing.assert_allclose(pts.get_xdata(), moves["difference"])  # type: ignore[attr-defined]
    assert "percentage points" in ax.get_xlabel()


def test_claims_figure_two_panels(moves: pd.DataFrame) -> None:
    fig = claims_figure(moves, note="Source: test")
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_title(loc="left").startswith("Reported vs recorded")
    assert left.yaxis_inverted() and right.yaxis_inverted()
    assert note_text(fig) == "Source: test"


# ----------------------------------------------------------------- sensitivity


def test_sensitivity_grid_and_bars(spec, source: CsvSource) -> None:  # type: ignore[no-untyped-def]
    grid = sensitivity_grid(spec, source, models=("market", "market_adjusted", "ff3"))
    assert len(grid) == 6 * 7
    assert set(grid[grid["model"] == "ff3"]["benchmark"]) == {"factors"}
    # the market-adjusted AR is the stock return minus the benchmark return
    nvda = run_spec(spec.with_overrides(model="market_adjusted", benchmark="^SOX"), source)
    got = grid.query("event_id == 'NVDA' and model == 'market_adjusted' and benchmark == '^SOX'")
    assert float(got["ar"].iloc[0]) == pytest.approx(float(nvda.ar.loc[0, "NVDA"]))
    ax = plot_sensitivity(grid)
    assert len(ax.containers) == 7
    assert len(ax.patches) == 42
    assert [t.get_text() for t in ax.get_xticklabels()] == list(FIRMS)
    assert legend_texts(ax) == [
        "market, ^GSPC", "market, ^IXIC", "market, ^SOX", "market_adjusted, ^GSPC",
        "market_adjusted, ^IXIC", "market_adjusted, ^SOX", "ff3 (Fama-French factors)"]
    heights = [p.get_height() for p in ax.containers[0].patches]  # type: ignore[attr-defined]
    want = 100 * grid.query("model == 'market' and benchmark == '^GSPC'")["ar"].to_numpy()
    np.testing.assert_allclose(heights, want)
    assert ax.get_ylabel() == "abnormal return on day 0 (%)"


# ----------------------------------------------------------------- CAR paths


def test_car_paths_band(result) -> None:  # type: ignore[no-untyped-def]
    cp = car_paths(result, (-5, 10))
    assert list(cp.car.index) == list(range(-5, 11))
    assert list(cp.car.columns) == list(FIRMS)
    from scipy import stats

    day0 = cp.car.loc[0]
    half = stats.t.ppf(0.975, 5) * day0.std(ddof=1) / np.sqrt(6)
    assert cp.caar.loc[0, "caar"] == pytest.approx(day0.mean())
    assert cp.caar.loc[0, "upper"] - cp.caar.loc[0, "caar"] == pytest.approx(half)
    # cumulated from day -5: CAR(-5, 0) is the sum of ARs from -5 to 0
    ar = result.ar
    assert cp.car.loc[0, "NVDA"] == pytest.approx(ar.loc[-5:0, "NVDA"].sum())
    assert "cross-sectional sd of CARs / √N" in cp.caption


def test_plot_car_paths_contents(result) -> None:  # type: ignore[no-untyped-def]
    ax = plot_car_paths(result)
    lines = labelled_lines(ax)
    assert set(FIRMS) <= set(lines)
    assert "CAAR (N = 6)" in lines
    caar = lines["CAAR (N = 6)"]
    np.testing.assert_allclose(caar.get_xdata(), np.arange(-5, 11))  # type: ignore[attr-defined]
    assert len(ax.collections) == 1  # the band
    markers = event_markers(ax)
    assert len(markers) == 1 and markers[0].get_xdata()[0] == 0  # type: ignore[attr-defined]
    legend = legend_texts(ax)
    assert "95% band (cross-sectional)" in legend
    assert "event day 0 (27 Jan 2025)" in legend
    assert len(legend) == 9
    assert "day \u22125" in ax.get_ylabel()
    assert "market model" in ax.get_title(loc="left")
    assert "√N" in note_text(ax) and "t quantile" in note_text(ax)


def test_plot_car_paths_clips_to_span(spec, source: CsvSource) -> None:  # type: ignore[no-untyped-def]
    short = run_spec(spec, source)  # event span -5 .. +5
    ax = plot_car_paths(short)
    np.testing.assert_allclose(labelled_lines(ax)["CAAR (N = 6)"].get_xdata(), np.arange(-5, 6))  # type: ignore[attr-defined]


def test_plot_event_ar(result) -> None:  # type: ignore[no-untyped-def]
    ax = plot_event_ar(result)
    assert len(ax.patches) == 6
    heights = [p.get_height() for p in ax.patches]  # type: ignore[attr-defined]
    np.testing.assert_allclose(heights, 100 * result.ar.loc[0].to_numpy())
    assert all(h < 0 for h in heights)
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 1 and bars[0].errorbar is not None
    assert "95% intervals" in ax.get_title(loc="left")
    assert ax.get_ylabel() == "abnormal return on day 0 (%)"


# ----------------------------------------------------------------- market value


def test_market_value_and_plot(source: CsvSource, claims) -> None:  # type: ignore[no-untyped-def]
    mv = market_value(source, claims)
    assert mv.shares_bn == 24.49
    assert mv.change_bn == pytest.approx((118.41999816894531 - 142.6199951171875) * 24.49)
    assert mv.value.index[0] == pd.Timestamp("2025-01-02")
    assert mv.value.index[-1] == pd.Timestamp("2025-01-31")
    ax = plot_market_value(mv)
    lines = labelled_lines(ax)
    assert "NVDA: close × 24.49bn shares" in lines
    assert len(event_markers(ax)) == 1
    ann = [t for t in ax.texts if t.get_gid() == "loss-annotation"]
    assert len(ann) == 1 and "−$592.7bn" in ann[0].get_text()
    assert "USD" in ax.get_ylabel()
    assert "January 2025" in ax.get_title(loc="left")


def test_market_value_needs_a_claim(source: CsvSource, claims) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError):
        market_value(source, claims, symbol="MU")


# ----------------------------------------------------------------- files


def test_save_result_figures(tmp_path: Path, spec, source: CsvSource) -> None:  # type: ignore[no-untyped-def]
    paths = save_result_figures(run_spec(spec, source), tmp_path / "out")
    assert [p.name for p in paths] == ["car_paths.png", "abnormal_returns.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_is_deterministic(source: CsvSource) -> None:
    paths = price_paths(source, ["NVDA", "^GSPC"])
    a = figure_png(plot_price_paths(paths))
    b = figure_png(plot_price_paths(paths))
    assert a == b and a[:4] == b"\x89PNG"
