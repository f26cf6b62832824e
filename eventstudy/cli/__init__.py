"""Command-line interface: ``eventstudy run | cases | check | report | calibrate | record``.

Each sub-command lives in its own module with ``register(subparsers)``, which
adds its parser and sets ``func(args) -> int``. :func:`main` is the testable
entry point. Exit codes mean one thing each, for every command:

- ``0`` success;
- ``1`` a checked claim failed (nothing else exits 1);
- ``2`` bad input or environment: a malformed file, a missing symbol, an
  unreadable or unwritable path, ``--out`` that is a file, a usage error;
- ``3`` an internal error (a bug): one line on stderr naming the file the
  full traceback was written to;
- ``130`` interrupted (Ctrl-C).

A closed output pipe (``eventstudy check | head``) is not an error: the rest of
the output is discarded and the command still ends with its own code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from eventstudy.errors import EventStudyError

SUBCOMMANDS: tuple[str, ...] = ("run", "cases", "check", "report", "calibrate", "record")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The ``eventstudy`` argument parser with every sub-command registered."""
    from eventstudy import __version__

    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Financial event studies on recorded (offline) or live market data.",
    )
    parser.add_argument("--version", action="version", version=f"eventstudy {__version__}",
                        help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"eventstudy.cli.{name}")
        module.register(subparsers)
    return parser


class _QuietPipe:
    """A text stream that turns a closed pipe into silence instead of an error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def _drop(self) -> None:
        self.broken = True
        try:  # keep the interpreter's final flush from complaining too
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _write_traceback(command: str) -> Path | None:
    """Write the current exception's traceback to a file in the temp folder."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"eventstudy-{command}-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"eventstudy {command}: argv={sys.argv!r}\n")
            traceback.print_exc(file=fh)
        return Path(name)
    except OSError:
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code.

    Never raises: every outcome is an exit code (see the module docstring).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    command = str(args.command)
    real_stdout = sys.stdout
    sys.stdout = _QuietPipe(real_stdout)  # type: ignore[assignment]
    try:
        return int(args.func(args))
    except EventStudyError as exc:
        print(f"eventstudy {command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # the environment: a path that cannot be read or written
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"eventstudy {command}: error: {exc.strerror or _one_line(exc)}{where}.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"eventstudy {command}: interrupted; no partial output was left.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        path = _write_traceback(command)
        where = f"full traceback in {path}" if path else "the traceback could not be written"
        print(f"eventstudy {command}: internal error: {type(exc).__name__}: {_one_line(exc)} "
              f"({where}; please report it).", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        sys.stdout = real_stdout


def console_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
