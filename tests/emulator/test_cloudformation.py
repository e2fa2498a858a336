"""Stacks build what their template says where moto alone would not (the CloudFormation patches, moto_patches.py)."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import EmulatedAws

LAYER_PARAMETER = "/aws/service/powertools/python/x86_64/python3.13/3.37.0"


def _template(aws: EmulatedAws) -> dict[str, Any]:
    return {
        "Parameters": {
            "WithAmqp": {"Type": "String", "Default": "false"},
            "Layer": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": LAYER_PARAMETER},
        },
        "Conditions": {"Amqp": {"Fn::Equals": [{"Ref": "WithAmqp"}, "true"]}},
        "Resources": {
            "Clients": {
                "Type": "AWS::EC2::PrefixList",
                "Properties": {
                    "PrefixListName": "clients",
                    "AddressFamily": "IPv4",
                    "MaxEntries": 2,
                    "Entries": [{"Cidr": "203.0.113.0/24", "Description": "clients"}],
                },
            },
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "load balancer",
                    "VpcId": aws.vpc_id,
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 61617, "ToPort": 61617, "CidrIp": "203.0.113.0/24"},
                        {
                            "Fn::If": [
                                "Amqp",
                                {"IpProtocol": "tcp", "FromPort": 5671, "ToPort": 5671, "CidrIp": "203.0.113.0/24"},
                                {"Ref": "AWS::NoValue"},
                            ]
                        },
                    ],
                },
            },
            "Balancer": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Type": "network",
                    "Subnets": aws.public_subnets,
                    "LoadBalancerAttributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
                },
            },
            "Targets": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"TargetType": "ip", "Protocol": "TCP", "Port": 61617, "VpcId": aws.vpc_id},
            },
            "NoHealthyTarget": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Namespace": "AWS/NetworkELB",
                    "MetricName": "HealthyHostCount",
                    "Dimensions": [
                        {"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["Balancer", "LoadBalancerFullName"]}},
                        {"Name": "TargetGroup", "Value": {"Fn::GetAtt": ["Targets", "TargetGroupFullName"]}},
                    ],
                    "Statistic": "Minimum",
                    "Period": 60,
                    "EvaluationPeriods": 3,
                    "Threshold": 1,
                    "ComparisonOperator": "LessThanThreshold",
                },
            },
            "DeadLetters": {"Type": "AWS::SQS::Queue"},
            "DeadLettersPolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "DeadLetters"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}],
                    },
                },
            },
        },
        "Outputs": {
            "ZoneId": {"Value": {"Fn::GetAtt": ["Balancer", "CanonicalHostedZoneID"]}},
            "Layer": {"Value": {"Ref": "Layer"}},
            "GroupId": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}},
            "PrefixListId": {"Value": {"Ref": "Clients"}},
            "Queue": {"Value": {"Ref": "DeadLetters"}},
        },
    }


def _deploy(aws: EmulatedAws) -> dict[str, str]:
    aws.publish_public_parameter(LAYER_PARAMETER, "arn:aws:lambda:eu-west-1:017000801446:layer:Powertools:18")
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(StackName="s", TemplateBody=json.dumps(_template(aws)))
    stack = cloudformation.describe_stacks(StackName="s")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def test_a_network_load_balancer_is_built_as_declared(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)

    balancer = aws.client("elbv2").describe_load_balancers()["LoadBalancers"][0]
    attributes = aws.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])
    assert balancer["Type"] == "network"
    assert ":loadbalancer/net/" in balancer["LoadBalancerArn"]
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "true"} in attributes["Attributes"]
    assert outputs["ZoneId"] == "Z2IFOLAFXWLO4F"  # NLBs in eu-west-1


def test_no_value_drops_the_list_item(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)

    group = aws.client("ec2").describe_security_groups(GroupIds=[outputs["GroupId"]])["SecurityGroups"][0]
    assert [rule["FromPort"] for rule in group["IpPermissions"]] == [61617]


def test_a_prefix_list_is_created_and_referenced_by_its_id(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)

    entries = aws.client("ec2").get_managed_prefix_list_entries(PrefixListId=outputs["PrefixListId"])["Entries"]
    assert outputs["PrefixListId"].startswith("pl-")
    assert [e["Cidr"] for e in entries] == ["203.0.113.0/24"]


def test_alarms_and_queue_policies_are_created_from_their_properties(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)

    (alarm,) = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    policy = aws.client("sqs").get_queue_attributes(QueueUrl=outputs["Queue"], AttributeNames=["Policy"])["Attributes"]
    assert dimensions["LoadBalancer"].startswith("net/")
    assert dimensions["TargetGroup"].startswith("targetgroup/")
    assert json.loads(policy["Policy"])["Statement"][0]["Effect"] == "Deny"


def test_a_public_parameter_resolves_as_on_aws(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)

    assert outputs["Layer"].endswith(":layer:Powertools:18")
    assert aws.client("ssm").get_parameter(Name=LAYER_PARAMETER)["Parameter"]["Value"] == outputs["Layer"]


def _refusing_template() -> dict[str, Any]:
    return {
        "Parameters": {
            "Mode": {"Type": "String", "Default": "a", "AllowedValues": ["a", "b", "c"]},
            "Name": {
                "Type": "String",
                "Default": "q",
                "AllowedPattern": "^[a-z]+$",
                "ConstraintDescription": "lower-case letters",
            },
        },
        "Rules": {
            "NotC": {
                "Assertions": [
                    {
                        "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Mode"}, "c"]}]},
                        "AssertDescription": "Mode c needs another stack.",
                    }
                ]
            }
        },
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
    }


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"Mode": "d"}, "Parameter 'Mode' must be one of AllowedValues"),
        ({"Name": "Q1"}, "Parameter 'Name' failed to satisfy constraint: lower-case letters"),
        ({"Mode": "c"}, "Mode c needs another stack."),
        ({"Other": "x"}, "do not exist in the template"),
    ],
    ids=["allowed-values", "pattern", "rule", "unknown"],
)
def test_parameters_and_rules_cloudformation_refuses_are_refused_before_anything_exists(
    aws: EmulatedAws, parameters: dict[str, str], message: str
) -> None:
    cloudformation = aws.client("cloudformation")
    with pytest.raises(ClientError, match=message) as refused:
        cloudformation.create_stack(
            StackName="s",
            TemplateBody=json.dumps(_refusing_template()),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )

    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []


def test_an_update_that_breaks_a_rule_changes_nothing(aws: EmulatedAws) -> None:
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(StackName="s", TemplateBody=json.dumps(_refusing_template()))

    with pytest.raises(ClientError, match="Mode c needs another stack."):
        cloudformation.update_stack(
            StackName="s", UsePreviousTemplate=True, Parameters=[{"ParameterKey": "Mode", "ParameterValue": "c"}]
        )

    (stack,) = cloudformation.describe_stacks(StackName="s")["Stacks"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["Mode"] == "a"


def test_a_parameter_update_reaches_what_depends_on_it_only_through_a_condition(aws: EmulatedAws) -> None:
    outputs = _deploy(aws)
    cloudformation = aws.client("cloudformation")

    cloudformation.update_stack(
        StackName="s",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "WithAmqp", "ParameterValue": "true"},
            {"ParameterKey": "Layer", "UsePreviousValue": True},
        ],
    )

    group_id = {
        o["OutputKey"]: o["OutputValue"] for o in cloudformation.describe_stacks(StackName="s")["Stacks"][0]["Outputs"]
    }["GroupId"]
    group = aws.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert sorted(rule["FromPort"] for rule in group["IpPermissions"]) == [5671, 61617], outputs
