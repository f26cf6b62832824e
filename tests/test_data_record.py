"""record() and `eventstudy record`, with a fake yfinance download (never the network)."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_data_yahoo import (
    DATES,
    CacheProbe,
    make_fake,
    offline_fake,
    ticker_frame,
)

import eventstudy.data.yahoo as yahoo
from eventstudy.cli import main
from eventstudy.data.fixtures import CsvSource
from eventstudy.data.record import record
from eventstudy.data.yahoo import YFinanceSource
from eventstudy.errors import DownloadError, InvalidParameterError, NetworkError

# `eventstudy.data.record` is also the name of the function the package re-exports.
record_module = importlib.import_module("eventstudy.data.record")

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


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_record_replaces_an_earlier_recording_whole(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    record(["NVDA", "^GSPC"], START, END, out, source=fake_source(tmp_path))
    assert sorted(snapshot(out)) == ["GSPC.csv", "NVDA.csv", "manifest.json"]
    record(["NVDA"], START, END, out, source=fake_source(tmp_path))
    assert sorted(snapshot(out)) == ["NVDA.csv", "manifest.json"]  # GSPC.csv did not survive
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["symbol"] for e in manifest["files"]] == ["NVDA"]
    CsvSource(out)  # verified: the manifest matches the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "rec"]


def fail_on_second_csv(monkeypatch: pytest.MonkeyPatch, out: Path,
                       error: BaseException) -> list[list[str]]:
    """Make writing the 2nd CSV raise; return what the temp folder held at that moment."""
    real = record_module.price_csv_bytes
    seen: list[list[str]] = []

    def price_csv_bytes(frame: Any, symbol: str) -> bytes:
        temps = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tmp-")]
        if not seen and any(any(t.iterdir()) for t in temps):
            seen.append(sorted(f.name for t in temps for f in t.iterdir()))
            raise error
        return real(frame, symbol)

    monkeypatch.setattr(record_module, "price_csv_bytes", price_csv_bytes)
    return seen


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()],
                         ids=["error", "ctrl-c"])
def test_failure_mid_write_leaves_the_old_folder_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    out = tmp_path / "rec"
    record(["NVDA", "^GSPC"], START, END, out, source=fake_source(tmp_path))
    before = snapshot(out)
    seen = fail_on_second_csv(monkeypatch, out, error)
    with pytest.raises(type(error)):
        record(["^GSPC", "NVDA"], START, END, out, source=fake_source(tmp_path))
    assert seen == [["GSPC.csv"]]  # the failure really came after the first symbol
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "rec"]  # no temp folder


def test_failure_mid_write_without_earlier_folder_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rec"
    seen = fail_on_second_csv(monkeypatch, out, RuntimeError("disk full"))
    with pytest.raises(RuntimeError):
        record(["NVDA", "^GSPC"], START, END, out, source=fake_source(tmp_path))
    assert seen == [["NVDA.csv"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_download_failure_leaves_the_old_folder_untouched(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    record(["NVDA"], START, END, out, source=fake_source(tmp_path))
    before = snapshot(out)
    offline = YFinanceSource(None, download=offline_fake())
    with pytest.raises(NetworkError, match="NVDA"):
        record(["NVDA"], START, END, out, source=offline)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "rec"]


def test_out_is_a_file(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    out.write_text("not a folder")
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    with pytest.raises(InvalidParameterError, match=r"`out`.*a file"):
        record(["NVDA"], START, END, out, source=YFinanceSource(None, download=fake))
    assert out.read_text() == "not a folder"
    assert fake.calls == []  # refused before downloading
    assert [p.name for p in tmp_path.iterdir()] == ["rec"]


def test_foreign_folder_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InvalidParameterError, match="manifest.json"):
        record(["NVDA"], START, END, out, source=fake_source(tmp_path))
    assert snapshot(out) == {"notes.txt": b"mine"}


def test_cache_inside_out_is_refused(tmp_path: Path) -> None:
    fake = make_fake(NVDA=ticker_frame(DATES, 140.0))
    source = YFinanceSource(tmp_path / "rec" / "cache", download=fake)
    with pytest.raises(InvalidParameterError, match="cache"):
        record(["NVDA"], START, END, tmp_path / "rec", source=source)
    assert not (tmp_path / "rec").exists()


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


def test_cli_record_out_is_a_file_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _patch_default_download(monkeypatch)
    out = tmp_path / "r"
    out.write_text("x")
    code = main(["record", "NVDA", "--start", START, "--end", END, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "`out`" in err and "a file" in err and "Traceback" not in err
    assert out.read_text() == "x"


def test_cli_record_offline_is_one_network_error_line(
    tmp_path: Path, fake_yfinance_download: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_yfinance_download(offline_fake())
    out = tmp_path / "r"
    code = main(["record", "NVDA", "^GSPC", "--start", START, "--end", END, "--out", str(out),
                 "--cache", str(tmp_path / "cache")])
    assert code == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    lines = printed.err.splitlines()
    assert len(lines) == 1, lines  # no yfinance log noise, no traceback
    assert "Could not reach Yahoo Finance" in lines[0]
    assert "NVDA" in lines[0] and "^GSPC" in lines[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


@pytest.mark.parametrize("with_cache", [True, False], ids=["--cache", "no-cache"])
def test_cli_record_writes_nothing_outside_out_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_yfinance_download: Any,
    with_cache: bool,
) -> None:
    """yfinance's own cache (here: the time-zone store it fills on a real download)
    goes into --cache or a removed temporary folder; nothing else appears anywhere."""
    import yfinance.cache as yf_cache

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    default = Path(yf_cache._TzDBManager.get_location())
    default_before = snapshot(default) if default.exists() else None
    probe = CacheProbe({"NVDA": ticker_frame(DATES, 140.0)})
    fake_yfinance_download(probe)
    argv = ["record", "NVDA", "--start", START, "--end", END, "--out", "out"]
    if with_cache:
        argv += ["--cache", "cache"]
    assert main(argv) == 0
    written = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    expected_top = {"out", "cache"} if with_cache else {"out"}
    assert {w.split(os.sep)[0] for w in written} == expected_top
    assert "out/NVDA.csv" in written and "out/manifest.json" in written
    if with_cache:
        assert "cache/yfinance/tkr-tz.db" in written
    else:
        assert not Path(probe.locations[0]).exists()
    assert (snapshot(default) if default.exists() else None) == default_before
