"""The bad-input matrix: every case gets a typed error (or exit code) that names what is wrong.

Each case builds its input in ``tmp_path`` and returns a thunk. The test takes a
snapshot of ``tmp_path`` and of the bundled fixtures, runs the thunk, and asserts:

- the exception type (API cases) or the exit code (CLI cases, ``int``);
- that the message names the parameter, file or field (every string in ``names``);
- that nothing was written or changed (``tmp_path`` and the fixtures are as before).

Categories (the ``category`` field) are counted in :func:`test_matrix_is_large_enough`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from claims_helpers import SRC, claim, write

import eventstudy as es
import eventstudy.errors as es_errors
from eventstudy.claims import load_claims
from eventstudy.cli import main
from eventstudy.errors import (
    ClaimsFileError,
    DataError,
    DuplicateDatesError,
    EventFileError,
    EventStudyError,
    FixtureHashMismatchError,
    InvalidParameterError,
    MissingPriceError,
    NonPositivePriceError,
    UnknownSymbolError,
    UnsortedDatesError,
)
from eventstudy.events import load_event_file
from eventstudy.resources import fixtures_dir

FIXTURES = fixtures_dir()

EVENT = """\
name: matrix case
event_date: 2025-01-27
securities: [NVDA, CEG]
benchmark: ^GSPC
model: market
estimation: [-250, -11]
windows: [[0, 0], [-1, 1]]
"""

Thunk = Callable[[], Any]


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(tmp)`` prepares it and returns the action to run."""

    id: str
    category: str
    build: Callable[[Path], Thunk]
    expect: type[BaseException] | int
    names: tuple[str, ...] = ()


CASES: list[Case] = []


def case(id: str, category: str, expect: type[BaseException] | int, *names: str) -> Callable[
    [Callable[[Path], Thunk]], Callable[[Path], Thunk]
]:
    def register(build: Callable[[Path], Thunk]) -> Callable[[Path], Thunk]:
        CASES.append(Case(id, category, build, expect, names))
        return build

    return register


def cli(*argv: str) -> Thunk:
    """A thunk running the CLI; it returns ``(exit code, stderr)``."""

    def run() -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(list(argv))
        return code, err.getvalue()

    return run


def text_file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ event files

def _event_case(id: str, text: str | bytes, *names: str) -> None:
    def build(tmp: Path) -> Thunk:
        path = tmp / "event.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return lambda: load_event_file(path)

    CASES.append(Case(id, "event file", build, EventFileError, ("event.yaml", *names)))


_event_case("event-duplicate-event_date", EVENT + "event_date: 2025-01-28\n",
            "event_date", "lines 2 and 8")
_event_case("event-duplicate-nested-key", EVENT.replace("estimation: [-250, -11]",
            "estimation: {start: 2024-01-02, start: 2024-02-01, end: 2024-12-31}"), "start", "twice")
_event_case("event-impossible-date", EVENT.replace("2025-01-27", "2025-02-30"),
            "event_date", "2025-02-30")
_event_case("event-month-13", EVENT.replace("2025-01-27", "2025-13-27"), "event_date", "2025-13-27")
_event_case("event-date-in-words", EVENT.replace("2025-01-27", "27th of January"), "event_date")
_event_case("event-date-with-time", EVENT.replace("2025-01-27", "2025-01-27 10:00:00"),
            "event_date")
_event_case("event-top-level-list", "- 1\n- 2\n", "mapping")
_event_case("event-top-level-scalar", "just text", "mapping")
_event_case("event-empty-file", "", "empty")
_event_case("event-comment-only", "# nothing here\n", "empty")
_event_case("event-utf16", EVENT.encode("utf-16"), "UTF-8")
_event_case("event-not-yaml", "name: [unclosed\n", "invalid YAML")
_event_case("event-tab-indent", EVENT + "windows:\n\t- [0, 0]\n", "YAML")
_event_case("event-alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
), "alias")
_event_case("event-too-many-aliases", "a: &a 1\nb: [" + ", ".join(["*a"] * 300) + "]\n", "aliases")
_event_case("event-over-1mb", EVENT + "description: " + "x" * 1_100_000 + "\n", "bytes")
_event_case("event-unknown-field", EVENT + "benchmrk: ^IXIC\n", "benchmrk", "did you mean 'benchmark'")
_event_case("event-missing-securities", EVENT.replace("securities: [NVDA, CEG]\n", ""), "securities")
_event_case("event-securities-not-list", EVENT.replace("[NVDA, CEG]", "NVDA"), "securities")
_event_case("event-duplicate-securities", EVENT.replace("[NVDA, CEG]", "[NVDA, NVDA]"),
            "securities")
