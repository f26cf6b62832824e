"""Exit codes that mean one thing, and output folders written whole (issue: trust at the edges).

Exit codes: 0 ok, 1 a claim failed, 2 bad input or environment, 3 internal error
(one line + a traceback file), 130 interrupted. Output folders hold exactly the
files of one completed run, listed with their sha256 in ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from eventstudy.cli import main

CASE = """\
name: test case
event_date: 2025-01-27
securities: [NVDA, CEG]
benchmark: ^GSPC
windows: [[0, 0], [-1, 1]]
"""


def _event(tmp_path: Path, text: str = CASE) -> Path:
    path = tmp_path / "event.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _assert_complete(out: Path) -> dict[str, object]:
    """The folder holds exactly the files its manifest lists, with those hashes."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["file"]: e["sha256"] for e in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    return manifest


def _no_temp_left(parent: Path) -> None:
    assert [p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name] == []


# ----------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "missing.yaml"],
        ["report", "missing.yaml"],
        ["check", "missing.yaml"],
        ["run", "--data", "no-such-folder"],
        ["check", "--data", "no-such-folder"],
        ["report", "--data", "no-such-folder"],
        ["run", "--model", "figarch"],  # argparse usage error
        ["frobnicate"],
    ],
)
def test_bad_input_exits_2_for_every_command(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_record_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["record", "NVDA", "--start", "2025-02-30", "--end", "2025-03-01",
                 "--out", str(out)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not out.exists()


def test_out_that_is_a_file_exits_2_and_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import eventstudy.cli.run as run_cli

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the study ran although --out was refused")

    monkeypatch.setattr(run_cli, "run_spec", never)  # fail fast: no work before --out is checked
    target = tmp_path / "results.txt"
    target.write_text("keep me", encoding="utf-8")
    for command in ("run", "report"):
        assert main([command, "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert "--out" in err and str(target) in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_foreign_non_empty_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work", encoding="utf-8")
    assert main(["run", "--out", str(out), "--no-figures"]) == 2
    assert "--out" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_internal_error_exits_3_with_one_line_and_a_traceback_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import eventstudy.cli.run as run_cli

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(run_cli, "run_spec", boom)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 3
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "ZeroDivisionError: a bug" in lines[0]
    assert "Traceback" not in err
    crash = [p for p in tmp_path.iterdir() if p.name.startswith("eventstudy-run-")]
    assert len(crash) == 1 and str(crash[0]) in lines[0]
    assert "Traceback (most recent call last)" in crash[0].read_text(encoding="utf-8")
    assert not out.exists()


def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    if os.geteuid() == 0:
        # root ignores permission bits; a path below a file is unwritable for anyone
        blocker = tmp_path / "file"
        blocker.write_text("x", encoding="utf-8")
        out = blocker / "out"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out = locked / "out"
    assert main(["run", "--out", str(out), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "Traceback" not in err


def test_closed_pipe_exits_quietly_with_the_commands_code(tmp_path: Path) -> None:
    """``eventstudy check | head -1``: no traceback, and the check's own exit code (0)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from eventstudy.cli import console_main; console_main()", "check"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, like `head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err


# ------------------------------------------------------------ atomic outputs


def test_run_folder_is_complete_and_listed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(_event(tmp_path)), "--out", str(out), "--no-figures"]) == 0
    manifest = _assert_complete(out)
    assert manifest["kind"] == "eventstudy run output"
    names = {e["file"] for e in manifest["files"]}  # type: ignore[union-attr,index]
    assert {"ar.csv", "car.csv", "tests.csv", "summary.txt"} <= names
    assert manifest["data"][0]["folder"] == "fixtures"  # type: ignore[index]
    assert len(manifest["data"][0]["manifest_sha256"]) == 64  # type: ignore[index]
    _no_temp_left(tmp_path)


def test_no_figures_into_a_reused_folder_leaves_no_stale_png(tmp_path: Path) -> None:
    out = tmp_path / "out"
    event = str(_event(tmp_path))
    assert main(["run", event, "--out", str(out)]) == 0
    assert any(p.suffix == ".png" for p in out.iterdir())
    assert main(["run", event, "--out", str(out), "--no-figures"]) == 0
    assert not any(p.suffix == ".png" for p in out.iterdir())
    _assert_complete(out)


def test_ctrl_c_during_figures_leaves_the_previous_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    event = str(_event(tmp_path))
    assert main(["run", event, "--out", str(out), "--no-figures"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import eventstudy.plotting as plotting

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(plotting, "save_result_figures", interrupted)
    assert main(["run", event.replace("event", "event"), "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _no_temp_left(tmp_path)


def test_error_before_any_output_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    bad = _event(tmp_path, CASE.replace("[NVDA, CEG]", "[NVDA, NOPE]"))
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    _no_temp_left(tmp_path)


def test_report_folder_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    assert main(["report", str(_event(tmp_path)), "--out", str(out)]) == 0
    manifest = _assert_complete(out)
    names = {e["file"] for e in manifest["files"]}  # type: ignore[union-attr,index]
    assert {"report.html", "report.md"} <= names
    assert any(n.startswith("figures/") for n in names)


def test_two_concurrent_runs_leave_one_coherent_folder(tmp_path: Path) -> None:
    """Two ``run --out SAME`` at once: both succeed and the folder is one run's, whole."""
    out = tmp_path / "out"
    a = _event(tmp_path)
    b = tmp_path / "b.yaml"
    b.write_text(CASE.replace("name: test case", "name: other case").replace("[NVDA, CEG]", "[MU]"),
                 encoding="utf-8")
    code = "from eventstudy.cli import console_main; console_main()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, "run", str(ev), "--out", str(out), "--no-figures"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
        for ev in (a, b)
    ]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0], [p.stderr.read() for p in procs if p.stderr]
    _assert_complete(out)
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    car = (out / "car.csv").read_text(encoding="utf-8")
    # tables and summary come from the same study
    assert ("test case" in summary and "NVDA" in car) or ("other case" in summary and "MU" in car
                                                          and "NVDA" not in car)
    _no_temp_left(tmp_path)
