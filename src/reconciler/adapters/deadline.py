"""The run's deadline: no AWS request, pacing wait or DNS lookup starts once too little of the invocation is left.

Lambda ends an invocation at its timeout, mid-call if need be, and then no
report is written. Stopping early instead leaves a run that knows what it
could not read: that counts as unresolved, so nothing is removed, and the
report says the run was cut short.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError

# Enough for one request started just before it to finish or fail: the
# clients' connect (3 s) and read (10 s) timeouts, and a second to report.
MARGIN_MS = 14_000
# A pacing wait leaves this much more: the writes that follow the reads, so that a run cut short
# still registers what it confirmed in time (each run then gets further).
WRITE_RESERVE_MS = 3_000


class DeadlineReached(BotoCoreError):  # type: ignore[misc]  # botocore ships no types
    """Raised instead of sending a request; a BotoCoreError, so every adapter reads it as a failed call."""

    fmt = "not sent: {remaining_ms} ms of the invocation left, fewer than the {margin_ms} ms a request may take"


class Deadline:
    """Guards every request of the clients it is attached to; armed anew by each invocation."""

    def __init__(self, margin_ms: int = MARGIN_MS) -> None:
        self._margin_ms = margin_ms
        self._remaining_ms: Callable[[], int] | None = None
        self.reached = False

    def attach(self, client: Any) -> None:
        # request-created fires for every attempt, botocore's retries included.
        client.meta.events.register("request-created", self._check)

    def arm(self, remaining_ms: Callable[[], int] | None) -> None:
        """Start a run that must end within `remaining_ms()`; None: no deadline (a run outside Lambda)."""
        self._remaining_ms = remaining_ms
        self.reached = False

    def seconds_left(self) -> float | None:
        """How long a wait may still last and leave the margin for a request; None: no deadline."""
        if self._remaining_ms is None:
            return None
        return max(0.0, (self._remaining_ms() - self._margin_ms) / 1000)

    def check_wait(self, seconds: float) -> None:
        """Refuse a wait (pacing) after which no request could be sent in time."""
        self._check(wait_ms=round(seconds * 1000) + WRITE_RESERVE_MS)

    def _check(self, wait_ms: int = 0, **_: Any) -> None:
        if self._remaining_ms is None:
            return
        remaining = self._remaining_ms()
        if remaining - wait_ms < self._margin_ms:
            self.reached = True
            raise DeadlineReached(remaining_ms=remaining, margin_ms=self._margin_ms + wait_ms)
