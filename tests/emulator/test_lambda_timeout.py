"""The function's Timeout, enforced as Lambda enforces it: a run past it is
killed, makes no more AWS calls, and the next starts cold."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from emulator import EmulatedAws
from emulator.lambda_runtime import Invocation, LambdaRuntime

TIMEOUT = 0.5


@pytest.fixture
def runtime(aws: EmulatedAws) -> Iterator[LambdaRuntime]:
    arn = f"arn:aws:lambda:{aws.region}:123456789012:function:overrunning"
    with LambdaRuntime(
        "overrunning", arn, timeout_seconds=TIMEOUT, handler="tests.emulator.overrunning_function"
    ) as runtime:
        runtime.cold_start({"REGION": aws.region})
        yield runtime


def _run(aws: EmulatedAws, runtime: LambdaRuntime, seconds: float, **event: Any) -> Invocation:
    return runtime.invoke({"seconds": seconds, "vpc_id": aws.vpc_id, **event})


def _killed(aws: EmulatedAws, runtime: LambdaRuntime, **event: Any) -> Invocation:
    """A run of 5 s, killed at its timeout, not left to run its course (the bound leaves room for a busy machine)."""
    started = time.monotonic()
    invocation = _run(aws, runtime, 5.0, **event)
    assert time.monotonic() - started < 3.0
    assert invocation.timed_out and invocation.report == {}
    return invocation


def _vpc_tags(aws: EmulatedAws) -> dict[str, int]:
    (vpc,) = aws.client("ec2").describe_vpcs(VpcIds=[aws.vpc_id])["Vpcs"]
    return {t["Key"]: int(t["Value"]) for t in vpc["Tags"] if t["Key"] != "Name"}


def _tags_after_a_while(aws: EmulatedAws) -> dict[str, int]:
    """The VPC's step tags now, checked again 0.3 s later: a run still going would have moved them."""
    now = _vpc_tags(aws)
    time.sleep(0.3)
    assert _vpc_tags(aws) == now, "an AWS call of the killed run came after invoke() returned"
    return now


def _logged_steps(invocation: Invocation) -> list[int]:
    return [log["step"] for log in invocation.logs if log.get("message") == "step"]


def test_a_run_within_its_timeout_reports_and_keeps_its_container(aws: EmulatedAws, runtime: LambdaRuntime) -> None:
    first = _run(aws, runtime, 0.05)
    written = _vpc_tags(aws)["step"]
    second = _run(aws, runtime, 0.05)

    assert (first.raised, first.timed_out) == (None, False)
    assert first.report["steps"] == written >= 1
    assert second.report["container"] == first.report["container"], "a warm container is reused"
    assert TIMEOUT * 1000 - 200 < first.report["remaining_ms_at_start"] <= TIMEOUT * 1000


def test_a_run_past_its_timeout_is_killed_with_lambdas_error_and_what_it_logged_so_far(
    aws: EmulatedAws, runtime: LambdaRuntime
) -> None:
    killed = _killed(aws, runtime)

    assert killed.raised is not None
    assert killed.raised.startswith("Sandbox.Timedout: ")
    assert killed.raised.endswith(f"Task timed out after {TIMEOUT:.2f} seconds")
    steps = _logged_steps(killed)
    assert steps and killed.metric("Steps") == 1.0, "logs and metrics written before the kill are kept"
    assert _tags_after_a_while(aws)["step"] in (steps[-1], steps[-1] + 1)


def test_the_invocation_after_a_timeout_is_a_cold_start_with_the_same_environment(
    aws: EmulatedAws, runtime: LambdaRuntime
) -> None:
    warm = _run(aws, runtime, 0.01)
    _killed(aws, runtime)

    after = _run(aws, runtime, 0.01)

    assert after.raised is None, "the environment (REGION) came back with the new container"
    assert after.report["container"] != warm.report["container"]
    assert any(log.get("message") == "cold start" for log in after.logs)


def test_the_threads_a_killed_run_started_make_no_aws_call_after_it(aws: EmulatedAws, runtime: LambdaRuntime) -> None:
    _killed(aws, runtime, workers=True)

    assert set(_tags_after_a_while(aws)) == {"worker-1", "worker-2"}


def test_a_function_that_swallows_the_kill_still_makes_no_aws_call_past_its_deadline(
    aws: EmulatedAws, runtime: LambdaRuntime
) -> None:
    killed = _run(aws, runtime, 1.0, swallow=True)

    assert killed.timed_out and killed.report == {}
    written = _tags_after_a_while(aws)["step"]
    assert max(_logged_steps(killed)) > written, "its steps past the deadline never reached EC2"
