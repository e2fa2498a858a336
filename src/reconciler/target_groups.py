"""Elastic Load Balancing, read and written: target groups, their targets, and changes in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.clients import describe_error
from reconciler.plan import TargetGroupPlan
from reconciler.targets import ObservedTarget, Target, TargetGroupView

# No documented cap per call; the AWS Load Balancer Controller sends 200 at a time.
MAX_TARGETS_PER_CALL = 200


@dataclass(frozen=True)
class GroupIdentity:
    arn: str
    name: str
    port: int


class GroupReadFailed(RuntimeError):
    """A target group could not be read, so nothing may be planned for it."""


@dataclass
class AppliedChanges:
    registered: list[Target] = field(default_factory=list)
    deregistered: list[Target] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class TargetGroups:
    def __init__(self, elbv2: Any) -> None:
        self._elbv2 = elbv2
        # A target group's name and port never change: read them once per container.
        self._identities: dict[str, GroupIdentity] = {}

    def identify(self, arns: Sequence[str]) -> tuple[list[GroupIdentity], dict[str, str]]:
        """The groups' names and ports, and an error for each group that could not be described."""
        errors: dict[str, str] = {}
        unknown = [arn for arn in arns if arn not in self._identities]
        if unknown:
            try:
                self._remember(self._describe_groups(unknown))
            except (ClientError, BotoCoreError):
                # One vanished group fails the whole call: ask one by one to isolate it.
                for arn in unknown:
                    try:
                        self._remember(self._describe_groups([arn]))
                    except (ClientError, BotoCoreError) as error:
                        errors[arn] = f"DescribeTargetGroups failed: {describe_error(error)}"
        return [self._identities[arn] for arn in arns if arn in self._identities], errors

    def observe(self, group: GroupIdentity) -> TargetGroupView:
        try:
            answer = self._elbv2.describe_target_health(TargetGroupArn=group.arn)
        except (ClientError, BotoCoreError) as error:
            raise GroupReadFailed(f"DescribeTargetHealth failed: {describe_error(error)}") from error
        targets = tuple(
            ObservedTarget(
                Target(d["Target"]["Id"], int(d["Target"].get("Port", group.port))),
                d.get("TargetHealth", {}).get("State", "unavailable"),
                d.get("TargetHealth", {}).get("Reason"),
            )
            for d in answer.get("TargetHealthDescriptions", [])
        )
        return TargetGroupView(group.arn, group.name, group.port, targets)

    def apply(self, plan: TargetGroupPlan) -> AppliedChanges:
        """Register first, then deregister, so a broker's new IPs serve before its old ones go."""
        applied = AppliedChanges()
        self._send(self._elbv2.register_targets, plan.arn, plan.register, applied.registered, applied.errors)
        removals = [removal.target for removal in plan.deregister]
        if applied.errors and removals:
            applied.errors.append(f"{len(removals)} deregistrations postponed: registering the new targets failed")
        else:
            self._send(self._elbv2.deregister_targets, plan.arn, removals, applied.deregistered, applied.errors)
        return applied

    def _send(self, call: Any, arn: str, targets: Sequence[Target], done: list[Target], errors: list[str]) -> None:
        for batch in _batches(targets, MAX_TARGETS_PER_CALL):
            try:
                call(TargetGroupArn=arn, Targets=[{"Id": t.ip, "Port": t.port} for t in batch])
            except (ClientError, BotoCoreError) as error:
                errors.append(f"{call.__name__} of {len(batch)} targets failed: {describe_error(error)}")
            else:
                done.extend(batch)

    def _describe_groups(self, arns: list[str]) -> list[dict[str, Any]]:
        pages = self._elbv2.get_paginator("describe_target_groups").paginate(TargetGroupArns=arns)
        return [group for page in pages for group in page["TargetGroups"]]

    def _remember(self, described: Iterable[dict[str, Any]]) -> None:
        for group in described:
            arn = group["TargetGroupArn"]
            self._identities[arn] = GroupIdentity(arn, group["TargetGroupName"], int(group["Port"]))


def _batches(items: Sequence[Target], size: int) -> Iterable[Sequence[Target]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
