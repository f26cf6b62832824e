"""The suite-wide network block (tests/conftest.py) stops every route, with its own error.

Each test calls a real network entry point as a careless test would and asserts
that it fails with the block's :class:`NetworkBlockedError` (whose message says
"Network access is blocked in tests"), never with a DNS or connection error
(which would mean the request got as far as the resolver).
"""

from __future__ import annotations

import asyncio
import http.client
import io
import logging
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import NetworkBlockedError

BLOCKED = "Network access is blocked in tests"
HOST = "query2.finance.yahoo.com"
URL = f"https://{HOST}/v8/finance/chart/NVDA"


def test_block_error_is_recognisable() -> None:
    # Not an OSError: code that catches connection errors must not swallow it as one.
    assert issubclass(NetworkBlockedError, RuntimeError)
    assert not issubclass(NetworkBlockedError, OSError)


# -- yfinance -------------------------------------------------------------------


def test_real_yfinance_download_fails_with_the_block() -> None:
    import yfinance

    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        yfinance.download("NVDA", start="2025-01-21", end="2025-01-28", progress=False)


def test_yfinance_multi_download_and_ticker_history_blocked() -> None:
    import yfinance
    import yfinance.multi

    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        yfinance.multi.download(["NVDA"], start="2025-01-21", end="2025-01-28")
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        yfinance.Ticker("NVDA").history(start="2025-01-21", end="2025-01-28")


def test_yfinance_internals_reach_the_block_not_dns(caplog: pytest.LogCaptureFixture) -> None:
    """Below the refused entry points, yfinance's own HTTP layer is blocked too.

    ``YfData.get`` is what ``Ticker.history`` uses for every request (crumb and
    prices) through a curl_cffi session. Whatever yfinance logs or raises must
    name the block, never a resolver error.
    """
    from yfinance.data import YfData

    caplog.set_level(logging.DEBUG, logger="yfinance")
    with pytest.raises(Exception) as info:  # noqa: B017 - the type is asserted below
        YfData().get(URL, timeout=5)
    chain: list[BaseException] = []
    error: BaseException | None = info.value
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, NetworkBlockedError) for e in chain), chain
    text = " ".join(str(e) for e in chain) + caplog.text
    assert "resolve" not in text.lower() and "DNSError" not in text


def test_download_signature_is_kept_for_inspection() -> None:
    import inspect

    import yfinance

    assert "auto_adjust" in inspect.signature(yfinance.download).parameters


def test_fake_yfinance_download_opts_in(fake_yfinance_download: Any) -> None:
    import yfinance

    frame = pd.DataFrame({"Close": [1.0]})
    fake_yfinance_download(lambda **kwargs: frame)
    assert yfinance.download(tickers=["NVDA"]) is frame


def test_block_is_back_after_an_opt_in_test() -> None:
    import yfinance

    with pytest.raises(NetworkBlockedError):
        yfinance.download(tickers=["NVDA"])


# -- curl_cffi ------------------------------------------------------------------


def test_curl_cffi_module_functions_blocked() -> None:
    import curl_cffi
    import curl_cffi.requests

    for function in (curl_cffi.requests.get, curl_cffi.requests.post, curl_cffi.get):
        with pytest.raises(NetworkBlockedError, match=BLOCKED):
            function(URL)
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        curl_cffi.requests.request("GET", URL)


def test_curl_cffi_session_blocked() -> None:
    from curl_cffi import requests as cr

    with cr.Session() as session, pytest.raises(NetworkBlockedError, match=BLOCKED):
        session.get(URL)


def test_curl_cffi_async_session_blocked() -> None:
    from curl_cffi import requests as cr

    async def fetch() -> None:
        async with cr.AsyncSession() as session:
            await session.get(URL)

    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        asyncio.run(fetch())


def test_curl_cffi_low_level_perform_blocked() -> None:
    """The lowest level: a raw ``Curl`` handle (what every session ends in)."""
    from curl_cffi import Curl, CurlOpt

    curl = Curl()
    curl.setopt(CurlOpt.URL, URL.encode())
    curl.setopt(CurlOpt.WRITEDATA, io.BytesIO())
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        curl.perform()
    curl.close()


# -- standard library, requests, urllib3 ------------------------------------------


def test_urllib_blocked() -> None:
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        urllib.request.urlopen(URL, timeout=5)
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        urllib.request.build_opener().open(URL, timeout=5)


def test_http_client_blocked() -> None:
    connection = http.client.HTTPSConnection(HOST, timeout=5)
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        connection.request("GET", "/")


def test_requests_blocked() -> None:
    requests = pytest.importorskip("requests")
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        requests.get(URL, timeout=5)
    with requests.Session() as session, pytest.raises(NetworkBlockedError, match=BLOCKED):
        session.get(URL, timeout=5)


def test_urllib3_blocked() -> None:
    urllib3 = pytest.importorskip("urllib3")
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        urllib3.PoolManager().request("GET", URL, retries=False)


# -- sockets ----------------------------------------------------------------------


def test_socket_block_still_works() -> None:
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        socket.create_connection((HOST, 443), timeout=5)


def test_name_resolution_blocked() -> None:
    for resolve in (socket.getaddrinfo, socket.gethostbyname):
        with pytest.raises(NetworkBlockedError, match=BLOCKED):
            resolve(HOST, 443) if resolve is socket.getaddrinfo else resolve(HOST)


def test_unix_sockets_still_allowed() -> None:
    left, right = socket.socketpair()
    left.sendall(b"x")
    assert right.recv(1) == b"x"
    left.close()
    right.close()


@pytest.mark.allow_loopback
def test_allow_loopback_permits_loopback_only() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=5)
    accepted, _ = server.accept()
    client.sendall(b"ok")
    assert accepted.recv(2) == b"ok"
    for s in (client, accepted, server):
        s.close()
    remote = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkBlockedError, match="only loopback"):
        remote.connect(("93.184.216.34", 80))
    remote.close()
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        socket.getaddrinfo(HOST, 443)


@pytest.mark.allow_loopback
def test_allow_loopback_keeps_curl_and_yfinance_blocked() -> None:
    import curl_cffi.requests
    import yfinance

    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        curl_cffi.requests.get(URL)
    with pytest.raises(NetworkBlockedError, match=BLOCKED):
        yfinance.download("NVDA", start="2025-01-21", end="2025-01-28", progress=False)


def test_yfinance_own_cache_points_into_a_test_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import yfinance.cache as yf_cache

    base = tmp_path_factory.getbasetemp()
    for manager in (yf_cache._TzDBManager, yf_cache._CookieDBManager, yf_cache._ISINDBManager):
        assert base in Path(manager.get_location()).parents


def test_eventstudy_default_source_hits_the_block(tmp_path: Path) -> None:
    """YFinanceSource without a fake calls the real yfinance.download: refused by the block."""
    from eventstudy.data.yahoo import YFinanceSource
    from eventstudy.errors import NetworkError

    with pytest.raises(NetworkError, match=BLOCKED) as info:
        YFinanceSource(tmp_path).history(["NVDA"], "2025-01-21", "2025-01-27")
    assert isinstance(info.value.__cause__, NetworkBlockedError)
