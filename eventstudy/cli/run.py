"""``eventstudy run``: run an event study and write its tables and figures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from eventstudy.cli._common import (
    OUTPUT_MANIFEST,
    add_data_argument,
    console,
    make_source,
    output_folder,
    pct,
)
from eventstudy.escaping import console as text
from eventstudy.escaping import csv_frame
from eventstudy.events import load_event_file, run_spec
from eventstudy.models import MODELS
from eventstudy.resources import case_path
from eventstudy.results import EventStudyResult


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an event study (default: the bundled DeepSeek case on the bundled data)",
        description="Run the event study described by EVENT.yaml (default: the bundled "
        "27 January 2025 DeepSeek selloff case) on recorded data, print the results and "
        "write ar.csv, car.csv, tests.csv, diagnostics.csv, summary.txt and figures to --out.",
    )
    parser.add_argument("event", nargs="?", type=Path, help="event file (YAML); default: bundled case")
    add_data_argument(parser)
    parser.add_argument("--benchmark", help="benchmark symbol (overrides the event file)")
    parser.add_argument("--model", choices=sorted(MODELS), help="normal-return model (overrides the event file)")
    parser.add_argument("--out", type=Path, default=Path("eventstudy-output"),
                        help="output folder (default: ./eventstudy-output)")
    parser.add_argument("--no-figures", action="store_true", help="do not write PNG figures")
    parser.set_defaults(func=run)


def _tests_table(rows: Any) -> Any:
    """A rich table of battery rows: window, test, statistic, p, N, note."""
    from rich.table import Table

    t3 = Table()
    for col in ("Window", "Test", "Statistic", "p", "N", "Note"):
        t3.add_column(col, justify="left" if col in ("Window", "Test", "Note") else "right")
    for hrow in rows.to_dict("records"):
        r = dict(hrow)
        valid = bool(r["valid"])
        stat = "-"
        if valid:
            stat = f"{r['statistic']:+.2%}" if r["test"] == "sq" else f"{r['statistic']:.3f}"
        t3.add_row(text(r["window"]), text(r["test"]), stat,
                   f"{r['pvalue']:.4f}" if valid else "-", str(int(r["n"])),
                   text("" if valid else f"undefined: {r['reason']}"))
    return t3


def print_result(result: EventStudyResult) -> None:
    """Print the per-security table, the CAAR tests and the notes.

    User text (the event name, event ids, window labels, reasons, notes) is
    printed as typed: it is passed to rich as :class:`rich.text.Text`
    (:func:`eventstudy.escaping.console`), never parsed as console markup.
    """
    from rich.table import Table

    con = console()
    car = result.car
    con.print(text(f"{result.name}: {result.model.name} model, estimation window "
                   f"{result.estimation.label} sessions, {result.panel.n_events} events"),
              soft_wrap=True)
    table = Table()
    for col, just in (("Security", "left"), ("Window", "left"), ("AR/CAR", "right"),
                      ("t", "right"), ("p", "right"), ("days", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    records: dict[tuple[str, str], dict[Any, Any]] = {
        (str(r["event_id"]), str(r["window"])): r for r in car.reset_index().to_dict("records")
    }
    for eid in result.event_ids:
        for j, w in enumerate(result.windows):
            r = records[(eid, w.label)]
            label = "AR day 0" if (w.start, w.end) == (0, 0) else f"CAR{w.label}"
            table.add_row(text(eid if j == 0 else ""), text(label), pct(r["car"]),
                          f"{r['tstat']:.2f}", f"{r['pvalue']:.4f}", str(int(r["days"])),
                          end_section=j == len(result.windows) - 1)
    con.print(table)
    caar = result.caar
    con.print("CAAR with the cross-sectional t-test (Brown & Warner 1985)", highlight=False)
    t2 = Table()
    for col in ("Window", "CAAR", "N", "t", "p"):
        t2.add_column(col, justify="left" if col == "Window" else "right")
    for row in caar.reset_index().to_dict("records"):
        r = dict(row)
        t2.add_row(text(r["window"]), pct(r["caar"]), str(int(r["n"])), f"{r['tstat']:.2f}",
                   f"{r['pvalue']:.4f}")
    con.print(t2)
    tests = result.tests
    if len(tests) and "headline" in tests.columns:
        wins = tests["scope"] == "window"
        head = tests[tests["headline"].astype(bool) & wins]
        if len(head):
            con.print("Headline tests: robust to the shared date and to an event-day variance "
                      "increase (tests.csv has them all)", highlight=False)
            con.print(_tests_table(head))
        clustered = bool(len(head)) and bool(head["dependence_robust"].all()) and \
            bool(head["variance_robust"].all())
        if clustered:
            others = tests[wins & tests["test"].isin(["sq", "bw-ts"])]
            if len(others):
                con.print("Also robust to the shared date, but they assume no event-day variance "
                          "increase (sq: exact sample-quantile test; bw-ts: Brown–Warner "
                          "time-series t)", highlight=False)
                con.print(_tests_table(others))
    if result.notes:
        con.print("Notes:")
        for i, n in enumerate(result.notes, 1):
            con.print(text(f"  [{i}] {n}"))


def write_outputs(result: EventStudyResult, out: Path, figures: bool = True) -> list[Path]:
    """Write the result's tables (CSV), summary and figures into the folder ``out``.

    Text cells are neutralised against spreadsheet formula injection; CSVs are
    written without a positional index column.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("ar.csv", result.to_frame()), ("car.csv", result.car),
                        ("caar.csv", result.caar), ("tests.csv", result.tests),
                        ("diagnostics.csv", result.diagnostics), ("params.csv", result.params)):
        path = out / name
        csv_frame(frame).to_csv(path)
        written.append(path)
    summary = out / "summary.txt"
    summary.write_text(str(result) + "\n", encoding="utf-8")
    written.append(summary)
    if figures:
        from eventstudy.plotting import save_result_figures

        written.extend(save_result_figures(result, out))
    return written


def run(args: argparse.Namespace) -> int:
    spec = load_event_file(args.event if args.event is not None else case_path())
    spec = spec.with_overrides(benchmark=args.benchmark, model=args.model)
    source = make_source(args.data)
    with output_folder(args.out, "run", source) as tmp:  # refuses a bad --out before any work
        result = run_spec(spec, source)
        print_result(result)
        written = write_outputs(result, tmp, figures=not args.no_figures)
    console().print(text(f"Wrote {len(written) + 1} files to {args.out}/: "
                         + ", ".join(p.name for p in written) + f", {OUTPUT_MANIFEST}"))
    return 0
