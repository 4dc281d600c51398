"""The loopback fault proxy really misbehaves: a swallowed answer comes after the server
acted, a cut upload never reaches it, a passed one is untouched (real app, real HTTP)."""

from __future__ import annotations

import random

import httpx
import pytest

from bench.faults.central import BATCH_HEADERS, central
from miniatures.fault_proxy import Fault, fault_proxy
from miniatures.traffic import random_answers, response_payload


def one_batch(hub) -> bytes:  # noqa: ANN001 - a Central
    station = hub.server.enrol()
    spec = hub.server.spec
    rng = random.Random(2)
    return station.batch_bytes(
        [station.envelope(response_payload(spec, random_answers(spec, rng))) for _ in range(3)]
    )


@pytest.mark.parametrize(
    ("fault", "stored", "answered"),
    [
        (Fault("swallow"), 3, False),
        (Fault("cut", cut_after=300), 0, False),
        (Fault("throttle", rate=64_000), 3, True),
        (Fault("pass"), 3, True),
    ],  # fmt: skip
)
def test_each_fault_does_what_it_says(fault: Fault, stored: int, answered: bool) -> None:
    with central("sqlite") as hub, fault_proxy(hub.url, lambda: fault) as proxy:
        data = one_batch(hub)
        try:
            with httpx.Client(base_url=proxy.url, timeout=10) as client:
                status = client.post("/v1/batches", content=data, headers=BATCH_HEADERS).status_code
        except httpx.HTTPError:
            status = None
        assert (status == 200) is answered
        assert hub.inbox_count() == stored
        assert proxy.faults[fault.kind] == 1
        assert hub.app.count == 0
