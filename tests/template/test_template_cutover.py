"""The cutover parameters: which set the client listeners forward to, what the function is told, what is refused."""

import pytest
import samstack
from test_template_network import listeners
from test_template_reconciler import environment

OLD = "b-1234abcd-56ef-78ab-90cd-1234567890ab"
NEW = "b-5678abcd-56ef-78ab-90cd-1234567890ab"
PROTOCOLS = ["OpenWire", "Amqp", "Stomp", "Mqtt", "Wss", "Console", "RabbitMqAmqps", "RabbitMqConsole"]
EVERY_PROTOCOL = {**samstack.WITH_RABBITMQ}


def forwards(stack: samstack.Stack) -> dict[str, str]:
    """Listener -> the logical id of the group its default action forwards to."""
    groups = {stack.ref(name): name for name in stack.of_type("AWS::ElasticLoadBalancingV2::TargetGroup")}
    return {
        name: groups[listener["DefaultActions"][0]["TargetGroupArn"]] for name, listener in listeners(stack).items()
    }


@pytest.mark.parametrize(("live", "standby"), [("blue", "green"), ("green", "blue")])
def test_the_client_listeners_forward_to_the_live_set_and_the_standby_listeners_to_the_other(
    live: str, standby: str
) -> None:
    stack = samstack.deploy(**EVERY_PROTOCOL, LiveTargetGroupSet=live)
    suffix = {"blue": "", "green": "Green"}
    routes = forwards(stack)
    present = [p for p in PROTOCOLS if f"{p}Listener" in routes]
    assert len(present) == 7  # every protocol but AMQP 1.0, which shares 5671 with RabbitMQ
    for protocol in present:
        assert routes[f"{protocol}Listener"] == f"{protocol}TargetGroup{suffix[live]}"
        assert routes[f"{protocol}StandbyListener"] == f"{protocol}TargetGroup{suffix[standby]}"
    # The function is told which groups stand by, and each of its groups is in one of its lists.
    env = environment(stack)
    standby_arns = env["STANDBY_TARGET_GROUP_ARNS"].split(",")
    assert sorted(standby_arns) == sorted(stack.ref(f"{p}TargetGroup{suffix[standby]}") for p in present)
    assert set(standby_arns) < set(env["TARGET_GROUP_ARNS"].split(",")) | set(
        env["RABBITMQ_TARGET_GROUP_ARNS"].split(",")
    )


@pytest.mark.parametrize("live", ["blue", "green"])
def test_the_no_healthy_target_alarms_watch_the_live_set(live: str) -> None:
    stack = samstack.deploy(**EVERY_PROTOCOL, LiveTargetGroupSet=live)
    routes = forwards(stack)
    for protocol in ("OpenWire", "RabbitMqAmqps"):
        dimensions = {d["Name"]: d["Value"] for d in stack.properties(f"{protocol}NoHealthyTargetAlarm")["Dimensions"]}
        assert dimensions["TargetGroup"] == f"{routes[f'{protocol}Listener']}.TargetGroupFullName"


def test_a_deploy_without_the_cutover_parameters_keeps_the_blue_groups_live_and_no_broker_set_apart(
    default_stack: samstack.Stack,
) -> None:
    """An existing stack's groups keep their logical ids: an upgrade replaces nothing and keeps serving from them."""
    assert forwards(default_stack)["OpenWireListener"] == "OpenWireTargetGroup"
    env = environment(default_stack)
    assert (env["STANDBY_BROKER_IDS"], env["LIVE_ONLY_BROKER_IDS"]) == ("", "")


def test_the_function_reads_the_cutover_brokers_through_its_own_settings() -> None:
    from reconciler.core.settings import Settings

    stack = samstack.deploy(LiveTargetGroupSet="green", StandbyBrokerIds=OLD, LiveOnlyBrokerIds=NEW, BrokerIds=NEW)
    settings = Settings.from_environ({**environment(stack), "AWS_REGION": samstack.REGION})
    blue, green = stack.ref("OpenWireTargetGroup"), stack.ref("OpenWireTargetGroupGreen")
    scope = settings.scope.broker_ids
    assert settings.brokers_not_served_by(blue, scope) == {NEW} and settings.brokers_not_served_by(green, scope) == {
        OLD
    }
    assert settings.scope.broker_ids == {OLD, NEW}


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_leaves_the_cutovers_parameters_to_the_stack(environment: str) -> None:
    """sam deploy sends UsePreviousValue for what it is not given: a deploy never switches the listeners back."""
    from test_template_options import samconfig_overrides

    assert not {"LiveTargetGroupSet", "StandbyBrokerIds", "LiveOnlyBrokerIds"} & set(samconfig_overrides(environment))


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"LiveTargetGroupSet": "red"}, "LiveTargetGroupSet"),
        ({"StandbyBrokerIds": "orders"}, "StandbyBrokerIds"),
        ({"LiveOnlyBrokerIds": f"{OLD}, {NEW}"}, "LiveOnlyBrokerIds"),
        ({"LiveOnlyBrokerIds": OLD}, "needs StandbyBrokerIds"),
    ],
)
def test_a_wrong_cutover_value_is_refused_before_anything_is_created(parameters: dict[str, str], message: str) -> None:
    with pytest.raises(samstack.DeployError, match=message):
        samstack.deploy(**parameters)


@pytest.mark.parametrize("live", ["blue", "green"])
@pytest.mark.parametrize("protocols", [{}, EVERY_PROTOCOL], ids=["openwire-only", "every-protocol"])
def test_the_outputs_mq_endpoint_reads_are_the_functions_own_target_group_lists(
    live: str, protocols: dict[str, str]
) -> None:
    stack = samstack.deploy(**protocols, LiveTargetGroupSet=live)
    env, outputs = environment(stack), stack.outputs
    assert outputs["TargetGroupArns"] == env["TARGET_GROUP_ARNS"]
    assert outputs["StandbyTargetGroupArns"] == env["STANDBY_TARGET_GROUP_ARNS"]
    assert outputs.get("RabbitMqTargetGroupArns", "") == env["RABBITMQ_TARGET_GROUP_ARNS"]
    assert ("RabbitMqTargetGroupArns" in outputs) == bool(protocols), "an empty output is not written at all"
    assert outputs["LoadBalancerArn"] == stack.ref("LoadBalancer")
    assert outputs["ReconcilerLogGroupName"] == stack.ref("ReconcilerLogGroup")
