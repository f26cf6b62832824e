"""Benchmark (issue 10, item 6): the Dask executor against the local engine, and a million events.

Same synthetic panel as ``bench_batch.py`` (:func:`bench_batch.make_panel`: 3,000 securities x
2,516 NYSE sessions, benchmark column ``MKT``, events on a random security and session),
estimation [-250, -11], event window [-5, +5], the full default battery (Patell, BMP, KP-BMP,
Corrado), window tests only (``days=()``), on a ``PreparedData``.

Part 1 (``--events``, default 100,000), in one process, interleaved, ``--reps`` repetitions,
medians: ``event_study(executor=None)`` (local; with the default BLAS threads and with BLAS
pinned to one thread) against ``event_study(executor=DaskExecutor(client))``. The Dask result
must equal the local one to 1e-10 (AR, CAR, market-model parameters, the statistics of the
tests table); exit 1 otherwise. The first Dask call scatters the prepared data (timed apart as
the warm-up); the timed calls reuse it, as the executor does across calls.

Part 2 (``--million``, default 1,000,000; ``--skip-million`` to skip): the workers' peak RSS
is reset (``/proc/self/clear_refs``), then a *separate client process* (this script with
``--child``, so its peak is this run's alone) builds the panel and runs the study through Dask
with ``parquet=DIR``: each worker writes its chunks' AR and CAR tables to Parquet as it runs
(the client writes the diagnostics). Reported: wall time,
stage times, the client's RSS sampled every 20 ms (peak per stage: panel, prepare, engine,
assemble, tests, parquet, with the ``eventstudy`` frames at each peak) and its ``VmHWM``, and
each worker's ``VmHWM`` (the worker *process* maximum since the reset, via ``client.run``;
not ``ru_maxrss``, which survives ``exec`` and so counts the process a worker was forked
from). A size that does not fit is abandoned: the child exits when the machine's used memory
passes ``--max-used-gb`` (default 12), saying where it was, and the next of ``--fallback``
(default 500,000 and 300,000) is tried, largest first.

``--breakdown N``: each statistic alone on N events (fresh client each): the time and the
peak RSS of the client's tests stage, per event, and where the peak is.

Cluster: a ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` by default, or
``--scheduler tcp://HOST:8786`` to use a running scheduler (its workers must be able to import
``eventstudy``).

Run: ``python benchmarks/bench_dask.py [--events 100000] [--reps 3] [--skip-million]``
``[--million 1000000] [--chunk-size 5000] [--scheduler ADDRESS]``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import make_panel  # noqa: E402

EST = (-250, -11)
WIN = (-5, 5)
TESTS = ["patell", "bmp", "kp-bmp", "corrado"]
TOL = 1e-10
OPTIONS: dict[str, Any] = {}  # extra event_study arguments (--rbar-max-partners)
# The environment before any cluster starts: a LocalCluster puts its workers' settings
# (MALLOC_TRIM_THRESHOLD_=65536, OMP_NUM_THREADS=1, ...) into this process's os.environ,
# and a child client started with them ran KP-BMP's rbar 3x slower (glibc then maps and
# unmaps every large temporary). The child clients get this copy.
ENVIRON = dict(os.environ)
SEED = 20260801
GB = 1024**3


# ------------------------------------------------------------ the library: one call site
def study(data: Any, events: pd.DataFrame, executor: Any, chunk_size: int | None,
          parquet: Path | None = None) -> Any:
    """The one call into the library (change the API here and nowhere else).

    ``parquet``: a directory where the chunks write the AR and CAR tables as they run
    (``event_study(parquet=...)``).
    """
    from eventstudy import event_study

    extra = {} if parquet is None else {"parquet": parquet}
    return event_study(returns=data, events=events, benchmark="MKT", estimation=EST, windows=[WIN],
                       tests=list(TESTS), days=(), chunk_size=chunk_size, executor=executor,
                       progress=False, **OPTIONS, **extra)


def numbers(res: Any) -> dict[str, np.ndarray]:
    """AR, CAR, market-model parameters and the tests table's statistics of a result."""
    t = res.tests
    return {"ar": np.asarray(res.panel.ar, dtype=float),
            "car": res.car["car"].to_numpy(dtype=float),
            "params": np.asarray(res.panel.params, dtype=float),
            "statistic": t["statistic"].to_numpy(dtype=float),
            "pvalue": t["pvalue"].to_numpy(dtype=float)}


