"""Hand-worked reference example: every statistic against independently computed numbers.

Data: tests/reference/inference_small.csv (4 made-up events, T = 10 estimation days,
event span -1 .. +1; C misses one estimation return, D misses its day +1 return;
A and B share every date, C overlaps them partially, D is disjoint).

The expected numbers below were printed by tests/reference/make_inference_small.py
(output saved in tests/reference/make_inference_small.out). That script does not
import eventstudy: it fits the market model with statsmodels OLS per event, uses
the Patell forecast factor 1 + 1/T + (Rm - mean Rm)^2 / Smm and MacKinlay's
Var(CAR) written out, pandas' pairwise ``DataFrame.corr`` for rbar (with an
explicit pair loop keeping only pairs whose tested windows share a session date),
``scipy.stats.ttest_1samp`` for the cross-sectional t, ``scipy.stats.wilcoxon``
for the signed-rank p-value, and explicit per-event loops for the rank, sign and
BHAR statistics.

Tolerance 1e-12 (absolute, on statistics of order 1 and p-values): the same
arithmetic in a different order (matrix forms vs loops) differs by a few ulp.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import eventstudy.inference as inf
from eventstudy.panel import AbnormalPanel
from tests.inference_helpers import build_panel

REF = Path(__file__).resolve().parent / "reference"
TOL = 1e-12  # same arithmetic, different order
SEED, N_BOOT = 12345, 500  # as in make_inference_small.py

# Printed by `python tests/reference/make_inference_small.py`:
EXPECTED: dict[tuple[int, int], dict[str, float]] = {
    (0, 0): {
        'car-t': 3.666715874746143,
        'car-t p': 0.035080310843037095,
        'bw-ts': 4.283350427660605,
        'bw-ts p': 0.002039891676672279,
        'rbar': -0.09438547500130372,
        'rbar pairs': 1.0,
        'rbar overlap pairs': 1.0,
        'patell': 2.4117771873619143,
        'patell p': 0.015874979691579336,
        'kp-patell': 2.8485574605884376,
        'kp-patell p': 0.004391792192259305,
        'bmp': 2.852942089549021,
        'bmp p': 0.06495192768684462,
        'kp-bmp': 3.52505516525004,
        'kp-bmp p': 0.03877639057480548,
        'corrado': 2.529771964603411,
        'corrado p': 0.011413667984803998,
        'corrado-zivney': 2.529771964603411,
        'corrado-zivney p': 0.011413667984803998,
        'grank': 3.9997796907958665,
        'grank p': 0.0031114623150193263,
        'sign': 4.0,
        'sign p': 0.125,
        'p-hat': 0.43333333333333335,
        'gsign': 4.0,
        'gsign p': 0.070520987654321,
        'wilcoxon W+': 10.0,
        'wilcoxon p': 0.125,
        'bhar mean': 0.023299999999999987,
        'bhar-skew-t': 6.814645025706486,
        'bhar-skew-t p': 0.006463365027132213,
        'bhar-boot p': 0.02028397565922921,
        'bhar-boot n': 492.0,
    },
    (1, 1): {
        'car-t': 1.0935310474998423,
        'car-t p': 0.3882969695873121,
        'bw-ts': 0.6521183598390192,
        'bw-ts p': 0.5306247908681295,
        'rbar': -0.18877095000260743,
        'rbar pairs': 1.0,
        'rbar overlap pairs': 1.0,
        'patell': 0.3965668128932092,
        'patell p': 0.6916869294835503,
        'kp-patell': 0.5026449291773504,
        'kp-patell p': 0.6152139348313437,
        'bmp': 1.213623223915918,
        'bmp p': 0.3487632402432906,
        'kp-bmp': 1.677173180369373,
        'kp-bmp p': 0.23550606515903422,
        'corrado': 1.487841293654797,
        'corrado p': 0.13679275277901998,
        'corrado-zivney': 1.8115058371582058,
        'corrado-zivney p': 0.07006258632483754,
        'grank': 2.096652989224834,
        'grank p': 0.06547290386767211,
        'sign': 2.0,
        'sign p': 1.0,
        'p-hat': 0.41111111111111115,
        'gsign': 2.0,
        'gsign p': 0.7361426611796983,
        'wilcoxon W+': 5.0,
        'wilcoxon p': 0.5,
        'bhar mean': 0.005499999999999987,
        'bhar-skew-t': 1.4969292364687947,
        'bhar-skew-t p': 0.27309522530006186,
        'bhar-boot p': 0.21076233183856502,
        'bhar-boot n': 445.0,
    },
    (-1, 1): {
        'car-t': 1.5367187247498513,
        'car-t p': 0.22195268063211898,
        'bw-ts': 2.7173796692371996,
        'bw-ts p': 0.023709300046753957,
        'rbar': -0.10196142527321155,
        'rbar pairs': 3.0,
        'rbar overlap pairs': 3.0,
        'patell': 1.0236298500794678,
        'patell p': 0.3060101406101696,
        'kp-patell': 1.2286466488725392,
        'kp-patell p': 0.21920431726650214,
        'bmp': 0.9465347162641087,
        'bmp p': 0.4137059795093373,
        'kp-bmp': 1.1926247063818578,
        'kp-bmp p': 0.3187471733813795,
        'corrado': 1.8412446194671703,
        'corrado p': 0.06558571934151473,
        'corrado-zivney': 1.8642231112799916,
        'corrado-zivney p': 0.06229037912231985,
        'grank': 2.2163523792266617,
        'grank p': 0.053883848157281256,
        'sign': 3.0,
        'sign p': 0.625,
        'p-hat': 0.43333333333333335,
        'gsign': 3.0,
        'gsign p': 0.4394,
        'wilcoxon W+': 9.0,
        'wilcoxon p': 0.25,
        'bhar mean': 0.028535208380249838,
        'bhar-skew-t': 1.5869725138015576,
        'bhar-skew-t p': 0.2107138340226208,
        'bhar-boot p': 0.4462474645030426,
        'bhar-boot n': 492.0,
    },
    (0, 1): {
        'car-t': 3.1240246719428506,
        'car-t p': 0.05230765985597612,
        'bw-ts': 3.551653224133028,
        'bw-ts p': 0.00619981050226061,
        'rbar': -0.09438547500130372,
        'rbar pairs': 1.0,
        'rbar overlap pairs': 1.0,
        'patell': 2.038228843360341,
        'patell p': 0.04152705223017447,
        'kp-patell': 2.4073583615290177,
        'kp-patell p': 0.01606839377852065,
        'bmp': 2.7645640562793576,
        'bmp p': 0.06988510380346774,
        'kp-bmp': 3.415856508953054,
        'kp-bmp p': 0.04197011310821825,
        'corrado': 2.19688602369563,
        'corrado p': 0.028028587264145234,
        'corrado-zivney': 2.4043517407190422,
        'corrado-zivney p': 0.016201176385899345,
        'grank': 3.7656277018409816,
        'grank p': 0.004446293120841523,
        'sign': 4.0,
        'sign p': 0.125,
        'p-hat': 0.43333333333333335,
        'gsign': 4.0,
        'gsign p': 0.070520987654321,
        'wilcoxon W+': 10.0,
        'wilcoxon p': 0.125,
        'bhar mean': 0.027553002499999923,
        'bhar-skew-t': 4.65965657195416,
        'bhar-skew-t p': 0.018651356765663717,
        'bhar-boot p': 0.02028397565922921,
        'bhar-boot n': 492.0,
    },
}

TESTS = {
    "car-t": inf.cross_sectional_t_test,
    "bw-ts": inf.brown_warner_time_series_test,
    "patell": inf.patell_test,
    "kp-patell": inf.kp_patell_test,
    "bmp": inf.bmp_test,
    "kp-bmp": inf.kp_bmp_test,
    "corrado": inf.corrado_test,
    "corrado-zivney": inf.corrado_zivney_test,
    "grank": inf.grank_test,
    "sign": inf.sign_test,
    "gsign": inf.generalized_sign_test,
    "bhar-skew-t": inf.bhar_skewness_adjusted_t_test,
}


def load_small() -> tuple[pd.DataFrame, AbnormalPanel]:
    df = pd.read_csv(REF / "inference_small.csv")
    events = ["A", "B", "C", "D"]

    def piv(col: str) -> np.ndarray:
        return df.pivot(index="event", columns="rel_day", values=col).loc[events].to_numpy()

    panel = build_panel(
        piv("ret"), piv("mkt"), piv("date").astype("datetime64[D]"), 10, [-1, 0, 1], event_ids=events
    )
    return df, panel


@pytest.fixture(scope="module")
def small() -> AbnormalPanel:
    return load_small()[1]


WINDOWS = list(EXPECTED)


@pytest.mark.parametrize("window", WINDOWS, ids=[str(w) for w in WINDOWS])
@pytest.mark.parametrize("test", list(TESTS))
def test_statistic_and_pvalue(small: AbnormalPanel, window: tuple[int, int], test: str) -> None:
    res = TESTS[test](small, *window)
    exp = EXPECTED[window]
    assert res.valid, res.reason
    assert res.statistic == pytest.approx(exp[test], abs=TOL)
    assert res.pvalue == pytest.approx(exp[test + " p"], abs=TOL)


@pytest.mark.parametrize("window", WINDOWS, ids=[str(w) for w in WINDOWS])
def test_by_products(small: AbnormalPanel, window: tuple[int, int]) -> None:
    exp = EXPECTED[window]
    kp = inf.kp_bmp_test(small, *window)
    assert kp.extra["rbar"] == pytest.approx(exp["rbar"], abs=TOL)
    assert kp.extra["rbar_pairs"] == exp["rbar pairs"]
    assert kp.extra["rbar_overlap_pairs"] == exp["rbar overlap pairs"]
    assert inf.kp_patell_test(small, *window).extra["rbar"] == pytest.approx(exp["rbar"], abs=TOL)
    assert kp.extra["rbar_possible_pairs"] == kp.nobs * (kp.nobs - 1) // 2
    assert inf.generalized_sign_test(small, *window).extra["p0"] == pytest.approx(exp["p-hat"], abs=TOL)
    assert inf.bhar_skewness_adjusted_t_test(small, *window).extra["mean"] == pytest.approx(
        exp["bhar mean"], abs=TOL
    )


@pytest.mark.parametrize("window", WINDOWS, ids=[str(w) for w in WINDOWS])
def test_wilcoxon(small: AbnormalPanel, window: tuple[int, int]) -> None:
    res = inf.wilcoxon_test(small, *window)
    assert res.statistic == EXPECTED[window]["wilcoxon W+"]
    assert res.pvalue == pytest.approx(EXPECTED[window]["wilcoxon p"], abs=TOL)
    assert res.distribution == "wilcoxon"  # N <= 50, no ties: exact


@pytest.mark.parametrize("window", WINDOWS, ids=[str(w) for w in WINDOWS])
def test_bhar_bootstrap(small: AbnormalPanel, window: tuple[int, int]) -> None:
    res = inf.bhar_bootstrap_test(small, *window, n_boot=N_BOOT, seed=SEED)
    # Same seeded draws (default_rng(seed).integers(0, N, (B, N))): counts agree exactly.
    assert res.pvalue == pytest.approx(EXPECTED[window]["bhar-boot p"], abs=TOL)
    assert res.extra["n_boot"] == EXPECTED[window]["bhar-boot n"]
    again = inf.bhar_bootstrap_test(small, *window, n_boot=N_BOOT, seed=SEED)
    assert again == res


def test_nobs_with_missing(small: AbnormalPanel) -> None:
    # D has no return on day +1: 3 events on that day, 4 over (0, +1).
    assert inf.bmp_test(small, 1, 1).nobs == 3
    assert inf.bmp_test(small, 0, 1).nobs == 4
    assert inf.brown_warner_time_series_test(small, 0).extra["T"] == 10
    assert inf.grank_test(small, 0).extra["T"] == 11
    assert inf.patell_test(small, 0).extra["n_events"] == 4


def test_cross_sectional_t_matches_scipy(small: AbnormalPanel) -> None:
    cars = np.nansum(np.asarray(small.ar), axis=1)
    for alt in ("two-sided", "less", "greater"):
        ref = stats.ttest_1samp(cars, 0.0, alternative=alt)
        res = inf.cross_sectional_t_test(small, -1, 1, alternative=alt)
        assert res.statistic == pytest.approx(ref.statistic, abs=TOL)
        assert res.pvalue == pytest.approx(ref.pvalue, abs=TOL)


def test_wilcoxon_matches_scipy_one_sided(small: AbnormalPanel) -> None:
    cars = np.nansum(np.asarray(small.ar)[:, 1:], axis=1)
    for alt in ("less", "greater"):
        ref = stats.wilcoxon(cars, alternative=alt)
        assert inf.wilcoxon_test(small, 0, 1, alternative=alt).pvalue == pytest.approx(ref.pvalue, abs=TOL)


def test_residuals_match_statsmodels(small: AbnormalPanel) -> None:
    import statsmodels.api as sm

    df, _ = load_small()
    a = df[(df.event == "C") & (df.period == "estimation")].dropna(subset=["ret"])
    fit = sm.OLS(a["ret"].to_numpy(), sm.add_constant(a["mkt"].to_numpy())).fit()
    resid = np.asarray(small.est_resid)[2]
    np.testing.assert_allclose(resid[np.isfinite(resid)], fit.resid, atol=1e-15)
    assert int(small.nobs[2]) == 9
    # Patell's forecast factor written out equals the panel's quadratic form.
    m = a["mkt"].to_numpy()
    rm0 = float(np.asarray(small.event_market)[2, 1])
    c = 1 + 1 / m.size + (rm0 - m.mean()) ** 2 / ((m - m.mean()) ** 2).sum()
    assert float(small.daily_forecast_factor()[2, 1]) == pytest.approx(c, abs=TOL)
    assert math.isfinite(c)


def test_every_registered_statistic_names_a_reference_test_that_exists() -> None:
    import ast
    from pathlib import Path

    from eventstudy.inference.registry import TESTS as REGISTRY

    root = Path(__file__).resolve().parents[1]
    for name, spec in REGISTRY.items():
        path, func = spec.reference_test.split("::")
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        assert func in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, (name, spec.reference_test)
        if func == "test_statistic_and_pvalue":  # the table of independent values covers it
            assert name in TESTS and all(name in exp for exp in EXPECTED.values()), name
