"""The evidence rules (docs/safety.md), on data: what is confirmed, claimed, refused, outside."""

from __future__ import annotations

from typing import Any

from reconciler.core.brokers import Address, BrokerDescription, Engine, Knowledge, Scope
from reconciler.core.endpoints import BrokerEndpoint, DnsVerdict, EndpointListing, Resolution, tie_by_dns
from reconciler.core.evidence import RunReads, ScopeListing, assess_brokers, brokers_to_describe
from reconciler.core.interfaces import InterfaceListing, NetworkInterface
from reconciler.core.memory import Confirmed, Memory

VPC = "vpc-0a1b2c3d"
A, B = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))
SUBNETS = ["subnet-a", "subnet-b"]


def eni(
    broker_id: str | None, ip: str, subnet: str = "subnet-a", status: str = "in-use", eni_id: str | None = None
) -> NetworkInterface:
    return NetworkInterface(eni_id or f"eni-{ip.replace('.', '')}", broker_id, ip, subnet, "eu-west-1a", status)


def described(broker_id: str, *ips: str | None, state: str = "RUNNING", **extra: Any) -> BrokerDescription:
    mode = "ACTIVE_STANDBY_MULTI_AZ" if len(ips) == 2 else "SINGLE_INSTANCE"
    return BrokerDescription(
        broker_id,
        answer={
            "BrokerName": broker_id[2:6],
            "BrokerState": state,
            "DeploymentMode": mode,
            "EngineType": "ACTIVEMQ",
            "BrokerInstances": [{"IpAddress": ip} for ip in ips],
            "SubnetIds": SUBNETS,
            "Tags": {"mq-static-endpoint": "prod"},
            **extra,
        },
    )


def assess(
    *interfaces: NetworkInterface,
    answers: tuple[BrokerDescription, ...] = (),
    memory: Memory | None = None,
    listed: tuple[str, ...] = (A,),
    **reads: Any,
) -> tuple[dict[str, Any], Memory]:
    memory = memory or Memory()
    found, learned = assess_brokers(
        RunReads(
            ScopeListing(dict.fromkeys(listed), True),
            SCOPE,
            InterfaceListing(VPC, interfaces),
            {a.broker_id: a for a in answers},
            {a.broker_id: "asked" for a in answers},
            vpc_subnets=frozenset(SUBNETS),
            **reads,
        ),
        memory,
    )
    memory.learn(learned)
    return found, memory


def test_an_address_is_confirmed_when_amazon_mq_and_an_attached_interface_in_its_subnets_agree() -> None:
    found, memory = assess(
        eni(A, "10.0.1.5"), eni(A, "10.0.2.7", "subnet-b"), answers=(described(A, "10.0.1.5", "10.0.2.7"),)
    )
    assert found[A].knowledge is Knowledge.SETTLED and found[A].ips == {"10.0.1.5", "10.0.2.7"}
    assert memory.interfaces["eni-10015"] == Confirmed(A, "10.0.1.5") and memory.instance_counts[A] == 2


def test_a_forged_interface_naming_a_broker_is_refused_and_remembered_as_such() -> None:
    forged = eni(A, "10.0.1.99", status="available", eni_id="eni-forged")
    found, memory = assess(eni(A, "10.0.1.5"), forged, answers=(described(A, "10.0.1.5"),))
    assert found[A].ips == {"10.0.1.5"} and found[A].knowledge is Knowledge.SETTLED
    assert [r.ip for r in found[A].refused] == ["10.0.1.99"] and "eni-forged" in memory.refused_interfaces


def test_an_interface_amazon_mq_does_not_yet_report_while_the_broker_changes_is_claimed_not_refused() -> None:
    found, memory = assess(
        eni(A, "10.0.1.5"), eni(A, "10.0.1.6"), answers=(described(A, "10.0.1.5", None, state="REBOOT_IN_PROGRESS"),)
    )
    assert (
        found[A].knowledge is Knowledge.UNRESOLVED
        and found[A].claimed == {"10.0.1.6"}
        and not memory.refused_interfaces
    )


def test_an_address_held_by_a_detached_or_foreign_subnet_interface_is_not_confirmed() -> None:
    found, _ = assess(
        eni(A, "10.0.1.5", status="available"),
        eni(A, "10.0.2.7", "subnet-z"),
        answers=(described(A, "10.0.1.5", "10.0.2.7"),),
    )
    assert found[A].ips == frozenset() and found[A].claimed == {"10.0.1.5", "10.0.2.7"}