_event_case("event-reversed-window", EVENT.replace("[[0, 0], [-1, 1]]", "[[1, -1]]"), "windows[0]")
_event_case("event-window-one-number", EVENT.replace("[[0, 0], [-1, 1]]", "[[0, 0], [1]]"),
            "windows[1]")
_event_case("event-reversed-estimation", EVENT.replace("[-250, -11]", "[-11, -250]"), "estimation")
_event_case("event-unknown-model", EVENT.replace("model: market", "model: figarch"), "model")
_event_case("event-unknown-roll", EVENT + "roll: sideways\n", "roll")
_event_case("event-negative-min-obs", EVENT + "min_estimation_obs: -5\n", "min_estimation_obs")
_event_case("event-bool-min-obs", EVENT + "min_estimation_obs: yes\n", "min_estimation_obs")
_event_case("event-unknown-return-type", EVENT + "return_type: percent\n", "return_type")
_event_case("event-numeric-key", EVENT + "2025: x\n", "2025")
_event_case("event-name-not-string", EVENT.replace("name: matrix case", "name: [a, b]"), "name")


@case("event-file-missing", "event file", EventFileError, "nope.yaml", "not found")
def _(tmp: Path) -> Thunk:
    return lambda: load_event_file(tmp / "nope.yaml")


# ------------------------------------------------------------------ claims files

def _claims_case(id: str, build_text: Callable[[Path], Path], *names: str) -> None:
    def build(tmp: Path) -> Thunk:
        path = build_text(tmp)
        return lambda: load_claims(path)

    CASES.append(Case(id, "claims file", build, ClaimsFileError, names))


def _claims_yaml(tmp: Path, claims: list[dict[str, Any]]) -> str:
    return write(tmp, claims).read_text(encoding="utf-8")


def _dup_tolerance(tmp: Path) -> Path:
    text = _claims_yaml(tmp, [claim()])
    # a second `tolerance:` key in the same claim (the one PyYAML used to keep)
    text = text.replace("  tolerance_reason:", "  tolerance:\n    value: 5\n    unit: percentage_points\n"
                        "  tolerance_reason:")
    return text_file(tmp, "claims.yaml", text)


_claims_case("claims-duplicate-tolerance", _dup_tolerance, "claims.yaml", "tolerance", "twice")
_claims_case("claims-duplicate-id", lambda t: write(t, [claim(), claim()]), "claims[1].id", "x-1d")
_claims_case("claims-negative-tolerance",
             lambda t: write(t, [claim(tolerance={"value": -1, "unit": "percentage_points"})]),
             "claims[0].tolerance")
_claims_case("claims-unit-mismatch",
             lambda t: write(t, [claim(reported={"value": -25, "unit": "usd_billion"})]),
             "claims[0].reported")
_claims_case("claims-unknown-kind", lambda t: write(t, [claim(kind="vibes")]), "claims[0].kind")
_claims_case("claims-impossible-date", lambda t: text_file(
    t, "claims.yaml", _claims_yaml(t, [claim()]).replace("'2025-01-27'", "2025-02-30", 1)),
    "2025-02-30")
_claims_case("claims-unknown-field", lambda t: write(t, [claim(tolerence=1)]),
             "tolerence", "did you mean 'tolerance'")
_claims_case("claims-top-level-list", lambda t: text_file(t, "claims.yaml", "- a\n- b\n"), "mapping")
_claims_case("claims-empty", lambda t: text_file(t, "claims.yaml", ""), "empty")
_claims_case("claims-wrong-schema-version", lambda t: text_file(
    t, "claims.yaml", _claims_yaml(t, [claim()]).replace("schema_version: 1", "schema_version: 9")),
    "schema_version")
_claims_case("claims-no-claims", lambda t: write(t, []), "claims")
_claims_case("claims-source-not-listed",
             lambda t: write(t, [claim(source={**SRC, "file": "other.txt"})]), "claims[0].source")
_claims_case("claims-two-dates-for-one-day-kind",
             lambda t: write(t, [claim(dates=["2025-01-27", "2025-01-28"])]), "claims[0].dates")
_claims_case("claims-file-missing", lambda t: t / "missing.yaml", "missing.yaml", "not found")


# ------------------------------------------------------------------ price CSVs

