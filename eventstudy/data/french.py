"""Kenneth R. French data library: daily factor files.

:func:`read_french_csv` parses a daily factor CSV as published in the library
(text preamble, a column-header line, ``YYYYMMDD`` data rows in percent, an
optional annual ``YYYY`` section, a copyright footer) into decimals.
:func:`load_factors` reads the bundled copies (``fixtures/factors``);
:class:`FrenchLibrary` downloads and caches the zip files (this module and
:mod:`eventstudy.data.yahoo` are the only ones that touch the network).
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.data.fixtures import load_manifest, sha256_bytes, sha256_file
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    FixtureHashMismatchError,
    InvalidParameterError,
    NetworkError,
    UnsortedDatesError,
)
from eventstudy.resources import factor_fixtures_dir

__all__ = ["BASE_URL", "DATASETS", "FrenchLibrary", "load_factors", "read_french_csv"]

#: Model name -> dataset (file stem) in the French data library.
DATASETS: dict[str, str] = {
    "ff3": "F-F_Research_Data_Factors_daily",
    "mom": "F-F_Momentum_Factor_daily",
    "ff5": "F-F_Research_Data_5_Factors_2x3_daily",
}

BASE_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/"

#: Codes the library uses for missing values.
MISSING_CODES: tuple[float, ...] = (-99.99, -999.0)

_ROW = re.compile(r"^\s*(\d{4}|\d{6}|\d{8})\s*,")


def _split(line: str) -> list[str]:
    return [cell.strip() for cell in line.split(",")]


def read_french_csv(path: str | Path) -> pd.DataFrame:
    """Read a daily French factor CSV; values are converted from percent to decimals.

    Parameters
    ----------
    path
        The CSV file (as extracted from the library's zip).

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (``DatetimeIndex``), one float column per factor, named
        as in the file (e.g. ``Mkt-RF, SMB, HML, RF``; ``Mom``; ``RMW, CMA``).
        Text lines are skipped; an annual (``YYYY``) section is not daily data
        and is not returned (its row count is in ``attrs["skipped_annual_rows"]``).
        The library's missing-value codes -99.99/-999 become NaN.

    Raises
    ------
    DataError
        No daily section, ragged rows, unparseable numbers or dates.
    DuplicateDatesError, UnsortedDatesError
        Daily dates not unique / not ascending.
    """
    path = Path(path)
    lines = path.read_text(encoding="latin-1").splitlines()
    header: list[str] | None = None
    daily: list[list[str]] = []
    skipped = 0
    last_text: str | None = None
    for number, line in enumerate(lines, start=1):
        match = _ROW.match(line)
        if match is None:
            if line.strip():
                last_text = line
            continue
        width = len(match[1])
        if width != 8:
            skipped += 1
            continue
        if header is None:
            if last_text is None:
                raise DataError(f"{path}: line {number}: expected a column header before data.")
            header = _split(last_text)[1:]
        elif daily and last_text is not None and _split(last_text)[1:] != header:
            raise DataError(f"{path}: line {number}: a second daily section; expected one.")
        last_text = None
        cells = _split(line)
        if len(cells) != len(header) + 1:
            raise DataError(
                f"{path}: line {number}: expected {len(header) + 1} fields "
                f"(date,{','.join(header)}), but got {len(cells)}."
            )
        daily.append(cells)
    if header is None or not daily:
        raise DataError(f"{path}: expected daily rows (YYYYMMDD,...), but found none.")
    try:
        values = np.array([[float(c) for c in row[1:]] for row in daily], dtype="float64")
    except ValueError as exc:
        raise DataError(f"{path}: expected numeric factor values ({exc}).") from None
    dates = pd.to_datetime([row[0] for row in daily], format="%Y%m%d", errors="coerce")
    if dates.isna().any():
        bad = [row[0] for row, d in zip(daily, dates.isna(), strict=True) if d]
        raise DataError(f"{path}: expected YYYYMMDD dates, but got {', '.join(bad[:8])}.")
    index = pd.DatetimeIndex(dates.as_unit("ns"), name="date")
    if index.has_duplicates:
        dup = index[index.duplicated()].strftime("%Y-%m-%d")
        raise DuplicateDatesError(f"{path}: dates occur more than once: {', '.join(dup[:8])}.")
    if not index.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(index.asi8) < 0)[0]) + 1
        raise UnsortedDatesError(
            f"{path}: expected ascending dates, but {index[i]:%Y-%m-%d} follows "
            f"{index[i - 1]:%Y-%m-%d}."
        )
    values[np.isin(values, MISSING_CODES)] = np.nan
    frame = pd.DataFrame(values / 100.0, index=index, columns=header)
    frame.attrs["skipped_annual_rows"] = skipped
    frame.attrs["source"] = str(path)
    return frame


def _check_models(names: Sequence[str]) -> list[str]:
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in DATASETS]
    if unknown or not names:
        raise InvalidParameterError(
            "names", f"one or more of {', '.join(DATASETS)}", list(names)
        )
    return list(names)


def _join(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Join models' columns over their common date span; overlapping columns must agree."""
    lo = max(f.index[0] for f in frames.values())
    hi = min(f.index[-1] for f in frames.values())
    parts = {name: f.loc[lo:hi] for name, f in frames.items()}
    first_name, first = next(iter(parts.items()))
    out = first.copy()
    for name, part in list(parts.items())[1:]:
        if not part.index.equals(out.index):
            diff = pd.DatetimeIndex(part.index.symmetric_difference(out.index))
            raise DataError(
                f"Factor models {first_name!r} and {name!r} expected the same dates between "
                f"{lo:%Y-%m-%d} and {hi:%Y-%m-%d}, but differ on {', '.join(diff.strftime('%Y-%m-%d')[:8])}."
            )
        for column in part.columns:
            if column not in out.columns:
                out[column] = part[column]
                continue
            differs = ~np.isclose(out[column], part[column], rtol=0.0, atol=1e-12, equal_nan=True)
            if differs.any():
                day = out.index[differs][0]
                raise DataError(
                    f"Factor column {column!r} differs between models {first_name!r} and "
                    f"{name!r} (first on {day:%Y-%m-%d}: {float(out[column][day])!r} vs "
                    f"{float(part[column][day])!r}); load them separately."
                )
    out.attrs = {"models": list(frames), "start": f"{lo:%Y-%m-%d}", "end": f"{hi:%Y-%m-%d}"}
    return out


def load_factors(
    names: Sequence[str] = ("ff3",), folder: str | Path | None = None
) -> pd.DataFrame:
    """Daily factors (decimals) of the models ``names`` from a folder of French CSVs.

    Parameters
    ----------
    names
        Models among :data:`DATASETS` (``"ff3"``, ``"mom"``, ``"ff5"``); their
        columns are joined. Columns shared by two models must be identical.
    folder
        Folder with the CSV files (default: the bundled ``fixtures/factors``).
        If it has a ``manifest.json``, each file's sha256 is checked first.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; restricted to the dates all models cover.
    """
    models = _check_models(names)
    folder = Path(folder) if folder is not None else factor_fixtures_dir()
    manifest = load_manifest(folder)
    hashes = {e["file"]: e["sha256"] for e in manifest["files"]} if manifest else {}
    frames: dict[str, pd.DataFrame] = {}
    for model in models:
        path = folder / f"{DATASETS[model]}.csv"
        if not path.is_file():
            raise DataError(f"{folder}: expected {path.name} for factor model {model!r}.")
        if manifest is not None:
            if path.name not in hashes:
                raise DataError(f"{folder / 'manifest.json'}: does not list {path.name}.")
            actual = sha256_file(path)
            if actual != hashes[path.name]:
                raise FixtureHashMismatchError(
                    f"{path}: expected sha256 {hashes[path.name]}, but the file hashes to {actual}."
                )
        frames[model] = read_french_csv(path)
    return _join(frames)


Opener = Callable[[str, float], bytes]


def _urlopen(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data: bytes = response.read()
    return data


class FrenchLibrary:
    """Download (once) and read daily factor files from the Ken French data library.

    Parameters
    ----------
    cache_dir
        Folder where extracted CSVs and a JSON note per download are kept; a
        cached file is never downloaded again (delete it to refresh).
    opener
        ``opener(url, timeout) -> bytes``; default :func:`urllib.request.urlopen`.
    base_url, timeout
        Where the zip files are, and the timeout in seconds.
    """

    def __init__(
        self,
        cache_dir: str | Path,
        *,
        opener: Opener | None = None,
        base_url: str = BASE_URL,
        timeout: float = 30.0,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self._opener = opener or _urlopen
        self.base_url = base_url
        self.timeout = timeout

    def url(self, model: str) -> str:
        """URL of the zip file of ``model``."""
        return f"{self.base_url}{DATASETS[_check_models([model])[0]]}_CSV.zip"

    def fetch(self, model: str) -> Path:
        """Path of the cached CSV of ``model``, downloading it if needed.

        Raises
        ------
        NetworkError
            The download failed (any error from the opener).
        DataError
            The response is not a zip holding exactly one CSV.
        """
        url = self.url(model)
        target = self.cache_dir / f"{DATASETS[model]}.csv"
        if target.is_file():
            return target
        try:
            payload = self._opener(url, self.timeout)
        except Exception as exc:
            raise NetworkError(f"Downloading {url} failed: {type(exc).__name__}: {exc}") from exc
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
                if len(members) != 1:
                    raise DataError(f"{url}: expected one CSV in the zip, found {members}.")
                data = archive.read(members[0])
        except zipfile.BadZipFile:
            raise DataError(f"{url}: expected a zip file, got {len(payload)} other bytes.") from None
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        note = {
            "url": url,
            "member": members[0],
            "sha256": sha256_bytes(data),
            "downloaded_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        target.with_suffix(".json").write_text(json.dumps(note, indent=2) + "\n")
        return target

    def load(self, names: Sequence[str] = ("ff3",)) -> pd.DataFrame:
        """Like :func:`load_factors`, from the (downloaded) library files."""
        models = _check_models(names)
        return _join({m: read_french_csv(self.fetch(m)) for m in models})
