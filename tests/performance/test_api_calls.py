"""The call recorder counts what moto serves inside its block: retries and throttled answers too, setup never."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.world import emulated_account
from emulator import EmulatedAws, Fault
from emulator.api_calls import recording_api_calls


@pytest.fixture(scope="module")
def aws() -> Iterator[EmulatedAws]:
    with emulated_account() as emulated:
        yield emulated


def test_only_calls_made_inside_the_block_are_counted(aws: EmulatedAws) -> None:
    broker = aws.create_broker("orders")
    mq = aws.client("mq")

    with recording_api_calls() as log:
        mq.describe_broker(BrokerId=broker)
        mq.list_brokers()
    mq.describe_broker(BrokerId=broker)

    assert log.by_operation() == {"DescribeBroker": 1, "ListBrokers": 1}
    assert [call.service for call in log.calls] == ["mq", "mq"]


def test_a_retried_throttle_is_two_calls_and_the_first_answer_was_429(aws: EmulatedAws) -> None:
    broker = aws.create_broker("orders")
    aws.inject_fault(Fault(service="mq", operation="DescribeBroker", match=broker, times=1))

    with recording_api_calls() as log:
        aws.client("mq").describe_broker(BrokerId=broker)  # botocore retries the throttle (AWS_MAX_ATTEMPTS unset)

    assert [call.status for call in log.calls] == [429, 200]
    assert log.count("mq", "DescribeBroker") == 2
