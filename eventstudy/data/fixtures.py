"""Recorded price data: a folder of per-symbol CSV files (+ ``manifest.json``).

Each CSV has the columns of :data:`~eventstudy.data.source.CSV_COLUMNS`; the
symbol is taken from the ``symbol`` column (``^GSPC`` lives in ``GSPC.csv``).

Manifest schema (``manifest.json``, ``schema_version`` 1)::

    {
      "schema_version": 1,
      "description": "what the folder holds",
      "calendar": "XNYS",                        # optional: sessions the dates follow
      "files": [
        {
          "file": "NVDA.csv",                    # required: name inside the folder
          "symbol": "NVDA",                      # required for price folders
          "sha256": "<64 hex>",                  # required: hash of the file's bytes
          "rows": 624, "start": "2023-01-03", "end": "2025-06-30",
          "source": {"repository": "...", "path": "...", "commit": "..."},
          "close": "what `close` means (split-adjusted printed close, ...)",
          "adj_close": "what `adj_close` means, or why it is empty",
          "dividend_adjusted_close": false,      # true: `close` is NOT the printed close
          "reference_closes": {"2025-01-24": "142.6199951171875", ...},   # optional
          "cross_checks": ["..."], "notes": "..."
        }
      ],
      "recorded_with": {...}                     # tool, arguments, versions, time
    }

Only ``schema_version``, ``files`` and each entry's ``file`` and ``sha256`` are
required by :func:`load_manifest` (factor folders use ``model`` instead of
``symbol``); :class:`CsvSource` also requires ``symbol``. With a manifest, every
CSV in the folder must be listed, and every listed file must exist, lie inside
the folder and match its hash (compared case-insensitively) when the folder is
opened. A folder without a manifest (user data) is read as-is: there is
nothing to verify, and :meth:`CsvSource.describe` says so.

:class:`CombinedSource` puts several folders side by side (``--data`` given
more than once), each verified by its own manifest; a symbol in two folders is
an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from eventstudy.data.source import CSV_COLUMNS, PRICE_COLUMNS
from eventstudy.data.validate import read_csv_text, validate_price_frame
from eventstudy.errors import (
    DataError,
    FixtureHashMismatchError,
    InvalidParameterError,
    UnknownSymbolError,
)

__all__ = [
    "MANIFEST_NAME",
    "bundled_source",
    "CombinedSource",
    "CsvSource",
    "load_manifest",
    "price_csv_bytes",
    "sha256_bytes",
    "sha256_file",
]

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of the bytes of the file at ``path``."""
    return sha256_bytes(Path(path).read_bytes())


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(repr(key))
        out[key] = value
    return out


