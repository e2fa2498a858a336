"""The token bucket lets a burst through, then holds the configured rate."""

from __future__ import annotations

from reconciler.adapters.pacing import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_burst_then_the_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(10, 5, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        bucket.acquire()
    assert time.now == 0, "the burst goes out at once"
    for _ in range(20):
        bucket.acquire()
    assert abs(time.now - 2.0) < 1e-9, "20 more requests at 10/s take 2 s"
