"""Health metrics as CloudWatch embedded metric format lines, through Powertools.

Every metric carries the `service` dimension; a target group's metrics add
`TargetGroup` (its name), a broker's (opt-in) add `BrokerId`.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import EphemeralMetrics, Metrics, MetricUnit

from reconciler.core.brokers import Knowledge
from reconciler.run.outcome import RunOutcome, Status


def publish_run(metrics: Metrics, outcome: RunOutcome, *, per_broker: bool = False) -> None:
    """The run's health; `per_broker` adds one metric per broker (0.30 USD a month each, so opt-in)."""
    registered = sum(len(g.applied.registered) for g in outcome.groups if g.applied)
    deregistered = sum(len(g.applied.deregistered) for g in outcome.groups if g.applied)
    settled = [b for b in outcome.brokers.values() if b.knowledge is Knowledge.SETTLED]
    metrics.add_metric("ReconcileFailures", MetricUnit.Count, 1 if outcome.status is Status.FAILED else 0)
    metrics.add_metric("ReconcileIncomplete", MetricUnit.Count, 1 if outcome.status is Status.INCOMPLETE else 0)
    metrics.add_metric(
        "TargetsRefused", MetricUnit.Count, sum(len(g.applied.refused) for g in outcome.groups if g.applied)
    )
    metrics.add_metric("BrokerInstancesInUnservedZones", MetricUnit.Count, len(outcome.unserved()))
    metrics.add_metric("TargetGroupsOwnedElsewhere", MetricUnit.Count, sum(g.owned_elsewhere for g in outcome.groups))
    metrics.add_metric(
        "BrokersUnresolved",
        MetricUnit.Count,
        sum(b.knowledge is Knowledge.UNRESOLVED for b in outcome.brokers.values()),
    )
    metrics.add_metric("BrokersFromDescribeBroker", MetricUnit.Count, len(outcome.from_describe_broker()))
    metrics.add_metric(
        "BrokersOutsideVpc", MetricUnit.Count, sum(b.knowledge is Knowledge.OUTSIDE for b in outcome.brokers.values())
    )
    metrics.add_metric("AddressesRefused", MetricUnit.Count, sum(len(b.refused) for b in outcome.brokers.values()))
    metrics.add_metric("InterfaceListingFailures", MetricUnit.Count, 1 if outcome.interfaces_listed is None else 0)
    without_healthy = [
        b for b in settled if outcome.healthy_instances(b) == 0 and not outcome.awaiting_health_checks(b)
    ]
    metrics.add_metric("BrokersWithoutHealthyInstance", MetricUnit.Count, len(without_healthy))
    metrics.add_metric("ReconcileDuration", MetricUnit.Milliseconds, outcome.duration_ms)
    metrics.add_metric("TargetsRegistered", MetricUnit.Count, registered)
    metrics.add_metric("TargetsDeregistered", MetricUnit.Count, deregistered)

    for group in outcome.groups:
        view, plan, applied = group.view, group.plan, group.applied
        if view is None or plan is None:
            continue  # unreadable: counted as a failure above
        counts = view.state_counts()
        values = {
            "HealthyTargets": counts.get("healthy", 0),
            "UnhealthyTargets": counts.get("unhealthy", 0),
            "RegisteredTargets": len(view.registered),
            "TargetsRegistered": len(applied.registered) if applied else 0,
            "TargetsDeregistered": len(applied.deregistered) if applied else 0,
            "ChangesWithheld": len(plan.withheld),
            "DesiredTargets": len(plan.desired),
        }
        _publish_dimensioned(metrics, ("TargetGroup", view.name), values)
    for broker in settled if per_broker else []:
        _publish_dimensioned(
            metrics, ("BrokerId", broker.broker_id), {"HealthyInstances": outcome.healthy_instances(broker)}
        )


def _publish_dimensioned(metrics: Metrics, dimension: tuple[str, str], values: dict[str, int]) -> None:
    # One EMF line per dimension set, sharing the function's namespace and service.
    line = EphemeralMetrics(namespace=metrics.namespace, service=metrics.service)
    line.add_dimension(*dimension)
    for name, value in values.items():
        line.add_metric(name, MetricUnit.Count, value)
    line.flush_metrics()
