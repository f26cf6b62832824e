"""Data layer: price sources, validation, recording, factor files.

* :class:`CsvSource` - recorded prices (a folder of CSVs + ``manifest.json``).
* :class:`YFinanceSource` - live prices through ``yfinance`` (imported lazily).
* :func:`validate_price_frame` - the single validation gate of every source.
* :func:`wide_prices` - wide table (dates x symbols) of the price used for returns.
* :func:`record` - write a fixture folder from a live source.
* :func:`read_french_csv`, :func:`load_factors`, :class:`FrenchLibrary` - Fama-French
  daily factors.
"""

from eventstudy.data.fixtures import (
    MANIFEST_NAME,
    CsvSource,
    load_manifest,
    price_csv_bytes,
    sha256_file,
)
from eventstudy.data.french import DATASETS, FrenchLibrary, load_factors, read_french_csv
from eventstudy.data.record import record
from eventstudy.data.source import CSV_COLUMNS, PRICE_COLUMNS, PriceSource
from eventstudy.data.validate import validate_price_frame
from eventstudy.data.wide import wide_prices
from eventstudy.data.yahoo import YFinanceSource, safe_file_stem

__all__ = [
    "CSV_COLUMNS",
    "DATASETS",
    "MANIFEST_NAME",
    "PRICE_COLUMNS",
    "CsvSource",
    "FrenchLibrary",
    "PriceSource",
    "YFinanceSource",
    "load_factors",
    "load_manifest",
    "price_csv_bytes",
    "wide_prices",
    "read_french_csv",
    "record",
    "safe_file_stem",
    "sha256_file",
    "validate_price_frame",
]
