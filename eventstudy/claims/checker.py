"""Recomputing claims from a price source: :func:`check_claims` and its report.

See :mod:`eventstudy.claims` for what each kind of claim recomputes.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.claims.basis import _basis
from eventstudy.claims.schema import _KIND_SPEC, EPSILON, Claim, ClaimSet
from eventstudy.data.source import PriceSource
from eventstudy.errors import (
    CalendarError,
    ClaimsFileError,
    DataError,
    MissingPriceError,
    NonSessionDateError,
)

__all__ = ["FRAME_COLUMNS", "ClaimResult", "ClaimsReport", "check_claims", "format_quantity"]

_VERDICTS = ("holds", "fails", "uncheckable")

#: Columns of :meth:`ClaimsReport.to_frame` (the index is the claim ``id``).
FRAME_COLUMNS: tuple[str, ...] = (
    "kind",
    "symbols",
    "dates",
    "reported",
    "recorded",
    "difference",
    "tolerance",
    "unit",
    "qualifier",
    "low",
    "high",
    "verdict",
    "note",
    "basis",
    "detail",
)



@dataclass(frozen=True)
class ClaimResult:
    """The outcome of checking one claim.

    ``note`` says what the reader must know beside the verdict, e.g. that the
    claim's ``base_date`` is not the previous session of its date.
    """

    claim: Claim
    verdict: str
    recorded: float | None = None
    difference: float | None = None
    basis: str = ""
    detail: str = ""
    note: str = ""

    @property
    def id(self) -> str:
        return self.claim.id


@functools.lru_cache(maxsize=8)
def _calendar(code: str) -> Any:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars (not this package) trips a pandas deprecation warning
        warnings.filterwarnings("ignore", message=r"Series\.values returning an ndarray")
        return xcals.get_calendar(code)


def _claim_calendar(claim: Claim) -> str:
    """The exchange of the claim's symbol: from its suffix (6857.T is XTKS), New York by default."""
    from eventstudy.exchanges import infer_calendar

    return infer_calendar(claim.symbols[0]).code


def _previous_session(date: pd.Timestamp, claim_id: str, code: str) -> pd.Timestamp:
    cal = _calendar(code)
    if not cal.first_session < date <= cal.last_session:
        raise CalendarError(
            f"Claim {claim_id!r}: date {date.date()} is outside the {code} calendar "
            f"({cal.first_session.date()} .. {cal.last_session.date()})."
        )
    if not cal.is_session(date):
        raise NonSessionDateError(
            f"Claim {claim_id!r}: date {date.date()} is not an {code} session."
        )
    return pd.Timestamp(cal.previous_session(date))


def _value(
    frames: Mapping[str, pd.DataFrame], symbol: str, date: pd.Timestamp, column: str, claim_id: str
) -> float:
    frame = frames[symbol]
    if date not in frame.index:
        raise DataError(
            f"Claim {claim_id!r}: the data have no row for symbol {symbol!r} on {date.date()} "
            f"(needed for `{column}`); refusing to fall back to another date."
        )
    value: Any = frame.loc[date, column]
    if isinstance(value, pd.Series):  # duplicate dates; a valid source never has them
        raise DataError(f"Claim {claim_id!r}: symbol {symbol!r} has several rows on {date.date()}.")
    out = float(value)
    if math.isnan(out):
        raise MissingPriceError(
            f"Claim {claim_id!r}: `{column}` of symbol {symbol!r} on {date.date()} is missing (NaN)."
        )
    return out


def _base(claim: Claim) -> tuple[pd.Timestamp, str]:
    """The date a change is measured from, and a note when it is not the previous session."""
    date = claim.dates[0]
    code = _claim_calendar(claim)
    prev = _previous_session(date, claim.id, code)
    if claim.base_date is None or claim.base_date == prev:
        return prev, ""
    base = claim.base_date
    if not _calendar(code).is_session(base):
        raise NonSessionDateError(
            f"Claim {claim.id!r}: base_date {base.date()} is not an {code} session."
        )
    return base, (
        f"base_date {base.date()} is not the previous {code} session of "
        f"{date.date()} ({prev.date()}); the change is measured from {base.date()} as the "
        "claim states"
    )


