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
    """Print one row per bundled case; every file is parsed (a malformed one exits 2)."""
    from rich.table import Table

    from eventstudy.events import load_event_file
    from eventstudy.resources import case_paths

    table = Table()
    for col in ("File", "Name", "Event date", "Securities", "Benchmark", "Model"):
        table.add_column(col)
    for path in case_paths():
        spec = load_event_file(path)
        table.add_row(text(path.name), text(spec.name), f"{spec.event_date:%Y-%m-%d}",
                      text(" ".join(spec.securities)), text(spec.benchmark), text(spec.model))
    con = console()
    con.print(table)
    con.print(text(f"Bundled cases are in {case_paths()[0].parent.name}/ inside the package; "
                   "run one with `eventstudy run NAME` (the file name without .yaml); with no event file, `eventstudy run` runs the DeepSeek case."))
    return 0
