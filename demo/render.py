"""Plain-text tables of what the demo shows after each step."""

from collections.abc import Sequence
from typing import Any

from emulator.lambda_runtime import Invocation

SERVICE_METRICS = (
    "ReconcileFailures",
    "BrokersUnresolved",
    "BrokersWithoutHealthyInstance",
    "TargetsRegistered",
    "TargetsDeregistered",
)
GROUP_METRICS = ("HealthyTargets", "UnhealthyTargets", "RegisteredTargets", "DesiredTargets", "ChangesWithheld")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join("    " + line for line in lines)


def changes(report: dict[str, Any], group_labels: dict[str, str], broker_names: dict[str, str]) -> list[str]:
    """What the run did (or, dry, would do), from its report."""
    lines = []
    verb = ("would register", "would deregister") if report.get("dryRun") else ("registered", "deregistered")
    for group in report["targetGroups"]:
        label = group_labels.get(group["name"], group["name"])
        lines += [f"+ {label}: {verb[0]} {target}" for target in group["registered"]]
        lines += [f"- {label}: {verb[1]} {r['target']} ({r['evidence']})" for r in group["deregistered"]]
        lines += [f"= {label}: kept {w['target']} ({w['reason']})" for w in group["withheld"]]
    lines += [f"! error: {error}" for error in report["errors"]]
    return [_named(line, broker_names) for line in lines] or ["(nothing to change)"]


def _named(text: str, broker_names: dict[str, str]) -> str:
    """Broker ids are long: say which broker by name."""
    for broker_id, name in broker_names.items():
        text = text.replace(broker_id, name)
    return text


def metrics(invocation: Invocation, group_labels: dict[str, str], broker_names: dict[str, str]) -> list[str]:
    """The step's EMF metrics, one line per dimension set."""
    lines = [_line(invocation, "function", SERVICE_METRICS)]
    for group_name, label in group_labels.items():
        if invocation.metric(GROUP_METRICS[0], TargetGroup=group_name) is not None:
            lines.append(_line(invocation, label, GROUP_METRICS, TargetGroup=group_name))
    brokers = [m for m in invocation.metrics if m.name == "HealthyInstances"]
    if brokers:
        pairs = [f"{broker_names.get(m.dimensions['BrokerId'], m.dimensions['BrokerId'])}={m.value:g}" for m in brokers]
        lines.append(f"{'brokers':<16} HealthyInstances: " + " ".join(pairs))
    return lines


def _line(invocation: Invocation, title: str, names: Sequence[str], **dimensions: str) -> str:
    values = []
    for name in names:
        value = invocation.metric(name, **dimensions)
        if value is not None:
            values.append(f"{name}={value:g}")
    return f"{title:<16} " + " ".join(values)

