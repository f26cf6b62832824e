"""Render the README figures to notebooks/figures/*.png from the bundled fixtures.

    python notebooks/make_figures.py [--out DIR]

Offline and deterministic (no timestamp in the PNGs). The figures are the ones
the notebook deepseek-selloff.ipynb shows, at README width (1000 px wide, shown
at ~800 px).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eventstudy import CsvSource, datasets, event_study, load_event_file
from eventstudy.claims import check_claims, load_claims
from eventstudy.plotting import (
    FIRMS,
    INDICES,
    claimed_moves,
    claims_figure,
    data_note,
    market_value,
    plot_car_paths,
    plot_market_value,
    plot_price_paths,
    plot_sensitivity,
    price_paths,
    save_png,
    sensitivity_grid,
)
from eventstudy.resources import fixtures_dir, seeds_dir

HERE = Path(__file__).resolve().parent
DPI = 125
#: File names written by :func:`main`, in story order.
FIGURES = ("price_paths.png", "claims.png", "sensitivity.png", "car_paths.png", "market_value.png")


def main(out: Path = HERE / "figures") -> list[Path]:
    case = datasets.deepseek()
    source = CsvSource(fixtures_dir())
    spec = load_event_file(case.case_file)
    claims = load_claims(seeds_dir() / "deepseek-2025-01-27.yaml")
    note = data_note(source, [*FIRMS, *INDICES])

    paths = price_paths(source, [*FIRMS, *INDICES], "2025-01-13", "2025-02-14", "2025-01-24")
    moves = claimed_moves(check_claims(claims, source))
    grid = sensitivity_grid(spec, source, INDICES, ("market", "market_adjusted", "ff3"))
    result = event_study(case.prices, benchmark=case.benchmark, event_date=case.event_date,
                         securities=case.securities, name=case.title,
                         windows=[(0, 0), (-1, 1), (0, 1), (0, 4), (-5, 5), (-5, 10)])
    figures = [
        plot_price_paths(paths, "2025-01-27", "2025-01-24", note=note),
        claims_figure(moves, note=note),
        plot_sensitivity(grid, note=note),
        plot_car_paths(result, days=(-5, 10), note=note),
        plot_market_value(market_value(source, claims, "NVDA", "2025-01-02", "2025-01-31"),
                          note=note),
    ]
    assert len(figures) == len(FIGURES)
    return [save_png(fig, out / name, dpi=DPI) for fig, name in zip(figures, FIGURES, strict=True)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "figures")
    for path in main(parser.parse_args().out):
        print(path)
