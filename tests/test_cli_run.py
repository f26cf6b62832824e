"""Event files and the ``eventstudy run`` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.errors import EventFileError
from eventstudy.events import load_event_file
from eventstudy.resources import case_path

CASE = """\
name: test case
event_date: 2025-01-27
securities: [NVDA, CEG]
benchmark: ^GSPC
model: market
estimation: [-250, -11]
windows: [[0, 0], [-1, 1]]
"""


def test_bundled_case_parses() -> None:
    spec = load_event_file(case_path())
    assert spec.securities == ("NVDA", "AVGO", "MU", "ARM", "ASML", "CEG")
    assert spec.benchmark == "^GSPC" and str(spec.event_date.date()) == "2025-01-27"
    assert [w.label for w in spec.windows] == ["(0, 0)", "(-1, +1)", "(0, +1)", "(0, +4)", "(-5, +5)"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("name: x\nsecurities: [NVDA]\nbenchmark: ^GSPC\n", "event_date"),
        (CASE.replace("securities: [NVDA, CEG]", "securities: NVDA"), "securities"),
        (CASE.replace("model: market", "model: figarch"), "model"),
        (CASE.replace("[-250, -11]", "[-11, -250]"), "estimation"),
        (CASE.replace("[[0, 0], [-1, 1]]", "[[0, 0], [1]]"), "windows[1]"),
        (CASE + "colour: red\n", "colour"),
        (CASE.replace("2025-01-27", "27th of January"), "event_date"),
        ("name: [unclosed\n", "invalid YAML"),
    ],
)
def test_malformed_event_file_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(EventFileError) as info:
        load_event_file(path)
    assert str(path) in str(info.value) and field in str(info.value)


def test_run_bundled_case_writes_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for token in ("NVDA", "CEG", "AR day 0", "CAR(-1, +1)", "CAAR", "share the session 2025-01-27"):
        assert token in printed
    for name in ("ar.csv", "car.csv", "tests.csv", "diagnostics.csv", "summary.txt", "car_paths.png"):
        assert (out / name).stat().st_size > 0, name
    car = pd.read_csv(out / "car.csv", index_col=[0, 1])
    assert set(car.index.get_level_values(0)) == {"NVDA", "AVGO", "MU", "ARM", "ASML", "CEG"}
    # Day-0 AR of NVDA against ^GSPC is strongly negative (the price fell 16.97%, ^GSPC 1.46%).
    assert -0.17 < car.loc[("NVDA", "(0, 0)"), "car"] < -0.10
    assert (out / "car_paths.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_with_overrides_and_user_event_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CASE)
    out = tmp_path / "o"
    assert main(["run", str(path), "--benchmark", "^IXIC", "--model", "market_adjusted",
                 "--out", str(out), "--no-figures"]) == 0
    diag = pd.read_csv(out / "diagnostics.csv", index_col=0)
    assert list(diag.index) == ["NVDA", "CEG"] and set(diag["benchmark"]) == {"^IXIC"}
    assert not (out / "car_paths.png").exists()


def test_run_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CASE.replace("[NVDA, CEG]", "[NVDA, TSLA]"))
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "TSLA" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2


def test_run_on_user_data_folder_without_manifest(tmp_path: Path) -> None:
    from eventstudy.resources import fixtures_dir

    data = tmp_path / "data"
    data.mkdir()
    for f in ("NVDA.csv", "GSPC.csv", "CEG.csv"):
        (data / f).write_bytes((fixtures_dir() / f).read_bytes())
    path = tmp_path / "case.yaml"
    path.write_text(CASE)
    assert main(["run", str(path), "--data", str(data), "--out", str(tmp_path / "o"), "--no-figures"]) == 0


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
