"""The battery from date-partitioned chunk sums equals the battery on the whole panel.

A chunked study (a Dask run) reduces each chunk of events, sorted by event session,
with a halo of the events after it whose windows can share a session with its own
(eventstudy.inference.chunked). The expected values are the whole-panel tests
(`run_battery`), themselves checked against independent references in
`tests/test_inference_reference.py` and `tests/test_rbar_reference.py`; the halos
here are written from the event dates, not taken from the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import event_study
from eventstudy.inference.battery import battery_plan, run_battery
from eventstudy.inference.chunked import (
    REDUCIBLE,
    battery_from_sums,
    chunk_rank_statistics,
    chunk_statistics,
    merge_statistics,
    rank_scales,
    reducible,
    second_pass,
)
from tests.test_batch import KW, synthetic

TOL = 1e-12
TESTS = list(REDUCIBLE)


@pytest.fixture(scope="module")
def panel():  # type: ignore[no-untyped-def]
    ret, ev = synthetic(n_sec=6, n_ev=50, seed=21)
    sess = ret.index
    clustered = pd.DataFrame({  # events sharing dates: rbar has pairs in full
        "event_id": [f"C{i}" for i in range(12)],
        "security": [f"S{i % 6}" for i in range(12)],
        "event_date": [sess[250]] * 4 + [sess[251]] * 4 + [sess[262]] * 4,
    })
    ev = pd.concat([ev, clustered], ignore_index=True)
    res = event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=["bmp"], **KW)
    return res.panel


def date_chunks(panel, size: int) -> list[tuple[np.ndarray, np.ndarray]]:  # type: ignore[no-untyped-def]
    """(owned rows, halo rows): events sorted by day-0 date (ties in row order), halos to the
    last event whose span starts on or before a chunk event's span ends."""
    span = panel.event_dates
    first, last = span.min(axis=1), span.max(axis=1)
    order = np.argsort(panel.event_dates[:, panel.day_index(0)], kind="stable")
    out = []
    for lo in range(0, order.size, size):
        own = order[lo:lo + size]
        hi = lo + own.size
        while hi < order.size and first[order[hi]] <= last[own].max():
            hi += 1
        out.append((own, order[lo + own.size:hi]))
    return out


@pytest.mark.parametrize("size", [1, 5, 16, 1000])
@pytest.mark.parametrize("cap", [None, 2])
def test_chunk_sums_merge_to_the_whole_panel_battery(panel, size: int, cap: int | None) -> None:  # type: ignore[no-untyped-def]
    whole_panel = panel.replace(rbar_max_partners=cap)
    windows = [(-5, 5), (0, 1), (0, 0)]
    whole = run_battery(whole_panel, windows, days=[-1, 0, 2], tests=TESTS)
    plan = battery_plan(panel.event_days, windows, [-1, 0, 2], TESTS)
    stats = []
    chunks = date_chunks(panel, size)
    for own, halo in chunks:
        stats.append(chunk_statistics(panel.take(own), panel.take(halo) if halo.size else None, plan,
                                      max_partners=cap))
    merged = merge_statistics(stats)
    assert second_pass(plan)  # GRANK and Corrado-Zivney: ranks at the merged scales
    scales = rank_scales(merged, plan)
    merged.update(merge_statistics(chunk_rank_statistics(panel.take(own), scales) for own, _ in chunks))
    got = battery_from_sums(merged, plan)
    assert list(got.columns) == list(whole.columns)
    assert got[["scope", "window", "test", "nobs", "valid", "df"]].equals(
        whole[["scope", "window", "test", "nobs", "valid", "df"]])
    np.testing.assert_allclose(got["statistic"], whole["statistic"], rtol=0, atol=TOL)
    np.testing.assert_allclose(got["pvalue"], whole["pvalue"], rtol=0, atol=TOL)
    assert {"sign", "gsign", "bw-ts", "bhar-skew-t", "sq", "grank", "corrado-zivney"} <= set(whole["test"])
    assert whole["valid"].all()  # every statistic compared is defined on these events
    kp = whole["test"].str.startswith("kp-").to_numpy()
    assert np.isfinite(whole["statistic"][kp]).all()
    # the correlation adjustment is not a no-op on these events
    bmp = whole.set_index(["window", "test"])["statistic"]
    assert abs(bmp[("(-5, +5)", "kp-bmp")] - bmp[("(-5, +5)", "bmp")]) > 1e-3


