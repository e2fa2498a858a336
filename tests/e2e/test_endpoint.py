"""The reconciler, deployed from template.yaml, keeps the target groups equal to the brokers' IPs."""

from emulator import events, faults
from tests.e2e.endpoint import REGION, DeployedEndpoint


def _ips(endpoint: DeployedEndpoint, *names: str) -> set[str]:
    return {ip for name in names for ip in endpoint.aws.broker_ips(endpoint.world.brokers[name])}


def test_the_first_sweep_registers_both_instances_of_every_broker_in_every_group(endpoint: DeployedEndpoint) -> None:
    orders = endpoint.aws.broker_ips(endpoint.world.brokers["orders"])

    invocation = endpoint.sweep()

    assert invocation.report["status"] == "ok"
    assert endpoint.registered() == [_ips(endpoint, "orders", "payments")] * 2
    assert [states[ip] for states in endpoint.live_targets() for ip in orders] == ["healthy", "unhealthy"] * 2
    assert invocation.metric("TargetsRegistered") == 8


def test_a_broker_back_on_new_ips_has_its_old_targets_replaced(endpoint: DeployedEndpoint) -> None:
    orders = endpoint.world.brokers["orders"]
    endpoint.sweep()

    endpoint.aws.change_broker_ips(orders)
    invocation = endpoint.reboot_event(orders)
    endpoint.next_sweep()  # the old addresses' second reading

    assert invocation.report["trigger"]["brokerIds"] == [orders]
    assert endpoint.registered() == [_ips(endpoint, "orders", "payments")] * 2


def test_a_deleted_broker_loses_its_targets(endpoint: DeployedEndpoint) -> None:
    payments = endpoint.world.brokers["payments"]
    endpoint.sweep()

    endpoint.aws.delete_broker(payments)
    endpoint.invoke(events.delete_broker(REGION, payments))
    endpoint.next_sweep()  # its interfaces are gone: its addresses go on their second reading

    assert endpoint.registered() == [_ips(endpoint, "orders")] * 2


def test_while_ec2_cannot_say_who_holds_an_address_every_target_stays(endpoint: DeployedEndpoint) -> None:
    orders, payments = endpoint.world.brokers["orders"], endpoint.world.brokers["payments"]
    endpoint.sweep()
    before = endpoint.registered()

    throttled = endpoint.aws.inject_fault(faults.throttling("ec2", "DescribeNetworkInterfaces"))
    endpoint.aws.change_broker_ips(orders)
    endpoint.aws.change_broker_ips(payments)
    invocation = endpoint.sweep()

    assert throttled.hits >= 1
    assert endpoint.registered() == before, "nothing goes, and nothing new is known"
    assert invocation.metric("InterfaceListingFailures") == 1

    endpoint.aws.remove_fault(throttled)
    endpoint.settle()
    assert endpoint.registered() == [_ips(endpoint, "orders", "payments")] * 2


def test_a_target_deregistered_by_hand_comes_back_at_the_next_sweep(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    openwire = endpoint.stack.target_group_arns[0]
    (active, _) = endpoint.aws.broker_ips(endpoint.world.brokers["payments"])
    endpoint.aws.client("elbv2").deregister_targets(TargetGroupArn=openwire, Targets=[{"Id": active}])

    endpoint.sweep()

    assert endpoint.live_targets()[0][active] == "healthy"


def test_a_broker_tagged_into_scope_joins_the_endpoint(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    analytics = endpoint.world.add_broker("analytics", in_scope=False)

    endpoint.aws.tag_broker(analytics, endpoint.world.scope_tag)
    arn = endpoint.aws.client("mq").describe_broker(BrokerId=analytics)["BrokerArn"]
    endpoint.invoke(events.create_tags(REGION, arn, endpoint.world.scope_tag))

    assert endpoint.registered() == [_ips(endpoint, "orders", "payments", "analytics")] * 2


def test_a_dry_run_resync_reports_the_plan_and_changes_nothing(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    before = endpoint.registered()
    new_ips = set(endpoint.aws.change_broker_ips(endpoint.world.brokers["orders"]))

    invocation = endpoint.invoke(events.resync(dry_run=True))

    planned = {target.split(":")[0] for group in invocation.report["targetGroups"] for target in group["registered"]}
    assert invocation.report["dryRun"] is True
    assert planned == new_ips
    assert endpoint.registered() == before
