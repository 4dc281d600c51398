"""Guessing at full speed: wrong passwords for a real user, for unknown names, and unknown
bearer tokens, each run from its own address (behind the trusted local proxy, as nginx
forwards them), then the right password at once.

The full run also times /v1/health while four clients flood POST /v1/tokens with wrong
passwords for a user with the real (strong) Argon2id cost, from ever new addresses so that
each gets its free, fully hashed guesses: health slowed more than HEALTH_SLOWDOWN times at
the median counts as got through (the review saw tenfold).

Got through: a guess the server checked (answered 401 rather than 429/403) before the wait
its earlier failures earned had passed (waits double after the free ones), the right
password let in straight after a run of wrong ones, or more than a handful of audit rows
for one run. Lost: the right password refused once an administrator lifted the wait.
5xx: answers >= 500.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select

from bench.faults.central import central, now
from bench.faults.tally import Tally
from crypto import KdfCost
from sync_server.access import throttle
from sync_server.access.sign_in import lift
from sync_server.access.users import add_user
from sync_server.store.access_models import AuditEntry

PASSWORD = "grapefruit lighthouse accordion"  # noqa: S105 - a throwaway user in a temporary store
SLOWED = (429, 403)  # waiting, or held until an administrator lifts it
AUDIT_ROWS_PER_RUN = 8  # the aggregated audit: a handful of rows, each saying how many came before
HEALTH_SLOWDOWN = 5


def run(database: str, quick: bool) -> Tally:
    trials, guesses = (1, 12) if quick else (5, 150)
    rng = random.Random(4)
    tally = Tally()
    with central(database) as hub, hub.client() as client:

        def audit_rows() -> int:
            with hub.sessions() as session:
                return session.scalar(select(func.count()).select_from(AuditEntry)) or 0

        def flood(label: str, guess: Callable[[int], int]) -> None:
            """Guesses as fast as they go; a guess the server checked (401) although the wait
            its earlier failures earned cannot have passed yet got through."""
            before = audit_rows()
            failures, last_sent, early = 0, 0.0, 0
            for number in range(guesses):
                sent = time.monotonic()
                code = guess(number)
                if code not in SLOWED:
                    wait = throttle.wait_after(failures).total_seconds() if failures else 0.0
                    early += time.monotonic() < last_sent + wait  # surely inside the wait
                    failures, last_sent = failures + 1, sent
            tally.tried += guesses
            tally.got_through += early
            if early:
                tally.note(f"{label}: {early} guesses checked inside their wait")
            added = audit_rows() - before
            if added > AUDIT_ROWS_PER_RUN:
                tally.got_through += 1
                tally.note(f"{label}: {added} audit rows for {guesses} guesses")

        for trial in range(trials):
            name = f"coordinator{trial}"
            add_user(hub.sessions, name=name, role="coordinator", countries=["SL"],
                     password=PASSWORD, clock=now, cost=KdfCost.FAST)  # fmt: skip

            def password(user: str, secret: str, address: str) -> int:
                return client.post("/v1/tokens", json={"name": user, "password": secret},
                                   headers={"X-Forwarded-For": address}).status_code  # fmt: skip

            flood("wrong passwords", lambda n, t=trial, u=name: password(
                u, f"wrong guess {n} {rng.random()}", f"10.1.{t}.{n % 200}"))  # fmt: skip
            tally.tried += 1
            if password(name, PASSWORD, f"10.2.{trial}.1") not in SLOWED:
                tally.got_through += 1
                tally.note("the right password walked in right after the guesses")
            lift(hub.sessions, name)
            if password(name, PASSWORD, f"10.3.{trial}.1") != 201:
                tally.lost += 1
                tally.note("the right password was refused after the lift")
            flood("unknown names", lambda n, t=trial: password(
                f"nobody-{t}-{n}", "a guess at random", f"10.4.{t}.1"))  # fmt: skip

            def unknown_token(_n: int, address: str = f"10.5.{trial}.1") -> int:
                bearer = f"Bearer mss_{rng.getrandbits(160):040x}"
                headers = {"Authorization": bearer, "X-Forwarded-For": address}
                return client.get("/v1/releases", headers=headers).status_code

            flood("unknown tokens", unknown_token)
        if not quick:
            health_under_flood(hub, tally)
        tally.five_xx += hub.app.count
    return tally


def _health_median_ms(client, count: int = 40) -> float:  # noqa: ANN001 - an httpx client
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.get("/v1/health")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def health_under_flood(hub, tally: Tally) -> None:  # noqa: ANN001 - the running Central
    add_user(
        hub.sessions,
        name="flooded",
        role="coordinator",
        countries=["SL"],
        password=PASSWORD,
        clock=now,
    )  # fmt: skip  (the real cost)
    with hub.client() as probe:
        idle = _health_median_ms(probe)
        stop = threading.Event()

        def flood(worker: int) -> None:
            with hub.client() as client:
                number = 0
                while not stop.is_set():
                    number += 1
                    address = f"10.9.{worker}.{number % 250}"
                    client.post("/v1/tokens", json={"name": "flooded", "password": f"no {number}"},
                                headers={"X-Forwarded-For": address})  # fmt: skip

        workers = [threading.Thread(target=flood, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        try:
            flooded = _health_median_ms(probe)
        finally:
            stop.set()
            for worker in workers:
                worker.join()
    tally.tried += 1
    ratio = flooded / idle if idle else float("inf")
    tally.note(f"/v1/health median {idle:.1f} ms idle, {flooded:.1f} ms under a password flood "
               f"({ratio:.1f}x)")  # fmt: skip
    if ratio > HEALTH_SLOWDOWN:
        tally.got_through += 1
