"""The metric lines of each step; tables come from the CLI's renderer (mq_endpoint.render), one way to show state."""

from collections.abc import Sequence

from emulator.lambda_runtime import Invocation

SERVICE_METRICS = (
    "ReconcileFailures",
    "BrokersUnresolved",
    "BrokersWithoutHealthyInstance",
    "TargetsRegistered",
    "TargetsDeregistered",
)
GROUP_METRICS = ("HealthyTargets", "UnhealthyTargets", "RegisteredTargets", "DesiredTargets", "ChangesWithheld")


def metrics(invocation: Invocation, group_labels: dict[str, str], broker_names: dict[str, str]) -> list[str]:
    """The step's EMF metrics, one line per dimension set."""
    lines = [_line(invocation, "function", SERVICE_METRICS)]
    for group_name, label in group_labels.items():
        if invocation.metric(GROUP_METRICS[0], TargetGroup=group_name) is not None:
            lines.append(_line(invocation, label, GROUP_METRICS, TargetGroup=group_name))
    brokers = [m for m in invocation.metrics if m.name == "HealthyInstances"]
    if brokers:
        pairs = [f"{broker_names.get(m.dimensions['BrokerId'], m.dimensions['BrokerId'])}={m.value:g}" for m in brokers]
        lines.append(f"{'brokers':<20} HealthyInstances: " + " ".join(pairs))
    return lines


def _line(invocation: Invocation, title: str, names: Sequence[str], **dimensions: str) -> str:
    values = []
    for name in names:
        value = invocation.metric(name, **dimensions)
        if value is not None:
            values.append(f"{name}={value:g}")
    return f"{title:<20} " + " ".join(values)
