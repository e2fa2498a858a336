"""cutover: replace a broker behind the same name, one CloudFormation stack update at a time (docs/cutover.md).

The stack is the state. Three parameters say where a cutover is:
LiveTargetGroupSet (the set the client listeners forward to), StandbyBrokerIds
(the brokers only the other set serves) and LiveOnlyBrokerIds (the brokers only
the live set serves). From them, for a cutover to NEW:
- idle: StandbyBrokerIds empty: everything is still to do;
- prepared: StandbyBrokerIds = NEW: the standby set holds NEW, not yet live;
- switched: LiveOnlyBrokerIds = NEW: the listeners send new connections to
  NEW; OLD stays in the standby set while its connections drain.
Every step reads that state first and does only what is left, so a command
killed anywhere is resumed (or rolled back) by running it again.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console

from reconciler.core.brokers import is_broker_id
from reconciler.core.plan import FREE_FOR_SECONDS

from .aws import explain
from .context import Context
from .errors import CommandError, UsageError
from .exit_codes import Exit
from .inspect import resync_payload
from .resync import invoke_resync
from .stack import DeployedStack, read_stack

LIVE_SET, STANDBY, LIVE_ONLY, BROKER_IDS, BROKER_TAG = (
    "LiveTargetGroupSet",
    "StandbyBrokerIds",
    "LiveOnlyBrokerIds",
    "BrokerIds",
    "BrokerTag",
)
OTHER_SET = {"blue": "green", "green": "blue"}
# Stack states in which an update has ended, and whether it took.
UPDATED = frozenset({"UPDATE_COMPLETE", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"})
NOT_UPDATED = frozenset({"UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED"})
# Registering a new IP target can take minutes on AWS (docs/cutover.md: 90-180 s, "a few minutes").
HEALTH_TIMEOUT = 600.0
# What the switch needs of a new broker in every standby group of its engine.
HEALTHY = "healthy"


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """The `cutover` subcommand, registered on mq-endpoint's parser."""
    parser = commands.add_parser(
        "cutover",
        parents=[common],
        help="replace a broker behind the endpoint's name: health first, one switch, drain",
        description="Replace the broker the endpoint serves by another of the same engine: the new one is registered "
        "in the "
        "standby target-group set and must be healthy there, then one stack update switches every listener, the old "
        "broker's connections drain, and it leaves. Run it again to resume after an interruption. Exit 0: done, "
        "2: not done yet (the new broker not healthy in time, or --keep-old), 1: refused or failed, 64: an unknown "
        "broker, or no --yes off a terminal.",
    )
    parser.add_argument("--to", required=True, metavar="BROKER", help="the new broker: its name or id")
    parser.add_argument(
        "--from",
        dest="from_",
        metavar="BROKER",
        help="the broker it replaces (name or id); needed only when several of its engine are served",
    )
    parser.add_argument(
        "--rollback",
        action="store_true",
        help="undo the cutover to --to: before the switch, cancel it; after it, switch back and drain",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    parser.add_argument(
        "--yes", action="store_true", help="go ahead without asking (scripts; needed without a terminal)"
    )
    parser.add_argument(
        "--health-timeout",
        metavar="SECONDS",
        type=float,
        default=HEALTH_TIMEOUT,
        help="how long the new broker may take to turn healthy before nothing is switched (default: "
        f"{HEALTH_TIMEOUT:g})",
    )
    parser.add_argument(
        "--drain",
        metavar="SECONDS",
        type=float,
        help="how long the old broker stays registered after the switch while its connections end "
        "(default: the stack's DeregistrationDelaySeconds); rollback is possible until then",
    )
    parser.add_argument(
        "--keep-old",
        action="store_true",
        help="stop after the drain with the old broker still in the standby set (exit 2); run again to finish",
    )
    parser.add_argument(
        "--poll", metavar="SECONDS", type=float, default=10.0, help="seconds between looks (default: 10)"
    )
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class Broker:
    broker_id: str
    name: str
    engine: str
    state: str
    subnet_ids: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.name} ({self.broker_id})"


