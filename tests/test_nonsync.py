"""Dimson (1979) and Scholes-Williams (1977) betas against hand computations.

Reference values never come from the package's fitting code: a tiny series in
exact rational arithmetic (``fractions.Fraction``), and NVDA/AVGO against
^GSPC from the fixture CSVs read with pandas, fitted with statsmodels OLS and
plain numpy (lags and leads by ``shift`` on the session grid of
exchange_calendars).
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import event_study
from eventstudy.cli import main
from eventstudy.cli.run import add_study_arguments
from eventstudy.errors import (
    EstimationWindowTooShortError,
    InvalidParameterError,
    UnknownSymbolError,
)
from eventstudy.events import load_event_file
from eventstudy.models import get_model
from eventstudy.nonsync import fit_nonsync, market_offsets
from tests.fixture_prices import fixture_prices

EVENT = pd.Timestamp("2025-01-27")
EST = (-250, -11)

# ---------------------------------------------------------------- tiny exact case
# Market returns (percent) on sessions 0..9; the estimation rows are sessions 1..8,
# so the lag of row 1 is session 0 and the lead of row 8 is session 9.
M_PCT = [1, -2, 3, 0, 2, -1, 4, -3, 1, 2]
Y_PCT = [2, 5, -1, 3, 0, 6, -4, 1]


def _frac(values: list[int]) -> list[Fraction]:
    return [Fraction(v, 100) for v in values]


def _mean(x: list[Fraction]) -> Fraction:
    return sum(x, Fraction(0)) / len(x)


def _sxy(x: list[Fraction], y: list[Fraction]) -> Fraction:
    mx, my = _mean(x), _mean(y)
    return sum(((a - mx) * (b - my) for a, b in zip(x, y, strict=True)), Fraction(0))


def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Gauss-Jordan elimination in rationals."""
    n = len(b)
    aug = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for c in range(n):
        piv = next(r for r in range(c, n) if aug[r][c] != 0)
        aug[c], aug[piv] = aug[piv], aug[c]
        aug[c] = [v / aug[c][c] for v in aug[c]]
        for r in range(n):
            if r != c:
                aug[r] = [v - aug[r][c] * w for v, w in zip(aug[r], aug[c], strict=True)]
    return [row[-1] for row in aug]


def _tiny() -> tuple[list[Fraction], dict[int, list[Fraction]]]:
    m = _frac(M_PCT)
    y = _frac(Y_PCT)
    return y, {j: m[1 + j: 9 + j] for j in (-1, 0, 1)}


def _tiny_arrays() -> tuple[np.ndarray, dict[int, np.ndarray]]:
    y, cols = _tiny()
    return (np.array([[float(v) for v in y]]),
            {j: np.array([[float(v) for v in c]]) for j, c in cols.items()})


def test_scholes_williams_on_a_tiny_series_in_exact_arithmetic() -> None:
    y, cols = _tiny()
    b = {j: _sxy(c, y) / _sxy(c, c) for j, c in cols.items()}
    # rho_m: correlation of (R_mt, R_m,t-1) over the rows; exact but for one square root.
    rho = float(_sxy(cols[0], cols[-1])) / math.sqrt(float(_sxy(cols[0], cols[0]) * _sxy(cols[-1], cols[-1])))
    beta = float(b[-1] + b[0] + b[1]) / (1.0 + 2.0 * rho)
    alpha = float(_mean(y)) - beta * float(_mean(cols[0]))
    resid = [float(v) - alpha - beta * float(x) for v, x in zip(y, cols[0], strict=True)]
    s2 = sum(e * e for e in resid) / (len(y) - 2)

    ya, ma = _tiny_arrays()
    got = fit_nonsync("scholes_williams", ya, ma)
    assert got.fit.params[0] == pytest.approx([alpha, beta], rel=1e-12, abs=1e-15)
    assert got.slopes[0] == pytest.approx([float(b[j]) for j in (-1, 0, 1)], rel=1e-12)
    assert got.rho[0] == pytest.approx(rho, rel=1e-12)
    assert got.fit.resid[0] == pytest.approx(resid, rel=1e-10, abs=1e-15)
    assert got.fit.sigma2[0] == pytest.approx(s2, rel=1e-12)
    assert got.fit.nobs[0] == 8 and got.fit.df_resid[0] == 6 and got.neighbour_missing[0] == 0


