"""The Dask executor gives the local engine's results (in-process LocalCluster)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import event_study, prepare_data
from tests.test_batch import KW, synthetic

distributed = pytest.importorskip("dask.distributed")


@pytest.mark.allow_loopback
def test_dask_executor_equals_local_engine() -> None:
    from eventstudy.executors.dask import DaskExecutor

    ret, ev = synthetic(n_sec=5, n_ev=30, seed=11)
    data = prepare_data(returns=ret)
    local = event_study(returns=data, events=ev, benchmark="MKT", chunk_size=8, progress=False, **KW)  # type: ignore[arg-type]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        ex = DaskExecutor(client, statistics="client")  # the tests on the stacked panel, as locally
        scattered = []
        scatter = client.scatter
        client.scatter = lambda *a, **k: scattered.append(1) or scatter(*a, **k)  # type: ignore[method-assign]
        remote = event_study(returns=data, events=ev, benchmark="MKT", chunk_size=8, progress=False,
                             executor=ex, **KW)  # type: ignore[arg-type]
        again = event_study(returns=data, events=ev.iloc[:9], benchmark="MKT", chunk_size=4,
                            progress=False, executor=ex, **KW)  # type: ignore[arg-type]
    assert len(scattered) == 1  # the returns go to the workers once per executor and data
    assert again.n_chunks == 3 and again.event_ids == [e for e in local.event_ids if e in set(ev["event_id"][:9])]
    assert remote.n_chunks == local.n_chunks == 5
    assert remote.event_ids == local.event_ids
    np.testing.assert_array_equal(remote.panel.ar, local.panel.ar)
    np.testing.assert_array_equal(remote.panel.params, local.panel.params)
    pd.testing.assert_frame_equal(remote.car, local.car)
    pd.testing.assert_frame_equal(remote.diagnostics, local.diagnostics)
    pd.testing.assert_frame_equal(remote.tests, local.tests)
    assert remote.notes == local.notes
    np.testing.assert_array_equal(remote.panel.est_resid, local.panel.est_resid)  # re-attached returns


@pytest.mark.allow_loopback
def test_dask_statistics_on_the_workers_equal_local() -> None:
    """Chunks cut by event date, tests reduced on the workers: the local battery to 1e-10;
    a test without chunk sums runs on the stacked panel, in the table's order, and the notes say so."""
    from eventstudy.executors.dask import DaskExecutor
    from eventstudy.inference.chunked import REDUCIBLE

    ret, ev = synthetic(n_sec=5, n_ev=40, seed=12)
    data = prepare_data(returns=ret)
    kw = dict(returns=data, events=ev, benchmark="MKT", progress=False, **KW)
    local = event_study(tests=list(REDUCIBLE), chunk_size=8, **kw)  # type: ignore[arg-type]
    local_all = event_study(tests=["bmp", "wilcoxon"], **kw)  # type: ignore[arg-type]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ex = DaskExecutor(client)
        remote = event_study(tests=list(REDUCIBLE), chunk_size=8, executor=ex, **kw)  # type: ignore[arg-type]
        fallback = event_study(tests=["bmp", "wilcoxon"], chunk_size=8, executor=ex, **kw)  # type: ignore[arg-type]
        ex_chunks = [ex.chunk_size_for(n) for n in (10, 4_000, 10_000, 1_000_000)]
    assert remote.n_chunks == 6  # 44 events by date, 8 at a time
    assert remote.event_ids == local.event_ids
    np.testing.assert_array_equal(remote.panel.ar, local.panel.ar)
    pd.testing.assert_frame_equal(remote.car, local.car)
    pd.testing.assert_frame_equal(remote.diagnostics, local.diagnostics)
    a, b = remote.tests, local.tests
    pd.testing.assert_frame_equal(a.drop(columns=["statistic", "pvalue"]), b.drop(columns=["statistic", "pvalue"]))
    np.testing.assert_allclose(a["statistic"], b["statistic"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(a["pvalue"], b["pvalue"], rtol=0, atol=1e-10)
    assert set(remote.notes) == set(local.notes)
    assert ex_chunks == [1_000, 1_000, 2_500, 10_000]  # two chunks per worker, within [1,000, 10,000]
    f, g = fallback.tests, local_all.tests  # bmp on the workers, wilcoxon on the stacked panel
    pd.testing.assert_frame_equal(f.drop(columns=["statistic", "pvalue"]), g.drop(columns=["statistic", "pvalue"]))
    np.testing.assert_allclose(f["statistic"], g["statistic"], rtol=0, atol=1e-10)
    assert any(n.startswith("The statistics wilcoxon were computed on the stacked panel") for n in fallback.notes)


def test_tune_malloc_is_set_once_per_process() -> None:
    import ctypes.util

    from eventstudy.executors.dask import tune_malloc

    first = tune_malloc()
    assert tune_malloc() is first  # once per process
    assert first is (ctypes.util.find_library("c") is not None and _glibc())


def _glibc() -> bool:
    import platform

    return platform.libc_ver()[0] == "glibc"


def test_dask_executor_rejects_non_client() -> None:
    from eventstudy.executors.dask import DaskExecutor

    with pytest.raises(TypeError, match="dask.distributed.Client"):
        DaskExecutor(object())


def test_lazy_import_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import eventstudy.executors.dask as mod

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'dask\[distributed\]'.*pip install '\.\[dask\]'"):
        mod.import_distributed()
