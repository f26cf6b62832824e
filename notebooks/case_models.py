"""Run the bundled case under several models and benchmarks; print a Markdown table.

    python notebooks/case_models.py

Its output is the "Which conclusions survive clustering" table of the README.
For each model: CAAR, the naive cross-sectional t-test (which ignores that all
six events share one date), the KP-adjusted BMP t (robust to the shared date and
to an event-day variance increase: the headline test), and two tests robust to
the shared date only, which assume no variance increase: the exact
sample-quantile test (sq) and the Brown-Warner time-series t.
"""

from __future__ import annotations

from eventstudy import CsvSource, load_event_file, run_spec
from eventstudy.resources import case_path, fixtures_dir

RUNS = [
    ("market", "^GSPC"),
    ("market", "^IXIC"),
    ("market", "^SOX"),
    ("capm", "^GSPC"),
    ("ff3", "^GSPC"),
    ("carhart", "^GSPC"),
    ("ff5", "^GSPC"),
]
WINDOWS = ["(0, 0)", "(-1, +1)", "(0, +4)"]


def main() -> None:
    source = CsvSource(fixtures_dir())
    spec = load_event_file(case_path())
    print("| model | benchmark | window | CAAR | cross-sectional t (p) | KP-BMP t (p) | sq p | "
          "BW time-series t (p) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for model, bench in RUNS:
        res = run_spec(spec.with_overrides(model=model, benchmark=bench), source)
        tests = res.tests.set_index(["scope", "window", "test"])
        for w in WINDOWS:
            caar = res.caar.loc[w]
            cells = []
            for t in ("car-t", "kp-bmp", "sq", "bw-ts"):
                r = tests.loc[("window", w, t)]
                star = "**" if r["pvalue"] < 0.05 else ""
                if t == "sq":
                    cells.append(f"{star}{r['pvalue']:.3f}{star}")
                else:
                    cells.append(f"{star}{r['statistic']:.2f} ({r['pvalue']:.3f}){star}")
            b = bench if model in ("market", "capm") else "(factors)"
            print(f"| {model} | {b} | {w} | {100 * caar['caar']:+.2f}% | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
