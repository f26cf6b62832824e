"""Independent reference numbers for the sample-quantile test (tests/test_sq.py).

Data: the bundled fixture CSVs of NVDA, MU and CEG and the S&P 500 (^GSPC),
read with pandas (adjusted close for the firms, close for the index; simple
returns between consecutive rows, which are NYSE sessions). Event 2025-01-27,
estimation window [-250, -11] sessions, market model.

The placebo sums are computed the slow way, without any algebraic shortcut:
for every stretch of L consecutive estimation days, each firm's market model
is refitted by statsmodels OLS on the estimation window *without* those days,
the stretch is predicted out of sample, and the prediction errors are summed;
the equally weighted portfolio of those sums is one placebo value. The
p-values are (1 + #{Y <= X}) / (M + 1) and mirror, two-sided by doubling.
Nothing is imported from eventstudy. Run:

    python tests/reference/make_sq.py

and paste the printed numbers into tests/test_sq.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

FIX = Path(__file__).resolve().parents[2] / "fixtures"
FIRMS = {"NVDA": "NVDA.csv", "MU": "MU.csv", "CEG": "CEG.csv"}
EVENT = "2025-01-27"


def returns(file: str, column: str) -> pd.Series:
    d = pd.read_csv(FIX / file, parse_dates=["date"]).set_index("date")
    return d[column].pct_change()


mkt = returns("GSPC.csv", "close")
rets = {s: returns(f, "adj_close") for s, f in FIRMS.items()}
dates = mkt.index
e0 = int(np.flatnonzero(dates == pd.Timestamp(EVENT))[0])
est = np.arange(e0 - 250, e0 - 10)  # relative days -250 .. -11


def sq(start: int, end: int) -> dict[str, float]:
    length = end - start + 1
    win = np.arange(e0 + start, e0 + end + 1)
    x = 0.0
    placebo = np.zeros(len(est) - length + 1)
    for s in FIRMS:
        y = rets[s].to_numpy()
        m = mkt.to_numpy()
        fit = sm.OLS(y[est], sm.add_constant(m[est])).fit()
        a, b = fit.params
        x += (y[win] - a - b * m[win]).sum() / len(FIRMS)
        for j in range(len(placebo)):
            out = est[j:j + length]
            keep = np.setdiff1d(est, out)
            f = sm.OLS(y[keep], sm.add_constant(m[keep])).fit()
            placebo[j] += (y[out] - f.params[0] - f.params[1] * m[out]).sum() / len(FIRMS)
    n = placebo.size
    lower = (1 + (placebo <= x).sum()) / (n + 1)
    upper = (1 + (placebo >= x).sum()) / (n + 1)
    return {"X": float(x), "M": float(n), "p": float(min(1.0, 2 * min(lower, upper))),
            "p less": float(lower), "placebo min": float(placebo.min()),
            "placebo max": float(placebo.max()), "placebo mean": float(placebo.mean())}


if __name__ == "__main__":
    for w in ((0, 0), (-1, 1)):
        print(w, sq(*w))
