"""Prices read straight from the fixture CSVs with pandas (independent of the package's loaders)."""

from __future__ import annotations

import pandas as pd

from eventstudy.resources import fixtures_dir


def fixture_prices(*symbols: str) -> pd.DataFrame:
    """Adjusted close where a file has it on every row, else close; ``^`` dropped from file names."""
    out = {}
    for s in symbols:
        f = pd.read_csv(fixtures_dir() / f"{s.lstrip('^')}.csv", parse_dates=["date"], index_col="date")
        col = "adj_close" if f["adj_close"].notna().all() else "close"
        out[s] = f[col]
    return pd.DataFrame(out)
