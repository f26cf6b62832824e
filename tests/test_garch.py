"""GARCH normal-return models and the Savickas test, against ``arch`` fitted directly here.

Expected values come from ``arch`` itself (fitted in this file on returns computed
with pandas from the fixture CSVs, independent of the package's loaders) and from
a hand computation of the Savickas statistic with numpy/scipy.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fixture_prices import fixture_prices

import eventstudy as es
from eventstudy.errors import InvalidParameterError, MissingDependencyError

arch = pytest.importorskip("arch")
stats = pytest.importorskip("scipy.stats")

EVENT = "2025-01-27"
EST, SPAN = (-250, -11), (-5, 5)  # the engine's defaults
SECS = ("NVDA", "AVGO", "MU", "ASML", "CEG")
VOL = {"garch": ("GARCH", 0), "gjr-garch": ("GARCH", 1), "egarch": ("EGARCH", 0)}
RTOL = 1e-6


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    """Simple returns on the fixtures' sessions (pandas only)."""
    prices = fixture_prices(*SECS, "ARM", "^GSPC")
    return prices.pct_change().iloc[1:]


def _span(rets: pd.DataFrame, sec: str) -> tuple[np.ndarray, np.ndarray]:
    """Security and ^GSPC returns from estimation day -250 to event day +5."""
    i0 = rets.index.get_loc(pd.Timestamp(EVENT))
    block = rets.iloc[i0 + EST[0]: i0 + SPAN[1] + 1]
    assert block[[sec, "^GSPC"]].notna().all().all()
    return block[sec].to_numpy(), block["^GSPC"].to_numpy()


def _arch(variant: str, y: np.ndarray, m: np.ndarray) -> Any:
    vol, o = VOL[variant]
    return arch.arch_model(100 * y, x=100 * m[:, None], mean="LS", vol=vol, p=1, o=o, q=1,
                           dist="normal", rescale=False)


def _direct(variant: str, y: np.ndarray, m: np.ndarray) -> tuple[dict[str, float], np.ndarray,
                                                                  np.ndarray, int]:
    """arch's own fit on the estimation window, in decimal units; event-span h and AR."""
    n_est, n_ev = EST[1] - EST[0] + 1, SPAN[1] - SPAN[0] + 1
    res = _arch(variant, y[:n_est], m[:n_est]).fit(disp="off", show_warning=False)
    p = res.params
    omega = p["omega"] / 1e4 if VOL[variant][0] == "GARCH" else \
        p["omega"] - (1 - p["beta[1]"]) * math.log(1e4)  # ln h shifts by ln(100^2)
    params = {"alpha": p["Const"] / 100, "beta": p["x0"], "omega": omega, "alpha[1]": p["alpha[1]"],
              "beta[1]": p["beta[1]"]}
    if "gamma[1]" in p:
        params["gamma[1]"] = p["gamma[1]"]
    fixed = _arch(variant, y, m).fix(p.to_numpy())
    h = np.asarray(fixed.conditional_volatility)[-n_ev:] ** 2 / 1e4
    ar = np.asarray(fixed.resid)[-n_ev:] / 100
    return params, h, ar, int(res.convergence_flag)


def _study(rets: pd.DataFrame, secs: tuple[str, ...], model: str) -> es.EventStudyResult:
    return es.event_study(returns=rets[[*secs, "^GSPC"]], benchmark="^GSPC", event_date=EVENT,
                          model=model)


