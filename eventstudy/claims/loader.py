"""Loading a claims YAML file and validating it into a :class:`ClaimSet`.

Every problem of a file is collected before anything is raised: one
:class:`~eventstudy.errors.ClaimsFileError` lists them all, one per line, each
naming the file, the field path (``claims[3].reported.value``), what was
expected and what was received, and the line of the file where the field (or
the mapping that lacks it) is written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from eventstudy.claims.schema import (
    _KIND_SPEC,
    BASE_DATE_KINDS,
    DIRECTIONAL,
    KINDS,
    QUALIFIERS,
    SCHEMA_VERSION,
    UNIT_ALIASES,
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
    "base_date",
    "reported",
    "qualifier",
    "tolerance",
    "tolerance_reason",
    "price_field",
    "shares",
    "reason",
    "notes",
}
_TOP_KEYS = {"schema_version", "event", "sources", "claims"}
_SOURCE_KEYS = {"file", "url", "publisher", "date"}
_SOURCE_INFO_KEYS = {"file", "url", "publisher", "date", "language", "author", "title", "note"}

T = TypeVar("T")


class _Invalid(Exception):
    """One problem with one field; collected by :class:`_Validator`."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class _Quiet(_Invalid):
    """A failure whose cause is already recorded (an inner field)."""

    def __init__(self) -> None:
        super().__init__("", "")


def _node_map(node: Node, path: str, out: dict[str, tuple[int, str]]) -> None:
    """Field path -> (line, scalar text as written) for every node of a composed document."""
    text = node.value if isinstance(node, ScalarNode) else ""
    out.setdefault(path or "(top level)", (node.start_mark.line + 1, text))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                _node_map(value_node, f"{path}.{key_node.value}" if path else key_node.value, out)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _node_map(item, f"{path}[{i}]", out)


def _locate(path: Path) -> dict[str, tuple[int, str]]:
    """Lines of a file :func:`load_yaml_mapping` has already accepted (so bounded and valid)."""
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):  # pragma: no cover - read just before
        return {}
    out: dict[str, tuple[int, str]] = {}
    if node is not None:
        _node_map(node, "", out)
    return out