def test_dimson_on_a_tiny_series_in_exact_arithmetic() -> None:
    y, cols = _tiny()
    order = (-1, 0, 1)
    s = [[_sxy(cols[i], cols[j]) for j in order] for i in order]
    slopes = _solve(s, [_sxy(cols[i], y) for i in order])
    beta = sum(slopes, Fraction(0))
    alpha = _mean(y) - beta * _mean(cols[0])
    resid = [v - alpha - beta * x for v, x in zip(y, cols[0], strict=True)]
    s2 = sum((e * e for e in resid), Fraction(0)) / 6
    # Var(beta) / sigma^2 = c' S^-1 c: solve S v = c and sum v.
    q = sum(_solve(s, [Fraction(1)] * 3), Fraction(0))

    ya, ma = _tiny_arrays()
    got = fit_nonsync("dimson", ya, ma)
    assert got.fit.params[0] == pytest.approx([float(alpha), float(beta)], rel=1e-12)
    assert got.slopes[0] == pytest.approx([float(v) for v in slopes], rel=1e-12)
    assert got.fit.sigma2[0] == pytest.approx(float(s2), rel=1e-12)
    assert got.fit.xtx_inv[0, 1, 1] == pytest.approx(float(q), rel=1e-12)
    assert got.fit.bse[0, 1] == pytest.approx(math.sqrt(float(s2 * q)), rel=1e-12)
    assert np.isnan(got.rho[0])


def test_a_missing_market_return_drops_its_own_row_and_both_neighbours() -> None:
    ya, ma = _tiny_arrays()
    # Session 4 (row 3's own market return, row 2's lead, row 4's lag) is missing.
    for j in (-1, 0, 1):
        ma[j][0, 3 - j] = np.nan
    got = fit_nonsync("dimson", ya, ma)
    assert got.fit.nobs[0] == 5 and got.neighbour_missing[0] == 2
    assert np.isnan(got.fit.resid[0, [2, 3, 4]]).all() and np.isfinite(got.fit.resid[0, [0, 1, 5, 6, 7]]).all()
    keep = [0, 1, 5, 6, 7]
    x = np.column_stack([ma[j][0, keep] for j in (-1, 0, 1)])
    ols = sm.OLS(ya[0, keep], sm.add_constant(x)).fit()
    assert got.fit.params[0, 1] == pytest.approx(ols.params[1:].sum(), rel=1e-12)


# ---------------------------------------------------------------- fixture data
def _returns() -> pd.DataFrame:
    prices = fixture_prices("NVDA", "AVGO", "^GSPC")
    sessions = xcals.get_calendar("XNYS").sessions_in_range(prices.index[0], prices.index[-1])
    assert prices.index.equals(pd.DatetimeIndex(sessions).tz_localize(None))  # the grid is the file
    return prices.pct_change()


def _hand_fit(rets: pd.DataFrame, sec: str, model: str, lags: int = 1) -> dict[str, float]:
    """alpha, beta, s2, n and the day-0 AR and its forecast-variance factor, by hand."""
    m = rets["^GSPC"]
    offs = list(range(-lags, lags + 1))
    frame = pd.DataFrame({"y": rets[sec], **{j: m.shift(-j) for j in offs}})  # column j: R_m,t+j
    pos0 = rets.index.get_loc(EVENT)
    est = frame.iloc[pos0 + EST[0]: pos0 + EST[1] + 1].dropna()
    n, y, m0 = len(est), est["y"].to_numpy(), est[0].to_numpy()
    if model == "dimson":
        z = sm.add_constant(est[offs].to_numpy())
        beta = float(sm.OLS(y, z).fit().params[1:].sum())
        w = np.linalg.pinv(z)[1:].sum(axis=0)  # weights of the slope sum on y
    else:
        b = [float(sm.OLS(y, sm.add_constant(est[j].to_numpy())).fit().params[1]) for j in offs]
        rho = float(np.corrcoef(m0, est[-1].to_numpy())[0, 1])
        beta = sum(b) / (1 + 2 * rho)
        w = sum((est[j] - est[j].mean()).to_numpy() / ((est[j] - est[j].mean()) ** 2).sum()
                for j in offs) / (1 + 2 * rho)
    assert float(w @ y) == pytest.approx(beta, rel=1e-9)  # beta is linear in y with weights w
    alpha = float(y.mean() - beta * m0.mean())
    a_w = np.full(n, 1.0 / n) - m0.mean() * w  # alpha's weights on y
    s2 = float(((y - alpha - beta * m0) ** 2).sum() / (n - 2))
    r0, m_0 = float(rets[sec].iat[pos0]), float(m.iat[pos0])
    factor = 1.0 + float(((a_w + m_0 * w) ** 2).sum())  # Var(AR_0) / s2 under i.i.d. errors
    return {"alpha": alpha, "beta": beta, "s2": s2, "n": n, "ar0": r0 - alpha - beta * m_0,
            "factor": factor, "q": float(w @ w)}


