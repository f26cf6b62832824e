"""Describing the price basis (split/dividend adjustment) a source states for a column."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eventstudy.data.source import PriceSource


def _manifest_entry(manifest: Any, symbol: str) -> Mapping[str, Any] | None:
    if not isinstance(manifest, Mapping):
        return None
    for key in ("symbols", "files", "series"):
        inner = manifest.get(key)
        if isinstance(inner, Mapping) and isinstance(inner.get(symbol), Mapping):
            return inner[symbol]
        if isinstance(inner, list):
            for item in inner:
                if isinstance(item, Mapping) and item.get("symbol") == symbol:
                    return item
    entry = manifest.get(symbol)
    return entry if isinstance(entry, Mapping) else None


def _source_manifest(source: PriceSource) -> Any:
    """The source's manifest: a ``manifest`` attribute, or ``manifest.json`` in its folder."""
    manifest = getattr(source, "manifest", None)
    if callable(manifest):
        try:
            manifest = manifest()
        except Exception:
            manifest = None
    if manifest is not None:
        return manifest
    for attr in ("folder", "path", "directory", "root"):
        folder = getattr(source, attr, None)
        if isinstance(folder, str | Path) and (Path(folder) / "manifest.json").is_file():
            try:
                return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
    return None


def _describe_entry(entry: Mapping[str, Any], column: str) -> str:
    """Basis text of ``column`` from a manifest entry or a ``basis()`` mapping."""
    described = ""
    # open/high/low share the basis stated for close
    keys = ("close",) if column in ("open", "high", "low") else (column,)
    for key in (*keys, "basis", "price_basis", "adjustment"):
        if isinstance(entry.get(key), str) and entry[key].strip():
            described = entry[key].strip()
            break
    flag = entry.get("dividend_adjusted_close")
    if column in ("open", "high", "low", "close") and isinstance(flag, bool):
        mark = f"dividend-adjusted: {'yes' if flag else 'no'}"
        described = f"{described} ({mark})" if described else mark
    return described


def _basis(source: PriceSource, symbol: str, column: str) -> str:
    """Describe the price basis of ``column`` for ``symbol`` if the source says it.

    Uses the source's ``basis(symbol)`` (a mapping or a string) when it has one,
    else its manifest (``manifest`` attribute or ``manifest.json`` in its folder).
    """
    described = ""
    basis_fn = getattr(source, "basis", None)
    if callable(basis_fn):
        try:
            got = basis_fn(symbol)
        except Exception:  # the basis is informative only; never fail a check on it
            got = None
        if isinstance(got, Mapping):
            described = _describe_entry(got, column)
        elif isinstance(got, str):
            described = got.strip()
    if not described:
        entry = _manifest_entry(_source_manifest(source), symbol)
        if entry is not None:
            described = _describe_entry(entry, column)
    if not described:
        if column == "adj_close":
            described = "split- and dividend-adjusted per the PriceSource schema"
        else:
            described = (
                "split-adjusted per the PriceSource schema; "
                "dividend adjustment not stated by the source"
            )
    return f"{column}: {described}"
