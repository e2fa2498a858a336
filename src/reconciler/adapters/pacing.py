"""Client-side pacing: a token bucket shared by the threads of one sweep.

Amazon MQ throttles every API of an account together (about 15 requests/s,
burst 100), so a sweep takes only part of that budget and leaves the rest to
whoever else uses the account.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self, before_wait: Callable[[float], None] | None = None) -> None:
        """Block until one request may be sent.

        The token is taken at once, possibly into debt, and the caller sleeps
        the debt off: callers queue in arrival order and the clock always moves.
        `before_wait(seconds)` may refuse the wait by raising (the run's
        deadline): the token is then given back.
        """
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate) - 1
            self._updated = now
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait and before_wait is not None:
            try:
                before_wait(wait)
            except BaseException:
                with self._lock:
                    self._tokens += 1
                raise
        if wait:
            self._sleep(wait)
