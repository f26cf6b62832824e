"""The result behaves like a statsmodels result (issue 11, item 1).

Expected values come from statsmodels OLS fitted here on returns computed from
the fixture CSVs, from scipy's t quantiles, and from hand arithmetic.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from fixture_prices import fixture_prices
from scipy import stats

from eventstudy import event_study
from eventstudy.errors import InvalidParameterError
from eventstudy.results import EventStudyResult
from eventstudy.windows import Window

SECURITIES = ["NVDA", "AVGO", "CEG"]


_prices = fixture_prices


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return _prices(*SECURITIES, "GSPC").rename(columns={"GSPC": "^GSPC"})


@pytest.fixture(scope="module")
def res(prices: pd.DataFrame) -> EventStudyResult:
    return event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=SECURITIES)


def _ols(prices: pd.DataFrame, res: EventStudyResult, eid: str) -> sm.regression.linear_model.RegressionResults:
    """statsmodels OLS of simple returns on the benchmark over the dates the study used."""
    assert res.return_type == "simple"
    rets = prices.pct_change()
    dates = res.resid.loc[eid].index
    x = sm.add_constant(rets.loc[dates, "^GSPC"].to_numpy())
    return sm.OLS(rets.loc[dates, eid].to_numpy(), x).fit()


# --- Window ----------------------------------------------------------------------
def test_window_is_a_value_equal_to_its_tuple() -> None:
    w = Window(-1, 1)
    assert (-1, 1) == w  # noqa: SIM300 (the reflected ==)
    assert w == (-1, 1) and w != (0, 1) and w != "(-1, +1)"
    assert hash(w) == hash((-1, 1)) and {(-1, 1): "x"}[w] == "x" and (-1, 1) in {w}
    assert str(w) == repr(w) == w.label == "(-1, +1)" and f"CAR{w}" == "CAR(-1, +1)"
    assert sorted([Window(0, 1), Window(-5, 5), Window(0, 0)]) == [(-5, 5), (0, 0), (0, 1)]
    assert w.as_tuple() == (-1, 1) and Window(np.int64(0), np.int64(2)).length == 3
    assert pickle.loads(pickle.dumps(w)) == w and type(pickle.loads(pickle.dumps(w))) is Window
    with pytest.raises(InvalidParameterError, match="start <= end"):
        Window(1, 0)
    with pytest.raises(InvalidParameterError, match="integer"):
        Window(0.0, 1)  # type: ignore[arg-type]


def test_window_level_takes_tuples_windows_and_labels(res: EventStudyResult) -> None:
    car = res.car
    day0 = car.xs((0, 0), level="window")
    assert list(day0.index) == SECURITIES
    assert (day0["start"] == 0).all() and (day0["end"] == 0).all()
    # a one-day CAR is that day's abnormal return
    np.testing.assert_allclose(day0["car"].to_numpy(), res.ar.loc[0, SECURITIES].to_numpy(), rtol=0, atol=0)
    by_tuple = car.loc[("NVDA", (-1, 1))]
    assert (by_tuple["start"], by_tuple["end"]) == (-1, 1)
    assert by_tuple["car"] == car.loc[("NVDA", "(-1, +1)")]["car"] == car.loc[("NVDA", Window(-1, 1)), "car"]
    assert car.loc[("NVDA", (-1, 1)), "car"] == pytest.approx(res.ar.loc[-1:1, "NVDA"].sum(), abs=1e-15)
    assert car.xs("(0, 0)", level="window").equals(day0)
    # pandas' own keys are untouched
    assert list(car.loc["NVDA"].index) == list(res.windows)
    assert car.loc[:, "car"].equals(car["car"]) and len(car.loc[car["car"] < 0]) == (car["car"] < 0).sum()
    with pytest.raises(KeyError):
        car.loc[("NVDA", (0, 9))]
    # derived frames keep the lookups
    assert car[["car"]].xs((0, 0), level="window")["car"].equals(day0["car"])
    caar = res.caar
    assert caar.loc[(0, 0), "caar"] == pytest.approx(day0["car"].mean(), abs=1e-15)
    assert caar.loc[(-1, 1)]["caar"] == caar.loc["(-1, +1)", "caar"]


def test_csv_and_display_show_the_label(res: EventStudyResult) -> None:
    text = res.car.to_csv()
    assert 'NVDA,"(-1, +1)",NVDA,-1,1,' in text
    assert "(-1, +1)" in res.caar.to_string() and "(-1, 1)" not in res.caar.to_string()


# --- parameters --------------------------------------------------------------------
def test_parameter_statistics_match_statsmodels(prices: pd.DataFrame, res: EventStudyResult) -> None:
    for eid in SECURITIES:
        ols = _ols(prices, res, eid)
        np.testing.assert_allclose(res.params.loc[eid], ols.params, rtol=1e-9)
        np.testing.assert_allclose(res.bse.loc[eid], ols.bse, rtol=1e-9)
        np.testing.assert_allclose(res.pvalues.loc[eid], ols.pvalues, rtol=1e-7)
        for alpha in (0.05, 0.1):
            ci = res.conf_int(alpha=alpha).loc[eid]
            np.testing.assert_allclose(ci[["lower", "upper"]].to_numpy(), ols.conf_int(alpha=alpha), rtol=1e-9)
        np.testing.assert_allclose(res.cov_params().loc[eid].to_numpy(), ols.cov_params(), rtol=1e-9)
        assert res.rsquared[eid] == pytest.approx(ols.rsquared, rel=1e-9)
    assert list(res.conf_int().columns) == ["lower", "upper"]
    assert list(res.cov_params().columns) == ["alpha", "beta"]


def test_one_parameter_vocabulary(res: EventStudyResult) -> None:
    names = ["alpha", "beta"]
    fit = res.fit_detail("NVDA")
    assert list(fit.params.index) == names == list(res.params.columns) == list(res.pvalues.columns)
    assert list(res.conf_int().index.get_level_values("param").unique()) == names
    np.testing.assert_allclose(fit.params.to_numpy(), res.params.loc["NVDA"].to_numpy(), rtol=1e-10)
    assert "alpha" in str(fit.summary()) and "const" not in str(fit.summary())


def test_constant_mean_rsquared_is_zero(prices: pd.DataFrame) -> None:
    r = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA"],
                    model="constant_mean")
    assert r.rsquared["NVDA"] == pytest.approx(0.0, abs=1e-12)


def test_alpha_outside_zero_one_is_refused(res: EventStudyResult) -> None:
    for bad in (0, 1, 1.5, -0.1, True, "0.05"):
        with pytest.raises(InvalidParameterError, match="alpha"):
            res.conf_int(alpha=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="alpha"):
        res.car_conf_int(alpha=2)


# --- CAR and CAAR intervals ----------------------------------------------------------
def test_car_conf_int_by_hand(res: EventStudyResult) -> None:
    row = res.car.loc[("AVGO", (0, 1))]
    for alpha in (0.05, 0.01):
        q = stats.t.ppf(1 - alpha / 2, row["df"])
        ci = res.car_conf_int(alpha).loc[("AVGO", (0, 1))]
        assert ci["lower"] == pytest.approx(row["car"] - q * row["std_err"], rel=1e-12)
        assert ci["upper"] == pytest.approx(row["car"] + q * row["std_err"], rel=1e-12)
    # the 95% interval excludes 0 exactly when the two-sided p-value is below 0.05
    ci = res.car_conf_int()
    car = res.car
    assert (((ci["upper"] < 0) | (ci["lower"] > 0)) == (car["pvalue"] < 0.05)).all()


def test_caar_conf_int_by_hand(res: EventStudyResult) -> None:
    cars = res.car.xs((-1, 1), level="window")["car"].to_numpy()
    n = cars.size
    mean, se = cars.mean(), cars.std(ddof=1) / np.sqrt(n)
    q = stats.t.ppf(0.95, n - 1)
    ci = res.caar_conf_int(alpha=0.1).loc[(-1, 1)]
    assert ci["caar"] == pytest.approx(mean, rel=1e-12)
    assert (ci["lower"], ci["upper"]) == (pytest.approx(mean - q * se, rel=1e-12),
                                          pytest.approx(mean + q * se, rel=1e-12))


# --- summary and LaTeX ---------------------------------------------------------------
def test_summary_takes_tuples_and_every_format_works(res: EventStudyResult) -> None:
    s = res.summary(windows=[(0, 0), Window(-1, 1)])
    car = res.car.loc[("NVDA", (-1, 1)), "car"]
    value = f"{100 * car:.2f}"
    text, html, latex = s.as_text(), s.as_html(), s.as_latex()
    assert "CAR(-1, +1)" in text and "CAR(0, +4)" not in text and value in text
    assert value in html and "CAR(-1, +1)" in html
    assert value + r"\%" in latex and latex.count(r"\begin{tabular}") == 4
    with pytest.raises(InvalidParameterError, match=r"windows\[0\]"):
        res.summary(windows=[(0, 9)])


def test_as_latex_with_tables_of_different_widths(prices: pd.DataFrame) -> None:
    # one window: a 2-column CAR table under the 4-column set-up table (statsmodels'
    # own Summary.as_latex merges them and raises "zip() argument 2 is shorter ...")
    r = event_study(prices, benchmark="^GSPC", event_date="2025-01-27", securities=["NVDA", "CEG"],
                    windows=[(0, 0)])
    latex = r.summary().as_latex()
    for eid in ("NVDA", "CEG"):
        assert f"{100 * r.car.loc[(eid, (0, 0)), 'car']:.2f}" + r"\%" in latex
    assert "Notes:" not in latex or r"\begin{enumerate}" in latex


def test_to_latex_tables(res: EventStudyResult) -> None:
    car = res.to_latex("car")
    assert r"\begin{tabular}" in car and "(-1, +1)" in car and "missing\\_days" in car
    assert f"{res.car.loc[('CEG', (0, 0)), 'car']:.4f}" in car
    tests = res.to_latex("tests")
    assert "kp-bmp" in tests
    assert f"{res.caar.loc[(0, 0), 'caar']:.4f}" in res.to_latex("caar")
    with pytest.raises(InvalidParameterError, match="table"):
        res.to_latex("nope")


# --- pickling ------------------------------------------------------------------------
def test_pickle_round_trip(res: EventStudyResult) -> None:
    back = pickle.loads(pickle.dumps(res))
    for name in ("car", "caar", "tests", "diagnostics", "params", "ar", "bse"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(res, name))
    pd.testing.assert_frame_equal(back.to_frame(), res.to_frame())
    pd.testing.assert_frame_equal(back.conf_int(), res.conf_int())
    assert back.windows == res.windows and str(back) == str(res)
    assert back.car.xs((0, 0), level="window").equals(res.car.xs((0, 0), level="window"))
