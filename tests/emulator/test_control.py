"""`python -m emulator` changes a running emulator's brokers from another shell, over its control routes."""

from collections.abc import Iterator

import pytest
from moto import mock_aws

from emulator import EmulatedAws, MotoServer
from emulator.__main__ import main
from emulator.control import ControlError, call

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedAws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws(), MotoServer(region=REGION) as server, EmulatedAws(region=REGION, seed=7) as emulated:
        server.serve_control(emulated)
        yield emulated


def test_move_gives_the_named_broker_new_addresses_held_by_new_interfaces(
    aws: EmulatedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = aws.create_broker("orders")
    before = aws.broker_ips(orders)

    assert main(["move", "orders"]) == 0

    after = aws.broker_ips(orders)
    assert len(after) == 2 and not set(after) & set(before)
    assert [eni["PrivateIpAddress"] for eni in aws.broker_interfaces(orders)] == after
    assert f"orders ({orders}) now on {', '.join(after)}" in capsys.readouterr().out


def test_move_to_given_addresses_and_a_state_without_ips(aws: EmulatedAws, capsys: pytest.CaptureFixture[str]) -> None:
    orders = aws.create_broker("orders", deployment_mode="SINGLE_INSTANCE")
    free = aws.free_address_in_subnet_of(aws.broker_ips(orders)[0])

    assert main(["move", orders, "--ips", free]) == 0
    assert main(["state", "orders", "REBOOT_IN_PROGRESS", "--no-ips"]) == 0

    described = aws.client("mq").describe_broker(BrokerId=orders)
    assert described["BrokerState"] == "REBOOT_IN_PROGRESS"
    assert aws.broker_ips(orders) == []
    assert "reporting no IPs" in capsys.readouterr().out
    assert main(["state", "orders", "RUNNING"]) == 0
    assert aws.broker_ips(orders) == [free]


def test_brokers_lists_names_ids_states_and_addresses(aws: EmulatedAws, capsys: pytest.CaptureFixture[str]) -> None:
    orders = aws.create_broker("orders")

    assert main(["brokers"]) == 0

    out = capsys.readouterr().out
    assert orders in out and "RUNNING" in out and ", ".join(aws.broker_ips(orders)) in out


def test_an_unknown_broker_is_an_error_naming_it(aws: EmulatedAws, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["move", "nope"]) == 1
    assert "no broker named or with id 'nope'" in capsys.readouterr().err


def test_it_refuses_an_endpoint_that_is_not_this_machine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://mq.eu-west-1.amazonaws.com")

    assert main(["brokers"]) == 1
    assert "AWS_ENDPOINT_URL must name the emulator on 127.0.0.1" in capsys.readouterr().err


def test_a_state_amazon_mq_never_reports_is_refused(aws: EmulatedAws, capsys: pytest.CaptureFixture[str]) -> None:
    orders = aws.create_broker("orders")

    with pytest.raises(SystemExit) as refused:
        main(["state", "orders", "BOGUS"])
    assert refused.value.code == 2
    assert "invalid choice: 'BOGUS'" in capsys.readouterr().err

    # The control route checks too: another client, or an older `python -m emulator`, is refused the same way.
    with pytest.raises(ControlError, match="'BOGUS' is not a broker state; Amazon MQ's are CREATION_IN_PROGRESS"):
        call("POST", "brokers/orders/state", {"state": "BOGUS"})
    assert aws.client("mq").describe_broker(BrokerId=orders)["BrokerState"] == "RUNNING"
