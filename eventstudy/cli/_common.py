"""Helpers shared by the CLI sub-commands."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from eventstudy.data.source import PriceSource
from eventstudy.errors import InvalidParameterError


def console() -> Console:
    """A rich console; plain, 120 columns wide, when stdout is not a terminal."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=120, no_color=True, highlight=False, force_terminal=False)


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, metavar="DIR", action="append",
                        help="folder of CSVs in the fixture format (default: bundled fixtures); "
                        "give it more than once to combine folders")


def make_source(folders: Sequence[Path] | None) -> PriceSource:
    """The bundled fixtures, or the user's folders of fixture-format CSVs (combined).

    Raises
    ------
    InvalidParameterError
        A ``--data`` path that is not an existing folder.
    """
    from eventstudy.data.fixtures import CombinedSource, CsvSource
    from eventstudy.resources import fixtures_dir

    if not folders:
        return CsvSource(fixtures_dir())
    for folder in folders:
        if not folder.is_dir():
            raise InvalidParameterError("--data", "an existing folder of CSV files", str(folder))
    sources = [CsvSource(folder) for folder in folders]
    return sources[0] if len(sources) == 1 else CombinedSource(sources)


def pct(x: float, digits: int = 2) -> str:
    """Format a decimal return as a percentage ('' for NaN)."""
    return "" if x is None or not math.isfinite(x) else f"{100 * x:+.{digits}f}%"
