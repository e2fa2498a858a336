"""status and plan: the reconciler's own run, in dry-run mode, here, with the operator's credentials.

Nothing is reimplemented: the stack's settings (stack.py) go to the
function's own wiring and Reconciler.run, with the trigger a dry-run resync
would parse to. So what `plan` says is what the function would do now, and
nothing is written: a dry run never applies its plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import boto3

from reconciler.core.evidence import wanted_addresses
from reconciler.core.triggers import parse_trigger
from reconciler.run.outcome import RunOutcome
from reconciler.shell.report import report_run
from reconciler.shell.wiring import build_reconciler

from .aws import CallWatch, FailedCall
from .stack import DeployedStack


@dataclass(frozen=True)
class Inspection:
    stack: DeployedStack
    outcome: RunOutcome
    failed_calls: tuple[FailedCall, ...]

    @property
    def pending_changes(self) -> int:
        """Targets a real run would register or deregister now."""
        return sum(len(g.plan.register) + len(g.plan.deregister) for g in self.outcome.groups if g.plan)

    def document(self) -> dict[str, Any]:
        """The function's report of this dry run, with what a report leaves out: each target's health and broker."""
        return self._document

    @cached_property
    def _document(self) -> dict[str, Any]:
        report = report_run(self.outcome)
        brokers_of = wanted_addresses(self.outcome.brokers)
        for reported, group in zip(report["targetGroups"], self.outcome.groups):
            reported["standby"] = group.arn in self.stack.standby_target_group_arns  # docs/cutover.md
            removed_for = {r.target: r.broker_id for r in group.plan.deregister} if group.plan else {}
            reported["targets"] = [
                {
                    "target": str(t.target),
                    "state": t.state.value,
                    "reason": t.reason,
                    "brokerId": brokers_of.get(t.target.ip) or removed_for.get(t.target),
                }
                for t in (group.view.targets if group.view else ())
            ]
        return {
            "stack": {
                "name": self.stack.name,
                "region": self.stack.region,
                "status": self.stack.status,
                "scope": self.stack.scope,
            },
            **report,
            "pendingChanges": self.pending_changes,
            "failedCalls": [
                {"action": f.action, "code": f.code, "message": f.message, "denied": f.denied}
                for f in self.failed_calls
            ],
        }


def inspect(
    session: boto3.session.Session, stack: DeployedStack, watch: CallWatch, broker_ids: Sequence[str] = ()
) -> Inspection:
    """One dry run, as a resync naming `broker_ids` would run; `watch` watches `session`, and only the calls
    of this run count as its failures. The run ends within the command's read budget, as the function's
    ends within its timeout: it stops sending early and says it was cut short."""
    settings = stack.settings()
    reconciler = build_reconciler(settings, session=session)
    earlier = len(watch.failed)
    trigger = parse_trigger(resync_payload(broker_ids, dry_run=True), region=settings.region, account=None)
    outcome = reconciler.run(trigger, remaining_ms=watch.remaining_ms)
    return Inspection(stack, outcome, tuple(watch.failed[earlier:]))


def resync_payload(broker_ids: Iterable[str], dry_run: bool) -> dict[str, Any]:
    """What `sam remote invoke ... --event` would send: {"action": "resync"}, dryRun and brokerIds if any."""
    payload: dict[str, Any] = {"action": "resync"}
    if dry_run:
        payload["dryRun"] = True
    ids = sorted(set(broker_ids))
    if ids:
        payload["brokerIds"] = ids
    return payload
