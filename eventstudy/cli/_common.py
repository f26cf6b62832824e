"""Helpers shared by the CLI sub-commands."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from rich.console import Console

from eventstudy.data.source import PriceSource


def console() -> Console:
    """A rich console; plain, 120 columns wide, when stdout is not a terminal."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=120, no_color=True, highlight=False, force_terminal=False)


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="folder of CSVs in the fixture format (default: bundled fixtures)")


def make_source(folder: Path | None) -> PriceSource:
    """The bundled fixtures, or a user folder of fixture-format CSVs."""
    from eventstudy.data.fixtures import CsvSource
    from eventstudy.resources import fixtures_dir

    return CsvSource(folder if folder is not None else fixtures_dir())


def pct(x: float, digits: int = 2) -> str:
    """Format a decimal return as a percentage ('' for NaN)."""
    return "" if x is None or not math.isfinite(x) else f"{100 * x:+.{digits}f}%"
