"""``eventstudy run`` from options alone, ``--version``, ``cases`` and the terminal table.

Expected β and standard errors come from statsmodels on the fixture CSVs read
with pandas (not from the package); expected case fields come from the YAML
files read with PyYAML.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

from eventstudy.cli import main
from eventstudy.cli._common import pvalue
from eventstudy.inference import TESTS
from eventstudy.resources import fixtures_dir

REPO = Path(__file__).resolve().parents[1]
DIST = "eventstudy-honest"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


# ------------------------------------------------------------------ version and name


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"eventstudy {importlib.metadata.version(DIST)}"


def test_distribution_name_and_one_version_source() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == DIST  # "eventstudy" on the index is another package
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "eventstudy/__init__.py"
    # the import name stays `eventstudy`: the installed distribution provides it
    files = importlib.metadata.distribution(DIST).read_text("top_level.txt") or ""
    record = importlib.metadata.files(DIST) or []
    assert "eventstudy" in files.split() or any(
        str(f).startswith("eventstudy") for f in record), (files, record[:5])


def test_no_install_command_can_fetch_the_unrelated_package() -> None:
    """Every `pip install` in the README and the code names this checkout or the new name."""
    texts = {"README.md": (REPO / "README.md").read_text(encoding="utf-8")}
    for path in (REPO / "eventstudy").rglob("*.py"):
        texts[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    for name, body in texts.items():
        for cmd in re.findall(r"pip install[^`\n)]*", body):
            assert not re.search(r"""(^|[\s'"])eventstudy(\[|[\s'"]|$)""", cmd[len("pip install"):]), (
                f"{name}: {cmd!r} would install the unrelated PyPI package `eventstudy`")


# ------------------------------------------------------------------ cases


def test_cases_lists_every_bundled_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["cases"], capsys)
    assert code == 0
    files = sorted((REPO / "eventstudy" / "cases").glob("*.yaml"))
    assert files
    flat = " ".join(out.split())
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.name in out
        assert str(raw["event_date"]) in out
        assert " ".join(raw["securities"]) in flat
        assert all(word in flat for word in raw["name"].split())


def test_run_accepts_a_bundled_case_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["run", "deepseek-2025-01-27", "--window", "0", "0", "--no-figures",
                         "--out", str(tmp_path / "o")], capsys)
    assert code == 0
    car = pd.read_csv(tmp_path / "o" / "car.csv")
    assert set(car["window"]) == {"(0, 0)"} and len(car) == 6


# ------------------------------------------------------------------ run from options


def _statsmodels_fit(symbol: str) -> tuple[float, float]:
    def returns(name: str, col: str) -> pd.Series:
        frame = pd.read_csv(fixtures_dir() / name, parse_dates=["date"], index_col="date")
        return frame[col].pct_change().dropna()

    ri, rm = returns(f"{symbol}.csv", "adj_close"), returns("GSPC.csv", "close")
    day0 = rm.index.get_loc(pd.Timestamp("2025-01-27"))
    est = rm.index[day0 - 250: day0 - 10]  # relative days -250..-11
    fit = sm.OLS(ri.loc[est], sm.add_constant(rm.loc[est])).fit()
    return float(fit.params["close"]), float(fit.bse["close"])


def test_run_from_options_without_an_event_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    code, printed, _ = _run(["run", "--event-date", "2025-01-27", "--securities", "NVDA", "AVGO",
                             "--benchmark", "^GSPC", "--no-figures", "--out", str(out)], capsys)
    assert code == 0
    diag = pd.read_csv(out / "diagnostics.csv", index_col="event_id")
    assert list(diag.index) == ["NVDA", "AVGO"] and set(diag["benchmark"]) == {"^GSPC"}
    # the same study written as an event file gives the same tables
    event = tmp_path / "e.yaml"
    event.write_text("name: x\nevent_date: 2025-01-27\nsecurities: [NVDA, AVGO]\n"
                     "benchmark: ^GSPC\n", encoding="utf-8")
    assert main(["run", str(event), "--no-figures", "--out", str(tmp_path / "f")]) == 0
    capsys.readouterr()
    for name in ("car.csv", "caar.csv", "params.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(tmp_path / "f" / name))
    # β and its standard error per firm, as statsmodels fits them
    for symbol in ("NVDA", "AVGO"):
        beta, se = _statsmodels_fit(symbol)
        row = next(line for line in printed.splitlines() if line.startswith(f"│ {symbol} "))
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[1] == f"{beta:.3f}" and cells[2] == f"{se:.3f}", (cells, beta, se)


def test_options_override_the_event_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = tmp_path / "e.yaml"
    event.write_text("name: x\nevent_date: 2025-01-27\nsecurities: [NVDA, CEG]\n"
                     "benchmark: ^GSPC\nwindows: [[0, 0], [-1, 1]]\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["run", str(event), "--securities", "MU", "--benchmark", "^IXIC",
                 "--model", "market_adjusted", "--window", "0", "1", "--estimation", "-200", "-20",
                 "--no-figures", "--out", str(out)]) == 0
    capsys.readouterr()
    diag = pd.read_csv(out / "diagnostics.csv", index_col="event_id")
    assert list(diag.index) == ["MU"] and set(diag["benchmark"]) == {"^IXIC"}
    car = pd.read_csv(out / "car.csv")
    assert list(car["window"]) == ["(0, +1)"]
    # estimation [-200, -20]: 181 sessions
    assert int(diag.loc["MU", "estimation_days"]) == 181
    # market-adjusted: no parameters, so no β columns in the table
    assert pd.read_csv(out / "params.csv").columns.tolist() == ["event_id"]


