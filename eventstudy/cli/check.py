"""``eventstudy check``: verify the market claims of articles against recorded prices.

Claim ids, symbols, details and file names are printed as typed
(:func:`eventstudy.escaping.console`), never parsed as console markup.

Exit codes: 0 every checkable claim holds, 1 at least one fails, 2 bad input
(malformed claims file, unknown symbol, missing data row: raised as
:class:`~eventstudy.errors.EventStudyError` and mapped by :func:`eventstudy.cli.main`).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any, TextIO

from eventstudy.cli._common import add_data_argument, make_source
from eventstudy.errors import InvalidParameterError

EXIT_OK = 0
EXIT_FAILED = 1

#: Console width used when stdout is not a terminal (logs, pipes, tests).
PLAIN_WIDTH = 160


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the market claims of articles against recorded prices",
        description=(
            "Recompute every checkable claim of the claims files (default: the bundled "
            "ones) from recorded prices (default: the bundled fixtures) and print a table. "
            "Exit 0 when every checkable claim holds, 1 when any fails, 2 on bad input."
        ),
    )
    parser.add_argument(
        "claims",
        nargs="*",
        metavar="CLAIMS.yaml",
        help="claims files to check (default: every bundled claims file)",
    )
    add_data_argument(parser)
    parser.set_defaults(func=run)


def _console(stream: TextIO) -> Any:
    from rich.console import Console

    if bool(getattr(stream, "isatty", lambda: False)()):
        return Console(file=stream, highlight=False)
    return Console(
        file=stream,
        width=PLAIN_WIDTH,
        no_color=True,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    )


def _source(data: list[Path] | None) -> Any:
    try:
        return make_source(data)
    except FileNotFoundError as exc:
        raise InvalidParameterError("--data", "a folder of recorded prices", None) from exc


def _claims_paths(given: list[str]) -> list[Path]:
    from eventstudy.resources import default_claims_paths

    if given:
        return [Path(p) for p in given]
    try:
        paths = default_claims_paths()
    except FileNotFoundError as exc:
        raise InvalidParameterError("CLAIMS.yaml", "at least one claims file", None) from exc
    if not paths:
        raise InvalidParameterError("CLAIMS.yaml", "at least one bundled claims file", [])
    return paths


def run(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    from eventstudy.claims import ClaimsReport, check_claims, load_claims
    from eventstudy.escaping import console as text

    paths = _claims_paths(list(args.claims))
    claim_sets = [load_claims(p) for p in paths]  # validate every file before any output
    source = _source(args.data)
    reports: list[ClaimsReport] = [check_claims(cs, source) for cs in claim_sets]

    stdout = sys.stdout
    plain = not bool(getattr(stdout, "isatty", lambda: False)())
    buffer = io.StringIO()
    console = _console(buffer if plain else stdout)
    for cs, report in zip(claim_sets, reports, strict=True):
        table = Table(
            title=text(f"{cs.event_name} ({cs.event_date.date()}): {cs.path.name}",
                       style="table.title"),
            caption=text(f"prices: {report.source}", style="table.caption"),
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption_justify="left",
        )
        table.add_column("id", no_wrap=True)
        table.add_column("symbol", no_wrap=True)
        for name in ("reported", "recorded", "difference", "tolerance"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        styles = {"holds": "green", "fails": "bold red", "uncheckable": "yellow"}
        for row in report.table_rows():
            *cells, verdict = row
            table.add_row(*(text(c) for c in cells), text(verdict, style=styles[verdict]))
        console.print(table)
        for r in report.results:
            if r.verdict == "fails":
                console.print(text(f"FAILS {r.id}: {r.detail}"), soft_wrap=True)
        for r in report.results:
            if r.verdict == "uncheckable":
                console.print(text(f"uncheckable {r.id}: {r.detail}"), soft_wrap=True)
        console.print()

    n = sum(len(r) for r in reports)
    hold = sum(r.count("holds") for r in reports)
    fail = sum(r.count("fails") for r in reports)
    unch = sum(r.count("uncheckable") for r in reports)
    console.print(f"{n} claims: {hold} hold, {fail} fail, {unch} uncheckable", soft_wrap=True)
    if plain:  # rich pads lines to the console width; drop the padding in plain output
        stdout.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")
    return EXIT_OK if fail == 0 else EXIT_FAILED
