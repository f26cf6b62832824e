"""Keep a ``yfinance`` download inside its bounds: its files, its noise, its failures.

yfinance (checked against 1.7) has three habits that :class:`~eventstudy.data.yahoo.YFinanceSource`
must contain:

- **Files.** It keeps sqlite caches (time zones, cookies, ISINs) in
  ``platformdirs.user_cache_dir()/py-yfinance`` (e.g. ``~/.cache/py-yfinance``),
  outside any folder the user named. :func:`yfinance_sandbox` points them into
  ``<cache_dir>/yfinance`` or, without a cache folder, into a temporary folder
  removed afterwards, and restores yfinance's previous location on exit.
- **Noise.** It logs every failure on the ``yfinance`` logger (which, with no
  handler configured, Python prints to stderr), and its pandas calls emit
  deprecation warnings. During the download the logger's records are captured
  (not propagated), warnings are recorded, and anything printed to stdout or
  stderr is captured too. All of it is returned to the caller
  (:attr:`YFinanceCapture.messages`), not dropped: it is how failures are explained.
- **Failures.** ``yfinance.download`` catches every per-ticker exception (DNS
  failure, refused connection, timeout, rate limit, unknown ticker) and
  returns an empty frame for that ticker; the reason exists only in its log.
  :func:`failure_reasons` attributes the captured messages to symbols and
  :func:`is_network_failure` tells a connection failure from a missing ticker.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import shutil
import socket
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "YFinanceCapture",
    "failure_reasons",
    "is_network_exception",
    "is_network_failure",
    "yfinance_sandbox",
]

#: Wording of connection-level failures in yfinance / curl / requests messages.
NETWORK_FAILURE = re.compile(
    r"DNSError|could not resolve|resolve host|name or service not known|"
    r"temporary failure in name resolution|nodename nor servname|getaddrinfo failed|"
    r"ConnectionError|ConnectTimeout|connection refused|connection reset|connection aborted|"
    r"network is unreachable|no route to host|timed out|timeout|SSLError|ProxyError|"
    r"curl: \((5|6|7|28|35|52|55|56)\)|YFRateLimitError|too many requests|rate limited",
    re.IGNORECASE,
)

#: Characters that may be part of a ticker symbol (so not a boundary around one).
_SYMBOL_CHARS = r"A-Za-z0-9.^=\-"

# yfinance's cache state is process-global: one sandboxed download at a time.
_LOCK = threading.Lock()

#: (manager class, singleton attribute) in yfinance.cache that hold an open cache.
_CACHE_SINGLETONS = (
    ("_TzCacheManager", "_tz_cache"),
    ("_CookieCacheManager", "_Cookie_cache"),
    ("_ISINCacheManager", "_isin_cache"),
)


@dataclass
class YFinanceCapture:
    """What yfinance said during one sandboxed download.

    Attributes
    ----------
    messages : list of str
        Log records (``LEVEL: message``) of the ``yfinance`` logger, warnings
        (``Category: message``) and non-empty printed lines, in order.
    cache_location : str or None
        Where yfinance's own caches were pointed during the download.
    """

    messages: list[str] = field(default_factory=list)
    cache_location: str | None = None


class _ListHandler(logging.Handler):
    def __init__(self, capture: YFinanceCapture) -> None:
        super().__init__(level=logging.NOTSET)
        self.capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record must not break the download
            text = str(record.msg)
        self.capture.messages.append(f"{record.levelname}: {text.strip()}")


def _yfinance_cache_module() -> Any | None:
    try:
        import yfinance.cache as yf_cache
    except ImportError:  # pragma: no cover - yfinance is a dependency
        return None
    return yf_cache


def _cache_location(yf_cache: Any) -> str | None:
    manager = getattr(yf_cache, "_TzDBManager", None)
    getter = getattr(manager, "get_location", None)
    return str(getter()) if getter is not None else None


def _point_cache(yf_cache: Any, location: str) -> None:
    """Point every yfinance cache at ``location`` and drop any cache already open.

    ``set_cache_location`` closes the open databases, but the cache objects
    built on them keep their handles, so they are reset too and rebuilt on
    next use (at the new location).
    """
    setter = getattr(yf_cache, "set_cache_location", None) or yf_cache.set_tz_cache_location
    setter(location)
    for manager_name, attribute in _CACHE_SINGLETONS:
        manager = getattr(yf_cache, manager_name, None)
        if manager is not None and hasattr(manager, attribute):
            setattr(manager, attribute, None)


@contextlib.contextmanager
def _quiet_logger(capture: YFinanceCapture) -> Iterator[None]:
    logger = logging.getLogger("yfinance")
    handler = _ListHandler(capture)
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers = [handler]
    logger.propagate = False
    # WARNING keeps yfinance's errors and warnings without turning on its DEBUG
    # mode (which would also switch off its threads).
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


@contextlib.contextmanager
def yfinance_sandbox(cache_dir: Path | None) -> Iterator[YFinanceCapture]:
    """Run a yfinance download with its caches, logs, warnings and prints contained.

    Parameters
    ----------
    cache_dir
        The source's cache folder: yfinance's caches go to
        ``cache_dir / "yfinance"``. ``None``: a temporary folder, removed on
        exit.

    Yields
    ------
    YFinanceCapture
        Filled with what yfinance logged, warned and printed.
    """
    capture = YFinanceCapture()
    stdout, stderr = io.StringIO(), io.StringIO()
    with _LOCK:
        yf_cache = _yfinance_cache_module()
        previous = _cache_location(yf_cache) if yf_cache is not None else None
        temporary: str | None = None
        if cache_dir is not None:
            location = cache_dir / "yfinance"
            location.mkdir(parents=True, exist_ok=True)
            capture.cache_location = str(location)
        else:
            temporary = tempfile.mkdtemp(prefix="eventstudy-yfinance-")
            capture.cache_location = temporary
        try:
            if yf_cache is not None:
                _point_cache(yf_cache, capture.cache_location)
            with (
                _quiet_logger(capture),
                warnings.catch_warnings(record=True) as caught,
                contextlib.redirect_stdout(stdout),
                contextlib.redirect_stderr(stderr),
            ):
                warnings.simplefilter("always")
                try:
                    yield capture
                finally:
                    capture.messages.extend(
                        f"{w.category.__name__}: {w.message}" for w in caught
                    )
                    for text in (stdout.getvalue(), stderr.getvalue()):
                        capture.messages.extend(line for line in text.splitlines() if line.strip())
        finally:
            if yf_cache is not None and previous is not None:
                _point_cache(yf_cache, previous)  # closes the databases opened in the sandbox
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)


def _mentions(message: str, symbol: str) -> bool:
    pattern = rf"(?<![{_SYMBOL_CHARS}]){re.escape(symbol)}(?![{_SYMBOL_CHARS}])"
    return re.search(pattern, message, flags=re.IGNORECASE) is not None


def failure_reasons(symbols: Sequence[str], messages: Sequence[str]) -> dict[str, list[str]]:
    """The captured messages that explain each failed symbol.

    A message that names a symbol (``Failed to get ticker 'NVDA' reason: ...``,
    ``['NVDA', '^GSPC']: DNSError(...)``, ``$NOPE: possibly delisted; ...``)
    belongs to it. A symbol no message names gets the messages that name no
    symbol at all (e.g. ``Cookie/crumb fetch failed (DNSError)``), which
    concern the whole download.
    """
    named = {s: [m for m in messages if _mentions(m, s)] for s in symbols}
    general = [m for m in messages if not any(_mentions(m, s) for s in symbols)]
    return {s: (named[s] or general) for s in symbols}


def is_network_failure(reasons: Sequence[str]) -> bool:
    """Whether any of ``reasons`` is a DNS, connection, timeout or rate-limit failure."""
    return any(NETWORK_FAILURE.search(r) for r in reasons)


def is_network_exception(exc: BaseException) -> bool:
    """Whether ``exc`` (raised by a download) is a connection-level failure.

    Recognised: ``ConnectionError``, ``TimeoutError``, resolver errors
    (``socket.gaierror`` / ``herror``), ``urllib.error.URLError``, and by class
    name (no import needed) requests' and curl_cffi's ``RequestException`` and
    libcurl's ``CurlError``, or any class whose name says DNS, connection,
    timeout or rate limit. Other ``OSError`` s (a file not found, a permission
    denied) are not network failures.
    """
    import urllib.error

    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror | socket.herror
                  | urllib.error.URLError):
        return True
    names = [cls.__name__ for cls in type(exc).__mro__]
    return any(n in ("RequestException", "CurlError") or NETWORK_FAILURE.search(n) for n in names)
