"""The Dask executor gives the local engine's results (in-process LocalCluster)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.batch import batch_study
from tests.test_batch import KW, synthetic

distributed = pytest.importorskip("dask.distributed")


@pytest.mark.allow_loopback
def test_dask_executor_equals_local_engine() -> None:
    from eventstudy.executors.dask import DaskExecutor

    ret, ev = synthetic(n_sec=5, n_ev=30, seed=11)
    local = batch_study(ret, ev, benchmark="MKT", chunk_size=8, progress=False, **KW)  # type: ignore[arg-type]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = batch_study(ret, ev, benchmark="MKT", chunk_size=8, progress=False,
                             executor=DaskExecutor(client), **KW)  # type: ignore[arg-type]
    assert remote.n_chunks == local.n_chunks == 5
    assert remote.event_ids == local.event_ids
    np.testing.assert_array_equal(remote.panel.ar, local.panel.ar)
    np.testing.assert_array_equal(remote.panel.params, local.panel.params)
    pd.testing.assert_frame_equal(remote.car, local.car)
    pd.testing.assert_frame_equal(remote.diagnostics, local.diagnostics)
    pd.testing.assert_frame_equal(remote.tests, local.tests)
    assert remote.notes == local.notes


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