def _check_one(
    claim: Claim, frames: Mapping[str, pd.DataFrame], source: PriceSource
) -> ClaimResult:
    if not claim.checkable:
        return ClaimResult(claim, "uncheckable", detail=claim.reason)
    assert claim.reported is not None and claim.accepted is not None
    note = ""
    symbol = claim.symbols[0]
    col = claim.price_field
    if claim.kind == "close_to_close_change":
        date = claim.dates[0]
        prev, note = _base(claim)
        p0 = _value(frames, symbol, prev, col, claim.id)
        p1 = _value(frames, symbol, date, col, claim.id)
        recorded = (p1 / p0 - 1.0) * 100.0
        detail = f"{col} {prev.date()} {p0:.6g} -> {date.date()} {p1:.6g}"
    elif claim.kind == "intraday_high":
        date = claim.dates[0]
        recorded = _value(frames, symbol, date, "high", claim.id)
        detail = f"high on {date.date()}"
    elif claim.kind == "price_ratio":
        d0, d1 = claim.dates
        p0 = _value(frames, symbol, d0, col, claim.id)
        p1 = _value(frames, symbol, d1, col, claim.id)
        recorded = p1 / p0
        detail = f"{col} {d0.date()} {p0:.6g} -> {d1.date()} {p1:.6g}"
    elif claim.kind == "market_value_change":
        assert claim.shares is not None
        date = claim.dates[0]
        prev, note = _base(claim)
        p0 = _value(frames, symbol, prev, col, claim.id)
        p1 = _value(frames, symbol, date, col, claim.id)
        recorded = (p1 - p0) * claim.shares.value
        detail = (
            f"({col} {date.date()} {p1:.6g} - {prev.date()} {p0:.6g}) x "
            f"{claim.shares.value:g} bn shares ({claim.shares.source})"
        )
    else:  # pragma: no cover - kinds are validated on load
        raise ClaimsFileError(f"Claim {claim.id!r}: unknown kind {claim.kind!r}")
    difference = recorded - claim.reported.value
    low, high = claim.accepted
    holds = low - EPSILON <= recorded <= high + EPSILON
    if claim.qualifier != "exact":
        detail = f"{detail}; {claim.qualifier.replace('_', ' ')}: accepts {_range(claim)}"
    if note:
        detail = f"{detail}; NOTE {note}"
    return ClaimResult(
        claim,
        "holds" if holds else "fails",
        recorded=recorded,
        difference=difference,
        basis=_basis(source, symbol, col),
        detail=detail,
        note=note,
    )


def _range(claim: Claim) -> str:
    """The accepted recorded values as text: ``<= -11%``, ``-21% .. -20.5%``."""
    assert claim.reported is not None and claim.accepted is not None
    unit = claim.reported.unit
    low, high = claim.accepted
    if math.isinf(low):
        return "<= " + format_quantity(high, unit)
    if math.isinf(high):
        return ">= " + format_quantity(low, unit)
    return f"{format_quantity(low, unit)} .. {format_quantity(high, unit)}"


def _reported_cell(claim: Claim, base_note: bool) -> str:
    """The reported value as the article qualified it (``more than -11%``), and its base date."""
    assert claim.reported is not None
    text = format_quantity(claim.reported.value, claim.reported.unit)
    if claim.qualifier != "exact":
        text = f"{claim.qualifier.replace('_', ' ')} {text}"
    if base_note and claim.base_date is not None:
        text = f"{text} from {claim.base_date.date()}"
    return text


