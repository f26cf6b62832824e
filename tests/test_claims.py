"""Claims: loading/validation and the checks, on a tiny in-memory price source.

Expected values are worked by hand from the prices the tests put in (or quoted
in shared/market-data/SOURCES.md for the bundled-data test), never taken from
the code under test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from claims_helpers import SRC, claim, write

from eventstudy.claims import (
    FRAME_COLUMNS,
    ClaimSet,
    check_claims,
    load_claims,
)
from eventstudy.data.source import PRICE_COLUMNS, PriceSource
from eventstudy.errors import (
    ClaimsFileError,
    DataError,
    MissingPriceError,
    NonSessionDateError,
    UnknownSymbolError,
)


class MemorySource:
    """Minimal PriceSource over hand-made frames."""

    def __init__(self, rows: dict[str, dict[str, dict[str, float]]], basis: Any = None) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        for symbol, by_date in rows.items():
            frame = pd.DataFrame.from_dict(by_date, orient="index")
            frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index), name="date")
            for col in PRICE_COLUMNS:
                if col not in frame:
                    frame[col] = float("nan")
            self.frames[symbol] = frame[list(PRICE_COLUMNS)].astype(float).sort_index()
        self._basis = basis
        self.calls: list[tuple[tuple[str, ...], Any, Any]] = []

    def history(
        self,
        symbols: Sequence[str],
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> dict[str, pd.DataFrame]:
        self.calls.append((tuple(symbols), start, end))
        unknown = [s for s in symbols if s not in self.frames]
        if unknown:
            raise UnknownSymbolError(unknown, "memory", self.frames)
        return {s: self.frames[s].loc[start:end] for s in symbols}

    def describe(self) -> str:
        return "memory source"

    def basis(self, symbol: str) -> Any:
        if self._basis is None:
            raise AttributeError("no basis")
        return self._basis


def closes(values: dict[str, float]) -> dict[str, dict[str, float]]:
    return {d: {"open": v, "high": v, "low": v, "close": v} for d, v in values.items()}




def run(tmp_path: Path, claims: list[dict[str, Any]], source: PriceSource) -> Any:
    return check_claims(load_claims(write(tmp_path, claims)), source)


# ----------------------------------------------------------------------- the kinds


def test_close_to_close_change_hand_computed(tmp_path: Path) -> None:
    # 200 -> 150 is -25% exactly
    src = MemorySource(
        {"X": closes({"2025-01-23": 190.0, "2025-01-24": 200.0, "2025-01-27": 150.0})}
    )
    report = run(tmp_path, [claim(reported={"value": -24.8, "unit": "percent"})], src)
    r = report["x-1d"]
    assert r.recorded == pytest.approx(-25.0, abs=1e-12)
    assert r.difference == pytest.approx(-0.2, abs=1e-12)
    assert r.verdict == "holds"
    assert report.all_hold


def test_close_to_close_uses_nyse_previous_session_not_previous_row(tmp_path: Path) -> None:
    # 2025-01-20 (MLK day) is not an NYSE session: the change on 2025-01-21 is
    # measured from 2025-01-17 (100 -> 110 = +10%), even though the data carry a
    # (bogus) 2025-01-20 row at 50.
    src = MemorySource(
        {"X": closes({"2025-01-17": 100.0, "2025-01-20": 50.0, "2025-01-21": 110.0})}
    )
    c = claim(
        dates=["2025-01-21"],
        reported={"value": 10, "unit": "percent"},
        tolerance={"value": 0.05, "unit": "percentage_points"},
    )
    r = run(tmp_path, [c], src)["x-1d"]
    assert r.recorded == pytest.approx(10.0, abs=1e-9)
    assert r.verdict == "holds"


def test_close_to_close_missing_previous_row_is_an_error_naming_symbol_and_date(
    tmp_path: Path,
) -> None:
    # 2025-01-24 is missing: never fall back to 2025-01-23
    src = MemorySource({"X": closes({"2025-01-23": 200.0, "2025-01-27": 150.0})})
    with pytest.raises(DataError, match=r"'X'.*2025-01-24"):
        run(tmp_path, [claim()], src)


def test_nan_price_is_missing_price_error(tmp_path: Path) -> None:
    rows = closes({"2025-01-24": 200.0, "2025-01-27": 150.0})
    rows["2025-01-24"]["close"] = float("nan")
    with pytest.raises(MissingPriceError, match="2025-01-24"):
        run(tmp_path, [claim()], MemorySource({"X": rows}))


def test_non_session_date_is_an_error(tmp_path: Path) -> None:
    src = MemorySource({"X": closes({"2025-01-17": 100.0, "2025-01-21": 110.0})})
    with pytest.raises(NonSessionDateError, match="2025-01-20"):
        run(tmp_path, [claim(dates=["2025-01-20"])], src)


def test_intraday_high(tmp_path: Path) -> None:
    rows = {"2025-01-07": {"open": 153.03, "high": 153.13, "low": 140.01, "close": 140.14}}
    c = claim(
        id="x-high",
        kind="intraday_high",
        dates=["2025-01-07"],
        reported={"value": 153, "unit": "USD"},
        tolerance={"value": 0.5, "unit": "USD"},
    )
    r = run(tmp_path, [c], MemorySource({"X": rows}))["x-high"]
    assert r.recorded == pytest.approx(153.13)
    assert r.difference == pytest.approx(0.13)
    assert r.verdict == "holds"
    assert r.basis.startswith("high")


def test_price_ratio(tmp_path: Path) -> None:
    # 10 -> 40 is 4x; reported 5x with tolerance 0.5 fails by 1.0
    src = MemorySource({"X": closes({"2023-01-03": 10.0, "2023-06-01": 99.0, "2025-01-24": 40.0})})
    c = claim(
        id="x-ratio",
        kind="price_ratio",
        dates=["2023-01-03", "2025-01-24"],
        reported={"value": 5, "unit": "ratio"},
        tolerance={"value": 0.5, "unit": "ratio"},
    )
    r = run(tmp_path, [c], src)["x-ratio"]
    assert r.recorded == pytest.approx(4.0)
    assert r.difference == pytest.approx(-1.0)
    assert r.verdict == "fails"


def test_market_value_change(tmp_path: Path) -> None:
    # (118.42 - 142.62) x 24.49bn = -24.20 x 24.49 = -592.658 USD bn
    src = MemorySource({"X": closes({"2025-01-24": 142.62, "2025-01-27": 118.42})})
    c = claim(
        id="x-mv",
        kind="market_value_change",
        reported={"value": -589, "unit": "USD_billions"},
        tolerance={"value": 6.5, "unit": "USD_billions"},
        shares={"value": 24.49, "unit": "billion", "source": "10-Q", "as_of": "2024-11-15"},
    )
    r = run(tmp_path, [c], src)["x-mv"]
    assert r.recorded == pytest.approx(-592.658, abs=1e-9)
    assert r.difference == pytest.approx(-3.658, abs=1e-9)
    assert r.verdict == "holds"


def test_uncheckable_is_reported_and_ignored_by_all_hold(tmp_path: Path) -> None:
    src = MemorySource({"X": closes({"2025-01-24": 200.0, "2025-01-27": 150.0})})
    u = {
        "id": "x-forecast",
        "claim": "The next fall could be twice as big.",
        "source": dict(SRC),
        "kind": "uncheckable",
        "reason": "a forecast",
    }
    report = run(tmp_path, [claim(), u], src)
    assert report["x-forecast"].verdict == "uncheckable"
    assert report["x-forecast"].recorded is None
    assert report.count("uncheckable") == 1
    assert report.all_hold
    assert report.summary == "2 claims: 1 hold, 0 fail, 1 uncheckable"
    # only the checkable claim's symbol was asked for
    assert [call[0] for call in src.calls] == [("X",)]


def test_unknown_symbol_propagates(tmp_path: Path) -> None:
    src = MemorySource({"X": closes({"2025-01-24": 200.0, "2025-01-27": 150.0})})
    with pytest.raises(UnknownSymbolError, match="NOPE"):
        run(tmp_path, [claim(symbols=["NOPE"])], src)


# ------------------------------------------------------------------ tolerance edge


@pytest.mark.parametrize(
    ("close", "tolerance", "verdict"),
    [
        (95.5, 0.5, "holds"),  # -4.5% vs -5: |diff| = 0.5 exactly -> holds
        (95.5, 0.49999, "fails"),  # same diff, tolerance just below it
        (95.51, 0.5, "fails"),  # -4.49%: |diff| = 0.51 -> just above
    ],
)
def test_tolerance_edge_percent(
    tmp_path: Path, close: float, tolerance: float, verdict: str
) -> None:
    src = MemorySource({"X": closes({"2025-01-24": 100.0, "2025-01-27": close})})
    c = claim(
        reported={"value": -5.0, "unit": "percent"},
        tolerance={"value": tolerance, "unit": "percentage_points"},
    )
    assert run(tmp_path, [c], src)["x-1d"].verdict == verdict


@pytest.mark.parametrize(
    ("close", "verdict"),
    [
        (79.15, "holds"),  # -20.85%: rounds (half) to -20.8/-20.9 edge, |diff| = 0.05 -> holds
        (79.16, "holds"),  # -20.84%
        (79.14, "fails"),  # -20.86% rounds to -20.9
        (79.26, "fails"),  # -20.74% rounds to -20.7
    ],
)
def test_tolerance_edge_one_decimal(tmp_path: Path, close: float, verdict: str) -> None:
    src = MemorySource({"X": closes({"2025-01-24": 100.0, "2025-01-27": close})})
    c = claim(
        reported={"value": -20.8, "unit": "percent"},
        tolerance={"value": 0.05, "unit": "percentage_points"},
    )
    assert run(tmp_path, [c], src)["x-1d"].verdict == verdict


@pytest.mark.parametrize(
    ("high", "verdict"), [(153.5, "holds"), (153.5001, "fails"), (152.5, "holds")]
)
def test_tolerance_edge_usd(tmp_path: Path, high: float, verdict: str) -> None:
    rows = {"2025-01-07": {"open": 150.0, "high": high, "low": 140.0, "close": 141.0}}
    c = claim(
        kind="intraday_high",
        dates=["2025-01-07"],
        reported={"value": 153, "unit": "USD"},
        tolerance={"value": 0.5, "unit": "USD"},
    )
    assert run(tmp_path, [c], MemorySource({"X": rows}))["x-1d"].verdict == verdict


# ------------------------------------------------------------------ report object


def test_report_frame_basis_and_immutability(tmp_path: Path) -> None:
    basis = {"close": "printed close", "adj_close": "adjusted", "dividend_adjusted_close": False}
    src = MemorySource({"X": closes({"2025-01-24": 200.0, "2025-01-27": 150.0})}, basis=basis)
    report = run(tmp_path, [claim(reported={"value": -20, "unit": "percent"})], src)
    frame = report.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert frame.index.name == "id"
    row = frame.loc["x-1d"]
    assert row["verdict"] == "fails"
    assert row["recorded"] == pytest.approx(-25.0)
    assert row["difference"] == pytest.approx(-5.0)
    assert row["tolerance"] == 0.5
    assert row["unit"] == "percent"
    assert row["symbols"] == "X"
    assert row["dates"] == "2025-01-27"
    assert row["basis"] == "close: printed close (dividend-adjusted: no)"
    assert not report.all_hold
    text = str(report)
    assert "x-1d" in text and "fails" in text
    assert text.splitlines()[-1] == "1 claims: 0 hold, 1 fail, 0 uncheckable"
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.results = ()  # type: ignore[misc]


def test_basis_without_source_information(tmp_path: Path) -> None:
    src = MemorySource({"X": closes({"2025-01-24": 200.0, "2025-01-27": 150.0})})
    r = run(tmp_path, [claim()], src)["x-1d"]
    assert r.basis.startswith("close:") and "not stated" in r.basis


# ------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("claims", "field", "message"),
    [
        ([claim(id=None)], "claims[0].id", "required field is missing"),
        ([claim(kind="one_day_move")], "claims[0].kind", "'one_day_move'"),
        (
            [claim(reported={"value": "abc", "unit": "percent"})],
            "claims[0].reported.value",
            "expected a number, received 'abc'",
        ),
        ([claim(tolerance=None)], "claims[0].tolerance", "required field is missing"),
        ([claim(), claim()], "claims[1].id", "duplicate id 'x-1d' (first used by claims[0])"),
        (
            [claim(reported={"value": -25, "unit": "pct"})],
            "claims[0].reported.unit",
            "expected 'percent'",
        ),
        ([claim(tolerance_reason=None)], "claims[0].tolerance_reason", "required field"),
        ([claim(dates=["2025-13-40"])], "claims[0].dates[0]", "expected a date"),
        ([claim(symbols=["A", "B"])], "claims[0].symbols", "exactly 1 symbol"),
        ([claim(tolerence=1)], "claims[0]", "unknown field 'tolerence' (did you mean 'tolerance'?)"),
        (
            [claim(kind="uncheckable", tolerance=None, tolerance_reason=None)],
            "claims[0].reason",
            "required field is missing",
        ),
        (
            [
                claim(
                    kind="market_value_change",
                    reported={"value": -1, "unit": "USD_billions"},
                    tolerance={"value": 1, "unit": "USD_billions"},
                )
            ],
            "claims[0].shares",
            "required field is missing",
        ),
        (
            [claim(source={**SRC, "file": "other.txt"})],
            "claims[0].source.file",
            "'other.txt'",
        ),
        (
            [claim(tolerance={"value": -1, "unit": "percentage_points"})],
            "claims[0].tolerance.value",
            ">= 0",
        ),
        ([claim(reported={"value": True, "unit": "percent"})], "claims[0].reported.value", "True"),
    ],
)
def test_malformed_claims_name_file_and_field(
    tmp_path: Path, claims: list[dict[str, Any]], field: str, message: str
) -> None:
    path = write(tmp_path, claims)
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    text = str(info.value)
    assert text.startswith(f"{path}: {field}: ")
    assert message in text


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nclaims: [\n  - id: a\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError, match=r"broken\.yaml: invalid YAML"):
        load_claims(path)


def test_top_level_errors(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump({"schema_version": 2, "event": {}, "claims": []}), "utf-8")
    with pytest.raises(ClaimsFileError, match=r"v\.yaml: schema_version: expected 1, received 2"):
        load_claims(path)
    with pytest.raises(ClaimsFileError, match="not found"):
        load_claims(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    with pytest.raises(ClaimsFileError, match="empty"):
        load_claims(empty)


def test_load_valid_file_round_trip(tmp_path: Path) -> None:
    cs = load_claims(write(tmp_path, [claim()]))
    assert isinstance(cs, ClaimSet)
    assert cs.ids == ("x-1d",)
    c = cs["x-1d"]
    assert c.dates == (pd.Timestamp("2025-01-27"),)
    assert c.price_field == "close"
    assert c.reported is not None and c.reported.value == -25.0
    assert c.source.publisher == "Test Press"
    assert cs.event_date == pd.Timestamp("2025-01-27")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.id = "y"  # type: ignore[misc]


# -------------------------------------------------------- bundled data (integration)


def _pct(before: float, after: float) -> float:
    return (after / before - 1.0) * 100.0


#: Closes 2025-01-24 -> 2025-01-27 as quoted in shared/market-data/SOURCES.md.
SOURCES_MD_CLOSES = {
    "nvda-1d-002": (142.6199951171875, 118.41999816894531),
    "nvda-1d-003": (142.6199951171875, 118.41999816894531),
    "avgo-1d-003": (244.6999969482422, 202.1300048828125),
    "mu-1d-003": (103.19000244140625, 91.11000061035156),
    "arm-1d-003": (162.52000427246094, 145.9600067138672),
    "asml-1d-003": (724.3635864257812, 682.717041015625),
    "ceg-1d-003": (347.44000244140625, 275.0),
    "ixic-1d-003": (19954.3, 19341.83),
    "sox-1d-003": (5341.94, 4853.24),
}


def test_bundled_claims_on_bundled_fixtures() -> None:
    from eventstudy.data.fixtures import CsvSource
    from eventstudy.resources import default_claims_paths, fixtures_dir

    paths = default_claims_paths()
    assert [p.name for p in paths] == ["deepseek-2025-01-27.yaml", "deepseek-tokyo-2025-01-27.yaml"]
    cs = load_claims(paths[0])
    report = check_claims(cs, CsvSource(fixtures_dir()))
    for claim_id, (before, after) in SOURCES_MD_CLOSES.items():
        r = report[claim_id]
        assert r.recorded == pytest.approx(_pct(before, after), abs=1e-9), claim_id
        assert r.verdict == "holds", claim_id
    # the two near-edge claims: CEG -20.8496% vs -20.8 and ^SOX -9.1484% vs -9.1
    assert abs(report["ceg-1d-003"].difference or 0) == pytest.approx(0.04964, abs=1e-4)
    assert abs(report["sox-1d-003"].difference or 0) == pytest.approx(0.04836, abs=1e-4)
    # NVDA market value: (118.41999816894531 - 142.6199951171875) x 24.49bn
    mv = (118.41999816894531 - 142.6199951171875) * 24.49
    assert report["nvda-mv-002"].recorded == pytest.approx(mv, abs=1e-9)
    # NVDA 2025-01-07 high 153.1300048828125; 2023-01-03 close 14.3149995803833
    assert report["nvda-high-2025-01-07-002"].recorded == pytest.approx(153.1300048828125)
    assert report["nvda-10x-since-2023-002"].recorded == pytest.approx(
        142.6199951171875 / 14.3149995803833
    )
    assert report.all_hold
    assert report.count("fails") == 0
    frame = report.to_frame()
    checkable = frame[frame["verdict"] != "uncheckable"]
    assert (checkable["verdict"] == "holds").all()
    assert "dividend-adjusted: yes" in str(frame.loc["asml-1d-003", "basis"])
    assert "dividend-adjusted: no" in str(frame.loc["nvda-1d-002", "basis"])
    unch = frame[frame["verdict"] == "uncheckable"]
    assert len(unch) >= 6 and unch["detail"].str.len().gt(0).all()
