"""The JSON report every invocation returns and logs."""

from __future__ import annotations

from typing import Any

from reconciler.core.brokers import BrokerFinding
from reconciler.core.triggers import Trigger
from reconciler.run.outcome import GroupOutcome, RunOutcome


def report_run(outcome: RunOutcome) -> dict[str, Any]:
    return {
        "status": outcome.status.value,
        "trigger": outcome.trigger.describe(),
        "dryRun": outcome.dry_run,
        "cutShort": outcome.cut_short,
        "interfacesListed": outcome.interfaces_listed,
        "vpcEndpointsListed": outcome.endpoints_listed,
        "brokers": [
            _report_broker(broker, outcome) for broker in sorted(outcome.brokers.values(), key=lambda b: b.broker_id)
        ],
        "targetGroups": [_report_group(group, outcome.dry_run) for group in outcome.groups],
        "unservedInstances": [
            {"brokerId": u.broker.broker_id, "name": u.broker.name, "ip": u.address.ip, "zone": u.address.zone}
            for u in outcome.unserved()
        ],
        "errors": outcome.problems(),
        "durationMs": outcome.duration_ms,
    }


def report_refusal(status: str, message: str, trigger: Trigger | None = None) -> dict[str, Any]:
    """A run that did not touch AWS: bad input, bad configuration, or nothing to do."""
    return {
        "status": status,
        "trigger": trigger.describe() if trigger else None,
        "dryRun": None,
        "brokers": [],
        "targetGroups": [],
        "errors": [message] if status != "ok" else [],
        "message": message,
        "durationMs": 0,
    }


def _report_broker(broker: BrokerFinding, outcome: RunOutcome) -> dict[str, Any]:
    return {
        "brokerId": broker.broker_id,
        "name": broker.name,
        "knowledge": broker.knowledge.value,
        "engine": broker.engine.value if broker.engine else None,
        "state": broker.state,
        "addressSource": broker.source.value if broker.source else None,
        "reason": broker.reason,
        "addresses": [{"ip": a.ip, "zone": a.zone, "interfaceId": a.interface_id} for a in broker.addresses],
        "refusedAddresses": [{"ip": r.ip, "reason": r.reason} for r in broker.refused],
        "healthyInstances": outcome.healthy_instances(broker),
    }


def _report_group(group: GroupOutcome, dry_run: bool) -> dict[str, Any]:
    reported: dict[str, Any] = {"name": group.name, "arn": group.arn, "port": group.port, "engine": group.engine.value}
    errors = group.problems()
    if group.plan is None:
        return {
            **reported,
            "registered": [],
            "deregistered": [],
            "kept": [],
            "withheld": [],
            "refused": [],
            "health": {},
            "errors": errors,
        }
    plan = group.plan
    if dry_run or group.applied is None:
        # A dry run reports what it would do, under the same keys.
        registered, deregistered = list(plan.register), [r.target for r in plan.deregister]
        withheld, refused = list(plan.withheld), []
    else:
        registered, deregistered = group.applied.registered, group.applied.deregistered
        withheld, refused = list(plan.withheld) + group.applied.held_back, group.applied.refused
    evidence = {r.target: r.evidence for r in plan.deregister}
    return {
        **reported,
        "registered": [str(t) for t in registered],
        "deregistered": [{"target": str(t), "evidence": evidence[t]} for t in deregistered],
        "kept": [str(t) for t in plan.keep],
        "withheld": [{"target": str(w.target), "reason": w.reason} for w in withheld],
        "refused": [{"target": str(r.target), "brokerId": r.broker_id, "message": r.message} for r in refused],
        "health": group.view.state_counts() if group.view else {},
        "errors": errors,
    }
