"""Helpers shared by the CLI sub-commands."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
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
    from eventstudy.data.fixtures import CombinedSource, CsvSource, bundled_source

    if not folders:
        return bundled_source()
    for folder in folders:
        if not folder.is_dir():
            raise InvalidParameterError("--data", "an existing folder of CSV files", str(folder))
    sources = [CsvSource(folder) for folder in folders]
    return sources[0] if len(sources) == 1 else CombinedSource(sources)


def pct(x: float, digits: int = 2) -> str:
    """Format a decimal return as a percentage ('' for NaN)."""
    return "" if x is None or not math.isfinite(x) else f"{100 * x:+.{digits}f}%"


def pvalue(p: float) -> str:
    """A p-value to four decimals, ``<0.0001`` below that, ``-`` when undefined."""
    if p is None or not math.isfinite(p):
        return "-"
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` neutralised for spreadsheets, with every column named.

    A named index (``event_id``, ``window`` ...) is written as the first
    columns; an unnamed default ``RangeIndex`` is not written at all. Any
    other unnamed index is a bug in the caller and raises ``ValueError``
    rather than writing a column without a header.
    """
    from eventstudy.escaping import csv_frame

    named = all(n is not None for n in frame.index.names)
    if not named and not isinstance(frame.index, pd.RangeIndex):
        raise ValueError(f"{path.name}: the table has an unnamed index {list(frame.index.names)}")
    csv_frame(frame).to_csv(path, index=named)
    return path


def resolve_event_file(arg: str) -> Path:
    """An event file path, or the name of a bundled case (``deepseek-2025-01-27``).

    A path that exists wins; otherwise a bundled case of that name (with or
    without ``.yaml``); otherwise the path as given, so that the loader
    reports it as missing.
    """
    from eventstudy.resources import case_paths

    path = Path(arg)
    if path.exists():
        return path
    for case in case_paths():
        if arg in (case.name, case.stem):
            return case
    return path


#: Name of the file that lists what an output folder holds (written last).
OUTPUT_MANIFEST = "manifest.json"


def _data_manifests(source: PriceSource) -> list[dict[str, str]]:
    """The data folders a source read, with the sha256 of each folder's manifest."""
    folders = [getattr(s, "folder", None) for s in getattr(source, "sources", [source])]
    out = []
    for folder in folders:
        if folder is None:
            continue
        manifest = Path(folder) / "manifest.json"
        digest = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else ""
        out.append({"folder": Path(folder).name, "manifest_sha256": digest})
    return out


def write_output_manifest(folder: Path, command: str, source: PriceSource | None) -> Path:
    """List every file in ``folder`` with its sha256, the command, version and data used.

    Written last, so a folder with this file is a completed run. Paths are
    relative to ``folder``; the data folders are named, not given as absolute
    paths.
    """
    from eventstudy import __version__

    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files.append({"file": path.relative_to(folder).as_posix(),
                      "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    manifest = {
        "schema_version": 1,
        "kind": f"eventstudy {command} output",
        "description": f"Files written by `eventstudy {command}`; this manifest is written last.",
        "command": ["eventstudy", *sys.argv[1:]] if command in sys.argv[1:2] else ["eventstudy", command],
        "eventstudy_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": _data_manifests(source) if source is not None else [],
        "files": files,
    }
    path = folder / OUTPUT_MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


@contextmanager
def output_folder(out: Path, command: str, source: PriceSource | None) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` whole, with its manifest, on success.

    ``out`` holds exactly the files of one completed run: an existing output
    folder (one with :data:`OUTPUT_MANIFEST`) is replaced whole; an error or
    Ctrl-C leaves the previous folder untouched; a non-empty folder that is
    not an earlier output, or a file, is refused (exit code 2).
    """
    from eventstudy.atomic import atomic_folder

    with atomic_folder(out, parameter="--out", marker=OUTPUT_MANIFEST) as tmp:
        yield tmp
        write_output_manifest(tmp, command, source)
