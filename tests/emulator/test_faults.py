"""Injected faults: moto answers one operation with the error AWS would send."""

from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from emulator import EmulatedAws, Fault, faults


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


def test_a_fault_can_spare_the_first_calls_and_hit_a_later_one(aws: EmulatedAws) -> None:
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    elbv2 = aws.client("elbv2")
    fault = aws.inject_fault(faults.throttling("elbv2", "RegisterTargets", skip=1, times=1))

    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.10", "Port": 61617}])
    with pytest.raises(ClientError) as raised:
        elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.11", "Port": 61617}])
    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.12", "Port": 61617}])

    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert set(aws.target_states(arn)) == {"10.0.1.10", "10.0.1.12"}
    assert (fault.seen, fault.hits) == (2, 1)


@pytest.mark.parametrize(
    ("make", "service", "code", "status"),
    [
        (faults.throttling, "mq", "TooManyRequestsException", 429),
        (faults.throttling, "elbv2", "Throttling", 400),
        (faults.throttling, "resourcegroupstaggingapi", "ThrottledException", 400),
        (faults.server_error, "mq", "InternalFailure", 500),
        (lambda service: faults.server_error(service, status=503), "elbv2", "ServiceUnavailable", 503),
        (faults.not_found, "mq", "NotFoundException", 404),
        (faults.not_found, "elbv2", "TargetGroupNotFound", 400),
        (faults.access_denied, "elbv2", "AccessDenied", 403),
        (faults.access_denied, "resourcegroupstaggingapi", "AccessDeniedException", 403),
    ],
)
def test_each_service_fails_with_its_own_code_and_status(
    aws: EmulatedAws, make: Callable[[str], Fault], service: str, code: str, status: int
) -> None:
    broker_id = aws.create_broker("orders", tags={"team": "orders"})
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    call = {
        "mq": lambda: aws.client("mq").describe_broker(BrokerId=broker_id),
        "elbv2": lambda: aws.client("elbv2").describe_target_health(TargetGroupArn=arn),
        "resourcegroupstaggingapi": lambda: aws.client("resourcegroupstaggingapi").get_resources(
            ResourceTypeFilters=["mq:broker"]
        ),
    }[service]
    aws.inject_fault(make(service))

    with pytest.raises(ClientError) as raised:
        call()

    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)


def test_a_connection_error_never_reaches_aws(aws: EmulatedAws) -> None:
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    fault = aws.inject_fault(faults.connection_error("elbv2", "RegisterTargets", match=arn))

    with pytest.raises(EndpointConnectionError):
        aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.10", "Port": 61617}])

    assert aws.target_states(arn) == {} and fault.hits == 1, "only the matching call failed"


def test_a_read_timeout_loses_the_answer_after_aws_acted(aws: EmulatedAws) -> None:
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    aws.inject_fault(faults.read_timeout("elbv2", "RegisterTargets", times=1))

    with pytest.raises(ReadTimeoutError):
        aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.10", "Port": 61617}])

    assert aws.target_states(arn) == {"10.0.1.10": "unhealthy"}, "registered, though the caller never heard so"


def test_network_faults_spare_other_services_and_operations(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    aws.inject_fault(faults.connection_error("mq", "DescribeBroker"))

    assert aws.target_states(arn) == {}
    assert aws.client("mq").list_brokers()["BrokerSummaries"][0]["BrokerId"] == broker_id
    with pytest.raises(EndpointConnectionError):
        aws.client("mq").describe_broker(BrokerId=broker_id)


def test_a_vanished_target_group_answers_as_a_deleted_one_until_it_is_back(aws: EmulatedAws) -> None:
    arns = aws.create_target_groups({"openwire": 61617, "deleted": 8162, "other": 5671})
    elbv2 = aws.client("elbv2")
    elbv2.register_targets(TargetGroupArn=arns["openwire"], Targets=[{"Id": "10.0.1.10", "Port": 61617}])
    # As on AWS, a group a listener forwards to cannot be deleted: its listener goes first.
    for balancer in elbv2.describe_load_balancers()["LoadBalancers"]:
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]:
            if listener["DefaultActions"][0]["TargetGroupArn"] == arns["deleted"]:
                elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
    elbv2.delete_target_group(TargetGroupArn=arns["deleted"])
    vanished = aws.inject_fault(faults.target_group_vanished(arns["openwire"]))

    def errors(arn: str) -> list[str]:
        codes = []
        for call in (
            lambda: elbv2.describe_target_health(TargetGroupArn=arn),
            lambda: elbv2.describe_target_groups(TargetGroupArns=[arn]),
            lambda: elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.11"}]),
        ):
            with pytest.raises(ClientError) as raised:
                call()
            codes.append(raised.value.response["Error"]["Code"])
        return codes

    assert errors(arns["openwire"]) == errors(arns["deleted"]) == ["TargetGroupNotFound"] * 3
    assert aws.target_states(arns["other"]) == {}, "another group still answers"
    aws.remove_fault(vanished)
    assert set(aws.target_states(arns["openwire"])) == {"10.0.1.10"}
