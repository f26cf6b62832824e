"""record() and `eventstudy record`, with a fake yfinance download (never the network)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_data_yahoo import DATES, make_fake, ticker_frame

import eventstudy.data.yahoo as yahoo
from eventstudy.cli import main
from eventstudy.data.fixtures import CsvSource
from eventstudy.data.record import record
from eventstudy.data.yahoo import YFinanceSource
from eventstudy.errors import DataError, DownloadError, InvalidParameterError

START, END = "2025-01-21", "2025-01-27"


def fake_source(tmp_path: Path, allow_partial: bool = False) -> YFinanceSource:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0), _GSPC=ticker_frame(DATES, 6000.0))
    return YFinanceSource(tmp_path / "cache", download=fake, allow_partial=allow_partial)


def test_record_writes_csv_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    manifest_path = record(["NVDA", "^GSPC"], START, END, out, source=fake_source(tmp_path))
    assert manifest_path == out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    files = {e["symbol"]: e for e in manifest["files"]}
    assert files["^GSPC"]["file"] == "GSPC.csv" and files["NVDA"]["file"] == "NVDA.csv"
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((out / entry["file"]).read_bytes()).hexdigest()
        assert (entry["rows"], entry["start"], entry["end"]) == (5, START, END)
        assert entry["dividend_adjusted_close"] is False
        assert "split-adjusted printed close" in entry["close"]
    rw = manifest["recorded_with"]
    assert rw["download_arguments"]["end"] == "2025-01-28"
    assert rw["download_arguments"]["auto_adjust"] is False
    assert rw["failed_symbols"] == [] and rw["yfinance_version"]
    assert rw["recorded_utc"].endswith("+00:00")
    # The recording is a valid, verified fixture folder.
    source = CsvSource(out)
    assert source.history(["^GSPC"])["^GSPC"].loc["2025-01-27", "close"] == 6004.0


def test_record_refuses_to_overwrite(tmp_path: Path) -> None:
    record(["NVDA"], START, END, tmp_path / "rec", source=fake_source(tmp_path))
    with pytest.raises(DataError, match="already exists"):
        record(["NVDA"], START, END, tmp_path / "rec", source=fake_source(tmp_path))


def test_record_file_name_clash(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="GSPC"):
        record(["^GSPC", "GSPC"], START, END, tmp_path / "rec", source=fake_source(tmp_path))


def test_record_partial_lists_failures(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        path = record(["NVDA", "NOPE"], START, END, tmp_path / "rec",
                      source=fake_source(tmp_path, allow_partial=True))
    manifest = json.loads(path.read_text())
    assert [e["symbol"] for e in manifest["files"]] == ["NVDA"]
    assert manifest["recorded_with"]["failed_symbols"] == ["NOPE"]


def _patch_default_download(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0), _GSPC=ticker_frame(DATES, 6000.0))
    original = yahoo.YFinanceSource.__init__

    def init(self: YFinanceSource, cache_dir: object, **kwargs: object) -> None:
        kwargs["download"] = fake
        original(self, cache_dir, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yahoo.YFinanceSource, "__init__", init)


def test_cli_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    _patch_default_download(monkeypatch)
    out = tmp_path / "rec"
    code = main(["record", "NVDA", "^GSPC", "--start", START, "--end", END, "--out", str(out),
                 "--cache", str(tmp_path / "cache")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "GSPC.csv" in printed and "manifest.json" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((out / entry["file"]).read_bytes()).hexdigest()


def test_cli_record_failure_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _patch_default_download(monkeypatch)
    code = main(["record", "NOPE", "--start", START, "--end", END, "--out", str(tmp_path / "r")])
    assert code == 2
    assert "NOPE" in capsys.readouterr().err
    assert not (tmp_path / "r" / "manifest.json").exists()


def test_cli_record_allow_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _patch_default_download(monkeypatch)
    with pytest.warns(UserWarning):
        code = main(["record", "NVDA", "NOPE", "--start", START, "--end", END,
                     "--out", str(tmp_path / "r"), "--allow-partial"])
    assert code == 0
    assert "NOPE" in capsys.readouterr().err


def test_download_error_type() -> None:
    assert issubclass(DownloadError, OSError)