def _csv_case(id: str, mutate: Callable[[bytes], bytes], expect: type[BaseException],
              *names: str, symbol: str = "NVDA") -> None:
    def build(tmp: Path) -> Thunk:
        folder = tmp / "data"
        folder.mkdir()
        (folder / f"{symbol}.csv").write_bytes(mutate((FIXTURES / "NVDA.csv").read_bytes()))
        return lambda: es.CsvSource(folder).history([symbol])

    file = () if symbol != "NVDA" else ("NVDA.csv",)
    CASES.append(Case(id, "price CSV", build, expect, (*file, *names)))


def _sub(old: str, new: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode(), 1)

    return mutate


_csv_case("csv-empty-file", lambda d: b"", DataError, "empty")
_csv_case("csv-blank-lines-only", lambda d: b"\n\n  \n", DataError, "empty")
_csv_case("csv-header-only", lambda d: d.split(b"\n")[0] + b"\n", DataError, "at least one row")
_csv_case("csv-utf16", lambda d: d.decode().encode("utf-16"), DataError, "UTF-16")
_csv_case("csv-utf16-no-bom", lambda d: d.decode().encode("utf-16-le"), DataError, "UTF-8")
_csv_case("csv-latin1-byte", lambda d: d + b"NVDA,2025-07-01,\xe9\n", DataError, "UTF-8", "line 626")
_csv_case("csv-semicolons", lambda d: d.replace(b",", b";"), DataError, "';'")
_csv_case("csv-date-1600", _sub("2023-01-03", "1600-01-03"), DataError, "date", "1600-01-03",
          "row 1")
_csv_case("csv-date-future", _sub("2025-06-30", "2099-06-30"), DataError, "date", "2099-06-30")
_csv_case("csv-impossible-date", _sub("2023-01-05", "2023-02-30"), DataError, "date", "row 3",
          "2023-02-30")
_csv_case("csv-us-date-format", _sub("2023-01-05", "01/05/2023"), DataError, "date", "01/05/2023")
_csv_case("csv-date-with-time", _sub("2023-01-05", "2023-01-05 16:00"), DataError, "date")
_csv_case("csv-non-numeric-close", _sub("14.74899959564209", "n/a"), DataError, "close", "row 2",
          "n/a")
_csv_case("csv-infinite-close", _sub("14.74899959564209", "inf"), DataError, "close", "row 2")
_csv_case("csv-missing-close", _sub(",14.74899959564209,", ",,"), MissingPriceError,
          "close", "2023-01-04")
_csv_case("csv-zero-close", _sub(",14.74899959564209,", ",0,"), NonPositivePriceError, "close",
          "2023-01-04")
_csv_case("csv-negative-volume", _sub(",431324000,", ",-431324000,"), DataError, "volume")
_csv_case("csv-duplicate-date", _sub("2023-01-05", "2023-01-04"), DuplicateDatesError,
          "2023-01-04")
_csv_case("csv-unsorted", _sub("2023-01-05", "2023-01-02"), UnsortedDatesError, "2023-01-02")
_csv_case("csv-missing-column", lambda d: b"\n".join(
    b",".join(line.split(b",")[:-1]) for line in d.split(b"\n")), DataError, "splits")
_csv_case("csv-other-symbol-row", lambda d: d.replace(b"NVDA,2023-01-05", b"AVGO,2023-01-05"),
          DataError, "symbol", "AVGO")
_csv_case("csv-unknown-symbol-asked", lambda d: d, UnknownSymbolError, "XYZ", "Available: NVDA",
          symbol="XYZ")


@case("csv-same-symbol-twice", "price CSV", DataError, "NVDA", "one file per symbol")
def _(tmp: Path) -> Thunk:
    folder = tmp / "data"
    folder.mkdir()
    shutil.copy(FIXTURES / "NVDA.csv", folder / "NVDA.csv")
    shutil.copy(FIXTURES / "NVDA.csv", folder / "NVDA2.csv")
    return lambda: es.CsvSource(folder)


# ------------------------------------------------------------------ manifests

def _manifest_case(id: str, edit: Callable[[dict[str, Any], Path], None],
                   expect: type[BaseException], *names: str) -> None:
    def build(tmp: Path) -> Thunk:
        folder = tmp / "data"
        folder.mkdir()
        for name in ("NVDA.csv", "CEG.csv"):
            shutil.copy(FIXTURES / name, folder / name)
        full = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
        full["files"] = [e for e in full["files"] if e["file"] in ("NVDA.csv", "CEG.csv")]
        edit(full, folder)
        if "raw" in full:
            (folder / "manifest.json").write_text(full["raw"], encoding="utf-8")
        else:
            (folder / "manifest.json").write_text(json.dumps(full), encoding="utf-8")
        return lambda: es.CsvSource(folder).history(["NVDA"])

    CASES.append(Case(id, "manifest", build, expect, ("manifest.json", *names)))


