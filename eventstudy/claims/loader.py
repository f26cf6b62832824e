"""Loading a claims YAML file and validating it into a :class:`ClaimSet`.

Every malformed field raises :class:`~eventstudy.errors.ClaimsFileError` naming
the file and the field path (``claims[3].reported.value``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.claims.schema import (
    _KIND_SPEC,
    KINDS,
    SCHEMA_VERSION,
    Claim,
    ClaimSet,
    ClaimSource,
    Quantity,
    Shares,
    SourceInfo,
)
from eventstudy.data.source import PRICE_COLUMNS
from eventstudy.errors import ClaimsFileError
from eventstudy.yamlfile import did_you_mean, load_yaml_mapping, short_repr

__all__ = ["load_claims"]

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
            raise self.fail(where, f"expected a mapping, received {short_repr(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"keys must be strings, received {short_repr(key)}")
        return value

    def known(self, m: Mapping[str, Any], allowed: set[str], where: str) -> None:
        """Refuse keys outside ``allowed``, with a "did you mean" hint."""
        extra = sorted(set(m) - allowed)
        if extra:
            raise self.fail(
                where,
                f"unknown field {extra[0]!r}{did_you_mean(extra[0], allowed)}; "
                f"allowed: {sorted(allowed)}",
            )

    def require(self, m: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in m or m[key] is None:
            raise self.fail(f"{where}.{key}" if where else key, "required field is missing")
        return m[key]

    def string(self, value: Any, where: str, *, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, received {short_repr(value)}")
        if not allow_empty and not value.strip():
            raise self.fail(where, "expected a non-empty string, received ''")
        return value.strip()

    def text(self, value: Any, where: str) -> str:
        """A string, or a date/number that YAML parsed (kept as written)."""
        if isinstance(value, bool):
            raise self.fail(where, f"expected a string, received {short_repr(value)}")
        if isinstance(value, str | int | float | dt.date):
            return str(value).strip()
        raise self.fail(where, f"expected a string, received {short_repr(value)}")

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, received {short_repr(value)}")
        out = float(value)
        if not math.isfinite(out):
            raise self.fail(where, f"expected a finite number, received {short_repr(value)}")
        return out

    def date(self, value: Any, where: str) -> pd.Timestamp:
        if isinstance(value, dt.datetime):
            raise self.fail(where, f"expected a date (YYYY-MM-DD), received {short_repr(value)}")
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                return pd.Timestamp(parsed)
        raise self.fail(where, f"expected a date (YYYY-MM-DD), received {short_repr(value)}")

    def str_list(self, value: Any, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of strings, received {short_repr(value)}")
        return tuple(self.string(v, f"{where}[{i}]") for i, v in enumerate(value))

    def quantity(self, value: Any, where: str) -> Quantity:
        m = self.mapping(value, where)
        self.known(m, {"value", "unit"}, where)
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
    val.known(m, _CLAIM_KEYS, where)

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

    tolerance: Quantity | None
    shares: Shares | None
    if kind == "uncheckable":
        reason = val.string(val.require(m, "reason", where), f"{where}.reason")
        tolerance = (
            val.quantity(m["tolerance"], f"{where}.tolerance")
            if m.get("tolerance") is not None
            else None
        )
        tolerance_reason = val.text(m.get("tolerance_reason") or "", f"{where}.tolerance_reason")
        price_field = "close"
        shares = None
    else:
        tolerance, tolerance_reason, price_field, shares = _parse_checkable(
            val, m, where, kind, symbols, dates, reported
        )
        reason = val.text(m.get("reason") or "", f"{where}.reason")

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
        reason=reason,
        notes=notes,
    )


def _parse_checkable(
    val: _Validator,
    m: Mapping[str, Any],
    where: str,
    kind: str,
    symbols: tuple[str, ...],
    dates: tuple[pd.Timestamp, ...],
    reported: Quantity | None,
) -> tuple[Quantity, str, str, Shares | None]:
    """Validate the fields a checkable ``kind`` requires.

    Returns ``(tolerance, tolerance_reason, price_field, shares)``.
    """
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
        val.known(sh, {"value", "unit", "source", "as_of"}, sh_where)
        unit = val.string(val.require(sh, "unit", sh_where), f"{sh_where}.unit")
        if unit != "billion":
            raise val.fail(f"{sh_where}.unit", f"expected 'billion', received {unit!r}")
        value = val.number(val.require(sh, "value", sh_where), f"{sh_where}.value")
        if value <= 0:
            raise val.fail(f"{sh_where}.value", f"expected a number > 0, received {short_repr(value)}")
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

    return tolerance, tolerance_reason, price_field, shares


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
    doc = load_yaml_mapping(path, ClaimsFileError, "claims file")
    top = val.mapping(doc, "(top level)")
    val.known(top, _TOP_KEYS, "(top level)")

    version = val.require(top, "schema_version", "")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise val.fail("schema_version", f"expected {SCHEMA_VERSION}, received {version!r}")

    event = val.mapping(val.require(top, "event", ""), "event")
    event_name = val.string(val.require(event, "name", "event"), "event.name")
    event_date = val.date(val.require(event, "date", "event"), "event.date")

    raw_sources = top.get("sources") or []
    if not isinstance(raw_sources, list):
        raise val.fail("sources", f"expected a list, received {short_repr(raw_sources)}")
    sources = tuple(_parse_source_info(val, s, f"sources[{i}]") for i, s in enumerate(raw_sources))
    source_files: set[str] = set()
    for i, s in enumerate(sources):
        if s.file in source_files:
            raise val.fail(f"sources[{i}].file", f"duplicate file {s.file!r}")
        source_files.add(s.file)

    raw_claims = val.require(top, "claims", "")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise val.fail("claims", f"expected a non-empty list, received {short_repr(raw_claims)}")
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
