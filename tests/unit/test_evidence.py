"""What a run asks DescribeBroker, and what it then knows of each broker."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.brokers import AddressSource, Described, Knowledge, Scope
from reconciler.evidence import ScopeListing, assess_brokers, brokers_to_describe
from reconciler.interfaces import BrokerInterface, InterfaceListing, broker_interface

VPC = "vpc-0a1b2c3d"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))
A, B, C = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002", "b-cccccccc-0000-4000-8000-000000000003"


def interfaces(*held: tuple[str, str, str]) -> InterfaceListing:
    """(broker id, address, zone) per interface."""
    return InterfaceListing(VPC, tuple(BrokerInterface(f"eni-{n}", b, (ip,), zone, f"subnet-{zone}") for n, (b, ip, zone) in enumerate(held)))


def listed(*broker_ids: str, complete: bool = True) -> ScopeListing:
    return ScopeListing({b: f"name-{b[2:6]}" for b in broker_ids}, complete)


def answer(broker_id: str, *, tags: dict[str, str] | None = None, state: str = "RUNNING", ips: tuple[str, ...] = ("10.0.1.9",)) -> Described:
    return Described(broker_id, answer={
        "BrokerId": broker_id, "BrokerName": "from-describe", "BrokerState": state, "EngineType": "ActiveMQ",
        "DeploymentMode": "SINGLE_INSTANCE", "Tags": {"mq-static-endpoint": "prod"} if tags is None else tags,
        "BrokerInstances": [{"IpAddress": ip} for ip in ips],
    })


EC2 = interfaces((A, "10.0.1.1", "eu-west-1a"), (A, "10.0.2.1", "eu-west-1b"), (B, "10.0.1.2", "eu-west-1a"))


class TestWhoIsAskedDescribeBroker:
    def test_a_steady_sweep_asks_amazon_mq_nothing(self) -> None:
        assert brokers_to_describe(listed(A, B), [], EC2, ["10.0.1.1", "10.0.2.1", "10.0.1.2"]) == {}

    def test_a_broker_in_scope_without_interfaces_is_read_for_its_addresses(self) -> None:
        assert brokers_to_describe(listed(A, B, C), [], EC2, []) == {C: f"no Amazon MQ network interface found in {VPC}"}

    def test_a_named_broker_is_read_only_when_the_listing_does_not_show_it(self) -> None:
        assert brokers_to_describe(listed(A, B), [A], EC2, []) == {}
        assert set(brokers_to_describe(listed(A), [B], EC2, [])) == {B}

    def test_a_registered_address_held_by_an_unlisted_broker_is_confirmed_once_per_broker(self) -> None:
        why = brokers_to_describe(listed(B), [], EC2, ["10.0.1.1", "10.0.2.1", "10.0.1.2", "10.9.9.9"])
        assert why == {A: "holds registered address 10.0.1.1 but is not in the tag listing"}

    def test_nothing_is_confirmed_for_removal_when_nothing_could_be_removed(self) -> None:
        assert brokers_to_describe(listed(B, complete=False), [], EC2, ["10.0.1.1"]) == {}
        assert brokers_to_describe(listed(B), [], None, ["10.0.1.1"]) == {}, "no interfaces listed: no fallback storm either"

    def test_a_tag_event_still_reads_its_broker_while_the_listing_fails(self) -> None:
        assert set(brokers_to_describe(listed(complete=False), [C], EC2, [])) == {C}


class TestWhatEachBrokerIs:
    def assess(self, listing: ScopeListing, described: dict[str, Described], ec2: InterfaceListing | None = EC2) -> dict[str, Any]:
        why = brokers_to_describe(listing, described, ec2, [])
        why.update({b: "asked" for b in described if b not in why})
        return assess_brokers(listing, SCOPE, ec2, described, why)

    def test_a_listed_broker_has_its_interfaces_addresses_and_zones(self) -> None:
        finding = self.assess(listed(A), {})[A]
        assert finding.knowledge is Knowledge.SETTLED and finding.source is AddressSource.INTERFACES
        assert [(a.ip, a.zone) for a in finding.addresses] == [("10.0.1.1", "eu-west-1a"), ("10.0.2.1", "eu-west-1b")]
        assert finding.name == "name-aaaa" and f"2 Amazon MQ network interface(s) in {VPC}" in finding.reason

    def test_a_listed_broker_without_interfaces_is_served_from_describe_broker_and_says_so(self) -> None:
        finding = self.assess(listed(C), {C: answer(C)})[C]
        assert finding.knowledge is Knowledge.SETTLED and finding.source is AddressSource.DESCRIBE_BROKER
        assert finding.ips == {"10.0.1.9"} and "no Amazon MQ network interface found" in finding.reason

    def test_a_broker_the_listing_lags_behind_is_in_scope_by_its_tags(self) -> None:
        finding = self.assess(listed(B), {A: answer(A)})[A]
        assert finding.knowledge is Knowledge.SETTLED and finding.source is AddressSource.INTERFACES
        assert "tag listing lags" in finding.reason

    @pytest.mark.parametrize(
        ("described", "why"),
        [
            (Described(A, missing=True), "does not exist"),
            (answer(A, state="DELETION_IN_PROGRESS"), "DELETION_IN_PROGRESS"),
            (answer(A, tags={"team": "bi"}), "not in scope"),
        ],
    )
    def test_an_unlisted_broker_is_gone_only_on_describe_brokers_word(self, described: Described, why: str) -> None:
        finding = self.assess(listed(B), {A: described})[A]
        assert finding.knowledge is Knowledge.GONE and why in finding.reason

    def test_an_unlisted_broker_that_could_not_be_read_is_unresolved(self) -> None:
        finding = self.assess(listed(B), {A: Described(A, failure="ThrottlingException: Rate exceeded")})[A]
        assert finding.knowledge is Knowledge.UNRESOLVED and "ThrottlingException" in finding.reason

    def test_without_an_interface_listing_listed_brokers_are_unresolved(self) -> None:
        finding = self.assess(listed(A), {}, ec2=None)[A]
        assert finding.knowledge is Knowledge.UNRESOLVED and "could not be listed" in finding.reason


class TestInterfaceDescriptions:
    def eni(self, description: str, **extra: Any) -> dict[str, Any]:
        return {"NetworkInterfaceId": "eni-1", "Description": description, "AvailabilityZone": "eu-west-1a",
                "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.1",
                "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.1", "Primary": True}], **extra}

    def test_an_amazon_mq_interface_names_its_broker(self) -> None:
        found = broker_interface(self.eni(f"Amazon MQ network interface for broker {A}"))
        assert found == BrokerInterface("eni-1", A, ("10.0.1.1",), "eu-west-1a", "subnet-1")

    def test_an_amazon_mq_interface_with_an_unreadable_broker_id_is_still_amazon_mqs(self) -> None:
        found = broker_interface(self.eni("Amazon MQ network interface for broker b-not-a-uuid"))
        assert found is not None and found.broker_id is None

    def test_other_interfaces_are_not_brokers(self) -> None:
        assert broker_interface(self.eni("Primary network interface")) is None
        assert broker_interface(self.eni("")) is None