def compare(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> tuple[bool, str]:
    """Largest absolute differences (NaNs must sit in the same places) and whether all <= TOL."""
    parts, ok = [], True
    for key in a:
        x, y = a[key], b[key]
        if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
            parts.append(f"{key} shape/NaN mismatch {x.shape} vs {y.shape}")
            ok = False
            continue
        d = float(np.nanmax(np.abs(x - y), initial=0.0))
        ok &= d <= TOL
        parts.append(f"{key} {d:.1e}")
    return ok, ", ".join(parts)


# ------------------------------------------------------------ cluster and memory
@contextlib.contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """A client on ``address``, or on a new LocalCluster (2 processes x 1 thread), closed after."""
    from dask.distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            yield client
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def peak_rss() -> int:
    """Peak RSS of this process (``VmHWM``), in bytes.

    Not ``getrusage().ru_maxrss``: that one survives ``exec`` and so includes the RSS of
    the process that forked this one (a LocalCluster's worker is forked from the client
    process and would report the client's size).
    """
    return _status_bytes("VmHWM")


def _rss_bytes() -> int:
    return _status_bytes("VmRSS")


def used_bytes() -> int:
    """Memory in use on the machine (MemTotal - MemAvailable)."""
    info = {ln.split(":")[0]: int(ln.split()[1]) * 1024
            for ln in Path("/proc/meminfo").read_text().splitlines()}
    return info["MemTotal"] - info["MemAvailable"]


def reset_peak() -> int:
    """Free what can be freed, reset this process's ``VmHWM`` to its RSS; the RSS (bytes).

    Writing 5 to ``/proc/self/clear_refs`` resets the peak (Linux >= 4.0). Used on the
    workers between runs instead of ``client.restart()`` (restarts were flaky here).
    """
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")
    return _rss_bytes()


def worker_maxrss(client: Any) -> dict[str, int]:
    """Peak RSS (bytes, ``VmHWM``) of every worker process: its maximum since it started."""
    out = client.run(peak_rss)
    return {str(k): int(v) for k, v in out.items()}


class RssSampler:
    """RSS of this process every ``interval`` seconds in a thread; aborts past ``max_used``.

    ``mark(name)`` starts a named stage; ``peaks()`` gives the peak RSS per stage and
    ``peak_stack`` the main thread's ``eventstudy`` frames when the RSS last reached a new
    maximum (where the peak is). When the machine's used memory passes ``max_used`` bytes
    the process exits with status 3 (so a size that does not fit never pushes the shared
    machine into swap or the OOM killer).
    """

    def __init__(self, interval: float, max_used: int, limit: float = float("inf")) -> None:
        self.interval, self.max_used = interval, max_used
        self.deadline = time.perf_counter() + limit
        self.peak, self.peak_stack = 0, [""]
        self._main = threading.main_thread().ident
        self.samples: list[tuple[float, int]] = []
        self.stacks: list[list[str]] = []  # the main thread's eventstudy frames, per sample
        self.marks: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            rss = _rss_bytes()
            frame = sys._current_frames().get(self._main or 0)
            stack = traceback.extract_stack(frame) if frame is not None else []
            self.samples.append((time.perf_counter(), rss))
            self.stacks.append([f"{Path(f.filename).stem}:{f.lineno} {f.name}" for f in stack
                                if "eventstudy" in f.filename and "benchmarks" not in f.filename])
            if rss > self.peak:
                self.peak, self.peak_stack = rss, self.stacks[-1]
            over = used_bytes() > self.max_used
            if over or time.perf_counter() > self.deadline:
                what = (f"machine memory in use passed {self.max_used / GB:.1f} GB" if over
                        else "time limit (--child-timeout) passed")
                print(json.dumps({"aborted": f"{what}; client RSS {rss / GB:.2f} GB (peak "
                                  f"{self.peak / GB:.2f} GB), now in "
                                  f"{' > '.join(self.stacks[-1][-4:])}; peak in "
                                  f"{' > '.join(self.peak_stack[-4:])}"}), flush=True)
                os._exit(3)

    def mark(self, name: str, at: float | None = None) -> None:
        self.marks.append((time.perf_counter() if at is None else at, name))

    def peaks(self) -> dict[str, tuple[int, list[str]]]:
        """Peak RSS of each stage and the main thread's eventstudy frames at that peak."""
        marks = sorted(self.marks)
        out: dict[str, tuple[int, list[str]]] = {}
        for (t0, name), (t1, _) in zip(marks, [*marks[1:], (float("inf"), "")], strict=True):
            inside = [i for i, (t, _) in enumerate(self.samples) if t0 <= t < t1]
            if inside:  # a stage shorter than the sampling interval has no sample
                i = max(inside, key=lambda j: self.samples[j][1])
                out[name] = (self.samples[i][1], self.stacks[i])
        return out


# ------------------------------------------------------------ part 1: local vs Dask
def run_compare(client: Any, args: argparse.Namespace) -> bool:
    from threadpoolctl import threadpool_limits

    from eventstudy import prepare_data
    from eventstudy.executors.dask import DaskExecutor

    ret, events, _ = make_panel(3000, args.events, SEED)
    prepared = prepare_data(returns=ret, calendar="XNYS")
    ex = DaskExecutor(client)
    n = len(events)
    print(f"part 1: {n:,} events, tests {TESTS} (window only), chunk_size "
          f"{args.chunk_size or 'default'}, {len(client.scheduler_info()['workers'])} Dask workers"
          + (f", {OPTIONS}" if OPTIONS else ""))

    t0 = time.perf_counter()
    res_d = study(prepared, events, ex, args.chunk_size)
    t_first = time.perf_counter() - t0
    res_l = study(prepared, events, None, args.chunk_size)
    ok, diffs = compare(numbers(res_d), numbers(res_l))
    print(f"max |Dask - local|: {diffs} -> {'OK' if ok else 'FAIL'} (tol {TOL:g})")
    del res_d, res_l
    task_stream(client, lambda: study(prepared, events, ex, args.chunk_size))

    jobs: dict[str, Callable[[], Any]] = {
        "local, default BLAS threads": lambda: study(prepared, events, None, args.chunk_size),
        "local, BLAS 1 thread": lambda: _pinned(threadpool_limits, prepared, events, args.chunk_size),
        "Dask (data already scattered)": lambda: study(prepared, events, ex, args.chunk_size),
    }
    times: dict[str, list[float]] = {k: [] for k in jobs}
    stages: dict[str, list[dict[str, float]]] = {k: [] for k in jobs}
    load0 = os.getloadavg()
    for rep in range(args.reps):
        keys = list(jobs) if rep % 2 == 0 else list(reversed(jobs))  # alternate the order
        for key in keys:
            t0 = time.perf_counter()
            res = jobs[key]()
            times[key].append(time.perf_counter() - t0)
            stages[key].append(dict(res.timings))
            del res
    load1 = os.getloadavg()
    med = {k: statistics.median(v) for k, v in times.items()}
    dask_key = "Dask (data already scattered)"
    print(f"\nratio Dask / local, medians of {args.reps} interleaved runs (target <= 1):")
    for key in jobs:
        if key != dask_key:
            print(f"  Dask / {key:<28}: {med[dask_key] / med[key]:.2f}x "
                  f"(minima {min(times[dask_key]) / min(times[key]):.2f}x)")
    print(f"\nabsolute times on this machine ({os.cpu_count()} cores, shared; load average "
          f"{load0[0]:.2f} / {load0[1]:.2f} before, {load1[0]:.2f} / {load1[1]:.2f} after), "
          f"median [min - max] of {args.reps}:")
    print(f"  first Dask call (scatters the prepared data): {t_first:.2f} s")
    for key, v in times.items():
        st = {s: statistics.median(d.get(s, 0.0) for d in stages[key])
              for s in ("prepare", "engine", "assemble", "tests")}
        print(f"  {key:<30}: {med[key]:6.2f} s [{min(v):.2f} - {max(v):.2f}]  = "
              f"{n / med[key]:,.0f} events/s;  stages (medians): "
              + ", ".join(f"{s} {x:.2f}" for s, x in st.items()))
    return ok


def task_stream(client: Any, call: Callable[[], Any]) -> None:
    """One Dask call under ``get_task_stream``: the workers' compute and transfer time."""
    from dask.distributed import get_task_stream

    with get_task_stream(client) as ts:
        res = call()
    compute = [s["stop"] - s["start"] for t in ts.data for s in t["startstops"]
               if s["action"] == "compute"]
    other = {}
    for t in ts.data:
        for s in t["startstops"]:
            if s["action"] != "compute":
                other[s["action"]] = other.get(s["action"], 0.0) + s["stop"] - s["start"]
    eng = res.timings.get("engine", float("nan"))
    print(f"one Dask call's engine stage {eng:.2f} s (wall, client): {len(compute)} chunk tasks, "
          f"worker compute {sum(compute):.2f} s in all (median {statistics.median(compute):.3f} s"
          f" per task, {sum(compute) / max(eng, 1e-9):.2f} workers busy on average)"
          + "".join(f", {k} {v:.2f} s" for k, v in other.items()))


def _pinned(limits: Any, prepared: Any, events: pd.DataFrame, chunk_size: int | None) -> Any:
    with limits(limits=1, user_api="blas"):
        return study(prepared, events, None, chunk_size)


# ------------------------------------------------------------ part 2: a million (child)
def run_child(args: argparse.Namespace) -> int:
    """One Dask run on ``--child`` events in this (fresh) process; prints one JSON line."""
    from eventstudy import prepare_data
    from eventstudy.executors.dask import DaskExecutor

    out_dir = Path(args.out)
    with RssSampler(0.02, int(args.max_used_gb * GB), args.child_timeout) as rss:
        rss.mark("start (imports)")
        from dask.distributed import Client

        client = Client(args.scheduler)
        rss.mark("panel")
        ret, events, _ = make_panel(3000, args.child, SEED)
        rss.mark("prepare_data")
        prepared = prepare_data(returns=ret, calendar="XNYS")
        rss_before = _rss_bytes()
        ex = DaskExecutor(client)
        prof = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if prof is not None:
            prof.enable()
        res = study(prepared, events, ex, args.chunk_size, out_dir)  # the workers write AR and CAR
        t_study = time.perf_counter() - t0
        if prof is not None:
            prof.disable()
        clock = dict(res.timings)
        at = t0  # stage boundaries from the result's timings (sequential stages)
        for stage in ("prepare", "engine", "assemble", "tests"):
            rss.mark(f"event_study: {stage}", at)
            at += clock.get(stage, 0.0)
        rss.mark("result built")
        t1 = time.perf_counter()
        rss.mark("parquet")
        how = write_parquet(res, out_dir)
        t_parquet = time.perf_counter() - t1
        rss.mark("end")
        size = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file())
        workers = worker_maxrss(client)
        client.close()
    print(json.dumps({
        "events": len(events), "included": int(res.panel.n_events), "n_chunks": res.n_chunks,
        "seconds_study": t_study, "seconds_parquet": t_parquet, "timings": clock,
        "rss_before_study": rss_before, "client_maxrss": peak_rss(),
        "stage_peaks": rss.peaks(), "peak_stack": rss.peak_stack, "workers_maxrss": workers, "parquet": how,
        "parquet_bytes": size, "profile": profile_top(prof, 25) if prof is not None else []}))
    return 0


