"""A loopback fault proxy: a TCP relay on 127.0.0.1 in front of a real server that
misbehaves per connection, as field links do — it cuts an upload part-way, swallows the
server's answer after the server has acted on the request, or throttles both ways to a
slow rate (1 KB/s by default). For the fault benchmarks and any test that wants a bad link.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

CHUNK = 128


@dataclass(frozen=True)
class Fault:
    kind: str = "pass"  # pass | cut | swallow | throttle
    cut_after: int = 0  # cut: bytes of the upload that get through
    rate: int = 1024  # throttle: bytes per second, each way


class FaultProxy:
    def __init__(self, upstream_port: int, choose: Callable[[], Fault]) -> None:
        self.upstream_port = upstream_port
        self.choose = choose
        self.faults: Counter[str] = Counter()  # connections per fault kind
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> None:
        self._spawn(self._accept)

    def close(self) -> None:
        self._closed.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            fault = self.choose()
            self.faults[fault.kind] += 1
            self._spawn(self._relay, client, fault)

    def _relay(self, client: socket.socket, fault: Fault) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        ends = (client, upstream)
        up = threading.Thread(target=self._pump, args=(client, upstream, fault, True, ends))
        up.start()
        self._pump(upstream, client, fault, False, ends)
        up.join(timeout=120)
        for end in ends:
            end.close()

    def _pump(self, source: socket.socket, sink: socket.socket, fault: Fault, upload: bool,
              ends: tuple[socket.socket, socket.socket]) -> None:  # fmt: skip
        sent = 0
        try:
            while not self._closed.is_set():
                data = source.recv(CHUNK if fault.kind == "throttle" else 65536)
                if not data:
                    break
                if fault.kind == "swallow" and not upload:
                    break  # the server answered: the client never hears it
                if fault.kind == "cut" and upload and sent + len(data) > fault.cut_after:
                    sink.sendall(data[: max(0, fault.cut_after - sent)])
                    break
                if fault.kind == "throttle":
                    time.sleep(len(data) / fault.rate)
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for end in ends:  # one side ended: end the other, as a dropped link does
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def fault_proxy(upstream_url: str, choose: Callable[[], Fault]) -> Iterator[FaultProxy]:
    proxy = FaultProxy(int(upstream_url.rsplit(":", 1)[1]), choose)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
