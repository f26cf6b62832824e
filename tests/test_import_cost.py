"""``import eventstudy`` stays light: heavy libraries are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("statsmodels.api", "statsmodels", "matplotlib", "scipy.stats", "exchange_calendars",
         "yfinance", "dask", "rich")


def _loaded_after(module: str) -> list[str]:
    """Heavy modules present in ``sys.modules`` after importing ``module`` in a fresh process."""
    code = (f"import sys, json, {module}; "
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_package_import_does_not_load_heavy_libraries() -> None:
    assert _loaded_after("eventstudy") == []


def test_cli_module_import_does_not_load_plotting_or_statsmodels() -> None:
    loaded = _loaded_after("eventstudy.cli")
    assert not {"statsmodels.api", "matplotlib", "yfinance"} & set(loaded)
