"""Data model of a claims file: frozen dataclasses and the schema constants.

See :mod:`eventstudy.claims` for the kinds of claim and their units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "CHECKABLE_KINDS",
    "EPSILON",
    "KINDS",
    "SCHEMA_VERSION",
    "Claim",
    "ClaimSet",
    "ClaimSource",
    "Quantity",
    "Shares",
    "SourceInfo",
]

#: Version of the claims-file schema this module reads.
SCHEMA_VERSION = 1

#: Slack added to every tolerance (in the claim's unit) against float noise.
EPSILON = 1e-9

#: Kind -> (unit of ``reported``, unit of ``tolerance``, number of dates).
_KIND_SPEC: dict[str, tuple[str, str, int]] = {
    "close_to_close_change": ("percent", "percentage_points", 1),
    "intraday_high": ("USD", "USD", 1),
    "price_ratio": ("ratio", "ratio", 2),
    "market_value_change": ("USD_billions", "USD_billions", 1),
}

#: Kinds that are recomputed from prices.
CHECKABLE_KINDS: tuple[str, ...] = tuple(_KIND_SPEC)

#: Every accepted kind.
KINDS: tuple[str, ...] = (*CHECKABLE_KINDS, "uncheckable")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (``percent``, ``USD``, ``ratio``, ...)."""

    value: float
    unit: str


@dataclass(frozen=True)
class Shares:
    """Share count used for a market-value claim, in billions, and where it is from."""

    value: float
    source: str
    as_of: dt.date | None = None


@dataclass(frozen=True)
class ClaimSource:
    """Which article a claim comes from."""

    file: str
    publisher: str
    date: str


@dataclass(frozen=True)
class SourceInfo:
    """One reviewed article (an entry of the file's ``sources`` list)."""

    file: str
    publisher: str
    date: str
    language: str
    author: str = ""
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class Claim:
    """One claim, validated. ``dates`` are tz-naive midnight timestamps."""

    id: str
    claim: str
    kind: str
    source: ClaimSource
    symbols: tuple[str, ...] = ()
    dates: tuple[pd.Timestamp, ...] = ()
    reported: Quantity | None = None
    tolerance: Quantity | None = None
    tolerance_reason: str = ""
    price_field: str = "close"
    shares: Shares | None = None
    reason: str = ""
    notes: str = ""

    @property
    def checkable(self) -> bool:
        """True unless the kind is ``uncheckable``."""
        return self.kind != "uncheckable"


@dataclass(frozen=True)
class ClaimSet:
    """A validated claims file."""

    path: Path
    schema_version: int
    event_name: str
    event_date: pd.Timestamp
    event: Mapping[str, Any]
    sources: tuple[SourceInfo, ...]
    claims: tuple[Claim, ...]

    def __len__(self) -> int:
        return len(self.claims)

    def __getitem__(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claims)
