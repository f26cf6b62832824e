"""Volume and volatility studies (issue 12, item 4): ``event_study(..., kind=...)``.

Expected values come from the fixture CSVs read with plain Python / pandas and
hand computations with numpy and scipy (OLS by ``numpy.linalg.lstsq``), never
from the package's own output.
"""

from __future__ import annotations

import csv
import statistics
from typing import Any

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
from fixture_prices import fixture_prices
from scipy import stats

import eventstudy as es
from eventstudy.data.wide import wide_volumes
from eventstudy.errors import DataError, InvalidParameterError
from eventstudy.inference.registry import TESTS
from eventstudy.resources import fixtures_dir
from eventstudy.study import compute_events, prepare_data
from eventstudy.volatility import volatility_tables
from eventstudy.volume import prepare_volume

SIX = ("NVDA", "AVGO", "MU", "ARM", "ASML", "CEG")
DAY0 = "2025-01-27"


def _csv_rows(symbol: str) -> list[dict[str, str]]:
    with open(fixtures_dir() / f"{symbol.lstrip('^')}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _volumes(*symbols: str) -> pd.DataFrame:
    """Volumes straight from the CSVs (pandas only, not the package's loaders)."""
    out = {}
    for s in symbols:
        f = pd.read_csv(fixtures_dir() / f"{s.lstrip('^')}.csv", parse_dates=["date"], index_col="date")
        out[s] = f["volume"].astype(float)
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def volumes() -> pd.DataFrame:
    return _volumes(*SIX, "^GSPC")


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return fixture_prices(*SIX, "^GSPC")


@pytest.fixture(scope="module")
def volume_result(volumes: pd.DataFrame) -> es.EventStudyResult:
    """The default design: market model on log volume, estimation (-250, -11)."""
    return es.event_study(volume=volumes, benchmark="^GSPC", event_date=DAY0, kind="volume")


def _ols(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Parameters, s^2, (X'X)^-1 and residual df of the OLS of y on [1, x] (x None: constant)."""
    design = np.ones((len(y), 1)) if x is None else np.column_stack([np.ones(len(y)), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    df = len(y) - design.shape[1]
    return beta, float(resid @ resid / df), np.linalg.inv(design.T @ design), df


# ----------------------------------------------------------------- NVDA volume


def test_nvda_published_volume_figures() -> None:
    """27 Jan 2025: 819 million shares, about 4x the median of the previous sixty sessions (200 million)."""
    rows = _csv_rows("NVDA")
    dates = [r["date"] for r in rows]
    i = dates.index(DAY0)
    day0 = float(rows[i]["volume"])
    median60 = statistics.median(float(r["volume"]) for r in rows[i - 60:i])
    assert round(day0 / 1e6) == 819
    assert round(median60 / 1e6) == 200
    assert round(day0 / median60) == 4


@pytest.mark.parametrize("model", ["market", "constant_mean"])
def test_nvda_abnormal_log_volume_day0_positive_significant(volumes: pd.DataFrame, model: str) -> None:
    """Against the previous sixty sessions (the published figure's reference), by hand."""
    res = es.event_study(volume=volumes, benchmark="^GSPC", event_date=DAY0, securities=["NVDA"],
                         kind="volume", model=model, estimation=(-60, -1), windows=[(0, 0)],
                         min_estimation_obs=50)
    v = np.log1p(volumes.to_numpy(dtype=float))
    i = volumes.index.get_loc(pd.Timestamp(DAY0))
    y, m = v[i - 60:i, 0], v[i - 60:i, -1]
    beta, s2, inv, df = _ols(y, None if model == "constant_mean" else m)
    x0 = np.array([1.0]) if model == "constant_mean" else np.array([1.0, v[i, -1]])
    ar = v[i, 0] - x0 @ beta
    t = ar / np.sqrt(s2 * (1.0 + x0 @ inv @ x0))
    row = res.car.loc[("NVDA", (0, 0))]
    assert res.kind == "volume" and res.model.name == model
    assert row["car"] == pytest.approx(ar, rel=1e-10)
    assert row["statistic"] == pytest.approx(t, rel=1e-10)
    assert ar > 0 and 2 * stats.t.sf(t, df) < 0.001
    assert row["pvalue"] < 0.001


def test_default_design_matches_hand_market_model(volumes: pd.DataFrame,
                                                  volume_result: es.EventStudyResult) -> None:
    """Estimation (-250, -11): NVDA's 2024 volumes were high, so day 0 is positive, t = 1.67 only."""
    res = volume_result
    v = np.log1p(volumes.to_numpy(dtype=float))
    i = volumes.index.get_loc(pd.Timestamp(DAY0))
    for j, sec in enumerate(SIX):
        beta, s2, inv, _ = _ols(v[i - 250:i - 10, j], v[i - 250:i - 10, -1])
        x0 = np.array([1.0, v[i, -1]])
        ar = v[i, j] - x0 @ beta
        assert res.ar.loc[0, sec] == pytest.approx(ar, rel=1e-9)
        assert res.car.loc[(sec, (0, 0)), "statistic"] == pytest.approx(ar / np.sqrt(s2 * (1 + x0 @ inv @ x0)),
                                                                  rel=1e-9)
    assert res.ar.loc[0, "NVDA"] > 0 and res.car.loc[("NVDA", (0, 0)), "pvalue"] > 0.05
    caav = res.caar.loc[(0, 0)]
    day0 = res.ar.loc[0].to_numpy()
    assert caav["caar"] == pytest.approx(day0.mean(), rel=1e-12)
    assert caav["statistic"] == pytest.approx(day0.mean() / (day0.std(ddof=1) / np.sqrt(6)), rel=1e-10)


def test_volume_battery_and_summary(volume_result: es.EventStudyResult, prices: pd.DataFrame) -> None:
    vol = volume_result
    ret = es.event_study(prices, benchmark="^GSPC", event_date=DAY0, windows=[(0, 0)])
    assert set(vol.tests["test"]) == set(TESTS)  # the returns battery
    bhar = vol.tests[vol.tests["test"].str.startswith("bhar")]
    assert len(bhar) and not bhar["valid"].any() and bhar["statistic"].isna().all()
    corrado = vol.tests.query("scope == 'day' and start == 0 and test == 'corrado'").iloc[0]
    assert corrado["valid"] and corrado["statistic"] > 0  # rank test of abnormal volume
    text = vol.summary().as_text()
    assert "CAV(0, 0)" in text and "CAAV" in text and "volume" in text and "CAR(" not in text
    assert "Kind:" in ret.summary().as_text() and ret.kind == "returns"
    assert "%" not in text.split("CAV per event")[1].split("Headline")[0]


# ----------------------------------------------------------------- inputs


def test_log_wide_volumes_missing_and_zero() -> None:
    idx = pd.DatetimeIndex(["2025-01-21", "2025-01-22", "2025-01-23", "2025-01-24"])
    frame = pd.DataFrame({"A": [100.0, np.nan, 0.0, 5.0]}, index=idx)
    data = prepare_volume(frame)
    got = data.returns["A"].to_numpy()
    assert got[0] == np.log(101.0) and np.isnan(got[1]) and got[2] == 0.0 and got[3] == np.log(6.0)
    assert data.return_type == "log_volume" and data.basis == {"A": "volume"}
    with pytest.raises(DataError, match="'A' on 2025-01-22"):
        prepare_volume(frame.fillna(-1.0))


def test_wide_volumes_from_frames() -> None:
    idx = pd.DatetimeIndex(["2025-01-23", "2025-01-24"])
    a = pd.DataFrame({"close": [1.0, 2.0], "volume": [10.0, np.nan]}, index=idx)
    b = pd.DataFrame({"close": [1.0], "volume": [0.0]}, index=idx[1:])
    panel = wide_volumes({"A": a, "B": b})
    assert list(panel.columns) == ["A", "B"] and np.isnan(panel.loc["2025-01-24", "A"])
    assert np.isnan(panel.loc["2025-01-23", "B"]) and panel.loc["2025-01-24", "B"] == 0.0
    with pytest.raises(DataError, match="'C'.*volume"):
        wide_volumes({"C": a.drop(columns="volume")})
    with pytest.raises(DataError, match="negative"):
        wide_volumes({"D": a.assign(volume=[-1.0, 2.0])})


def test_benchmark_without_volume_falls_back_to_mean_adjusted(volumes: pd.DataFrame) -> None:
    no_bench = volumes.assign(**{"^GSPC": 0.0})  # an index recorded with zero volume
    res = es.event_study(volume=no_bench, benchmark="^GSPC", event_date=DAY0, securities=["NVDA"],
                         kind="volume")
    assert res.model.name == "constant_mean"
    assert any("mean-adjusted" in n and "0 days" in n for n in res.notes)
    v = np.log1p(volumes["NVDA"].to_numpy())
    i = volumes.index.get_loc(pd.Timestamp(DAY0))
    assert res.ar.loc[0, "NVDA"] == pytest.approx(v[i] - v[i - 250:i - 10].mean(), rel=1e-10)


@pytest.mark.parametrize(("case", "parameter"), [
    ("volume-ff3", "model"), ("unknown-kind", "kind"), ("volume-with-prices", "prices"),
    ("returns-with-volume", "volume"), ("volatility-with-volume", "volume"),
])
def test_kind_errors(volumes: pd.DataFrame, prices: pd.DataFrame, case: str, parameter: str) -> None:
    base: dict[str, Any] = {"benchmark": "^GSPC", "event_date": DAY0}
    args: dict[str, dict[str, Any]] = {
        "volume-ff3": {"volume": volumes, "kind": "volume", "model": "ff3"},
        "unknown-kind": {"prices": prices, "kind": "sideways"},
        "volume-with-prices": {"prices": prices, "volume": volumes, "kind": "volume"},
        "returns-with-volume": {"prices": prices, "volume": volumes},
        "volatility-with-volume": {"prices": prices, "volume": volumes, "kind": "volatility"},
    }
    with pytest.raises(InvalidParameterError) as info:
        es.event_study(**base, **args[case])
    assert info.value.parameter == parameter


# ----------------------------------------------------------------- volatility


def _hand_volatility(prices: pd.DataFrame, sec: str, window: tuple[int, int]) -> dict[str, float]:
    """U, CAVy and the Chow variance ratio of one event, from numpy/scipy only."""
    r = prices.pct_change().to_numpy()
    i = prices.index.get_loc(pd.Timestamp(DAY0))
    j = list(prices.columns).index(sec)
    est = slice(i - 250, i - 10)
    beta, s2, inv, df = _ols(r[est, j], r[est, -1])
    days = np.arange(window[0], window[1] + 1)
    x = np.column_stack([np.ones(len(days)), r[i + days, -1]])
    e = r[i + days, j] - x @ beta
    u = e ** 2 / (s2 * (1.0 + np.einsum("li,ij,lj->l", x, inv, x)))
    vr = e @ np.linalg.solve(np.eye(len(days)) + x @ inv @ x.T, e) / (len(days) * s2)
    return {"u0": float(u[list(days).index(0)]) if 0 in days else np.nan, "cavy": float((u - 1).sum()),
            "vr": float(vr), "p": float(stats.f.sf(vr, len(days), df)), "df": float(df)}


@pytest.fixture(scope="module")
def volatility(prices: pd.DataFrame) -> es.EventStudyResult:
    return es.event_study(prices, benchmark="^GSPC", event_date=DAY0, kind="volatility",
                          windows=[(0, 0), (-1, 1), (0, 4)])


def test_volatility_matches_hand_computation(prices: pd.DataFrame, volatility: es.EventStudyResult) -> None:
    assert volatility.kind == "volatility"
    for sec in SIX:
        for w in [(0, 0), (-1, 1), (0, 4)]:
            hand = _hand_volatility(prices, sec, w)
            row = volatility.car.loc[(sec, w)]
            assert row["car"] == pytest.approx(hand["cavy"], rel=1e-9)
            assert row["ratio"] == pytest.approx(hand["vr"], rel=1e-9)
            assert row["pvalue"] == pytest.approx(hand["p"], rel=1e-7)
            assert row["df"] == hand["df"] and row["df_num"] == w[1] - w[0] + 1
        assert volatility.ar.loc[0, sec] == pytest.approx(_hand_volatility(prices, sec, (0, 0))["u0"] - 1,
                                                          rel=1e-9)
    hand = _hand_volatility(prices, "NVDA", (-1, 1))
    test = volatility.car_test("NVDA", (-1, 1))
    assert test.statistic == pytest.approx(hand["vr"], rel=1e-9) and test.df == (3.0, hand["df"])
    assert test.distribution == "F" and test.pvalue == pytest.approx(hand["p"], rel=1e-7)
    nvda = _hand_volatility(prices, "NVDA", (0, 0))
    assert nvda["u0"] > 20 and nvda["p"] < 1e-5  # the volatility jump: AR^2 over 20x its variance


def test_volatility_cross_sectional_tests(prices: pd.DataFrame, volatility: es.EventStudyResult) -> None:
    hands = [_hand_volatility(prices, s, (-1, 1)) for s in SIX]
    x = np.array([h["cavy"] - 3 * 2 / (h["df"] - 2) for h in hands])
    t = x.mean() / (x.std(ddof=1) / np.sqrt(len(x)))
    above = sum(h["vr"] > stats.f.median(3, h["df"]) for h in hands)
    tests = volatility.tests.query("scope == 'window' and window == '(-1, +1)'").set_index("test")
    assert set(volatility.tests["test"]) == {"avy-t", "avy-sign"}
    assert tests.loc["avy-t", "statistic"] == pytest.approx(t, rel=1e-9)
    assert tests.loc["avy-t", "pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), 5), rel=1e-9)
    assert tests.loc["avy-sign", "statistic"] == above
    assert tests.loc["avy-sign", "pvalue"] == pytest.approx(stats.binomtest(above, 6).pvalue)
    caavy = volatility.caar.loc[(-1, 1)]
    assert caavy["caar"] == pytest.approx(np.mean([h["cavy"] for h in hands]), rel=1e-10)
    text = volatility.summary().as_text()
    assert "CAVy(-1, +1)" in text and "CAAVy" in text and "volatility" in text


def test_variance_ratio_size_under_the_null() -> None:
    """Normal i.i.d. market-model data: the exact F test rejects at its nominal 5%."""
    rng = np.random.default_rng(12)
    days = xcals.get_calendar("XNYS").sessions_in_range("2023-01-03", "2024-12-31")[:320]
    n = 1000
    m = rng.normal(0.0, 0.01, len(days))
    r = 0.0005 + 1.2 * m[:, None] + rng.normal(0.0, 0.02, (len(days), n))
    frame = pd.DataFrame(r, index=days, columns=[f"S{k}" for k in range(n)]).assign(M=m)
    events = pd.DataFrame({"security": frame.columns[:n], "event_date": days[300], "benchmark": "M",
                           "event_id": frame.columns[:n]})
    part = compute_events(prepare_data(returns=frame), events, windows=[(0, 0), (-2, 2)])
    car, _, _ = volatility_tables(part.panel, part.windows)
    for w in [(0, 0), (-2, 2)]:
        p = car.loc[(car["start"] == w[0]) & (car["end"] == w[1]), "pvalue"].to_numpy()
        assert len(p) == n
        assert abs((p < 0.05).mean() - 0.05) < 3 * np.sqrt(0.05 * 0.95 / n)
        assert abs((p < 0.5).mean() - 0.5) < 3 * np.sqrt(0.25 / n)


# ----------------------------------------------------------------- plots


def test_plots_of_volume_and_volatility(volume_result: es.EventStudyResult,
                                       volatility: es.EventStudyResult) -> None:
    vol = volume_result
    ax = vol.plot("car").axes[0]
    assert "abnormal log volume" in ax.get_ylabel() and "%" not in ax.get_ylabel()
    assert any("CAAV" in t.get_text() for t in ax.get_legend().get_texts())
    assert vol.plot("ar").axes[0].get_ylabel() == "abnormal log volume on day 0"
    assert "abnormal log volume" in vol.plot("tests").axes[0].get_xlabel()
    with pytest.raises(InvalidParameterError, match="volume study"):
        vol.plot("prices")
    ax = volatility.plot("ar").axes[0]
    assert ax.get_ylabel().startswith("abnormal volatility on day 0")
    crit = [line for line in ax.get_lines() if line.get_gid() == "critical"][0]
    df = volatility.panel.df_resid[0]
    assert crit.get_ydata()[0] == pytest.approx(stats.f.ppf(0.95, 1, df) - 1)
    assert "abnormal volatility" in volatility.plot("car").axes[0].get_ylabel()
    assert volatility.plot("prices").axes[0].get_ylabel().startswith("price")
