"""Every emulator test runs twice: in-process (mock_aws) and over HTTP (ThreadedMotoServer)."""

from collections.abc import Iterator

import pytest
from moto import mock_aws

from emulator import EmulatedAws, MotoServer

REGION = "eu-west-1"


@pytest.fixture(params=["in-process", "http"])
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedAws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # One attempt: a fault must reach the test as the error AWS would send, not be retried away.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # moto loads thousands of default AMIs into each fresh EC2 backend otherwise.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():  # fresh moto backends for each test, HTTP or not
        if request.param == "http":
            with MotoServer(region=REGION), EmulatedAws(region=REGION, seed=7) as emulated:
                yield emulated
        else:
            with EmulatedAws(region=REGION, seed=7) as emulated:
                yield emulated
