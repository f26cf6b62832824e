"""Per-event outputs as tidy tables, and written to Parquet block by block.

:func:`long_frame` is the tidy AR table (one row per event and relative day,
with the running CAR and the reason a value is missing); :func:`write_parquet`
writes it, the CAR table and the diagnostics to a folder of Parquet files
``block`` events at a time, so a study of a million events never holds its
long tables in memory. Parquet needs ``pyarrow`` (optional extra
``eventstudy-honest[parquet]``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.errors import InvalidParameterError, MissingDependencyError

if TYPE_CHECKING:
    from eventstudy.panel import AbnormalPanel
    from eventstudy.results import EventStudyResult

__all__ = ["CHUNK_TABLES", "PARQUET_TABLES", "chunk_path", "long_frame", "write_chunk", "write_parquet"]

#: Tables :func:`write_parquet` can write, one file each (``<name>.parquet``).
PARQUET_TABLES: tuple[str, ...] = ("ar", "car", "diagnostics")

#: Tables a chunk writes where it runs (:func:`write_chunk`), one folder each.
CHUNK_TABLES: tuple[str, ...] = ("ar", "car")


def check_parquet_directory(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path, refused when it already holds a table a study writes.

    Raises
    ------
    InvalidParameterError
        Naming ``parquet``, the tables found and the directory.
    MissingDependencyError
        Without ``pyarrow``.
    """
    _pyarrow()
    path = Path(directory)
    taken = [t for t in (*CHUNK_TABLES, *(f"{t}.parquet" for t in PARQUET_TABLES)) if (path / t).exists()]
    if taken:
        raise InvalidParameterError("parquet", f"a directory without {', '.join(taken)} (tables are "
                                    "never overwritten)", str(path))
    if path.exists() and not path.is_dir():
        raise InvalidParameterError("parquet", "a directory", str(path))
    return path


def chunk_path(directory: str | os.PathLike[str], table: str, index: int) -> Path:
    """``directory/<table>/part-<index>.parquet``: one chunk's file of a Parquet dataset."""
    return Path(directory) / table / f"part-{index:05d}.parquet"


def write_chunk(panel: AbnormalPanel, car: pd.DataFrame, directory: str | os.PathLike[str],
                index: int) -> dict[str, Path]:
    """Write one chunk's AR (:func:`long_frame`) and CAR table as Parquet, where the chunk runs.

    ``directory/ar/part-<index>.parquet`` and ``directory/car/part-<index>.parquet``
    (a dataset per table: ``pandas.read_parquet(directory / "ar")`` or
    ``dask.dataframe.read_parquet`` reads every chunk), each written to a hidden
    temporary name and renamed into place when complete. ``car`` is the chunk's
    CAR table (index ``event_id``, ``window``); its windows are written as their
    labels.
    """
    pa, pq = _pyarrow()
    frames = {"ar": long_frame(panel), "car": car.reset_index()}
    frames["car"]["window"] = [str(w) for w in frames["car"]["window"]]
    written = {}
    for name, frame in frames.items():
        final = chunk_path(directory, name, index)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.partial")
        try:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temp)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        os.replace(temp, final)
        written[name] = final
    return written


def long_frame(panel: AbnormalPanel, rows: slice | None = None) -> pd.DataFrame:
    """Tidy long table of AR and running CAR for events ``rows`` (default all).

    Columns ``event_id``, ``relative_day``, ``security``, ``date``, ``ar``,
    ``car`` (running sum over the available days) and ``reason`` (why ``ar`` is
    missing on a day: the session is outside the data, the security or the
    benchmark/factors have no return on it; ``""`` when it exists).
    """
    p = panel if rows is None else panel.take(rows)
    e, length = p.ar.shape
    running = np.nancumsum(p.ar, axis=1)
    running = np.where(np.isfinite(p.ar), running, np.nan)
    dates = p.event_dates
    reason = np.where(
        np.isfinite(p.ar), "",
        np.where(np.isnat(dates), "session outside the data",
                 np.where(~np.isfinite(p.raw_event), "no return for the security on this session",
                          "no benchmark or factor return on this session")))
    return pd.DataFrame({
        "event_id": np.repeat(p.event_ids, length),
        "relative_day": np.tile(p.event_days, e),
        "security": np.repeat(p.securities, length),
        "date": pd.to_datetime(dates.ravel()),
        "ar": p.ar.ravel(),
        "car": running.ravel(),
        "reason": reason.ravel().astype(object),
    })


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependencyError("pyarrow", "parquet", "Writing Parquet files") from exc
    return pa, pq


def _blocks(result: EventStudyResult, name: str, block: int) -> Any:
    if name == "ar":
        n = result.panel.n_events
        for lo in range(0, max(n, 1), block):
            yield long_frame(result.panel, slice(lo, lo + block))
    else:
        frame = result._car_frame() if name == "car" else result._diagnostics
        frame = frame.reset_index()
        if name == "car":
            frame["window"] = [str(w) for w in frame["window"]]
        for lo in range(0, max(len(frame), 1), block):
            yield frame.iloc[lo:lo + block]


def write_parquet(result: EventStudyResult, directory: str | os.PathLike[str],
                  tables: Sequence[str] = PARQUET_TABLES, *, block: int = 100_000) -> dict[str, Path]:
    """Write ``tables`` of ``result`` to ``directory/<table>.parquet``, ``block`` rows at a time.

    Each file is written to a hidden temporary name and renamed into place
    when complete, so a failure never leaves a half-written ``.parquet``.

    Parameters
    ----------
    result : EventStudyResult
    directory : path
        Created if missing.
    tables : sequence of {"ar", "car", "diagnostics"}
    block : int
        Events (``ar``) or rows per Parquet row group.

    Returns
    -------
    dict of str to Path
        The written files by table name.
    """
    unknown = [t for t in tables if t not in PARQUET_TABLES]
    if unknown or isinstance(tables, str):
        raise InvalidParameterError("tables", f"names among {list(PARQUET_TABLES)}", tables)
    if not isinstance(block, int) or block < 1:
        raise InvalidParameterError("block", "a positive integer", block)
    pa, pq = _pyarrow()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name in tables:
        final = out / f"{name}.parquet"
        temp = out / f".{name}.parquet.partial"
        writer = None
        try:
            for frame in _blocks(result, name, block):
                batch = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(temp, batch.schema)
                writer.write_table(batch)
        except BaseException:
            if writer is not None:
                writer.close()
            temp.unlink(missing_ok=True)
            raise
        if writer is not None:
            writer.close()
        os.replace(temp, final)
        written[name] = final
    return written
