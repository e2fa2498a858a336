"""The Amazon MQ adapter: what DescribeBroker says of each broker, a missing broker told apart from a failed call,
and every request (retries included) paced under the account's throttle.

The pacing listens where botocore creates each request, which a Stubber never
reaches: those tests answer over a fake HTTP transport instead, so that
botocore's own retries run as they would against AWS.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.retries.standard import ExponentialBackoff
from botocore.stub import Stubber

from reconciler.adapters.amazon_mq import BrokerDirectory
from reconciler.adapters.deadline import MARGIN_MS, Deadline
from reconciler.adapters.pacing import TokenBucket
from tests.unit.adapters.aws import answer_requests, aws_clients, stubbed

IDS = [f"b-{n}234abcd-56ef-78ab-90cd-ef1234567890" for n in range(1, 7)]


class CountingBucket(TokenBucket):
    """A token bucket that counts the tokens taken; by default it never makes anyone wait."""

    def __init__(self, rate: float = 1000, burst: int = 1000, **timing: Any) -> None:
        super().__init__(rate, burst, **timing)
        self.taken = 0
        self._count = threading.Lock()

    def acquire(self, before_wait: Callable[[float], None] | None = None) -> None:
        with self._count:
            self.taken += 1
        super().acquire(before_wait)


class Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


class MqOverHttp:
    """DescribeBroker as Amazon MQ answers it on the wire: for each broker, its queued answers in turn."""

    def __init__(self, answers: dict[str, list[int]]) -> None:
        # broker id -> the HTTP status of each answer: 200 describes it, 404 says it does not exist, 500 fails.
        self._answers = answers
        self._lock = threading.Lock()
        self.sent: list[str] = []

    def __call__(self, request: AWSPreparedRequest) -> AWSResponse:
        broker_id = request.url.rsplit("/", 1)[-1]
        with self._lock:
            self.sent.append(broker_id)
            status = self._answers[broker_id].pop(0)
        headers = {"Content-Type": "application/json"}
        if status == 200:
            body: dict[str, Any] = {
                "brokerId": broker_id,
                "brokerName": f"name-{broker_id[2]}",
                "brokerState": "RUNNING",
            }
        else:
            headers["x-amzn-ErrorType"] = {404: "NotFoundException", 500: "InternalServerErrorException"}[status]
            body = {"message": "from the fake transport"}
        return AWSResponse(request.url, status, headers, Body(json.dumps(body).encode()))


@pytest.fixture
def mq() -> Iterator[tuple[Any, Stubber]]:
    client = aws_clients().mq
    with stubbed(client) as stubber:
        yield client, stubber


def test_each_broker_is_described_once_by_its_id(mq: tuple[Any, Stubber]) -> None:
    client, stub = mq
    for broker_id in IDS[:2]:
        stub.add_response("describe_broker", {"BrokerId": broker_id, "BrokerName": "orders"}, {"BrokerId": broker_id})

    # One worker: the Stubber answers in order, and the ids are asked in sorted order.
    described = BrokerDirectory(client, CountingBucket(), workers=1).describe([IDS[1], IDS[0], IDS[1]])

    assert sorted(described) == IDS[:2]
    assert all(d.broker_id == b and d.name == "orders" and not d.problem for b, d in described.items())


@pytest.mark.parametrize(
    ("code", "status", "missing"),
    [("NotFoundException", 404, True), ("BadRequestException", 400, False), ("ForbiddenException", 403, False)],
)
def test_only_not_found_says_a_broker_is_missing(
    mq: tuple[Any, Stubber], code: str, status: int, missing: bool
) -> None:
    """A missing broker owns nothing any more; a call that failed for another reason tells nothing of the broker."""
    client, stub = mq
    stub.add_client_error("describe_broker", code, "said Amazon MQ", status, expected_params={"BrokerId": IDS[0]})

    described = BrokerDirectory(client, CountingBucket(), workers=1).describe([IDS[0]])[IDS[0]]

    assert described.missing is missing and described.answer is None
    assert described.problem == ("" if missing else f"{code}: said Amazon MQ")


def directory_over_http(
    answers: dict[str, list[int]], bucket: TokenBucket, workers: int, deadline: Deadline | None = None
) -> tuple[BrokerDirectory, MqOverHttp]:
    """The directory as the reconciler wires it: its client's requests checked against the deadline, if one is given."""
    client = aws_clients().mq
    transport = MqOverHttp(answers)
    answer_requests(client, transport)
    if deadline:
        deadline.attach(client)
    return BrokerDirectory(client, bucket, workers=workers, deadline=deadline), transport


def test_every_request_takes_a_token_retries_included(monkeypatch: pytest.MonkeyPatch) -> None:
    """The account's throttle counts botocore's retries too: a retry that skipped the bucket would overrun it."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda *_: 0.0)  # botocore's backoff, up to 3 s here
    bucket = CountingBucket()
    answers = {b: [200] for b in IDS}
    answers[IDS[0]] = [500, 500, 200]  # standard mode: three attempts
    answers[IDS[1]] = [404]
    directory, transport = directory_over_http(answers, bucket, workers=4)

    described = directory.describe(IDS)

    assert sorted(transport.sent) == sorted([IDS[0], IDS[0], *IDS])
    assert bucket.taken == len(transport.sent) == 8
    assert described[IDS[0]].name == f"name-{IDS[0][2]}" and described[IDS[1]].missing
    assert all(described[b].state == "RUNNING" for b in IDS[2:])


def test_a_pacing_wait_past_the_deadline_is_not_begun() -> None:
    """The run must keep time to report and to write: the broker is left undescribed, and says why."""
    slept: list[float] = []
    bucket = CountingBucket(rate=1, burst=1, clock=lambda: 0.0, sleep=slept.append)
    deadline = Deadline()
    deadline.arm(lambda: MARGIN_MS + 2_000)  # the second request would wait 1 s, plus the writes' reserve: 4 s
    directory, transport = directory_over_http({b: [200] for b in IDS[:2]}, bucket, workers=1, deadline=deadline)

    described = directory.describe(IDS[:2])

    assert transport.sent == [IDS[0]] and not slept and deadline.reached
    assert described[IDS[0]].name and described[IDS[1]].answer is None
    assert described[IDS[1]].problem.startswith("DeadlineReached: not sent")


def test_a_request_whose_pacing_wait_overran_is_checked_against_the_deadline_again() -> None:
    """The pacing listens on `request-created.mq`, the Deadline on `request-created`: botocore calls the more specific
    first, so the request is checked after its wait, whichever was attached first."""
    now = [0.0]

    def overrunning_sleep(seconds: float) -> None:
        now[0] += 20 * seconds

    bucket = CountingBucket(rate=1, burst=1, clock=lambda: now[0], sleep=overrunning_sleep)
    deadline = Deadline()
    deadline.arm(lambda: round(30_000 - now[0] * 1000))  # 30 s left: the 1 s wait is begun, and lasts 20 s
    directory, transport = directory_over_http({b: [200] for b in IDS[:2]}, bucket, workers=1, deadline=deadline)

    described = directory.describe(IDS[:2])

    assert transport.sent == [IDS[0]] and bucket.taken == 2
    assert described[IDS[1]].problem.startswith("DeadlineReached: not sent: 10000 ms")
