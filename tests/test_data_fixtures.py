"""CsvSource on the bundled fixtures and on tampered / user folders; wide_prices."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data.fixtures import CsvSource, load_manifest, sha256_file
from eventstudy.data.source import PriceSource
from eventstudy.data.wide import wide_prices
from eventstudy.errors import (
    DataError,
    FixtureHashMismatchError,
    InvalidParameterError,
    UnknownSymbolError,
)
from eventstudy.resources import fixtures_dir


@pytest.fixture(scope="module")
def bundled() -> CsvSource:
    return CsvSource(fixtures_dir())


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "fx"
    target.mkdir()
    for path in fixtures_dir().glob("*.csv"):
        shutil.copy(path, target / path.name)
    shutil.copy(fixtures_dir() / "manifest.json", target / "manifest.json")
    return target


def test_is_a_price_source(bundled: CsvSource) -> None:
    assert isinstance(bundled, PriceSource)
    assert "manifest" in bundled.describe()


def test_symbols_come_from_the_symbol_column(bundled: CsvSource) -> None:
    assert {"NVDA", "AVGO", "MU", "ARM", "ASML", "CEG", "^GSPC", "^IXIC", "^NDX", "^SOX",
            "SPY", "QQQ", "SOXX", "SMH"} == set(bundled.symbols)


def test_published_closes(bundled: CsvSource) -> None:
    # Values published in shared/market-data/SOURCES.md (independent of this code).
    data = bundled.history(["NVDA", "^SOX"], "2025-01-24", "2025-01-27")
    assert data["NVDA"]["close"].tolist() == [142.6199951171875, 118.41999816894531]
    assert data["^SOX"]["close"].tolist() == [5341.94, 4853.24]
    assert list(data["NVDA"].index.strftime("%Y-%m-%d")) == ["2025-01-24", "2025-01-27"]


def test_history_range_is_inclusive_and_full_by_default(bundled: CsvSource) -> None:
    full = bundled.history(["ARM"])["ARM"]
    assert full.index[0] == pd.Timestamp("2023-09-14") and full.index[-1] == pd.Timestamp("2025-06-30")
    part = bundled.history(["ARM"], start="2025-06-27")["ARM"]
    assert len(part) == 2


def test_empty_range_raises(bundled: CsvSource) -> None:
    with pytest.raises(DataError, match=r"ARM.*2023-09-14"):
        bundled.history(["ARM"], "2023-01-03", "2023-06-30")


def test_unknown_symbol_lists_available(bundled: CsvSource) -> None:
    with pytest.raises(UnknownSymbolError) as info:
        bundled.history(["NVDA", "TSLA", "GSPC"])
    assert info.value.symbols == ["TSLA", "GSPC"]
    assert "^GSPC" in info.value.available and "NVDA" in str(info.value)
    with pytest.raises(UnknownSymbolError):
        bundled.basis("TSLA")


def test_symbols_must_be_a_sequence(bundled: CsvSource) -> None:
    with pytest.raises(InvalidParameterError):
        bundled.history("NVDA")


def test_basis(bundled: CsvSource) -> None:
    asml = bundled.basis("ASML")
    assert asml["dividend_adjusted_close"] is True
    assert "NOT the printed close" in asml["close"]
    nvda = bundled.basis("NVDA")
    assert nvda["dividend_adjusted_close"] is False
    assert "dividend-adjusted" in nvda["adj_close"]
    assert "absent" in bundled.basis("QQQ")["adj_close"]


def test_manifest_hashes_pass_on_bundled(bundled: CsvSource) -> None:
    bundled.verify_all()
    assert bundled.manifest is not None and len(bundled.manifest["files"]) == 14


def test_tampered_copy_fails(copy: Path) -> None:
    path = copy / "NVDA.csv"
    path.write_bytes(path.read_bytes().replace(b"118.41999816894531", b"118.41999816894532"))
    with pytest.raises(FixtureHashMismatchError) as info:
        CsvSource(copy)  # every listed file is verified when the folder is opened
    message = str(info.value)
    manifest = load_manifest(copy)
    assert manifest is not None
    expected = next(e["sha256"] for e in manifest["files"] if e["file"] == "NVDA.csv")
    assert "NVDA.csv" in message and expected in message and sha256_file(path) in message
    CsvSource(copy, verify=False).history(["NVDA"])  # explicit opt-out


def test_file_changed_after_open_fails_on_read(copy: Path) -> None:
    source = CsvSource(copy)
    path = copy / "NVDA.csv"
    path.write_bytes(path.read_bytes().replace(b"118.41999816894531", b"118.41999816894532"))
    source.history(["AVGO"])  # untouched files still read
    with pytest.raises(FixtureHashMismatchError, match="NVDA.csv"):
        source.history(["NVDA"])


def test_unlisted_csv_is_rejected(copy: Path) -> None:
    shutil.copy(copy / "NVDA.csv", copy / "NVDA_copy.csv")
    with pytest.raises(DataError, match="NVDA_copy.csv.*not"):
        CsvSource(copy)


def test_listed_file_missing(copy: Path) -> None:
    (copy / "MU.csv").unlink()
    with pytest.raises(DataError, match="MU.csv"):
        CsvSource(copy)


def test_bad_manifest(copy: Path) -> None:
    (copy / "manifest.json").write_text(json.dumps({"schema_version": 9, "files": []}))
    with pytest.raises(DataError, match="schema_version"):
        CsvSource(copy)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(DataError, match="JSON"):
        CsvSource(copy)


def test_folder_without_manifest(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    source = CsvSource(copy)
    assert source.manifest is None and "no manifest" in source.describe()
    assert source.history(["^GSPC"], "2025-01-27", "2025-01-27")["^GSPC"]["close"].iloc[0] == (
        6012.27978515625
    )
    assert source.basis("NVDA")["dividend_adjusted_close"] is None


def test_duplicate_symbol_in_user_folder(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    shutil.copy(copy / "NVDA.csv", copy / "NVDA2.csv")
    with pytest.raises(DataError, match="NVDA"):
        CsvSource(copy)


def test_bad_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="folder"):
        CsvSource(tmp_path / "nope")
    with pytest.raises(DataError, match="at least one CSV"):
        CsvSource(tmp_path)


def test_bad_file_content_names_file(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    path = copy / "SPY.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n")
    with pytest.raises(DataError, match="SPY.csv"):
        CsvSource(copy).history(["SPY"])


# -- wide_prices -----------------------------------------------------------------------------


def test_wide_prices_bases(bundled: CsvSource) -> None:
    panel, basis = wide_prices(bundled.history(bundled.symbols))
    assert basis["NVDA"] == "adj_close" and basis["ASML"] == "adj_close"
    assert basis["^GSPC"] == "close" and basis["QQQ"] == "close" and basis["^SOX"] == "close"
    assert panel.index.name == "date" and panel.columns.name == "symbol"
    assert panel.loc["2025-01-27", "^SOX"] == 4853.24
    assert panel.loc["2025-01-27", "NVDA"] == 118.38121032714844  # adj_close (SOURCES.md)
    assert panel["ARM"].isna().sum() == 624 - 449  # not listed yet: NaN, not filled


def test_wide_prices_mixed_basis_raises(bundled: CsvSource) -> None:
    frame = bundled.history(["NVDA"])["NVDA"]
    frame.loc["2025-01-27", "adj_close"] = np.nan
    with pytest.raises(DataError, match="NVDA.*2025-01-27"):
        wide_prices({"NVDA": frame})


def test_wide_prices_empty() -> None:
    with pytest.raises(InvalidParameterError):
        wide_prices({})