def profile_top(prof: cProfile.Profile, n: int) -> list[str]:
    """The ``n`` eventstudy / distributed functions with the most cumulative time."""
    st = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_, ncalls, _, cum, _) in st.stats.items():  # type: ignore[attr-defined]
        if "eventstudy" in file or func in ("result", "concat", "loads"):
            rows.append((cum, f"{cum:7.2f} s  {ncalls:>7} x  {Path(file).stem}:{line} {func}"))
    return [r for _, r in sorted(rows, reverse=True)[:n]]


def write_parquet(res: Any, directory: Path) -> str:
    """AR/CAR output to Parquet: written by the chunks during the study (``result.parquet``),
    else ``result.to_parquet``, else ``result.car``."""
    if getattr(res, "parquet", None):
        return ("written by the workers during event_study(parquet=...): "
                + ", ".join(sorted(res.parquet)))
    if hasattr(res, "to_parquet"):
        res.to_parquet(directory)
        return "result.to_parquet(directory)"
    directory.mkdir(parents=True, exist_ok=True)
    car = res.car.reset_index()
    car["window"] = car["window"].astype(str)  # Window objects: Arrow has no type for them
    car.to_parquet(directory / "car.parquet")
    panel = res.panel
    ar = pd.DataFrame(np.asarray(panel.ar), columns=[f"ar{d:+d}" for d in panel.event_days])
    ar.insert(0, "event_id", np.asarray(panel.event_ids))
    ar.to_parquet(directory / "ar.parquet")
    return ("the library has no result.to_parquet: result.car and panel.ar (wide, one row per "
            "event) with DataFrame.to_parquet")


