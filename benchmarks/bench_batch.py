"""Benchmark (issue 10): the library against a tight bare-numpy path, and its memory.

Synthetic panel (:func:`make_panel`): 3,000 securities x 10 years of daily returns on
the NYSE session grid (2014-01-02 .. 2023-12-29, 2,516 sessions) from a market model
with known alphas and betas (fixed seed), benchmark column ``MKT``, and 10,000 events
(random security and session). Estimation window [-250, -11], event window [-5, +5].

Timing (default mode), in one process, interleaved, ``--reps`` repetitions, medians:

* the library (:func:`library_full`, the only call into the engine) on the returns
  frame with ``tests=["patell"]`` and with the full default battery (Patell, BMP,
  KP-BMP, Corrado); the Patell run also on a ``PreparedData`` when the API has one;
* the tight path of ``bench_tight.py`` (numpy only): OLS + AR + CAR + Patell, and the
  full battery with the blocked banded ``rbar`` and the Corrado rank test;
* the full battery with BLAS pinned to one thread and with its default threads
  (``threadpoolctl``), for both.

The library and tight numbers are checked to 1e-10 (alpha, beta, AR, CAR, the four
statistics, and the ``rbar`` implied by the library's BMP and KP-BMP); exit 1 otherwise.
Ratios are printed first, then this machine's absolute times.

``--memory``: one library call (full battery) per process for 1,000, 10,000 and
100,000 events under ``/usr/bin/time -v`` (peak RSS of the whole process, panel
included), and the bytes the result retains per event (:func:`retained_bytes`).

``--naive-events N``: also a per-event statsmodels / scipy loop on the first N events
(an independent cross-check of the library, not timed against it).

Run: ``python benchmarks/bench_batch.py [--events 10000] [--reps 7]``,
``python benchmarks/bench_batch.py --memory``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tight import tight_core, tight_full  # noqa: E402

from eventstudy.calendar import TradingCalendar  # noqa: E402

EST = (-250, -11)
WIN = (-5, 5)
TOL = 1e-10
CORE_TESTS: tuple[str, ...] = ("patell",)
FULL_TESTS: tuple[str, ...] = ("patell", "bmp", "kp-bmp", "corrado")


def make_panel(n_sec: int, n_ev: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    rng = np.random.default_rng(seed)
    cal = TradingCalendar("XNYS", start="2014-01-02", end="2023-12-29")
    sess = cal.sessions("2014-01-02", "2023-12-29")
    n_s = len(sess)
    rm = rng.normal(0.0004, 0.01, n_s)
    alpha = rng.normal(0.0, 0.0003, n_sec)
    beta = rng.uniform(0.5, 1.5, n_sec)
    sig = rng.uniform(0.01, 0.03, n_sec)
    r = alpha + np.outer(rm, beta) + rng.standard_normal((n_s, n_sec)) * sig
    cols = [f"S{i:04d}" for i in range(n_sec)]
    ret = pd.DataFrame(r, index=pd.DatetimeIndex(sess, name="date"), columns=cols)
    ret["MKT"] = rm
    sec = rng.integers(0, n_sec, n_ev)
    pos = rng.integers(-EST[0] + 1, n_s - WIN[1] - 1, n_ev)
    events = pd.DataFrame({"event_id": [f"E{i:05d}" for i in range(n_ev)],
                           "security": np.array(cols)[sec], "event_date": sess[pos], "benchmark": "MKT"})
    return ret, events, {"alpha": alpha, "beta": beta, "sec": sec, "pos": pos}


# ------------------------------------------------- the library: one call site
def library_full(data: Any, events: pd.DataFrame, tests: Sequence[str] | None,
                 days: Sequence[int] | None = ()) -> Any:
    """The one call into the library (change the API here and nowhere else).

    ``data`` is the returns frame or what :func:`library_prepare` gave.
    """
    from eventstudy import event_study

    return event_study(returns=data, events=events, benchmark="MKT", estimation=EST, windows=[WIN],
                       tests=None if tests is None else list(tests), days=days,
                       calendar=None if hasattr(data, "calendar") else "XNYS",
                       progress=False)


def library_prepare(ret: pd.DataFrame) -> Any | None:
    """Validated, aligned data reusable across calls, or None when the API has none."""
    try:
        from eventstudy import prepare_data
    except ImportError:
        return None
    return prepare_data(returns=ret, calendar="XNYS")


def library_numbers(res: Any, tests: Sequence[str]) -> dict[str, Any]:
    """alpha, beta, AR, CAR and the statistics of window ``WIN`` from a library result."""
    t = res.tests
    if "scope" in t.columns:
        t = t.loc[t["scope"] == "window"]
    stat = t.set_index("test")["statistic"]
    out: dict[str, Any] = {"alpha": res.panel.params[:, 0], "beta": res.panel.params[:, 1],
                           "ar": np.asarray(res.panel.ar), "car": res.car["car"].to_numpy()}
    out.update({name: float(stat[name]) for name in tests})
    if "bmp" in out and "kp-bmp" in out:  # t_kp = t_bmp sqrt((1 - r) / (1 + (n - 1) r)), solved for r
        q, n = (out["kp-bmp"] / out["bmp"]) ** 2, len(out["car"])
        out["rbar"] = (1.0 - q) / (q * (n - 1) + 1.0)
    return out


# ------------------------------------------------------------------ checks
def max_diff(a: dict[str, Any], b: dict[str, Any], keys: Sequence[str]) -> dict[str, float]:
    return {k: float(np.max(np.abs(np.asarray(a[k], dtype=float) - np.asarray(b[k], dtype=float))))
            for k in keys}


def check(lib: dict[str, Any], ref: dict[str, Any], keys: Sequence[str], what: str) -> bool:
    """Print the largest differences (``rbar`` relative) and whether all are within ``TOL``."""
    diff = max_diff(lib, ref, keys)
    if "rbar" in lib and "rbar" in ref:
        diff["rbar (relative)"] = abs(lib["rbar"] - ref["rbar"]) / max(abs(ref["rbar"]), 1e-300)
    rel = diff.pop("rbar (relative)", None)
    ok = all(v <= TOL for v in diff.values()) and (rel is None or rel <= 1e-6)
    print(f"max |library - {what}|: " + ", ".join(f"{k} {v:.1e}" for k, v in diff.items())
          + ("" if rel is None else f", rbar relative {rel:.1e}")
          + f" -> {'OK' if ok else 'FAIL'} (tol {TOL:g}" + ("" if rel is None else "; rbar 1e-6") + ")")
    return ok


# ------------------------------------------------------------------ timing
def blas_threads(n: int | None) -> contextlib.AbstractContextManager[Any]:
    """BLAS pinned to ``n`` threads (threadpoolctl), or left alone for None."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="blas")


