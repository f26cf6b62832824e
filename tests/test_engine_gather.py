"""The engine's span gather (strided windows) against a slot-by-slot loop written here."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.engine.compute import _span


def _loop(values: np.ndarray, first: np.ndarray, length: int, cols: np.ndarray,
          present: np.ndarray | None) -> np.ndarray:
    out = np.full((first.size, length), np.nan)
    for e in range(first.size):
        if present is not None and not present[e]:
            continue
        for t in range(length):
            r = int(first[e]) + t
            if 0 <= r < values.shape[0]:
                out[e, t] = values[r, cols[e]]
    return out


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("case", ["inside", "off-grid", "one-column", "absent"])
def test_span_equals_a_loop_over_slots(order: str, case: str) -> None:
    rng = np.random.default_rng(5)
    values = np.asarray(rng.normal(size=(40, 6)), order=order)
    values[3, 2] = np.nan
    first = rng.integers(0, 30, 25)
    cols = rng.integers(0, 6, 25)
    present = None
    if case == "off-grid":
        first[[0, 5]] = [-4, 36]  # before the first and past the last session
    if case in ("one-column", "absent"):
        cols[:] = 4
    if case == "absent":
        present = rng.random(25) < 0.7
    got = _span(values, first, 10, cols, present)
    assert got.shape == (25, 10)
    np.testing.assert_array_equal(got, _loop(values, first, 10, cols, present))
    assert not np.shares_memory(got, values)  # a copy: nothing writes through it into the returns


def test_span_of_no_event() -> None:
    assert _span(np.zeros((5, 2)), np.zeros(0, dtype=np.int64), 3, np.zeros(0, dtype=np.int64)).shape == (0, 3)