class _Validator:
    """Field parsers that raise :class:`_Invalid`, and a collector of every problem."""

    def __init__(self, path: Path, nodes: Mapping[str, tuple[int, str]]) -> None:
        self.path = path
        self.nodes = nodes
        self.errors: list[tuple[str, str]] = []

    def fail(self, where: str, message: str) -> _Invalid:
        return _Invalid(where, message)

    def collect(self, fn: Callable[..., T], *args: Any) -> T | None:
        """``fn(*args)``, or None with the problem recorded."""
        try:
            return fn(*args)
        except _Quiet:
            return None
        except _Invalid as exc:
            self.errors.append((exc.where, exc.message))
            return None

    def check(self, ok: bool, where: str, message: str) -> bool:
        if not ok:
            self.errors.append((where, message))
        return ok

    def line(self, where: str) -> int | None:
        """Line of ``where`` or of the nearest enclosing field that is in the file."""
        probe = where
        while probe:
            if probe in self.nodes:
                return self.nodes[probe][0]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.nodes.get("(top level)", (None, ""))[0]

    def error(self) -> ClaimsFileError:
        lines = []
        for where, message in self.errors:
            line = self.line(where)
            at = f" (line {line})" if line is not None else ""
            lines.append(f"{self.path}: {where}: {message}{at}")
        return ClaimsFileError("\n".join(lines))

    # ---------------------------------------------------------- parsers

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, received {short_repr(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"keys must be strings, received {short_repr(key)}")
        return value

    def known(self, m: Mapping[str, Any], allowed: set[str], where: str) -> None:
        """Record every key outside ``allowed``, with a "did you mean" hint."""
        extra = sorted(set(m) - allowed)
        for key in extra:
            self.errors.append((
                where,
                f"unknown field {key!r}{did_you_mean(key, allowed)}; allowed: {sorted(allowed)}",
            ))

    def field(
        self,
        m: Mapping[str, Any],
        key: str,
        where: str,
        parse: Callable[[Any, str], T],
        *,
        required: bool = False,
    ) -> T | None:
        """``parse(m[key])``; a missing required key or a bad value is recorded and gives None."""
        at = f"{where}.{key}" if where else key
        if key not in m or m[key] is None:
            if required:
                self.errors.append((at, "required field is missing"))
            return None
        return self.collect(parse, m[key], at)

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, received {short_repr(value)}")
        if not value.strip():
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

    def dates(self, value: Any, where: str) -> tuple[pd.Timestamp, ...]:
        items = value if isinstance(value, list) else [value]
        out = [self.collect(self.date, d, f"{where}[{i}]") for i, d in enumerate(items)]
        if any(d is None for d in out):
            raise _Quiet
        return tuple(d for d in out if d is not None)

    def str_list(self, value: Any, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of strings, received {short_repr(value)}")
        out = [self.collect(self.string, v, f"{where}[{i}]") for i, v in enumerate(value)]
        if any(v is None for v in out):
            raise _Quiet
        return tuple(v for v in out if v is not None)

    def unit(self, value: Any, where: str) -> str:
        """A unit name, with :data:`~eventstudy.claims.schema.UNIT_ALIASES` resolved."""
        name = self.string(value, where)
        return UNIT_ALIASES.get(name, name)

    def quantity(self, value: Any, where: str) -> Quantity:
        m = self.mapping(value, where)
        n0 = len(self.errors)
        self.known(m, {"value", "unit"}, where)
        v = self.field(m, "value", where, self.number, required=True)
        u = self.field(m, "unit", where, self.unit, required=True)
        if v is None or u is None or len(self.errors) > n0:
            raise _Quiet
        return Quantity(v, u)

    def step(self, where: str, value: float) -> float:
        """One unit of the last digit of the number at ``where`` as written in the file."""
        written = self.nodes.get(where, (0, ""))[1].replace("_", "")
        for text in (written, repr(value)):
            try:
                exponent = Decimal(text).as_tuple().exponent
            except (InvalidOperation, ValueError):
                continue
            if isinstance(exponent, int):
                return 10.0 ** min(exponent, 0)
        return 1.0  # pragma: no cover - repr of a finite float always parses


def _origin(val: _Validator, m: Mapping[str, Any], where: str) -> tuple[Any, Any, Any, Any]:
    """``file``, ``url``, ``publisher``, ``date`` of a source (a ``file`` or a ``url`` is required)."""
    file = val.field(m, "file", where, val.string)
    url = val.field(m, "url", where, val.string)
    val.check(m.get("file") is not None or m.get("url") is not None, f"{where}.file",
              "required field is missing (give a `file` or a `url`)")
    publisher = val.field(m, "publisher", where, val.string, required=True)
    date = val.field(m, "date", where, val.text, required=True)
    return file, url, publisher, date


def _parse_source_info(val: _Validator, raw: Any, where: str) -> SourceInfo | None:
    m = val.collect(val.mapping, raw, where)
    if m is None:
        return None
    n0 = len(val.errors)
    val.known(m, _SOURCE_INFO_KEYS, where)
    file, url, publisher, date = _origin(val, m, where)
    extra = {k: val.field(m, k, where, val.text) or "" for k in ("language", "author", "title", "note")}
    if len(val.errors) > n0 or publisher is None or date is None:
        return None
    return SourceInfo(file=file or "", url=url or "", publisher=publisher, date=date, **extra)


def _parse_source(
    val: _Validator, raw: Any, where: str, source_files: set[str]
) -> ClaimSource:
    m = val.mapping(raw, where)
    n0 = len(val.errors)
    val.known(m, _SOURCE_KEYS, where)
    file, url, publisher, date = _origin(val, m, where)
    if file is not None and source_files and file not in source_files:
        val.check(False, f"{where}.file",
                  f"expected one of the files listed under `sources`, received {file!r}")
    if len(val.errors) > n0 or publisher is None or date is None:
        raise _Quiet
    return ClaimSource(file=file or "", publisher=publisher, date=date, url=url or "")


def _parse_claim(val: _Validator, raw: Any, where: str, source_files: set[str]) -> Claim | None:
    """One claim, or None when any of its fields is wrong (every problem is recorded)."""
    m = val.collect(val.mapping, raw, where)
    if m is None:
        return None
    n0 = len(val.errors)
    val.known(m, _CLAIM_KEYS, where)

    claim_id = val.field(m, "id", where, val.string, required=True)
    text = val.field(m, "claim", where, val.string, required=True)
    kind = val.field(m, "kind", where, val.string, required=True)
    if kind is not None and kind not in KINDS:
        val.check(False, f"{where}.kind", f"expected one of {list(KINDS)}, received {kind!r}")
        kind = None
    source = val.field(m, "source", where,
                    lambda v, w: _parse_source(val, v, w, source_files), required=True)
    symbols = val.field(m, "symbols", where, val.str_list) or ()
    dates = val.field(m, "dates", where, val.dates) or ()
    notes = val.field(m, "notes", where, val.text) or ""
    reported = val.field(m, "reported", where, val.quantity)
    qualifier = val.field(m, "qualifier", where, val.string) or "exact"
    if qualifier not in QUALIFIERS:
        val.check(False, f"{where}.qualifier",
                  f"expected one of {list(QUALIFIERS)}{did_you_mean(qualifier, QUALIFIERS)}, "
                  f"received {qualifier!r}")
    tolerance = val.field(m, "tolerance", where, val.quantity)
    tolerance_reason = val.field(m, "tolerance_reason", where, val.text) or ""
    base_date = val.field(m, "base_date", where, val.date)
    price_field = "close"
    shares: Shares | None = None
    reason = ""

    if kind == "uncheckable":
        reason = val.field(m, "reason", where, val.string, required=True) or ""
    elif kind is not None:
        reason = val.field(m, "reason", where, val.text) or ""
        price_field, shares = _check_kind(val, m, where, kind, symbols, dates, base_date)
        if reported is None:
            val.check("reported" in m and m["reported"] is not None, f"{where}.reported",
                      "required field is missing")
        else:
            tolerance, tolerance_reason = _check_values(
                val, m, where, kind, reported, qualifier, tolerance, tolerance_reason)

    if len(val.errors) > n0:
        return None
    assert claim_id is not None and text is not None and kind is not None and source is not None
    step = val.step(f"{where}.reported.value", reported.value) if reported is not None else 1.0
    if qualifier == "about" and tolerance is None and reported is not None and kind != "uncheckable":
        tolerance = Quantity(step / 2.0, _KIND_SPEC[kind][1])
        tolerance_reason = tolerance_reason or "about: half a unit of the last digit reported"
    return Claim(
        id=claim_id, claim=text, kind=kind, source=source, symbols=symbols, dates=dates,
        reported=reported, tolerance=tolerance, tolerance_reason=tolerance_reason,
        price_field=price_field, shares=shares, reason=reason, notes=notes,
        qualifier=qualifier, base_date=base_date, reported_step=step,
    )


def _check_values(
    val: _Validator, m: Mapping[str, Any], where: str, kind: str, reported: Quantity,
    qualifier: str, tolerance: Quantity | None, tolerance_reason: str,
) -> tuple[Quantity | None, str]:
    """Units, tolerance and qualifier of a checkable claim against its kind."""
    rep_unit, tol_unit, _ = _KIND_SPEC[kind]
    val.check(reported.unit == rep_unit, f"{where}.reported.unit",
              f"expected {rep_unit!r} for kind {kind!r}, received {reported.unit!r}")
    if qualifier in DIRECTIONAL:
        val.check(reported.value != 0, f"{where}.reported.value",
                  f"qualifier {qualifier!r} needs a non-zero value (its sign is the direction), "
                  "received 0")
    if tolerance is None:
        if qualifier == "exact" and not ("tolerance" in m and m["tolerance"] is not None):
            val.check(False, f"{where}.tolerance",
                      "required field is missing (or give a `qualifier` such as 'about')")
        return None, tolerance_reason
    val.check(tolerance.unit == tol_unit, f"{where}.tolerance.unit",
              f"expected {tol_unit!r} for kind {kind!r}, received {tolerance.unit!r}")
    val.check(tolerance.value >= 0, f"{where}.tolerance.value",
              f"expected a number >= 0, received {tolerance.value!r}")
    val.check(bool(tolerance_reason), f"{where}.tolerance_reason", "required field is missing")
    return tolerance, tolerance_reason


def _check_kind(
    val: _Validator, m: Mapping[str, Any], where: str, kind: str,
    symbols: tuple[str, ...], dates: tuple[pd.Timestamp, ...], base_date: pd.Timestamp | None,
) -> tuple[str, Shares | None]:
    """Symbols, dates, base date, price field and shares of a checkable ``kind``."""
    _, _, n_dates = _KIND_SPEC[kind]
    if "symbols" not in m or _collect_ok(val, where, "symbols"):
        val.check(len(symbols) == 1, f"{where}.symbols",
                  f"expected exactly 1 symbol for kind {kind!r}, received {list(symbols)!r}")
    dates_ok = "dates" not in m or _collect_ok(val, where, "dates")
    if dates_ok and val.check(len(dates) == n_dates, f"{where}.dates",
                              f"expected {n_dates} date(s) for kind {kind!r}, received {len(dates)}"):
        if kind == "price_ratio":
            val.check(dates[0] < dates[1], f"{where}.dates",
                      "expected dates[0] (base) before dates[1]")
        if base_date is not None and kind in BASE_DATE_KINDS:
            val.check(base_date < dates[0], f"{where}.base_date",
                      f"expected a date before dates[0] ({dates[0].date()}), "
                      f"received {base_date.date()}")
    if base_date is not None and kind not in BASE_DATE_KINDS:
        val.check(False, f"{where}.base_date",
                  f"only allowed for kinds {list(BASE_DATE_KINDS)}, not {kind!r}")

    default_field = "high" if kind == "intraday_high" else "close"
    price_field = val.field(m, "price_field", where, val.string) or default_field
    if price_field not in PRICE_COLUMNS[:5]:
        val.check(False, f"{where}.price_field",
                  f"expected one of {list(PRICE_COLUMNS[:5])}, received {price_field!r}")
    elif kind == "intraday_high" and price_field != "high":
        val.check(False, f"{where}.price_field",
                  f"expected 'high' for kind 'intraday_high', received {price_field!r}")

    shares: Shares | None = None
    if kind == "market_value_change":
        shares = val.field(m, "shares", where, lambda v, w: _parse_shares(val, v, w),
                        required=True)
    elif m.get("shares") is not None:
        val.check(False, f"{where}.shares",
                  f"only allowed for kind 'market_value_change', not {kind!r}")
    return price_field, shares


def _collect_ok(val: _Validator, where: str, key: str) -> bool:
    """True when no problem has been recorded at or under ``where.key``."""
    at = f"{where}.{key}"
    return not any(w == at or w.startswith((at + "[", at + ".")) for w, _ in val.errors)


def _parse_shares(val: _Validator, raw: Any, where: str) -> Shares:
    sh = val.mapping(raw, where)
    n0 = len(val.errors)
    val.known(sh, {"value", "unit", "source", "as_of"}, where)
    unit = val.field(sh, "unit", where, val.unit, required=True)
    if unit is not None and unit != "billion":
        val.check(False, f"{where}.unit", f"expected 'billion', received {unit!r}")
    value = val.field(sh, "value", where, val.number, required=True)
    if value is not None and value <= 0:
        val.check(False, f"{where}.value", f"expected a number > 0, received {short_repr(value)}")
    as_of = val.field(sh, "as_of", where, val.date)
    source = val.field(sh, "source", where, val.string, required=True)
    if len(val.errors) > n0 or value is None or source is None:
        raise _Quiet
    return Shares(value=value, source=source, as_of=as_of.date() if as_of is not None else None)


def _version(value: Any, where: str) -> int:
    if isinstance(value, bool) or value != SCHEMA_VERSION:
        raise _Invalid(where, f"expected {SCHEMA_VERSION}, received {value!r}")
    return SCHEMA_VERSION


def load_claims(path: str | Path) -> ClaimSet:
    """Read and validate a claims YAML file.

    Raises
    ------
    ClaimsFileError
        The file is missing, is not valid YAML, or fields are malformed; the
        message has one line per problem (every problem of the file), each
        naming the file, the field path (``claims[3].reported.value``) and the
        line in the file.
    """
    path = Path(path)
    doc = load_yaml_mapping(path, ClaimsFileError, "claims file")
    val = _Validator(path, _locate(path))
    top = val.mapping(doc, "(top level)")
    val.known(top, _TOP_KEYS, "(top level)")

    val.field(top, "schema_version", "", _version, required=True)
    event = val.field(top, "event", "", val.mapping, required=True)
    event_name = event_date = None
    if event is not None:
        event_name = val.field(event, "name", "event", val.string, required=True)
        event_date = val.field(event, "date", "event", val.date, required=True)

    raw_sources = top.get("sources") or []
    sources: list[SourceInfo] = []
    if val.check(isinstance(raw_sources, list), "sources",
                 f"expected a list, received {short_repr(raw_sources)}"):
        for i, s in enumerate(raw_sources):
            info = _parse_source_info(val, s, f"sources[{i}]")
            if info is not None:
                sources.append(info)
    source_files: set[str] = set()
    for i, s in enumerate(sources):
        if s.file:
            val.check(s.file not in source_files, f"sources[{i}].file", f"duplicate file {s.file!r}")
            source_files.add(s.file)

    raw_claims = top.get("claims")
    claims: list[Claim] = []
    if raw_claims is None:
        val.check(False, "claims", "required field is missing")
    elif val.check(isinstance(raw_claims, list) and bool(raw_claims), "claims",
                   f"expected a non-empty list, received {short_repr(raw_claims)}"):
        first_index: dict[str, int] = {}
        for i, raw in enumerate(raw_claims):
            c = _parse_claim(val, raw, f"claims[{i}]", source_files)
            if c is None:
                continue
            if c.id in first_index:
                val.check(False, f"claims[{i}].id",
                          f"duplicate id {c.id!r} (first used by claims[{first_index[c.id]}])")
            else:
                first_index[c.id] = i
            claims.append(c)

    if val.errors:
        raise val.error()
    assert event is not None and event_name is not None and event_date is not None
    return ClaimSet(
        path=path,
        schema_version=SCHEMA_VERSION,
        event_name=event_name,
        event_date=event_date,
        event=dict(event),
        sources=tuple(sources),
        claims=tuple(claims),
    )
