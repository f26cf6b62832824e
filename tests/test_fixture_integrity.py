"""The bundled fixtures are complete, untampered and on the NYSE calendar."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import exchange_calendars as xcals
import pandas as pd
import pytest

from eventstudy.data.source import CSV_COLUMNS
from eventstudy.resources import factor_fixtures_dir, fixtures_dir

FOLDERS = [fixtures_dir(), factor_fixtures_dir()]


def manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def entries() -> list[tuple[Path, dict[str, Any]]]:
    return [(folder, e) for folder in FOLDERS for e in manifest(folder)["files"]]


def dates_of(folder: Path, entry: dict[str, Any]) -> pd.DatetimeIndex:
    text = (folder / entry["file"]).read_text(encoding="latin-1")
    if folder == factor_fixtures_dir():
        raw = re.findall(r"^\s*(\d{8})\s*,", text, flags=re.M)
        return pd.DatetimeIndex(pd.to_datetime(raw, format="%Y%m%d"))
    raw = [line.split(",")[1] for line in text.splitlines()[1:]]
    return pd.DatetimeIndex(pd.to_datetime(raw, format="%Y-%m-%d"))


@pytest.fixture(scope="module")
def nyse() -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XNYS", start="2022-01-01", end="2026-12-31")


def test_every_csv_is_listed() -> None:
    for folder in FOLDERS:
        listed = {e["file"] for e in manifest(folder)["files"]}
        assert {p.name for p in folder.glob("*.csv")} == listed


@pytest.mark.parametrize("folder, entry", entries(), ids=lambda x: x["file"] if isinstance(x, dict) else "")
def test_file_hash_rows_and_range(folder: Path, entry: dict[str, Any]) -> None:
    path = folder / entry["file"]
    assert path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    dates = dates_of(folder, entry)
    assert len(dates) == entry["rows"]
    assert f"{dates[0]:%Y-%m-%d}" == entry["start"] and f"{dates[-1]:%Y-%m-%d}" == entry["end"]


@pytest.mark.parametrize("folder, entry", entries(), ids=lambda x: x["file"] if isinstance(x, dict) else "")
def test_dates_equal_nyse_sessions(
    folder: Path, entry: dict[str, Any], nyse: xcals.ExchangeCalendar
) -> None:
    dates = dates_of(folder, entry)
    sessions = nyse.sessions_in_range(entry["start"], entry["end"])
    assert list(dates) == list(sessions)
    assert pd.Timestamp("2025-01-09") not in dates  # national day of mourning (Carter)
    assert pd.Timestamp("2025-01-20") not in dates  # MLK day


def test_price_files_header_and_symbol() -> None:
    for entry in manifest(fixtures_dir())["files"]:
        lines = (fixtures_dir() / entry["file"]).read_text().splitlines()
        assert lines[0] == ",".join(CSV_COLUMNS)
        assert {line.split(",")[0] for line in lines[1:]} == {entry["symbol"]}


def test_reference_closes_match_files() -> None:
    # The manifest quotes SOURCES.md's closes as text; the CSV must hold exactly that text.
    for entry in manifest(fixtures_dir())["files"]:
        rows = {
            line.split(",")[1]: line.split(",")[5]
            for line in (fixtures_dir() / entry["file"]).read_text().splitlines()[1:]
        }
        for day, close in entry["reference_closes"].items():
            assert rows[day] == close, (entry["file"], day)


def test_price_manifest_documents_basis() -> None:
    files = {e["symbol"]: e for e in manifest(fixtures_dir())["files"]}
    assert files["ASML"]["dividend_adjusted_close"] is True
    assert sum(e["dividend_adjusted_close"] for e in files.values()) == 1
    for entry in files.values():
        assert entry["close"] and entry["adj_close"]
        assert re.fullmatch(r"[0-9a-f]{40}", entry["source"]["commit"])
        assert entry["cross_checks"]


def test_factor_manifest_models() -> None:
    models = {e["model"]: e for e in manifest(factor_fixtures_dir())["files"]}
    assert set(models) == {"ff3", "mom", "ff5"}
