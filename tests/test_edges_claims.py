"""Edges of the claims loader and checker: values on a boundary, the calendar's ends, strict types.

Every expected value is worked by hand from the prices put in (written next to
the assertion) or taken from exchange_calendars; none comes from the checker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import exchange_calendars as xcals
import pandas as pd
import pytest
import yaml
from claims_helpers import SRC, claim, write

from eventstudy.claims import check_claims, load_claims
from eventstudy.data.source import PRICE_COLUMNS
from eventstudy.errors import CalendarError, ClaimsFileError, DataError


class Source:
    """A PriceSource over hand-made closes; ``drop`` symbols are silently left out."""

    def __init__(self, rows: Mapping[str, Mapping[str, Mapping[str, float]]], *, basis: Any = None,
                 manifest: Any = None, drop: Sequence[str] = ()) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        for symbol, by_date in rows.items():
            frame = pd.DataFrame.from_dict(dict(by_date), orient="index")
            frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index), name="date")
            for col in PRICE_COLUMNS:
                if col not in frame:
                    frame[col] = float("nan")
            self.frames[symbol] = frame[list(PRICE_COLUMNS)].astype(float).sort_index()
        self._basis = basis
        self.manifest = manifest
        self.drop = set(drop)

    def history(self, symbols: Sequence[str], start: Any = None, end: Any = None) -> dict[str, pd.DataFrame]:
        return {s: self.frames[s].loc[start:end] for s in symbols if s not in self.drop}

    def describe(self) -> str:
        return "edge source"

    def basis(self, symbol: str) -> Any:
        return self._basis


def px(values: Mapping[str, float], **extra: float) -> dict[str, dict[str, float]]:
    """Rows with open = high = low = close = adj_close = value (plus ``extra`` columns)."""
    return {d: {"open": v, "high": v, "low": v, "close": v, "adj_close": v, **extra}
            for d, v in values.items()}


def run(tmp_path: Path, claims: list[dict[str, Any]], source: Source) -> Any:
    return check_claims(load_claims(write(tmp_path, claims)), source)


XNYS = xcals.get_calendar("XNYS")  # the checker's own default-span calendar


# ---------------------------------------------------------- the calendar's ends


def test_change_on_the_calendars_first_session_has_no_previous_session(tmp_path: Path) -> None:
    first = XNYS.first_session
    src = Source({"X": px({str(first.date()): 100.0})})
    c = claim(dates=[str(first.date())])
    with pytest.raises(CalendarError, match=str(first.date())):
        run(tmp_path, [c], src)


def test_change_on_the_calendars_last_session_is_checked(tmp_path: Path) -> None:
    last, prev = XNYS.last_session, XNYS.previous_session(XNYS.last_session)
    # 200 -> 150 = -25%, reported -25 -> holds
    src = Source({"X": px({str(prev.date()): 200.0, str(last.date()): 150.0})})
    r = run(tmp_path, [claim(dates=[str(last.date())])], src)["x-1d"]
    assert r.recorded == pytest.approx(-25.0, abs=1e-12)
    assert r.verdict == "holds"


# ---------------------------------------------------------- report objects


def test_count_refuses_an_unknown_verdict_and_all_hold_needs_no_failure(tmp_path: Path) -> None:
    # X: 200 -> 150 = -25% (holds); Y: 100 -> 90 = -10% vs -25 (fails)
    src = Source({"X": px({"2025-01-24": 200.0, "2025-01-27": 150.0}),
                  "Y": px({"2025-01-24": 100.0, "2025-01-27": 90.0})})
    report = run(tmp_path, [claim(), claim(id="y-1d", symbols=["Y"])], src)
    assert report["x-1d"].verdict == "holds" and report["y-1d"].verdict == "fails"
    assert report.count("holds") == 1 and report.count("fails") == 1
    assert not report.all_hold
    with pytest.raises(ValueError, match="verdict"):
        report.count("hold")


def test_a_symbol_the_source_does_not_return_is_a_data_error(tmp_path: Path) -> None:
    src = Source({"X": px({"2025-01-24": 200.0, "2025-01-27": 150.0})}, drop=["X"])
    with pytest.raises(DataError, match=r"returned no frame for \['X'\]"):
        run(tmp_path, [claim()], src)


def test_table_rows_decimals_and_uncheckable_tolerance(tmp_path: Path) -> None:
    # 300 -> 200 = -33.333...%: printed to 4 decimals; difference vs -25 = -8.3333 pp
    src = Source({"X": px({"2025-01-24": 300.0, "2025-01-27": 200.0})})
    u = {"id": "u", "claim": "Could fall more.", "source": dict(SRC), "kind": "uncheckable",
         "reason": "a forecast", "tolerance": {"value": 1, "unit": "percentage_points"}}
    report = run(tmp_path, [claim(), u], src)
    rows = {r[0]: r for r in report.table_rows()}
    assert rows["x-1d"] == ("x-1d", "X", "-25%", "-33.3333%", "-8.3333 pp", "±0.5 pp", "fails")
    assert rows["u"] == ("u", "-", "-", "-", "-", "-", "uncheckable")
    assert report.summary == "2 claims: 0 hold, 1 fail, 1 uncheckable"


def test_tolerance_slack_is_float_noise_only(tmp_path: Path) -> None:
    # ratio 45.005 / 10 = 4.5005 vs 4 +- 0.5: off by 0.0005 -> fails
    src = Source({"X": px({"2024-01-03": 10.0, "2025-01-24": 45.005})})
    c = claim(kind="price_ratio", dates=["2024-01-03", "2025-01-24"],
              reported={"value": 4, "unit": "ratio"}, tolerance={"value": 0.5, "unit": "ratio"})
    assert run(tmp_path, [c], src)["x-1d"].verdict == "fails"


# ---------------------------------------------------------- basis wording


def test_high_shares_the_close_basis_and_adj_close_gets_no_dividend_mark(tmp_path: Path) -> None:
    basis = {"close": "  split-adjusted close  ", "adj_close": "adjusted close",
             "dividend_adjusted_close": True}
    rows = px({"2025-01-24": 200.0, "2025-01-27": 150.0})
    src = Source({"X": rows}, basis=basis)
    high = claim(id="h", kind="intraday_high", reported={"value": 150, "unit": "USD"},
                 tolerance={"value": 1, "unit": "USD"})
    adj = claim(id="a", price_field="adj_close")
    report = run(tmp_path, [high, adj], src)
    assert report["h"].basis == "high: split-adjusted close (dividend-adjusted: yes)"
    assert report["a"].basis == "adj_close: adjusted close"


def test_adj_close_fallback_wording(tmp_path: Path) -> None:
    src = Source({"X": px({"2025-01-24": 200.0, "2025-01-27": 150.0})})
    r = run(tmp_path, [claim(price_field="adj_close")], src)["x-1d"]
    assert r.basis == "adj_close: split- and dividend-adjusted per the PriceSource schema"


def test_manifest_list_entry_of_the_right_symbol(tmp_path: Path) -> None:
    manifest = {"symbols": [{"symbol": "Y", "close": "other basis"},
                            {"symbol": "X", "close": "X's own basis"}]}
    src = Source({"X": px({"2025-01-24": 200.0, "2025-01-27": 150.0})}, manifest=manifest)
    assert run(tmp_path, [claim()], src)["x-1d"].basis == "close: X's own basis"


# ---------------------------------------------------------- loader: strict values


def _refused(tmp_path: Path, claims: list[dict[str, Any]], field: str, message: str) -> None:
    path = write(tmp_path, claims)
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    assert str(info.value).startswith(f"{path}: {field}: ")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("claims", "field", "message"),
    [
        ([claim(id="   ")], "claims[0].id", "non-empty string"),
        ([claim(reported={"value": float("inf"), "unit": "percent"})], "claims[0].reported.value",
         "finite"),
        ([claim(dates=[dt.datetime(2025, 1, 27, 10, 0)])], "claims[0].dates[0]", "expected a date"),
        ([claim(reported={"value": -25, "unit": "percent", "note": "x"})], "claims[0].reported",
         "unknown field 'note'"),
        ([claim(symbols=[])], "claims[0].symbols", "exactly 1 symbol"),
        ([claim(kind="price_ratio", dates=["2025-01-24", "2025-01-24"],
                reported={"value": 1, "unit": "ratio"}, tolerance={"value": 0.1, "unit": "ratio"})],
         "claims[0].dates", "before dates[1]"),
        ([claim(kind="intraday_high", price_field="close", reported={"value": 1, "unit": "USD"},
                tolerance={"value": 1, "unit": "USD"})], "claims[0].price_field", "expected 'high'"),
        ([claim(shares={"value": 1, "unit": "billion", "source": "10-Q"})], "claims[0].shares",
         "only allowed for kind 'market_value_change'"),
        ([claim(source={**SRC, "date": True})], "claims[0].source.date", "expected a string"),
    ],
)
def test_loader_refuses(tmp_path: Path, claims: list[dict[str, Any]], field: str, message: str) -> None:
    _refused(tmp_path, claims, field, message)


def _mv(**shares: Any) -> dict[str, Any]:
    return claim(kind="market_value_change", reported={"value": -1, "unit": "USD_billions"},
                 tolerance={"value": 1, "unit": "USD_billions"},
                 shares={"value": 2.0, "unit": "billion", "source": "10-Q", **shares})


@pytest.mark.parametrize(
    ("shares", "field", "message"),
    [({"unit": "million"}, "claims[0].shares.unit", "expected 'billion'"),
     ({"value": 0}, "claims[0].shares.value", "expected a number > 0")],
)
def test_loader_refuses_bad_shares(tmp_path: Path, shares: dict[str, Any], field: str, message: str) -> None:
    _refused(tmp_path, [_mv(**shares)], field, message)


def test_zero_tolerance_adj_close_and_a_single_symbol_string_load(tmp_path: Path) -> None:
    c = claim(tolerance={"value": 0, "unit": "percentage_points"}, price_field="adj_close", symbols="X")
    loaded = load_claims(write(tmp_path, [c]))["x-1d"]
    assert loaded.tolerance is not None and loaded.tolerance.value == 0.0
    assert loaded.price_field == "adj_close"
    assert loaded.symbols == ("X",)


def _doc(tmp_path: Path, **top: Any) -> Path:
    doc: dict[str, Any] = {"schema_version": 1, "event": {"name": "e", "date": "2025-01-27"},
                           "sources": [{**SRC, "language": "en"}], "claims": [claim()]}
    doc.update(top)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("top", "message"),
    [({"schema_version": True}, "schema_version: expected 1, received True"),
     ({"sources": [{**SRC, "language": "en"}, {**SRC, "language": "fr"}]},
      "sources[1].file: duplicate file 'a.txt'"),
     ({"claims": []}, "claims: expected a non-empty list")],
)
def test_loader_refuses_top_level(tmp_path: Path, top: dict[str, Any], message: str) -> None:
    path = _doc(tmp_path, **top)
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    assert str(info.value) == f"{path}: {message}" or str(info.value).startswith(f"{path}: {message}")


def test_an_empty_claims_file_is_named_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    assert str(info.value) == f"{path}: the claims file is empty; expected a mapping of fields."


def test_a_difference_equal_to_the_tolerance_holds_despite_float_noise(tmp_path: Path) -> None:
    # 100 -> 95.5 is -4.5%; reported -4 with tolerance 0.5 pp: |-4.5 - (-4)| = 0.5, on the tolerance.
    # In floating point (0.955 - 1) * 100 = -4.500000000000004, so only the slack keeps it 'holds'.
    src = Source({"X": px({"2025-01-24": 100.0, "2025-01-27": 95.5})})
    c = claim(reported={"value": -4, "unit": "percent"})
    r = run(tmp_path, [c], src)["x-1d"]
    assert abs(r.difference) > 0.5  # the float noise this test is about
    assert r.verdict == "holds"
