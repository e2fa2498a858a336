"""The cold-start and package measurements of `make bench`, run once on a small scale: they run, and measure what they
say.

Figures, not verdicts: the goal (handler import <= 1.3 x boto3's) is judged
by the benchmark on medians of many rounds, never by a timed assertion here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cold_start import measure_cold_start
from bench.package import build_package

pytestmark = pytest.mark.slow


def test_the_package_holds_the_function_and_its_pinned_powertools_and_no_boto3(tmp_path: Path) -> None:
    package = build_package(tmp_path)
    assert (tmp_path / "reconciler" / "shell" / "handler.py").is_file()
    assert any(name.startswith("aws_lambda_powertools==") for name in package.bundled)
    assert not (tmp_path / "boto3").exists() and not (tmp_path / "botocore").exists(), "the runtime has boto3"
    assert package.zipped < package.bytes


def test_a_cold_start_round_imports_the_handler_under_a_valid_configuration_and_builds_its_clients(
    tmp_path: Path,
) -> None:
    """A handler that refused its configuration would import faster and build nothing: both would be wrong figures."""
    build_package(tmp_path)
    cold = measure_cold_start(1, tmp_path)
    assert cold.runs == 1 and len(cold.round_ratios) == 1
    assert cold.handler.cpu > 0 and cold.boto3.cpu > 0 and cold.client_build > 0
