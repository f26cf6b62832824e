"""Quantitative market claims from articles, stated as data and checked against prices.

A claims file (YAML, see ``seeds/``) lists what articles said about market moves
(for example "NVIDIA fell 17% on 27 January 2025"), each with the precision the
article gave it. :func:`load_claims` validates such a file into a
:class:`ClaimSet`; :func:`check_claims` recomputes every checkable claim from a
:class:`~eventstudy.data.source.PriceSource` and returns a :class:`ClaimsReport`.

Kinds of claim and what is recomputed (``reported`` unit / ``tolerance`` unit):

``close_to_close_change`` (percent / percentage_points)
    ``price_field`` on the date divided by ``price_field`` on the previous NYSE
    session, minus one, in percent. The previous session comes from the
    ``exchange_calendars`` XNYS calendar and the data must have that row.
``intraday_high`` (USD / USD)
    The ``high`` on the date.
``price_ratio`` (ratio / ratio)
    ``price_field`` on ``dates[1]`` divided by ``price_field`` on ``dates[0]``.
``market_value_change`` (USD_billions / USD_billions)
    (``price_field`` on the date - ``price_field`` on the previous NYSE session)
    x ``shares`` (given in the claim, in billions, with its source).
``uncheckable``
    Not recomputed; a ``reason`` says what data it would need.

A claim *holds* when ``|recorded - reported| <= tolerance`` (inclusive, plus an
epsilon of 1e-9 in the claim's unit against floating-point noise).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from eventstudy.data.source import PRICE_COLUMNS, PriceSource
from eventstudy.errors import (
    CalendarError,
    ClaimsFileError,
    DataError,
    MissingPriceError,
    NonSessionDateError,
)

__all__ = [
    "CHECKABLE_KINDS",
    "EPSILON",
    "FRAME_COLUMNS",
    "KINDS",
    "SCHEMA_VERSION",
    "Claim",
    "ClaimResult",
    "ClaimSet",
    "ClaimSource",
    "ClaimsReport",
    "Quantity",
    "Shares",
    "SourceInfo",
    "check_claims",
    "load_claims",
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
    "verdict",
    "basis",
    "detail",
)

_CLAIM_KEYS = {
    "id",
    "claim",
    "source",
    "kind",
    "symbols",
    "dates",
    "reported",
    "tolerance",
    "tolerance_reason",
    "price_field",
    "shares",
    "reason",
    "notes",
}
_TOP_KEYS = {"schema_version", "event", "sources", "claims"}

_CALENDAR_NAME = "XNYS"


# --------------------------------------------------------------------------- model


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


# ---------------------------------------------------------------------- validation


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Validator:
    """Helpers that raise :class:`ClaimsFileError` naming the file and field path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ClaimsFileError:
        return ClaimsFileError(f"{self.path}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, received {value!r}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"keys must be strings, received {key!r}")
        return value

    def require(self, m: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in m or m[key] is None:
            raise self.fail(f"{where}.{key}" if where else key, "required field is missing")
        return m[key]

    def string(self, value: Any, where: str, *, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, received {value!r}")
        if not allow_empty and not value.strip():
            raise self.fail(where, "expected a non-empty string, received ''")
        return value.strip()

    def text(self, value: Any, where: str) -> str:
        """A string, or a date/number that YAML parsed (kept as written)."""
        if isinstance(value, bool):
            raise self.fail(where, f"expected a string, received {value!r}")
        if isinstance(value, str | int | float | dt.date):
            return str(value).strip()
        raise self.fail(where, f"expected a string, received {value!r}")

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, received {value!r}")
        out = float(value)
        if not math.isfinite(out):
            raise self.fail(where, f"expected a finite number, received {value!r}")
        return out

    def date(self, value: Any, where: str) -> pd.Timestamp:
        if isinstance(value, dt.datetime):
            raise self.fail(where, f"expected a date (YYYY-MM-DD), received {value!r}")
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                return pd.Timestamp(parsed)
        raise self.fail(where, f"expected a date (YYYY-MM-DD), received {value!r}")

    def str_list(self, value: Any, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of strings, received {value!r}")
        return tuple(self.string(v, f"{where}[{i}]") for i, v in enumerate(value))

    def quantity(self, value: Any, where: str) -> Quantity:
        m = self.mapping(value, where)
        extra = set(m) - {"value", "unit"}
        if extra:
            raise self.fail(where, f"unknown field(s) {sorted(extra)}; expected value, unit")
        v = self.number(self.require(m, "value", where), f"{where}.value")
        u = self.string(self.require(m, "unit", where), f"{where}.unit")
        return Quantity(v, u)


def _parse_source_info(val: _Validator, raw: Any, where: str) -> SourceInfo:
    m = val.mapping(raw, where)
    return SourceInfo(
        file=val.string(val.require(m, "file", where), f"{where}.file"),
        publisher=val.string(val.require(m, "publisher", where), f"{where}.publisher"),
        date=val.text(val.require(m, "date", where), f"{where}.date"),
        language=val.string(val.require(m, "language", where), f"{where}.language"),
        author=val.text(m.get("author") or "", f"{where}.author"),
        title=val.text(m.get("title") or "", f"{where}.title"),
        note=val.text(m.get("note") or "", f"{where}.note"),
    )


def _parse_claim(val: _Validator, raw: Any, where: str, source_files: set[str]) -> Claim:
    m = val.mapping(raw, where)
    extra = set(m) - _CLAIM_KEYS
    if extra:
        raise val.fail(where, f"unknown field(s) {sorted(extra)}; allowed: {sorted(_CLAIM_KEYS)}")

    claim_id = val.string(val.require(m, "id", where), f"{where}.id")
    text = val.string(val.require(m, "claim", where), f"{where}.claim")
    kind = val.string(val.require(m, "kind", where), f"{where}.kind")
    if kind not in KINDS:
        raise val.fail(f"{where}.kind", f"expected one of {list(KINDS)}, received {kind!r}")

    src_where = f"{where}.source"
    src_map = val.mapping(val.require(m, "source", where), src_where)
    source = ClaimSource(
        file=val.string(val.require(src_map, "file", src_where), f"{src_where}.file"),
        publisher=val.string(
            val.require(src_map, "publisher", src_where), f"{src_where}.publisher"
        ),
        date=val.text(val.require(src_map, "date", src_where), f"{src_where}.date"),
    )
    if source_files and source.file not in source_files:
        raise val.fail(
            f"{src_where}.file",
            f"expected one of the files listed under `sources`, received {source.file!r}",
        )

    symbols = val.str_list(m.get("symbols") or [], f"{where}.symbols")
    raw_dates = m.get("dates") or []
    if not isinstance(raw_dates, list):
        raw_dates = [raw_dates]
    dates = tuple(val.date(d, f"{where}.dates[{i}]") for i, d in enumerate(raw_dates))
    notes = val.text(m.get("notes") or "", f"{where}.notes")

    reported = (
        val.quantity(m["reported"], f"{where}.reported") if m.get("reported") is not None else None
    )

    if kind == "uncheckable":
        reason = val.string(val.require(m, "reason", where), f"{where}.reason")
        tolerance = (
            val.quantity(m["tolerance"], f"{where}.tolerance")
            if m.get("tolerance") is not None
            else None
        )
        return Claim(
            id=claim_id,
            claim=text,
            kind=kind,
            source=source,
            symbols=symbols,
            dates=dates,
            reported=reported,
            tolerance=tolerance,
            tolerance_reason=val.text(m.get("tolerance_reason") or "", f"{where}.tolerance_reason"),
            reason=reason,
            notes=notes,
        )

    rep_unit, tol_unit, n_dates = _KIND_SPEC[kind]
    if reported is None:
        raise val.fail(f"{where}.reported", "required field is missing")
    if reported.unit != rep_unit:
        raise val.fail(
            f"{where}.reported.unit",
            f"expected {rep_unit!r} for kind {kind!r}, received {reported.unit!r}",
        )
    tolerance = val.quantity(val.require(m, "tolerance", where), f"{where}.tolerance")
    if tolerance.unit != tol_unit:
        raise val.fail(
            f"{where}.tolerance.unit",
            f"expected {tol_unit!r} for kind {kind!r}, received {tolerance.unit!r}",
        )
    if tolerance.value < 0:
        raise val.fail(
            f"{where}.tolerance.value", f"expected a number >= 0, received {tolerance.value!r}"
        )
    tolerance_reason = val.string(
        val.require(m, "tolerance_reason", where), f"{where}.tolerance_reason"
    )
    if len(symbols) != 1:
        raise val.fail(
            f"{where}.symbols",
            f"expected exactly 1 symbol for kind {kind!r}, received {list(symbols)!r}",
        )
    if len(dates) != n_dates:
        raise val.fail(
            f"{where}.dates",
            f"expected {n_dates} date(s) for kind {kind!r}, received {len(dates)}",
        )
    if kind == "price_ratio" and not dates[0] < dates[1]:
        raise val.fail(f"{where}.dates", "expected dates[0] (base) before dates[1]")

    default_field = "high" if kind == "intraday_high" else "close"
    price_field = val.string(m.get("price_field") or default_field, f"{where}.price_field")
    if price_field not in PRICE_COLUMNS[:5]:
        raise val.fail(
            f"{where}.price_field",
            f"expected one of {list(PRICE_COLUMNS[:5])}, received {price_field!r}",
        )
    if kind == "intraday_high" and price_field != "high":
        raise val.fail(
            f"{where}.price_field",
            f"expected 'high' for kind 'intraday_high', received {price_field!r}",
        )

    shares: Shares | None = None
    if kind == "market_value_change":
        sh_where = f"{where}.shares"
        sh = val.mapping(val.require(m, "shares", where), sh_where)
        extra = set(sh) - {"value", "unit", "source", "as_of"}
        if extra:
            raise val.fail(sh_where, f"unknown field(s) {sorted(extra)}")
        unit = val.string(val.require(sh, "unit", sh_where), f"{sh_where}.unit")
        if unit != "billion":
            raise val.fail(f"{sh_where}.unit", f"expected 'billion', received {unit!r}")
        value = val.number(val.require(sh, "value", sh_where), f"{sh_where}.value")
        if value <= 0:
            raise val.fail(f"{sh_where}.value", f"expected a number > 0, received {value!r}")
        as_of = (
            val.date(sh["as_of"], f"{sh_where}.as_of").date()
            if sh.get("as_of") is not None
            else None
        )
        shares = Shares(
            value=value,
            source=val.string(val.require(sh, "source", sh_where), f"{sh_where}.source"),
            as_of=as_of,
        )
    elif m.get("shares") is not None:
        raise val.fail(
            f"{where}.shares", f"only allowed for kind 'market_value_change', not {kind!r}"
        )

    return Claim(
        id=claim_id,
        claim=text,
        kind=kind,
        source=source,
        symbols=symbols,
        dates=dates,
        reported=reported,
        tolerance=tolerance,
        tolerance_reason=tolerance_reason,
        price_field=price_field,
        shares=shares,
        reason=val.text(m.get("reason") or "", f"{where}.reason"),
        notes=notes,
    )


def load_claims(path: str | Path) -> ClaimSet:
    """Read and validate a claims YAML file.

    Raises
    ------
    ClaimsFileError
        The file is missing, is not valid YAML, or a field is malformed; the
        message names the file and the field path (``claims[3].reported.value``).
    """
    path = Path(path)
    val = _Validator(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClaimsFileError(f"{path}: claims file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsFileError(f"{path}: cannot read claims file: {exc}") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ClaimsFileError(f"{path}: invalid YAML: {detail}") from exc
    if doc is None:
        raise ClaimsFileError(f"{path}: the file is empty")
    top = val.mapping(doc, "(top level)")
    extra = set(top) - _TOP_KEYS
    if extra:
        raise val.fail(
            "(top level)", f"unknown field(s) {sorted(extra)}; allowed: {sorted(_TOP_KEYS)}"
        )

    version = val.require(top, "schema_version", "")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise val.fail("schema_version", f"expected {SCHEMA_VERSION}, received {version!r}")

    event = val.mapping(val.require(top, "event", ""), "event")
    event_name = val.string(val.require(event, "name", "event"), "event.name")
    event_date = val.date(val.require(event, "date", "event"), "event.date")

    raw_sources = top.get("sources") or []
    if not isinstance(raw_sources, list):
        raise val.fail("sources", f"expected a list, received {raw_sources!r}")
    sources = tuple(_parse_source_info(val, s, f"sources[{i}]") for i, s in enumerate(raw_sources))
    source_files: set[str] = set()
    for i, s in enumerate(sources):
        if s.file in source_files:
            raise val.fail(f"sources[{i}].file", f"duplicate file {s.file!r}")
        source_files.add(s.file)

    raw_claims = val.require(top, "claims", "")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise val.fail("claims", f"expected a non-empty list, received {raw_claims!r}")
    claims: list[Claim] = []
    first_index: dict[str, int] = {}
    for i, raw in enumerate(raw_claims):
        c = _parse_claim(val, raw, f"claims[{i}]", source_files)
        if c.id in first_index:
            raise val.fail(
                f"claims[{i}].id",
                f"duplicate id {c.id!r} (first used by claims[{first_index[c.id]}])",
            )
        first_index[c.id] = i
        claims.append(c)

    return ClaimSet(
        path=path,
        schema_version=SCHEMA_VERSION,
        event_name=event_name,
        event_date=event_date,
        event=dict(event),
        sources=sources,
        claims=tuple(claims),
    )


# ------------------------------------------------------------------------ checking


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of checking one claim."""

    claim: Claim
    verdict: str
    recorded: float | None = None
    difference: float | None = None
    basis: str = ""
    detail: str = ""

    @property
    def id(self) -> str:
        return self.claim.id


@functools.lru_cache(maxsize=1)
def _calendar() -> Any:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars (not this package) trips a pandas deprecation warning
        warnings.filterwarnings("ignore", message=r"Series\.values returning an ndarray")
        return xcals.get_calendar(_CALENDAR_NAME)


def _previous_session(date: pd.Timestamp, claim_id: str) -> pd.Timestamp:
    cal = _calendar()
    if not cal.first_session < date <= cal.last_session:
        raise CalendarError(
            f"Claim {claim_id!r}: date {date.date()} is outside the {_CALENDAR_NAME} calendar "
            f"({cal.first_session.date()} .. {cal.last_session.date()})."
        )
    if not cal.is_session(date):
        raise NonSessionDateError(
            f"Claim {claim_id!r}: date {date.date()} is not an {_CALENDAR_NAME} session."
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


def _check_one(
    claim: Claim, frames: Mapping[str, pd.DataFrame], source: PriceSource
) -> ClaimResult:
    if not claim.checkable:
        return ClaimResult(claim, "uncheckable", detail=claim.reason)
    assert claim.reported is not None and claim.tolerance is not None
    symbol = claim.symbols[0]
    col = claim.price_field
    if claim.kind == "close_to_close_change":
        date = claim.dates[0]
        prev = _previous_session(date, claim.id)
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
        prev = _previous_session(date, claim.id)
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
    holds = abs(difference) <= claim.tolerance.value + EPSILON
    return ClaimResult(
        claim,
        "holds" if holds else "fails",
        recorded=recorded,
        difference=difference,
        basis=_basis(source, symbol, col),
        detail=detail,
    )


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
        """Tidy table indexed by claim ``id`` (see the module docstring for units)."""
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
                    "verdict": r.verdict,
                    "basis": r.basis,
                    "detail": r.detail,
                }
            )
        frame = pd.DataFrame(rows, columns=["id", *FRAME_COLUMNS])
        return frame.set_index("id")

    def table_rows(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """Display strings: id, symbol, reported, recorded, difference, tolerance, verdict."""
        out = []
        for r in self.results:
            c = r.claim
            unit = c.reported.unit if c.reported else ""
            tol_unit = c.tolerance.unit if c.tolerance else unit
            out.append(
                (
                    c.id,
                    ",".join(c.symbols) or "-",
                    format_quantity(c.reported.value, unit) if c.reported else "-",
                    format_quantity(r.recorded, unit, recorded=True)
                    if r.recorded is not None
                    else "-",
                    format_quantity(r.difference, tol_unit, signed=True, recorded=True)
                    if r.difference is not None
                    else "-",
                    "±" + format_quantity(c.tolerance.value, tol_unit)
                    if c.tolerance and c.checkable
                    else "-",
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
