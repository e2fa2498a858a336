"""The story `make demo` tells: the reconciler's job, step by step, on the emulated account."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from rich.console import Console
from rich.padding import Padding

from emulator import EmulatedAws, events, target_health
from emulator.lambda_runtime import Invocation, LambdaRuntime
from mq_endpoint import render as tables
from mq_endpoint.aws import CallWatch
from mq_endpoint.console import make_console
from mq_endpoint.cutover import Cutover
from mq_endpoint.inspect import inspect
from mq_endpoint.main import parse_arguments
from mq_endpoint.names import brokers_by_address, group_label
from mq_endpoint.stack import DeployedStack as StackAsRead
from mq_endpoint.stack import read_stack

from . import render
from .stack import DeployedStack
from .world import SCOPE_TAG_KEY, SCOPE_TAG_VALUE, World


@dataclass
class Scene:
    """The account as the story shows it: what `mq-endpoint status` shows, after each step."""

    world: World
    stack: DeployedStack
    out: Callable[[str], None] = print
    console: Console = field(default_factory=make_console)
    # ip -> the broker that had it in the latest report that listed it.
    formerly: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        described = self.aws.client("elbv2").describe_target_groups(TargetGroupArns=self.stack.target_group_arns)
        # target group name -> "OpenWire 61617", in the function's order
        by_arn = {g["TargetGroupArn"]: g for g in described["TargetGroups"]}
        rabbitmq = set(self.stack.rabbitmq_target_group_arns)
        self.groups = {
            by_arn[arn]["TargetGroupName"]: (
                arn,
                group_label(by_arn[arn]["Port"], "RABBITMQ" if arn in rabbitmq else None),
            )
            for arn in self.stack.target_group_arns
        }
        # The CLI's own reading of the stack, as an operator's laptop would do it (one session: models load once).
        self._session = boto3.session.Session()
        self._watch = CallWatch(self._session)
        self._as_read: StackAsRead = read_stack(self._session, self.stack.name)

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
        return {label: set(self.aws.target_states(arn)) for arn, label in self.groups.values()}

    def show(self, renderables: list[Any]) -> None:
        for renderable in renderables:
            self.console.print(Padding(renderable, (0, 0, 0, 4)))

    def show_targets(self) -> None:
        """`mq-endpoint status`: the CLI's dry run of the reconciler, its tables."""
        self.show(
            tables.status_tables(inspect(self._session, self._as_read, self._watch).document(), earlier=self.formerly)
        )


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    trigger: str
    report: dict[str, Any]


