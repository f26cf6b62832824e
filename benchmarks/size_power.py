"""Monte Carlo size and power of every test in the battery, through the public API.

For each design and number of events N, ``--reps`` synthetic panels are drawn with
:func:`eventstudy.simulate.synthetic_panel` (market model, sigma_m = 1%,
beta ~ U(0.5, 1.5), sigma_eps = 2%, 400+ XNYS sessions, estimation [-250, -11])
and each goes through

    eventstudy.event_study(returns=..., benchmark="MKT", events=...,
                           windows=[(0, 0), (-1, 1)])

The window rows of ``result.tests`` (scope ``"window"``) are kept; a test rejects
when its two-sided p-value is below ``--alpha`` (5%). The rejection rate is over
the replications where the test is ``valid``; its binomial standard error is
``sqrt(p (1 - p) / R)``. ``headline`` is the share of replications in which the
library put the test in the summary's headline.

Designs (``--designs``, default all):

==========================  ================================================
``scattered``               each event on its own date, rho = 0
``clustered-rho0.1``        all events on one date, rho = 0.1
``clustered-rho0.3``        all events on one date, rho = 0.3
``scattered-sigma2``        scattered, event-day sigma x 2
``clustered-rho0.1-sigma2`` one date, rho = 0.1, event-day sigma x 2 (the case's design)
==========================  ================================================

Scattered events are at least 11 sessions apart, so no two (-5, +5) windows share
a session; the panel is then 255 + 11 N + 50 sessions long (400 when clustered).
Each replication's seed is ``SeedSequence([--seed, design index, N, rep])``, so a
run with ``--delta 0.01`` uses the same draws as the run under H0 (common random
numbers) and the result does not depend on ``--workers``.

Prints one Markdown table per (N, window): designs as rows, tests as columns,
cells ``rate (se)`` in percent, bold above 8%, and the tests flagged headline.
Writes every number to ``--csv``.

Run: ``python benchmarks/size_power.py`` (``--help``); ``--quick`` is R = 50.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

import eventstudy
from eventstudy.errors import EventStudyError
from eventstudy.simulate import Design, Tails, synthetic_panel

WINDOWS: list[tuple[int, int]] = [(0, 0), (-1, 1)]
SCATTER_GAP = 11
CLUSTERED_DAYS = 400
#: Column order of the tables: the issue's six first, then the rest of the battery.
TEST_ORDER: tuple[str, ...] = (
    "bw-ts", "kp-patell", "corrado", "kp-bmp", "grank", "corrado-zivney", "sq",
    "car-t", "patell", "bmp", "sign", "gsign", "wilcoxon", "bhar-skew-t", "bhar-boot",
)


@dataclass(frozen=True)
class DesignSpec:
    """One simulation design."""

    key: str
    label: str
    design: Design
    rho: float
    sigma_mult: float


DESIGN_SPECS: tuple[DesignSpec, ...] = (
    DesignSpec("scattered", "scattered dates", "scattered", 0.0, 1.0),
    DesignSpec("clustered-rho0.1", "one date, ρ = 0.1", "clustered", 0.1, 1.0),
    DesignSpec("clustered-rho0.3", "one date, ρ = 0.3", "clustered", 0.3, 1.0),
    DesignSpec("scattered-sigma2", "scattered, event-day σ × 2", "scattered", 0.0, 2.0),
    DesignSpec("clustered-rho0.1-sigma2", "one date, ρ = 0.1, event-day σ × 2 (the case's design)",
               "clustered", 0.1, 2.0),
)
DESIGN_INDEX = {d.key: i for i, d in enumerate(DESIGN_SPECS)}
#: Boolean flag columns of ``result.tests`` carried into the output when present
#: (``robust`` today; the two flags issue 9 proposes once they exist).
FLAG_COLUMNS: tuple[str, ...] = ("headline", "robust", "dependence_robust", "variance_robust")


def n_days_for(spec: DesignSpec, n: int) -> int:
    """Panel length: room for [-250, +5] around every event (and the gaps when scattered)."""
    if spec.design == "clustered":
        return CLUSTERED_DAYS
    return max(CLUSTERED_DAYS, 255 + SCATTER_GAP * n + 50)


def one_replication(task: tuple[str, int, int, int, float, str, float]) -> dict[str, Any]:
    """Draw one panel, run the battery, return the window rows and the time taken."""
    key, n, rep, seed, delta, tails, alpha = task
    spec = DESIGN_SPECS[DESIGN_INDEX[key]]
    ss = np.random.SeedSequence([seed, DESIGN_INDEX[key], n, rep])
    t0, c0 = time.perf_counter(), time.process_time()
    panel = synthetic_panel(n, design=spec.design, rho=spec.rho, event_sigma_mult=spec.sigma_mult,
                            delta=delta, tails=cast(Tails, tails), n_days=n_days_for(spec, n), seed=ss,
                            min_gap=SCATTER_GAP if spec.design == "scattered" else 1)
    try:
        res = eventstudy.event_study(returns=panel.returns, benchmark=panel.benchmark,
                                     events=panel.events, windows=WINDOWS)
    except EventStudyError as exc:  # counted and reported, never dropped silently
        return {"key": key, "n": n, "rep": rep, "error": f"{type(exc).__name__}: {exc}",
                "rows": None, "seconds": time.perf_counter() - t0,
                "cpu": time.process_time() - c0}
    tests = res.tests
    flags = [c for c in FLAG_COLUMNS if c in tests.columns]
    rows = tests.loc[tests["scope"] == "window", ["window", "test", "pvalue", "valid", *flags]]
    # A test reported more than once per window (variants) is kept apart: test, test#2, ...
    nth = rows.groupby(["window", "test"], sort=False).cumcount()
    rows = rows.assign(test=[t if k == 0 else f"{t}#{k + 1}" for t, k in zip(rows["test"], nth,
                                                                              strict=True)])
    rows = rows.assign(reject=(rows["pvalue"] < alpha) & rows["valid"])
    return {"key": key, "n": n, "rep": rep, "error": None, "rows": rows.to_dict("list"),
            "seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def summarise(results: Iterable[dict[str, Any]], delta: float, tails: str) -> pd.DataFrame:
    """Rejection rate, its binomial SE and the headline share per design, N, window and test."""
    frames: list[pd.DataFrame] = []
    failed: dict[tuple[str, int], int] = {}
    for r in results:
        if r["rows"] is None:
            failed[(r["key"], r["n"])] = failed.get((r["key"], r["n"]), 0) + 1
            continue
        f = pd.DataFrame(r["rows"])
        f["key"], f["n"], f["rep"] = r["key"], r["n"], r["rep"]
        frames.append(f)
    if not frames:
        raise SystemExit("every replication failed: " + repr(failed))
    allrows = pd.concat(frames, ignore_index=True)
    g = allrows.groupby(["key", "n", "window", "test"], sort=False)
    extra = {c: (c, "max") for c in FLAG_COLUMNS[1:] if c in allrows.columns}
    out = g.agg(reps=("rep", "nunique"), valid=("valid", "sum"), rejections=("reject", "sum"),
                headline_share=("headline", "mean"), **extra).reset_index()
    out["rate"] = out["rejections"] / out["valid"].where(out["valid"] > 0)
    out["se"] = np.sqrt(out["rate"] * (1 - out["rate"]) / out["valid"].where(out["valid"] > 0))
    out["failed_reps"] = [failed.get((k, n), 0) for k, n in zip(out["key"], out["n"], strict=True)]
    out["label"] = out["key"].map({d.key: d.label for d in DESIGN_SPECS})
    out["delta"], out["tails"] = delta, tails
    cols = ["key", "label", "n", "delta", "tails", "window", "test", "reps", "valid", "rejections",
            "rate", "se", "headline_share", *extra, "failed_reps"]
    return out[cols]


def _cell(rate: float, se: float, bold_above: float | None) -> str:
    if not math.isfinite(rate):
        return "–"
    txt = f"{100 * rate:.1f} ({100 * se:.1f})"
    return f"**{txt}**" if bold_above is not None and rate > bold_above else txt


def markdown_tables(summary: pd.DataFrame, delta: float) -> str:
    """One Markdown table per (N, window): designs as rows, tests as columns."""
    present = list(dict.fromkeys(summary["test"]))
    tests = [t for t in TEST_ORDER if t in present] + [t for t in present if t not in TEST_ORDER]
    bold = 0.08 if delta == 0 else None
    what = "size (H0)" if delta == 0 else f"power (δ = {delta:+g} on day 0)"
    parts = []
    for (n, window), block in summary.groupby(["n", "window"], sort=False):
        reps = int(block["reps"].max())
        parts.append(f"\n### N = {n}, window {window}: {what}, % rejected at 5% two-sided "
                     f"(binomial SE), R = {reps}\n")
        parts.append("| design | " + " | ".join(tests) + " | headline |")
        parts.append("|---" * (len(tests) + 2) + "|")
        for key in dict.fromkeys(block["key"]):
            b = block[block["key"] == key].set_index("test")
            cells = [_cell(float(b.at[t, "rate"]), float(b.at[t, "se"]), bold) if t in b.index
                     else "–" for t in tests]
            head = [f"{t}" if s == 1 else f"{t} ({100 * s:.0f}%)"
                    for t, s in b["headline_share"].items() if s > 0]
            failed = int(b["failed_reps"].max())
            label = str(b["label"].iloc[0]) + (f" [{failed} failed]" if failed else "")
            parts.append(f"| {label} | " + " | ".join(cells) + " | " + ", ".join(head) + " |")
    return "\n".join(parts)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=300, help="replications per design and N (300)")
    p.add_argument("--quick", action="store_true", help="smoke test: R = 50")
    p.add_argument("--seed", type=int, default=20261130, help="base seed (20261130)")
    p.add_argument("--designs", nargs="+", default=[d.key for d in DESIGN_SPECS],
                   choices=[d.key for d in DESIGN_SPECS], metavar="DESIGN",
                   help="designs to run (default all): " + ", ".join(DESIGN_INDEX))
    p.add_argument("--n", nargs="+", type=int, default=[6, 50], help="numbers of events (6 50)")
    p.add_argument("--delta", type=float, default=0.0,
                   help="abnormal return added on day 0 (0: size; e.g. 0.01: power)")
    p.add_argument("--tails", choices=["normal", "t4"], default="normal")
    p.add_argument("--alpha", type=float, default=0.05, help="two-sided level (0.05)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes (default min(2, cores); 1 = plain loop)")
    p.add_argument("--csv", default="size_power.csv", help="output CSV (size_power.csv)")
    args = p.parse_args(argv)
    if args.quick:
        args.reps = 50
    if args.reps < 1 or args.workers < 1 or any(n < 1 for n in args.n):
        p.error("--reps, --workers and --n must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    tasks = [(key, n, rep, args.seed, args.delta, args.tails, args.alpha)
             for n in args.n for key in args.designs for rep in range(args.reps)]
    results: list[dict[str, Any]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    t0 = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task(f"{len(tasks)} replications, {args.workers} worker(s)",
                                total=len(tasks))
        if args.workers == 1:
            for t in tasks:
                results.append(one_replication(t))
                progress.advance(bar)
        else:
            with ProcessPoolExecutor(max_workers=args.workers) as pool:
                for r in pool.map(one_replication, tasks, chunksize=8):
                    results.append(r)
                    progress.advance(bar)
    wall = time.perf_counter() - t0

    summary = summarise(results, args.delta, args.tails)
    per = pd.DataFrame([{"key": r["key"], "n": r["n"], "seconds": r["seconds"], "cpu": r["cpu"]}
                        for r in results])
    timing = per.groupby(["n", "key"], sort=False)["cpu"].mean()
    wall_rep = per.groupby(["n", "key"], sort=False)["seconds"].mean()
    pairs = list(zip(summary["n"], summary["key"], strict=True))
    summary["cpu_seconds_per_rep"] = [timing.get(p, np.nan) for p in pairs]
    summary["wall_seconds_per_rep"] = [wall_rep.get(p, np.nan) for p in pairs]
    summary.to_csv(args.csv, index=False)

    print(f"## Size and power of the battery: eventstudy {eventstudy.__version__}, "
          f"tails {args.tails}, seed {args.seed}")
    print(markdown_tables(summary, args.delta))
    print("\n### CPU time per replication (seconds, in the worker: draw + event_study)\n")
    print("| N | " + " | ".join(timing.index.get_level_values("key").unique()) + " |")
    print("|---" * (1 + timing.index.get_level_values("key").nunique()) + "|")
    for n in dict.fromkeys(timing.index.get_level_values("n")):
        print(f"| {n} | " + " | ".join(f"{v:.3f}" for v in timing.loc[n].to_numpy()) + " |")
    errors = [r["error"] for r in results if r["error"]]
    print(f"\n{len(tasks)} replications in {wall:.1f} s wall ({wall / len(tasks):.3f} s each, "
          f"{args.workers} worker(s); {per['cpu'].sum():.1f} s CPU in the workers); "
          f"{len(errors)} failed; CSV: {args.csv}")
    for e in dict.fromkeys(errors):
        print(f"- failed: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
