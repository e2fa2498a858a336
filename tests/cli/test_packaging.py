"""The CLI stays out of the function: nothing under src/ (the Lambda's CodeUri) imports rich or the CLI."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
CLI_ONLY = ("rich", "mq_endpoint")


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_nothing_in_the_function_imports_the_clis_libraries() -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(m for m in _imported_modules(path) if m.split(".")[0] in CLI_ONLY)
        for path in sorted(SRC.rglob("*.py"))
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
    assert len(offenders) > 10, "the function's modules were found"
