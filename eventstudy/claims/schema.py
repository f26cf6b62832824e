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
    "QUALIFIERS",
    "SCHEMA_VERSION",
    "UNIT_ALIASES",
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

#: Kinds whose change is measured from a base date (the previous session unless ``base_date``).
BASE_DATE_KINDS: tuple[str, ...] = ("close_to_close_change", "market_value_change")

#: Words the press puts before a number; see :func:`accepted_range` for each one's rule.
QUALIFIERS: tuple[str, ...] = (
    "exact",
    "about",
    "more_than",
    "at_least",
    "less_than",
    "at_most",
    "nearly",
    "almost",
)

#: Qualifiers that need a direction (the sign of a non-zero ``reported`` value).
DIRECTIONAL: tuple[str, ...] = ("more_than", "at_least", "less_than", "at_most", "nearly", "almost")

#: Short unit names accepted in a file, and the unit each stands for.
UNIT_ALIASES: dict[str, str] = {
    "%": "percent",
    "pp": "percentage_points",
    "bn": "billion",
    "usd_bn": "USD_billions",
    "USD_bn": "USD_billions",
}

_INF = float("inf")


def accepted_range(
    qualifier: str, reported: float, tolerance: float | None, step: float
) -> tuple[float, float]:
    """The closed interval of recorded values for which a claim holds.

    ``r`` is the signed reported value, ``R = |r|`` its size and ``s`` its sign
    (the direction: a fall is reported negative); ``x`` is the recorded value
    and ``h = step / 2`` is half a unit of the last digit the article wrote
    (``17`` -> 0.5, ``17.4`` -> 0.05, ``17.40`` -> 0.005).

    ``exact``
        ``|x - r| <= tolerance`` (the tolerance is required).
    ``about``
        ``|x - r| <= b`` with ``b = tolerance`` if given, else ``h``: the
        figures that round to the reported one.
    ``more_than``, ``at_least``
        ``s * x >= R``: the move went the reported way by at least ``R``
        ("fell more than 11%", ``r = -11``: holds for ``x <= -11``). On a
        continuous recorded value the two words are the same test.
    ``less_than``, ``at_most``
        ``0 <= s * x <= R``: the move went the reported way, by at most ``R``
        ("rose less than 2%": ``0 <= x <= 2``).
    ``nearly``, ``almost``
        ``R - b <= s * x <= R`` with ``b = tolerance`` if given, else ``h``:
        close to ``R`` from below ("almost 3%": ``|x|`` within ``[2.5, 3]``).

    For the one-sided qualifiers an optional ``tolerance`` moves the bound by
    that much in the claim's favour (for data uncertainty, e.g. a share count).
    The directional qualifiers need ``r != 0``. The checker adds :data:`EPSILON`
    at both ends against floating-point noise.

    Returns
    -------
    tuple of float
        ``(low, high)``; an open side is ``-inf`` or ``inf``.
    """
    half = step / 2.0
    t = 0.0 if tolerance is None else tolerance
    if qualifier == "exact":
        return reported - t, reported + t
    if qualifier == "about":
        band = half if tolerance is None else tolerance
        return reported - band, reported + band
    if qualifier not in DIRECTIONAL:
        raise ValueError(f"qualifier must be one of {QUALIFIERS}, received {qualifier!r}")
    if reported == 0:
        raise ValueError(f"qualifier {qualifier!r} needs a non-zero reported value (its sign)")
    size = abs(reported)
    if qualifier in ("more_than", "at_least"):
        lo, hi = size - t, _INF
    elif qualifier in ("less_than", "at_most"):
        lo, hi = 0.0, size + t
    else:  # nearly / almost
        lo, hi = size - (half if tolerance is None else tolerance), size
    return (lo, hi) if reported > 0 else (-hi, -lo)


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
    """Which article a claim comes from (a ``file`` or a ``url``, or both)."""

    file: str
    publisher: str
    date: str
    url: str = ""


@dataclass(frozen=True)
class SourceInfo:
    """One reviewed article (an entry of the file's ``sources`` list)."""

    file: str
    publisher: str
    date: str
    language: str = ""
    url: str = ""
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
    qualifier: str = "exact"
    base_date: pd.Timestamp | None = None
    #: One unit of the last digit of ``reported`` as written (``-17.4`` -> 0.1).
    reported_step: float = 1.0

    @property
    def accepted(self) -> tuple[float, float] | None:
        """``(low, high)`` of recorded values that make the claim hold; None if uncheckable.

        See :func:`accepted_range` for the rule of each qualifier.
        """
        if not self.checkable or self.reported is None:
            return None
        tol = self.tolerance.value if self.tolerance is not None else None
        return accepted_range(self.qualifier, self.reported.value, tol, self.reported_step)

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
