"""docs/contract.md's report example against a real report: same keys, same shapes.

The example under `## Report` is what an operator reads to know what the
function logs and returns. It is checked, not generated: the first ```json
block under that heading must have exactly the keys of a real report, for
every object, and for the first element of every list, down to the leaves,
with values of the same JSON kind (a string where the report has a string, an
object where it has an object). The real report comes from the real handler
on the emulator, in a scenario that fills every list the example fills.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.endpoint import Endpoint

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
HEADING = "## Report"


def report_example(text: str) -> Any:
    """The first ```json block after the `### Report` heading, parsed."""
    start = text.index(f"\n{HEADING}\n")
    block = re.search(r"^```json\n(.*?)^```$", text[start:], re.MULTILINE | re.DOTALL)
    assert block, f"docs/contract.md: no ```json block under {HEADING}"
    return json.loads(block.group(1))


def json_kind(value: Any) -> str:
    kinds = [
        (bool, "a boolean"),
        (int, "a number"),
        (float, "a number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ]
    return "null" if value is None else next(name for kind, name in kinds if isinstance(value, kind))


def shape_differences(example: Any, real: Any, path: str = "report") -> list[str]:
    """Where the example's keys or value kinds differ from the real report's."""
    if json_kind(example) != json_kind(real):
        return [f"{path}: the example has {json_kind(example)}, the report {json_kind(real)}"]
    if isinstance(example, dict):
        differences = [f"{path}: the example lacks {key!r}" for key in sorted(real.keys() - example.keys())]
        differences += [f"{path}: the report has no {key!r}" for key in sorted(example.keys() - real.keys())]
        for key in sorted(example.keys() & real.keys()):
            differences += shape_differences(example[key], real[key], f"{path}.{key}")
        return differences
    if isinstance(example, list) and example:
        assert real, f"{path}: this test's scenario left the list empty, so the example's element cannot be checked"
        return shape_differences(example[0], real[0], f"{path}[0]")
    return []


def test_the_comparison_sees_a_renamed_key_a_changed_shape_and_a_missing_key() -> None:
    real = {"status": "ok", "targetGroups": [{"deregistered": [{"target": "10.0.0.1:61617", "evidence": "gone"}]}]}
    assert shape_differences(real, real) == []
    assert shape_differences({**real, "state": "ok"}, real) == ["report: the report has no 'state'"]
    stale = {"status": "ok", "targetGroups": [{"deregistered": ["10.0.0.1:61617"]}]}
    assert shape_differences(stale, real) == [
        "report.targetGroups[0].deregistered[0]: the example has a string, the report an object"
    ]
    assert shape_differences({"targetGroups": real["targetGroups"]}, real) == ["report: the example lacks 'status'"]


def test_the_contracts_report_example_has_the_keys_and_shapes_of_a_real_report(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    # As in the example: a minute ago a reboot moved orders' IPs (registered then); now payments' move, and orders'
    # old addresses go on their second reading.
    orders, payments = two_brokers
    endpoint.sweep()
    endpoint.aws.change_broker_ips(orders)
    endpoint.reboot_event(orders)
    endpoint.aws.change_broker_ips(payments)
    endpoint.let_time_pass(60)
    real = endpoint.reboot_event(payments).report

    differences = shape_differences(report_example(CONTRACT.read_text()), real)

    assert not differences, (
        "docs/contract.md's report example is stale:\n"
        + "\n".join(differences)
        + ("\nA real report:\n" + json.dumps(real, indent=2))
    )
