"""The in-memory submission buckets, on an injected clock: per address and per campaign."""

from __future__ import annotations

from sync_server.site.rate_limits import BucketRule, SiteLimits, SubmissionThrottle
from tests.sync_server.site.conftest import ManualMonotonic


def test_a_campaign_bucket_holds_many_addresses_back_and_refills():
    clock = ManualMonotonic()
    limits = SiteLimits(per_address=BucketRule(3, 1.0), per_campaign=BucketRule(5, 0.5))
    throttle = SubmissionThrottle(limits, clock, secret=b"k" * 32)
    assert [throttle.retry_after("c", f"10.0.0.{n}") for n in range(5)] == [None] * 5
    assert throttle.retry_after("c", "10.0.0.9") == 2  # the campaign's bucket: 0.5/s
    assert throttle.retry_after("other", "10.0.0.9") is None  # campaigns apart
    clock.now += 2
    assert throttle.retry_after("c", "10.0.0.9") is None


def test_a_refused_try_costs_nothing_and_memory_stays_bounded():
    clock = ManualMonotonic()
    limits = SiteLimits(per_address=BucketRule(1, 0.1), per_campaign=BucketRule(10**6, 10**6),
                        max_buckets=100)  # fmt: skip
    throttle = SubmissionThrottle(limits, clock)
    assert throttle.retry_after("c", "a") is None
    assert [throttle.retry_after("c", "a") for _ in range(3)] == [10, 10, 10]
    for n in range(1000):
        throttle.retry_after("c", f"addr-{n}")
    assert len(throttle._addresses.levels) <= 101
    # Addresses are kept only as keyed hashes.
    assert all(isinstance(key, bytes) and len(key) == 16 for key in throttle._addresses.levels)