@pytest.mark.parametrize("variant", list(VOL))
def test_parameters_variances_and_ars_equal_arch_fitted_directly(returns: pd.DataFrame,
                                                                 variant: str) -> None:
    y, m = _span(returns, "NVDA")
    params, h, ar, flag = _direct(variant, y, m)
    assert flag == 0
    res = _study(returns, ("NVDA",), variant)
    diag = res.diagnostics.loc["NVDA"]
    assert diag["status"] == "ok" and diag["convergence_flag"] == 0
    for name, value in params.items():
        got = res.params.loc["NVDA", name] if name in ("alpha", "beta") else diag[name]
        assert got == pytest.approx(value, rel=RTOL, abs=1e-12), name
    assert res.panel.cond_var is not None
    np.testing.assert_allclose(res.panel.cond_var[0], h, rtol=RTOL)
    np.testing.assert_allclose(res.panel.ar[0], ar, rtol=RTOL)
    detail = res.fit_detail("NVDA")  # arch's own result, percent units
    assert detail.params["Const"] / 100 == pytest.approx(params["alpha"], rel=RTOL)
    assert detail.params["x0"] == pytest.approx(params["beta"], rel=RTOL)
    # the event-span variances are arch's one-step forecasts from the estimation fit
    n_est = EST[1] - EST[0] + 1
    fit = _arch(variant, y, m).fit(disp="off", show_warning=False, last_obs=n_est)
    fc = fit.forecast(horizon=1, start=n_est - 1, reindex=False,
                      x={"x0": 100 * m[n_est - 1:, None]})
    one_step = fc.variance.to_numpy()[:, 0] / 1e4  # origin t -> day t + 1
    np.testing.assert_allclose(res.panel.cond_var[0], one_step[-1 - len(h):-1], rtol=RTOL)