def child_run(client: Any, args: argparse.Namespace, address: str, n: int,
              tests: list[str]) -> tuple[dict[str, Any], str, float, dict[str, int], float]:
    """Reset the workers' peak RSS, run :func:`run_child` on ``n`` events in a fresh process.

    Returns its JSON (empty if it failed), the failure (or ""), the wall time, the workers'
    RSS when their peak was reset, and the load average before.
    """
    base = {str(k): int(v) for k, v in client.run(reset_peak).items()}
    with tempfile.TemporaryDirectory(prefix="bench_dask_") as tmp:
        cmd = [sys.executable, __file__, "--child", str(n), "--scheduler", address,
               "--tests", *tests, "--out", str(Path(tmp) / "out"),
               "--max-used-gb", str(args.max_used_gb), "--child-timeout", str(args.child_timeout)]
        if args.rbar_max_partners is not None:
            cmd += ["--rbar-max-partners", str(args.rbar_max_partners)]
        if args.profile:
            cmd += ["--profile"]
        if args.chunk_size:
            cmd += ["--chunk-size", str(args.chunk_size)]
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=ENVIRON)
        wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    if proc.returncode == 0 and "aborted" not in info:
        return info, "", wall, base, load0
    why = info.get("aborted") or " ".join(proc.stderr.strip().splitlines()[-1:]) or "no output"
    with contextlib.suppress(Exception):
        why += f"; workers' peak RSS (VmHWM): {fmt_gb(worker_maxrss(client))}"
    return {}, f"exit {proc.returncode}: {why}", wall, base, load0


