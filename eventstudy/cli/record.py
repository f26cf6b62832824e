"""`eventstudy record`: download daily prices into a fixture folder."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eventstudy.cli import EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``record`` sub-command."""
    parser = subparsers.add_parser(
        "record",
        help="download daily prices (yfinance) into a fixture folder with manifest.json",
        description=(
            "Download daily prices with yfinance (auto_adjust=False: close is the split-adjusted "
            "printed close, adj_close is split- and dividend-adjusted) and write one CSV per "
            "symbol plus manifest.json (sha256, rows, date range, exact download arguments). "
            "The folder is written atomically: it appears (or replaces an earlier recording "
            "whole) only once complete. Nothing is written outside --out and --cache "
            "(yfinance's own caches go to --cache, or to a temporary folder that is removed)."
        ),
    )
    parser.add_argument("symbols", nargs="+", metavar="SYMBOL", help="ticker, e.g. NVDA or ^GSPC")
    parser.add_argument("--start", required=True, metavar="D", help="first date (YYYY-MM-DD)")
    parser.add_argument("--end", required=True, metavar="D", help="last date, inclusive")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to write; an earlier recording there is replaced whole on success",
    )
    parser.add_argument(
        "--cache",
        metavar="DIR",
        default=None,
        help="download cache folder (also holds yfinance's own caches); not inside --out",
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="record the symbols that downloaded even if some failed (failures are listed)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Record and print what was written.

    Errors (an unusable ``--out``, no network, no data) are typed
    :class:`~eventstudy.errors.EventStudyError` s, reported by
    :func:`eventstudy.cli.main` as one line with exit code 2.
    """
    from eventstudy.data.record import record
    from eventstudy.data.yahoo import YFinanceSource

    source = YFinanceSource(args.cache, allow_partial=args.allow_partial)
    manifest_path = record(args.symbols, args.start, args.end, args.out, source=source)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        print(
            f"wrote {manifest_path.parent / entry['file']}: {entry['symbol']} "
            f"{entry['rows']} rows {entry['start']} .. {entry['end']} sha256 {entry['sha256'][:12]}"
        )
    print(f"wrote {manifest_path}")
    failed = manifest["recorded_with"].get("failed_symbols", [])
    if failed:
        print(f"NOT recorded (no data): {', '.join(failed)}", file=sys.stderr)
        reasons = manifest["recorded_with"].get("failure_reasons", {})
        for symbol in failed:
            for reason in reasons.get(symbol, [])[:1]:
                print(f"  {symbol}: {reason}", file=sys.stderr)
    return EXIT_OK