def test_savickas_equals_a_hand_computation_from_arch(returns: pd.DataFrame) -> None:
    sar = {}
    for sec in SECS:
        _, h, ar, flag = _direct("garch", *_span(returns, sec))
        assert flag == 0
        sar[sec] = (ar, h)
    res = _study(returns, SECS, "garch")
    tests = res.tests.set_index(["scope", "window", "test"])
    days = np.arange(SPAN[0], SPAN[1] + 1)
    for label, (a, b) in {"(0, 0)": (0, 0), "(-1, +1)": (-1, 1), "(0, +4)": (0, 4)}.items():
        w = (days >= a) & (days <= b)
        scar = np.array([ar[w].sum() / math.sqrt(h[w].sum()) for ar, h in sar.values()])
        n = len(scar)
        t = scar.mean() / (scar.std(ddof=1) / math.sqrt(n))
        row = tests.loc[("window", label, "savickas")]
        assert row["valid"] and row["nobs"] == n and row["df"] == n - 1
        assert row["statistic"] == pytest.approx(t, rel=RTOL)
        assert row["pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1), rel=RTOL)
    day0 = es.inference.savickas.savickas_test(res.panel, 0)
    scar0 = np.array([ar[5] / math.sqrt(h[5]) for ar, h in sar.values()])
    assert day0.statistic == pytest.approx(scar0.mean() / (scar0.std(ddof=1) / math.sqrt(len(scar0))),
                                           rel=RTOL)


def test_savickas_is_invalid_with_a_reason_without_conditional_variances(returns: pd.DataFrame) -> None:
    market = _study(returns, SECS, "market").tests
    rows = market[market["test"] == "savickas"]
    assert len(rows) and not rows["valid"].any()
    assert rows["reason"].str.contains("needs GARCH conditional variances").all()
    assert _study(returns, SECS, "market").panel.cond_var is None
    one = _study(returns, ("NVDA",), "garch").tests
    rows = one[one["test"] == "savickas"]
    assert not rows["valid"].any() and rows["reason"].str.contains("at least 2 events").all()


def test_a_failed_fit_excludes_its_event_with_arch_s_flag(returns: pd.DataFrame) -> None:
    """Whether arch converges is arch's word: the engine excludes exactly when it does not."""
    for sec in ("ARM", "NVDA"):
        *_, flag = _direct("egarch", *_span(returns, sec))
        diag = _study(returns, (sec,), "egarch").diagnostics.loc[sec] if flag == 0 else \
            _study(returns, (sec, "NVDA"), "egarch").diagnostics.loc[sec]
        assert diag["convergence_flag"] == flag
        if flag == 0:
            assert diag["status"] == "ok"
        else:
            assert diag["status"] == "excluded"
            assert f"did not converge for the egarch model (convergence_flag={flag}" in diag["reason"]
            assert math.isnan(diag["omega"])


@pytest.mark.parametrize(("day", "where"), [(-100, "1 in the estimation window"),
                                            (-8, "1 in the gap before the event span"),
                                            (3, "1 in the event span")])
def test_a_missing_day_excludes_the_event_never_filled(returns: pd.DataFrame, day: int,
                                                       where: str) -> None:
    rets = returns.copy()
    i0 = rets.index.get_loc(pd.Timestamp(EVENT))
    rets.iloc[i0 + day, rets.columns.get_loc("NVDA")] = np.nan
    res = _study(rets, ("NVDA", "AVGO"), "garch")
    diag = res.diagnostics
    assert diag.loc["NVDA", "status"] == "excluded"
    assert where in diag.loc["NVDA", "reason"] and f"relative days {day:+d})" in diag.loc["NVDA", "reason"]
    assert diag.loc["AVGO", "status"] == "ok"
    assert res.panel.event_ids.tolist() == ["AVGO"]
    assert any(n.startswith("NVDA: excluded (GARCH needs a return") for n in res.notes)


def test_data_ending_inside_the_event_span_cut_the_span_there(returns: pd.DataFrame) -> None:
    i0 = returns.index.get_loc(pd.Timestamp(EVENT))
    short = returns.iloc[: i0 + 4]  # the data stop on day +3: days +4, +5 are off the grid
    y, m = _span(returns, "NVDA")
    _, h, ar, _ = _direct("garch", y[:-2], m[:-2])  # arch on the span up to day +3
    h, ar = h[2:], ar[2:]  # _direct returns the last 11 days: -7 .. +3; keep -5 .. +3
    res = _study(short, ("NVDA",), "garch")
    assert res.diagnostics.loc["NVDA", "status"] == "ok"
    assert res.diagnostics.loc["NVDA", "event_missing"] == 2
    assert res.panel.cond_var is not None
    np.testing.assert_allclose(res.panel.cond_var[0, :-2], h, rtol=RTOL)
    assert np.isnan(res.panel.cond_var[0, -2:]).all() and np.isnan(res.panel.ar[0, -2:]).all()
    np.testing.assert_allclose(res.panel.ar[0, :-2], ar, rtol=RTOL)
    full = _study(returns, ("NVDA",), "garch")  # the same fit: days before the cut agree
    assert full.panel.cond_var is not None
    np.testing.assert_allclose(res.panel.cond_var[0, :-2], full.panel.cond_var[0, :-2], rtol=RTOL)


def test_missing_arch_names_the_extra(returns: pd.DataFrame, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eventstudy.cli import main

    monkeypatch.setitem(sys.modules, "arch", None)  # `import arch` now raises ImportError
    with pytest.raises(MissingDependencyError) as info:
        _study(returns, ("NVDA",), "garch")
    assert isinstance(info.value, ImportError)
    assert 'pip install "eventstudy-honest[garch]"' in str(info.value)
    assert "model='garch'" in str(info.value) and info.value.package == "arch"
    assert main(["run", "--model", "egarch", "--no-figures", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert 'pip install "eventstudy-honest[garch]"' in err and "Traceback" not in err


def test_unknown_variant_is_refused() -> None:
    from eventstudy.garch import fit_garch_events

    y = np.zeros((1, 20))
    with pytest.raises(InvalidParameterError, match="model") as info:
        fit_garch_events("figarch", y, y, np.arange(20), 10, 5)
    assert info.value.received == "figarch"
    with pytest.raises(InvalidParameterError, match="`model`"):
        es.event_study(returns=pd.DataFrame({"A": [0.01, 0.02], "B": [0.0, 0.01]},
                                            index=pd.to_datetime(["2025-01-27", "2025-01-28"])),
                       benchmark="B", event_date=EVENT, model="gjr")


def test_event_file_and_cli_run_a_garch_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eventstudy.cli import main
    from eventstudy.events import load_event_file

    path = tmp_path / "garch.yaml"
    path.write_text(f"name: garch case\nevent_date: {EVENT}\nsecurities: [NVDA, AVGO, MU]\n"
                    "benchmark: ^GSPC\nmodel: gjr-garch\nwindows: [[0, 0], [-1, 1]]\n")
    assert load_event_file(path).model == "gjr-garch"
    out = tmp_path / "out"
    assert main(["run", str(path), "--model", "egarch", "--out", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "egarch" in printed
    tests = pd.read_csv(out / "tests.csv")
    assert tests.loc[tests["test"] == "savickas", "valid"].all()
    diag = pd.read_csv(out / "diagnostics.csv")
    assert {"omega", "alpha[1]", "beta[1]", "convergence_flag"} <= set(diag.columns)


def test_import_eventstudy_does_not_import_arch() -> None:
    code = ("import sys, json, eventstudy, eventstudy.garch, eventstudy.inference; "
            "print(json.dumps('arch' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False
