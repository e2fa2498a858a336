"""The small CloudFormation evaluator the template tests stand on."""

import pytest
import samstack


def make_stack(**parameters: str) -> samstack.Stack:
    template = {
        "Parameters": {
            "Flag": {"Type": "String"},
            "Items": {"Type": "String"},
            "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
        },
        "Conditions": {
            "FlagOn": {"Fn::Equals": [{"Ref": "Flag"}, "true"]},
            "FlagOff": {"Fn::Not": [{"Condition": "FlagOn"}]},
            "Both": {"Fn::And": [{"Condition": "FlagOn"}, {"Fn::Equals": [{"Ref": "Items"}, "a,b"]}]},
            "Either": {"Fn::Or": [{"Condition": "FlagOn"}, {"Fn::Equals": [{"Ref": "Items"}, "a,b"]}]},
        },
        "Resources": {
            "Always": {"Type": "AWS::SQS::Queue"},
            "Sometimes": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Condition": "FlagOn"},
        },
        "Outputs": {"Only": {"Condition": "FlagOn", "Value": {"Ref": "Sometimes"}}},
    }
    return samstack.Stack(template, {"Flag": "false", "Items": "a,b", "Subnets": "s-1,s-2", **parameters})


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("true", {"FlagOn": True, "FlagOff": False, "Both": True, "Either": True}),
        ("false", {"FlagOn": False, "FlagOff": True, "Both": False, "Either": True}),
    ],
)
def test_conditions_follow_the_parameters(flag: str, expected: dict[str, bool]) -> None:
    stack = make_stack(Flag=flag)
    assert {name: stack.condition(name) for name in expected} == expected


def test_fn_if_with_no_value_drops_the_list_item_and_the_key() -> None:
    stack = make_stack(Flag="false")
    node = {
        "List": ["x", {"Fn::If": ["FlagOn", "y", {"Ref": "AWS::NoValue"}]}],
        "Key": {"Fn::If": ["FlagOn", "y", {"Ref": "AWS::NoValue"}]},
    }
    assert stack.resolve(node) == {"List": ["x"]}


def test_join_leaves_no_empty_item_where_no_value_was() -> None:
    stack = make_stack(Flag="false")
    joined = {"Fn::Join": [",", ["x", {"Fn::If": ["FlagOn", "y", {"Ref": "AWS::NoValue"}]}, "z"]]}
    assert stack.resolve(joined) == "x,z"


def test_split_select_sub_and_list_parameters() -> None:
    stack = make_stack()
    assert stack.resolve({"Fn::Select": [1, {"Fn::Split": [",", {"Ref": "Items"}]}]}) == "b"
    assert stack.resolve({"Ref": "Subnets"}) == ["s-1", "s-2"]
    assert stack.resolve({"Fn::Sub": "${AWS::StackName}/${Items}/${Always.Arn}"}) == "mq-endpoint/a,b/Always.Arn"
    assert stack.resolve({"Fn::Sub": ["${X}-${AWS::Region}", {"X": {"Ref": "Flag"}}]}) == "false-eu-west-1"


def test_conditional_resources_and_outputs_exist_only_when_their_condition_holds() -> None:
    assert set(make_stack(Flag="false").resources) == {"Always"}
    on = make_stack(Flag="true")
    assert set(on.resources) == {"Always", "Sometimes"}
    assert on.outputs["Only"].startswith("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/")
    assert make_stack(Flag="false").outputs == {}


def test_parameter_checks_refuse_what_cloudformation_refuses() -> None:
    with pytest.raises(samstack.DeployError, match="NoSuchParameter"):
        samstack.parameter_values({"NoSuchParameter": "x"})
    with pytest.raises(samstack.DeployError, match="EndpointName"):
        samstack.parameter_values({k: v for k, v in samstack.REQUIRED.items() if k != "EndpointName"})
    with pytest.raises(samstack.DeployError, match="HealthCheckIntervalSeconds"):
        samstack.parameter_values({**samstack.REQUIRED, "HealthCheckIntervalSeconds": "4"})
