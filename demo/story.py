"""The story `make demo` tells: the reconciler's job, step by step, on the emulated account."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator import EmulatedAws, events
from emulator.lambda_runtime import Invocation, LambdaRuntime

from . import render
from .stack import DeployedStack
from .world import SCOPE_TAG_KEY, SCOPE_TAG_VALUE, World

PROTOCOLS = {61617: "OpenWire", 5671: "AMQP", 61614: "STOMP", 8883: "MQTT", 61619: "WSS", 8162: "console"}


@dataclass
class Scene:
    """The account as the story shows it: brokers, their instances, the target groups' states."""

    world: World
    stack: DeployedStack
    out: Callable[[str], None] = print

    def __post_init__(self) -> None:
        # ip -> (broker name, role) as last reported, to name the targets a broker left behind
        self.last_seen: dict[str, tuple[str, str]] = {}
        described = self.aws.client("elbv2").describe_target_groups(TargetGroupArns=self.stack.target_group_arns)
        # target group name -> "OpenWire 61617", in the function's order
        by_arn = {g["TargetGroupArn"]: g for g in described["TargetGroups"]}
        self.groups = {
            by_arn[arn]["TargetGroupName"]: (arn, f"{PROTOCOLS.get(by_arn[arn]['Port'], 'port')} {by_arn[arn]['Port']}")
            for arn in self.stack.target_group_arns
        }

    @property
    def aws(self) -> EmulatedAws:
        return self.world.aws

    @property
    def group_labels(self) -> dict[str, str]:
        return {name: label for name, (_, label) in self.groups.items()}

    @property
    def broker_names(self) -> dict[str, str]:
        return {broker_id: name for name, broker_id in self.world.brokers.items()}

    def registered(self) -> dict[str, set[str]]:
        """target group label -> the IPs it holds, whatever their health."""
        return {label: set(by_ip) for label, by_ip in self.states().items()}

    def states(self) -> dict[str, dict[str, str]]:
        """target group label -> ip -> state."""
        return {label: self.aws.target_states(arn) for arn, label in self.groups.values()}

    def show_targets(self) -> None:
        states = self.states()
        mq = self.aws.client("mq")
        rows, owned = [], set()
        for name, broker_id in self.world.brokers.items():
            try:
                broker = mq.describe_broker(BrokerId=broker_id)
            except mq.exceptions.NotFoundException:
                continue
            in_scope = broker["Tags"].get(SCOPE_TAG_KEY) == SCOPE_TAG_VALUE
            ips = [i["IpAddress"] for i in broker["BrokerInstances"]]
            status = broker["BrokerState"] if in_scope else f"{broker['BrokerState']}, not in scope"
            if not ips:
                rows.append([name, status, "-", "(no IP reported)", *["-" for _ in states]])
            for position, ip in enumerate(ips):
                owned.add(ip)
                role = "active" if position == 0 else "standby"
                self.last_seen[ip] = (name, role)
                rows.append([name, status, role, ip, *[by_ip.get(ip, "-") for by_ip in states.values()]])
        for ip in sorted({ip for by_ip in states.values() for ip in by_ip} - owned):
            name, role = self.last_seen.get(ip, ("(no broker)", ""))
            was = f"was {role}" if role else ""
            rows.append([name, "", was, ip, *[by_ip.get(ip, "-") for by_ip in states.values()]])
        self.out(render.table(["broker", "state", "instance", "IP", *states], rows))


class Story:
    def __init__(self, scene: Scene, runtime: LambdaRuntime) -> None:
        self.scene = scene
        self.runtime = runtime
        self.region = scene.aws.region
        self.number = 0

    def step(self, title: str, what_happens: str, trigger: dict[str, Any]) -> Invocation:
        self.number += 1
        out = self.scene.out
        out(f"\n=== {self.number}. {title}")
        out(f"    {what_happens}")
        out(f"    trigger: {_describe(trigger)}")
        invocation = self.runtime.invoke(trigger)
        report = invocation.report
        out(f"    report: status={report['status']} dryRun={report['dryRun']}")
        out("  what changed:")
        for line in render.changes(report, self.scene.group_labels, self.scene.broker_names):
            out(f"    {line}")
        out("  targets now:")
        self.scene.show_targets()
        out("  metrics emitted:")
        for line in render.metrics(invocation, self.scene.group_labels, self.scene.broker_names):
            out(f"    {line}")
        return invocation

    def tell(self) -> None:
        aws, world, region = self.scene.aws, self.scene.world, self.region
        mq, elbv2 = aws.client("mq"), aws.client("elbv2")
        orders, payments = world.brokers["orders"], world.brokers["payments"]
        analytics = world.add_broker("analytics", in_scope=False)

        self.runtime.cold_start(self.scene.stack.function_environment)
        self.step("First sweep", "The schedule fires; the target groups are empty.", events.scheduled(region))

        mq.reboot_broker(BrokerId=orders)
        aws.set_broker_state(orders, "REBOOT_IN_PROGRESS", ips=[])
        self.step(
            "orders is rebooting",
            "A sweep while orders reports no IPs: its targets must stay until it says where it went.",
            events.scheduled(region),
        )
        aws.change_broker_ips(orders)
        aws.set_broker_state(orders, "RUNNING")
        self.step(
            "orders is back on new IPs",
            "The RebootBroker call reaches the function through CloudTrail and EventBridge.",
            events.reboot_broker(region, orders),
        )

        aws.tag_broker(analytics, world.scope_tag)
        arn = mq.describe_broker(BrokerId=analytics)["BrokerArn"]
        self.step(
            "analytics is tagged into scope",
            f"Tagging a broker {SCOPE_TAG_KEY}={SCOPE_TAG_VALUE} is how it joins the endpoint.",
            events.create_tags(region, arn, world.scope_tag),
        )

        openwire_arn, openwire_label = next(iter(self.scene.groups.values()))
        drifted = aws.broker_ips(payments)[0]
        elbv2.deregister_targets(TargetGroupArn=openwire_arn, Targets=[{"Id": drifted}])
        self.step(
            "Someone deregisters a target by hand",
            f"{drifted} (payments, active) was removed from {openwire_label}; the next sweep puts it back.",
            events.scheduled(region),
        )

        aws.delete_broker(payments)
        self.step("payments is deleted", "DescribeBroker now answers NotFoundException.", events.delete_broker(region, payments))

        before = self.scene.registered()
        aws.change_broker_ips(orders)
        invocation = self.step(
            "Dry-run resync after a silent maintenance",
            "orders was replaced during maintenance (no API call, no event); a dry run shows the plan.",
            events.resync(dry_run=True),
        )
        unchanged = self.scene.registered() == before
        self.scene.out(f"    target groups unchanged by the dry run: {'yes' if unchanged else 'NO'}")
        if not unchanged or invocation.report["status"] != "ok":
            raise RuntimeError("the dry run changed the target groups")


def _describe(trigger: dict[str, Any]) -> str:
    if "action" in trigger:
        return f"direct invoke {trigger}"
    detail = trigger["detail"]
    if trigger["detail-type"] == "AWS API Call via CloudTrail":
        return f"EventBridge: CloudTrail {detail['eventName']} {detail['requestParameters']}"
    return f"EventBridge: {trigger['detail-type']}"
