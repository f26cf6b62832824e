"""Command-line interface: ``eventstudy run | check | record | report``.

Each sub-command lives in its own module with ``register(subparsers)``, which
adds its parser and sets ``func(args) -> int``. :func:`main` is the testable
entry point; exit codes: 0 success, 1 a check failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from eventstudy.errors import EventStudyError

SUBCOMMANDS: tuple[str, ...] = ("run", "check", "record", "report")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """The ``eventstudy`` argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Financial event studies on recorded (offline) or live market data.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"eventstudy.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except EventStudyError as exc:
        print(f"eventstudy {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def console_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