@pytest.mark.parametrize("model", ["dimson", "scholes_williams"])
def test_event_study_end_to_end_matches_the_hand_fit(model: str) -> None:
    rets = _returns()
    res = event_study(fixture_prices("NVDA", "AVGO", "^GSPC"), benchmark="^GSPC", event_date=EVENT,
                      model=model, estimation=EST, windows=[(0, 0), (-1, 1)])
    assert res.model.name == model and list(res.params.columns) == ["alpha", "beta"]
    for sec in ("NVDA", "AVGO"):
        h = _hand_fit(rets, sec, model)
        assert res.params.loc[sec, "alpha"] == pytest.approx(h["alpha"], rel=1e-9)
        assert res.params.loc[sec, "beta"] == pytest.approx(h["beta"], rel=1e-10)
        assert res.sigma2[sec] == pytest.approx(h["s2"], rel=1e-10)
        assert res.nobs[sec] == h["n"] == 240
        assert res.ar.loc[0, sec] == pytest.approx(h["ar0"], rel=1e-9)
        car = res.car.xs((0, 0), level="window").loc[sec]
        assert car["car"] == pytest.approx(h["ar0"], rel=1e-9)
        assert car["std_err"] == pytest.approx(math.sqrt(h["s2"] * h["factor"]), rel=1e-9)
        assert car["df"] == 238
        assert res.bse.loc[sec, "beta"] == pytest.approx(math.sqrt(h["s2"] * h["q"]), rel=1e-9)
    # The non-synchronous beta is not the OLS market-model beta.
    ols = event_study(fixture_prices("NVDA", "^GSPC"), benchmark="^GSPC", event_date=EVENT,
                      estimation=EST, windows=[(0, 0)])
    assert abs(ols.params.loc["NVDA", "beta"] - res.params.loc["NVDA", "beta"]) > 0.05
    # The forecast-variance tests stay defined.
    tests = res.tests
    assert np.isfinite(tests.loc[tests["test"].isin(["patell", "bmp", "car-t"]), "statistic"]).all()


def test_dimson_with_two_lags_matches_statsmodels() -> None:
    rets = _returns()
    h = _hand_fit(rets, "NVDA", "dimson", lags=2)
    pos0 = rets.index.get_loc(EVENT)
    rows = np.arange(pos0 + EST[0], pos0 + EST[1] + 1)
    m = rets["^GSPC"].to_numpy()
    got = fit_nonsync("dimson", rets["NVDA"].to_numpy()[rows][None],
                      {j: m[rows + j][None] for j in market_offsets("dimson", 2)}, lags=2)
    assert got.offsets == (-2, -1, 0, 1, 2)
    assert got.fit.params[0] == pytest.approx([h["alpha"], h["beta"]], rel=1e-9)
    assert got.fit.sigma2[0] == pytest.approx(h["s2"], rel=1e-10)


def test_missing_benchmark_day_drops_three_rows_and_is_reported() -> None:
    rets = _returns().iloc[1:]
    pos0 = rets.index.get_loc(EVENT)
    gap = rets.index[pos0 - 100]
    rets.loc[gap, "^GSPC"] = np.nan
    res = event_study(returns=rets, benchmark="^GSPC", event_date=EVENT, model="dimson",
                      estimation=EST, windows=[(0, 0)], securities=["NVDA"])
    h = _hand_fit(rets, "NVDA", "dimson")
    assert h["n"] == 237 and res.nobs["NVDA"] == 237
    assert res.diagnostics.loc["NVDA", "estimation_missing"] == 3
    assert res.params.loc["NVDA", "beta"] == pytest.approx(h["beta"], rel=1e-10)
    assert res.ar.loc[0, "NVDA"] == pytest.approx(h["ar0"], rel=1e-9)
    note = [n for n in res.notes if "neighbouring session" in n]
    assert len(note) == 1 and note[0].startswith("NVDA: 2 estimation day(s) dropped from the Dimson fit")
    assert "none filled" in note[0]


# ---------------------------------------------------------------- error paths
def test_too_short_estimation_window_is_refused() -> None:
    with pytest.raises(EstimationWindowTooShortError, match="estimation"):
        event_study(fixture_prices("NVDA", "^GSPC"), benchmark="^GSPC", event_date=EVENT,
                    model="scholes_williams", estimation=(-40, -11))


