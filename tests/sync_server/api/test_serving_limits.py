"""The limits the server is served with are in force: real uvicorn on 127.0.0.1, configured
by `sync_server.serving.server_config` exactly as `mss server serve` is.

Half-open sockets once made /v1/health hang for 30 s; now, past the concurrency limit, a
request is answered 503 (which stations retry) at once, and the server recovers as soon as
the sockets go. An idle keep-alive connection is closed by the server.
"""

from __future__ import annotations

import socket
import time

import httpx
from fastapi import FastAPI

from miniatures.served_app import served
from sync_server.serving import KEEP_ALIVE_SECONDS, MAX_CONCURRENT


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def test_past_the_concurrency_limit_a_request_gets_503_at_once(app: FastAPI) -> None:
    with served(app) as url:
        held: list[socket.socket] = []
        try:
            for _ in range(MAX_CONCURRENT):
                stalled = socket.create_connection(_address(url), timeout=5)
                stalled.sendall(b"GET /v1/health HTTP/1.1\r\nHost: mss.test\r\n")  # no end
                held.append(stalled)
            time.sleep(0.5)  # let the server take them all
            # Not a hang behind the half-open sockets: an answer, and one a station retries.
            answer = httpx.get(f"{url}/v1/health", timeout=10)
            assert answer.status_code == 503
        finally:
            for stalled in held:
                stalled.close()
        deadline = time.monotonic() + 10
        while True:
            answer = httpx.get(f"{url}/v1/health", timeout=10)
            if answer.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert answer.status_code == 200


def test_an_idle_keep_alive_connection_is_closed_by_the_server(app: FastAPI) -> None:
    with (
        served(app) as url,
        socket.create_connection(_address(url), timeout=KEEP_ALIVE_SECONDS + 10) as idle,
    ):
        idle.sendall(b"GET /v1/health HTTP/1.1\r\nHost: mss.test\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        # Then nothing more is sent: the server ends the connection; were it left open, the
        # socket's own timeout would fail this test.
        while idle.recv(65536):
            pass
