"""Test-wide fixtures. No test may touch the network, by any route.

A session-wide block (:func:`_network_blocked`) is installed before the first
test and stays for the whole run. It closes every route a test could take to a
remote host, each with the same recognisable :class:`NetworkBlockedError`:

- Python sockets: ``socket.socket`` (except ``AF_UNIX``, which is local IPC),
  ``socket.create_connection`` and name resolution (``socket.getaddrinfo``,
  ``gethostbyname``, ``gethostbyname_ex``);
- curl (``curl_cffi``, what yfinance uses; libcurl opens its own sockets, so the
  socket block does not reach it): ``Curl.perform``, ``AsyncCurl.add_handle``
  (the async equivalent of ``perform``), ``Session.request``,
  ``AsyncSession.request`` and the module-level ``request/get/post/...``
  functions of ``curl_cffi`` and ``curl_cffi.requests``;
- the standard library's ``urllib.request.urlopen`` and
  ``OpenerDirector.open``, and ``http.client.HTTPConnection.connect``;
- ``requests`` (``Session.request``, ``adapters.HTTPAdapter.send``) and
  ``urllib3`` (``HTTPConnectionPool.urlopen``), if installed;
- yfinance itself: ``yfinance.download`` (also as ``yfinance.multi.download``)
  and ``Ticker.history`` (``yfinance.base.TickerBase.history``). yfinance
  swallows exceptions from inside ``download`` and returns empty frames, so the
  top-level entry points are refused directly. yfinance's own sqlite caches are
  pointed into a session temporary folder, so nothing lands in
  ``~/.cache/py-yfinance``.

A test opts in to a yfinance-shaped fake with the :func:`fake_yfinance_download`
fixture (or by passing ``download=`` to ``YFinanceSource``); its own
``monkeypatch`` then overrides the block for that test only.

Tests that start a local Dask cluster or a Jupyter kernel need loopback sockets:
they carry ``@pytest.mark.allow_loopback``, which re-opens Python sockets and
name resolution for loopback addresses (127.x, ``localhost``, ``::1``) only.
curl, urllib, requests and yfinance stay blocked for them too.
"""

from __future__ import annotations

import functools
import importlib
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]

_REAL_SOCKET = socket.socket
_REAL_CREATE_CONNECTION = socket.create_connection
_REAL_GETADDRINFO = socket.getaddrinfo
_REAL_GETHOSTBYNAME = socket.gethostbyname
_REAL_GETHOSTBYNAME_EX = socket.gethostbyname_ex
_LOOPBACK_NAMES = ("localhost", "::1", "ip6-localhost", "ip6-loopback")
#: Wildcard bind addresses: resolving them needs no DNS (allowed under allow_loopback).
_WILDCARD_NAMES = ("", "0.0.0.0", "::")


class NetworkBlockedError(RuntimeError):
    """Raised by every blocked network entry point during the test suite."""


def _blocked_message(route: str) -> str:
    return (
        f"Network access is blocked in tests ({route} called). Use a fake: pass "
        "download= to YFinanceSource, or use the fake_yfinance_download fixture."
    )