def test_a_chunk_without_its_halo_loses_pairs(panel) -> None:  # type: ignore[no-untyped-def]
    """The halo is what keeps the pairs cut by a chunk boundary: without it, rbar changes."""
    plan = battery_plan(panel.event_days, [(-5, 5)], (), ["kp-bmp"])
    chunks = date_chunks(panel, 5)
    with_halo = merge_statistics(chunk_statistics(panel.take(o), panel.take(h) if h.size else None, plan)
                                 for o, h in chunks)
    without = merge_statistics(chunk_statistics(panel.take(o), None, plan) for o, _ in chunks)
    key = ("rbar-bmp", -5, 5)
    assert without[key].pairs < with_halo[key].pairs


def test_reducible_names_the_tests_with_chunk_sums() -> None:
    assert reducible(["patell", "kp-bmp", "corrado"]) and not reducible(["patell", "wilcoxon"])
    assert reducible(["sign", "gsign", "bw-ts", "bhar-skew-t", "sq", "grank", "corrado-zivney"])
    assert not any(reducible([t]) for t in ("wilcoxon", "bhar-boot", "savickas"))


@pytest.mark.parametrize("chunk_size", [3, 10, 10_000])
@pytest.mark.parametrize("cap", [None, 4])
def test_a_study_reduced_by_chunks_equals_the_stacked_battery(chunk_size: int, cap: int | None) -> None:
    """`LocalExecutor("chunks")` runs the distributed path in this process: its tests table
    equals the one computed on the stacked panel, with excluded events, a repeated firm and
    the rbar cap; the per-event tables are the same."""
    from eventstudy.executors import LocalExecutor

    ret, ev = synthetic(n_sec=6, n_ev=45, seed=5)
    kw = dict(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=TESTS, days=[-2, 0, 3],
              rbar_max_partners=cap, progress=False, **KW)
    whole = event_study(**kw)  # type: ignore[arg-type]
    chunked = event_study(executor=LocalExecutor("chunks"), chunk_size=chunk_size, **kw)  # type: ignore[arg-type]
    assert (whole.diagnostics["status"] != "ok").any()  # some events are excluded
    assert chunked.n_chunks == -(-len(ev) // chunk_size)
    pd.testing.assert_frame_equal(chunked.car, whole.car)
    pd.testing.assert_frame_equal(chunked.diagnostics, whole.diagnostics)
    a, b = chunked.tests, whole.tests
    pd.testing.assert_frame_equal(a.drop(columns=["statistic", "pvalue"]), b.drop(columns=["statistic", "pvalue"]))
    np.testing.assert_allclose(a["statistic"], b["statistic"], rtol=0, atol=TOL)
    np.testing.assert_allclose(a["pvalue"], b["pvalue"], rtol=0, atol=TOL)


def test_statistics_where_is_checked() -> None:
    from eventstudy.errors import InvalidParameterError
    from eventstudy.executors import LocalExecutor

    with pytest.raises(InvalidParameterError, match="statistics") as err:
        LocalExecutor("workers")
    assert isinstance(err.value, ValueError)


def test_release_memory_is_a_glibc_malloc_trim() -> None:
    import platform

    from eventstudy.engine.chunks import release_memory

    assert isinstance(release_memory(), bool)
    if platform.libc_ver()[0] != "glibc":
        assert release_memory() is False


def test_the_default_battery_splits_between_chunks_and_the_stacked_panel() -> None:
    """Every registered test, every day: the reducible ones from chunk sums, the others on the
    stacked panel; the table equals the one-pass battery row for row (order, flags, values)."""
    from eventstudy.executors import LocalExecutor

    ret, ev = synthetic(n_sec=6, n_ev=40, seed=8)
    kw = dict(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", progress=False, **KW)
    whole = event_study(**kw)  # type: ignore[arg-type]
    split = event_study(executor=LocalExecutor("chunks"), chunk_size=6, **kw)  # type: ignore[arg-type]
    a, b = split.tests, whole.tests
    assert len(a) == len(b) > 100
    pd.testing.assert_frame_equal(a.drop(columns=["statistic", "pvalue"]), b.drop(columns=["statistic", "pvalue"]))
    np.testing.assert_allclose(a["statistic"], b["statistic"], rtol=0, atol=TOL)
    np.testing.assert_allclose(a["pvalue"], b["pvalue"], rtol=0, atol=TOL)
    assert any(n.startswith("The statistics savickas, wilcoxon, bhar-boot were computed on the stacked")
               for n in split.notes)
