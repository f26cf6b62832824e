"""Builders for small claims files, shared by the claims and ``check`` CLI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SRC = {"file": "a.txt", "publisher": "Test Press", "date": "2025-02-01"}


def claim(**overrides: Any) -> dict[str, Any]:
    """A valid close-to-close claim on symbol X (-25%, +-0.5 pp); ``None`` drops a field."""
    base: dict[str, Any] = {
        "id": "x-1d",
        "claim": "X fell 25% on 27 January 2025.",
        "source": dict(SRC),
        "kind": "close_to_close_change",
        "symbols": ["X"],
        "dates": ["2025-01-27"],
        "reported": {"value": -25, "unit": "percent"},
        "tolerance": {"value": 0.5, "unit": "percentage_points"},
        "tolerance_reason": "whole percent",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def write(tmp_path: Path, claims: list[dict[str, Any]], name: str = "claims.yaml") -> Path:
    """Write a claims file with one source (``SRC``) and return its path."""
    doc = {
        "schema_version": 1,
        "event": {"name": "test event", "date": "2025-01-27"},
        "sources": [{**SRC, "language": "en"}],
        "claims": claims,
    }
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
