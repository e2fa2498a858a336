"""RegisterTargets past a target group's quota fails whole with TooManyTargets, as AWS answers it."""

import ipaddress

import pytest
from botocore.exceptions import ClientError

from emulator import EmulatedAws

QUOTA_MESSAGE = "You've reached the limit on the number of targets."


def _group(aws: EmulatedAws) -> str:
    return aws.create_target_groups({"openwire": 61617})["openwire"]


def _register(aws: EmulatedAws, arn: str, ips: list[str]) -> None:
    for start in range(0, len(ips), 200):
        aws.client("elbv2").register_targets(
            TargetGroupArn=arn, Targets=[{"Id": ip, "Port": 61617} for ip in ips[start : start + 200]]
        )


def _refused(aws: EmulatedAws, arn: str, ips: list[str]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        _register(aws, arn, ips)
    error, meta = raised.value.response["Error"], raised.value.response["ResponseMetadata"]
    return error["Code"], meta["HTTPStatusCode"], error["Message"]


def _addresses(count: int) -> list[str]:
    """Addresses inside the emulated VPC's subnets (10.0.1.0/24, 10.0.2.0/24, 10.0.101.0/24, 10.0.102.0/24)."""
    subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.101.0/24", "10.0.102.0/24"]
    return [str(ip) for subnet in subnets for ip in ipaddress.ip_network(subnet)][:count]


def test_a_group_takes_a_thousand_targets_and_refuses_the_next_call_whole(aws: EmulatedAws) -> None:
    arn = _group(aws)
    ips = _addresses(1002)
    _register(aws, arn, ips[:1000])

    assert _refused(aws, arn, ips[1000:]) == ("TooManyTargets", 400, QUOTA_MESSAGE)
    assert len(aws.target_states(arn)) == 1000, "neither of the call's two targets went in"
    _register(aws, arn, ips[:200])  # registering targets already in adds none: accepted


def test_a_lowered_quota_refuses_a_call_that_would_pass_it_and_accepts_targets_already_in(aws: EmulatedAws) -> None:
    arn = _group(aws)
    aws.set_target_quota(arn, 3)
    _register(aws, arn, ["10.0.1.10", "10.0.1.11"])

    assert _refused(aws, arn, ["10.0.1.12", "10.0.1.13"])[0] == "TooManyTargets"
    assert set(aws.target_states(arn)) == {"10.0.1.10", "10.0.1.11"}
    _register(aws, arn, ["10.0.1.10", "10.0.1.12"])
    assert set(aws.target_states(arn)) == {"10.0.1.10", "10.0.1.11", "10.0.1.12"}


@pytest.mark.parametrize("draining_counts", [True, False])
def test_whether_draining_targets_count_against_the_quota_is_a_switch(aws: EmulatedAws, draining_counts: bool) -> None:
    arn = _group(aws)
    aws.set_target_quota(arn, 3, draining_counts=draining_counts)
    _register(aws, arn, ["10.0.1.10", "10.0.1.11", "10.0.1.12"])
    aws.client("elbv2").deregister_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.12", "Port": 61617}])
    aws.set_target_state(arn, "10.0.1.12", "draining")

    if draining_counts:
        assert _refused(aws, arn, ["10.0.1.13"])[0] == "TooManyTargets"
    else:
        _register(aws, arn, ["10.0.1.13"])
    assert aws.target_states(arn)["10.0.1.12"] == "draining"


def test_a_draining_target_registered_again_fits_whether_or_not_it_counts(aws: EmulatedAws) -> None:
    arn = _group(aws)
    for draining_counts in (True, False):
        aws.set_target_quota(arn, 2, draining_counts=draining_counts)
        _register(aws, arn, ["10.0.1.10", "10.0.1.11"])
        aws.client("elbv2").deregister_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.1.11", "Port": 61617}])
        aws.set_target_state(arn, "10.0.1.11", "draining")

        _register(aws, arn, ["10.0.1.11"])

        assert aws.target_states(arn) == {"10.0.1.10": "unhealthy", "10.0.1.11": "unhealthy"}