class Story:
    def __init__(self, scene: Scene, runtime: LambdaRuntime) -> None:
        self.scene = scene
        self.runtime = runtime
        self.region = scene.aws.region
        self.number = 0
        self.steps: list[Step] = []

    def step(self, title: str, what_happens: str, trigger: dict[str, Any]) -> Invocation:
        self.number += 1
        # Each step comes a minute after the one before, as the sweeps do.
        self.runtime.let_time_pass(60)
        out = self.scene.out
        out(f"\n=== {self.number}. {title}")
        out(f"    {what_happens}")
        out(f"    trigger: {_describe(trigger)}")
        invocation = self.runtime.invoke(trigger)
        report = invocation.report
        # Who had each address before this run: what a removal's broker is.
        earlier, self.scene.formerly = self.scene.formerly, {**self.scene.formerly, **brokers_by_address(report)}
        self.steps.append(Step(self.number, title, _short(trigger), report))
        out(f"    report: status={report['status']} dryRun={report['dryRun']}")
        out("  what it changed:" if not report["dryRun"] else "  what it would change:")
        changed = tables.changes_tables(report, done=not report["dryRun"], earlier=earlier)
        if changed:
            self.scene.show(changed)
        else:
            out("    (nothing)")
        for error in report["errors"]:
            out(f"    ! {error}")
        out("  targets now (mq-endpoint status):")
        self.scene.show_targets()
        out("  metrics emitted (target health as DescribeTargetHealth reported it before the run's changes):")
        for line in render.metrics(invocation, self.scene.group_labels, self.scene.broker_names):
            out(f"    {line}")
        return invocation

    def summarize(self) -> None:
        """One screen: every step, its trigger, and what its run registered, deregistered and left in place."""
        rows = []
        for step in self.steps:
            counted = tables.count_changes(step.report)
            would = " (would)" if step.report["dryRun"] else ""
            rows.append(
                [
                    str(step.number),
                    step.title,
                    step.trigger,
                    f"{counted['register']}{would}",
                    f"{counted['deregister']}{would}",
                    str(counted["withheld"]),
                ]
            )
        self.scene.out("\n=== Summary (targets, summed over the target groups)")
        self.scene.show(
            [tables.table(["step", "what happened", "trigger", "registered", "deregistered", "withheld"], rows)]
        )

    def tell(self, *, replace_orders: bool = True) -> None:
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

        events_broker = world.brokers["events"]
        aws.change_endpoint_ips(events_broker, recreate=True)
        self.step(
            "events (RabbitMQ) has a new VPC endpoint",
            "RabbitMQ brokers are reached through an endpoint Amazon MQ creates in the VPC; its interfaces are their "
            "addresses.",
            events.reboot_broker(region, events_broker),
        )

        self.step(
            "A minute later, the scheduled sweep",
            "The endpoint's old addresses were seen free a minute ago and again now: one EC2 listing may lag, two "
            "a minute apart do not, so they go (docs/safety.md).",
            events.scheduled(region),
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
        self.step(
            "payments is deleted",
            "DescribeBroker now answers NotFoundException.",
            events.delete_broker(region, payments),
        )

        before = self.scene.registered()
        aws.change_broker_ips(orders)
        invocation = self.step(
            "Dry-run resync after a silent maintenance",
            "orders was replaced during maintenance (no API call, no event); a dry run shows the plan.",
            events.resync(dry_run=True),
        )
        unchanged = self.scene.registered() == before
        self.scene.out(f"    target groups unchanged by the dry run: {'yes' if unchanged else 'NO'}")
        if not unchanged or invocation.report["status"] == "failed":
            raise RuntimeError("the dry run changed the target groups")
        self.summarize()
        if replace_orders:
            self.replace_orders()

    def replace_orders(self) -> None:
        """`mq-endpoint cutover`: orders-4 replaces orders behind the same name, shown from the listeners' side."""
        scene, aws = self.scene, self.scene.aws
        scene.out("\n=== Cutover: orders-4 replaces orders behind mq.example.com (mq-endpoint cutover)")
        scene.out(
            "    A new broker, not in scope. After each step: whom a new connection to 61617 may reach, as the\n"
            "    NLB's listeners and target health say (the client listener's group, healthy targets)."
        )
        scene.world.add_broker("orders-4", in_scope=False)
        for _ in range(2):  # orders' silent maintenance above, applied first: two sweeps a minute apart
            self.runtime.let_time_pass(60)
            self.runtime.invoke(events.resync())
        self.show_new_connections("before the cutover")
        # Clients still hold connections to orders: the old set's ActiveFlowCount, as the NLB would publish it.
        aws.publish_active_flows(self.scene.stack.live_target_group_arns, 12)
        args = parse_arguments(
            ["cutover", "--to", "orders-4", "--from", "orders", "--yes", "--health-timeout", "30"]
            + ["--drain", "1", "--poll", "0.5"]
        )
        command = Cutover(
            scene._session, read_stack(scene._session, scene.stack.name), args, scene.console, scene.console
        )
        command.after_step = lambda step: self.show_new_connections(f"after {step}")
        target_health.health_checks_take(1.0)  # the NLB's first checks of orders-4 take a moment
        try:
            code = command.run()
        finally:
            target_health.health_checks_take(0)
        reached = self.reached()
        if code != 0 or "orders" in reached or "orders-4" not in reached:
            raise RuntimeError(f"the cutover did not end with orders-4 alone in orders' place: {sorted(reached)}")

    def reached(self) -> set[str]:
        ips = self.scene.aws.new_connection_targets()[61617]
        return {b["name"] for b in self.scene.aws.brokers() if set(b["held"]) & ips}

    def show_new_connections(self, when: str) -> None:
        self.scene.out(f"    -> {when}: a new connection to 61617 reaches {', '.join(sorted(self.reached()))}")


def _describe(trigger: dict[str, Any]) -> str:
    if "action" in trigger:
        return f"direct invoke {trigger}"
    detail = trigger["detail"]
    if trigger["detail-type"] == "AWS API Call via CloudTrail":
        return f"EventBridge: CloudTrail {detail['eventName']} {detail['requestParameters']}"
    return f"EventBridge: {trigger['detail-type']}"


def _short(trigger: dict[str, Any]) -> str:
    if "action" in trigger:
        return "resync (dry run)" if trigger.get("dryRun") else "resync"
    if trigger["detail-type"] == "AWS API Call via CloudTrail":
        return f"CloudTrail {trigger['detail']['eventName']}"
    return "schedule"