def load_manifest(folder: str | Path) -> dict[str, Any] | None:
    """Read and check ``folder/manifest.json``; ``None`` if the folder has none.

    Raises
    ------
    DataError
        Invalid JSON, unknown ``schema_version``, a ``files`` entry without
        ``file``/``sha256``, or a file listed twice.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: expected a JSON manifest, but it does not parse ({exc}).") from None
    except _DuplicateKey as exc:
        raise DataError(f"{path}: expected each key once in an object, but {exc} repeats.") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        received = manifest.get("schema_version") if isinstance(manifest, dict) else manifest
        raise DataError(f"{path}: expected schema_version {SCHEMA_VERSION}, but got {received!r}.")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise DataError(f"{path}: expected `files` to be a list, but got {files!r}.")
    seen: set[str] = set()
    for i, entry in enumerate(files):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("file", "sha256")
        ):
            raise DataError(
                f"{path}: files[{i}] expected an object with string `file` and `sha256`, "
                f"but got {entry!r}."
            )
        name = PurePosixPath(entry["file"].replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or not name.parts or ":" in entry["file"]:
            raise DataError(
                f"{path}: files[{i}].file expected a file name inside the folder, but got "
                f"{entry['file']!r}, which leaves it."
            )
        if not re.fullmatch(r"[0-9a-fA-F]{64}", entry["sha256"]):
            raise DataError(
                f"{path}: files[{i}].sha256 expected 64 hex digits, but got {entry['sha256'][:80]!r}."
            )
        if entry["file"] in seen:
            raise DataError(f"{path}: file {entry['file']!r} is listed more than once.")
        seen.add(entry["file"])
    return manifest


def _cell(value: float, column: str) -> str:
    if value != value:  # NaN -> empty cell
        return ""
    if column == "volume" and float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def price_csv_bytes(frame: pd.DataFrame, symbol: str) -> bytes:
    """Serialise a validated price frame in the fixture CSV format.

    Floats are written with ``repr`` (shortest round-trip form, so reading the
    file back gives bit-identical values), integral volumes as integers, NaN as
    an empty cell; ``\\n`` line ends.
    """
    lines = [",".join(CSV_COLUMNS)]
    for date, row in zip(frame.index, frame[list(PRICE_COLUMNS)].itertuples(index=False), strict=True):
        cells = [_cell(v, c) for v, c in zip(row, PRICE_COLUMNS, strict=True)]
        lines.append(",".join([symbol, f"{pd.Timestamp(date):%Y-%m-%d}", *cells]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _first_symbol(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or exc}).") from None
    head = read_csv_text(data, str(path))
    if "symbol" not in head.columns:
        raise DataError(
            f"{path}: expected columns {','.join(CSV_COLUMNS)}, received "
            f"{','.join(map(str, head.columns))[:200]} (no `symbol` column)."
        )
    return str(head["symbol"].iloc[0]).strip()


class CsvSource:
    """A :class:`~eventstudy.data.source.PriceSource` over a folder of CSV files.

    Parameters
    ----------
    folder
        Folder with one CSV per symbol and, optionally, ``manifest.json``.
    verify
        Check each file's sha256 against the manifest before its data is
        returned (default ``True``). Ignored when there is no manifest.
    """

    def __init__(self, folder: str | Path, verify: bool = True) -> None:
        self._folder = Path(folder)
        if not self._folder.is_dir():
            raise InvalidParameterError("folder", "an existing folder of CSV files", str(folder))
        self._verify = verify
        self._manifest = load_manifest(self._folder)
        self._entries: dict[str, dict[str, Any]] = {}
        self._files: dict[str, Path] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        on_disk = {p.name: p for p in sorted(self._folder.glob("*.csv"))}
        if self._manifest is not None:
            self._index_manifest(on_disk)
        else:
            for path in on_disk.values():
                self._add(_first_symbol(path), path)
        if not self._files:
            raise DataError(f"{self._folder}: expected at least one CSV file, found none.")
        if self._manifest is not None and self._verify:
            self.verify_all()

    def _add(self, symbol: str, path: Path) -> None:
        if symbol in self._files:
            raise DataError(
                f"{self._folder}: symbol {symbol!r} is in both {self._files[symbol].name} and "
                f"{path.name}; expected one file per symbol."
            )
        self._files[symbol] = path

    def _index_manifest(self, on_disk: dict[str, Path]) -> None:
        assert self._manifest is not None
        where = self._folder / MANIFEST_NAME
        listed = {e["file"] for e in self._manifest["files"]}
        unlisted = sorted(set(on_disk) - listed)
        if unlisted:
            raise DataError(
                f"{where}: every CSV in the folder must be listed in the manifest, but "
                f"{', '.join(unlisted)} is not; add it to the manifest or move it out."
            )
        for entry in self._manifest["files"]:
            if not isinstance(entry.get("symbol"), str):
                raise DataError(f"{where}: entry {entry['file']!r} expected a string `symbol`.")
            path = self._folder / entry["file"]
            if not path.resolve().is_relative_to(self._folder.resolve()):
                raise DataError(f"{where}: lists {entry['file']!r}, which resolves outside the folder.")
            if not path.is_file():
                raise DataError(f"{where}: lists {entry['file']!r}, but that file does not exist.")
            self._add(entry["symbol"], path)
            self._entries[entry["symbol"]] = entry

    @property
    def folder(self) -> Path:
        """The folder read."""
        return self._folder

    @property
    def manifest(self) -> dict[str, Any] | None:
        """The parsed ``manifest.json``, or ``None`` if the folder has none."""
        return self._manifest

    @property
    def symbols(self) -> list[str]:
        """Sorted symbols available in the folder."""
        return sorted(self._files)

    def _check_known(self, symbols: Sequence[str]) -> None:
        unknown = [s for s in symbols if s not in self._files]
        if unknown:
            raise UnknownSymbolError(unknown, self.describe(), self.symbols)

    def basis(self, symbol: str) -> dict[str, Any]:
        """What ``close`` and ``adj_close`` mean for ``symbol``.

        Returns
        -------
        dict
            ``{"close": str, "adj_close": str, "dividend_adjusted_close": bool | None}``
            from the manifest; without a manifest the texts say so and the flag is
            ``None`` (unknown).
        """
        self._check_known([symbol])
        entry = self._entries.get(symbol)
        if entry is None:
            unknown = f"not documented ({self._folder} has no {MANIFEST_NAME})"
            return {"close": unknown, "adj_close": unknown, "dividend_adjusted_close": None}
        return {
            "close": entry.get("close", "not documented in the manifest"),
            "adj_close": entry.get("adj_close", "not documented in the manifest"),
            "dividend_adjusted_close": entry.get("dividend_adjusted_close"),
        }

    def verify_all(self) -> None:
        """Check the hash of every listed file now (no-op without a manifest)."""
        for symbol in self._entries:
            self._read_bytes(symbol)

    def _read_bytes(self, symbol: str) -> bytes:
        path = self._files[symbol]
        data = path.read_bytes()
        entry = self._entries.get(symbol)
        if entry is not None and self._verify:
            actual = sha256_bytes(data)
            if actual != entry["sha256"].lower():
                raise FixtureHashMismatchError(
                    f"{path}: expected sha256 {entry['sha256']} (from {MANIFEST_NAME}), but the "
                    f"file hashes to {actual}; the file was changed after it was recorded."
                )
        return data

    def frame(self, symbol: str) -> pd.DataFrame:
        """The full validated frame of ``symbol`` (a copy)."""
        self._check_known([symbol])
        if symbol not in self._frames:
            raw = read_csv_text(self._read_bytes(symbol), str(self._files[symbol]))
            self._frames[symbol] = validate_price_frame(raw, symbol, str(self._files[symbol]))
        return self._frames[symbol].copy()

    def history(
        self,
        symbols: Sequence[str],
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Return ``{symbol: frame}`` for ``start`` <= date <= ``end`` (inclusive).

        Raises
        ------
        UnknownSymbolError
            Any symbol not in the folder (all unknown symbols are named).
        DataError
            No rows of a symbol fall inside ``[start, end]``.
        """
        if isinstance(symbols, str):
            raise InvalidParameterError("symbols", "a sequence of symbols", symbols)
        self._check_known(list(symbols))
        lo = pd.Timestamp(start) if start is not None else None
        hi = pd.Timestamp(end) if end is not None else None
        out: dict[str, pd.DataFrame] = {}
        for symbol in symbols:
            full = self.frame(symbol)
            part = full.loc[lo:hi]
            if part.empty:
                raise DataError(
                    f"{self._files[symbol]}: symbol {symbol!r} has no rows between {start} and "
                    f"{end}; it covers {full.index[0]:%Y-%m-%d} .. {full.index[-1]:%Y-%m-%d}."
                )
            out[symbol] = part
        return out

    def describe(self) -> str:
        """One line naming the folder and whether it is hash-verified."""
        state = (
            f"manifest, sha256 of all {len(self._entries)} listed files "
            f"{'verified on open' if self._verify else 'NOT verified'}"
            if self._manifest is not None
            else "no manifest"
        )
        return f"CSV files in {self._folder} ({len(self._files)} symbols, {state})"


