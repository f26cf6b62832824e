"""The README's validation table: size (and power) of every test, by design.

Runs :func:`eventstudy.calibration.calibrate_synthetic` on the literature's
designs (market-model panels, estimation [-250, -11], Gaussian errors) for
N = 6 and N = 50 events, and :func:`eventstudy.calibration.calibrate` on the
bundled case's own data (placebo dates, the six firms on one date), with R
replications each, and writes a Markdown table (rejection rate at 5% and its
standard error) plus the raw CSV::

    python benchmarks/validation.py                 # R = 1000 (about 15-30 min on 2 cores)
    python benchmarks/validation.py --reps 100      # a quick look

Designs: scattered (each event on its own date); clustered, rho = 0.1 and 0.3
(all events on one date, equicorrelated idiosyncratic returns); scattered
with the event-day sd doubled; clustered, rho = 0.1 with the event-day sd
doubled (the bundled case's design); and the bundled data with placebo dates,
as they are and with the event-day sd doubled.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent

DESIGNS: dict[str, dict[str, Any]] = {
    "scattered": {"design": "scattered", "rho": 0.0, "sigma_multiplier": 1.0},
    "clustered, rho 0.1": {"design": "clustered", "rho": 0.1, "sigma_multiplier": 1.0},
    "clustered, rho 0.3": {"design": "clustered", "rho": 0.3, "sigma_multiplier": 1.0},
    "scattered, sd x 2": {"design": "scattered", "rho": 0.0, "sigma_multiplier": 2.0},
    "clustered, rho 0.1, sd x 2 (the case)": {"design": "clustered", "rho": 0.1,
                                              "sigma_multiplier": 2.0},
}
WINDOWS = [(0, 0), (-1, 1)]


def _synthetic(job: tuple[str, int, int, int, float]) -> pd.DataFrame:
    import warnings

    from eventstudy.calibration import calibrate_synthetic

    warnings.simplefilter("ignore")
    name, n, reps, seed, delta = job
    d = DESIGNS[name]
    out = calibrate_synthetic(n, design=d["design"], rho=d["rho"],
                              sigma_multiplier=d["sigma_multiplier"], reps=reps,
                              deltas=[0.0] if delta == 0 else [0.0, delta], windows=WINDOWS,
                              seed=seed, progress=False)
    return out.assign(design_name=name)


def _placebo(job: tuple[str, int, int, int, float]) -> pd.DataFrame:
    import warnings

    import eventstudy as es
    from eventstudy.calibration import calibrate
    from eventstudy.data.wide import wide_prices
    from eventstudy.resources import fixtures_dir

    warnings.simplefilter("ignore")
    name, n, reps, seed, delta = job
    syms = ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG", "^GSPC"]
    prices = wide_prices(es.CsvSource(fixtures_dir()).history(syms))[0]
    mult = 2.0 if "sd x 2" in name else 1.0
    out = calibrate(prices, benchmark="^GSPC", event_date="2025-01-27", windows=WINDOWS,
                    reps=reps, sigma_multiplier=mult, deltas=[0.0] if delta == 0 else [0.0, delta],
                    seed=seed, progress=False)
    return out.assign(design_name=name, n_events=6)


def markdown(table: pd.DataFrame, window: str, delta: float = 0.0) -> str:
    """Designs as rows, tests as columns: 'rate (se)' in percent."""
    t = table[(table["window"] == window) & (table["delta"] == delta)]
    tests = list(dict.fromkeys(t["test"]))
    head = "| design | N | " + " | ".join(tests) + " |"
    sep = "|---|---:|" + "---:|" * len(tests)
    lines = [head, sep]
    for (name, n), rows in t.groupby(["design_name", "n_events"], sort=False):
        r = rows.set_index("test")
        cells = []
        for test in tests:
            rate, se = r.loc[test, "rejection_rate"], r.loc[test, "std_err"]
            bold = rate > 0.08 or rate < 0.02 if delta == 0 else False
            cell = f"{100 * rate:.1f} ({100 * se:.1f})"
            cells.append(f"**{cell}**" if bold else cell)
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--n", type=int, nargs="+", default=[6, 50])
    parser.add_argument("--delta", type=float, default=0.0, help="also measure power at this delta")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "validation")
    args = parser.parse_args()
    jobs: list[tuple[Any, tuple[str, int, int, int, float]]] = []
    for i, name in enumerate(DESIGNS):
        for n in args.n:
            jobs.append((_synthetic, (name, n, args.reps, args.seed + 100 * i + n, args.delta)))
    for j, name in enumerate(("bundled data, placebo dates", "bundled data, placebo dates, sd x 2")):
        jobs.append((_placebo, (name, 6, args.reps, args.seed + 7 + j, args.delta)))
    # the slowest jobs (N = 50) first
    jobs.sort(key=lambda job: -job[1][1])
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(fn, job) for fn, job in jobs]
        frames = [f.result() for f in futures]
    elapsed = time.perf_counter() - start
    table = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate([*DESIGNS, "bundled data, placebo dates",
                                               "bundled data, placebo dates, sd x 2"])}
    table = table.sort_values(["design_name", "n_events"],
                              key=lambda s: s.map(order) if s.name == "design_name" else s,
                              kind="stable")
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "validation.csv", index=False)
    parts = [f"Rejection rates at 5% (two-sided), in percent, with standard errors; R = {args.reps} "
             f"replications per row; {elapsed / 60:.1f} min on this machine "
             f"(`python benchmarks/validation.py --reps {args.reps}`). Bold: outside [2%, 8%]."]
    for window in ("(0, 0)", "(-1, +1)"):
        parts += ["", f"Window {window}:", "", markdown(table, window)]
    if args.delta:
        parts += ["", f"Power at delta = {args.delta:+.2%}, window (0, 0):", "",
                  markdown(table, "(0, 0)", args.delta)]
    text = "\n".join(parts) + "\n"
    (args.out / "validation.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
