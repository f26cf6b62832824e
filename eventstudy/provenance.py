"""Where a report's data come from: files by name and sha256, never absolute paths.

A report is shared: a path such as ``/home/me/...`` or ``.../site-packages/...``
says nothing to its reader and leaks the author's machine. Data folders are
named by their last component, files relative to their folder, each with its
sha256 from the folder's ``manifest.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.data.source import PriceSource

__all__ = ["provenance_table", "without_paths"]


def _folders(source: PriceSource) -> list[Path]:
    """The data folders a source reads (one per ``--data``), if it reads folders."""
    parts = getattr(source, "sources", None) or [source]
    return [Path(f) for f in (getattr(s, "folder", None) for s in parts) if f is not None]


def _describe(source: PriceSource) -> str:
    """The source's own description with folders by name, and each manifest's sha256."""
    text = source.describe() if hasattr(source, "describe") else type(source).__name__
    digests = [f"{f.name}/manifest.json sha256 {hashlib.sha256((f / 'manifest.json').read_bytes()).hexdigest()}"
               for f in _folders(source) if (f / "manifest.json").is_file()]
    return without_paths(text, source) + "".join(f"; {d}" for d in digests)


def without_paths(text: str, source: PriceSource) -> str:
    """``text`` with the data folders' and the package's absolute paths cut to their names."""
    from eventstudy.resources import package_dir

    for folder in sorted({*_folders(source), package_dir()}, key=lambda f: -len(str(f))):
        text = text.replace(str(folder), folder.name)
    return text


def provenance_table(source: PriceSource, symbols: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """Per-file provenance from the source's ``manifest.json`` and a one-line description.

    Files are named relative to their data folder, with their full sha256;
    folders are named, never given as absolute paths.
    """
    manifest: dict[str, Any] | None = getattr(source, "manifest", None)
    describe = _describe(source)
    cols = ["symbol", "file", "rows", "start", "end", "origin", "commit", "sha256", "close",
            "adj_close"]
    if manifest is None:
        return pd.DataFrame(columns=cols), (
            f"{describe}. No manifest.json: the data's origin is not documented and the "
            "files are not hash-verified.")
    wanted = set(symbols)
    rows = []
    for e in manifest.get("files", []):
        if e.get("symbol") not in wanted:
            continue
        src = e.get("source") or {}
        rows.append({
            "symbol": e.get("symbol", ""), "file": e.get("file", ""), "rows": e.get("rows", ""),
            "start": e.get("start", ""), "end": e.get("end", ""),
            "origin": f"{src.get('repository', '')}:{src.get('path', '')}" if src else "",
            "commit": str(src.get("commit", ""))[:12], "sha256": str(e.get("sha256", "")),
            "close": e.get("close", ""), "adj_close": e.get("adj_close", ""),
        })
    text = without_paths(f"{describe}. {manifest.get('description', '')}".strip(), source)
    rec = manifest.get("recorded_with")
    if isinstance(rec, dict) and rec.get("tool"):
        text += f" Recorded with {rec['tool']}" + (f" ({rec['method']})" if rec.get("method") else "") + "."
    return pd.DataFrame(rows, columns=cols), text