class CombinedSource:
    """Several :class:`CsvSource` folders read as one (``--data A --data B``).

    Parameters
    ----------
    sources
        The folders' sources, each already verified by its own manifest.

    Raises
    ------
    DataError
        A symbol is in more than one folder (naming both files).
    """

    def __init__(self, sources: Sequence[CsvSource]) -> None:
        if not sources:
            raise InvalidParameterError("sources", "at least one CsvSource", list(sources))
        self._sources = list(sources)
        self._owner: dict[str, CsvSource] = {}
        for src in self._sources:
            for symbol in src.symbols:
                if symbol in self._owner:
                    raise DataError(
                        f"symbol {symbol!r} is in both {self._owner[symbol].folder} and "
                        f"{src.folder}; expected each symbol in one --data folder."
                    )
                self._owner[symbol] = src

    @property
    def sources(self) -> list[CsvSource]:
        """The folders' sources, in the order given."""
        return list(self._sources)

    @property
    def symbols(self) -> list[str]:
        """Sorted symbols of all folders."""
        return sorted(self._owner)

    @property
    def manifest(self) -> dict[str, Any] | None:
        """The folders' manifests merged (``files`` concatenated); ``None`` if none has one."""
        manifests = [s.manifest for s in self._sources if s.manifest is not None]
        if not manifests:
            return None
        return {
            "schema_version": SCHEMA_VERSION,
            "description": " ".join(str(m.get("description", "")) for m in manifests).strip(),
            "files": [e for m in manifests for e in m["files"]],
        }

    def basis(self, symbol: str) -> dict[str, Any]:
        """What ``close`` and ``adj_close`` mean for ``symbol`` (see :meth:`CsvSource.basis`)."""
        if symbol not in self._owner:
            raise UnknownSymbolError([symbol], self.describe(), self.symbols)
        return self._owner[symbol].basis(symbol)

    def history(
        self,
        symbols: Sequence[str],
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
    ) -> dict[str, pd.DataFrame]:
        """``{symbol: frame}`` from whichever folder holds each symbol."""
        if isinstance(symbols, str):
            raise InvalidParameterError("symbols", "a sequence of symbols", symbols)
        unknown = [s for s in symbols if s not in self._owner]
        if unknown:
            raise UnknownSymbolError(unknown, self.describe(), self.symbols)
        return {s: self._owner[s].history([s], start, end)[s] for s in symbols}

    def describe(self) -> str:
        """The folders' descriptions, joined."""
        return "; ".join(s.describe() for s in self._sources)


def bundled_source() -> CombinedSource:
    """The bundled recorded prices: New York (``fixtures/``) and Tokyo/Amsterdam (``fixtures/intl/``).

    Each folder is verified by its own manifest; the ``intl`` manifest names each
    file's exchange calendar (XTKS, XAMS).
    """
    from eventstudy.resources import fixtures_dir

    return CombinedSource([CsvSource(fixtures_dir()), CsvSource(fixtures_dir() / "intl")])
