"""Ken French factor files: reader, bundled loader, offline downloader."""

from __future__ import annotations

import io
import shutil
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.french import DATASETS, FrenchLibrary, load_factors, read_french_csv
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    FixtureHashMismatchError,
    InvalidParameterError,
    NetworkError,
    UnsortedDatesError,
)
from eventstudy.resources import factor_fixtures_dir

# Values read by hand from the files (SOURCES.md, factors/), in percent.
FF3_0127 = {"Mkt-RF": -1.49, "SMB": -0.67, "HML": 2.50, "RF": 0.02}
FF5_0127 = {"Mkt-RF": -1.49, "SMB": 0.32, "HML": 2.52, "RMW": -0.13, "CMA": -1.70, "RF": 0.02}

SAMPLE = (
    "This file was created by using the 202604 CRSP database.\r\n"
    "Some text, with a comma.\r\n\r\n"
    ",Mkt-RF,SMB,HML,RF\r\n"
    "20250124,   -0.27,   -0.15,    0.68,    0.02\r\n"
    "20250127,   -1.49,   -0.67,    2.50,    0.02\r\n"
    "\r\n"
    " Annual Factors: January-December \r\n"
    ",Mkt-RF,SMB,HML,RF\r\n"
    "  2024,   20.00,   -8.00,   -5.00,    5.00\r\n"
    "\r\nCopyright 2026 Eugene F. Fama and Kenneth R. French\r\n"
)


def test_bundled_ff3_and_momentum() -> None:
    factors = load_factors(("ff3", "mom"))
    day = factors.loc["2025-01-27"]
    for column, percent in {**FF3_0127, "Mom": -3.28}.items():
        assert day[column] == pytest.approx(percent / 100, abs=1e-12)
    assert list(factors.columns) == ["Mkt-RF", "SMB", "HML", "RF", "Mom"]
    assert factors.index.name == "date"
    assert factors.index[0] == pd.Timestamp("2023-01-03")
    assert factors.index[-1] == pd.Timestamp("2025-06-30")
    assert len(factors) == 624


def test_bundled_ff5() -> None:
    day = load_factors(("ff5",)).loc["2025-01-27"]
    for column, percent in FF5_0127.items():
        assert day[column] == pytest.approx(percent / 100, abs=1e-12)


def test_conflicting_models_are_not_merged_silently() -> None:
    with pytest.raises(DataError, match="differs between models"):
        load_factors(("ff3", "ff5"))


def test_unknown_model() -> None:
    with pytest.raises(InvalidParameterError, match="names"):
        load_factors(("ff4",))


def test_annual_section_and_text_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sample.csv"
    path.write_bytes(SAMPLE.encode())
    frame = read_french_csv(path)
    assert list(frame.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2025-01-24", "2025-01-27"]
    assert frame.loc["2025-01-27", "HML"] == pytest.approx(0.025)
    assert frame.attrs["skipped_annual_rows"] == 1


def test_missing_codes_become_nan(tmp_path: Path) -> None:
    path = tmp_path / "mom.csv"
    path.write_text(",Mom\n20250124, -99.99\n20250127,  -3.28\n")
    frame = read_french_csv(path)
    assert np.isnan(frame["Mom"].iloc[0]) and frame["Mom"].iloc[1] == pytest.approx(-0.0328)


@pytest.mark.parametrize(
    "body, error, match",
    [
        (",A\n20250127,1\n20250127,2\n", DuplicateDatesError, "2025-01-27"),
        (",A\n20250127,1\n20250124,2\n", UnsortedDatesError, "2025-01-24 follows 2025-01-27"),
        (",A\n20250127,x\n", DataError, "numeric"),
        (",A\n20251327,1\n", DataError, "20251327"),
        (",A,B\n20250127,1\n", DataError, "expected 3 fields"),
        ("just text\n", DataError, "daily rows"),
    ],
)
def test_reader_errors(tmp_path: Path, body: str, error: type[Exception], match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(error, match=match):
        read_french_csv(path)


def test_tampered_factor_file(tmp_path: Path) -> None:
    folder = tmp_path / "factors"
    shutil.copytree(factor_fixtures_dir(), folder)
    path = folder / "F-F_Momentum_Factor_daily.csv"
    path.write_bytes(path.read_bytes().replace(b"-3.28", b"-3.29"))
    with pytest.raises(FixtureHashMismatchError, match="F-F_Momentum_Factor_daily.csv"):
        load_factors(("mom",), folder=folder)
    load_factors(("ff3",), folder=folder)  # the other files are fine


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_download_and_cache(tmp_path: Path) -> None:
    calls: list[str] = []
    source = (factor_fixtures_dir() / "F-F_Research_Data_Factors_daily.csv").read_bytes()

    def opener(url: str, timeout: float) -> bytes:
        calls.append(url)
        return _zip("F-F_Research_Data_Factors_daily.CSV", source)

    library = FrenchLibrary(tmp_path / "cache", opener=opener)
    first = library.load(("ff3",))
    assert calls == [library.url("ff3")]
    assert calls[0].endswith(f"{DATASETS['ff3']}_CSV.zip")
    second = library.load(("ff3",))  # cached: no second download
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)
    assert first.loc["2025-01-27", "Mkt-RF"] == pytest.approx(-0.0149)
    assert (tmp_path / "cache" / "F-F_Research_Data_Factors_daily.json").is_file()


def test_download_network_failure(tmp_path: Path) -> None:
    def opener(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError("no route to host")

    with pytest.raises(NetworkError, match="F-F_Momentum_Factor_daily_CSV.zip"):
        FrenchLibrary(tmp_path, opener=opener).fetch("mom")
    assert not list(tmp_path.iterdir())


def test_default_opener_without_network(tmp_path: Path) -> None:
    with pytest.raises(NetworkError):
        FrenchLibrary(tmp_path, timeout=1).fetch("ff3")


def test_download_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="zip"):
        FrenchLibrary(tmp_path, opener=lambda url, timeout: b"<html>").fetch("ff5")