def _entry(m: dict[str, Any], file: str) -> dict[str, Any]:
    return next(e for e in m["files"] if e["file"] == file)


def _outside(m: dict[str, Any], folder: Path) -> None:
    shutil.copy(FIXTURES / "AVGO.csv", folder.parent / "x.csv")
    _entry(m, "CEG.csv")["file"] = "../x.csv"


def _absolute(m: dict[str, Any], folder: Path) -> None:
    _entry(m, "CEG.csv")["file"] = str((folder / "CEG.csv").resolve())


def _dup_key(m: dict[str, Any], folder: Path) -> None:
    text = json.dumps(m)
    m["raw"] = text.replace('"schema_version": 1', '"schema_version": 1, "schema_version": 1', 1)


def _tamper(m: dict[str, Any], folder: Path) -> None:
    path = folder / "CEG.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 1))


_manifest_case("manifest-path-leaves-folder", _outside, DataError, "../x.csv")
_manifest_case("manifest-absolute-path", _absolute, DataError, "leaves")
_manifest_case("manifest-duplicate-json-key", _dup_key, DataError, "schema_version")
_manifest_case("manifest-bad-sha256", lambda m, f: _entry(m, "NVDA.csv").update(sha256="abc"),
               DataError, "sha256")
_manifest_case("manifest-unlisted-csv", lambda m, f: shutil.copy(FIXTURES / "MU.csv", f / "MU.csv"),
               DataError, "MU.csv")
_manifest_case("manifest-listed-file-missing", lambda m, f: (f / "CEG.csv").unlink(), DataError,
               "CEG.csv")
_manifest_case("manifest-unrequested-file-tampered", _tamper, FixtureHashMismatchError, "CEG.csv")
_manifest_case("manifest-wrong-schema", lambda m, f: m.update(schema_version=2), DataError,
               "schema_version")
_manifest_case("manifest-files-not-list", lambda m, f: m.update(files="NVDA.csv"), DataError,
               "files")
_manifest_case("manifest-not-json", lambda m, f: m.update(raw="{not json"), DataError, "JSON")
_manifest_case("manifest-file-listed-twice", lambda m, f: m["files"].append(dict(m["files"][0])),
               DataError, "more than once")


# ------------------------------------------------------------------ download cache

def _cache_case(id: str, csv: bytes | None, note: str, expect: type[BaseException],
                *names: str) -> None:
    def build(tmp: Path) -> Thunk:
        from eventstudy.data.yahoo import YFinanceSource

        def no_download(**kwargs: Any) -> Any:
            raise AssertionError("the cache was bypassed")

        cache = tmp / "cache"
        cache.mkdir()
        src = YFinanceSource(cache_dir=cache, download=no_download)
        csv_path, note_path = src._cache_paths("NVDA", "2025-01-02", "2025-01-31")
        data = csv if csv is not None else (FIXTURES / "NVDA.csv").read_bytes()
        csv_path.write_bytes(data)
        note_path.write_text(note.replace("SHA", hashlib.sha256(data).hexdigest()), encoding="utf-8")
        return lambda: src.history(["NVDA"], "2025-01-02", "2025-01-31")

    CASES.append(Case(id, "download cache", build, expect, names))


_cache_case("cache-note-not-json", None, "{truncated", DataError, "NVDA_2025-01-02_2025-01-31.json",
            "delete")
_cache_case("cache-note-not-object", None, "[1, 2]", DataError, ".json", "object")
_cache_case("cache-csv-tampered", None, '{"sha256": "0000"}', FixtureHashMismatchError,
            "NVDA_2025-01-02_2025-01-31.csv")
_cache_case("cache-csv-empty", b"", '{"sha256": "SHA"}', DataError, ".csv", "empty")
_cache_case("cache-csv-utf16", (FIXTURES / "NVDA.csv").read_text(encoding="utf-8").encode("utf-16"),
            '{"sha256": "SHA"}', DataError, "UTF-16")


# ------------------------------------------------------------------ CLI environment

@case("cli-out-is-a-file", "CLI environment", 2, "--out")
def _(tmp: Path) -> Thunk:
    target = text_file(tmp, "out.txt", "keep")
    return cli("run", "--out", str(target), "--no-figures")


