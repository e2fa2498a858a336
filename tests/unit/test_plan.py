"""The plan's safety rules, one by one, then as properties over random worlds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.brokers import Address, AddressSource, BrokerFinding, Engine, Knowledge, gone, unresolved
from reconciler.endpoints import BrokerEndpoint, EndpointListing
from reconciler.evidence import AddressHolders, Discovery, OtherInterface
from reconciler.interfaces import BrokerInterface, InterfaceListing
from reconciler.plan import TargetGroupPlan, hold_back, plan_target_group
from reconciler.targets import ObservedTarget, Target, TargetGroupView

PORT = 61617
VPC = "vpc-0a1b2c3d"
A, B, C = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002", "b-cccccccc-0000-4000-8000-000000000003"


def eni(broker_id: str | None, ip: str) -> BrokerInterface:
    return BrokerInterface(f"eni-{ip.replace('.', '')}", broker_id, (ip,), "eu-west-1a")


def listing(*held: tuple[str | None, str]) -> InterfaceListing:
    """Interfaces as EC2 lists them: (broker id, address) pairs."""
    return InterfaceListing(VPC, tuple(eni(broker_id, ip) for broker_id, ip in held))


def settled(broker_id: str, *ips: str) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.SETTLED, tuple(Address(ip) for ip in ips), AddressSource.INTERFACES, engine=Engine.ACTIVEMQ)


def from_describe_broker(broker_id: str, *ips: str, knowledge: Knowledge = Knowledge.SETTLED) -> BrokerFinding:
    """An ActiveMQ broker whose addresses only DescribeBroker gave."""
    return BrokerFinding(broker_id, knowledge, tuple(Address(ip) for ip in ips), AddressSource.DESCRIBE_BROKER,
                         reason="rebooting", engine=Engine.ACTIVEMQ)


def group(*targets: str | tuple[str, str], port: int = PORT) -> TargetGroupView:
    observed = []
    for spec in targets:
        ip, state = spec if isinstance(spec, tuple) else (spec, "healthy")
        observed.append(ObservedTarget(Target(ip, port), state))
    return TargetGroupView("arn:tg", "openwire", port, tuple(observed))


def plan(
    view: TargetGroupView,
    *brokers: BrokerFinding,
    interfaces: InterfaceListing | None = None,
    scope_complete: bool = True,
    others: dict[str, str] | None = None,
) -> TargetGroupPlan:
    """The plan, with EC2 listing each settled broker's addresses as its interfaces unless told otherwise.

    Every registered address was looked up by address; `others` are those some other interface holds (ip -> description).
    """
    if interfaces is None:
        interfaces = listing(*((b.broker_id, ip) for b in brokers if b.source is AddressSource.INTERFACES for ip in b.ips))
    holders = AddressHolders(frozenset(t.target.ip for t in view.targets),
                             {ip: OtherInterface(f"eni-other{n}", d) for n, (ip, d) in enumerate((others or {}).items())})
    return plan_target_group(view, Discovery({b.broker_id: b for b in brokers}, interfaces, scope_complete, None, holders))


def plan_without_interfaces(view: TargetGroupView, *brokers: BrokerFinding) -> TargetGroupPlan:
    return plan_target_group(view, Discovery({b.broker_id: b for b in brokers}, None, True))


def ips(targets: tuple[Target, ...]) -> set[str]:
    return {t.ip for t in targets}


def removed(p: TargetGroupPlan) -> set[str]:
    return {r.target.ip for r in p.deregister}


def withheld(p: TargetGroupPlan) -> set[str]:
    return {w.target.ip for w in p.withheld}


class TestRegistration:
    def test_an_empty_group_gets_every_address_of_every_broker_on_its_own_port(self) -> None:
        p = plan(group(port=8162), settled(A, "10.0.1.1", "10.0.2.1"), settled(B, "10.0.1.2", "10.0.2.2"))
        assert set(p.register) == {Target(ip, 8162) for ip in ("10.0.1.1", "10.0.2.1", "10.0.1.2", "10.0.2.2")}
        assert p.deregister == () and p.withheld == ()

    def test_present_targets_are_kept_not_registered_again(self) -> None:
        p = plan(group("10.0.1.1", ("10.0.2.1", "unhealthy")), settled(A, "10.0.1.1", "10.0.2.1"))
        assert p.register == () and ips(p.keep) == {"10.0.1.1", "10.0.2.1"}

    def test_draining_targets_are_registered_again(self) -> None:
        p = plan(group(("10.0.1.1", "draining")), settled(A, "10.0.1.1"))
        assert ips(p.register) == {"10.0.1.1"}

    def test_an_unresolved_broker_still_gets_the_addresses_it_reports(self) -> None:
        rebooting = from_describe_broker(A, "10.0.1.9", knowledge=Knowledge.UNRESOLVED)
        assert ips(plan(group(), rebooting, interfaces=listing()).register) == {"10.0.1.9"}

    def test_a_gone_broker_gets_nothing(self) -> None:
        assert plan(group(), gone(A, "broker is DELETION_IN_PROGRESS"), interfaces=listing((A, "10.0.1.1"))).register == ()


class TestRemovalOnEvidence:
    def test_an_address_no_broker_interface_holds_goes(self) -> None:
        p = plan(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"))
        assert removed(p) == {"10.9.9.9"}
        assert p.deregister[0].evidence == "no network interface holds this address"

    def test_an_address_an_interface_of_unknown_kind_holds_stays(self) -> None:
        """A broker whose interfaces are described differently may be what answers there."""
        p = plan(group("10.0.1.1", "10.0.1.8"), settled(A, "10.0.1.1"), others={"10.0.1.8": "Amazon MQ ENI, renamed"})
        assert withheld(p) == {"10.0.1.8"} and "not known as an Amazon MQ broker interface" in p.withheld[0].reason

    def test_an_address_whose_holder_could_not_be_checked_stays(self) -> None:
        view = group("10.0.1.1", "10.9.9.9")
        discovery = Discovery({A: settled(A, "10.0.1.1")}, listing((A, "10.0.1.1")), True, None, None)
        p = plan_target_group(view, discovery)
        assert withheld(p) == {"10.9.9.9"} and "could not be checked" in p.withheld[0].reason

    def test_an_address_held_by_a_broker_confirmed_gone_goes_even_if_something_answers_there(self) -> None:
        p = plan(group("10.0.1.1", "10.0.1.7"), settled(A, "10.0.1.1"), gone(C, "broker is not in scope (its tags)"),
                 interfaces=listing((A, "10.0.1.1"), (C, "10.0.1.7")))
        assert removed(p) == {"10.0.1.7"}
        assert C in p.deregister[0].evidence and "not in scope" in p.deregister[0].evidence

    def test_an_address_ec2_handed_to_another_broker_in_scope_stays(self) -> None:
        """A moved; EC2 gave A's old address to B's new active instance; then A leaves: the address is B's now."""
        p = plan(group("10.0.1.1", "10.0.2.1"), gone(A, "broker does not exist"), settled(B, "10.0.1.1", "10.0.2.5"),
                 interfaces=listing((B, "10.0.1.1"), (B, "10.0.2.5")))
        assert removed(p) == {"10.0.2.1"} and ips(p.keep) == {"10.0.1.1"} and ips(p.register) == {"10.0.2.5"}

    def test_a_target_on_the_wrong_port_goes(self) -> None:
        view = TargetGroupView("arn:tg", "openwire", PORT, (ObservedTarget(Target("10.0.1.1", 9999), "healthy"),))
        p = plan(view, settled(A, "10.0.1.1"))
        assert [r.target for r in p.deregister] == [Target("10.0.1.1", 9999)]
        assert p.register == (Target("10.0.1.1", PORT),)

    def test_a_draining_target_is_not_deregistered_again(self) -> None:
        assert plan(group(("10.9.9.9", "draining")), settled(A, "10.0.1.1")).deregister == ()


