"""Edges of the model specs, the batched OLS and the per-event CAR t-test.

Expected values: hand arithmetic (in the comments), numpy/scipy/statsmodels on
the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.abnormal import car_table, car_test
from eventstudy.errors import InvalidParameterError
from eventstudy.models import fit_panel, get_model
from eventstudy.windows import Window
from tests.inference_helpers import build_panel

NAN = math.nan


def test_design_names_a_missing_factor_and_factors_need_columns() -> None:
    spec = get_model("ff3")
    m = np.zeros((1, 3))
    with pytest.raises(InvalidParameterError, match="HML"):
        spec.design(m, {"Mkt-RF": m, "SMB": m})
    with pytest.raises(InvalidParameterError, match="factor_columns"):
        get_model("factors", [])


def test_excess_return_models() -> None:
    assert get_model("capm").needs_rf and get_model("ff3").needs_rf
    assert not get_model("market").needs_rf
    assert get_model("market").k == 2 and get_model("market_adjusted").k == 0
    assert get_model("ff5").k == 6 and get_model("constant_mean").k == 1


def test_no_parameter_fit_has_t_minus_one_df() -> None:
    y = np.array([[1.0, 2.0, 3.0, 4.0, NAN]])
    fit = fit_panel(y, np.zeros((1, 5, 0)))
    # 4 returns: df = 3, s2 = sample variance = ((1.5^2 + 0.5^2) * 2) / 3 = 5/3
    assert fit.nobs.tolist() == [4] and fit.df_resid.tolist() == [3]
    assert fit.sigma2[0] == pytest.approx(5 / 3, rel=1e-12)


def test_exactly_identified_fits_are_refused() -> None:
    # centred path (constant + slope) with 2 returns: 2 parameters, 0 df
    y = np.array([[1.0, 3.0, NAN], [1.0, 3.0, 2.0]])
    x = np.stack([np.ones((2, 3)), np.array([[0.0, 1.0, NAN], [0.0, 1.0, 0.5]])], axis=-1)
    x[0, 2, :] = NAN
    fit = fit_panel(y, x)
    assert fit.rank_ok.tolist() == [False, True]
    assert np.isnan(fit.params[0]).all()
    # QR path (no constant column): one regressor, one return
    q = fit_panel(np.array([[2.0, NAN]]), np.array([[[2.0], [NAN]]]))
    assert not q.rank_ok[0] and np.isnan(q.params[0, 0])


def test_collinear_regressors_are_refused() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(0, 0.01, 40)
    y = 0.001 + 1.2 * m + rng.normal(0, 0.01, 40)
    x = np.stack([np.ones(40), m, 2.5 * m], axis=-1)[None]
    assert np.linalg.matrix_rank(x[0]) == 2  # numpy's verdict: rank deficient
    # (rounding leaves the centred cross-product matrix a tiny positive eigenvalue, ~4e-19 here)
    fit = fit_panel(y[None], x)
    assert not fit.rank_ok[0]
    assert np.isnan(fit.params).all()


def test_centred_fit_matches_statsmodels() -> None:
    rng = np.random.default_rng(4)
    m = rng.normal(0, 0.01, 30)
    y = 0.002 - 0.7 * m + rng.normal(0, 0.005, 30)
    fit = fit_panel(y[None], np.stack([np.ones(30), m], axis=-1)[None])
    ref = sm.OLS(y, sm.add_constant(m)).fit()
    np.testing.assert_allclose(fit.params[0], ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.xtx_inv[0], ref.normalized_cov_params, rtol=1e-10)
    assert fit.sigma2[0] == pytest.approx(ref.scale, rel=1e-10)


# ------------------------------------------------------------------ CAR t-test


def _adj_panel(est: list[list[float]], event: list[list[float]]) -> object:
    ret = np.array([e + v for e, v in zip(est, event, strict=True)])
    dates = np.tile(pd.bdate_range("2024-01-02", periods=ret.shape[1]).to_numpy().astype("datetime64[D]"),
                    (len(est), 1))
    return build_panel(ret, np.zeros_like(ret), dates, len(est[0]), list(range(len(event[0]))),
                       model="market_adjusted")


EST = [0.01, -0.02, 0.03, -0.01, 0.02, 0.0]


def test_car_t_by_hand_one_sided_and_two_sided() -> None:
    p = _adj_panel([EST, EST], [[0.02, 0.01], [NAN, NAN]])
    # market-adjusted: CAR(0, 1) = 0.03; Var = s^2 * L with s^2 the sample variance, df = 6 - 1
    s2 = np.var(EST, ddof=1)
    t = 0.03 / math.sqrt(2 * s2)
    for alt, p_ref in (("greater", stats.t.sf(t, 5)), ("less", stats.t.cdf(t, 5)),
                       ("two-sided", 2 * stats.t.sf(t, 5))):
        res = car_test(p, 0, Window(0, 1), alt)  # type: ignore[arg-type]
        assert res.statistic == pytest.approx(t, rel=1e-12)
        assert res.pvalue == pytest.approx(p_ref, rel=1e-10)
        assert res.df == 5.0
    empty = car_test(p, 1, Window(0, 1))  # type: ignore[arg-type]
    assert not empty.valid and empty.reason == "no abnormal return in the window"
    table = car_table(p, [Window(0, 1)])  # type: ignore[arg-type]
    assert table["missing_days"].tolist() == [0, 2]
    assert math.isnan(table["std_err"].iloc[1]) and math.isnan(table["car"].iloc[1])


def test_zero_variance_gives_an_undefined_car_t() -> None:
    p = _adj_panel([[0.01] * 6], [[0.02]])  # constant residuals: s^2 = 0
    res = car_test(p, 0, Window(0, 0))  # type: ignore[arg-type]
    assert not res.valid and res.reason == "Var(CAR) is zero or undefined"
    table = car_table(p, [Window(0, 0)])  # type: ignore[arg-type]
    assert math.isnan(table["statistic"].iloc[0])
