"""Claims the press writes: qualifiers, base dates, unit aliases, optional sources, all errors at once.

Expected values are worked by hand from the closes written next to each test
(the bundled fixture CSVs, fixtures/<SYMBOL>.csv, or hand-made prices), never
taken from the checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from claims_helpers import SRC, claim, write

from eventstudy.claims import check_claims, load_claims
from eventstudy.data.fixtures import CsvSource
from eventstudy.data.source import PRICE_COLUMNS
from eventstudy.errors import ClaimsFileError, NonSessionDateError
from eventstudy.resources import fixtures_dir

# Closes from the bundled fixtures (fixtures/<SYMBOL>.csv, column `close`).
MU = {"2025-01-23": 104.83999633789062, "2025-01-24": 103.19000244140625,
      "2025-01-27": 91.11000061035156}
CEG = {"2025-01-24": 347.44000244140625, "2025-01-27": 275.0}
IXIC = {"2025-01-24": 19954.3, "2025-01-27": 19341.83}
ARM = {"2025-01-24": 162.52000427246094, "2025-01-27": 145.9600067138672}


def pct(before: float, after: float) -> float:
    return (after / before - 1.0) * 100.0


def press(cid: str, symbol: str, value: float, qualifier: str | None, **extra: Any) -> dict[str, Any]:
    """A one-day-move claim on 2025-01-27 with a qualifier and no tolerance."""
    fields: dict[str, Any] = {"tolerance": None, "tolerance_reason": None, **extra}
    return claim(id=cid, symbols=[symbol], reported={"value": value, "unit": "%"},
                 qualifier=qualifier, **fields)


class Source:
    """A PriceSource over hand-made closes."""

    def __init__(self, closes: dict[str, float]) -> None:
        frame = pd.DataFrame({c: pd.Series(closes, dtype=float) for c in PRICE_COLUMNS})
        frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index), name="date")
        self.frame = frame

    def history(self, symbols: Sequence[str], start: Any = None, end: Any = None) -> dict[str, pd.DataFrame]:
        return {s: self.frame.loc[start:end] for s in symbols}

    def describe(self) -> str:
        return "hand-made closes"


def verdict(tmp_path: Path, c: dict[str, Any], closes: dict[str, float]) -> str:
    report = check_claims(load_claims(write(tmp_path, [claim(**c) if "id" not in c else c])), Source(closes))
    return str(report.results[0].verdict)


# ------------------------------------------------------- the bundled data (wire reports)


def test_more_than_almost_nearly_on_the_bundled_data(tmp_path: Path) -> None:
    mu = pct(MU["2025-01-24"], MU["2025-01-27"])      # -11.7066%
    ceg = pct(CEG["2025-01-24"], CEG["2025-01-27"])   # -20.8496%
    ixic = pct(IXIC["2025-01-24"], IXIC["2025-01-27"])  # -3.0694%
    arm = pct(ARM["2025-01-24"], ARM["2025-01-27"])   # -10.1895%
    assert -12 < mu < -11 and -21 < ceg < -20.5 and -3.1 < ixic < -3 and -10.2 < arm < -10.15
    claims = [
        press("mu-more-11", "MU", -11, "more_than"),    # -11.71 <= -11      -> holds
        press("mu-more-12", "MU", -12, "more_than"),    # -11.71 >  -12      -> fails
        press("ceg-nearly-21", "CEG", -21, "nearly"),   # 20.85 in [20.5, 21] -> holds
        press("ceg-almost-20", "CEG", -20, "almost"),   # 20.85 > 20          -> fails
        press("ixic-almost-3", "^IXIC", -3, "almost"),  # 3.07 > 3            -> fails
        press("ixic-about-3", "^IXIC", -3, "about"),    # |3.07 - 3| <= 0.5   -> holds
        press("arm-nearly-10.2", "ARM", -10.2, "nearly"),  # 10.19 in [10.15, 10.2] -> holds
        press("arm-at-most-10", "ARM", -10, "at_most"),    # 10.19 > 10        -> fails
        press("arm-less-11", "ARM", -11, "less_than"),     # 0 <= 10.19 <= 11   -> holds
        press("arm-at-least-10", "ARM", -10, "at_least"),  # 10.19 >= 10       -> holds
    ]
    report = check_claims(load_claims(write(tmp_path, claims)), CsvSource(fixtures_dir()))
    expected = {"mu-more-11": "holds", "mu-more-12": "fails", "ceg-nearly-21": "holds",
                "ceg-almost-20": "fails", "ixic-almost-3": "fails", "ixic-about-3": "holds",
                "arm-nearly-10.2": "holds", "arm-at-most-10": "fails", "arm-less-11": "holds",
                "arm-at-least-10": "holds"}
    assert {r.id: r.verdict for r in report.results} == expected
    assert report["mu-more-11"].recorded == pytest.approx(mu, abs=1e-9)
    assert report["ceg-nearly-21"].recorded == pytest.approx(ceg, abs=1e-9)
    # no hand-widened tolerance anywhere, and the output shows the qualifier
    assert all(r.claim.tolerance is None for r in report.results if r.claim.qualifier != "about")
    rows = {r[0]: r for r in report.table_rows()}
    assert rows["mu-more-11"][2] == "more than -11%" and rows["mu-more-11"][5] == "<= -11%"
    assert rows["ceg-nearly-21"][2] == "nearly -21%" and rows["ceg-nearly-21"][5] == "-21% .. -20.5%"
    assert rows["ixic-about-3"][5] == "±0.5 pp"
    frame = report.to_frame()
    assert frame.loc["arm-less-11", "qualifier"] == "less_than"
    assert (frame.loc["arm-less-11", "low"], frame.loc["arm-less-11", "high"]) == (-11.0, 0.0)


def test_base_date_on_the_bundled_data_is_used_and_noted(tmp_path: Path) -> None:
    # MU from Thursday 2025-01-23 (104.84) to 2025-01-27 (91.11) = -13.096%: "more than 13%"
    # holds from that base, though the one-day move (-11.71%) would not
    c = press("mu-since-thu", "MU", -13, "more_than", base_date="2025-01-23")
    report = check_claims(load_claims(write(tmp_path, [c])), CsvSource(fixtures_dir()))
    r = report["mu-since-thu"]
    assert r.recorded == pytest.approx(pct(MU["2025-01-23"], MU["2025-01-27"]), abs=1e-9)
    assert r.verdict == "holds"
    assert "2025-01-23" in r.note and "2025-01-24" in r.note and "previous XNYS session" in r.note
    assert "NOTE" in r.detail
    assert report.table_rows()[0][2] == "more than -13% from 2025-01-23"
    assert report.to_frame().loc["mu-since-thu", "note"] == r.note


def test_base_date_equal_to_the_previous_session_adds_no_note(tmp_path: Path) -> None:
    c = press("mu", "MU", -11, "more_than", base_date="2025-01-24")
    r = check_claims(load_claims(write(tmp_path, [c])), CsvSource(fixtures_dir()))["mu"]
    assert r.note == "" and r.verdict == "holds"
    assert r.recorded == pytest.approx(pct(MU["2025-01-24"], MU["2025-01-27"]), abs=1e-9)


def test_base_date_not_a_session_is_an_error(tmp_path: Path) -> None:
    c = press("x", "X", -10, "more_than", base_date="2025-01-20")  # MLK day
    with pytest.raises(NonSessionDateError, match="2025-01-20"):
        check_claims(load_claims(write(tmp_path, [c])), Source({"2025-01-17": 100.0, "2025-01-27": 80.0}))


# ------------------------------------------------------- each qualifier's edges


@pytest.mark.parametrize(
    ("qualifier", "reported", "close", "expected"),
    [
        ("more_than", -11, 89.0, "holds"),    # -11% exactly: the "<= -11%"
        ("more_than", -11, 89.01, "fails"),   # -10.99%
        ("more_than", 11, 111.0, "holds"),    # +11% rose more than 11%
        ("more_than", 11, 80.0, "fails"),     # a fall is not a rise of more than 11%
        ("less_than", -2, 98.0, "holds"),     # -2%
        ("less_than", -2, 100.0, "holds"),    # unchanged: fell by 0, less than 2
        ("less_than", -2, 100.5, "fails"),    # it rose: not "fell less than 2%"
        ("less_than", -2, 97.99, "fails"),    # -2.01%
        ("nearly", 3, 102.5, "holds"),        # +2.5%, the low end of [2.5, 3]
        ("nearly", 3, 103.0, "holds"),        # +3%, the high end
        ("nearly", 3, 102.49, "fails"),       # +2.49%
        ("almost", 3, 103.01, "fails"),       # +3.01%: more than 3 is not "almost 3"
        ("about", -17, 82.5, "holds"),        # -17.5%: half a unit of 17
        ("about", -17, 82.49, "fails"),       # -17.51%
        ("about", -17.4, 82.65, "holds"),     # -17.35%: half a unit of 17.4 is 0.05
        ("about", -17.4, 82.66, "fails"),     # -17.34%
    ],
)
def test_qualifier_edges(tmp_path: Path, qualifier: str, reported: float, close: float,
                         expected: str) -> None:
    c = press("x", "X", reported, qualifier)
    assert verdict(tmp_path, c, {"2025-01-24": 100.0, "2025-01-27": close}) == expected


def test_precision_comes_from_the_number_as_written(tmp_path: Path) -> None:
    # "-17.40" is given to 0.01: "about" accepts |x + 17.40| <= 0.005; 100 -> 82.595 = -17.405%
    text = (
        "schema_version: 1\nevent: {name: e, date: 2025-01-27}\nclaims:\n"
        "  - id: x\n    claim: X fell about 17.40%.\n"
        "    source: {url: 'https://example.org/a', publisher: Wire, date: 2025-01-28}\n"
        "    kind: close_to_close_change\n    symbols: [X]\n    dates: [2025-01-27]\n"
        "    reported: {value: -17.40, unit: '%'}\n    qualifier: about\n"
    )
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    cs = load_claims(path)
    assert cs["x"].tolerance is not None and cs["x"].tolerance.value == pytest.approx(0.005)
    assert check_claims(cs, Source({"2025-01-24": 100.0, "2025-01-27": 82.595})).results[0].verdict == "holds"
    assert check_claims(cs, Source({"2025-01-24": 100.0, "2025-01-27": 82.594})).results[0].verdict == "fails"


def test_explicit_tolerance_sets_the_band_of_nearly_and_slack_of_more_than(tmp_path: Path) -> None:
    # "nearly 30%" with an explicit 2 pp band: [28, 30]; 100 -> 128.5 = +28.5% holds
    c = press("x", "X", 30, "nearly", tolerance={"value": 2, "unit": "pp"}, tolerance_reason="r")
    assert verdict(tmp_path, c, {"2025-01-24": 100.0, "2025-01-27": 128.5}) == "holds"
    assert verdict(tmp_path, c, {"2025-01-24": 100.0, "2025-01-27": 127.9}) == "fails"
    # "more than $500bn" lost, with 5bn of share-count slack: (90 - 100) x 49.6 = -496 holds
    mv = claim(id="mv", kind="market_value_change", qualifier="more_than",
               reported={"value": -500, "unit": "usd_bn"}, tolerance={"value": 5, "unit": "USD_bn"},
               shares={"value": 49.6, "unit": "bn", "source": "10-Q"})
    assert verdict(tmp_path, mv, {"2025-01-24": 100.0, "2025-01-27": 90.0}) == "holds"


# ------------------------------------------------------- schema: aliases, sources


def test_unit_aliases_load_as_the_canonical_units(tmp_path: Path) -> None:
    mv = claim(id="mv", kind="market_value_change", reported={"value": -589, "unit": "usd_bn"},
               tolerance={"value": 6.5, "unit": "USD_bn"},
               shares={"value": 24.49, "unit": "bn", "source": "10-Q"})
    pc = claim(reported={"value": -17, "unit": "%"}, tolerance={"value": 0.5, "unit": "pp"})
    cs = load_claims(write(tmp_path, [pc, mv]))
    assert cs["x-1d"].reported is not None and cs["x-1d"].reported.unit == "percent"
    assert cs["x-1d"].tolerance is not None and cs["x-1d"].tolerance.unit == "percentage_points"
    assert cs["mv"].reported is not None and cs["mv"].reported.unit == "USD_billions"
    assert cs["mv"].shares is not None and cs["mv"].shares.value == 24.49


def test_sources_are_optional_and_a_claim_source_may_be_a_url(tmp_path: Path) -> None:
    doc = {"schema_version": 1, "event": {"name": "e", "date": "2025-01-27"},
           "claims": [press("x", "X", -11, "more_than", source={
               "url": "https://example.org/wire", "publisher": "Wire", "date": "2025-01-27"})]}
    path = tmp_path / "nosources.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    cs = load_claims(path)
    assert cs.sources == ()
    assert cs["x"].source.url == "https://example.org/wire" and cs["x"].source.file == ""
    # a sources entry no longer needs a language
    doc["sources"] = [dict(SRC)]
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_claims(path).sources[0].language == ""


# ------------------------------------------------------- errors: all of them, with lines


def test_every_error_of_a_file_is_reported_at_once_with_field_and_line(tmp_path: Path) -> None:
    text = """schema_version: 1
