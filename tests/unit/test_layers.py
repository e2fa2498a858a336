"""The package's layers, read from its imports: core <- adapters <- run <- shell.

The core decides every safety rule (docs/safety.md) on data alone, so it
imports no AWS client and nothing that reads the clock, the network or a
thread; each layer imports only the layers below it and its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "reconciler"
LAYERS = ("core", "adapters", "run", "shell")
# What the core may not reach, even through another module: AWS, Lambda, and the world outside the data it is given.
NOT_IN_THE_CORE = ("boto3", "botocore", "aws_lambda_powertools", "socket", "time", "threading", "concurrent")


def modules() -> list[str]:
    return sorted(".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py"))


def imports_of(module: str) -> set[str]:
    """Every module `module` imports, relative imports spelt out in full (`from ..shell import x`: reconciler.shell)."""
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    package = ["reconciler", *module.split(".")[:-1]]
    if not path.exists():  # a package: its __init__.py, whose relative imports start from the package itself
        path = PACKAGE.joinpath(*module.split("."), "__init__.py")
        package = ["reconciler", *module.split(".")]
    if not path.exists():  # a name an __init__.py defines (`from . import NAME`), not a module: nothing to follow
        return set()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            named = [node.module] if node.module else [alias.name for alias in node.names]
            found |= {".".join([*base, name]) for name in named}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def layer_of(module: str) -> str:
    return module.split(".")[0]


def test_every_module_lives_in_a_layer() -> None:
    stray = [m for m in modules() if m != "__init__" and layer_of(m) not in LAYERS]
    assert not stray, f"{stray}: put each module in one of {LAYERS}"


@pytest.mark.parametrize("module", [m for m in modules() if layer_of(m) in LAYERS])
def test_imports_go_one_way_only(module: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(layer_of(module)) + 1])
    upward = {
        name for name in imports_of(module) if name.startswith("reconciler.") and name.split(".")[1] not in allowed
    }
    assert not upward, f"reconciler.{module} ({layer_of(module)}) imports {sorted(upward)} from a layer above it"


def reachable(module: str, seen: set[str]) -> set[str]:
    """Every module `module` imports, following the package's own."""
    for name in imports_of(module):
        if name.startswith("reconciler.") and name.split(".", 1)[1] not in seen:
            seen.add(name.split(".", 1)[1])
            reachable(name.split(".", 1)[1], seen)
        seen.add(name)
    return seen


@pytest.mark.parametrize("module", [m for m in modules() if layer_of(m) == "core"])
def test_the_core_reaches_no_aws_client_clock_or_network(module: str) -> None:
    reached = reachable(module, set())
    assert not {name for name in reached if name.split(".")[0] in NOT_IN_THE_CORE}, sorted(reached)
