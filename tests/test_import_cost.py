"""``import eventstudy`` stays light: heavy libraries are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys


def test_package_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, json, eventstudy; "
        "print(json.dumps(sorted(m for m in ('statsmodels.api', 'statsmodels', 'matplotlib', "
        "'scipy.stats', 'exchange_calendars', 'yfinance', 'dask', 'rich') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_cli_module_import_does_not_load_plotting_or_statsmodels() -> None:
    code = (
        "import sys, json, eventstudy.cli; "
        "print(json.dumps(sorted(m for m in ('statsmodels.api', 'matplotlib', 'yfinance') "
        "if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