@dataclass(frozen=True)
class Position:
    """Where the stack stands, from its parameters."""

    live_set: str
    standby: tuple[str, ...]
    live_only: tuple[str, ...]
    broker_ids: tuple[str, ...]
    tag: tuple[str, str] | None
    deregistration_delay: float

    @classmethod
    def of(cls, stack: DeployedStack) -> Position:
        p = stack.parameters
        key, _, value = p.get(BROKER_TAG, "").partition("=")
        return cls(
            live_set=p.get(LIVE_SET) or "blue",
            standby=_ids(p.get(STANDBY, "")),
            live_only=_ids(p.get(LIVE_ONLY, "")),
            broker_ids=_ids(p.get(BROKER_IDS, "")),
            tag=(key, value) if key else None,
            deregistration_delay=float(p.get("DeregistrationDelaySeconds") or 60),
        )

    def stage(self, new: str) -> str:
        if new in self.standby:
            return "prepared"
        if new in self.live_only:
            return "switched"
        if self.standby:
            raise CommandError(
                f"another cutover is under way (StandbyBrokerIds={','.join(self.standby)}, LiveOnlyBrokerIds="
                f"{','.join(self.live_only)}): resume or roll it back first with mq-endpoint cutover --to <its new "
                "broker>"
            )
        return "idle"


def _ids(raw: str) -> tuple[str, ...]:
    return tuple(i.strip() for i in raw.split(",") if i.strip())