event: {name: e, date: 2025-01-27}
claims:
  - id: a
    claim: A fell more than 11%.
    source: {publisher: Wire, date: 2025-01-28}
    kind: close_to_close_change
    symbols: [A]
    dates: [2025-01-27]
    reported: {value: -11, unit: '%'}
    qualifier: more than
  - id: b
    claim: B fell 3%.
    source: {file: b.txt, publisher: Wire, date: 2025-01-28}
    kind: close_to_close_change
    symbols: [B]
    dates: [2025-01-27]
    base_date: 2025-01-28
    reported: {value: abc, unit: '%'}
    tolerance: {value: 0.5, unit: pp}
    tolerance_reason: whole percent
  - id: c
    claim: C nearly flat.
    source: {file: c.txt, publisher: Wire, date: 2025-01-28}
    kind: price_ratio
    symbols: [C]
    dates: [2025-01-02, 2025-01-27]
    base_date: 2025-01-02
    reported: {value: 0, unit: ratio}
    qualifier: nearly
"""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    lines = str(info.value).splitlines()
    assert lines == [
        f"{path}: claims[0].source.file: required field is missing (give a `file` or a `url`) (line 6)",
        f"{path}: claims[0].qualifier: expected one of ['exact', 'about', 'more_than', 'at_least', "
        "'less_than', 'at_most', 'nearly', 'almost'] (did you mean 'more_than'?), "
        f"received 'more than' (line 11)",
        f"{path}: claims[1].reported.value: expected a number, received 'abc' (line 19)",
        f"{path}: claims[1].base_date: expected a date before dates[0] (2025-01-27), "
        "received 2025-01-28 (line 18)",
        f"{path}: claims[2].base_date: only allowed for kinds ['close_to_close_change', "
        "'market_value_change'], not 'price_ratio' (line 28)",
        f"{path}: claims[2].reported.value: qualifier 'nearly' needs a non-zero value "
        "(its sign is the direction), received 0 (line 29)",
    ]


def test_a_missing_field_names_the_line_of_its_mapping(tmp_path: Path) -> None:
    text = ("schema_version: 1\nevent: {name: e, date: 2025-01-27}\nclaims:\n"
            "  - id: a\n    claim: A.\n    source: {file: a.txt, publisher: W, date: 2025-01-28}\n"
            "    kind: uncheckable\n")
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    assert str(info.value) == f"{path}: claims[0].reason: required field is missing (line 4)"


def test_strict_yaml_edges_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("schema_version: 1\nschema_version: 1\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError, match="appears twice"):
        load_claims(path)
    path.write_text("schema_version: 1\nevent: {name: e, date: 2025-02-30}\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError, match="expected a valid date"):
        load_claims(path)


def test_an_unknown_key_does_not_hide_a_missing_source_file(tmp_path: Path) -> None:
    c = press("x", "X", -11, "more_than", source={"publisher": "W", "date": "2025-01-28"},
              tolerence=1)
    path = write(tmp_path, [c])
    with pytest.raises(ClaimsFileError) as info:
        load_claims(path)
    fields = [line.split(": ")[1] for line in str(info.value).splitlines()]
    assert fields == ["claims[0]", "claims[0].source.file"]
    assert "unknown field 'tolerence' (did you mean 'tolerance'?)" in str(info.value)
