"""The functional core knows no AWS client: the safety rules (docs/safety.md) are decided on data alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "reconciler"
# The model, every evidence verdict and the plan.
CORE = ("brokers", "interfaces", "endpoints", "targets", "memory", "evidence", "plan")
FORBIDDEN = ("boto3", "botocore", "aws_lambda_powertools")


def imports_of(module: str) -> set[str]:
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def reachable(module: str, seen: set[str] | None = None) -> set[str]:
    """Every module the core module imports, following the reconciler's own."""
    seen = seen if seen is not None else set()
    for name in imports_of(module):
        if name.startswith("reconciler."):
            inner = name.split(".", 1)[1]
            if inner not in seen:
                seen.add(inner)
                reachable(inner, seen)
        seen.add(name)
    return seen


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_aws_client_not_even_through_another_module(module: str) -> None:
    reached = reachable(module)
    assert not {name for name in reached if name.split(".")[0] in FORBIDDEN}, reached
    assert not {name.split(".", 1)[1] for name in reached if name.startswith("reconciler.")} - set(CORE), (
        "the core imports only the core")
