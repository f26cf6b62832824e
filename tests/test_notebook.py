"""The story notebook: committed without outputs, runs top to bottom offline in < 1 minute.

Outputs are stripped in git (enforced below) because CI re-executes the notebook
on every run, so stored outputs would only go stale, and embedded PNGs bloat
every diff. The README figures come from ``notebooks/make_figures.py`` instead.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "deepseek-selloff.ipynb"
FIGURE_DIR = REPO / "notebooks" / "figures"

nbformat = pytest.importorskip("nbformat")


def _load() -> object:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_stripped() -> None:
    nb = _load()
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"code cell {i} has stored outputs; clear them before committing"
        assert cell.execution_count is None, f"code cell {i} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_tells_the_story_in_order() -> None:
    nb = _load()
    headings = [line for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    assert headings[:5] == [
        "## 1. The prices",
        "## 2. Did the articles get the numbers right?",
        "## 3. How abnormal was it? It depends on the benchmark",
        "## 4. Did it last?",
        "## 5. What it cost NVIDIA's shareholders",
    ]
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    calls = ["plot_price_paths(", "claims_figure(", "plot_sensitivity(", "plot_car_paths(",
             "plot_market_value("]
    positions = [source.index(c) for c in calls]
    assert positions == sorted(positions)
    assert "import matplotlib" not in source and "plt." not in source


@pytest.mark.slow
@pytest.mark.allow_loopback
def test_notebook_executes_offline_under_a_minute() -> None:
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = _load()
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    assert elapsed < 60, f"the notebook took {elapsed:.1f} s"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pngs = [o for o in outputs if "data" in o and "image/png" in o["data"]]
    assert len(pngs) == 5
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "21 claims: 13 hold, 0 fail, 8 uncheckable" in text
    assert "-592.7 USD bn" in text


def _make_figures() -> object:
    spec = importlib.util.spec_from_file_location("make_figures", REPO / "notebooks" / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_figures"] = module
    spec.loader.exec_module(module)
    return module


def test_make_figures_writes_the_committed_set(tmp_path: Path) -> None:
    mf = _make_figures()
    written = mf.main(tmp_path)  # type: ignore[attr-defined]
    names = [p.name for p in written]
    assert names == list(mf.FIGURES)  # type: ignore[attr-defined]
    committed = sorted(p.name for p in FIGURE_DIR.glob("*.png"))
    assert committed == sorted(names), "regenerate with: python notebooks/make_figures.py"
    for p in written:
        data = p.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"matplotlib version" not in data  # no version metadata: stable diffs
