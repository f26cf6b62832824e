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


def test_diagnostics_string_columns_do_not_depend_on_the_events_dtypes() -> None:
    """Columns taken from a ``str`` events table equal those converted from an object table."""
    import pandas as pd

    from eventstudy import prepare_data
    from eventstudy.engine.compute import compute_events
    from tests.test_batch import synthetic

    ret, ev = synthetic(n_sec=4, n_ev=12, seed=3)
    late = pd.DataFrame({"event_id": ["LATE"], "security": ["S2"], "event_date": [ret.index[210]]})
    ev = pd.concat([ev, late], ignore_index=True).assign(benchmark="MKT")  # LATE: too few returns
    data = prepare_data(returns=ret, calendar="XNYS")
    as_str = ev.astype({c: "str" for c in ("event_id", "security", "benchmark")})
    as_obj = ev.astype({c: object for c in ("event_id", "security", "benchmark")})
    kw = {"estimation": (-120, -6), "windows": [(-5, 5)], "min_estimation_obs": 100}
    a = compute_events(data, as_str, **kw).diagnostics  # type: ignore[arg-type]
    b = compute_events(data, as_obj, **kw).diagnostics  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    expected = pd.DataFrame({"x": np.array(["a"])})["x"].dtype  # pandas' dtype for numpy strings
    for col in ("security", "benchmark", "status"):
        assert a[col].dtype == expected, col
    assert a.index.dtype == expected and set(a["status"]) <= {"ok", "excluded"}
    assert (a["status"] == "excluded").any() and (a["status"] == "ok").any()


def test_a_missing_or_unknown_security_is_refused_by_name() -> None:
    import pytest as _pytest

    from eventstudy import prepare_data
    from eventstudy.engine.compute import compute_events
    from eventstudy.errors import UnknownSymbolError
    from tests.test_batch import synthetic

    ret, ev = synthetic(n_sec=4, n_ev=10, seed=3)
    data = prepare_data(returns=ret, calendar="XNYS")
    kw = {"estimation": (-120, -6), "windows": [(-5, 5)], "min_estimation_obs": 100}
    missing = ev.assign(benchmark="MKT").astype({"security": object})
    missing.loc[2, "security"] = None  # no security at all: not matched to any column
    with _pytest.raises(UnknownSymbolError, match="None"):
        compute_events(data, missing, **kw)  # type: ignore[arg-type]
    unknown = ev.assign(benchmark="MKT", security=ev["security"].where(ev.index != 3, "NOPE"))
    with _pytest.raises(UnknownSymbolError, match="NOPE"):
        compute_events(data, unknown, **kw)  # type: ignore[arg-type]