def test_date_windows_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    assert main(["run", "--event-date", "2025-01-27", "--securities", "NVDA", "--benchmark",
                 "^GSPC", "--window", "2025-01-27", "2025-01-31", "--no-figures",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    car = pd.read_csv(out / "car.csv")
    # Mon 27 .. Fri 31 January 2025: five sessions, relative days 0..4
    assert car["days"].tolist() == [5] and car["window"].tolist() == ["(0, +4)"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--event-date", "2025-01-27", "--securities", "NVDA"], "--benchmark"),
        (["--event-date", "2025-01-27", "--benchmark", "^GSPC"], "--securities"),
        (["--event-date", "27/01/2025", "--securities", "NVDA", "--benchmark", "^GSPC"], "--event-date"),
        (["--securities", "NVDA", "NVDA"], "--securities"),
        (["--window", "4", "0"], "--window"),
        (["--estimation", "-11", "-250"], "--estimation"),
        (["--window", "0", "2025-01-31"], "--window"),
        (["--min-estimation-obs", "0"], "--min-estimation-obs"),
    ],
)
def test_bad_options_exit_2_naming_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str], named: str) -> None:
    code, _, err = _run(["run", *args, "--no-figures", "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert named in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ the table


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    import contextlib
    import io

    out = tmp_path_factory.mktemp("run") / "o"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["run", "--no-figures", "--out", str(out)]) == 0
    return buf.getvalue(), out


def test_headline_tests_come_first_then_the_firms(bundled: tuple[str, Path]) -> None:
    printed, _ = bundled
    head = printed.index("Headline tests")
    firms = printed.index("Per security")
    others = printed.index("Other tests")
    assert head < firms < others
    # the headline table's rows are the KP-BMP rows of tests.csv
    block = printed[head:firms]
    assert block.count("kp-bmp") == 5 and "car-t" not in block


def test_pvalues_below_1e4_print_as_less_than(bundled: tuple[str, Path]) -> None:
    printed, _ = bundled
    assert "0.0000" not in printed
    # NVDA's day-0 AR: t = -5.05 on 238 df, p ~ 9e-7
    nvda = next(line for line in printed.splitlines() if line.startswith("│ NVDA "))
    assert "<0.0001" in nvda
    assert [pvalue(p) for p in (0.00009999, 0.0001, 0.05, float("nan"))] == \
        ["<0.0001", "0.0001", "0.0500", "-"]


def test_legend_names_every_test_shown(bundled: tuple[str, Path]) -> None:
    printed, _ = bundled
    legend = printed[printed.index("Legend:"):]
    shown = set(re.findall(r"│ (?:\(\S+, \S+\)\s+│ (?:[+-]\d+\.\d+%\s+│ )?)([a-z][a-z-]+) ",
                           printed))
    assert shown == {"kp-bmp", "car-t", "bw-ts", "sq"}
    for name in shown:
        line = next(ln for ln in legend.splitlines() if ln.split()[:1] == [name])
        assert TESTS[name].label in line
    assert "β, se(β)" in legend


def test_no_always_empty_column(bundled: tuple[str, Path], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    printed, _ = bundled
    assert "Note " not in printed and "Note┃" not in printed.replace(" ", "")  # all defined
    # one firm: the cross-sectional tests are undefined, and the Note column says why
    code, out, _ = _run(["run", "--event-date", "2025-01-27", "--securities", "NVDA",
                         "--benchmark", "^GSPC", "--no-figures", "--out", str(tmp_path / "o")],
                        capsys)
    assert code == 0
    assert "Note" in out and "undefined: needs at least 2 events" in out


def test_csvs_have_no_unnamed_column(bundled: tuple[str, Path]) -> None:
    _, out = bundled
    firsts = {}
    for path in sorted(out.glob("*.csv")):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert all(header), f"{path.name}: unnamed column in {header}"
        assert not any(h.startswith("Unnamed") for h in pd.read_csv(path).columns)
        firsts[path.name] = header[0]
    assert firsts == {"ar.csv": "event_id", "caar.csv": "window", "car.csv": "event_id",
                      "diagnostics.csv": "event_id", "params.csv": "event_id",
                      "tests.csv": "scope"}
