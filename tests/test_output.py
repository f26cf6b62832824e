"""Per-event tables written to Parquet block by block: same rows as in memory, never half-written."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import event_study
from eventstudy.errors import InvalidParameterError, MissingDependencyError
from tests.test_batch import KW, synthetic

pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    ret, ev = synthetic(n_sec=5, n_ev=23, seed=3)
    return event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=["bmp"],
                       **KW)  # type: ignore[arg-type]


def test_parquet_tables_equal_the_in_memory_tables(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = result.to_parquet(tmp_path / "out", block=4)  # 4 events per row group: several blocks
    assert sorted(files) == ["ar", "car", "diagnostics"]
    ar = pd.read_parquet(files["ar"])
    assert pq.ParquetFile(files["ar"]).num_row_groups == -(-result.panel.n_events // 4)
    mem = result.to_frame().reset_index()
    assert len(ar) == result.panel.n_events * len(result.panel.event_days) == len(mem)
    assert ar["event_id"].tolist() == mem["event_id"].tolist()
    np.testing.assert_array_equal(ar["ar"].to_numpy(), result.panel.ar.ravel())
    np.testing.assert_array_equal(ar["car"].to_numpy(), mem["car"].to_numpy())
    assert (ar["date"].to_numpy() == mem["date"].to_numpy()).all()
    car = pd.read_parquet(files["car"])
    mem_car = result.car.reset_index()
    assert car["event_id"].tolist() == mem_car["event_id"].tolist()
    assert car["window"].tolist() == [str(w) for w in mem_car["window"]]
    np.testing.assert_array_equal(car["car"].to_numpy(), mem_car["car"].to_numpy())
    diag = pd.read_parquet(files["diagnostics"])
    assert diag["event_id"].tolist() == list(result.diagnostics.index)
    assert diag["status"].tolist() == result.diagnostics["status"].tolist()
    assert not list((tmp_path / "out").glob(".*"))  # no temporary left


def test_a_failed_write_leaves_no_file(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}
    real = pq.ParquetWriter.write_table

    def fail_second(self, table, *a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(self, table, *a, **k)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail_second)
    with pytest.raises(OSError, match="disk full"):
        result.to_parquet(tmp_path, tables=["ar"], block=3)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_and_missing_pyarrow(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameterError, match="tables"):
        result.to_parquet(tmp_path, tables=["params"])
    with pytest.raises(InvalidParameterError, match="block"):
        result.to_parquet(tmp_path, block=0)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingDependencyError, match=r"eventstudy-honest\[parquet\]"):
        result.to_parquet(tmp_path)


def test_parquet_written_by_the_chunks_equals_the_result_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`event_study(parquet=...)` with statistics per chunk: each chunk writes its AR and CAR
    rows where it runs; read back, they are the result's own tables (rows by event date)."""
    pytest.importorskip("pyarrow")
    from eventstudy import event_study
    from eventstudy.executors import LocalExecutor
    from tests.test_batch import KW, synthetic

    ret, ev = synthetic(n_sec=5, n_ev=30, seed=4)
    kw = dict(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=["bmp", "kp-bmp"],
              progress=False, **KW)
    res = event_study(executor=LocalExecutor("chunks"), chunk_size=7, parquet=tmp_path / "out", **kw)  # type: ignore[arg-type]
    assert set(res.parquet) == {"ar", "car", "diagnostics"}
    assert sorted(p.name for p in (tmp_path / "out" / "ar").iterdir()) == [f"part-{k:05d}.parquet" for k in range(5)]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no staging left
    ar = pd.read_parquet(tmp_path / "out" / "ar").set_index(["event_id", "relative_day"]).sort_index()
    mine_ar = pd.DataFrame(res.to_frame()).sort_index()
    for frame in (ar, mine_ar):  # Parquet keeps dates in ms
        frame["date"] = frame["date"].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(ar, mine_ar, check_index_type=False)
    car = pd.read_parquet(tmp_path / "out" / "car")
    mine = pd.DataFrame(res.car).reset_index()
    mine["window"] = mine["window"].astype(str)
    key = ["event_id", "window"]
    pd.testing.assert_frame_equal(car.sort_values(key).reset_index(drop=True),
                                  mine.sort_values(key).reset_index(drop=True))
    assert len(pd.read_parquet(res.parquet["diagnostics"])) == len(ev)
    with pytest.raises(InvalidParameterError, match="parquet") as err:  # never overwritten
        event_study(executor=LocalExecutor("chunks"), parquet=tmp_path / "out", **kw)  # type: ignore[arg-type]
    assert "ar, car, diagnostics.parquet" in str(err.value)
    plain = event_study(parquet=tmp_path / "plain", **kw)  # type: ignore[arg-type]
    assert sorted(plain.parquet) == ["ar", "car", "diagnostics"]
    assert plain.parquet["ar"] == tmp_path / "plain" / "ar.parquet"


def test_a_failing_chunk_leaves_no_parquet(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pyarrow")
    import eventstudy.engine.chunks as chunks
    from eventstudy import event_study
    from eventstudy.executors import LocalExecutor
    from tests.test_batch import KW, synthetic

    ret, ev = synthetic(n_sec=5, n_ev=30, seed=4)
    real = chunks.reduce_chunk
    calls = []

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(chunks, "reduce_chunk", failing)
    with pytest.raises(OSError, match="disk full"):
        event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", tests=["bmp"], progress=False,
                    executor=LocalExecutor("chunks"), chunk_size=7, parquet=tmp_path / "out", **KW)  # type: ignore[arg-type]
    assert list((tmp_path / "out").iterdir()) == []