def _blocker(route: str, original: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """A replacement for ``original`` that raises :class:`NetworkBlockedError`.

    It keeps ``original``'s name and signature (``functools.wraps``), so code
    that inspects the signature (e.g. of ``yfinance.download``) still works.
    """

    def blocked(*args: Any, **kwargs: Any) -> Any:
        raise NetworkBlockedError(_blocked_message(route))

    if original is not None:
        blocked = functools.wraps(original)(blocked)
    return blocked


def _async_blocker(route: str, original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def blocked(*args: Any, **kwargs: Any) -> Any:
        raise NetworkBlockedError(_blocked_message(route))

    return blocked


class _BlockedSocket(socket.socket):
    def __init__(self, family: int = -1, type: int = -1, *args: object, **kwargs: object) -> None:
        # AF_UNIX is local IPC (used by e.g. asyncio's self-pipe, Jupyter, dask); allow it.
        if family == socket.AF_UNIX:
            super().__init__(family, type, *args, **kwargs)  # type: ignore[arg-type]
            return
        raise NetworkBlockedError(_blocked_message("socket.socket"))


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None:  # getaddrinfo(None, port): the local wildcard/loopback address
        return True
    if not isinstance(host, str):
        return False
    return host.startswith("127.") or host in _LOOPBACK_NAMES or host.startswith("/")


def _resolver(route: str, real: Callable[..., Any], loopback_ok: bool) -> Callable[..., Any]:
    @functools.wraps(real)
    def resolve(host: object, *args: Any, **kwargs: Any) -> Any:
        if loopback_ok and (_is_loopback(host) or host in _WILDCARD_NAMES):
            return real(host, *args, **kwargs)
        raise NetworkBlockedError(_blocked_message(f"{route}({host!r})"))

    return resolve


def _patch_if_present(
    mp: pytest.MonkeyPatch, module_name: str, attribute_path: str, *, is_async: bool = False
) -> None:
    """Block ``module_name.attribute_path`` (``Class.method`` or ``function``) if it exists."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return
    owner: Any = module
    *parents, name = attribute_path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
        if owner is None:
            return
    original = getattr(owner, name, None)
    if original is None:
        return
    route = f"{module_name}.{attribute_path}"
    replacement = _async_blocker(route, original) if is_async else _blocker(route, original)
    mp.setattr(owner, name, replacement)


#: (module, attribute) entry points refused for the whole session.
BLOCKED_ENTRY_POINTS: tuple[tuple[str, str, bool], ...] = (
    # curl_cffi: the low-level transfer (sync and async) and the request APIs.
    ("curl_cffi.curl", "Curl.perform", False),
    ("curl_cffi.aio", "AsyncCurl.add_handle", False),
    ("curl_cffi.requests.session", "Session.request", False),
    ("curl_cffi.requests.session", "AsyncSession.request", True),
    *(
        (module, function, False)
        for module in ("curl_cffi", "curl_cffi.requests")
        for function in (
            "request", "get", "post", "put", "patch", "delete", "head", "options", "trace", "query",
        )
    ),
    # Standard library HTTP.
    ("urllib.request", "urlopen", False),
    ("urllib.request", "OpenerDirector.open", False),
    ("http.client", "HTTPConnection.connect", False),
    # requests / urllib3.
    ("requests.sessions", "Session.request", False),
    ("requests.adapters", "HTTPAdapter.send", False),
    ("urllib3.connectionpool", "HTTPConnectionPool.urlopen", False),
    # yfinance itself (it swallows errors raised below download()).
    ("yfinance", "download", False),
    ("yfinance.multi", "download", False),
    ("yfinance.base", "TickerBase.history", False),
)


def _block_sockets(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(socket, "socket", _BlockedSocket)
    mp.setattr(socket, "create_connection", _blocker("socket.create_connection"))
    mp.setattr(socket, "getaddrinfo", _resolver("socket.getaddrinfo", _REAL_GETADDRINFO, False))
    mp.setattr(
        socket, "gethostbyname", _resolver("socket.gethostbyname", _REAL_GETHOSTBYNAME, False)
    )
    mp.setattr(
        socket,
        "gethostbyname_ex",
        _resolver("socket.gethostbyname_ex", _REAL_GETHOSTBYNAME_EX, False),
    )


def _redirect_yfinance_cache(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Point yfinance's own sqlite caches (tz, cookies, ISIN) into ``folder``.

    Otherwise any test that reaches yfinance's internals would create
    ``~/.cache/py-yfinance`` (platformdirs' user cache) outside the test's folders.
    """
    try:
        import yfinance.cache as yf_cache
    except ImportError:
        return
    managers = [getattr(yf_cache, name, None) for name in
                ("_TzDBManager", "_CookieDBManager", "_ISINDBManager")]
    for manager in managers:
        if manager is not None and hasattr(manager, "_cache_dir"):
            mp.setattr(manager, "_cache_dir", str(folder))


@pytest.fixture(scope="session", autouse=True)
def _network_blocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Block every network route for the whole session (see the module docstring)."""
    mp = pytest.MonkeyPatch()
    try:
        _block_sockets(mp)
        for module_name, attribute_path, is_async in BLOCKED_ENTRY_POINTS:
            _patch_if_present(mp, module_name, attribute_path, is_async=is_async)
        _redirect_yfinance_cache(mp, tmp_path_factory.mktemp("yfinance-cache"))
        yield
    finally:
        mp.undo()


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-open loopback-only Python sockets for tests marked ``allow_loopback``.

    Tests that start a local Dask cluster or a Jupyter kernel need loopback
    sockets; they carry ``@pytest.mark.allow_loopback`` and still cannot reach
    anything but loopback addresses.
    """
    if not request.node.get_closest_marker("allow_loopback"):
        return
    real_connect = _REAL_SOCKET.connect

    def _loopback_only(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if not _is_loopback(host):
            raise NetworkBlockedError(
                f"Network access is blocked in tests: only loopback connections are allowed, "
                f"not {host!r}."
            )
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "socket", _REAL_SOCKET)
    monkeypatch.setattr(socket, "create_connection", _REAL_CREATE_CONNECTION)
    monkeypatch.setattr(_REAL_SOCKET, "connect", _loopback_only)
    monkeypatch.setattr(
        socket, "getaddrinfo", _resolver("socket.getaddrinfo", _REAL_GETADDRINFO, True)
    )
    monkeypatch.setattr(
        socket, "gethostbyname", _resolver("socket.gethostbyname", _REAL_GETHOSTBYNAME, True)
    )
    monkeypatch.setattr(
        socket,
        "gethostbyname_ex",
        _resolver("socket.gethostbyname_ex", _REAL_GETHOSTBYNAME_EX, True),
    )


@pytest.fixture
def fake_yfinance_download(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[..., Any]], None]:
    """Opt in to a fake ``yfinance.download`` for one test.

    Returns a function ``install(fake)`` that puts ``fake`` in place of
    ``yfinance.download`` (and ``yfinance.multi.download``) until the test ends.
    Everything below it (curl, sockets) stays blocked.
    """

    def install(fake: Callable[..., Any]) -> None:
        import yfinance
        import yfinance.multi

        monkeypatch.setattr(yfinance, "download", fake)
        monkeypatch.setattr(yfinance.multi, "download", fake)

    return install


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
