"""Every figure of issue 10 in one run: ratios, memory, Dask at 100,000 and at 1,000,000 events.

Runs, one after the other, each in its own process (so each peak RSS is its own):

1. ``bench_batch.py`` -- library against the tight bare-numpy path, ratios first;
2. ``bench_batch.py --memory`` -- peak RSS and retained bytes per event (1,000 to 100,000 events);
3. ``bench_dask.py`` -- Dask against local at 100,000 events, then 1,000,000 events through Dask
   with the AR/CAR tables written to Parquet by the workers (``--rbar-max-partners`` is passed on).

Their outputs are printed as they come, then every target line again, together, at the end.
Exit status: 1 if a part failed (a number check or a crash), else 0 (a missed target is
reported, not an error).

Run: ``python benchmarks/bench_all.py [--reps 5] [--rbar-max-partners 100]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(title: str, args: list[str]) -> tuple[int, list[str]]:
    """Run one benchmark script, echo its output, return its exit code and its target lines."""
    print(f"\n===== {title}: python {' '.join(args)}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=HERE.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    targets: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if "INFO" in line or "distributed." in line:
            continue  # the Dask cluster's own log
        print(line, end="", flush=True)
        low = line.lower()
        if "target" in low or "-> met" in low or "-> missed" in low or "ratio" in low or "x (minima" in low:
            targets.append(line.rstrip())
    code = proc.wait()
    print(f"===== {title}: exit {code} after {time.perf_counter() - t0:.0f} s", flush=True)
    return code, targets


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5, help="repetitions of the timed runs")
    ap.add_argument("--rbar-max-partners", type=int, default=None, metavar="K",
                    help="passed to bench_dask.py for the million-event run")
    args = ap.parse_args()
    dask = ["benchmarks/bench_dask.py", "--reps", "3"]
    if args.rbar_max_partners is not None:
        dask += ["--rbar-max-partners", str(args.rbar_max_partners)]
    parts = [("library vs tight", ["benchmarks/bench_batch.py", "--reps", str(args.reps)]),
             ("memory", ["benchmarks/bench_batch.py", "--memory"]),
             ("Dask", dask)]
    summary: list[tuple[str, int, list[str]]] = []
    for title, cmd in parts:
        code, targets = run(title, cmd)
        summary.append((title, code, targets))
    print("\n===== targets, together")
    for title, code, targets in summary:
        print(f"{title} (exit {code}):")
        for line in targets:
            print("  " + line.strip())
    return 1 if any(code != 0 for _, code, _ in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
