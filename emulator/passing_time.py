"""Time passing between the runs of a story: its sweeps are a minute apart, though it tells them in a second.

The reconciler reads time.monotonic() when it judges a removal that rests on
listings alone: such an address goes only when a listing at least a minute
after the first still shows it free (src/reconciler/memory.py). A story that
runs its sweeps back to back would never see one go. While a PassingTime is
open, the reconciler's clock is the real one plus the minutes the story has
let pass; durations within a run are untouched.
"""

import time
from types import ModuleType

import reconciler.reconcile


class PassingTime:
    def __init__(self) -> None:
        self.offset = 0.0
        self._real: ModuleType | None = None

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def minute_passes(self) -> None:
        self.offset += 60.0

    def __enter__(self) -> "PassingTime":
        self._real = reconciler.reconcile.time
        reconciler.reconcile.time = self  # type: ignore[assignment]
        return self

    def __exit__(self, *exc_info: object) -> None:
        reconciler.reconcile.time = self._real  # type: ignore[assignment]