@case("cli-out-foreign-folder", "CLI environment", 2, "--out")
def _(tmp: Path) -> Thunk:
    folder = tmp / "mine"
    folder.mkdir()
    text_file(folder, "notes.txt", "mine")
    return cli("run", "--out", str(folder), "--no-figures")


@case("cli-out-below-a-file", "CLI environment", 2, "--out")
def _(tmp: Path) -> Thunk:
    blocker = text_file(tmp, "file", "x")
    return cli("report", "--out", str(blocker / "sub"))


@case("cli-data-missing", "CLI environment", 2, "--data", "no-such")
def _(tmp: Path) -> Thunk:
    return cli("check", "--data", str(tmp / "no-such"))


@case("cli-data-is-a-file", "CLI environment", 2, "--data")
def _(tmp: Path) -> Thunk:
    return cli("run", "--data", str(text_file(tmp, "prices.csv", "x")), "--out", str(tmp / "o"))


@case("cli-data-symbol-in-two-folders", "CLI environment", 2, "NVDA", "--data")
def _(tmp: Path) -> Thunk:
    extra = tmp / "extra"
    extra.mkdir()
    shutil.copy(FIXTURES / "NVDA.csv", extra / "NVDA.csv")
    return cli("check", "--data", str(FIXTURES), "--data", str(extra))


@case("cli-event-file-missing", "CLI environment", 2, "nope.yaml")
def _(tmp: Path) -> Thunk:
    return cli("run", str(tmp / "nope.yaml"), "--out", str(tmp / "o"))


@case("cli-claims-file-missing", "CLI environment", 2, "nope.yaml")
def _(tmp: Path) -> Thunk:
    return cli("check", str(tmp / "nope.yaml"))


@case("cli-claims-duplicate-key", "CLI environment", 2, "tolerance", "twice")
def _(tmp: Path) -> Thunk:
    path = _dup_tolerance(tmp)
    return cli("check", str(path))


@case("cli-event-duplicate-date", "CLI environment", 2, "event_date", "twice")
def _(tmp: Path) -> Thunk:
    path = text_file(tmp, "event.yaml", EVENT + "event_date: 2025-01-28\n")
    return cli("run", str(path), "--out", str(tmp / "o"))


@case("cli-unknown-security", "CLI environment", 2, "NOPE")
def _(tmp: Path) -> Thunk:
    path = text_file(tmp, "event.yaml", EVENT.replace("[NVDA, CEG]", "[NVDA, NOPE]"))
    return cli("run", str(path), "--out", str(tmp / "o"))


@case("cli-every-event-excluded", "CLI environment", 2, "excluded", "NVDA", "CEG")
def _(tmp: Path) -> Thunk:
    path = text_file(tmp, "event.yaml", EVENT.replace("2025-01-27", "2023-02-01"))
    return cli("report", str(path), "--out", str(tmp / "o"))


@case("cli-unknown-model-option", "CLI environment", 2)
def _(tmp: Path) -> Thunk:
    return cli("run", "--model", "figarch", "--out", str(tmp / "o"))


@case("cli-record-impossible-date", "CLI environment", 2, "2025-02-30")
def _(tmp: Path) -> Thunk:
    return cli("record", "NVDA", "--start", "2025-02-30", "--end", "2025-03-05",
               "--out", str(tmp / "rec"))


@case("cli-record-end-before-start", "CLI environment", 2, "end")
def _(tmp: Path) -> Thunk:
    return cli("record", "NVDA", "--start", "2025-03-05", "--end", "2025-03-01",
               "--out", str(tmp / "rec"))


# ------------------------------------------------------------------ Python API

_PRICES: dict[str, Any] = {}


def _prices() -> Any:
    """NVDA, CEG and ^GSPC adjusted closes from the bundled fixtures (read once)."""
    if not _PRICES:
        from eventstudy.data.wide import wide_prices

        frames = es.CsvSource(FIXTURES).history(["NVDA", "CEG", "^GSPC"])
        _PRICES["p"] = wide_prices(frames)[0]
    return _PRICES["p"].copy()


def _api_case(id: str, expect: type[BaseException], names: tuple[str, ...],
              edit: Callable[[Any], Any] | None = None, category: str = "API parameters",
              **kwargs: Any) -> None:
    def build(tmp: Path) -> Thunk:
        prices = _prices()
        if edit is not None:
            prices = edit(prices)
        args: dict[str, Any] = {"benchmark": "^GSPC", "event_date": "2025-01-27",
                                "windows": [(0, 0)]}
        args.update(kwargs)
        mode = args.pop("mode", "prices")
        if mode == "returns":  # the edited frame is passed as returns
            return lambda: es.event_study(returns=prices, **args)
        if mode == "both":
            return lambda: es.event_study(prices, returns=prices.pct_change(), **args)
        return lambda: es.event_study(prices, **args)

    CASES.append(Case(id, category, build, expect, names))


