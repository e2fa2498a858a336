"""Emulator support for counting: which AWS calls moto served, and when.

What a run costs is what AWS would see, so calls are counted on the server
side, one per request moto answers: a botocore retry is a second call, and a
call answered by an injected fault (emulator/faults.py) is counted too, as
AWS counts a throttled call against the budget. The hook (moto_patches) wraps
moto's BaseResponse.call_action, through which every service goes, in-process
(mock_aws) or over HTTP (ThreadedMotoServer).

    with EmulatedAws() as aws:
        ...                                # setup: not counted
        with recording_api_calls() as calls:
            run_the_reconciler()
        calls.count("mq", "DescribeBroker")

Open it inside an EmulatedAws: the hook is one of its patches, and counts
nothing while no recording is open.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import Lock


@dataclass(frozen=True)
class ApiCall:
    service: str  # boto3 client name: mq, elbv2, resourcegroupstaggingapi
    operation: str  # API name: DescribeBroker, RegisterTargets...
    started: float  # time.monotonic() when moto began to serve it
    status: int  # HTTP status of the answer (429: throttled)


@dataclass
class ApiCallLog:
    """The calls served while a recording_api_calls() block was open, in arrival order."""

    calls: list[ApiCall] = field(default_factory=list)
    _lock: Lock = field(default_factory=Lock, repr=False)

    def add(self, call: ApiCall) -> None:
        with self._lock:  # the reconciler describes brokers from several threads
            self.calls.append(call)

    def by_operation(self) -> Counter[str]:
        """Operation name -> how many calls (names are unique across the services we use)."""
        return Counter(call.operation for call in self.calls)

    def count(self, service: str, operation: str) -> int:
        return sum(1 for call in self.calls if (call.service, call.operation) == (service, operation))

    def times(self, service: str, operation: str) -> list[float]:
        """When each call of the operation started to be served, in order."""
        return sorted(call.started for call in self.calls if (call.service, call.operation) == (service, operation))


_logs: list[ApiCallLog] = []
_logs_lock = Lock()


def served(call: ApiCall) -> None:
    """moto served a call: every recording open takes it."""
    with _logs_lock:
        logs = list(_logs)
    for log in logs:
        log.add(call)


@contextmanager
def recording_api_calls() -> Iterator[ApiCallLog]:
    """Record every call moto serves while the block is open."""
    log = ApiCallLog()
    with _logs_lock:
        _logs.append(log)
    try:
        yield log
    finally:
        with _logs_lock:
            _logs.remove(log)
