"""Fast average ranks equal ``scipy.stats.rankdata(..., nan_policy="omit")`` bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from eventstudy.inference._common import average_ranks
from eventstudy.inference.rank import scaled_ranks


def _reference(v: np.ndarray) -> np.ndarray:
    return np.asarray(stats.rankdata(v, axis=1, nan_policy="omit"), dtype=np.float64)


@pytest.mark.parametrize("seed", range(8))
def test_average_ranks_equal_rankdata_seeded(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(1, 300)), int(rng.integers(1, 80))
    v = rng.normal(size=(rows, cols))
    v[rng.random(v.shape) < 0.3] = 0.25  # a shared value
    v = np.round(v, int(rng.integers(0, 3)))  # coarse values: many ties
    v[rng.random(v.shape) < 0.15] = np.nan
    v[0] = np.nan  # an all-NaN row
    if rows > 1:
        v[1] = 1.5  # a fully tied row
    got = average_ranks(v)
    assert np.array_equal(got, _reference(v), equal_nan=True)


def test_average_ranks_edge_shapes() -> None:
    assert average_ranks(np.empty((0, 5))).shape == (0, 5)
    assert average_ranks(np.empty((3, 0))).shape == (3, 0)
    v = np.array([[np.inf, -np.inf, 0.0, -0.0, np.nan, np.inf]])
    assert np.array_equal(average_ranks(v), _reference(v), equal_nan=True)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=25),
                  elements=st.one_of(st.sampled_from([0.0, -0.0, 1.0, -2.5, np.nan]),
                                     st.floats(-1e3, 1e3, allow_nan=False))))
def test_average_ranks_equal_rankdata_property(v: np.ndarray) -> None:
    assert np.array_equal(average_ranks(v), _reference(v), equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=20),
                  elements=st.one_of(st.sampled_from([0.0, 1.0, np.nan, np.inf, -np.inf]),
                                     st.floats(-10, 10, allow_nan=False))))
def test_scaled_ranks_unchanged(v: np.ndarray) -> None:
    w = np.where(np.isfinite(v), v, np.nan)
    expected = _reference(w) / (1.0 + np.isfinite(w).sum(axis=1, keepdims=True)) - 0.5
    assert np.array_equal(scaled_ranks(v), expected, equal_nan=True)