def _at(date: str, column: str, value: object) -> Callable[[Any], Any]:
    def edit(p: Any) -> Any:
        if isinstance(value, str):
            p = p.astype(object)
        p.loc[pd.Timestamp(date), column] = value
        return p

    return edit


_api_case("api-unknown-model", InvalidParameterError, ("model", "figarch"), model="figarch")
_api_case("api-reversed-window", InvalidParameterError, ("windows[0]", "start <= end"),
          windows=[(5, -5)])
_api_case("api-window-three-numbers", InvalidParameterError, ("windows[0]",), windows=[(0, 1, 2)])
_api_case("api-no-windows", InvalidParameterError, ("windows",), windows=[])
_api_case("api-estimation-overlaps-event", InvalidParameterError, ("estimation",),
          estimation=(-10, 0))
_api_case("api-min-obs-zero", InvalidParameterError, ("min_estimation_obs",), min_estimation_obs=0)
_api_case("api-unknown-roll", InvalidParameterError, ("roll", "sideways"), roll="sideways")
_api_case("api-unknown-return-type", InvalidParameterError, ("return_type",), return_type="pct")
_api_case("api-unknown-calendar", InvalidParameterError, ("calendar", "XXXX"), calendar="XXXX")
_api_case("api-benchmark-not-a-column", UnknownSymbolError, ("^XYZ",), benchmark="^XYZ")
_api_case("api-security-not-a-column", UnknownSymbolError, ("NOPE",), securities=["NOPE"])
_api_case("api-duplicate-securities", InvalidParameterError, ("event_id", "NVDA"),
          securities=["NVDA", "NVDA"])
_api_case("api-event-date-in-words", InvalidParameterError, ("event_date", "27th of January"),
          event_date="27th of January")
_api_case("api-impossible-event-date", InvalidParameterError, ("event_date", "2025-02-30"),
          event_date="2025-02-30")
_api_case("api-event-before-data", es_errors.EventDateOutOfRangeError, ("event_date", "2020-01-02"),
          event_date="2020-01-02")
_api_case("api-event-after-data", es_errors.EventDateOutOfRangeError, ("event_date", "2027-01-04"),
          event_date="2027-01-04")
_api_case("api-events-missing-column", InvalidParameterError, ("events",), event_date=None,
          events=pd.DataFrame({"security": ["NVDA"]}))
_api_case("api-events-impossible-date", InvalidParameterError, ("events[0].event_date",),
          event_date=None, events=pd.DataFrame({"security": ["NVDA"], "event_date": ["2025-02-30"]}))
_api_case("api-both-prices-and-returns", InvalidParameterError, ("prices/returns", "both"),
          mode="both")
_api_case("api-one-date-only", InvalidParameterError, ("prices", "two"),
          edit=lambda p: p.loc[["2025-01-27"]])
_api_case("api-prices-not-a-frame", InvalidParameterError, ("prices", "list"),
          edit=lambda p: [1, 2, 3])
_api_case("api-empty-frame", InvalidParameterError, ("prices", "empty"), edit=lambda p: p.iloc[:0])
_api_case("api-text-cells", InvalidParameterError, ("prices", "numeric"),
          edit=_at("2024-06-03", "NVDA", "n/a"))
_api_case("api-saturday-row", es_errors.NonSessionDateError, ("2023-01-07", "XNYS"),
          edit=lambda p: pd.concat([p, p.iloc[[5]].set_axis([pd.Timestamp("2023-01-07")])])
          .sort_index())
_api_case("api-duplicate-dates", DuplicateDatesError, ("prices", "2023-01-10"),
          edit=lambda p: pd.concat([p, p.iloc[[5]]]).sort_index())
_api_case("api-unsorted-dates", UnsortedDatesError, ("prices",), edit=lambda p: p.iloc[::-1])
_api_case("api-duplicate-columns", InvalidParameterError, ("prices", "NVDA"),
          edit=lambda p: pd.concat([p, p[["NVDA"]]], axis=1))
_api_case("api-us-date-strings", InvalidParameterError, ("prices.index", "01/03/2023"),
          edit=lambda p: p.set_axis([d.strftime("%m/%d/%Y") for d in p.index]))
