"""No garbage with status ``ok`` (issue 8, item 4).

Absurd inputs are refused with a typed error naming the security, date or
parameter, or the event is excluded with a reason in ``diagnostics``, ``notes``
and the CAR table. Every input is a small synthetic frame built here; expected
values (the offending return, the counts) are computed by hand in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import TradingCalendar, event_study
from eventstudy.errors import (
    DataError,
    ImplausibleReturnError,
    InvalidParameterError,
    PriceLevelsAsReturnsError,
)

SESSIONS = TradingCalendar("XNYS", "2024-01-01", "2024-06-30").sessions("2024-01-02", "2024-04-30")
N = len(SESSIONS)
EVENT = 60  # row of the event session
EVENT_DATE = SESSIONS[EVENT]
# Estimation [-40, -6]: 35 sessions, rows 20..54; event span -1..+1.
KW: dict = {"estimation": [-40, -6], "windows": [[0, 0], [-1, 1]], "min_estimation_obs": 20}
EST_ROWS = np.arange(EVENT - 40, EVENT - 5)


def _returns() -> pd.DataFrame:
    """Market ``M`` and two securities with their own (deterministic) noise."""
    t = np.arange(N, dtype=float)
    m = 0.01 * np.sin(1.3 * t) + 0.002 * np.cos(0.7 * t)
    a = 0.001 + 1.1 * m + 0.008 * np.sin(2.9 * t + 1.0)
    b = -0.0005 + 0.7 * m + 0.006 * np.cos(1.7 * t + 0.3)
    return pd.DataFrame({"A": a, "B": b, "M": m}, index=SESSIONS)


def _prices(rets: pd.DataFrame) -> pd.DataFrame:
    return 100.0 * (1.0 + rets).cumprod()


def _events(*securities: str) -> pd.DataFrame:
    return pd.DataFrame({"security": list(securities), "event_date": [EVENT_DATE] * len(securities)})


def _assert_no_bare_nan(result) -> None:  # type: ignore[no-untyped-def]
    """Every NaN statistic in car, caar and to_frame has a reason; defined rows have none."""
    car = result.car
    undefined = car[["car", "std_err", "statistic", "pvalue"]].isna().any(axis=1)
    assert (car.loc[undefined, "reason"].str.len() > 0).all()
    assert (car.loc[~undefined, "reason"] == "").all()
    caar = result.caar
    undefined = caar[["caar", "statistic", "pvalue"]].isna().any(axis=1)
    assert (caar.loc[undefined, "reason"].fillna("").str.len() > 0).all()
    tidy = result.to_frame()
    assert (tidy.loc[tidy["ar"].isna(), "reason"].str.len() > 0).all()
    assert (tidy.loc[tidy["ar"].notna(), "reason"] == "").all()


# --- returns beyond a sane bound ------------------------------------------------
def test_price_of_1e300_is_refused_naming_security_date_and_value() -> None:
    prices = _prices(_returns())
    prev = prices["A"].iloc[30]
    prices.iloc[31, prices.columns.get_loc("A")] = 1e300
    with pytest.raises(ImplausibleReturnError) as info:
        event_study(prices, benchmark="M", event_date=EVENT_DATE, **KW)
    err = info.value
    assert isinstance(err, DataError) and isinstance(err, ValueError)
    assert err.security == "A" and err.parameter == "prices"
    assert err.date == SESSIONS[31]
    assert err.value == pytest.approx(1e300 / prev - 1.0, rel=1e-12)
    # the way back down is -100% in floating point: two cells outside the bounds
    assert err.count == 2
    msg = str(err)
    assert "'A'" in msg and str(SESSIONS[31].date()) in msg and "e+29" in msg
    assert "`prices`" in msg and "return_bounds" in msg


@pytest.mark.parametrize(("value", "refused"), [
    (10.0, False),  # +1000% exactly: at the bound, accepted
    (10.0001, True),  # above +1000%
    (-0.999, False),
    (-1.0, True),  # -100%: at the bound, refused
    (-1.5, True),
])
def test_return_bounds_edges(value: float, refused: bool) -> None:
    rets = _returns()
    rets.iloc[25, rets.columns.get_loc("B")] = value
    if not refused:
        res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"], **KW)
        assert res.event_ids == ["A"]
        return
    with pytest.raises(ImplausibleReturnError, match=rf"'B' on {SESSIONS[25].date()}") as info:
        event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"], **KW)
    assert info.value.parameter == "returns" and info.value.value == value


def test_return_bounds_are_overridable_and_can_be_switched_off() -> None:
    rets = _returns()
    rets.iloc[25, rets.columns.get_loc("B")] = 12.0
    with pytest.raises(ImplausibleReturnError):
        event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"], **KW)
    for bounds in [(-1.0, 20.0), None]:
        res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"],
                          return_bounds=bounds, **KW)
        assert res.diagnostics.loc["A", "status"] == "ok"
    # a tighter bound refuses a +6% day (every other synthetic return is below 3%)
    rets = _returns()
    assert rets.abs().to_numpy().max() < 0.03
    rets.iloc[12, rets.columns.get_loc("B")] = 0.06
    with pytest.raises(ImplausibleReturnError, match=rf"'B' on {SESSIONS[12].date()}.*\+0\.06\b") as info:
        event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"],
                    return_bounds=(-0.5, 0.05), **KW)
    assert info.value.count == 1


def test_benchmark_series_with_an_implausible_return_names_benchmark() -> None:
    rets = _returns()
    bench = rets.pop("M")
    bench.iloc[40] = 11.0
    with pytest.raises(ImplausibleReturnError, match=r"`benchmark`.*'M'|'M'.*`benchmark`") as info:
        event_study(returns=rets, benchmark=bench, event_date=EVENT_DATE, **KW)
    assert info.value.parameter == "benchmark" and info.value.date == SESSIONS[40]


def test_log_returns_are_bounded_as_simple_returns() -> None:
    rets = _returns()
    rets.iloc[25, rets.columns.get_loc("B")] = -1.5  # log return: a simple return of -77.7%
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"],
                      return_type="log", **KW)
    assert res.diagnostics.loc["A", "status"] == "ok"
    rets.iloc[25, rets.columns.get_loc("B")] = 2.5  # log: exp(2.5) - 1 = +1118%
    with pytest.raises(ImplausibleReturnError) as info:
        event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"],
                    return_type="log", **KW)
    assert info.value.value == pytest.approx(np.exp(2.5) - 1.0, rel=1e-12)


@pytest.mark.parametrize("bounds", [(10.0, -1.0), (0.0, 0.0), "wide", (1.0,), (-1.0, float("nan"))])
def test_invalid_return_bounds_name_the_parameter(bounds: object) -> None:
    with pytest.raises(InvalidParameterError, match="return_bounds"):
        event_study(returns=_returns(), benchmark="M", event_date=EVENT_DATE,
                    return_bounds=bounds, **KW)  # type: ignore[arg-type]


def test_batch_refuses_an_implausible_return() -> None:
    rets = _returns()
    rets.iloc[33, rets.columns.get_loc("A")] = 1e6
    with pytest.raises(ImplausibleReturnError, match=rf"'A' on {SESSIONS[33].date()}"):
        event_study(returns=rets, events=_events("A", "B"), benchmark="M", **KW)
    res = event_study(returns=rets, events=_events("B"), benchmark="M", return_bounds=None, **KW)
    assert res.diagnostics.loc["B", "status"] == "ok"


# --- price levels (or percentages) passed as returns -----------------------------
def test_batch_refuses_price_levels_passed_as_returns() -> None:
    levels = _prices(_returns())
    with pytest.raises(PriceLevelsAsReturnsError) as info:
        event_study(returns=levels, events=_events("A", "B"), benchmark="M", **KW)
    err = info.value
    assert err.parameter == "returns" and err.columns == ["A", "B", "M"]
    assert err.medians[0] == pytest.approx(float(np.median(levels["A"])), rel=1e-12)
    msg = str(err)
    assert "`returns`" in msg and "'A'" in msg and "prices=" in msg


def test_event_study_refuses_percent_returns_but_not_fat_tails() -> None:
    rets = _returns()
    with pytest.raises(PriceLevelsAsReturnsError, match=r"`returns`.*'A'"):
        event_study(returns=100 * rets, benchmark="M", event_date=EVENT_DATE, **KW)
    # a few large (but plausible) days leave the median small: accepted
    rets.iloc[[3, 9, 15], rets.columns.get_loc("B")] = [0.9, -0.6, 1.5]
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, **KW)
    assert list(res.diagnostics["status"]) == ["ok", "ok"]


def test_levels_in_a_benchmark_series_name_benchmark() -> None:
    rets = _returns()
    bench = _prices(rets)["M"]
    with pytest.raises(PriceLevelsAsReturnsError, match=r"`benchmark`.*'M'"):
        event_study(returns=rets.drop(columns="M"), benchmark=bench, event_date=EVENT_DATE, **KW)


# --- a benchmark identical to the security ---------------------------------------
def test_security_identical_to_its_benchmark_is_excluded() -> None:
    prices = _prices(_returns())
    prices["TWIN"] = 3.0 * prices["M"]  # other price level, the same returns
    res = event_study(prices, benchmark="M", event_date=EVENT_DATE, securities=["A", "TWIN"], **KW)
    d = res.diagnostics
    assert d.loc["A", "status"] == "ok"
    assert d.loc["TWIN", "status"] == "excluded"
    assert "identical to its benchmark M" in d.loc["TWIN", "reason"]
    assert any(n.startswith("TWIN: excluded (security identical to its benchmark M") for n in res.notes)
    assert res.event_ids == ["A"]
    rows = res.car.xs("TWIN", level="event_id")
    assert list(rows.index) == [(0, 0), (-1, 1)]
    assert rows[["car", "std_err", "statistic", "pvalue"]].isna().all().all()
    assert rows["reason"].str.startswith("event excluded: security identical to its benchmark").all()
    _assert_no_bare_nan(res)


def test_identity_to_the_benchmark_does_not_matter_when_the_model_ignores_it() -> None:
    rets = _returns()
    rets["TWIN"] = rets["M"]
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["TWIN"],
                      model="constant_mean", **KW)
    assert res.diagnostics.loc["TWIN", "status"] == "ok"
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["TWIN"],
                      model="market_adjusted", **KW)
    assert res.diagnostics.loc["TWIN", "status"] == "excluded"


def test_benchmark_identical_only_on_some_days_is_kept() -> None:
    rets = _returns()
    rets["TWIN"] = rets["M"]
    rets.iloc[EST_ROWS[5], rets.columns.get_loc("TWIN")] += 0.001
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["TWIN"], **KW)
    assert res.diagnostics.loc["TWIN", "status"] == "ok"
    assert np.isfinite(res.car["statistic"]).all()


# --- zero estimation variance ----------------------------------------------------
def test_constant_price_security_is_excluded_with_a_reason() -> None:
    prices = _prices(_returns())
    prices["FLAT"] = 50.0
    res = event_study(prices, benchmark="M", event_date=EVENT_DATE, **KW)
    d = res.diagnostics
    assert d.loc["FLAT", "status"] == "excluded"
    assert "zero estimation variance" in d.loc["FLAT", "reason"]
    assert "constant price" in d.loc["FLAT", "reason"]
    assert any(n.startswith("FLAT: excluded (zero estimation variance") for n in res.notes)
    assert "FLAT" not in res.event_ids
    flat = res.car.xs("FLAT", level="event_id")
    assert flat["car"].isna().all() and (flat["days"] == 0).all()
    assert flat["reason"].str.startswith("event excluded: zero estimation variance").all()
    # the CAAR is the mean of the two included CARs only (hand computation from the AR table)
    ar = res.ar
    expected = np.mean([ar.loc[-1:1, "A"].sum(), ar.loc[-1:1, "B"].sum()])
    assert res.caar.loc["(-1, +1)", "caar"] == pytest.approx(expected, abs=1e-15)
    assert res.caar.loc["(-1, +1)", "nobs"] == 2
    _assert_no_bare_nan(res)


def test_constant_price_only_in_the_estimation_window_counts() -> None:
    rets = _returns()
    rets["FLAT"] = 0.0
    rets.iloc[EVENT - 2:, rets.columns.get_loc("FLAT")] = 0.01  # moves only around the event
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["FLAT"],
                      model="constant_mean", **KW)
    assert res.diagnostics.loc["FLAT", "status"] == "excluded"
    assert "return is 0 on all 35 estimation days" in res.diagnostics.loc["FLAT", "reason"]


def test_perfect_fit_is_excluded() -> None:
    rets = _returns()
    rets.iloc[EST_ROWS[3], rets.columns.get_loc("M")] = 0.0  # LEV equals M on that day only
    rets["LEV"] = 2.0 * rets["M"]  # an exact linear function of the benchmark
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A", "LEV"], **KW)
    assert res.diagnostics.loc["LEV", "status"] == "excluded"
    assert "zero residual variance" in res.diagnostics.loc["LEV", "reason"]
    assert any(n.startswith("LEV: excluded (zero residual variance") for n in res.notes)
    _assert_no_bare_nan(res)


def test_batch_excludes_degenerate_events_with_reasons() -> None:
    rets = _returns()
    rets["FLAT"] = 0.0
    rets["TWIN"] = rets["M"]
    events = pd.DataFrame({"security": ["A", "FLAT", "TWIN", "A"],
                           "event_date": [EVENT_DATE, EVENT_DATE, EVENT_DATE, SESSIONS[EVENT + 5]],
                           "event_id": ["a1", "flat", "twin", "a2"]})
    res = event_study(returns=rets, events=events, benchmark="M", **KW)
    d = res.diagnostics
    assert list(d["status"]) == ["ok", "excluded", "excluded", "ok"]
    assert "zero estimation variance" in d.loc["flat", "reason"]
    assert "identical to its benchmark M" in d.loc["twin", "reason"]
    assert any(n.startswith("flat: excluded") for n in res.notes)
    assert any(n.startswith("twin: excluded") for n in res.notes)
    assert res.event_ids == ["a1", "a2"]
    car = res.car
    assert list(car.index.get_level_values("event_id")) == ["a1", "flat", "twin", "a2"] * 2
    assert car.loc[("flat", "(0, 0)"), "reason"].startswith("event excluded: zero estimation variance")
    assert (res.tests["nobs"] <= 2).all()
    _assert_no_bare_nan(res)


# --- undefined statistics carry a reason ----------------------------------------
def test_car_row_with_no_returns_in_the_window_has_a_reason() -> None:
    rets = _returns()
    rets.iloc[EVENT - 1:EVENT + 2, rets.columns.get_loc("B")] = np.nan  # days -1, 0, +1 missing
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, **KW)
    assert res.diagnostics.loc["B", "status"] == "ok"
    row = res.car.loc[("B", "(-1, +1)")]
    assert np.isnan(row["car"]) and row["days"] == 0 and row["missing_days"] == 3
    assert row["reason"] == "no abnormal return in the window (every day missing)"
    assert res.car.loc[("A", "(-1, +1)"), "reason"] == ""
    tidy = res.to_frame().loc["B"]
    assert (tidy.loc[[-1, 0, 1], "reason"] == "no return for the security on this session").all()
    _assert_no_bare_nan(res)


def test_missing_benchmark_day_is_named_in_the_ar_frame() -> None:
    rets = _returns()
    rets.iloc[EVENT + 1, rets.columns.get_loc("M")] = np.nan
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"], **KW)
    assert res.to_frame().loc[("A", 1), "reason"] == "no benchmark or factor return on this session"
    _assert_no_bare_nan(res)


def test_all_events_excluded_gives_reasons_everywhere() -> None:
    rets = _returns()
    rets["FLAT"] = 0.0
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["FLAT"], **KW)
    assert res.event_ids == []
    assert len(res.car) == 2 and (res.car["reason"].str.startswith("event excluded")).all()
    assert res.caar["nobs"].eq(0).all() and (res.caar["reason"].str.len() > 0).all()
    _assert_no_bare_nan(res)


# --- missing estimation days in the notes --------------------------------------
@pytest.mark.parametrize(("n_missing", "noted"), [(3, False), (4, True)])
def test_missing_estimation_days_beyond_ten_percent_are_noted(n_missing: int, noted: bool) -> None:
    # 35 estimation days: 10% is 3.5, so 3 missing returns are not noted and 4 are.
    rets = _returns()
    rets.iloc[EST_ROWS[[2, 9, 17, 30][:n_missing]], rets.columns.get_loc("A")] = np.nan
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, **KW)
    d = res.diagnostics.loc["A"]
    assert d["estimation_missing"] == n_missing and d["nobs"] == 35 - n_missing
    hits = [n for n in res.notes if n.startswith("A: ") and "estimation days" in n]
    if noted:
        assert hits == ["A: 4 of 35 estimation days have no usable return (11%, more than 10%); "
                        "the model is fitted on the 31 available (none filled)."]
    else:
        assert hits == []
    assert not any(n.startswith("B: ") and "estimation days" in n for n in res.notes)


def test_missing_estimation_days_are_noted_in_batch_too() -> None:
    rets = _returns()
    rets.iloc[EST_ROWS[:10], rets.columns.get_loc("B")] = np.nan
    res = event_study(returns=rets, events=_events("A", "B"), benchmark="M", **KW)
    assert any(n.startswith("B: 10 of 35 estimation days have no usable return") for n in res.notes)
    assert not any(n.startswith("A: ") for n in res.notes)


def test_excluded_short_event_gets_its_exclusion_note_only() -> None:
    rets = _returns()
    rets.iloc[EST_ROWS[[2, 9, 17, 30]], rets.columns.get_loc("A")] = np.nan  # 31 of 35 left
    res = event_study(returns=rets, benchmark="M", event_date=EVENT_DATE, securities=["A"],
                      **{**KW, "min_estimation_obs": 33})
    assert res.diagnostics.loc["A", "status"] == "excluded"
    assert [n for n in res.notes if n.startswith("A: ")] == [
        "A: excluded (31 estimation returns < min_estimation_obs=33)."]


# --- factors -------------------------------------------------------------------
def _factors(rets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Mkt-RF": rets["M"] - 0.0001, "RF": 0.0001}, index=rets.index)


def test_factors_are_checked_too() -> None:
    rets = _returns()
    fac = _factors(rets)
    res = event_study(returns=rets, benchmark="M", factors=fac, model="capm", event_date=EVENT_DATE, **KW)
    assert list(res.diagnostics["status"]) == ["ok", "ok"]
    with pytest.raises(PriceLevelsAsReturnsError, match=r"`factors`.*'RF'") as info:
        event_study(returns=rets, benchmark="M", factors=fac.assign(RF=4.5), model="capm",
                    event_date=EVENT_DATE, **KW)
    assert info.value.columns == ["RF"]
    bad = fac.copy()
    bad.iloc[44, 0] = 10.5
    with pytest.raises(ImplausibleReturnError, match=rf"'Mkt-RF' on {SESSIONS[44].date()}") as err:
        event_study(returns=rets, benchmark="M", factors=bad, model="capm", event_date=EVENT_DATE, **KW)
    assert err.value.parameter == "factors"


@pytest.mark.parametrize(("column", "flagged"), [
    ([0.6, 0.6, 0.0, 0.0], False),  # median |x| 0.3
    ([0.6, -0.7, 0.6, 0.0], True),  # median |x| 0.6
    ([0.6, 0.6, np.nan, 0.0], True),  # missing cells ignored: median 0.6
    ([0.5, 0.5, 0.5, 0.5], False),  # exactly 0.5 is not above
    ([np.nan] * 4, False),
])
def test_levels_threshold_is_the_median_absolute_value(column: list[float], flagged: bool) -> None:
    from eventstudy.inputs import check_not_levels

    frame = pd.DataFrame({"X": column, "OK": [0.01, -0.02, 0.0, 0.03]}, index=SESSIONS[:4])
    if not flagged:
        check_not_levels(frame, "returns")
        return
    with pytest.raises(PriceLevelsAsReturnsError, match=r"`returns`.*'X'") as info:
        check_not_levels(frame, "returns")
    assert info.value.columns == ["X"]
    assert info.value.medians == [pytest.approx(0.6)]


def test_perfect_fit_on_factors_is_not_blamed_on_the_benchmark() -> None:
    rets = _returns()
    rets["TWIN"] = rets["M"]
    fac = _factors(rets)  # Mkt-RF = M - RF: the factor model fits TWIN exactly
    res = event_study(returns=rets, benchmark="M", factors=fac, model="factors",
                      factor_columns=["Mkt-RF"], event_date=EVENT_DATE, securities=["A", "TWIN"], **KW)
    assert res.diagnostics.loc["A", "status"] == "ok"
    assert res.diagnostics.loc["TWIN", "reason"] == (
        "zero residual variance: the factors model fits all 35 estimation returns exactly")
