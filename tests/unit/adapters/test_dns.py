"""The DNS adapter, with a resolver of the test's own: every lookup at once, and one that fails, hangs or would start
too close to the run's deadline leaves its broker unresolved without holding up the others."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence

import pytest

from reconciler.adapters import dns
from reconciler.adapters.dns import resolve_all
from reconciler.core.endpoints import Resolution

FAST = "b-1.mq.eu-west-1.amazonaws.com"
SLOW = "b-2.mq.eu-west-1.amazonaws.com"


class Resolver:
    """Answers FAST at once; SLOW only once `release` is set (or after 5 s); any other name is unknown."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked: list[str] = []

    def __call__(self, hostname: str) -> Sequence[str]:
        self.asked.append(hostname)
        if hostname == SLOW:
            self.release.wait(5)
            return ["10.0.2.10"]
        if hostname == FAST:
            return ["10.0.1.11", "10.0.1.10", "10.0.1.11"]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_answers_come_back_sorted_once_each_and_failures_as_problems() -> None:
    resolved = resolve_all(Resolver(), {"fast": FAST, "unknown": "nowhere.invalid"})

    assert resolved["fast"] == Resolution(FAST, ("10.0.1.10", "10.0.1.11"))
    assert resolved["unknown"].addresses == () and resolved["unknown"].problem.startswith("gaierror")


def test_a_name_the_system_resolver_cannot_encode_is_a_problem_not_a_crash() -> None:
    """A label of more than 63 characters fails in the IDNA codec, before any lookup: nothing leaves the machine."""
    hostname = "x" * 64 + ".mq.eu-west-1.amazonaws.com"

    resolved = resolve_all(dns.system_resolver, {"b": hostname})

    # UnicodeError under Python 3.11, UnicodeEncodeError (one of its kind) under 3.13.
    assert resolved["b"].addresses == () and "too long" in resolved["b"].problem


def test_every_lookup_runs_at_once() -> None:
    """Each of these lookups answers only while the other is under way: one after the other, both would fail."""
    together = threading.Barrier(2, timeout=5)

    def resolver(hostname: str) -> Sequence[str]:
        try:
            together.wait()
        except threading.BrokenBarrierError as error:
            raise OSError("looked up alone") from error
        return ["10.0.1.10"]

    resolved = resolve_all(resolver, {"a": FAST, "b": SLOW})

    assert [r.problem for r in resolved.values()] == ["", ""]


@pytest.mark.parametrize("limit", ["timeout", "deadline"])
def test_a_lookup_that_hangs_is_given_up_the_others_answer(monkeypatch: pytest.MonkeyPatch, limit: str) -> None:
    """The lookup is waited for no longer than the timeout, or the time the run's deadline leaves if that is less."""
    if limit == "timeout":
        monkeypatch.setattr(dns, "TIMEOUT_SECONDS", 0.2)
    resolver = Resolver()

    try:
        resolved = resolve_all(resolver, {"fast": FAST, "slow": SLOW}, seconds_left=100 if limit == "timeout" else 0.2)
    finally:
        resolver.release.set()

    assert resolved["fast"].addresses == ("10.0.1.10", "10.0.1.11")
    assert resolved["slow"] == Resolution(SLOW, problem="no answer within 0.2 s")


def test_no_lookup_starts_when_the_deadline_is_near() -> None:
    resolver = Resolver()

    resolved = resolve_all(resolver, {"fast": FAST, "slow": SLOW}, seconds_left=0)

    assert resolver.asked == []
    assert {r.problem for r in resolved.values()} == {"not looked up: the run's deadline is near"}