_api_case("api-tz-aware-not-midnight", InvalidParameterError, ("prices.index", "time of day"),
          edit=lambda p: p.set_axis(p.index.tz_localize("UTC") + pd.Timedelta(hours=21)))
_api_case("api-infinite-price", DataError, ("prices", "infinite"),
          edit=_at("2024-06-03", "NVDA", float("inf")))
_api_case("api-log-return-zero-price", NonPositivePriceError, ("NVDA", "2024-06-03", "0.0"),
          edit=_at("2024-06-03", "NVDA", 0.0), return_type="log")
_api_case("api-factor-model-without-factors", InvalidParameterError, ("factors", "ff3"),
          model="ff3")
_api_case("api-factors-without-rf", InvalidParameterError, ("factors", "RF"), model="capm",
          factors=pd.DataFrame({"Mkt-RF": [0.0]}, index=pd.DatetimeIndex(["2025-01-27"])))
_api_case("garbage-price-1e300", es_errors.ImplausibleReturnError,
          ("NVDA", "2025-01-27", "return_bounds"), edit=_at("2025-01-27", "NVDA", 1e300),
          category="garbage")
_api_case("garbage-price-crash-to-tiny", es_errors.ImplausibleReturnError, ("NVDA", "2025-01-28"),
          edit=_at("2025-01-28", "NVDA", 1e-300), category="garbage")
_api_case("garbage-levels-as-returns", es_errors.PriceLevelsAsReturnsError, ("returns", "NVDA"),
          mode="returns", category="garbage")
_api_case("garbage-percent-returns", es_errors.PriceLevelsAsReturnsError, ("returns", "100"),
          edit=lambda p: p.pct_change().iloc[1:] * 100, mode="returns", category="garbage")


@case("garbage-batch-levels-as-returns", "garbage", es_errors.PriceLevelsAsReturnsError,
      "returns", "NVDA")
def _(tmp: Path) -> Thunk:
    prices = _prices()
    events = pd.DataFrame({"security": ["NVDA"], "event_date": ["2025-01-27"]})
    return lambda: es.event_study(returns=prices, events=events, benchmark="^GSPC")


@case("garbage-portfolio-price-jump", "garbage", es_errors.ImplausibleReturnError, "NVDA",
      "2025-01-27")
def _(tmp: Path) -> Thunk:
    prices = _at("2025-01-27", "NVDA", 1e6)(_prices())
    return lambda: es.portfolio_event_study(prices, benchmark="^GSPC", event_date="2025-01-27",
                                            securities=["NVDA", "CEG"])


@case("garbage-factors-in-percent", "garbage", es_errors.PriceLevelsAsReturnsError, "factors", "100")
def _(tmp: Path) -> Thunk:
    from eventstudy.data.french import load_factors

    fac = load_factors(("ff3",)) * 100
    return lambda: es.event_study(_prices(), benchmark="^GSPC", event_date="2025-01-27",
                                  model="ff3", factors=fac)


# ------------------------------------------------------------------ the matrix

def _snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            st = p.stat()
            out[str(p)] = (st.st_size, st.st_mtime_ns) if p.is_file() else (-1, 0)
    return out


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input(c: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    thunk = c.build(tmp_path)
    before = _snapshot(tmp_path, FIXTURES)
    if isinstance(c.expect, int):
        code, err = thunk()
        assert code == c.expect, err
        message = err
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1].startswith("eventstudy")  # one closing error line
    else:
        with pytest.raises(c.expect) as info:
            thunk()
        message = str(info.value)
        assert isinstance(info.value, EventStudyError)
    for name in c.names:
        assert name in message, f"{name!r} not in {message!r}"
    assert len(message) < 2_000  # never echoes a whole document
    assert _snapshot(tmp_path, FIXTURES) == before  # nothing written, nothing changed


def test_matrix_is_large_enough() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    counts: dict[str, int] = {}
    for c in CASES:
        counts[c.category] = counts.get(c.category, 0) + 1
    assert sum(counts.values()) >= 80, counts


# ------------------------------------------------------------------ accepted on purpose

