"""``eventstudy report``: a self-contained HTML (and Markdown) report of one event study."""

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
)
from eventstudy.escaping import console as text
from eventstudy.events import load_event_file
from eventstudy.models import MODELS
from eventstudy.resources import case_path


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a shareable HTML + Markdown report (default: the bundled DeepSeek case)",
        description="Run the event study described by EVENT.yaml (default: the bundled "
        "27 January 2025 DeepSeek selloff case), check the claims files about the same date "
        "and write report.html (self-contained: figures embedded, no external links), "
        "report.md and figures/*.png to --out.",
    )
    parser.add_argument("event", nargs="?", type=Path, help="event file (YAML); default: bundled case")
    add_data_argument(parser)
    parser.add_argument("--claims", type=Path, nargs="+", metavar="CLAIMS.yaml",
                        help="claims files to check (default: bundled files about the event date)")
    parser.add_argument("--benchmark", help="benchmark symbol (overrides the event file)")
    parser.add_argument("--model", choices=sorted(MODELS),
                        help="normal-return model (overrides the event file)")
    parser.add_argument("--out", type=Path, default=Path("eventstudy-report"),
                        help="output folder (default: ./eventstudy-report)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from eventstudy.report import build_report, claims_for_event, write_report

    spec = load_event_file(args.event if args.event is not None else case_path())
    spec = spec.with_overrides(benchmark=args.benchmark, model=args.model)
    source = make_source(args.data)
    with output_folder(args.out, "report", source) as tmp:  # refuses a bad --out before any work
        claim_sets = claims_for_event(spec.event_date, args.claims)
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