def test_a_steady_sweep_confirms_from_memory_and_asks_amazon_mq_nothing() -> None:
    interfaces = (eni(A, "10.0.1.5"), eni(A, "10.0.2.7", "subnet-b"))
    _, memory = assess(*interfaces, answers=(described(A, "10.0.1.5", "10.0.2.7"),))
    listing = ScopeListing({A: None}, True)
    assert (
        brokers_to_describe(listing, (), InterfaceListing(VPC, interfaces), None, memory, {"10.0.1.5", "10.0.2.7"})
        == {}
    )
    found, _ = assess(*interfaces, memory=memory)
    assert found[A].knowledge is Knowledge.SETTLED and found[A].ips == {"10.0.1.5", "10.0.2.7"}


def test_a_listing_missing_an_instance_leaves_the_broker_unresolved_and_asks_amazon_mq() -> None:
    interfaces = (eni(A, "10.0.1.5"), eni(A, "10.0.2.7", "subnet-b"))
    _, memory = assess(*interfaces, answers=(described(A, "10.0.1.5", "10.0.2.7"),))
    lagging = InterfaceListing(VPC, interfaces[:1])
    why = brokers_to_describe(ScopeListing({A: None}, True), (), lagging, None, memory, set())
    assert "1 of 2" in why[A]
    found, _ = assess(interfaces[0], memory=memory)
    assert found[A].knowledge is Knowledge.UNRESOLVED and found[A].ips == {"10.0.1.5"}


def test_a_broker_whose_subnets_are_in_another_vpc_is_outside_and_named_with_its_vpc() -> None:
    elsewhere = described(A, "10.0.1.5", SubnetIds=["subnet-far"])
    found, _ = assess(
        eni(None, "10.0.1.5", eni_id="eni-local"), answers=(elsewhere,), elsewhere={"subnet-far": "vpc-far"}
    )
    assert found[A].knowledge is Knowledge.OUTSIDE and found[A].vpc_id == "vpc-far" and not found[A].ips


def test_a_rabbitmq_endpoint_is_confirmed_by_the_hostname_and_the_subnets_not_by_its_tag() -> None:
    answer = described(A, EngineType="RABBITMQ", BrokerInstances=[{"Endpoints": ["amqps://host:5671"]}])
    ours = BrokerEndpoint("vpce-ours", "available", None, (Address("10.0.1.20"),), frozenset({"subnet-a"}))
    decoy = BrokerEndpoint("vpce-decoy", "available", A, (Address("10.0.1.30"),), frozenset({"subnet-a"}))
    listing = EndpointListing(VPC, (ours, decoy))
    tied, dns = tie_by_dns(listing, {A: Resolution("host", ("10.0.1.20",))})
    found, memory = assess(answers=(answer,), endpoints=tied, dns=dns)
    assert found[A].knowledge is Knowledge.SETTLED and found[A].ips == {"10.0.1.20"}
    assert found[A].claimed == frozenset(), "the tagged decoy is a candidate only: settled elsewhere, it claims nothing"
    assert memory.endpoints == {"vpce-ours": A}


def test_a_hostname_resolving_to_an_endpoint_outside_the_brokers_subnets_is_refused() -> None:
    answer = described(A, EngineType="RABBITMQ")
    other = BrokerEndpoint("vpce-other", "available", None, (Address("10.0.9.20"),), frozenset({"subnet-z"}))
    tied, dns = tie_by_dns(EndpointListing(VPC, (other,)), {A: Resolution("host", ("10.0.9.20",))})
    found, _ = assess(answers=(answer,), endpoints=tied, dns=dns)
    assert found[A].knowledge is Knowledge.UNRESOLVED and not found[A].ips
    assert [r.ip for r in found[A].refused] == ["10.0.9.20"]


def test_a_failed_dns_lookup_confirms_nothing() -> None:
    answer = described(A, EngineType="RABBITMQ")
    ours = BrokerEndpoint("vpce-ours", "available", A, (Address("10.0.1.20"),), frozenset({"subnet-a"}))
    verdict = {A: DnsVerdict(Resolution("host", problem="timeout"))}
    found, _ = assess(answers=(answer,), endpoints=EndpointListing(VPC, (ours,)), dns=verdict)
    assert found[A].knowledge is Knowledge.UNRESOLVED and found[A].claimed == {"10.0.1.20"}
    assert Engine.RABBITMQ is found[A].engine
