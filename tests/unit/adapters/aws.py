"""The reconciler's own clients for the adapter tests, and a run's deadline falling on a chosen call.

Stubber answers a call at `before-call`, before botocore creates the request,
so `request-created`, where the Deadline and the pacing listen, never fires
under it. `deadline_falls_on` raises DeadlineReached at the start of the call
instead, which the adapter meets exactly as it meets the Deadline's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.stub import Stubber

from reconciler.adapters.clients import AwsClients, create_clients
from reconciler.adapters.deadline import MARGIN_MS, DeadlineReached

REGION = "eu-west-1"
ACCOUNT = "123456789012"
VPC = "vpc-0123456789abcdef0"


# One session for every test: it loads each service's model once, which makes a client ten times faster to build.
_SESSION = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


def aws_clients() -> AwsClients:
    """The clients as the reconciler builds them (standard retries, timeouts), with made-up credentials."""
    clients = create_clients(REGION, pool_size=4, session=_SESSION)
    for client in (clients.mq, clients.elbv2, clients.tagging, clients.ec2):
        client.meta.events.register("before-send", _refuse_to_send)
    return clients


@contextmanager
def stubbed(client: Any) -> Iterator[Stubber]:
    """The client answered by a Stubber, every answer queued in it used by the end."""
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def deadline_falls_on(client: Any, call: int) -> None:
    """The client's `call`-th call (1 for the first) and every later one are not sent: the run's deadline is near."""
    calls = 0

    def check(**_: Any) -> None:
        nonlocal calls
        calls += 1
        if calls >= call:
            raise DeadlineReached(remaining_ms=MARGIN_MS - 1, margin_ms=MARGIN_MS)

    # provide-client-params comes before Stubber's own check of the parameters: a call not sent needs no answer.
    client.meta.events.register("provide-client-params", check)


def answer_requests(client: Any, transport: Callable[[AWSPreparedRequest], AWSResponse]) -> None:
    """Let the client's requests be created, signed and retried as for AWS, and answer them with `transport`."""
    client.meta.events.unregister("before-send", _refuse_to_send)
    client.meta.events.register("before-send", lambda request, **_: transport(request))


def _refuse_to_send(**_: Any) -> None:
    raise AssertionError("a request would have left for AWS: every call in these tests is answered by a stub")
