"""EmulatedAws patches moto only while it is open, and refuses to run anywhere but on moto."""

import boto3
import pytest
from moto import mock_aws

from emulator import EmulatedAws

REGION = "eu-west-1"


def test_builds_a_vpc_with_private_and_public_subnets_in_two_azs(aws: EmulatedAws) -> None:
    subnets = aws.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [aws.vpc_id]}])["Subnets"]

    by_id = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
    assert len({by_id[s] for s in aws.private_subnets}) == 2
    assert len({by_id[s] for s in aws.public_subnets}) == 2


def test_moto_answers_as_before_once_the_emulator_has_exited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        with EmulatedAws(region=REGION) as aws:
            with EmulatedAws(region=REGION):  # nested: patches installed once
                pass
            aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})
            arn = aws.create_target_groups({"openwire": 61617})["openwire"]
            boto3.client("elbv2", region_name=REGION).register_targets(
                TargetGroupArn=arn, Targets=[{"Id": "10.0.1.250"}]
            )
            assert aws.target_states(arn) == {"10.0.1.250": "unhealthy"}

        elbv2 = boto3.client("elbv2", region_name=REGION)
        described = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        listed = boto3.client("resourcegroupstaggingapi", region_name=REGION).get_resources(
            ResourceTypeFilters=["mq:broker"]
        )["ResourceTagMappingList"]

    assert [d["TargetHealth"]["State"] for d in described] == ["healthy"]
    assert listed == []


def test_refuses_to_run_unless_boto3_goes_to_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://mq.eu-west-1.amazonaws.com")

    with pytest.raises(RuntimeError, match="needs moto"):
        EmulatedAws(region=REGION).__enter__()
