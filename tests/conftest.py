"""Test-wide fixtures. Sockets are blocked: no test may touch the network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]


class _BlockedSocket(socket.socket):
    def __init__(self, family: int = -1, type: int = -1, *args: object, **kwargs: object) -> None:
        # AF_UNIX is local IPC (used by e.g. Jupyter kernels / dask); allow it.
        if family == socket.AF_UNIX:
            super().__init__(family, type, *args, **kwargs)  # type: ignore[arg-type]
            return
        raise RuntimeError("Network access is blocked in tests (socket.socket called).")


def _blocked_connection(*args: object, **kwargs: object) -> None:
    raise RuntimeError("Network access is blocked in tests (socket.create_connection called).")


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Block outbound sockets unless a test is marked ``allow_loopback``.

    Tests that start a local Dask cluster or a Jupyter kernel need loopback
    sockets; they carry ``@pytest.mark.allow_loopback`` and still cannot reach
    anything but 127.0.0.1 (see ``_loopback_only``).
    """
    if request.node.get_closest_marker("allow_loopback"):
        real_connect = socket.socket.connect

        def _loopback_only(self: socket.socket, address: object) -> None:
            host = address[0] if isinstance(address, tuple) else address
            if isinstance(host, str) and not (
                host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
            ):
                raise RuntimeError(f"Only loopback connections are allowed in tests, not {host!r}.")
            real_connect(self, address)  # type: ignore[arg-type]

        monkeypatch.setattr(socket.socket, "connect", _loopback_only)
        yield
        return
    monkeypatch.setattr(socket, "socket", _BlockedSocket)
    monkeypatch.setattr(socket, "create_connection", _blocked_connection)
    yield


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
