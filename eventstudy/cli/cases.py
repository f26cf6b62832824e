"""``eventstudy cases``: list the bundled event-study cases."""

from __future__ import annotations

import argparse
from typing import Any

from eventstudy.cli._common import console
from eventstudy.escaping import console as text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cases",
        help="list the bundled event-study cases (run one with `eventstudy run FILE`)",
        description="List the bundled event files (eventstudy/cases/*.yaml) with their name, "
        "event date, securities and benchmark. Run one with `eventstudy run FILE`.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print each bundled case (name, event, model, benchmark, securities); every file is
    parsed (a malformed one exits 2)."""
    from eventstudy.events import load_event_file
    from eventstudy.resources import case_paths

    con = console()
    for path in case_paths():  # a list, not a table: long security lists stay on one line
        spec = load_event_file(path)
        con.print(text(f"{path.name}  {spec.name}"), soft_wrap=True)
        con.print(text(f"  event date {spec.event_date:%Y-%m-%d}, model {spec.model}, "
                       f"benchmark {spec.benchmark_label}"), soft_wrap=True)
        con.print(text(f"  securities {' '.join(spec.securities)}"), soft_wrap=True)
    con.print(text(f"Bundled cases are in {case_paths()[0].parent.name}/ inside the package; "
                   "run one with `eventstudy run NAME` (the file name without .yaml); with no event file, `eventstudy run` runs the DeepSeek case."))
    return 0
