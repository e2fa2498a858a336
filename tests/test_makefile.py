"""The make targets the README promises: listed by `make help`, and doing what the README says.

`make -n` prints a target's commands without running them, so these tests
never install anything and never reach AWS.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILES = [ROOT / "Makefile", *sorted((ROOT / "make").glob("*.mk"))]
INTERNAL = {"run-313"}  # called by test-313 once it has found Python 3.13


def make(*arguments: str, env: dict[str, str] | None = None) -> str:
    # Run as a make of its own, not as a job of the `make test` that may be running these tests.
    env = {
        k: v for k, v in (os.environ if env is None else env).items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    done = subprocess.run(
        ["make", "--no-print-directory", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def listed_by_help() -> dict[str, str]:
    return dict(line.strip().split(None, 1) for line in make("help").splitlines() if line.strip())


def test_help_lists_every_phony_target_with_one_line() -> None:
    declared = {
        target
        for path in MAKEFILES
        for line in path.read_text().splitlines()
        if line.startswith(".PHONY:")
        for target in line.removeprefix(".PHONY:").split("#")[0].split()
    } - INTERNAL
    listed = listed_by_help()
    assert set(listed) == declared
    assert all(len(description) > 10 for description in listed.values())


def test_every_make_command_in_the_readme_is_a_target() -> None:
    readme = (ROOT / "README.md").read_text()
    # A command, not prose: at the start of a line of a code block, after a backtick or a shell prompt.
    mentioned = set(re.findall(r"(?:^|`|\$ )make ([a-z][a-z0-9-]*)", readme, re.MULTILINE))
    assert mentioned, "the README names make targets"
    assert mentioned <= set(listed_by_help()), sorted(mentioned - set(listed_by_help()))


def test_make_deploy_builds_then_runs_the_pinned_sam_deploy_guided() -> None:
    commands = make("-n", "deploy")
    assert commands.index("sam build") < commands.index(".venv-sam/bin/sam deploy --guided")
    prod = make("-n", "deploy", "DEPLOY_ARGS=--config-env prod")
    assert ".venv-sam/bin/sam deploy --config-env prod" in prod


def test_make_delete_runs_the_pinned_sam_delete() -> None:
    assert ".venv-sam/bin/sam delete --config-env prod" in make("-n", "delete", "DELETE_ARGS=--config-env prod")


def test_make_bench_prints_only_and_bench_docs_writes() -> None:
    assert "--write-docs" not in make("-n", "bench")
    assert "--write-docs" in make("-n", "bench-docs")


def test_make_test_runs_pytest_the_313_run_mypy_ruff_and_the_linters_in_parallel() -> None:
    commands = make("-n", "test")
    for expected in [
        "-m pytest -n 2 --dist worksteal",
        "-m mypy",
        "ruff format --check",
        "ruff check",
        "cfn-lint template.yaml",
        "sam validate --lint",
        "checkov --file",
    ]:
        assert expected in commands, expected
    assert re.search(r"make .*-j\d+ .*pytest test-313 typecheck style lint", commands), "one make, several jobs"


def test_without_python_313_the_313_run_is_skipped_and_says_why(tmp_path: Path) -> None:
    # A PATH holding make and a shell only: no python3.13, no pyenv.
    for tool in ("make", "sh"):
        (tmp_path / tool).symlink_to(
            subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON313"}
    out = make("-n", "test-313", f"PYTHON={sys.executable}", env={**env, "PATH": str(tmp_path)})
    assert "test-313: SKIPPED: no Python 3.13 found" in out
    assert "pytest tests/unit tests/integration" not in out


@pytest.mark.skipif(
    subprocess.run(["sh", "make/python313.sh"], cwd=ROOT, capture_output=True).returncode != 0,
    reason="no Python 3.13 on this machine",
)
def test_the_313_run_finds_an_interpreter_that_is_313() -> None:
    found = subprocess.run(
        ["sh", "make/python313.sh"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    version = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    ).stdout
    assert version.strip() == "(3, 13)"
