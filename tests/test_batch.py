"""Many events in one call (chunks): equal to single-event runs, overlaps reported, banded rbar
exact; the deprecated batch API forwards to event_study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import event_study
from eventstudy.batch import batch_study
from eventstudy.calendar import TradingCalendar
from eventstudy.engine import overlap_diagnostics
from eventstudy.inference import (
    bmp_test,
    corrado_test,
    kp_bmp_test,
    patell_test,
    residual_correlation,
)
from eventstudy.inference.correlation import banded_residual_correlation, panel_positions
from eventstudy.results import EventStudyResult
from eventstudy.study import prepare_data, resolve_event_dates
from eventstudy.windows import Window

TOL = 1e-12


def synthetic(n_sec: int = 6, n_ev: int = 24, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cal = TradingCalendar("XNYS", start="2022-01-03", end="2023-12-29")
    sess = cal.sessions("2022-01-03", "2023-12-29")
    rm = rng.normal(0.0004, 0.01, len(sess))
    beta = rng.uniform(0.5, 1.5, n_sec)
    r = 0.0002 + np.outer(rm, beta) + rng.standard_normal((len(sess), n_sec)) * 0.02
    cols = [f"S{i}" for i in range(n_sec)]
    ret = pd.DataFrame(r, index=pd.DatetimeIndex(sess, name="date"), columns=cols)
    ret["MKT"] = rm
    ret["Q"] = ret["S0"] * 1.1  # only the hand-placed events below use Q
    ret.iloc[300:305, 1] = np.nan  # a gap in S1's history
    ret.iloc[:200, 2] = np.nan  # S2 starts late: some of its events are excluded
    pos = rng.integers(130, len(sess) - 6, n_ev)
    ev = pd.DataFrame({
        "event_id": [f"E{i:03d}" for i in range(n_ev)],
        "security": np.array(cols)[rng.integers(0, n_sec, n_ev)],
        "event_date": sess[pos],
    })
    # Repeated firm with overlapping windows and a contaminated estimation window.
    extra = pd.DataFrame({"event_id": ["R1", "R2", "R3", "WKND"],
                          "security": ["Q", "Q", "Q", "S3"],
                          "event_date": [sess[400], sess[403], sess[460], pd.Timestamp("2023-06-10")]})
    return ret, pd.concat([ev, extra], ignore_index=True)


KW = dict(estimation=(-120, -6), windows=[(-5, 5), (0, 1), (0, 0)], min_estimation_obs=100)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic()


@pytest.fixture(scope="module")
def batch(data: tuple[pd.DataFrame, pd.DataFrame]):  # type: ignore[no-untyped-def]
    ret, ev = data
    return event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", chunk_size=7,
                       progress=False, tests=BATCH4, **KW)  # type: ignore[arg-type]


BATCH4 = ("patell", "bmp", "kp-bmp", "corrado")


def test_deprecated_batch_study_forwards_to_event_study(data, batch) -> None:  # type: ignore[no-untyped-def]
    ret, ev = data
    with pytest.warns(FutureWarning, match="batch_study.*deprecated.*event_study"):
        old = batch_study(ret, ev, benchmark="MKT", chunk_size=7, progress=False, **KW)  # type: ignore[arg-type]
    assert type(old) is type(batch) is EventStudyResult
    assert old.event_ids == batch.event_ids and old.n_chunks == batch.n_chunks == 4
    np.testing.assert_allclose(old.panel.ar, batch.panel.ar, rtol=0, atol=TOL)
    pd.testing.assert_frame_equal(old.car, batch.car)
    pd.testing.assert_frame_equal(old.tests, batch.tests)
    pd.testing.assert_frame_equal(old.diagnostics, batch.diagnostics)


def test_batch_equals_each_event_alone(data, batch) -> None:  # type: ignore[no-untyped-def]
    ret, ev = data
    diag = batch.diagnostics
    assert list(diag.index) == list(ev["event_id"])
    n_checked = 0
    for _, row in ev.iterrows():
        eid = row["event_id"]
        one = event_study(returns=ret, benchmark="MKT", events=pd.DataFrame([row]), **KW)  # type: ignore[arg-type]
        d1 = one.diagnostics.loc[eid]
        assert d1["status"] == diag.loc[eid, "status"]
        assert d1["nobs"] == diag.loc[eid, "nobs"]
        assert d1["event_session"] == diag.loc[eid, "event_session"]
        assert d1["rolled"] == diag.loc[eid, "rolled"]
        if d1["status"] != "ok":
            assert eid not in batch.event_ids
            continue
        n_checked += 1
        np.testing.assert_allclose(batch.params.loc[eid], one.params.loc[eid], rtol=0, atol=TOL)
        np.testing.assert_allclose(batch.ar[eid], one.ar[eid], rtol=0, atol=TOL)
        assert batch.sigma2[eid] == pytest.approx(one.sigma2[eid], abs=TOL)
        for w in ("(-5, +5)", "(0, +1)", "(0, 0)"):
            b, o = batch.car.loc[(eid, w)], one.car.loc[(eid, w)]
            for col in ("car", "std_err", "statistic", "pvalue"):
                assert b[col] == pytest.approx(o[col], abs=TOL, nan_ok=True)
    assert n_checked >= 20
    assert (diag["status"] == "excluded").any()  # S2's early events


def test_batch_equals_run_events_on_the_whole_table(data, batch) -> None:  # type: ignore[no-untyped-def]
    ret, ev = data
    whole = event_study(returns=ret, benchmark="MKT", events=ev, **KW)  # type: ignore[arg-type]
    assert whole.event_ids == batch.event_ids
    np.testing.assert_allclose(batch.panel.ar, whole.panel.ar, rtol=0, atol=TOL)
    np.testing.assert_allclose(batch.panel.est_resid, whole.panel.est_resid, rtol=0, atol=TOL)
    pd.testing.assert_frame_equal(batch.car, whole.car)


def test_batch_statistics_equal_inference_functions(batch) -> None:  # type: ignore[no-untyped-def]
    p = batch.panel
    tests = batch.tests.set_index(["window", "test"])
    for w in batch.windows:
        for name, fn in (("patell", patell_test), ("bmp", bmp_test), ("kp-bmp", kp_bmp_test),
                         ("corrado", corrado_test)):
            ref = fn(p, w.start, w.end)
            row = tests.loc[(w.label, name)]
            assert row["statistic"] == pytest.approx(ref.statistic, abs=1e-12, nan_ok=True)
            assert row["pvalue"] == pytest.approx(ref.pvalue, abs=1e-12, nan_ok=True)
            assert row["nobs"] == ref.nobs and row["valid"] == ref.valid


def test_repeated_firms_and_overlaps_are_reported_not_dropped(batch) -> None:  # type: ignore[no-untyped-def]
    d = batch.diagnostics
    assert {"R1", "R2", "R3"} <= set(batch.event_ids)  # kept
    assert d.loc["R1", "window_overlap"] and d.loc["R2", "window_overlap"]
    assert d.loc["R1", "window_overlaps"] >= 1
    assert not d.loc["R3", "window_overlap"]
    # R3 (60 sessions after R1/R2) has both in its estimation window (-120..-6).
    assert d.loc["R3", "estimation_contaminated"] and d.loc["R3", "estimation_events"] >= 2
    assert any("overlaps another event of the same security" in n and "R1" in n for n in batch.notes)
    assert any("estimation window" in n and "contains another event" in n for n in batch.notes)
    assert d.loc["WKND", "rolled"]
    assert any(n.startswith("WKND: event date 2023-06-10") for n in batch.notes)
    assert set(batch.overlaps.index) >= {"R1", "R2", "R3"}


def test_overlap_diagnostics_by_hand() -> None:
    sec = np.array(["A", "A", "B", "A", "B"])
    pos = np.array([100, 105, 100, 300, 111], dtype=np.int64)
    out = overlap_diagnostics(sec, pos, (-5, 5), Window(-250, -11))
    assert out["window_overlaps"].tolist() == [1, 1, 0, 0, 0]
    assert out["estimation_events"].tolist() == [0, 0, 0, 2, 1]


@pytest.mark.parametrize("block", [1, 3, 64, 128])
def test_banded_rbar_equals_residual_correlation(batch, block: int) -> None:  # type: ignore[no-untyped-def]
    p = batch.panel
    est, win = panel_positions(p)
    for s, e in ((-5, 5), (0, 1), (0, 0)):
        ref = residual_correlation(p, start=s, end=e)
        got = banded_residual_correlation(p.est_resid, est, win[:, p.window_mask(s, e)], block=block)
        assert got.rbar == pytest.approx(ref.rbar, abs=1e-14)
        assert (got.n_pairs, got.n_possible, got.n_overlap) == (ref.n_pairs, ref.n_possible, ref.n_overlap)


def test_vectorised_resolution_matches_calendar() -> None:
    cal = TradingCalendar("XNYS", start="2024-12-02", end="2025-02-28")
    sess = cal.sessions("2024-12-02", "2025-02-28")
    dates = pd.Series(["2025-01-09", "2025-01-11", "2025-01-13", pd.Timestamp("2024-12-25")])
    for roll in ("next", "previous"):
        got = resolve_event_dates(cal, sess, dates, roll)
        for i, d in enumerate(dates):
            r = cal.resolve(d, roll)
            assert sess[got.pos0[i]] == r.session and bool(got.rolled[i]) == r.rolled


def test_prepared_data_and_progress(data, batch) -> None:  # type: ignore[no-untyped-def]
    ret, ev = data
    prepared = prepare_data(returns=ret)
    again = event_study(returns=prepared, events=ev, benchmark="MKT", progress=True, chunk_size=5,
                        tests=BATCH4, **KW)  # type: ignore[arg-type]
    np.testing.assert_array_equal(again.panel.ar, batch.panel.ar)
    assert again.n_chunks == 6 and batch.n_chunks == 4


def test_run_events_is_event_study_on_prepared_data(data, batch) -> None:  # type: ignore[no-untyped-def]
    from eventstudy import run_events

    ret, ev = data
    res = run_events(prepare_data(returns=ret), ev, benchmark="MKT", tests=BATCH4, **KW)
    pd.testing.assert_frame_equal(res.car, batch.car)
    pd.testing.assert_frame_equal(res.tests, batch.tests)
