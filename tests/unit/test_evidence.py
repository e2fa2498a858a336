"""What a run asks DescribeBroker, and what it then knows of each broker."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.brokers import Address, AddressSource, Described, Engine, Knowledge, Scope
from reconciler.endpoints import BrokerEndpoint, EndpointListing, Resolution, broker_hostname, endpoint_from, tie_by_dns
from reconciler.evidence import ScopeListing, assess_brokers, brokers_to_describe, endpoints_needed, hostnames_to_confirm
from reconciler.interfaces import BrokerInterface, InterfaceListing, broker_interface

VPC = "vpc-0a1b2c3d"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))
A, B, C = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002", "b-cccccccc-0000-4000-8000-000000000003"


def interfaces(*held: tuple[str, str, str]) -> InterfaceListing:
    """(broker id, address, zone) per interface."""
    return InterfaceListing(VPC, tuple(BrokerInterface(f"eni-{n}", b, (ip,), zone) for n, (b, ip, zone) in enumerate(held)))


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
        assert brokers_to_describe(listed(A, B, C), [], EC2, []) == {
            C: f"no Amazon MQ network interface found in {VPC}, nor a VPC endpoint tagged Broker=<its id>"}

    def test_a_named_broker_is_read_only_when_the_listing_does_not_show_it(self) -> None:
        assert brokers_to_describe(listed(A, B), [A], EC2, []) == {}
        assert set(brokers_to_describe(listed(A), [B], EC2, [])) == {B}

    def test_a_registered_address_held_by_an_unlisted_broker_is_confirmed_once_per_broker(self) -> None:
        why = brokers_to_describe(listed(B), [], EC2, ["10.0.1.1", "10.0.2.1", "10.0.1.2", "10.9.9.9"])
        assert why == {A: "holds registered address 10.0.1.1 through interface eni-0 but is not in the tag listing"}

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
        assert found == BrokerInterface("eni-1", A, ("10.0.1.1",), "eu-west-1a")

    def test_an_amazon_mq_interface_with_an_unreadable_broker_id_is_still_amazon_mqs(self) -> None:
        found = broker_interface(self.eni("Amazon MQ network interface for broker b-not-a-uuid"))
        assert found is not None and found.broker_id is None

    def test_other_interfaces_are_not_brokers(self) -> None:
        assert broker_interface(self.eni("Primary network interface")) is None
        assert broker_interface(self.eni("")) is None


# --- RabbitMQ: VPC endpoints ----------------------------------------------------------

R, S = "b-dddddddd-0000-4000-8000-000000000004", "b-eeeeeeee-0000-4000-8000-000000000005"
HOST_R = f"{R}.mq.eu-west-1.amazonaws.com"


def endpoint(endpoint_id: str, broker_id: str | None, *ips: str, state: str = "available") -> BrokerEndpoint:
    return BrokerEndpoint(endpoint_id, state, broker_id, tuple(Address(ip, "eu-west-1a", f"eni-{ip}") for ip in ips))


def rabbit_answer(broker_id: str, *, tags: dict[str, str] | None = None, public: bool = False, host: str | None = None) -> Described:
    """DescribeBroker for a RabbitMQ broker: no IpAddress, an amqps endpoint URL."""
    host = host or f"{broker_id}.mq.eu-west-1.amazonaws.com"
    return Described(broker_id, answer={
        "BrokerId": broker_id, "BrokerName": "rabbit", "BrokerState": "RUNNING", "EngineType": "RabbitMQ",
        "DeploymentMode": "CLUSTER_MULTI_AZ", "PubliclyAccessible": public,
        "Tags": {"mq-static-endpoint": "prod"} if tags is None else tags,
        "BrokerInstances": [{"ConsoleURL": f"https://{host}", "Endpoints": [f"amqps://{host}:5671"]}],
    })


ENDPOINTS = EndpointListing(VPC, (endpoint("vpce-r", R, "10.0.1.20", "10.0.2.20"), endpoint("vpce-x", None, "10.0.1.30")))


class TestWhenEndpointsAreListed:
    def test_a_steady_sweep_of_activemq_brokers_lists_no_endpoint(self) -> None:
        assert not endpoints_needed(listed(A, B), [], EC2, ["10.0.1.1", "10.0.2.1", "10.0.1.2"])

    @pytest.mark.parametrize(
        ("listing", "named", "registered", "why"),
        [(listed(A, R), [], [], "a broker without interfaces"), (listed(A), [R], [], "a named broker without interfaces"),
         (listed(A), [], ["10.0.1.20"], "a registered address no broker interface holds")],
    )
    def test_anything_that_is_no_activemq_interfaces_lists_them(self, listing: ScopeListing, named: list[str],
                                                                 registered: list[str], why: str) -> None:
        assert endpoints_needed(listing, named, EC2, registered), why

    def test_without_the_interface_listing_endpoints_are_listed_too(self) -> None:
        assert endpoints_needed(listed(A), [], None, [])


class TestRabbitMqBrokers:
    def assess(self, listing: ScopeListing, described: dict[str, Described], endpoints: EndpointListing | None = ENDPOINTS,
               resolutions: dict[str, Resolution] | None = None) -> dict[str, Any]:
        why = brokers_to_describe(listing, described, EC2, [], endpoints)
        why.update({b: "asked" for b in described if b not in why})
        verdicts: dict[str, Any] = {}
        if endpoints is not None and resolutions:
            endpoints, verdicts = tie_by_dns(endpoints, resolutions)
        return assess_brokers(listing, SCOPE, EC2, described, why, endpoints, verdicts)

    def test_a_broker_with_an_endpoint_tagged_with_its_id_needs_no_describe_broker(self) -> None:
        assert brokers_to_describe(listed(A, R), [], EC2, [], ENDPOINTS) == {}
        finding = self.assess(listed(A, R), {})[R]
        assert (finding.knowledge, finding.engine, finding.source) == (Knowledge.SETTLED, Engine.RABBITMQ, AddressSource.VPC_ENDPOINT)
        assert finding.ips == {"10.0.1.20", "10.0.2.20"} and "vpce-r" in finding.reason and f"Broker={R}" in finding.reason

    def test_a_registered_address_of_an_endpoint_tagged_for_an_unlisted_broker_is_confirmed(self) -> None:
        why = brokers_to_describe(listed(A), [], EC2, ["10.0.1.20", "10.0.1.30"], ENDPOINTS)
        assert why == {R: "holds registered address 10.0.1.20 through VPC endpoint vpce-r but is not in the tag listing"}

    def test_an_untagged_endpoint_is_tied_through_the_hostname_describe_broker_gives(self) -> None:
        assert hostnames_to_confirm({S: rabbit_answer(S)}, SCOPE, ENDPOINTS, "eu-west-1") == {S: f"{S}.mq.eu-west-1.amazonaws.com"}
        finding = self.assess(listed(A, S), {S: rabbit_answer(S)}, resolutions={S: Resolution("h", ("10.0.1.30",))})[S]
        assert (finding.knowledge, finding.source, finding.ips) == (Knowledge.SETTLED, AddressSource.VPC_ENDPOINT_BY_DNS, {"10.0.1.30"})
        assert "resolves to 10.0.1.30" in finding.reason and finding.refused == ()

    def test_a_resolved_address_ec2_does_not_show_as_such_an_endpoint_is_refused_and_never_registered(self) -> None:
        answers = {S: Resolution("h", ("10.0.1.1", "10.0.1.20", "10.0.1.30", "10.9.9.9"))}
        finding = self.assess(listed(A, R, S), {S: rabbit_answer(S)}, resolutions=answers)[S]
        assert finding.ips == {"10.0.1.30"}
        refused = {r.ip: r.reason for r in finding.refused}
        assert set(refused) == {"10.0.1.1", "10.0.1.20", "10.9.9.9"}
        assert "no interface of an Amazon MQ VPC endpoint" in refused["10.0.1.1"] and f"Broker={R}" in refused["10.0.1.20"]

    def test_a_lookup_that_failed_leaves_the_broker_unresolved(self) -> None:
        finding = self.assess(listed(A, S), {S: rabbit_answer(S)}, resolutions={S: Resolution("h", failure="gaierror: NXDOMAIN")})[S]
        assert finding.knowledge is Knowledge.UNRESOLVED and finding.ips == frozenset() and "NXDOMAIN" in finding.reason

    def test_without_the_endpoint_listing_a_rabbitmq_broker_is_unresolved_and_says_why(self) -> None:
        finding = self.assess(listed(A, R), {R: rabbit_answer(R)}, endpoints=None)[R]
        assert finding.knowledge is Knowledge.UNRESOLVED and "could not be listed" in finding.reason

    def test_public_brokers_out_of_scope_ones_and_tagged_ones_are_not_looked_up(self) -> None:
        described = {S: rabbit_answer(S, public=True), R: rabbit_answer(R), A: rabbit_answer(A, tags={})}
        assert hostnames_to_confirm(described, SCOPE, ENDPOINTS, "eu-west-1") == {}

    def test_the_hostname_is_derived_in_the_partition_when_describe_broker_gives_none(self) -> None:
        bare = Described(S, answer={"EngineType": "RabbitMQ", "Tags": {"mq-static-endpoint": "prod"}, "BrokerInstances": []})
        assert hostnames_to_confirm({S: bare}, SCOPE, ENDPOINTS, "cn-north-1") == {S: f"{S}.mq.cn-north-1.amazonaws.com.cn"}
        assert broker_hostname(rabbit_answer(R).answer or {}) == HOST_R

    @pytest.mark.parametrize(
        ("endpoints", "problem"),
        [((endpoint("vpce-r", R, "10.0.1.20", state="pending"),), "pending"),
         ((endpoint("vpce-r", R, "10.0.1.20"), endpoint("vpce-q", R, "10.0.2.20")), "2 live endpoints"),
         ((endpoint("vpce-r", R, "10.0.1.20", state="deleting"),), "no live interface address")],
    )
    def test_a_broker_whose_endpoint_is_not_one_available_endpoint_is_unresolved(
        self, endpoints: tuple[BrokerEndpoint, ...], problem: str
    ) -> None:
        finding = self.assess(listed(A, R), {}, endpoints=EndpointListing(VPC, endpoints))[R]
        assert finding.knowledge is Knowledge.UNRESOLVED and problem in finding.reason


class TestEndpointsAsEc2ListsThem:
    def described(self, **extra: Any) -> dict[str, Any]:
        return {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "State": "available",
                "Tags": [{"Key": "AMQManaged", "Value": "true"}, {"Key": "Broker", "Value": R}],
                "NetworkInterfaceIds": ["eni-1", "eni-gone"], **extra}

    INTERFACES = {"eni-1": {"NetworkInterfaceId": "eni-1", "PrivateIpAddress": "10.0.1.20", "AvailabilityZone": "eu-west-1a"}}

    def test_an_amazon_mq_interface_endpoint_names_its_broker_and_its_interfaces_addresses(self) -> None:
        found = endpoint_from(self.described(), self.INTERFACES)
        assert found == BrokerEndpoint("vpce-1", "available", R, (Address("10.0.1.20", "eu-west-1a", "eni-1"),))

    def test_an_untagged_or_unreadable_broker_tag_ties_it_to_nobody(self) -> None:
        for tags in ([{"Key": "AMQManaged", "Value": "true"}], [{"Key": "AMQManaged", "Value": "true"}, {"Key": "Broker", "Value": "x"}]):
            found = endpoint_from(self.described(Tags=tags), self.INTERFACES)
            assert found is not None and found.broker_id is None

    @pytest.mark.parametrize(
        "extra",
        [{"VpcEndpointType": "Resource"}, {"ResourceConfigurationArn": "arn:aws:vpc-lattice:eu-west-1:1:resourceconfiguration/rcfg-1"},
         {"ServiceNetworkArn": "arn:aws:vpc-lattice:eu-west-1:1:servicenetwork/sn-1"}, {"Tags": [{"Key": "Broker", "Value": R}]}],
        ids=["resource-type", "resource-configuration", "service-network", "not-amazon-mq-managed"],
    )
    def test_resource_endpoints_and_others_are_never_a_brokers(self, extra: dict[str, Any]) -> None:
        assert endpoint_from(self.described(**extra), self.INTERFACES) is None
