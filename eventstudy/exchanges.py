"""Which exchange calendar each security trades on.

A security's calendar is, in order of precedence:

1. given for that security (the ``calendar`` column of an events table, a
   ``{security: code}`` mapping for ``calendar=``, the event file's
   ``calendars:`` field) -- recorded as ``"given"``;
2. one code for the whole study (``calendar="XTKS"``) -- recorded as ``"study"``;
3. inferred from a Yahoo-style suffix (``6857.T`` -> ``XTKS``, ``ASML.AS`` ->
   ``XAMS``) or a known index symbol (``^N225`` -> ``XTKS``) -- recorded as
   ``"suffix .T"`` or ``"index ^N225"``;
4. the default, ``XNYS`` -- recorded as ``"default"``.

The codes are exchange_calendars names. :func:`assign_calendars` returns the
code and how it was chosen for every symbol, so the choice lands in the
result's diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventstudy.errors import InvalidParameterError

__all__ = ["DEFAULT_CALENDAR", "INDEX_CALENDARS", "SUFFIX_CALENDARS", "CalendarChoice",
           "assign_calendars", "infer_calendar"]

#: Calendar of a symbol with no suffix and no other information.
DEFAULT_CALENDAR = "XNYS"

#: Yahoo Finance ticker suffix -> exchange_calendars code.
SUFFIX_CALENDARS: dict[str, str] = {
    ".T": "XTKS",  # Tokyo Stock Exchange
    ".AS": "XAMS",  # Euronext Amsterdam
    ".PA": "XPAR",  # Euronext Paris
    ".BR": "XBRU",  # Euronext Brussels
    ".LS": "XLIS",  # Euronext Lisbon
    ".MI": "XMIL",  # Borsa Italiana
    ".L": "XLON",  # London Stock Exchange
    ".DE": "XETR",  # Xetra
    ".F": "XFRA",  # Frankfurt
    ".SW": "XSWX",  # SIX Swiss Exchange
    ".MC": "XMAD",  # Bolsa de Madrid
    ".ST": "XSTO",  # Nasdaq Stockholm
    ".CO": "XCSE",  # Nasdaq Copenhagen
    ".HE": "XHEL",  # Nasdaq Helsinki
    ".OL": "XOSL",  # Oslo Bors
    ".VI": "XWBO",  # Wiener Borse
    ".HK": "XHKG",  # Hong Kong
    ".KS": "XKRX",  # Korea Exchange (KOSPI)
    ".TW": "XTAI",  # Taiwan Stock Exchange
    ".SS": "XSHG",  # Shanghai
    ".AX": "XASX",  # Australian Securities Exchange
    ".NZ": "XNZE",  # New Zealand
    ".SI": "XSES",  # Singapore
    ".TO": "XTSE",  # Toronto
    ".V": "XTSX",  # TSX Venture
    ".SA": "BVMF",  # B3 Sao Paulo
    ".MX": "XMEX",  # Mexico
    ".JO": "XJSE",  # Johannesburg
    ".BO": "XBOM",  # Bombay
}

#: Index symbols (Yahoo style) -> the calendar of the exchange they are computed on.
INDEX_CALENDARS: dict[str, str] = {
    "^GSPC": "XNYS", "^DJI": "XNYS", "^IXIC": "XNYS", "^NDX": "XNYS", "^SOX": "XNYS",
    "^RUT": "XNYS", "^N225": "XTKS", "^TOPX": "XTKS", "^AEX": "XAMS", "^FCHI": "XPAR",
    "^FTSE": "XLON", "^GDAXI": "XETR", "^STOXX50E": "XETR", "^SSMI": "XSWX", "^IBEX": "XMAD",
    "^HSI": "XHKG", "^KS11": "XKRX", "^TWII": "XTAI", "^AXJO": "XASX", "^GSPTSE": "XTSE",
}


@dataclass(frozen=True)
class CalendarChoice:
    """The calendar of one symbol and how it was chosen (``"given"``, ``"suffix .T"`` ...)."""

    code: str
    source: str


def infer_calendar(symbol: str, default: str = DEFAULT_CALENDAR) -> CalendarChoice:
    """The calendar a Yahoo-style ``symbol`` trades on, and why.

    Examples
    --------
    >>> infer_calendar("6857.T")
    CalendarChoice(code='XTKS', source='suffix .T')
    >>> infer_calendar("^N225")
    CalendarChoice(code='XTKS', source='index ^N225')
    >>> infer_calendar("NVDA")
    CalendarChoice(code='XNYS', source='default')
    """
    if symbol in INDEX_CALENDARS:
        return CalendarChoice(INDEX_CALENDARS[symbol], f"index {symbol}")
    dot = symbol.rfind(".")
    if dot > 0:
        suffix = symbol[dot:].upper()
        if suffix in SUFFIX_CALENDARS:
            return CalendarChoice(SUFFIX_CALENDARS[suffix], f"suffix {symbol[dot:]}")
    return CalendarChoice(default, "default")


def _check_code(code: object, parameter: str) -> str:
    if not isinstance(code, str) or not code:
        raise InvalidParameterError(parameter, "an exchange_calendars code such as 'XNYS'", code)
    import exchange_calendars as xcals  # imported where used (start-up time)

    if code not in xcals.get_calendar_names():
        raise InvalidParameterError(parameter, "an exchange_calendars code such as 'XNYS' or "
                                    "'XTKS'", code)
    return code


def assign_calendars(
    symbols: Iterable[str],
    calendar: str | Mapping[str, str] | None = None,
    given: Mapping[str, str] | None = None,
) -> dict[str, CalendarChoice]:
    """The calendar of every symbol.

    Parameters
    ----------
    symbols
        Securities and benchmarks of the study.
    calendar
        ``None``: infer each symbol's calendar from its suffix (default XNYS);
        a code: every symbol on that calendar; a mapping ``{symbol: code}``:
        those symbols on those calendars, the others inferred.
    given
        Per-symbol codes from an events table (``calendar`` column); they must
        agree with ``calendar``.

    Raises
    ------
    InvalidParameterError
        An unknown code, a mapping key that is not a symbol of the study, or
        two different codes for one symbol.
    """
    names = list(dict.fromkeys(str(s) for s in symbols))
    out: dict[str, CalendarChoice] = {}
    if isinstance(calendar, str):
        code = _check_code(calendar, "calendar")
        out = dict.fromkeys(names, CalendarChoice(code, "study"))  # one (frozen) choice shared
    else:
        mapping: Mapping[str, str] = {} if calendar is None else calendar
        if not isinstance(mapping, Mapping):
            raise InvalidParameterError("calendar", "None, an exchange_calendars code or a "
                                        "{security: code} mapping", type(calendar).__name__)
        extra = sorted(set(map(str, mapping)) - set(names))
        if extra:
            raise InvalidParameterError("calendar", f"keys among the study's symbols {names}", extra)
        for s in names:
            if s in mapping:
                out[s] = CalendarChoice(_check_code(mapping[s], f"calendar[{s!r}]"), "given")
            else:
                out[s] = infer_calendar(s)
    for s, code in (given or {}).items():
        code = _check_code(code, f"events.calendar ({s})")
        have = out.get(s)
        if have is not None and have.source in ("given", "study") and have.code != code:
            raise InvalidParameterError(f"events.calendar ({s})", f"{have.code} (as `calendar` says)",
                                        code)
        out[s] = CalendarChoice(code, "given")
    return out
