"""``abnormal.car_index`` equals the index pandas' ``set_index`` builds from the same columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.abnormal import car_index, window_array
from eventstudy.windows import Window


@pytest.mark.parametrize("ids", [
    ["NVDA", "AVGO", "MU", "ARM", "ASML", "CEG"],
    ["b", "B", "a", "é", "Z9", "z10", "ä", "10", "9", "x y"],
    [f"E{i:05d}" for i in range(300)][::-1],
    ["SAME", "SAME", "OTHER"],  # repeated ids share a code, as in a factorized column
])
def test_car_index_equals_set_index(ids: list[str]) -> None:
    windows = [Window(0, 0), Window(-5, 5), Window(-1, 1), Window(0, 4)]
    frame = pd.DataFrame({"event_id": np.tile(np.array(ids), len(windows)),
                          "window": window_array(windows, len(ids)), "x": 0.0})
    expected = frame.set_index(["event_id", "window"]).index
    got = car_index(np.array(ids), windows)
    assert got.equals(expected) and got.names == expected.names
    for lg, le in zip(got.levels, expected.levels, strict=True):
        assert lg.dtype == le.dtype and lg.tolist() == le.tolist()
    for cg, ce in zip(got.codes, expected.codes, strict=True):
        assert cg.dtype == ce.dtype
        np.testing.assert_array_equal(cg, ce)
