"""Submission rate limits per campaign and per client address, in memory only.

Token buckets: a burst, then a steady rate. Nothing is written anywhere, and the address is
kept only as a keyed hash under a key made at start, so even this process's memory holds no
list of who answered. A refused submission waits `Retry-After` seconds (429).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

Monotonic = Callable[[], float]


@dataclass(frozen=True)
class BucketRule:
    burst: int
    per_second: float


@dataclass(frozen=True)
class SiteLimits:
    # A classroom or a ministry behind one NAT address answers together: a generous burst.
    per_address: BucketRule = BucketRule(burst=30, per_second=0.2)
    per_campaign: BucketRule = BucketRule(burst=300, per_second=20.0)
    # Buckets kept at most; full (idle) ones are dropped first.
    max_buckets: int = 100_000


class _Buckets:
    def __init__(self, rule: BucketRule, max_buckets: int) -> None:
        self.rule, self.max_buckets = rule, max_buckets
        self.levels: dict[bytes, tuple[float, float]] = {}  # key -> (tokens, at)

    def level(self, key: bytes, at: float) -> float:
        tokens, then = self.levels.get(key, (float(self.rule.burst), at))
        return min(float(self.rule.burst), tokens + (at - then) * self.rule.per_second)

    def wait(self, key: bytes, at: float) -> float:
        """0 when a token is there, else the seconds until one is."""
        return max(0.0, (1 - self.level(key, at)) / self.rule.per_second)

    def take(self, key: bytes, at: float) -> None:
        self.levels[key] = (self.level(key, at) - 1, at)
        if len(self.levels) > self.max_buckets:
            full = [k for k in self.levels if self.level(k, at) >= self.rule.burst]
            for k in full or list(self.levels)[: len(self.levels) // 2]:
                del self.levels[k]


class SubmissionThrottle:
    """`retry_after(campaign, address)`: None when the submission may go on (and counts it
    against both buckets), else whole seconds to wait (and counts nothing)."""

    def __init__(self, limits: SiteLimits, now: Monotonic, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)
        self._now = now
        self._addresses = _Buckets(limits.per_address, limits.max_buckets)
        self._campaigns = _Buckets(limits.per_campaign, limits.max_buckets)
        self._lock = threading.Lock()

    def _key(self, kind: str, value: str) -> bytes:
        message = f"{kind}\x00{value}".encode()
        return hashlib.blake2b(message, key=self._secret, digest_size=16).digest()

    def retry_after(self, campaign: str, address: str) -> int | None:
        address_key, campaign_key = self._key("a", address), self._key("c", campaign)
        with self._lock:
            at = self._now()
            wait = max(
                self._addresses.wait(address_key, at), self._campaigns.wait(campaign_key, at)
            )
            if wait > 0:
                return max(1, math.ceil(wait))
            self._addresses.take(address_key, at)
            self._campaigns.take(campaign_key, at)
        return None
