"""The bundled Tokyo and New York + Tokyo cases: run by name, claims hold, calendars kept.

Expected moves are the published figures (CNBC and the Taipei Times, as cited in the
claims file) and closes read from the bundled CSV text with plain Python.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import datasets
from eventstudy.claims import check_claims, load_claims
from eventstudy.cli import main
from eventstudy.data.fixtures import bundled_source
from eventstudy.errors import EventFileError
from eventstudy.events import load_event_file, run_spec
from eventstudy.resources import case_path, fixtures_dir, seeds_dir

TOKYO = ["6857.T", "8035.T", "9984.T", "5803.T", "6146.T"]


def close(symbol_file: str, date: str) -> float:
    with open(fixtures_dir() / "intl" / symbol_file, newline="", encoding="utf-8") as fh:
        return next(float(r["close"]) for r in csv.DictReader(fh) if r["date"] == date)


def test_run_tokyo_case_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "deepseek-tokyo-2025-01-27", "--out", str(tmp_path / "o"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "Day 0: 2025-01-27 on XTKS sessions" in out
    ar = pd.read_csv(tmp_path / "o" / "ar.csv")
    adv = ar[ar["event_id"] == "6857.T"].set_index("relative_day")
    assert adv.loc[0, "date"] == "2025-01-27" and adv.loc[-5, "date"] == "2025-01-20"
    diag = pd.read_csv(tmp_path / "o" / "diagnostics.csv", index_col=0)
    assert set(diag["calendar"]) == {"XTKS"} and set(diag["calendar_source"]) == {"suffix .T"}


def test_tokyo_day0_raw_moves_are_the_published_ones() -> None:
    res = run_spec(load_event_file(case_path("deepseek-tokyo-2025-01-27.yaml")), bundled_source())
    raw = res.panel.raw_event[:, res.panel.day_index(0)]
    got = dict(zip(res.event_ids, raw, strict=True))
    # CNBC, 27 January 2025: Advantest -8.6%, Tokyo Electron -4.9%, SoftBank -8.3%, Fujikura -10.66%
    for sym, pub, half in (("6857.T", -8.6, 0.05), ("8035.T", -4.9, 0.05), ("9984.T", -8.3, 0.05),
                           ("5803.T", -10.66, 0.005)):
        want = close(f"{sym}.csv", "2025-01-27") / close(f"{sym}.csv", "2025-01-24") - 1
        assert got[sym] == pytest.approx(want, abs=1e-15)
        assert abs(100 * got[sym] - pub) <= half + 1e-9, sym


def test_tokyo_claims_hold_on_the_bundled_data() -> None:
    report = check_claims(load_claims(seeds_dir() / "deepseek-tokyo-2025-01-27.yaml"), bundled_source())
    assert len(report) == 9 and report.all_hold
    # day +1 is measured from Monday's Tokyo close (the previous XTKS session)
    want = (close("6857.T.csv", "2025-01-28") / close("6857.T.csv", "2025-01-27") - 1) * 100
    assert report["advantest-2d-taipeitimes"].recorded == pytest.approx(want, abs=1e-9)


def test_world_case_keeps_each_exchange(tmp_path: Path) -> None:
    case = datasets.world()
    assert case.benchmark == {"XNYS": "^GSPC", "XTKS": "^N225"}
    res = run_spec(load_event_file(case.case_file), bundled_source())
    fr = res.to_frame()
    assert str(fr.loc[("6857.T", -5), "date"].date()) == "2025-01-20"  # a US holiday, a Tokyo session
    assert str(fr.loc[("NVDA", -5), "date"].date()) == "2025-01-17"
    d = res.diagnostics
    assert set(d.loc[TOKYO, "benchmark"]) == {"^N225"} and d.loc["NVDA", "benchmark"] == "^GSPC"


def test_event_file_benchmark_mapping_and_calendars(tmp_path: Path) -> None:
    f = tmp_path / "e.yaml"
    f.write_text("event_date: 2025-01-27\nsecurities: [NVDA, 6857.T]\n"
                 "benchmark: {XNYS: ^GSPC, XTKS: ^N225}\ncalendars: {6857.T: XTKS}\n", encoding="utf-8")
    spec = load_event_file(f)
    assert spec.benchmarks == ("^GSPC", "^N225") and spec.calendars == {"6857.T": "XTKS"}
    assert spec.benchmark_label == "XNYS: ^GSPC, XTKS: ^N225"
    res = run_spec(spec, bundled_source())
    assert res.diagnostics.loc["6857.T", "calendar_source"] == "given"
    f.write_text("event_date: 2025-01-27\nsecurities: [NVDA]\nbenchmark: {XNYS: 3}\n", encoding="utf-8")
    with pytest.raises(EventFileError, match="`benchmark`"):
        load_event_file(f)
    f.write_text("event_date: 2025-01-27\nsecurities: [NVDA]\nbenchmark: ^GSPC\ncalendars: [XNYS]\n",
                 encoding="utf-8")
    with pytest.raises(EventFileError, match="`calendars`"):
        load_event_file(f)