def run_large(client: Any, args: argparse.Namespace, address: str) -> bool:
    """Part 2 in a child process per size, largest first, until one completes."""
    sizes = [args.million, *sorted(args.fallback, reverse=True)]
    print(f"\npart 2: through Dask, AR/CAR written to Parquet; client = a fresh process "
          f"(peak RSS its own); workers' peak RSS reset before each size (clear_refs); abort when the machine "
          f"uses more than {args.max_used_gb:g} GB")
    for n in sizes:
        info, failed, wall, base, load0 = child_run(client, args, address, n, TESTS)
        if failed:
            print(f"  {n:,} events: DID NOT COMPLETE after {wall:.0f} s ({failed})")
            continue
        report_large(info, base, wall, load0)
        return n == args.million
    return False


def run_breakdown(client: Any, args: argparse.Namespace, address: str) -> None:
    """``--breakdown N``: one fresh client per statistic alone on N events; its cost."""
    print(f"\nwhere the client's time and memory go: one statistic per run, {args.breakdown:,} "
          f"events through Dask (fresh client process each; absolute, this machine)")
    for test in TESTS:
        info, failed, wall, _, load0 = child_run(client, args, address, args.breakdown, [test])
        if failed:
            print(f"  {test:<8}: DID NOT COMPLETE after {wall:.0f} s ({failed})")
            continue
        pk = {k: v[0] for k, v in info["stage_peaks"].items()}
        t = info["timings"]
        where = info["stage_peaks"].get("event_study: tests", (0, []))[1]
        before = pk.get("event_study: assemble", pk.get("event_study: engine", 0))
        during = pk.get("event_study: tests", 0)
        print(f"  {test:<8}: tests stage {t.get('tests', 0):6.2f} s, peak RSS {during / GB:.2f} GB"
              f" (+{(during - before) / GB:.2f} GB over the assembly stage, "
              f"{(during - before) / args.breakdown:,.0f} B per event); engine {t.get('engine', 0):.2f} s,"
              f" assemble {t.get('assemble', 0):.2f} s; load {load0:.2f}; at the peak: "
              f"{' > '.join(where[-3:])}")


def fmt_gb(d: dict[str, int]) -> str:
    return ", ".join(f"{k.rsplit(':', 1)[-1]} {v / GB:.2f} GB" for k, v in d.items())


