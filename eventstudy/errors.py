"""Exceptions raised by eventstudy.

Every exception derives from :class:`EventStudyError` and also from the builtin
exception that matches its meaning (``ValueError``, ``KeyError``, ``LookupError``,
``OSError``), so callers can catch either. Messages name the parameter, what was
expected and what was received, in the style of ``exchange_calendars``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "CalendarError",
    "ClaimsFileError",
    "DataError",
    "DuplicateDatesError",
    "EstimationWindowTooShortError",
    "EventDateOutOfRangeError",
    "EventFileError",
    "EventStudyError",
    "FixtureHashMismatchError",
    "InvalidParameterError",
    "MissingDependencyError",
    "NetworkError",
    "NoEventStudiedError",
    "NonSessionDateError",
    "NonPositivePriceError",
    "MissingPriceError",
    "UnknownSymbolError",
    "UnsortedDatesError",
    "DownloadError",
    "ImplausibleReturnError",
    "PriceLevelsAsReturnsError",
]


def _fmt_list(items: Iterable[Any], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items)} in total)"
    return shown


class EventStudyError(Exception):
    """Base class of every error raised by eventstudy."""


class InvalidParameterError(EventStudyError, ValueError):
    """A parameter has a value outside what is accepted.

    Parameters
    ----------
    parameter
        Name of the offending parameter.
    expected
        What was expected, in words.
    received
        The value that was received.
    """

    def __init__(self, parameter: str, expected: str, received: Any) -> None:
        self.parameter = parameter
        self.expected = expected
        self.received = received
        super().__init__(
            f"Parameter `{parameter}` expected {expected}, but received {received!r}."
        )


class CalendarError(EventStudyError, ValueError):
    """A calendar could not be built or queried as asked."""


class NonSessionDateError(CalendarError):
    """A date that must be a trading session is not one (and no roll was allowed)."""


class EventDateOutOfRangeError(EventStudyError, ValueError):
    """An event date lies outside the span of the available data."""


class EstimationWindowTooShortError(EventStudyError, ValueError):
    """An estimation window is shorter than the model can use.

    Raised for a window specification that can never hold enough returns
    (for example ``[-5, -1]`` with ``min_estimation_obs=120``). A *security*
    with too few returns inside a valid window is excluded and reported in the
    diagnostics instead.
    """


class DataError(EventStudyError, ValueError):
    """Price or return data fail validation."""


class DuplicateDatesError(DataError):
    """A price series has the same date more than once."""


class UnsortedDatesError(DataError):
    """A price series is not in ascending date order."""


class MissingPriceError(DataError):
    """A price series has NaN (missing) prices in a row that exists."""


class NonPositivePriceError(DataError):
    """A price series has zero or negative prices."""


class UnknownSymbolError(EventStudyError, KeyError):
    """A requested symbol is not available from the data source."""

    def __init__(self, symbols: Iterable[str], source: str, available: Iterable[str] = ()) -> None:
        self.symbols = list(symbols)
        self.source = source
        self.available = list(available)
        msg = f"Symbol(s) {_fmt_list(self.symbols)} not found in {source}."
        if self.available:
            msg += f" Available: {_fmt_list(sorted(self.available), limit=30)}."
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class FixtureHashMismatchError(DataError):
    """A fixture file's sha256 differs from the one recorded in its manifest."""


class NoEventStudiedError(DataError):
    """Every event of a study was excluded, so there is nothing to report.

    The message lists each event with the reason it was excluded.
    """


class EventFileError(EventStudyError, ValueError):
    """An event (study) YAML file is malformed; the message names file and field."""


class ClaimsFileError(EventStudyError, ValueError):
    """A claims YAML file is malformed; the message names file and field."""


class MissingDependencyError(EventStudyError, ImportError):
    """An optional library needed for what was asked is not installed.

    Attributes
    ----------
    package : str
        The missing importable package (e.g. ``"arch"``).
    extra : str
        The eventstudy-honest extra that installs it (e.g. ``"garch"``).
    purpose : str
        What needed it, in words (e.g. ``"model='garch'"``).
    """

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        self.purpose = purpose
        super().__init__(
            f"{purpose} needs the optional package `{package}`, which is not installed; "
            f'install it with: pip install "eventstudy-honest[{extra}]"',
            name=package,
        )


class NetworkError(EventStudyError, OSError):
    """The network could not be reached, or a download failed as a whole."""


class DownloadError(NetworkError):
    """A download returned no data for one or more symbols.

    Attributes
    ----------
    failed : list of str
        Symbols for which nothing usable came back.
    succeeded : list of str
        Symbols that did download (a partial failure).
    """

    def __init__(self, failed: Iterable[str], succeeded: Iterable[str] = (), detail: str = "") -> None:
        self.failed = list(failed)
        self.succeeded = list(succeeded)
        msg = f"Download failed for symbol(s) {_fmt_list(self.failed)}"
        if self.succeeded:
            msg += f" (succeeded: {_fmt_list(self.succeeded)})"
        if detail:
            msg += f": {detail}"
        super().__init__(msg + ".")


class ImplausibleReturnError(DataError):
    """A daily return lies outside the plausible bounds (``return_bounds``).

    Attributes
    ----------
    parameter : str
        The argument the return came from (``"prices"``, ``"returns"``, ``"benchmark"``, ``"factors"``).
    security : str
        Column of the first offending return.
    date : pandas.Timestamp
        Session of the first offending return.
    value : float
        The offending return (as a simple return, decimal).
    count : int
        Offending cells in the whole frame.
    """

    def __init__(self, message: str, *, parameter: str, security: str, date: Any, value: float,
                 count: int) -> None:
        self.parameter = parameter
        self.security = security
        self.date = date
        self.value = value
        self.count = count
        super().__init__(message)


class PriceLevelsAsReturnsError(DataError):
    """A frame passed as returns holds price levels (or percentages), judged by its median.

    Attributes
    ----------
    parameter : str
        The argument (``"returns"``, ``"benchmark"`` or ``"factors"``).
    columns : list of str
        Columns whose median absolute value is above the threshold.
    medians : list of float
        Their median absolute values.
    """

    def __init__(self, message: str, *, parameter: str, columns: Iterable[str],
                 medians: Iterable[float]) -> None:
        self.parameter = parameter
        self.columns = list(columns)
        self.medians = list(medians)
        super().__init__(message)
