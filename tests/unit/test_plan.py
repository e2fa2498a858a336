"""The plan's safety rules, one by one, then as properties over random worlds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.brokers import Address, AddressSource, BrokerFinding, Knowledge, gone, unresolved
from reconciler.evidence import AddressHolders, Discovery, OtherInterface
from reconciler.interfaces import BrokerInterface, InterfaceListing
from reconciler.plan import TargetGroupPlan, hold_back, plan_target_group
from reconciler.targets import ObservedTarget, Target, TargetGroupView

PORT = 61617
VPC = "vpc-0a1b2c3d"
A, B, C = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002", "b-cccccccc-0000-4000-8000-000000000003"


def eni(broker_id: str | None, ip: str) -> BrokerInterface:
    return BrokerInterface(f"eni-{ip.replace('.', '')}", broker_id, (ip,), "eu-west-1a", "subnet-1")


def listing(*held: tuple[str | None, str]) -> InterfaceListing:
    """Interfaces as EC2 lists them: (broker id, address) pairs."""
    return InterfaceListing(VPC, tuple(eni(broker_id, ip) for broker_id, ip in held))


def settled(broker_id: str, *ips: str) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.SETTLED, tuple(Address(ip) for ip in ips), AddressSource.INTERFACES)


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
        rebooting = BrokerFinding(A, Knowledge.UNRESOLVED, (Address("10.0.1.9"),), AddressSource.DESCRIBE_BROKER, reason="rebooting")
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
        fallback = BrokerFinding(B, Knowledge.SETTLED, (Address("10.0.1.8"),), AddressSource.DESCRIBE_BROKER)
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
        peered = BrokerFinding(B, Knowledge.SETTLED, (Address("10.1.1.5"),), AddressSource.DESCRIBE_BROKER)
        discovery = Discovery({A: settled(A, "10.0.1.1"), B: peered}, listing((A, "10.0.1.1")), True, ("10.0.1.0/24",))
        assert plan_target_group(group(), discovery).outside_vpc == {Target("10.1.1.5", PORT)}
        unknown = Discovery({B: peered}, listing(), True, None)
        assert plan_target_group(group(), unknown).outside_vpc == frozenset(), "unknown subnets: AWS says what it refuses"


# --- properties over random worlds -------------------------------------------------

IP = st.sampled_from([f"10.0.{s}.{h}" for s in (1, 2) for h in range(1, 9)])
BROKER_IDS = [A, B, C]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[TargetGroupView, Discovery]:
    """A group, EC2's interfaces (each address held by at most one broker, or an unreadable one), and findings."""
    states = st.sampled_from(["healthy", "unhealthy", "initial", "draining", "unused"])
    present = draw(st.dictionaries(IP, states, max_size=8))
    view = TargetGroupView("arn:tg", "openwire", PORT, tuple(ObservedTarget(Target(ip, PORT), s) for ip, s in present.items()))
    holders = draw(st.dictionaries(IP, st.sampled_from([*BROKER_IDS, None]), max_size=8))
    interfaces = InterfaceListing(VPC, tuple(eni(holder, ip) for ip, holder in holders.items()))
    brokers = {}
    for broker_id in draw(st.lists(st.sampled_from(BROKER_IDS), unique=True)):
        knowledge = draw(st.sampled_from(list(Knowledge)))
        own = tuple(Address(ip) for ip, holder in holders.items() if holder == broker_id)
        if own and knowledge is Knowledge.SETTLED:
            brokers[broker_id] = BrokerFinding(broker_id, knowledge, own, AddressSource.INTERFACES)
        elif knowledge is Knowledge.GONE:
            brokers[broker_id] = gone(broker_id, "why")
        else:  # found through DescribeBroker: it reports what it reports
            reported = tuple(Address(ip) for ip in draw(st.lists(IP, max_size=2, unique=True)) if ip not in holders)
            brokers[broker_id] = BrokerFinding(broker_id, knowledge, reported, AddressSource.DESCRIBE_BROKER)
    listed = draw(st.booleans())
    # Other interfaces hold addresses no broker interface holds (EC2 gives an address to one interface).
    others = {ip: OtherInterface("eni-other", "some other interface")
              for ip in draw(st.lists(IP, max_size=4)) if ip not in holders}
    lookup = AddressHolders(frozenset(draw(st.lists(IP, max_size=16))), others)
    return view, Discovery(brokers, interfaces if listed else None, draw(st.booleans()), None, draw(st.sampled_from([None, lookup])))


def apply(view: TargetGroupView, p: TargetGroupPlan) -> TargetGroupView:
    """What AWS does with a plan: new targets start `initial`, removed ones drain."""
    after = {t.target: t for t in view.targets}
    for target in p.register:
        after[target] = ObservedTarget(target, "initial")
    for removal in p.deregister:
        after[removal.target] = ObservedTarget(removal.target, "draining")
    return TargetGroupView(view.arn, view.name, view.port, tuple(after.values()))


@settings(max_examples=400)
@given(worlds())
def test_no_plan_ever_removes_an_address_a_broker_in_scope_has(world: tuple[TargetGroupView, Discovery]) -> None:
    view, discovery = world
    assert not removed(plan_target_group(view, discovery)) & discovery.brokers_of().keys()


@settings(max_examples=400)
@given(worlds())
def test_a_removal_always_rests_on_ec2_and_a_complete_listing(world: tuple[TargetGroupView, Discovery]) -> None:
    """Unknown never removes: every removed address is free in EC2 (and nobody blind could hold it), or its holder is gone."""
    view, discovery = world
    for ip in removed(plan_target_group(view, discovery)):
        assert discovery.interfaces is not None and discovery.scope_complete
        holder = discovery.interfaces.holder_of(ip)
        if holder is None:
            assert discovery.address_holders is not None and ip in discovery.address_holders.checked
            assert ip not in discovery.address_holders.holders, "only a free address may go"
            assert not discovery.blind_spots()
        else:
            assert holder.broker_id is not None and discovery.brokers[holder.broker_id].knowledge is Knowledge.GONE


@settings(max_examples=400)
@given(worlds())
def test_applying_a_plan_then_planning_again_plans_nothing(world: tuple[TargetGroupView, Discovery]) -> None:
    view, discovery = world
    first = plan_target_group(view, discovery)
    second = plan_target_group(apply(view, first), discovery)
    assert second.register == () and second.deregister == ()
    assert second.withheld == first.withheld


@settings(max_examples=400)
@given(worlds())
def test_every_registered_target_is_kept_removed_or_withheld_exactly_once(world: tuple[TargetGroupView, Discovery]) -> None:
    view, discovery = world
    p = plan_target_group(view, discovery)
    kept, gone_, held = set(p.keep), {r.target for r in p.deregister}, {w.target for w in p.withheld}
    assert not (kept & gone_) and not (kept & held) and not (gone_ & held)
    assert view.present <= kept | gone_ | held


@settings(max_examples=400)
@given(worlds(), st.dictionaries(IP, st.sampled_from(BROKER_IDS), max_size=8))
def test_memory_never_changes_what_is_removed(world: tuple[TargetGroupView, Discovery], remembered: dict[str, str]) -> None:
    """What earlier runs registered an address for may delay its removal (hold_back), never decide it."""
    view, discovery = world
    forgetful, remembering = plan_target_group(view, discovery), plan_target_group(view, discovery, remembered)
    assert [r.target for r in remembering.deregister] == [r.target for r in forgetful.deregister]
    assert remembering.withheld == forgetful.withheld and remembering.register == forgetful.register