def test_too_few_usable_rows_excludes_the_event() -> None:
    rets = _returns().iloc[1:]
    rets["^GSPC2"] = rets["^GSPC"]  # a complete copy, for the other event
    pos0 = rets.index.get_loc(EVENT)
    # Every other market return of the estimation window missing: no row has its lag and lead.
    rets.iloc[pos0 - 250: pos0 - 10: 2, rets.columns.get_loc("^GSPC")] = np.nan
    events = pd.DataFrame({"security": ["NVDA", "AVGO"], "event_date": [EVENT, EVENT],
                           "benchmark": ["^GSPC", "^GSPC2"]})
    res = event_study(returns=rets, events=events, model="dimson", estimation=EST, windows=[(0, 0)])
    diag = res.diagnostics
    assert diag.loc["NVDA", "status"] == "excluded" and diag.loc["NVDA", "nobs"] == 0
    assert "min_estimation_obs=120" in diag.loc["NVDA", "reason"]
    assert diag.loc["AVGO", "status"] == "ok"
    assert any(n.startswith("NVDA: 120 estimation day(s) dropped from the Dimson fit") for n in res.notes)


def test_missing_or_unknown_benchmark_is_refused() -> None:
    p = fixture_prices("NVDA", "^GSPC")
    with pytest.raises(InvalidParameterError, match="benchmark"):
        event_study(p, event_date=EVENT, securities=["NVDA"], model="dimson")
    events = pd.DataFrame({"security": ["NVDA"], "event_date": [EVENT], "benchmark": ["^N225"]})
    with pytest.raises(UnknownSymbolError, match=r"\^N225"):
        event_study(p, events=events, model="scholes_williams")


def test_fit_nonsync_refuses_bad_arguments() -> None:
    ya, ma = _tiny_arrays()
    with pytest.raises(InvalidParameterError, match="`model`"):
        fit_nonsync("market", ya, ma)
    with pytest.raises(InvalidParameterError, match="`lags`"):
        fit_nonsync("scholes_williams", ya, ma, lags=2)
    with pytest.raises(InvalidParameterError, match="`lags`"):
        market_offsets("dimson", 0)
    with pytest.raises(InvalidParameterError, match=r"`market`.*\[-2, -1, 0, 1, 2\]"):
        fit_nonsync("dimson", ya, ma, lags=2)
    with pytest.raises(InvalidParameterError, match=r"`market\[1\]`"):
        fit_nonsync("dimson", ya, {**ma, 1: ma[1][:, :5]})
    with pytest.raises(InvalidParameterError, match="`y`"):
        fit_nonsync("dimson", ya[0], ma)


def test_constant_market_leaves_the_beta_unidentified() -> None:
    ya, ma = _tiny_arrays()
    flat = {j: np.full_like(v, 0.01) for j, v in ma.items()}
    for model in ("dimson", "scholes_williams"):
        got = fit_nonsync(model, ya, flat)
        assert not got.fit.rank_ok[0] and np.isnan(got.fit.params).all() and np.isnan(got.fit.sigma2[0])


# ---------------------------------------------------------------- event file and CLI
def test_event_file_and_cli_accept_the_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert get_model("dimson").param_names == ("alpha", "beta") == get_model("scholes_williams").param_names
    path = tmp_path / "case.yaml"
    path.write_text("event_date: 2025-01-27\nsecurities: [NVDA]\nbenchmark: ^GSPC\n"
                    "model: scholes_williams\nwindows: [[0, 0]]\n")
    assert load_event_file(path).model == "scholes_williams"
    parser = argparse.ArgumentParser()
    add_study_arguments(parser)
    assert parser.parse_args(["--model", "dimson"]).model == "dimson"
    out = tmp_path / "o"
    assert main(["run", str(path), "--model", "dimson", "--out", str(out), "--no-figures"]) == 0
    car = pd.read_csv(out / "car.csv", index_col=[0, 1])
    h = _hand_fit(_returns(), "NVDA", "dimson")
    assert car.loc[("NVDA", "(0, 0)"), "car"] == pytest.approx(h["ar0"], rel=1e-9)
    assert "dimson" in capsys.readouterr().out


def test_fit_detail_is_refused_for_nonsync_betas() -> None:
    import eventstudy as es
    from eventstudy.errors import InvalidParameterError

    px = es.load_prices(["NVDA", "^GSPC"])
    res = es.event_study(px, benchmark="^GSPC", event_date="2025-01-27", model="dimson")
    with pytest.raises(InvalidParameterError, match="Dimson"):
        res.fit_detail("NVDA")