def report_large(info: dict[str, Any], base: dict[str, int], wall: float, load0: float) -> None:
    n = info["events"]
    peak_w = max(info["workers_maxrss"].values())
    cl = info["client_maxrss"]
    print(f"  {n:,} events ({info['included']:,} included, {info['n_chunks']} chunks): "
          f"targets peak <= 2 GB per worker: {peak_w / GB:.2f} GB "
          f"-> {'met' if peak_w <= 2 * GB else 'MISSED'}; <= 2 GB on the client: {cl / GB:.2f} GB "
          f"-> {'met' if cl <= 2 * GB else 'MISSED'}")
    print(f"  absolute, this machine (load average {load0:.2f} before, {os.getloadavg()[0]:.2f} "
          f"after): event_study {info['seconds_study']:.1f} s (stages: "
          + ", ".join(f"{k} {v:.1f}" for k, v in info["timings"].items() if k != "total")
          + f"), Parquet {info['seconds_parquet']:.1f} s ({info['parquet_bytes'] / 2**20:.0f} MiB, "
          f"{info['parquet']}); child process wall {wall:.1f} s")
    print(f"  workers' peak RSS (VmHWM) (process maximum since the reset): {fmt_gb(info['workers_maxrss'])}"
          f" (RSS at the reset, before the run: {fmt_gb(base)})")
    print(f"  client peak RSS (VmHWM) {cl / GB:.2f} GB; RSS before event_study (panel + prepared data): "
          f"{info['rss_before_study'] / GB:.2f} GB; peak RSS per client stage: "
          + ", ".join(f"{k} {v[0] / GB:.2f}" for k, v in info["stage_peaks"].items()) + " GB")
    print(f"  client at its peak RSS was in: {' > '.join(info['peak_stack'][-5:])}")
    if info.get("profile"):
        print("  client profile of event_study (cProfile, cumulative; eventstudy functions, "
              "Future.result, concat, loads):")
        for row in info["profile"]:
            print("    " + row)


# ------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=100_000, help="events of the local/Dask comparison")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--million", type=int, default=1_000_000, help="events of the large run")
    p.add_argument("--fallback", type=int, nargs="*", default=[300_000, 500_000],
                   help="sizes tried, largest first, when the large run does not complete")
    p.add_argument("--skip-million", action="store_true")
    p.add_argument("--skip-compare", action="store_true")
    p.add_argument("--chunk-size", type=int, default=None)
    p.add_argument("--scheduler", default=None, help="address of a running scheduler "
                   "(default: start a LocalCluster with 2 worker processes x 1 thread)")
    p.add_argument("--max-used-gb", type=float, default=12.0)
    p.add_argument("--profile", action="store_true", help="cProfile the large run's client")
    p.add_argument("--rbar-max-partners", type=int, default=None, metavar="K",
                   help="event_study(rbar_max_partners=K): bound the rbar pair term")
    p.add_argument("--child-timeout", type=float, default=1200.0,
                   help="seconds after which a large run is abandoned (saying where it was)")
    p.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--out", default="", help=argparse.SUPPRESS)
    p.add_argument("--breakdown", type=int, default=0, metavar="N",
                   help="also run each statistic alone on N events (client time and memory)")
    p.add_argument("--tests", nargs="+", default=TESTS, help="statistics (default: the full battery)")
    args = p.parse_args(argv)
    TESTS[:] = args.tests
    if args.rbar_max_partners is not None:
        OPTIONS["rbar_max_partners"] = args.rbar_max_partners
    if args.child:
        return run_child(args)
    print("command: python " + " ".join([os.path.relpath(__file__), *sys.argv[1:]]))
    ok = True
    with dask_client(args.scheduler) as client:
        address = client.scheduler.address
        print(f"cluster: {'scheduler ' + args.scheduler if args.scheduler else 'LocalCluster(n_workers=2, threads_per_worker=1, processes=True)'}"
              f" at {address}; machine memory in use {used_bytes() / GB:.1f} GB of "
              f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / GB:.0f} GB")
        if not args.skip_compare:
            ok &= run_compare(client, args)
        if not args.skip_million:
            run_large(client, args, address)
        if args.breakdown:
            run_breakdown(client, args, address)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
