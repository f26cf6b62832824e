"""``eventstudy report``: a self-contained HTML (and Markdown) report of one event study."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from eventstudy.cli._common import OUTPUT_MANIFEST, console, make_source, output_folder
from eventstudy.cli.run import add_study_arguments, spec_from_args
from eventstudy.escaping import console as text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a shareable HTML + Markdown report (default: the bundled DeepSeek case)",
        description="Run the event study described by EVENT.yaml (default: the bundled "
        "27 January 2025 DeepSeek selloff case), check the claims files about the same date "
        "and write report.html (self-contained: figures embedded, no external links), "
        "report.md and figures/*.png to --out.",
    )
    add_study_arguments(parser)
    parser.add_argument("--claims", type=Path, nargs="+", metavar="CLAIMS.yaml",
                        help="claims files to check (default: bundled files about the event date)")
    parser.add_argument("--out", type=Path, default=Path("eventstudy-report"),
                        help="output folder (default: ./eventstudy-report)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from eventstudy.report import build_report, claims_for_event, study_calendars, write_report

    spec = spec_from_args(args)
    source = make_source(args.data)
    with output_folder(args.out, "report", source) as tmp:  # refuses a bad --out before any work
        claim_sets = claims_for_event(spec.event_date, args.claims,
                                      calendars=study_calendars(spec))
        report = build_report(spec, source, claim_sets)
        written = write_report(report, tmp)
    con = console()
    con.print(text(f"Report of {spec.name}: {len(report.figures)} figures, "
                   f"{sum(len(c) for c in report.claims)} claims."))
    for w in report.warnings:
        con.print(text(f"  note: {w}"))
    con.print(text(f"Wrote {args.out / written['report.html'].name} (self-contained), "
                   f"{args.out / written['report.md'].name} (+ {len(written) - 2} PNG files in "
                   f"{args.out / 'figures'}) and {args.out / OUTPUT_MANIFEST}."))
    return 0
