"""The deployed endpoint, over HTTP: template.yaml in moto's CloudFormation,
the real handler, boto3 through AWS_ENDPOINT_URL."""

from collections.abc import Iterator

import pytest
from moto import mock_aws

from demo.stack import deploy, template_exists
from demo.world import build_world
from emulator import EmulatedAws, MotoServer
from emulator.lambda_invoke import serving_function
from emulator.lambda_runtime import LambdaRuntime
from mq_endpoint.main import main
from tests.e2e.endpoint import REGION, Cli, DeployedEndpoint, Run


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[DeployedEndpoint]:
    if not template_exists():
        pytest.fail("template.yaml is missing: the end-to-end tests deploy it")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), MotoServer(region=REGION), EmulatedAws(region=REGION, seed=11) as aws:
        world = build_world(aws)
        stack = deploy(world)
        # lambda:Invoke of the stack's function runs this runtime, as `mq-endpoint resync` expects of AWS.
        with (
            LambdaRuntime(stack.function_name, stack.function_arn, log_group=stack.log_group) as runtime,
            serving_function(stack.function_name, runtime),
        ):
            yield DeployedEndpoint(world, stack, runtime)


@pytest.fixture
def empty_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedAws]:
    """The emulator over HTTP with no stack deployed: for what fails before any stack is read."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), MotoServer(region=REGION), EmulatedAws(region=REGION, seed=11) as aws:
        yield aws


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """mq-endpoint's main(argv), in this process: its exit code and what it printed.

    Piped output is as wide as COLUMNS says; pytest's own runs (xdist workers
    among them) may set it to 80, which would wrap the lines these tests read.
    """
    monkeypatch.delenv("COLUMNS", raising=False)

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
