"""``eventstudy check``: exit codes, output, and error messages on the bundled data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from claims_helpers import SRC, claim, write

from eventstudy.cli import main
from eventstudy.resources import fixtures_dir

#: Every stock / index claim of the bundled file (the checkable one-day moves).
STOCK_CLAIMS = (
    "nvda-1d-002",
    "nvda-1d-003",
    "avgo-1d-003",
    "mu-1d-003",
    "arm-1d-003",
    "asml-1d-003",
    "ceg-1d-003",
    "ixic-1d-003",
    "sox-1d-003",
    "nvda-mv-002",
    "nvda-mv-003",
    "nvda-high-2025-01-07-002",
    "nvda-10x-since-2023-002",
    # Tokyo (seeds/deepseek-tokyo-2025-01-27.yaml), measured on Tokyo sessions
    "advantest-1d-cnbc",
    "tel-1d-cnbc",
    "softbank-1d-cnbc",
    "fujikura-1d-cnbc",
    "nikkei-1d-taipeitimes",
    "advantest-2d-taipeitimes",
    "tel-2d-taipeitimes",
    "disco-2d-taipeitimes",
    "softbank-2d-taipeitimes",
)


def nvda_claim(**overrides: Any) -> dict[str, Any]:
    """NVIDIA's 17% one-day fall (holds on the bundled data)."""
    nvda = {"id": "nvda-1d", "claim": "NVIDIA fell 17% on 27 January 2025.", "symbols": ["NVDA"],
            "reported": {"value": -17, "unit": "percent"}}
    return claim(**{**nvda, **overrides})


def rows(out: str) -> dict[str, list[str]]:
    """Table rows of the plain-text output, keyed by claim id."""
    table: dict[str, list[str]] = {}
    for line in out.splitlines():
        cells = line.split()
        if (
            len(cells) >= 7
            and cells[1] != "claims:"
            and cells[-1] in ("holds", "fails", "uncheckable")
        ):
            table[cells[0]] = cells
    return table


def test_bundled_check_exits_0_and_every_stock_claim_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    for claim_id in STOCK_CLAIMS:
        assert table[claim_id][-1] == "holds", claim_id
    assert table["nvda-1d-002"][1] == "NVDA"
    # NVDA: 142.6199951171875 -> 118.41999816894531 (SOURCES.md) = -16.9682%
    assert "-16.9682%" in table["nvda-1d-002"]
    assert table["taleb-next-drop-002"][-1] == "uncheckable"
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"{len(table)} claims: {len(STOCK_CLAIMS)} hold, 0 fail, ")
    assert last.endswith(f"{len(table) - len(STOCK_CLAIMS)} uncheckable")
    # readable when not a terminal: no ANSI escapes, no padded lines
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_explicit_file_and_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [nvda_claim()])
    assert main(["check", str(path), "--data", str(fixtures_dir())]) == 0
    out = capsys.readouterr().out
    assert rows(out)["nvda-1d"][-1] == "holds"
    assert out.strip().splitlines()[-1] == "1 claims: 1 hold, 0 fail, 0 uncheckable"


def test_wrong_reported_value_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # recorded -16.97% vs a claimed -12% +- 0.5 pp
    path = write(tmp_path, [nvda_claim(reported={"value": -12, "unit": "percent"})])
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert rows(out)["nvda-1d"][-1] == "fails"
    assert "FAILS nvda-1d" in out
    assert out.strip().splitlines()[-1] == "1 claims: 0 hold, 1 fail, 0 uncheckable"


def test_uncheckable_claims_do_not_change_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unch = {
        "id": "flows",
        "claim": "Retail investors bought $900mn.",
        "source": dict(SRC),
        "kind": "uncheckable",
        "reported": {"value": 0.9, "unit": "USD_billions"},
        "reason": "flow data are not prices",
    }
    path = write(tmp_path, [nvda_claim(), unch])
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert rows(out)["flows"][-1] == "uncheckable"
    assert "uncheckable flows: flow data are not prices" in out
    assert out.strip().splitlines()[-1] == "2 claims: 1 hold, 0 fail, 1 uncheckable"
    # and only-uncheckable also exits 0
    assert main(["check", str(write(tmp_path, [unch], "only.yaml"))]) == 0


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([nvda_claim(id=None)], "claims[0].id: required field is missing"),
        ([nvda_claim(kind="crash")], "claims[0].kind: expected one of"),
        (
            [nvda_claim(reported={"value": "abc", "unit": "percent"})],
            "claims[0].reported.value: expected a number, received 'abc'",
        ),
        ([nvda_claim(tolerance=None)], "claims[0].tolerance: required field is missing"),
        ([nvda_claim(), nvda_claim()], "claims[1].id: duplicate id 'nvda-1d'"),
    ],
)
def test_malformed_file_exits_2_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], claims: list[dict[str, Any]], expected: str
) -> None:
    path = write(tmp_path, claims)
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}: {expected}" in captured.err
    assert captured.out == ""


def test_yaml_syntax_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("schema_version: 1\nclaims:\n  - id: [unclosed\n", encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: invalid YAML" in err and "line" in err


def test_unknown_symbol_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [nvda_claim(symbols=["ZZZZ"])])
    assert main(["check", str(path)]) == 2
    assert "ZZZZ" in capsys.readouterr().err


def test_missing_row_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # ARM's recorded history starts 2023-09-14: no row for the 2023-01-03 base date
    claim = nvda_claim(
        symbols=["ARM"],
        kind="price_ratio",
        dates=["2023-01-03", "2025-01-24"],
        reported={"value": 2, "unit": "ratio"},
        tolerance={"value": 0.5, "unit": "ratio"},
    )
    assert main(["check", str(write(tmp_path, [claim]))]) == 2
    err = capsys.readouterr().err
    assert "ARM" in err and "2023-01-03" in err


def test_missing_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: claims file not found" in capsys.readouterr().err
    path = write(tmp_path, [nvda_claim()])
    assert main(["check", str(path), "--data", str(tmp_path / "nodata")]) == 2
    assert "--data" in capsys.readouterr().err


def test_qualified_claims_show_their_qualifier_and_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # MU 103.19000244140625 -> 91.11000061035156 (fixtures/MU.csv) = -11.7066%: "more than 11%" holds
    mu = nvda_claim(id="mu", symbols=["MU"], reported={"value": -11, "unit": "%"},
                    qualifier="more_than", tolerance=None, tolerance_reason=None)
    assert main(["check", str(write(tmp_path, [mu]))]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.split()[:1] == ["mu"])
    assert "more than -11%" in line and "<= -11%" in line and "-11.7066%" in line
    assert "-0.7066 pp" in line  # the difference from -11 is in percentage points
    assert line.split()[-1] == "holds"


def test_every_error_of_a_file_goes_to_stderr_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [nvda_claim(id=None), nvda_claim(id="b", reported={"value": "abc", "unit": "%"})]
    path = write(tmp_path, bad)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: claims[0].id: required field is missing" in err
    assert f"{path}: claims[1].reported.value: expected a number, received 'abc'" in err
