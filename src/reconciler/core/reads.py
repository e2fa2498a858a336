"""One read of AWS, and the problem that kept it from being whole: the one shape every adapter answers in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """What a read gave, or why it gave nothing the plan may trust.

    A failed read is unknown, never empty: `value` is then None, or the part
    read before the failure where that part is safe to use on its own (the
    configured brokers of a scope whose tag listing failed).
    """

    value: T | None
    problem: str | None = None
    # Not sent, or stopped, because the run's deadline was near: unresolved rather than failed.
    cut_short: bool = False

    @classmethod
    def failed(cls, problem: str, *, cut_short: bool = False, value: T | None = None) -> Read[T]:
        return cls(value, problem, cut_short)
