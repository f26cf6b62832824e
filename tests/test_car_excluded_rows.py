"""The CAR table with excluded events: every (window, event) row, in order, built by hand here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy import event_study
from eventstudy.abnormal import car_table
from eventstudy.assemble import with_excluded
from tests.test_batch import synthetic


def test_excluded_rows_are_placed_window_by_window_in_the_requested_order() -> None:
    ret, ev = synthetic(n_sec=5, n_ev=40, seed=4)
    late = pd.DataFrame({"event_id": ["LATE1", "LATE2"], "security": ["S2", "S2"],
                         "event_date": [ret.index[205], ret.index[215]]})
    ev = pd.concat([late.iloc[:1], ev, late.iloc[1:]], ignore_index=True)  # excluded first, last
    windows = [(-5, 5), (0, 0), (-1, 1)]
    res = event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", estimation=(-120, -6),
                      windows=windows, min_estimation_obs=100, tests=["bmp"])
    diag = res.diagnostics
    out = with_excluded(car_table(res.panel, res.windows), diag, res.windows)
    assert (diag["status"] != "ok").sum() >= 2
    expected_keys = [(eid, w) for w in windows for eid in diag.index]
    assert [(e, w.as_tuple()) for e, w in out.index] == expected_keys
    included = car_table(res.panel, res.windows)
    for (eid, w), row in out.iterrows():
        if diag.loc[eid, "status"] == "ok":
            pd.testing.assert_series_equal(row, included.loc[(eid, w)], check_names=False)
        else:
            assert row["reason"] == "event excluded: " + diag.loc[eid, "reason"]
            assert np.isnan(row[["car", "std_err", "statistic", "pvalue", "df"]].to_numpy(float)).all()
            assert (row["start"], row["end"], row["days"]) == (w.start, w.end, 0)
            assert row["missing_days"] == w.end - w.start + 1 and row["security"] == diag.loc[eid, "security"]
    for col in ("start", "end", "days", "missing_days"):
        assert out[col].dtype == np.int64
    assert out.index.levels[0].tolist() == sorted(diag.index)  # set_index's sorted levels