class Cutover:
    """One cutover of one stack: its steps, each a stack update or a wait, each done only if not done yet."""

    def __init__(
        self, session: boto3.session.Session, stack: DeployedStack, args: argparse.Namespace, out: Console, err: Console
    ) -> None:
        self.session = session
        self.stack = stack
        self.args = args
        self.out = out
        self.err = err
        # Told each finished step's name: the demo shows where the listeners really send new connections.
        self.after_step: Callable[[str], None] = lambda step: None
        self.names: dict[str, str] = {}
        # The function's last report, and the last dry run's: each broker in scope and its addresses.
        self.report: dict[str, Any] = {}
        self.dry_report: dict[str, Any] = {}
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], None] = time.sleep

    # --- what the cutover is -----------------------------------------------------------

    def run(self) -> int:
        position = Position.of(self.stack)
        new = self.broker(self.args.to)
        stage = position.stage(new.broker_id)
        if self.args.rollback:
            return self.roll_back(position, new, stage)
        if stage == "idle" and self.in_live_scope(position, new):
            self.out.print(f"{new} is live already: the client listeners send new connections to it. Nothing to do.")
            return Exit.OK
        old = self.old_broker(position, new, stage)
        self.refuse_unless_servable(new, old)
        steps = ["prepare", "health", "switch", "drain", "finish"]
        # A step done already says so and changes nothing: resuming repeats the stage's own step.
        steps = steps[{"idle": 0, "prepared": 0, "switched": 2}[stage] :]
        self.show_plan(position, new, old, steps)
        if self.args.dry_run or not self.confirmed():
            return Exit.OK
        return self.go(new, old, steps)

    def roll_back(self, position: Position, new: Broker, stage: str) -> int:
        if stage == "idle":
            if self.in_live_scope(position, new):
                raise CommandError(
                    f"the cutover to {new} has finished: nothing to roll back; to go back, run a cutover to the old "
                    "broker"
                )
            self.out.print(f"No cutover to {new} is under way: nothing to roll back.")
            return Exit.OK
        old = self.broker((position.standby if stage == "switched" else position.live_only)[0])
        steps = ["health-back", "switch-back", "drain", "cancel"] if stage == "switched" else ["cancel"]
        self.show_plan(position, new, old, steps)
        if self.args.dry_run or not self.confirmed():
            return Exit.OK
        return self.go(new, old, steps)

    def go(self, new: Broker, old: Broker, steps: Sequence[str]) -> int:
        self.names = {new.broker_id: new.name, old.broker_id: old.name}
        for step in steps:
            finished = getattr(self, f"_{step.replace('-', '_')}")(new, old)
            self.say_where_new_connections_go()
            self.after_step(step)
            if not finished:
                return Exit.PENDING
        ids = self.stack.parameters.get(BROKER_IDS, "")
        self.out.print(
            f"Done. samconfig.toml: leave {LIVE_SET}, {STANDBY} and {LIVE_ONLY} out of parameter_overrides"
            + (f", and set BrokerIds={ids}" if ids else "")
            + " (docs/cutover.md), or the next sam deploy undoes this."
        )
        return Exit.OK

    # --- the steps ---------------------------------------------------------------------

    def _prepare(self, new: Broker, old: Broker) -> bool:
        self.update({STANDBY: new.broker_id, LIVE_ONLY: old.broker_id}, f"prepare: {new} into the standby set")
        if self.joins_by_tag(old):
            self.tag(new)
        self.resync(new)
        return True

    def _health(self, new: Broker, old: Broker) -> bool:
        return self.wait_healthy(new, old, "the switch")

    def _health_back(self, new: Broker, old: Broker) -> bool:
        return self.wait_healthy(old, new, "the switch back")

    def _switch(self, new: Broker, old: Broker) -> bool:
        self.switch(new, old, f"switch: the client listeners to {new}")
        return True

    def _switch_back(self, new: Broker, old: Broker) -> bool:
        self.switch(old, new, f"switch back: the client listeners to {old}")
        return True

    def _drain(self, new: Broker, old: Broker) -> bool:
        leaving = self.leaving_broker(new, old)
        self.show_drain(leaving)
        if self.args.keep_old:
            self.out.print(
                f"[yellow]--keep-old: {leaving} stays in the standby set; run the same command again to finish "
                "(or --rollback).[/yellow]"
            )
            return False
        return True

    def _finish(self, new: Broker, old: Broker) -> bool:
        self.release(old, f"finish: {old} leaves the endpoint")
        return True

    def _cancel(self, new: Broker, old: Broker) -> bool:
        self.release(new, f"roll back: {new} leaves the endpoint; {old} stays live")
        return True

    # --- stack updates -----------------------------------------------------------------

    def switch(self, to: Broker, away: Broker, what: str) -> None:
        """The one update that moves every client listener: the sets trade roles, and so do the two brokers."""
        position = Position.of(self.stack)
        changes = {LIVE_SET: OTHER_SET[position.live_set], STANDBY: away.broker_id, LIVE_ONLY: to.broker_id}
        if away.broker_id in position.broker_ids:
            changes[BROKER_IDS] = ",".join([i for i in position.broker_ids if i != away.broker_id] + [to.broker_id])
        elif position.tag:
            # Before the update, while it is a standby broker: a finish killed after its untag left it without.
            self.tag(to)
        if position.live_only == (to.broker_id,) and position.standby == (away.broker_id,):
            self.out.print(f"{what}: done already")
        else:
            self.update(changes, what)
        self.resync(to)

    def release(self, leaving: Broker, what: str) -> None:
        """The end of a cutover: the broker that lost leaves the scope, then the sets serve the scope alone again."""
        position = Position.of(self.stack)
        ips = self.addresses(leaving)  # read while it is in scope: afterwards the function no longer reports it
        key, value = position.tag or ("", "")
        if key and self.broker(leaving.broker_id).tags.get(key) == value:
            # Untag first: with the standby brokers cleared, a still-tagged broker would be live again.
            self.call(
                "mq:DeleteTags",
                lambda: self.session.client("mq").delete_tags(
                    ResourceArn=self.broker_arn(leaving.broker_id), TagKeys=[key]
                ),
            )
            self.out.print(f"  untagged {leaving} ({key})")
        changes = {STANDBY: "", LIVE_ONLY: ""}
        if leaving.broker_id in position.broker_ids:
            changes[BROKER_IDS] = ",".join(i for i in position.broker_ids if i != leaving.broker_id)
        self.update(changes, what)
        self.resync(None)
        self.say_when_gone(leaving, ips)

    def update(self, changes: dict[str, str], what: str) -> None:
        """One stack update of these parameters, the others kept; returns when CloudFormation has applied it."""
        current = dict(self.stack.parameters)
        if all(current.get(k, "") == v for k, v in changes.items()):
            self.out.print(f"{what}: done already")
            return
        parameters = [
            {"ParameterKey": k, "ParameterValue": changes[k]}
            if k in changes
            else {"ParameterKey": k, "UsePreviousValue": True}
            for k in current
        ]
        cloudformation = self.session.client("cloudformation")
        self.out.print(f"{what}: stack update {', '.join(f'{k}={v}' for k, v in changes.items())}")
        self.call(
            "cloudformation:UpdateStack",
            lambda: cloudformation.update_stack(
                StackName=self.stack.name,
                UsePreviousTemplate=True,
                Parameters=parameters,
                Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            ),
        )
        while True:
            status = self.call(
                "cloudformation:DescribeStacks", lambda: cloudformation.describe_stacks(StackName=self.stack.name)
            )["Stacks"][0]
            if status["StackStatus"] in UPDATED:
                break
            if status["StackStatus"] in NOT_UPDATED:
                raise CommandError(
                    f"the stack update did not take ({status['StackStatus']}: "
                    f"{status.get('StackStatusReason', 'see the stack events')}); nothing more was changed"
                )
            self.sleep(self.args.poll)
        self.stack = read_stack(self.session, self.stack.name)

    def resync(self, broker: Broker | None) -> dict[str, Any]:
        """The function runs now, not at its next sweep: it registers and deregisters what the update asks."""

        def busy(attempt: int, delay: float) -> None:
            self.err.print(f"[yellow]{self.stack.function_name} is busy (429), retrying in {delay:.1f} s[/yellow]")

        ids = [broker.broker_id] if broker else []
        self.report = invoke_resync(
            self.session, self.stack.function_name, resync_payload(ids, False), wait_seconds=120, on_busy=busy
        )
        return self.report

    # --- waits -------------------------------------------------------------------------

    def wait_healthy(self, broker: Broker, leaving: Broker, before: str) -> bool:
        """Until, in every standby group of its engine, the broker has a healthy target, and so has every other broker
        with one in the live set (they are switched too); false, and why, after the bound."""
        deadline = self.clock() + self.args.health_timeout
        standby = self.standby_groups(broker.engine)
        live = [arn for arn in self.engine_groups(broker.engine) if arn not in standby]
        while True:
            addresses = self.all_addresses(broker)
            healthy_live = {
                ip for arn in live for ip, (state, _) in self.states(arn, _flat(addresses)).items() if state == HEALTHY
            }
            required = {broker.broker_id} | {b for b, ips in addresses.items() if set(ips) & healthy_live} - {
                leaving.broker_id
            }
            states = {arn: self.states(arn, _flat({b: addresses.get(b, []) for b in required})) for arn in standby}
            missing = {
                arn: sorted(
                    b for b in required if not any(s[ip][0] == HEALTHY for ip in addresses.get(b, []) if ip in s)
                )
                for arn, s in states.items()
            }
            missing = {arn: names for arn, names in missing.items() if names}
            if addresses.get(broker.broker_id) and not missing:
                self.out.print(
                    f"health: {broker} (and every broker switched with it) is healthy in every standby group "
                    f"({len(standby)}): ready for {before}"
                )
                return True
            if self.clock() >= deadline:
                why = "; ".join(
                    f"{_group_name(arn)}: "
                    + ", ".join(
                        f"{self.names.get(b, b)} "
                        + (
                            ", ".join(
                                f"{ip} {states[arn][ip][0]} ({states[arn][ip][1]})"
                                for ip in addresses.get(b, [])
                                if ip in states[arn]
                            )
                            or "not registered"
                        )
                        for b in names
                    )
                    for arn, names in missing.items()
                )
                self.out.print(
                    f"[red]health: not healthy within {self.args.health_timeout:g} s; nothing was switched.[/red] "
                    f"{why or f'the function does not know {broker} addresses (see mq-endpoint status)'}. "
                    "Run the same command again to keep waiting, or --rollback to cancel."
                )
                return False
            if any(not s for s in states.values()):
                self.resync(broker)  # not registered yet: the function's next run would, this one is sooner
            self.sleep(self.args.poll)

    def show_drain(self, leaving: Broker) -> None:
        """The old set's open flows (CloudWatch ActiveFlowCount, per target
        group) until none, or the drain time is up."""
        seconds = self.args.drain if self.args.drain is not None else Position.of(self.stack).deregistration_delay
        deadline = self.clock() + seconds
        groups = self.standby_groups(leaving.engine)
        while True:
            counts = {arn: self.active_flows(arn) for arn in groups}
            shown = ", ".join(f"{_group_name(a)} {'no datapoint' if c is None else c}" for a, c in counts.items())
            left = max(0.0, deadline - self.clock())
            self.out.print(f"drain: open flows in the set {leaving} is leaving: {shown} ({left:.0f} s left)")
            if counts and all(c == 0 for c in counts.values()):
                self.out.print(f"drain: the old set is empty: no open flow to {leaving}")
                return
            if left <= 0:
                self.out.print(
                    f"drain: time is up; what still runs to {leaving} is closed at the end of the "
                    "deregistration delay (connection termination is on)"
                )
                return
            self.sleep(min(self.args.poll, left))

    def say_when_gone(self, leaving: Broker, ips: Sequence[str]) -> None:
        """Whether the broker's addresses are out of every group yet; they go on the function's second reading."""
        held = [
            arn for arn in self.stack.target_group_arns + self.stack.rabbitmq_target_group_arns if self.states(arn, ips)
        ]
        if not held:
            self.out.print(f"{leaving} is in no target group any more")
            return
        # No served broker has them now: like any free address, they go on a second reading at least
        # FREE_FOR_SECONDS after the first (plan.py), at the function's next sweeps. No client reaches them
        # meanwhile: only the standby listeners forward there.
        self.out.print(
            f"{leaving} leaves {', '.join(map(_group_name, held))} at the function's sweeps within about "
            f"{FREE_FOR_SECONDS + 60:.0f} s (a second reading, a minute after this one); only the standby "
            "listeners forward there meanwhile"
        )

    # --- reads -------------------------------------------------------------------------

    def broker(self, name_or_id: str) -> Broker:
        mq = self.session.client("mq")
        broker_id = name_or_id if is_broker_id(name_or_id) else self.broker_id_named(name_or_id)
        try:
            found = mq.describe_broker(BrokerId=broker_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NotFoundException":
                raise UsageError(f"no broker {name_or_id} in {self.session.region_name}") from None
            raise explain(error, "mq:DescribeBroker") from None
        except BotoCoreError as error:
            raise explain(error, "mq:DescribeBroker") from None
        return Broker(
            broker_id,
            found.get("BrokerName", broker_id),
            found.get("EngineType", "").upper(),
            found.get("BrokerState", ""),
            tuple(found.get("SubnetIds") or ()),
            dict(found.get("Tags") or {}),
        )

    def broker_id_named(self, name: str) -> str:
        def listed() -> list[dict[str, Any]]:
            pages = self.session.client("mq").get_paginator("list_brokers").paginate()
            return [b for page in pages for b in page.get("BrokerSummaries", [])]

        found = [b["BrokerId"] for b in self.call("mq:ListBrokers", listed) if b.get("BrokerName") == name]
        if not found:
            raise UsageError(f"no broker named {name} in {self.session.region_name}")
        if len(found) > 1:
            raise UsageError(f"{len(found)} brokers are named {name}: give its id")
        return str(found[0])

    def broker_arn(self, broker_id: str) -> str:
        return str(
            self.call("mq:DescribeBroker", lambda: self.session.client("mq").describe_broker(BrokerId=broker_id))[
                "BrokerArn"
            ]
        )

    def in_live_scope(self, position: Position, broker: Broker) -> bool:
        by_tag = position.tag is not None and broker.tags.get(position.tag[0]) == position.tag[1]
        return broker.broker_id in position.broker_ids or by_tag

    def joins_by_tag(self, old: Broker) -> bool:
        """The new broker joins the scope as the old one is in it: by id (the
        switch edits BrokerIds), else by the tag."""
        position = Position.of(self.stack)
        return old.broker_id not in position.broker_ids and position.tag is not None

    def old_broker(self, position: Position, new: Broker, stage: str) -> Broker:
        if stage != "idle":
            return self.broker((position.live_only if stage == "prepared" else position.standby)[0])
        if self.args.from_:
            old = self.broker(self.args.from_)
            if not self.in_live_scope(position, old):
                raise CommandError(
                    f"cutover refused: {old} is not served by stack {self.stack.name} (not in BrokerIds, "
                    "not tagged with BrokerTag): there is nothing of it to replace"
                )
            return old
        candidates = [
            b
            for b in (self.broker(i) for i in self.scope_ids(position))
            if b.engine == new.engine and b.broker_id != new.broker_id
        ]
        if len(candidates) != 1:
            served = ", ".join(map(str, candidates)) or "none"
            raise CommandError(
                f"which broker does {new} replace? stack {self.stack.name} serves {len(candidates)} "
                f"{new.engine} broker(s) ({served}): name it with --from"
            )
        return candidates[0]

    def scope_ids(self, position: Position) -> list[str]:
        ids = list(position.broker_ids)
        if position.tag:
            key, value = position.tag

            def tagged() -> list[str]:
                pages = (
                    self.session.client("resourcegroupstaggingapi")
                    .get_paginator("get_resources")
                    .paginate(TagFilters=[{"Key": key, "Values": [value]}], ResourceTypeFilters=["mq:broker"])
                )
                return [
                    r["ResourceARN"].rsplit(":", 1)[-1]
                    for page in pages
                    for r in page.get("ResourceTagMappingList", [])
                ]

            ids += [i for i in self.call("tag:GetResources", tagged) if i not in ids]
        return ids

    def refuse_unless_servable(self, new: Broker, old: Broker) -> None:
        if new.engine != old.engine:
            raise CommandError(
                f"cutover refused: {new} is {new.engine}, {old} is {old.engine}: a cutover stays within one "
                "engine (clients of one cannot talk to the other)"
            )
        if new.state != "RUNNING":
            raise CommandError(f"cutover refused: {new} is {new.state or 'in an unknown state'}, not RUNNING")
        vpc = self.stack.parameters.get("VpcId", "")
        subnets = (
            self.call(
                "ec2:DescribeSubnets",
                lambda: self.session.client("ec2").describe_subnets(SubnetIds=list(new.subnet_ids))["Subnets"],
            )
            if new.subnet_ids
            else []
        )
        elsewhere = sorted({s["VpcId"] for s in subnets} - {vpc})
        if not subnets or elsewhere:
            where = (
                f"its subnets are in {', '.join(elsewhere)}"
                if elsewhere
                else "it has no subnet there (publicly accessible?)"
            )
            raise CommandError(f"cutover refused: {new} is not in {vpc}, the endpoint's VPC: {where}")

    def engine_groups(self, engine: str) -> tuple[str, ...]:
        return self.stack.rabbitmq_target_group_arns if engine == "RABBITMQ" else self.stack.target_group_arns

    def standby_groups(self, engine: str) -> list[str]:
        return [arn for arn in self.stack.standby_target_group_arns if arn in self.engine_groups(engine)]

    def all_addresses(self, broker: Broker) -> dict[str, list[str]]:
        """Every broker's addresses as the function's last report gives them (a dry run's if it lacks `broker`)."""
        self.addresses(broker)  # fills the report with a dry run's when the last one does not name it
        report = (
            self.report
            if any(b.get("brokerId") == broker.broker_id for b in self.report.get("brokers", []))
            else self.dry_report
        )
        self.names.update({b["brokerId"]: b.get("name") or b["brokerId"] for b in report.get("brokers", [])})
        return {b["brokerId"]: [a["ip"] for a in b.get("addresses", [])] for b in report.get("brokers", [])}

    def addresses(self, broker: Broker) -> list[str]:
        """The broker's addresses as the function knows them: its last report names each broker's, else a dry run's."""
        for report in (self.report, None):
            if report is None:
                report = self.dry_report = invoke_resync(
                    self.session,
                    self.stack.function_name,
                    resync_payload([broker.broker_id], True),
                    wait_seconds=120,
                    on_busy=lambda attempt, delay: None,
                )
            for found in report.get("brokers", []):
                if found.get("brokerId") == broker.broker_id and found.get("addresses"):
                    return [a["ip"] for a in found["addresses"]]
        return []

    def states(self, arn: str, ips: Sequence[str]) -> dict[str, tuple[str, str]]:
        """ip -> (state, reason) of the broker's registered targets in the group."""
        described = self.call(
            "elasticloadbalancing:DescribeTargetHealth",
            lambda: self.session.client("elbv2").describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"],
        )
        return {
            d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason") or "-")
            for d in described
            if d["Target"]["Id"] in ips
        }

    def active_flows(self, arn: str) -> int | None:
        """The group's latest one-minute maximum of AWS/NetworkELB ActiveFlowCount; None without a datapoint."""
        now = datetime.now(UTC)
        dimensions = [
            {"Name": "TargetGroup", "Value": arn.split(":")[-1]},
            {"Name": "LoadBalancer", "Value": self.stack.load_balancer_arn.split(":loadbalancer/", 1)[-1]},
        ]
        points = self.call(
            "cloudwatch:GetMetricStatistics",
            lambda: self.session.client("cloudwatch").get_metric_statistics(
                Namespace="AWS/NetworkELB",
                MetricName="ActiveFlowCount",
                Dimensions=dimensions,
                StartTime=now - timedelta(minutes=5),
                EndTime=now + timedelta(minutes=1),
                Period=60,
                Statistics=["Maximum"],
            )["Datapoints"],
        )
        return int(max(points, key=lambda p: p["Timestamp"])["Maximum"]) if points else None

    def leaving_broker(self, new: Broker, old: Broker) -> Broker:
        """Whose connections drain: the broker the listeners just left."""
        return old if Position.of(self.stack).standby == (old.broker_id,) else new

    def tag(self, broker: Broker) -> None:
        key, value = Position.of(self.stack).tag or ("", "")
        if self.broker(broker.broker_id).tags.get(key) == value:
            return
        self.call(
            "mq:CreateTags",
            lambda: self.session.client("mq").create_tags(
                ResourceArn=self.broker_arn(broker.broker_id), Tags={key: value}
            ),
        )
        self.out.print(f"  tagged {broker} {key}={value} (it stays out of the live set while in StandbyBrokerIds)")

    def call(self, action: str, request: Callable[[], Any]) -> Any:
        try:
            return request()
        except (ClientError, BotoCoreError) as error:
            raise explain(error, action) from None

    # --- what the operator sees --------------------------------------------------------

    def show_plan(self, position: Position, new: Broker, old: Broker, steps: Sequence[str]) -> None:
        other = OTHER_SET[position.live_set]
        ids_scope = old.broker_id in position.broker_ids or new.broker_id in position.broker_ids
        scope = "BrokerIds" if ids_scope else f"the tag {'='.join(position.tag or ('', ''))}"
        drain = self.args.drain if self.args.drain is not None else position.deregistration_delay
        said = {
            "prepare": f"stack update {STANDBY}={new.broker_id}, {LIVE_ONLY}={old.broker_id}"
            + ("" if ids_scope else f"; tag {new.name} with {scope}")
            + f": the {other} set, behind listeners nobody may reach, registers {new.name}",
            "health": f"wait until {new.name} is healthy in every {other} group "
            f"(at most {self.args.health_timeout:g} s); "
            "if not, nothing is switched",
            "switch": f"one stack update {LIVE_SET}={other}"
            + (f", {BROKER_IDS} with {new.name} for {old.name}" if ids_scope else "")
            + f": every client listener sends new connections to {new.name}",
            "drain": f"{(new if self.args.rollback else old).name}'s open flows (ActiveFlowCount) for up to {drain:g} s"
            + ("" if self.args.rollback else "; --rollback until the next step"),
            "finish": ("" if ids_scope else f"untag {old.name}; ")
            + f"stack update {STANDBY}=, {LIVE_ONLY}=: {old.name} "
            "leaves (its last connections close at the end of the deregistration delay)",
            "health-back": f"check {old.name} is still healthy in the standby set",
            "switch-back": f"one stack update {LIVE_SET}={other}: every client listener sends new connections "
            f"to {old.name} again",
            "cancel": ("" if ids_scope else f"untag {new.name}; ")
            + f"stack update {STANDBY}=, {LIVE_ONLY}=: {new.name} leaves",
        }
        verb = "Rollback of the cutover" if self.args.rollback else "Cutover"
        self.out.print(
            f"{verb} of stack [bold]{self.stack.name}[/bold] ({self.stack.region}): {old} -> {new}, {new.engine}"
        )
        self.say_where_new_connections_go()
        for number, step in enumerate(steps, 1):
            self.out.print(f"  {number}. {step:<12} {said[step]}")
        if self.args.dry_run:
            self.out.print("Dry run: nothing changed.")

    def say_where_new_connections_go(self) -> None:
        position = Position.of(self.stack)
        standby = (
            f", standing by: {', '.join(self.names.get(i, i) for i in position.standby)}" if position.standby else ""
        )
        self.out.print(f"  new connections go to the {position.live_set} set{standby}")

    def confirmed(self) -> bool:
        if self.args.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError("not a terminal, so nobody can confirm the plan: pass --yes to go ahead")
        answer = input("Go ahead? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            self.out.print("Nothing changed.")
            return False
        return True


def _flat(addresses: dict[str, list[str]]) -> list[str]:
    return [ip for ips in addresses.values() for ip in ips]


def _group_name(arn: str) -> str:
    return arn.split(":")[-1].split("/")[1] if "/" in arn else arn


def run(ctx: Context) -> int:
    """mq-endpoint cutover: its exit code (exit_codes.py); a refusal or failure raises CommandError."""
    return Cutover(ctx.session, ctx.stack, ctx.args, ctx.out, ctx.err).run()
