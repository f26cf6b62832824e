"""Property tests of the inference battery (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventstudy.inference as inf
from eventstudy.inference._common import car, standardized_ar, standardized_car
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel, simulate

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Every statistic whose value is invariant to the scale of returns (BHARs compound, so not them).
SCALE_FREE = [t for t in inf.WINDOW_TESTS if not t.startswith("bhar") and t != "sq"]


@st.composite
def panels_args(draw: st.DrawFn) -> dict:
    n = draw(st.integers(3, 7))
    return {
        "seed": draw(st.integers(0, 2**31 - 1)),
        "n_events": n,
        "est_len": draw(st.integers(8, 40)),
        "offsets": draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)),
        "missing": draw(st.sampled_from([0.0, 0.0, 0.05])),
        "shift": draw(st.sampled_from([0.0, 0.01])),
    }


def _panel(args: dict, scale: float = 1.0, order: np.ndarray | None = None) -> AbnormalPanel:
    ret, mkt, dates, est_len, days = simulate(
        args["seed"], args["n_events"], args["est_len"], (-2, 2),
        offsets=args["offsets"], missing=args["missing"], shift=args["shift"],
    )
    ids = [f"ev{i}" for i in range(ret.shape[0])]
    if order is not None:
        ret, mkt, dates = ret[order], mkt[order], dates[order]
        ids = [ids[i] for i in order]
    return build_panel(ret * scale, mkt * scale, dates, est_len, days, event_ids=ids)


def _table(panel: AbnormalPanel) -> pd.DataFrame:
    return inf.run_battery(panel, [(-1, 1), (0, 2)], days=[0, 1], n_boot=200, bootstrap_seed=7)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, tests: list[str], rtol: float) -> None:
    a = a[a["test"].isin(tests)].reset_index(drop=True)
    b = b[b["test"].isin(tests)].reset_index(drop=True)
    assert (a["valid"] == b["valid"]).all()
    assert (a["nobs"] == b["nobs"]).all()
    for col in ("statistic", "pvalue", "df"):
        x, y = a[col].to_numpy(), b[col].to_numpy()
        both = np.isfinite(x) & np.isfinite(y)
        assert (np.isfinite(x) == np.isfinite(y)).all(), col
        np.testing.assert_allclose(x[both], y[both], rtol=rtol, atol=1e-9, err_msg=col)


@SETTINGS
@given(args=panels_args(), scale=st.floats(1e-3, 1e3))
def test_scaling_returns_leaves_standardized_statistics_unchanged(args: dict, scale: float) -> None:
    a, b = _table(_panel(args)), _table(_panel(args, scale))
    _assert_same(a, b, SCALE_FREE, rtol=1e-7)
    # sq: the statistic is the portfolio CAR (scales), its empirical p-value does not
    sq_a, sq_b = a[a["test"] == "sq"], b[b["test"] == "sq"]
    np.testing.assert_allclose(sq_b["statistic"], scale * sq_a["statistic"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(sq_b["pvalue"], sq_a["pvalue"], atol=0.02)  # ties may round


@SETTINGS
@given(args=panels_args(), data=st.data())
def test_results_do_not_depend_on_event_order(args: dict, data: st.DataObject) -> None:
    perm = np.array(data.draw(st.permutations(list(range(args["n_events"])))))
    _assert_same(_table(_panel(args)), _table(_panel(args, order=perm)), list(inf.WINDOW_TESTS), rtol=1e-9)
    c1, c2 = inf.detect_clustering(_panel(args)), inf.detect_clustering(_panel(args, order=perm))
    assert c1.clustered == c2.clustered
    assert {frozenset(g) for g in c1.overlap_groups} == {frozenset(g) for g in c2.overlap_groups}


@SETTINGS
@given(args=panels_args(), start=st.integers(-2, 2), length=st.integers(0, 4))
def test_car_is_sum_of_ars(args: dict, start: int, length: int) -> None:
    panel = _panel(args)
    end = min(2, start + length)
    mask = panel.window_mask(start, end)
    total, days = car(panel, mask)
    ar = np.asarray(panel.ar)
    for i in range(panel.n_events):
        vals = [ar[i, j] for j in np.flatnonzero(mask) if math.isfinite(ar[i, j])]
        assert days[i] == len(vals)
        if vals:
            assert total[i] == np.float64(sum(vals)) or math.isclose(total[i], sum(vals), abs_tol=1e-15)
        else:
            assert math.isnan(total[i])
    res = inf.cross_sectional_t_test(panel, start, end)
    if res.valid:
        assert res.extra["mean"] == np.nanmean(total)


@SETTINGS
@given(args=panels_args(), day=st.integers(-2, 2))
def test_one_day_window_scar_equals_patell_sar(args: dict, day: int) -> None:
    panel = _panel(args)
    col = panel.day_index(day)
    sar = standardized_ar(panel)[:, col]
    scar = standardized_car(panel, panel.window_mask(day, day), day, day)
    np.testing.assert_allclose(scar, sar, rtol=1e-12, equal_nan=True)


@SETTINGS
@given(args=panels_args())
def test_pvalues_are_probabilities_and_alternatives_consistent(args: dict) -> None:
    panel = _panel(args)
    for test in ("car-t", "bw-ts", "patell", "bmp", "kp-bmp", "corrado", "grank", "gsign"):
        fn = getattr(inf, {
            "car-t": "cross_sectional_t_test", "bw-ts": "brown_warner_time_series_test",
            "patell": "patell_test", "bmp": "bmp_test", "kp-bmp": "kp_bmp_test",
            "corrado": "corrado_test", "grank": "grank_test", "gsign": "generalized_sign_test",
        }[test])
        two, less, greater = (fn(panel, -1, 1, alternative=a) for a in ("two-sided", "less", "greater"))
        if not two.valid:
            assert not less.valid and two.reason
            continue
        for r in (two, less, greater):
            assert 0.0 <= r.pvalue <= 1.0
        if two.distribution == "binomial":  # P(B <= w) + P(B >= w) = 1 + P(B = w)
            assert 1.0 - 1e-12 <= less.pvalue + greater.pvalue <= 2.0
        else:
            assert less.pvalue + greater.pvalue == np.float64(1.0) or math.isclose(
                less.pvalue + greater.pvalue, 1.0, abs_tol=1e-12
            )
        assert math.isclose(two.pvalue, min(1.0, 2 * min(less.pvalue, greater.pvalue)), abs_tol=1e-12)
