"""validate_price_frame: schema and every error it raises."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.data.source import PRICE_COLUMNS
from eventstudy.data.validate import validate_price_frame
from eventstudy.errors import (
    DataError,
    DuplicateDatesError,
    MissingPriceError,
    NonPositivePriceError,
    UnsortedDatesError,
)

HEADER = "symbol,date,open,high,low,close,adj_close,volume,dividends,splits"
ROWS = [
    "NVDA,2025-01-23,145.0,147.2,143.5,147.22,147.1,155915500,,",
    "NVDA,2025-01-24,148.37,148.97,141.88,142.6199951171875,142.5,234657600,,",
    "NVDA,2025-01-27,124.8,128.4,116.7,118.41999816894531,118.38,818830900,0.01,",
]


def raw(rows: list[str], header: str = HEADER) -> pd.DataFrame:
    table = [line.split(",") for line in rows]
    return pd.DataFrame(table, columns=header.split(","), dtype=str)


def test_valid_frame() -> None:
    frame = validate_price_frame(raw(ROWS), "NVDA", "NVDA.csv")
    assert list(frame.columns) == list(PRICE_COLUMNS)
    assert frame.index.name == "date" and isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.tz is None
    assert all(str(t) == "float64" for t in frame.dtypes)
    assert frame.loc["2025-01-27", "close"] == 118.41999816894531  # exact, not re-rounded
    assert pd.isna(frame.loc["2025-01-23", "dividends"])  # empty -> NaN
    assert frame.loc["2025-01-27", "dividends"] == 0.01


def test_empty_adj_close_is_nan() -> None:
    rows = [r.replace(",147.1,", ",,") for r in ROWS]
    frame = validate_price_frame(raw(rows), "NVDA", "x")
    assert frame["adj_close"].isna().sum() == 1


def test_duplicate_dates() -> None:
    with pytest.raises(DuplicateDatesError, match="2025-01-24") as info:
        validate_price_frame(raw([*ROWS, ROWS[1]]), "NVDA", "NVDA.csv")
    assert "NVDA.csv" in str(info.value)


def test_unsorted_dates() -> None:
    with pytest.raises(UnsortedDatesError, match="2025-01-24.*follows 2025-01-27"):
        validate_price_frame(raw([ROWS[0], ROWS[2], ROWS[1]]), "NVDA", "NVDA.csv")


def test_missing_close() -> None:
    rows = [ROWS[0], ROWS[1].replace(",142.6199951171875,", ",,"), ROWS[2]]
    with pytest.raises(MissingPriceError, match="2025-01-24"):
        validate_price_frame(raw(rows), "NVDA", "NVDA.csv")


@pytest.mark.parametrize("column, index", [("open", 2), ("close", 5), ("adj_close", 6), ("low", 4)])
def test_non_positive(column: str, index: int) -> None:
    cells = ROWS[1].split(",")
    cells[index] = "0" if column != "low" else "-1.5"
    with pytest.raises(NonPositivePriceError, match=f"`{column}`.*2025-01-24"):
        validate_price_frame(raw([ROWS[0], ",".join(cells)]), "NVDA", "NVDA.csv")


def test_unparseable_date() -> None:
    rows = [ROWS[0], ROWS[1].replace("2025-01-24", "01/24/2025")]
    with pytest.raises(DataError, match="01/24/2025"):
        validate_price_frame(raw(rows), "NVDA", "NVDA.csv")


def test_symbol_disagrees_with_file() -> None:
    rows = [ROWS[0], ROWS[1].replace("NVDA", "AVGO")]
    with pytest.raises(DataError, match="AVGO"):
        validate_price_frame(raw(rows), "NVDA", "NVDA.csv")


def test_unparseable_number() -> None:
    rows = [ROWS[0], ROWS[1].replace("148.97", "1;48.97")]
    with pytest.raises(DataError, match="`high`.*1;48.97"):
        validate_price_frame(raw(rows), "NVDA", "NVDA.csv")


def test_wrong_columns() -> None:
    with pytest.raises(DataError, match="missing"):
        validate_price_frame(raw([r.rsplit(",", 1)[0] for r in ROWS], HEADER.rsplit(",", 1)[0]),
                             "NVDA", "x")


def test_empty_table() -> None:
    with pytest.raises(DataError, match="at least one row"):
        validate_price_frame(raw([]), "NVDA", "x")


def test_datetime_input_with_time_rejected() -> None:
    frame = raw(ROWS)
    frame["date"] = pd.to_datetime(frame["date"]) + pd.Timedelta(hours=5)
    with pytest.raises(DataError, match="midnight"):
        validate_price_frame(frame, "NVDA", "x")
