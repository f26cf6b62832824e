"""``calibrate``: size and power of the battery on the user's own data (placebo events)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.calibration import calibrate, calibrate_synthetic
from eventstudy.data.wide import wide_prices
from eventstudy.errors import InvalidParameterError
from eventstudy.resources import fixtures_dir

SYMS = ["NVDA", "AVGO", "MU", "ASML", "CEG", "^GSPC"]


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return wide_prices(es.CsvSource(fixtures_dir()).history(SYMS))[0]


def test_calibrate_table_and_seed(prices: pd.DataFrame) -> None:
    kw = dict(benchmark="^GSPC", event_date="2025-01-27", reps=12, tests=["kp-bmp", "sq", "sign"],
              progress=False)
    a = calibrate(prices, **kw)
    b = calibrate(prices, **kw)
    pd.testing.assert_frame_equal(a, b)  # seeded
    assert set(a["test"]) == {"kp-bmp", "sq", "sign"} and set(a["window"]) == {"(0, 0)", "(-1, +1)"}
    assert (a["reps"] + a["invalid"] == 12).all()
    assert a["rejection_rate"].between(0, 1).all()
    se = np.sqrt(a["rejection_rate"] * (1 - a["rejection_rate"]) / a["reps"])
    np.testing.assert_allclose(a["std_err"], se)
    c = calibrate(prices, **{**kw, "seed": 1})
    assert c.shape == a.shape


def test_a_large_abnormal_return_is_always_found(prices: pd.DataFrame) -> None:
    out = calibrate(prices, benchmark="^GSPC", event_date="2025-01-27", reps=10,
                    deltas=[0.0, -0.25], tests=["kp-bmp", "sign", "sq"], windows=[(0, 0)],
                    progress=False)
    power = out[out["delta"] == -0.25].set_index("test")["rejection_rate"]
    # -25% on every firm's day 0: each test rejects in every replication
    assert power["kp-bmp"] == 1.0 and power["sq"] == 1.0
    # the exact sign test with 5 firms cannot reject at 5% (smallest p = 2/32)
    assert power["sign"] == 0.0


def test_variance_multiplier_inflates_time_series_tests(prices: pd.DataFrame) -> None:
    kw = dict(benchmark="^GSPC", event_date="2025-01-27", reps=60, tests=["bw-ts", "kp-bmp"],
              windows=[(0, 0)], progress=False)
    calm = calibrate(prices, **kw).set_index("test")["rejection_rate"]
    wild = calibrate(prices, sigma_multiplier=3.0, **kw).set_index("test")["rejection_rate"]
    assert wild["bw-ts"] > calm["bw-ts"] + 0.2  # the time-series variance misses the shock


def test_calibrate_refuses_bad_arguments(prices: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="reps"):
        calibrate(prices, benchmark="^GSPC", event_date="2025-01-27", reps=0)
    with pytest.raises(InvalidParameterError, match="tests"):
        calibrate(prices, benchmark="^GSPC", event_date="2025-01-27", reps=2, tests=["nope"])
    with pytest.raises(InvalidParameterError, match="sigma_multiplier"):
        calibrate(prices, benchmark="^GSPC", event_date="2025-01-27", reps=2, sigma_multiplier=0.5)


def test_calibrate_synthetic_runs_the_designs() -> None:
    out = calibrate_synthetic(6, design="clustered", rho=0.1, reps=8, tests=["kp-bmp", "bw-ts"],
                              windows=[(0, 0)], progress=False)
    assert set(out["test"]) == {"kp-bmp", "bw-ts"} and (out["reps"] + out["invalid"] == 8).all()
    assert set(out["design"]) == {"clustered"} and set(out["n_events"]) == {6}


def test_calibrate_cli_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eventstudy.cli import main

    out_csv = tmp_path / "cal.csv"
    assert main(["calibrate", "--reps", "5", "--csv", str(out_csv)]) == 0
    printed = capsys.readouterr().out
    assert "6 events on one date" in printed and "kp-bmp" in printed and "sq" in printed
    table = pd.read_csv(out_csv)
    assert set(table["window"]) >= {"(0, 0)", "(-1, +1)"} and (table["reps"] == 5).all()
    assert main(["calibrate", "--synthetic", "--reps", "3", "--n-events", "4"]) == 0
    assert "Synthetic clustered design: 4 events" in capsys.readouterr().out
    assert main(["calibrate", "--reps", "0"]) == 2
