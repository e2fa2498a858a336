"""DNS, read: what a RabbitMQ broker's hostname resolves to. The resolver is passed in, so tests give their own.

The answer is never evidence by itself: each address must be confirmed as an
interface of an Amazon MQ-managed VPC endpoint by EC2 (endpoints.tie_by_dns),
and a lookup that fails or times out only leaves the broker unresolved.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait

from reconciler.core.endpoints import Resolution

# hostname -> its IPv4 addresses; raises OSError (socket.gaierror...) when it cannot answer.
Resolver = Callable[[str], Sequence[str]]

# A lookup slower than this counts as failed; the run goes on without it.
TIMEOUT_SECONDS = 5.0
WORKERS = 8


def system_resolver(hostname: str) -> list[str]:
    """The function's own resolver (Lambda's, outside any VPC: public DNS)."""
    answers = socket.getaddrinfo(hostname, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    return sorted({str(answer[4][0]) for answer in answers})


def resolve_all(
    resolver: Resolver, hostnames: Mapping[str, str], seconds_left: float | None = None
) -> dict[str, Resolution]:
    """key -> what its hostname resolved to; every lookup at once, none waited for longer than TIMEOUT_SECONDS or
    `seconds_left` (the run's deadline): with no time left, none is started."""
    if not hostnames:
        return {}
    timeout = TIMEOUT_SECONDS if seconds_left is None else min(TIMEOUT_SECONDS, seconds_left)
    if timeout <= 0:
        return {
            key: Resolution(host, problem="not looked up: the run's deadline is near")
            for key, host in hostnames.items()
        }
    pool = ThreadPoolExecutor(max_workers=min(WORKERS, len(hostnames)))
    futures = {key: pool.submit(_lookup, resolver, host) for key, host in hostnames.items()}
    wait(futures.values(), timeout=timeout)
    # A lookup still running is abandoned, not waited for: its thread ends on its own.
    pool.shutdown(wait=False, cancel_futures=True)
    return {
        key: future.result()
        if future.done() and not future.cancelled()
        else Resolution(hostnames[key], problem=f"no answer within {timeout:g} s")
        for key, future in futures.items()
    }


def _lookup(resolver: Resolver, hostname: str) -> Resolution:
    try:
        return Resolution(hostname, tuple(sorted(set(resolver(hostname)))))
    except (OSError, UnicodeError) as error:
        return Resolution(hostname, problem=f"{type(error).__name__}: {error}")
