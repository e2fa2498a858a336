"""Elastic Load Balancing, read and written: target groups, their targets, and changes in batches."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.adapters.clients import describe_error
from reconciler.adapters.deadline import DeadlineReached
from reconciler.core.reads import Read
from reconciler.core.targets import ObservedTarget, Target, TargetGroupView, TargetState

# No documented cap per call; the AWS Load Balancer Controller sends 200 at a time.
MAX_TARGETS_PER_CALL = 200

T = TypeVar("T")


# The stack that owns a target group tags it with its name (template.yaml).
OWNER_TAG = "mq-static-endpoint:stack"
# The group holds as many targets as its quota allows (1,000 by default; docs/sources.md): no target is at fault.
GROUP_FULL = frozenset({"TooManyTargets", "TooManyTargetsException"})
TARGETS_QUOTA = 1000
# 4xx answers that are about the call, not about one of its targets: never split.
NOT_A_REFUSAL = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "TargetGroupNotFound",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        *GROUP_FULL,
    }
)


@dataclass(frozen=True)
class GroupIdentity:
    arn: str
    name: str
    port: int
    # The stack named by the group's owner tag, if it has one.
    owner: str | None = None

    def owned_by_another(self, stack_name: str | None) -> bool:
        """Tagged for another stack: changing it would undo that stack's work on every sweep."""
        return bool(stack_name and self.owner and self.owner != stack_name)


@dataclass(frozen=True)
class Refusal:
    """A target the ELB API refused on its own (HTTP 4xx), found by splitting the call that carried it."""

    target: Target
    message: str
    broker_id: str | None = None


@dataclass
class Written:
    """What one RegisterTargets or DeregisterTargets pass did."""

    done: list[Target] = field(default_factory=list)
    # Not applied, whatever the reason: the run keeps these brokers' old addresses.
    failed: list[Target] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    # Calls that failed as a whole (throttled, denied, unreachable, the group full): their targets are unchanged.
    problems: list[str] = field(default_factory=list)
    # Calls not sent because the run's deadline was near.
    unsent: list[str] = field(default_factory=list)
    # The group refused as a whole for being full (GROUP_FULL).
    full: bool = False


