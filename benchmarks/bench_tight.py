"""The library against a tight bare-numpy version of the same arithmetic (issue: one engine).

Same synthetic panel as ``bench_batch.py`` (3,000 securities x 2,516 NYSE sessions,
10,000 events, estimation [-250, -11], window [-5, +5]). The tight path, written
without the library: fancy-index gather of the estimation and event rows,
closed-form centred OLS on the market, ARs, the CAR, its forecast-error variance
and the Patell Z. Timed interleaved in one process, ``--reps`` repetitions,
medians reported:

(L1) ``batch_study`` end to end on the returns frame with ``tests=["patell"]``;
(L2) the same on a ``PreparedData`` (validation and session alignment done once);
(T)  the tight path.

Agreement of L1 with T is checked to 1e-10 on alpha, beta, AR, CAR and Patell
(exit 1 otherwise). Ratios first, then this machine's absolute times.

    python benchmarks/bench_tight.py [--events 10000] [--reps 7]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import EST, TOL, WIN, make_panel  # noqa: E402

from eventstudy.batch import batch_study  # noqa: E402
from eventstudy.study import prepare_data  # noqa: E402


def tight(values: np.ndarray, mkt: np.ndarray, sec: np.ndarray, pos: np.ndarray) -> dict[str, Any]:
    """OLS + AR + CAR + Patell for every event, numpy only (no NaN handling: full data)."""
    est = pos[:, None] + np.arange(EST[0], EST[1] + 1)
    ev = pos[:, None] + np.arange(WIN[0], WIN[1] + 1)
    t_len, l_len = est.shape[1], ev.shape[1]
    y = values[est, sec[:, None]]
    x = mkt[est]
    xm, ym = x.mean(axis=1), y.mean(axis=1)
    xc = x - xm[:, None]
    sxx = np.einsum("ij,ij->i", xc, xc)
    beta = np.einsum("ij,ij->i", xc, y - ym[:, None]) / sxx
    alpha = ym - beta * xm
    resid = y - alpha[:, None] - beta[:, None] * x
    s2 = np.einsum("ij,ij->i", resid, resid) / (t_len - 2)
    xe = mkt[ev]
    ar = values[ev, sec[:, None]] - alpha[:, None] - beta[:, None] * xe
    car = ar.sum(axis=1)
    var = s2 * (l_len + l_len**2 / t_len + (xe - xm[:, None]).sum(axis=1) ** 2 / sxx)
    patell = float((car / np.sqrt(var)).sum() / math.sqrt(len(pos) * (t_len - 2) / (t_len - 4)))
    return {"alpha": alpha, "beta": beta, "ar": ar, "car": car, "patell": patell}


def library(data: Any, events: Any) -> dict[str, Any]:
    res = batch_study(data, events, benchmark="MKT", estimation=EST, windows=[WIN], tests=["patell"],
                      progress=False)
    return {"alpha": res.panel.params[:, 0], "beta": res.panel.params[:, 1], "ar": res.panel.ar,
            "car": res.car["car"].to_numpy(),
            "patell": float(res.tests.set_index("test").loc["patell", "statistic"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--securities", type=int, default=3_000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20260801)
    args = parser.parse_args()
    ret, events, truth = make_panel(args.securities, args.events, args.seed)
    values = ret.to_numpy(dtype=np.float64)
    mkt = ret["MKT"].to_numpy(dtype=np.float64)
    sec, pos = truth["sec"], truth["pos"]
    prepared = prepare_data(returns=ret)

    a = library(ret, events)
    b = tight(values, mkt, sec, pos)
    worst = {k: float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k])))) for k in b}
    ok = all(v <= TOL for v in worst.values())
    print("max |library - tight|: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
          + f" -> {'OK' if ok else 'FAIL'} (tol {TOL:g})")

    times: dict[str, list[float]] = {"L1": [], "L2": [], "T": []}
    for _ in range(args.reps):  # interleaved, so drifts in machine load hit all three
        for key, fn in (("L1", lambda: library(ret, events)), ("L2", lambda: library(prepared, events)),
                        ("T", lambda: tight(values, mkt, sec, pos))):
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"ratios (median of {args.reps}): L1/T = {med['L1'] / med['T']:.1f}x, "
          f"L2/T = {med['L2'] / med['T']:.1f}x (target <= 2)")
    print("this machine, medians: " + ", ".join(f"{k} {v:.3f} s" for k, v in med.items())
          + f"; {args.events} events")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