@dataclass(frozen=True)
class ClaimsReport:
    """Outcome of :func:`check_claims`: one :class:`ClaimResult` per claim, in file order."""

    results: tuple[ClaimResult, ...]
    source: str = ""
    claims_path: Path | None = None
    event_name: str = ""

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, claim_id: str) -> ClaimResult:
        for r in self.results:
            if r.id == claim_id:
                return r
        raise KeyError(claim_id)

    def count(self, verdict: str) -> int:
        """Number of claims with ``verdict`` (``holds``, ``fails`` or ``uncheckable``)."""
        if verdict not in _VERDICTS:
            raise ValueError(f"verdict must be one of {_VERDICTS}, received {verdict!r}")
        return sum(r.verdict == verdict for r in self.results)

    @property
    def all_hold(self) -> bool:
        """True when every checkable claim holds (uncheckable claims are ignored)."""
        return self.count("fails") == 0

    @property
    def summary(self) -> str:
        """``"N claims: H hold, F fail, U uncheckable"``."""
        return (
            f"{len(self.results)} claims: {self.count('holds')} hold, "
            f"{self.count('fails')} fail, {self.count('uncheckable')} uncheckable"
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy table indexed by claim ``id`` (units: see :mod:`eventstudy.claims`)."""
        rows = []
        for r in self.results:
            c = r.claim
            rows.append(
                {
                    "id": c.id,
                    "kind": c.kind,
                    "symbols": ",".join(c.symbols),
                    "dates": ",".join(str(d.date()) for d in c.dates),
                    "reported": c.reported.value if c.reported else math.nan,
                    "recorded": r.recorded if r.recorded is not None else math.nan,
                    "difference": r.difference if r.difference is not None else math.nan,
                    "tolerance": c.tolerance.value if c.tolerance else math.nan,
                    "unit": c.reported.unit if c.reported else "",
                    "qualifier": c.qualifier,
                    "low": c.accepted[0] if c.accepted else math.nan,
                    "high": c.accepted[1] if c.accepted else math.nan,
                    "verdict": r.verdict,
                    "note": r.note,
                    "basis": r.basis,
                    "detail": r.detail,
                }
            )
        frame = pd.DataFrame(rows, columns=["id", *FRAME_COLUMNS])
        return frame.set_index("id")

    def table_rows(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """Display strings: id, symbol, reported, recorded, difference, tolerance, verdict.

        A qualified claim shows its qualifier before the reported value
        (``more than -11%``) and the accepted range in the tolerance column
        (``<= -11%``); a ``base_date`` that is not the previous session is
        shown after the reported value (``-3% from 2025-01-23``).
        """
        out = []
        for r in self.results:
            c = r.claim
            unit = c.reported.unit if c.reported else ""
            tol_unit = c.tolerance.unit if c.tolerance else _KIND_SPEC.get(c.kind, ("", unit))[1]
            out.append(
                (
                    c.id,
                    ",".join(c.symbols) or "-",
                    _reported_cell(c, bool(r.note)) if c.reported else "-",
                    format_quantity(r.recorded, unit, recorded=True)
                    if r.recorded is not None
                    else "-",
                    format_quantity(r.difference, tol_unit, signed=True, recorded=True)
                    if r.difference is not None
                    else "-",
                    _tolerance_cell(c, tol_unit),
                    r.verdict,
                )
            )
        return out

    def __str__(self) -> str:
        header = ("id", "symbol", "reported", "recorded", "difference", "tolerance", "verdict")
        rows = [header, *self.table_rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = []
        if self.claims_path is not None or self.source:
            lines.append(f"Claims {self.claims_path or ''} checked on {self.source}".strip())
        for row in rows:
            lines.append(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        lines.append(self.summary)
        return "\n".join(lines)


def _tolerance_cell(claim: Claim, tol_unit: str) -> str:
    if not claim.checkable or claim.reported is None:
        return "-"
    if claim.qualifier in ("exact", "about") and claim.tolerance is not None:
        return "±" + format_quantity(claim.tolerance.value, tol_unit)
    return _range(claim)


_UNIT_DECIMALS = {
    "percent": 4,
    "percentage_points": 4,
    "USD": 2,
    "ratio": 3,
    "USD_billions": 1,
}


def format_quantity(
    value: float | None, unit: str, *, signed: bool = False, recorded: bool = False
) -> str:
    """Human-readable ``value`` in ``unit``; reported values keep their own digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if recorded:
        number = f"{value:{'+' if signed else ''}.{_UNIT_DECIMALS.get(unit, 4)}f}"
    else:
        number = f"{value:{'+' if signed else ''}g}"
    suffix = {
        "percent": "%",
        "percentage_points": " pp",
        "USD": " USD",
        "ratio": "x",
        "USD_billions": " bn USD",
    }.get(unit, f" {unit}" if unit else "")
    return number + suffix


def check_claims(claims: ClaimSet | Sequence[Claim], source: PriceSource) -> ClaimsReport:
    """Recompute every checkable claim from ``source``.

    Raises
    ------
    UnknownSymbolError
        A claim names a symbol the source does not have (propagated from the source).
    DataError
        The data lack a row a claim needs (never silently replaced by another date),
        or the needed price is NaN (:class:`~eventstudy.errors.MissingPriceError`).
    CalendarError
        A date that must be an NYSE session is not one.
    """
    claim_list = tuple(claims.claims if isinstance(claims, ClaimSet) else claims)
    checkable = [c for c in claim_list if c.checkable]
    frames: dict[str, pd.DataFrame] = {}
    symbols = sorted({s for c in checkable for s in c.symbols})
    if symbols:
        dates = [d for c in checkable for d in c.dates]
        start = min(dates) - pd.Timedelta(days=14)  # covers the previous session
        end = max(dates)
        frames = dict(source.history(symbols, start=start, end=end))
        missing = [s for s in symbols if s not in frames]
        if missing:
            raise DataError(
                f"The price source {source.describe()} returned no frame for {missing}."
            )
    results = tuple(_check_one(c, frames, source) for c in claim_list)
    return ClaimsReport(
        results=results,
        source=source.describe(),
        claims_path=claims.path if isinstance(claims, ClaimSet) else None,
        event_name=claims.event_name if isinstance(claims, ClaimSet) else "",
    )