def test_utf8_bom_csv_is_accepted(tmp_path: Path) -> None:
    """Excel writes UTF-8 CSVs with a byte-order mark; the data are unchanged by it."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "NVDA.csv").write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "NVDA.csv").read_bytes())
    got = es.CsvSource(folder).history(["NVDA"])["NVDA"]
    want = es.CsvSource(FIXTURES).history(["NVDA"])["NVDA"]
    assert got.equals(want)


def test_uppercase_manifest_hash_is_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIXTURES / "NVDA.csv", folder / "NVDA.csv")
    full = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    full["files"] = [dict(e, sha256=e["sha256"].upper()) for e in full["files"]
                     if e["file"] == "NVDA.csv"]
    (folder / "manifest.json").write_text(json.dumps(full), encoding="utf-8")
    src = es.CsvSource(folder)
    assert "verified on open" in src.describe()
    assert len(src.history(["NVDA"])["NVDA"]) > 0


def test_data_given_twice_combines_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bundled fixtures plus a folder of extra CSVs, each verified on its own terms."""
    extra = tmp_path / "extra"
    extra.mkdir()
    # a user's own series: the NVDA file under another symbol, no manifest
    text = (FIXTURES / "NVDA.csv").read_text(encoding="utf-8").replace("NVDA,", "MYCO,")
    (extra / "MYCO.csv").write_text(text, encoding="utf-8")
    event = text_file(tmp_path, "event.yaml", EVENT.replace("[NVDA, CEG]", "[NVDA, MYCO]"))
    out = tmp_path / "out"
    assert main(["run", str(event), "--data", str(FIXTURES), "--data", str(extra),
                 "--out", str(out), "--no-figures"]) == 0
    car = (out / "car.csv").read_text(encoding="utf-8").splitlines()
    nvda = [line.split(",")[2] for line in car if line.startswith("NVDA,")]
    myco = [line.split(",")[2] for line in car if line.startswith("MYCO,")]
    assert nvda == myco and len(nvda) == 2  # same prices, same CARs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["folder"] for d in manifest["data"]] == ["fixtures", "extra"]
    assert manifest["data"][1]["manifest_sha256"] == ""  # no manifest there: nothing verified


def test_yaml_loader_refuses_alias_bomb_fast(tmp_path: Path) -> None:
    import time

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    path = text_file(tmp_path, "bomb.yaml", bomb)
    start = time.perf_counter()
    with pytest.raises(EventFileError, match="alias"):
        load_event_file(path)
    assert time.perf_counter() - start < 0.5


def test_claims_duplicate_key_no_longer_passes_check(tmp_path: Path) -> None:
    """The original bug: a second, looser `tolerance:` made a 2.6 pp miss 'hold' with exit 0."""
    bad = claim(id="nvda-1d", symbols=["NVDA"], reported={"value": -14.4, "unit": "percent"})
    path = write(tmp_path, [bad])
    assert main(["check", str(path)]) == 1  # with the 0.5 pp tolerance: 2.6 pp off fails
    text = path.read_text(encoding="utf-8").replace(
        "  tolerance_reason:", "  tolerance:\n    value: 5\n    unit: percentage_points\n"
        "  tolerance_reason:")
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 2  # refused, not 'holds'


def test_invalid_parameter_errors_are_value_errors() -> None:
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(UnknownSymbolError, KeyError)


# ------------------------------------------------------------------ excluded, never `ok`

EXCLUDED: list[tuple[str, Callable[[Any], Any], dict[str, Any], str]] = [
    ("constant-price", lambda p: p.assign(NVDA=100.0), {}, "zero estimation variance"),
    ("security-is-the-benchmark", lambda p: p.assign(NVDA=p["^GSPC"]), {}, "benchmark"),
    ("ten-rows-of-data", lambda p: p.assign(NVDA=p["NVDA"].where(p.index > "2025-01-10")), {},
     "estimation returns"),
    ("event-on-first-row", lambda p: p, {"event_date": "2023-01-03"}, "estimation returns"),
]


@pytest.mark.parametrize(("edit", "kwargs", "words"), [e[1:] for e in EXCLUDED],
                         ids=[e[0] for e in EXCLUDED])
def test_degenerate_event_is_excluded_with_a_reason(
    edit: Callable[[Any], Any], kwargs: dict[str, Any], words: str
) -> None:
    args: dict[str, Any] = {"benchmark": "^GSPC", "event_date": "2025-01-27",
                            "securities": ["NVDA"], "windows": [(0, 0), (-1, 1)], **kwargs}
    res = es.event_study(edit(_prices()), **args)
    diag = res.diagnostics.loc["NVDA"]
    assert diag["status"] != "ok" and words in diag["reason"]
    assert any(n.startswith("NVDA") and words in n for n in res.notes)
    car = res.car.reset_index()
    rows = car[car["event_id"] == "NVDA"]
    assert len(rows) == 2 and rows["car"].isna().all()
    assert (rows["reason"].str.len() > 0).all()  # no bare NaN