class TestNothingGoesWithoutEvidence:
    def test_no_interface_listing_removes_nothing(self) -> None:
        p = plan_without_interfaces(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"))
        assert removed(p) == set() and withheld(p) == {"10.9.9.9"}
        assert "could not be listed" in p.withheld[0].reason

    def test_an_incomplete_scope_listing_removes_nothing(self) -> None:
        p = plan(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"), scope_complete=False)
        assert removed(p) == set() and withheld(p) == {"10.9.9.9"}

    def test_a_holder_nobody_confirmed_gone_keeps_its_address(self) -> None:
        p = plan(group("10.0.1.7"), settled(A, "10.0.1.1"), interfaces=listing((A, "10.0.1.1"), (C, "10.0.1.7")))
        assert removed(p) == set() and withheld(p) == {"10.0.1.7"}

    def test_a_holder_whose_confirmation_failed_keeps_its_address(self) -> None:
        p = plan(group("10.0.1.7"), settled(A, "10.0.1.1"), unresolved(C, "DescribeBroker failed: ThrottlingException"),
                 interfaces=listing((A, "10.0.1.1"), (C, "10.0.1.7")))
        assert removed(p) == set() and "ThrottlingException" in p.withheld[0].reason

    def test_an_unreadable_broker_without_interfaces_protects_every_address_no_interface_holds(self) -> None:
        """B's interfaces are not found (a changed description?) and DescribeBroker failed: B may hold any free address."""
        p = plan(group("10.9.9.9", "10.0.1.7"), settled(A, "10.0.1.1"), unresolved(B, "DescribeBroker failed"),
                 gone(C, "broker does not exist"), interfaces=listing((A, "10.0.1.1"), (C, "10.0.1.7")))
        assert withheld(p) == {"10.9.9.9"} and B in p.withheld[0].reason
        assert removed(p) == {"10.0.1.7"}, "an address EC2 says C holds cannot be B's"

    def test_an_amazon_mq_interface_naming_no_broker_keeps_its_address(self) -> None:
        p = plan(group("10.0.1.7"), settled(A, "10.0.1.1"), interfaces=listing((A, "10.0.1.1"), (None, "10.0.1.7")))
        assert withheld(p) == {"10.0.1.7"} and "names no broker id" in p.withheld[0].reason

    def test_a_broker_served_through_describe_broker_keeps_what_it_reports(self) -> None:
        fallback = from_describe_broker(B, "10.0.1.8")
        p = plan(group("10.0.1.8", "10.9.9.9"), settled(A, "10.0.1.1"), fallback)
        assert ips(p.keep) == {"10.0.1.8"} and removed(p) == {"10.9.9.9"}


class TestRegisterBeforeDeregisterPerBroker:
    def test_a_removal_names_the_broker_it_concerns_where_a_run_can_tell(self) -> None:
        view = group("10.0.1.1", "10.0.1.7", "10.0.1.8", "10.9.9.9")
        interfaces = listing((A, "10.0.1.1"), (C, "10.0.1.7"))
        discovery = Discovery({A: settled(A, "10.0.1.1"), C: gone(C, "broker does not exist")}, interfaces, True, None,
                              AddressHolders(frozenset({"10.0.1.8", "10.9.9.9"}), {}))
        p = plan_target_group(view, discovery, {"10.0.1.8": A})
        assert {r.target.ip: r.broker_id for r in p.deregister} == {"10.0.1.7": C, "10.0.1.8": A, "10.9.9.9": None}

    def test_only_the_removals_of_a_broker_whose_registration_failed_wait(self) -> None:
        view = group("10.0.1.8", "10.0.1.9")
        discovery = Discovery({A: settled(A, "10.0.1.1"), B: settled(B, "10.0.1.2")},
                              listing((A, "10.0.1.1"), (B, "10.0.1.2")), True, None,
                              AddressHolders(frozenset({"10.0.1.8", "10.0.1.9"}), {}))
        p = plan_target_group(view, discovery, {"10.0.1.8": A, "10.0.1.9": B})
        go, wait = hold_back(p, {A})
        assert [r.target.ip for r in go] == ["10.0.1.9"] and [w.target.ip for w in wait] == ["10.0.1.8"]
        assert f"{A}'s new addresses could not be registered" in wait[0].reason

    def test_addresses_outside_the_vpcs_subnets_register_for_every_zone(self) -> None:
        peered = from_describe_broker(B, "10.1.1.5")
        discovery = Discovery({A: settled(A, "10.0.1.1"), B: peered}, listing((A, "10.0.1.1")), True, ("10.0.1.0/24",))
        assert plan_target_group(group(), discovery).outside_vpc == {Target("10.1.1.5", PORT)}
        unknown = Discovery({B: peered}, listing(), True, None)
        assert plan_target_group(group(), unknown).outside_vpc == frozenset(), "unknown subnets: AWS says what it refuses"


class TestEngines:
    """Each group serves one engine; an address of the other engine's kind is not its to keep."""

    R = "b-eeeeeeee-0000-4000-8000-000000000005"

    def rabbit(self, *ips: str, knowledge: Knowledge = Knowledge.SETTLED, broker_id: str | None = None) -> BrokerFinding:
        return BrokerFinding(broker_id or self.R, knowledge, tuple(Address(ip) for ip in ips), AddressSource.VPC_ENDPOINT,
                             reason="its endpoint", engine=Engine.RABBITMQ)

    def endpoints(self, *held: tuple[str | None, str], dns: dict[str, str] | None = None, state: str = "available") -> EndpointListing:
        """One endpoint per (Broker tag, address) pair."""
        found = tuple(BrokerEndpoint(f"vpce-{n}", state, broker_id, (Address(ip),)) for n, (broker_id, ip) in enumerate(held))
        return EndpointListing(VPC, found, dns or {})

    def plan(self, view: TargetGroupView, *brokers: BrokerFinding, engine: Engine, endpoints: EndpointListing,
             interfaces: InterfaceListing | None = None) -> TargetGroupPlan:
        activemq = interfaces or listing(*((b.broker_id, ip) for b in brokers if b.engine is Engine.ACTIVEMQ for ip in b.ips))
        holders = AddressHolders(frozenset(t.target.ip for t in view.targets), {})
        discovery = Discovery({b.broker_id: b for b in brokers}, activemq, True, None, holders, endpoints)
        return plan_target_group(view, discovery, engine=engine)

    def test_each_group_wants_only_its_own_engines_brokers(self) -> None:
        brokers = (settled(A, "10.0.1.1"), self.rabbit("10.0.1.20", "10.0.2.20"))
        endpoints = self.endpoints((self.R, "10.0.1.20"), (self.R, "10.0.2.20"))
        amqps = self.plan(group(port=5671), *brokers, engine=Engine.RABBITMQ, endpoints=endpoints)
        openwire = self.plan(group(), *brokers, engine=Engine.ACTIVEMQ, endpoints=endpoints)
        assert ips(amqps.register) == {"10.0.1.20", "10.0.2.20"}
        assert ips(openwire.register) == {"10.0.1.1"}

    def test_an_activemq_brokers_address_in_a_rabbitmq_group_goes(self) -> None:
        """EC2 gave a deleted RabbitMQ endpoint's address to an ActiveMQ instance: AMQPS clients must not reach it."""
        p = self.plan(group("10.0.1.1", port=5671), settled(A, "10.0.1.1"), engine=Engine.RABBITMQ, endpoints=self.endpoints())
        assert removed(p) == {"10.0.1.1"} and "serves RABBITMQ brokers only" in p.deregister[0].evidence

    def test_an_endpoints_address_in_an_activemq_group_goes(self) -> None:
        p = self.plan(group("10.0.1.20"), settled(A, "10.0.1.1"), self.rabbit("10.0.1.20"), engine=Engine.ACTIVEMQ,
                      endpoints=self.endpoints((self.R, "10.0.1.20")))
        assert removed(p) == {"10.0.1.20"} and "serves ACTIVEMQ brokers only" in p.deregister[0].evidence

    def test_an_address_of_an_endpoint_tagged_for_a_broker_confirmed_gone_goes(self) -> None:
        p = self.plan(group("10.0.1.20", port=5671), gone(self.R, "broker is not in scope"), engine=Engine.RABBITMQ,
                      endpoints=self.endpoints((self.R, "10.0.1.20")))
        assert removed(p) == {"10.0.1.20"} and f"Broker={self.R}" in p.deregister[0].evidence
        assert p.deregister[0].broker_id == self.R

    @pytest.mark.parametrize("knowledge", [Knowledge.SETTLED, Knowledge.UNRESOLVED, None])
    def test_an_address_of_an_endpoint_tagged_for_a_broker_not_confirmed_gone_stays(self, knowledge: Knowledge | None) -> None:
        brokers = [self.rabbit("10.0.2.20", knowledge=knowledge)] if knowledge else []
        p = self.plan(group("10.0.1.20", port=5671), *brokers, engine=Engine.RABBITMQ,
                      endpoints=self.endpoints((self.R, "10.0.1.20"), (self.R, "10.0.2.20")))
        assert removed(p) == set() and withheld(p) == {"10.0.1.20"}

    def test_an_endpoint_tied_to_its_broker_only_by_dns_keeps_its_addresses_whatever_becomes_of_the_broker(self) -> None:
        p = self.plan(group("10.0.1.20", port=5671), gone(self.R, "broker does not exist"), engine=Engine.RABBITMQ,
                      endpoints=self.endpoints((None, "10.0.1.20"), dns={"vpce-0": self.R}))
        assert removed(p) == set() and "DNS alone never removes" in p.withheld[0].reason

    def test_an_endpoint_tied_to_no_broker_keeps_its_addresses(self) -> None:
        p = self.plan(group("10.0.1.20", port=5671), engine=Engine.RABBITMQ, endpoints=self.endpoints((None, "10.0.1.20")))
        assert withheld(p) == {"10.0.1.20"} and "no Broker tag" in p.withheld[0].reason


# --- properties over random worlds -------------------------------------------------

IP = st.sampled_from([f"10.0.{s}.{h}" for s in (1, 2) for h in range(1, 9)])
BROKER_IDS = [A, B, C]
RABBITS = ["b-dddddddd-0000-4000-8000-000000000004", "b-eeeeeeee-0000-4000-8000-000000000005"]
ENDPOINT_STATES = st.sampled_from(["available", "available", "pending", "deleting"])


@st.composite
def worlds(draw: st.DrawFn) -> tuple[TargetGroupView, Discovery, Engine]:
    """A group of either engine; EC2's ActiveMQ interfaces and RabbitMQ endpoints (each address held by at most one
    interface), endpoints tied by tag, by DNS or not at all; findings for both engines."""
    states = st.sampled_from(["healthy", "unhealthy", "initial", "draining", "unused"])
    present = draw(st.dictionaries(IP, states, max_size=8))
    view = TargetGroupView("arn:tg", "openwire", PORT, tuple(ObservedTarget(Target(ip, PORT), s) for ip, s in present.items()))
    holders = draw(st.dictionaries(IP, st.sampled_from([*BROKER_IDS, None]), max_size=8))
    interfaces = InterfaceListing(VPC, tuple(eni(holder, ip) for ip, holder in holders.items()))
    endpoint_ips = [ip for ip in draw(st.lists(IP, max_size=6, unique=True)) if ip not in holders]
    endpoints = tuple(
        BrokerEndpoint(f"vpce-{ip}", draw(ENDPOINT_STATES), draw(st.sampled_from([*RABBITS, None])), (Address(ip),))
        for ip in endpoint_ips
    )
    dns_ties = {e.endpoint_id: draw(st.sampled_from(RABBITS)) for e in endpoints if e.broker_id is None and draw(st.booleans())}
    listed_endpoints = EndpointListing(VPC, endpoints, dns_ties)
    brokers = {}
    for broker_id in draw(st.lists(st.sampled_from(BROKER_IDS), unique=True)):
        knowledge = draw(st.sampled_from(list(Knowledge)))
        own = tuple(Address(ip) for ip, holder in holders.items() if holder == broker_id)
        if own and knowledge is Knowledge.SETTLED:
            brokers[broker_id] = BrokerFinding(broker_id, knowledge, own, AddressSource.INTERFACES, engine=Engine.ACTIVEMQ)
        elif knowledge is Knowledge.GONE:
            brokers[broker_id] = gone(broker_id, "why")
        else:  # found through DescribeBroker: it reports what it reports
            taken = set(holders) | set(endpoint_ips)
            reported = tuple(Address(ip) for ip in draw(st.lists(IP, max_size=2, unique=True)) if ip not in taken)
            brokers[broker_id] = BrokerFinding(broker_id, knowledge, reported, AddressSource.DESCRIBE_BROKER, engine=Engine.ACTIVEMQ)
    for broker_id in draw(st.lists(st.sampled_from(RABBITS), unique=True)):
        knowledge = draw(st.sampled_from(list(Knowledge)))
        own = tuple(a for e in listed_endpoints.tied_to(broker_id) if e.live for a in e.addresses)
        brokers[broker_id] = (gone(broker_id, "why", engine=Engine.RABBITMQ) if knowledge is Knowledge.GONE
                              else BrokerFinding(broker_id, knowledge, own, AddressSource.VPC_ENDPOINT, engine=Engine.RABBITMQ))
    listed = draw(st.booleans())
    # Other interfaces hold addresses no broker interface holds (EC2 gives an address to one interface).
    others = {ip: OtherInterface("eni-other", "some other interface")
              for ip in draw(st.lists(IP, max_size=4)) if ip not in holders and ip not in endpoint_ips}
    lookup = AddressHolders(frozenset(draw(st.lists(IP, max_size=16))), others)
    discovery = Discovery(brokers, interfaces if listed else None, draw(st.booleans()), None, draw(st.sampled_from([None, lookup])),
                          draw(st.sampled_from([None, listed_endpoints])))
    return view, discovery, draw(st.sampled_from(list(Engine)))


def apply(view: TargetGroupView, p: TargetGroupPlan) -> TargetGroupView:
    """What AWS does with a plan: new targets start `initial`, removed ones drain."""
    after = {t.target: t for t in view.targets}
    for target in p.register:
        after[target] = ObservedTarget(target, "initial")
    for removal in p.deregister:
        after[removal.target] = ObservedTarget(removal.target, "draining")
    return TargetGroupView(view.arn, view.name, view.port, tuple(after.values()))


World = tuple[TargetGroupView, Discovery, Engine]


@settings(max_examples=600)
@given(worlds())
def test_no_plan_ever_removes_an_address_a_broker_in_scope_of_its_engine_has(world: World) -> None:
    view, discovery, engine = world
    assert not removed(plan_target_group(view, discovery, engine=engine)) & discovery.brokers_of(engine).keys()


@settings(max_examples=600)
@given(worlds())
def test_a_removal_always_rests_on_ec2_and_a_complete_listing(world: World) -> None:
    """Unknown never removes: every removed address is free in EC2 (and nobody blind could hold it), or its holder
    is gone, or it is held by the other engine's kind of interface. DNS never removes anything."""
    view, discovery, engine = world
    for ip in removed(plan_target_group(view, discovery, engine=engine)):
        assert discovery.interfaces is not None and discovery.scope_complete
        holder = discovery.interfaces.holder_of(ip)
        endpoint = discovery.endpoints.holder_of(ip) if discovery.endpoints else None
        if holder is not None:
            assert engine is Engine.RABBITMQ or (
                holder.broker_id is not None and discovery.brokers[holder.broker_id].knowledge is Knowledge.GONE)
        elif endpoint is not None:
            assert engine is Engine.ACTIVEMQ or (
                endpoint.broker_id is not None and discovery.brokers[endpoint.broker_id].knowledge is Knowledge.GONE), (
                "an endpoint's address goes only on its Broker tag and DescribeBroker's word")
        else:
            assert discovery.address_holders is not None and ip in discovery.address_holders.checked
            assert ip not in discovery.address_holders.holders, "only a free address may go"
            assert not discovery.blind_spots()


@settings(max_examples=400)
@given(worlds())
def test_applying_a_plan_then_planning_again_plans_nothing(world: World) -> None:
    view, discovery, engine = world
    first = plan_target_group(view, discovery, engine=engine)
    second = plan_target_group(apply(view, first), discovery, engine=engine)
    assert second.register == () and second.deregister == ()
    assert second.withheld == first.withheld


@settings(max_examples=400)
@given(worlds())
def test_every_registered_target_is_kept_removed_or_withheld_exactly_once(world: World) -> None:
    view, discovery, engine = world
    p = plan_target_group(view, discovery, engine=engine)
    kept, gone_, held = set(p.keep), {r.target for r in p.deregister}, {w.target for w in p.withheld}
    assert not (kept & gone_) and not (kept & held) and not (gone_ & held)
    assert view.registered <= kept | gone_ | held


@settings(max_examples=400)
@given(worlds(), st.dictionaries(IP, st.sampled_from(BROKER_IDS + RABBITS), max_size=8))
def test_memory_never_changes_what_is_removed(world: World, remembered: dict[str, str]) -> None:
    """What earlier runs registered an address for may delay its removal (hold_back), never decide it."""
    view, discovery, engine = world
    forgetful, remembering = plan_target_group(view, discovery, engine=engine), plan_target_group(view, discovery, remembered, engine)
    assert [r.target for r in remembering.deregister] == [r.target for r in forgetful.deregister]
    assert remembering.withheld == forgetful.withheld and remembering.register == forgetful.register
