"""The README's result blocks are the tool's current output, not hand-typed text."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from eventstudy.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_case_table_is_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--no-figures", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    block = printed[: printed.index("Wrote ")].rstrip()
    assert block in README, "README case table is stale: regenerate with `eventstudy run --no-figures`"


def test_readme_model_table_is_current(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["case_models.py"])
    runpy.run_path(str(REPO / "notebooks" / "case_models.py"), run_name="__main__")
    table = capsys.readouterr().out.strip()
    assert table in README, "README model table is stale: regenerate with `python notebooks/case_models.py`"


def test_readme_check_verdicts_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    printed = capsys.readouterr().out
    for line in printed.splitlines():
        if line.strip().startswith(("nvda-", "avgo-", "mu-", "arm-", "asml-", "ceg-", "ixic-", "sox-")):
            assert line.rstrip() in README, f"README check output is stale at: {line.strip()}"
    assert printed.strip().splitlines()[-1] in README


def test_readme_assumptions_table_matches_the_registry() -> None:
    from eventstudy.inference import TESTS

    for name, spec in TESTS.items():
        flags = f"| {'yes' if spec.dependence_robust else 'no'} | {'yes' if spec.variance_robust else 'no'} |"
        row = f"| `{name}` {flags} {spec.assumes} | {spec.reference} |"
        assert row in README, f"README assumptions table is stale at {name}: expected {row!r}"


def test_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The 'From Python' block runs as written (offline, on the bundled data)."""
    start = README.index("## From Python")
    block = README[README.index("```python\n", start) + len("```python\n"):]
    code = block[: block.index("```")]
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    out = capsys.readouterr().out
    assert "CAR" in out or "car" in out
    assert namespace["prices"].columns.tolist() == ["NVDA", "^GSPC"]  # type: ignore[attr-defined]
