"""Injected faults: moto answers one operation with the error AWS would send."""

import pytest
from botocore.exceptions import ClientError

from emulator import EmulatedAws, Fault


def test_a_throttled_broker_cannot_be_described_while_others_can(aws: EmulatedAws) -> None:
    throttled, fine = aws.create_broker("orders"), aws.create_broker("billing")
    mq = aws.client("mq")

    fault = aws.throttle_broker(throttled)

    with pytest.raises(ClientError) as raised:
        mq.describe_broker(BrokerId=throttled)
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert mq.describe_broker(BrokerId=fine)["BrokerState"] == "RUNNING"
    assert fault.hits == 1


def test_a_removed_fault_no_longer_applies(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")

    aws.remove_fault(aws.throttle_broker(broker_id))

    assert aws.client("mq").describe_broker(BrokerId=broker_id)["BrokerId"] == broker_id


def test_a_counted_fault_fails_only_that_many_calls(aws: EmulatedAws) -> None:
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    elbv2 = aws.client("elbv2")
    aws.inject_fault(Fault(service="elbv2", operation="DescribeTargetHealth", code="Throttling", status=400, times=1))

    with pytest.raises(ClientError) as raised:
        elbv2.describe_target_health(TargetGroupArn=arn)

    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"] == []