class TargetGroups:
    def __init__(self, elbv2: Any) -> None:
        self._elbv2 = elbv2
        # A target group's name and port never change, and its owner tag is the
        # stack's: read them once per container. A group re-tagged for another
        # stack is refused from the next cold start on (every deploy makes one).
        self._identities: dict[str, GroupIdentity] = {}

    def identify(self, arns: Sequence[str]) -> dict[str, Read[GroupIdentity]]:
        """Each group's name, port and owner, in the order asked, or why it could not be described."""
        problems: dict[str, Read[GroupIdentity]] = {}
        unknown = [arn for arn in arns if arn not in self._identities]
        try:
            if unknown:
                self._remember(self._describe_groups(unknown))
        except (ClientError, BotoCoreError) as error:
            if len(unknown) == 1:
                problems[unknown[0]] = _failed("DescribeTargetGroups", error)
            else:
                # One vanished group fails a call naming several: ask one by one to isolate it.
                for arn in unknown:
                    try:
                        self._remember(self._describe_groups([arn]))
                    except (ClientError, BotoCoreError) as one:
                        problems[arn] = _failed("DescribeTargetGroups", one)
        return {arn: problems.get(arn) or self._identity(arn) for arn in arns}

    def _identity(self, arn: str) -> Read[GroupIdentity]:
        if arn in self._identities:
            return Read(self._identities[arn])
        return Read.failed("DescribeTargetGroups answered without this group")

    def observe(self, group: GroupIdentity) -> Read[TargetGroupView]:
        try:
            answer = self._elbv2.describe_target_health(TargetGroupArn=group.arn)
        except (ClientError, BotoCoreError) as error:
            return _failed("DescribeTargetHealth", error)
        try:
            targets = tuple(_observed(d, group.port) for d in answer.get("TargetHealthDescriptions", []))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return Read.failed(f"DescribeTargetHealth answered in an unexpected shape: {type(error).__name__}: {error}")
        return Read(TargetGroupView(group.arn, group.name, group.port, targets))

    def register(self, arn: str, targets: Sequence[Target], outside_zones: Collection[Target] = ()) -> Written:
        return self._send(self._elbv2.register_targets, arn, targets, outside_zones)

    def deregister(self, arn: str, targets: Sequence[Target]) -> Written:
        return self._send(self._elbv2.deregister_targets, arn, targets, ())

    def _send(self, call: Any, arn: str, targets: Sequence[Target], outside_zones: Collection[Target]) -> Written:
        """Send the targets in batches. A batch refused for a target's sake is split to find the targets at fault;
        one refused as a whole (the group full, throttled, denied) is not."""
        written = Written()
        pending = [list(batch) for batch in _batches(targets, MAX_TARGETS_PER_CALL)]
        while pending:
            batch = pending.pop(0)
            try:
                call(TargetGroupArn=arn, Targets=[_description(t, outside_zones) for t in batch])
            except (ClientError, BotoCoreError) as error:
                if _refused(error) and len(batch) > 1:
                    middle = len(batch) // 2
                    pending[:0] = [batch[:middle], batch[middle:]]
                    continue
                written.failed.extend(batch)
                if _refused(error):
                    written.refused.append(Refusal(batch[0], describe_error(error)))
                elif _code(error) in GROUP_FULL:
                    written.full = True
                    written.problems.append(
                        f"{call.__name__} of {len(batch)} targets refused, the group is full: {describe_error(error)}"
                    )
                else:
                    where = written.unsent if _cut_short(error) else written.problems
                    where.append(f"{call.__name__} of {len(batch)} targets failed: {describe_error(error)}")
            else:
                written.done.extend(batch)
        return written

    def _describe_groups(self, arns: list[str]) -> list[dict[str, Any]]:
        pages = self._elbv2.get_paginator("describe_target_groups").paginate(TargetGroupArns=arns)
        return [group for page in pages for group in page["TargetGroups"]]

    def _remember(self, described: list[dict[str, Any]]) -> None:
        owners = self._owners([group["TargetGroupArn"] for group in described])
        for group in described:
            arn = group["TargetGroupArn"]
            self._identities[arn] = GroupIdentity(arn, group["TargetGroupName"], int(group["Port"]), owners.get(arn))

    def _owners(self, arns: list[str]) -> dict[str, str]:
        """Each group's owner tag (DescribeTags takes 20 ARNs a call)."""
        owners: dict[str, str] = {}
        for start in range(0, len(arns), 20):
            described = self._elbv2.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]
            for tags in described:
                owner = next((t["Value"] for t in tags.get("Tags", []) if t["Key"] == OWNER_TAG), None)
                if owner is not None:
                    owners[tags["ResourceArn"]] = owner
        return owners


def _observed(described: dict[str, Any], port: int) -> ObservedTarget:
    health = described.get("TargetHealth") or {}
    return ObservedTarget(
        Target(str(described["Target"]["Id"]), int(described["Target"].get("Port", port))),
        TargetState.of(health.get("State")),
        health.get("Reason"),
    )


def _description(target: Target, outside_zones: Collection[Target]) -> dict[str, Any]:
    described: dict[str, Any] = {"Id": target.ip, "Port": target.port}
    if target in outside_zones:
        described["AvailabilityZone"] = "all"
    return described


def _code(error: Exception) -> str | None:
    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None


def _refused(error: Exception) -> bool:
    """A 4xx about the targets themselves (InvalidTarget, ValidationError...): some target in the call is at fault."""
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return 400 <= status < 500 and _code(error) not in NOT_A_REFUSAL


def _failed(call: str, error: Exception) -> Read[T]:
    return Read.failed(f"{call} failed: {describe_error(error)}", cut_short=_cut_short(error))


def _cut_short(error: Exception) -> bool:
    return isinstance(error, DeadlineReached)


def _batches(items: Sequence[Target], size: int) -> Iterable[Sequence[Target]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