def default_blas_threads() -> int | None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    blas = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(blas) if blas else None


def interleaved(jobs: dict[str, tuple[Callable[[], Any], int | None]],
                reps: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Run every job once per repetition, in turn, so drifts in machine load hit all of them.

    Returns the times of each job and its last return value.
    """
    times: dict[str, list[float]] = {k: [] for k in jobs}
    last: dict[str, Any] = {}
    for _ in range(reps):
        for key, (fn, threads) in jobs.items():
            with blas_threads(threads):
                t0 = time.perf_counter()
                last[key] = fn()
                times[key].append(time.perf_counter() - t0)
    return times, last


def run_timing(args: argparse.Namespace) -> int:
    ret, events, truth = make_panel(args.securities, args.events, args.seed)
    values = ret.to_numpy(dtype=np.float64)
    mkt = ret["MKT"].to_numpy(dtype=np.float64)
    sec, pos = truth["sec"], truth["pos"]
    n = len(events)
    prepared = library_prepare(ret)
    n_threads = default_blas_threads()
    print(f"panel: {ret.shape[0]} NYSE sessions x {ret.shape[1] - 1} securities + MKT; {n:,} events; "
          f"estimation {EST}, window {WIN}; BLAS default threads: {n_threads or 'unknown'}")

    def lib(data: Any, tests: Sequence[str]) -> Callable[[], Any]:
        return lambda: library_full(data, events, tests)

    def tight(fn: Callable[..., Any]) -> Callable[[], Any]:
        return lambda: fn(values, mkt, sec, pos, EST, WIN)

    # Agreement (also the warm-up of every path).
    lib_full = library_numbers(library_full(ret, events, FULL_TESTS), FULL_TESTS)
    lib_core = library_numbers(library_full(ret, events, CORE_TESTS), CORE_TESTS)
    ok = check(lib_full, tight_full(values, mkt, sec, pos, EST, WIN),
               ("alpha", "beta", "ar", "car", *FULL_TESTS), "tight full battery")
    ok &= check(lib_core, tight_core(values, mkt, sec, pos, EST, WIN),
                ("alpha", "beta", "ar", "car", "patell"), "tight OLS+AR+CAR+Patell")

    one = 1 if n_threads is not None else None
    dflt = f"BLAS {n_threads} threads"
    lc, tc, lf1, tf1 = ("library, OLS+AR+CAR+Patell", "tight, OLS+AR+CAR+Patell",
                        "library, full battery, BLAS 1 thread", "tight, full battery, BLAS 1 thread")
    lfd, tfd = f"library, full battery, {dflt}", f"tight, full battery, {dflt}"
    lcp, lfp = "library on PreparedData, OLS+AR+CAR+Patell", "library on PreparedData, full, BLAS 1"
    jobs: dict[str, tuple[Callable[[], Any], int | None]] = {
        lc: (lib(ret, CORE_TESTS), None), tc: (tight(tight_core), None),
        lf1: (lib(ret, FULL_TESTS), one), tf1: (tight(tight_full), one),
    }
    if n_threads is not None:
        jobs[lfd] = (lib(ret, FULL_TESTS), None)
        jobs[tfd] = (tight(tight_full), None)
    if prepared is not None:
        jobs[lcp] = (lib(prepared, CORE_TESTS), None)
        jobs[lfp] = (lib(prepared, FULL_TESTS), one)
    load0 = os.getloadavg()[0]
    times, last = interleaved(jobs, args.reps)
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}

    def ratio(a: str, b: str) -> str:  # of medians, and of minima (less sensitive to other jobs)
        if a not in med or b not in med:
            return "n/a"
        return f"{med[a] / med[b]:.1f}x (minima {low[a] / low[b]:.1f}x)"

    def on_prepared(a: str, b: str) -> str:
        return f"  (library on PreparedData: {ratio(a, b)})" if a in med else ""

    print(f"\nratios library / tight, medians of {args.reps} interleaved runs (target <= 2):")
    print(f"  OLS + AR + CAR + Patell              : {ratio(lc, tc)}{on_prepared(lcp, tc)}")
    print(f"  full battery, BLAS 1 thread          : {ratio(lf1, tf1)}{on_prepared(lfp, tf1)}"
          + ("" if n_threads is not None else " (threadpoolctl missing: BLAS threads not pinned)"))
    if n_threads is not None:
        print(f"  full battery, {dflt:<23}: {ratio(lfd, tfd)}")
        print(f"  full battery, {dflt} / BLAS 1 thread: library {ratio(lfd, lf1)}, "
              f"tight {ratio(tfd, tf1)}")
    print(f"\nabsolute times on this machine ({os.cpu_count()} cores, shared; load average "
          f"{load0:.2f} before, {os.getloadavg()[0]:.2f} after), {n:,} events, "
          f"median [min - max] of {args.reps}:")
    for key, v in times.items():
        print(f"  {key:<46}: {med[key]:.3f} s [{min(v):.3f} - {max(v):.3f}]  "
              f"= {n / med[key]:,.0f} events/s")
    for key in (lc, lf1, lcp, lfp):
        stages = getattr(last.get(key), "timings", None)
        if isinstance(stages, dict):
            print(f"  stages of the last '{key}': "
                  + ", ".join(f"{k} {v:.3f}" for k, v in stages.items() if k != "total"))
    best = min((lf1, lfd, lfp), key=lambda k: med.get(k, math.inf))
    if n == 10_000:
        print(f"target: 10,000 events full battery warm < 0.3 s median: {best} {med[best]:.3f} s -> "
              f"{'met' if med[best] < 0.3 else 'MISSED'}")

    if args.naive_events:
        from bench_naive import run_naive

        sub = events.iloc[: args.naive_events]
        t0 = time.perf_counter()
        naive = run_naive(ret, sub, EST, WIN)
        t_b = time.perf_counter() - t0
        print(f"\nstatsmodels loop on {len(sub):,} events: {t_b:.2f} s")
        ok &= check(library_numbers(library_full(ret, sub, FULL_TESTS), FULL_TESTS), naive,
                    ("alpha", "beta", "ar", "car", *FULL_TESTS), "statsmodels loop")
    return 0 if ok else 1


# ------------------------------------------------------------------ memory
def _base_array(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def retained_bytes(root: Any, name: str = "result", depth: int = 4) -> tuple[int, dict[str, int]]:
    """Bytes reachable from ``root``: ndarray buffers, DataFrame / Series / Index columns.

    Walks dataclass fields, ``__dict__``, ``__slots__``, dicts, lists and tuples. An
    ndarray counts its base buffer once however many views point at it (so a frame
    column that views a panel array is not counted twice); object columns and
    indexes count ``memory_usage(deep=True)``; other objects ``sys.getsizeof``.
    Returns the total and the bytes per attribute path (first ``depth`` levels).
    """
    seen: set[int] = set()
    alive: list[Any] = []  # visited objects stay alive, so their ids are not reused
    by_path: dict[str, int] = {}
    total = 0
    stack: list[tuple[str, Any]] = [(name, root)]

    def add(path: str, nbytes: int) -> None:
        nonlocal total
        total += nbytes
        key = ".".join(path.split(".")[:depth])
        by_path[key] = by_path.get(key, 0) + nbytes

    def array(path: str, a: np.ndarray) -> None:
        base = _base_array(a)
        if id(base) in seen:
            return
        seen.add(id(base))
        alive.append(base)
        add(path, base.nbytes)
        if base.dtype == object:
            add(path, sum(sys.getsizeof(v) for v in base.ravel()))

    while stack:
        path, obj = stack.pop()
        if isinstance(obj, np.ndarray):
            array(path, obj)
            continue
        if id(obj) in seen or obj is None or isinstance(obj, type):
            continue
        seen.add(id(obj))
        alive.append(obj)
        if isinstance(obj, pd.DataFrame):
            stack.append((path + ".index", obj.index))
            stack.append((path + ".columns", obj.columns))
            for j in range(obj.shape[1]):
                stack.append((path, obj.iloc[:, j]))
        elif isinstance(obj, pd.Series):
            stack.append((path + ".index", obj.index))
            if isinstance(obj.dtype, np.dtype) and obj.dtype != object:
                array(path, obj.to_numpy(copy=False))
            else:  # object and extension columns (strings, categoricals)
                add(path, int(obj.memory_usage(deep=True, index=False)))
        elif isinstance(obj, pd.Index):
            add(path, int(obj.memory_usage(deep=True)))
        elif isinstance(obj, dict):
            add(path, sys.getsizeof(obj))
            stack.extend((f"{path}[{k!r}]", v) for k, v in obj.items())
        elif isinstance(obj, list | tuple | set | frozenset):
            add(path, sys.getsizeof(obj))
            stack.extend((path, v) for v in obj)
        elif hasattr(obj, "__dict__") or hasattr(type(obj), "__slots__"):
            add(path, sys.getsizeof(obj))
            attrs = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    attrs[slot] = getattr(obj, slot)
            stack.extend((f"{path}.{k}", v) for k, v in attrs.items())
        else:
            add(path, sys.getsizeof(obj))
    return total, by_path


def _rss_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_child(args: argparse.Namespace) -> int:
    """One library call (full battery) on ``--memory-child`` events; prints one JSON line."""
    ret, events, _ = make_panel(args.securities, args.memory_child, args.seed)
    gc.collect()
    before = {"hwm": _rss_kib("VmHWM"), "rss": _rss_kib("VmRSS")}
    t0 = time.perf_counter()
    res = library_full(ret, events, None, None) if args.default_battery else \
        library_full(ret, events, FULL_TESTS)
    seconds = time.perf_counter() - t0
    gc.collect()
    rss_after = _rss_kib("VmRSS")
    total, by_path = retained_bytes(res)
    fixed, _ = retained_bytes(res.panel.source)  # the prepared returns: one copy, whatever N
    top = dict(sorted(by_path.items(), key=lambda kv: -kv[1])[:10])
    print(json.dumps({"events": len(events), "seconds": seconds, "hwm_before_kib": before["hwm"],
                      "rss_before_kib": before["rss"], "rss_after_kib": rss_after,
                      "retained": total, "fixed": fixed, "top": top,
                      "maxrss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    return 0


def _meminfo_bytes(field: str) -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _time_v_maxrss(stderr: str) -> int | None:
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    return None


def run_memory(args: argparse.Namespace) -> int:
    """``--memory``: one process per event count, peak RSS and retained bytes per event."""
    time_v = shutil.which("time", path="/usr/bin")
    how = "/usr/bin/time -v" if time_v else "getrusage(RUSAGE_CHILDREN).ru_maxrss"
    battery = ("the default battery: every test on every day and the window" if args.default_battery
               else f"full battery: {', '.join(FULL_TESTS)} on the window")
    print(f"memory: one library call per process ({battery}), "
          f"{args.securities} securities x 2,516 sessions; peak RSS from {how} (whole process, "
          f"panel and imports included); retained = bytes reachable from the result "
          f"(ndarray buffers once, frames' columns, deep object sizes), after gc")
    print(f"{'events':>9} {'peak RSS':>10} {'before call':>12} {'call, cold':>11} {'retained':>10} "
          f"{'of which returns':>17} {'rest per event':>15} {'RSS kept':>10}")
    rows: list[dict[str, Any]] = []
    for count in args.memory_events:
        if rows and len(rows) >= 2 and rows[-1]["events"] > rows[-2]["events"]:
            a, b = rows[-2], rows[-1]  # linear extrapolation of the peak
            slope = (b["peak"] - a["peak"]) / (b["events"] - a["events"])
            guess = b["peak"] + slope * (count - b["events"])
            avail = _meminfo_bytes("MemAvailable")
            limit = min(args.max_rss_gb * 1e9, 0.8 * avail if avail else math.inf)
            if guess > limit:
                print(f"{count:>9,} skipped: peak RSS extrapolated from the last two runs is "
                      f"{guess / 2**30:.1f} GiB > {limit / 2**30:.1f} GiB (--max-rss-gb "
                      f"{args.max_rss_gb:g} GB, 80% of available memory)")
                continue
        cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(count),
               "--securities", str(args.securities), "--seed", str(args.seed),
               *(["--default-battery"] if args.default_battery else [])]
        if time_v:
            cmd = [time_v, "-v", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{count:>9,} FAILED (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
            return 1
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        peak_kib = _time_v_maxrss(proc.stderr) if time_v else \
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = (peak_kib or out["maxrss_self_kib"]) * 1024
        kept = (out["rss_after_kib"] - out["rss_before_kib"]) * 1024 if out["rss_after_kib"] else math.nan
        rows.append({"events": count, "peak": peak, **out})
        mib = 2**20
        print(f"{count:>9,} {peak / mib:>6.0f} MiB {out['hwm_before_kib'] / 1024:>8.0f} MiB "
              f"{out['seconds']:>9.2f} s {out['retained'] / mib:>6.1f} MiB "
              f"{out['fixed'] / mib:>13.1f} MiB {(out['retained'] - out['fixed']) / count:>12,.0f} B "
              f"{kept / mib:>6.0f} MiB")
    if rows:
        last = rows[-1]
        print(f"largest retained items at {last['events']:,} events (bytes per event): "
              + ", ".join(f"{k} {v / last['events']:,.0f}" for k, v in last["top"].items()))
        print("'before call': peak RSS once the panel is built (imports, returns frame); "
              "'RSS kept': resident growth from before the call to after it, result alive, after gc")
        print("'of which returns': the prepared returns (sessions x columns x 8 B) the result's panel "
              "points to, one copy whatever the number of events; 'rest per event': the rest / events")
        worst = max((r["retained"] - r["fixed"]) / r["events"] for r in rows)
        print(f"targets: retained <= 2,500 B/event (besides the returns): max {worst:,.0f} B/event -> "
              f"{'met' if worst <= 2500 else 'MISSED'}; "
              + (f"peak RSS <= 1.2 GB at 100,000 events: {rows[-1]['peak'] / 1e9:.2f} GB -> "
                 f"{'met' if rows[-1]['peak'] <= 1.2e9 else 'MISSED'}"
                 if rows[-1]["events"] == 100_000 else "peak RSS at 100,000 events: not measured"))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--securities", type=int, default=3000)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20260801)
    ap.add_argument("--naive-events", type=int, default=0,
                    help="also check the library against a statsmodels loop on the first N events")
    ap.add_argument("--memory", action="store_true", help="peak RSS and retained bytes per event")
    ap.add_argument("--default-battery", action="store_true",
                    help="--memory with event_study's default battery (every test, every day)")
    ap.add_argument("--memory-events", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--max-rss-gb", type=float, default=4.5,
                    help="skip an event count whose extrapolated peak RSS exceeds this (GB)")
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        return memory_child(args)
    if args.memory:
        return run_memory(args)
    return run_timing(args)


if __name__ == "__main__":
    raise SystemExit(main())
