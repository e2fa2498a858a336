"""The plan's safety rules, one by one, then as properties over random worlds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.brokers import BrokerFinding, Knowledge, gone, unresolved
from reconciler.plan import Discovery, TargetGroupPlan, plan_target_group, remember_owners
from reconciler.targets import ObservedTarget, Target, TargetGroupView

PORT = 61617
A, B, C = "b-aaaaaaaa-0000-4000-8000-000000000001", "b-bbbbbbbb-0000-4000-8000-000000000002", "b-cccccccc-0000-4000-8000-000000000003"


def settled(broker_id: str, *ips: str) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.SETTLED, frozenset(ips), "RUNNING", "", ips)


def group(*targets: str | tuple[str, str], port: int = PORT) -> TargetGroupView:
    observed = []
    for spec in targets:
        ip, state = spec if isinstance(spec, tuple) else (spec, "healthy")
        observed.append(ObservedTarget(Target(ip, port), state))
    return TargetGroupView("arn:tg", "openwire", port, tuple(observed))


def plan(view: TargetGroupView, *brokers: BrokerFinding, whole_scope: bool = True, owners: dict[str, str] | None = None) -> TargetGroupPlan:
    return plan_target_group(view, Discovery({b.broker_id: b for b in brokers}, whole_scope, owners or {}))


def ips(targets: tuple[Target, ...]) -> set[str]:
    return {t.ip for t in targets}


def removed(p: TargetGroupPlan) -> set[str]:
    return {r.target.ip for r in p.deregister}


def withheld(p: TargetGroupPlan) -> set[str]:
    return {w.target.ip for w in p.withheld}


class TestRegistration:
    def test_an_empty_group_gets_every_ip_of_every_broker_on_its_own_port(self) -> None:
        p = plan(group(port=8162), settled(A, "10.0.1.1", "10.0.2.1"), settled(B, "10.0.1.2", "10.0.2.2"))
        assert set(p.register) == {Target(ip, 8162) for ip in ("10.0.1.1", "10.0.2.1", "10.0.1.2", "10.0.2.2")}
        assert p.deregister == () and p.withheld == ()

    def test_present_targets_are_kept_not_registered_again(self) -> None:
        p = plan(group("10.0.1.1", ("10.0.2.1", "unhealthy")), settled(A, "10.0.1.1", "10.0.2.1"))
        assert p.register == () and ips(p.keep) == {"10.0.1.1", "10.0.2.1"}

    def test_draining_and_unused_targets_are_registered_again(self) -> None:
        p = plan(group(("10.0.1.1", "draining"), ("10.0.2.1", "unused")), settled(A, "10.0.1.1", "10.0.2.1"))
        assert ips(p.register) == {"10.0.1.1", "10.0.2.1"}

    def test_an_unresolved_broker_still_gets_the_ips_it_reports(self) -> None:
        transitional = BrokerFinding(A, Knowledge.UNRESOLVED, frozenset({"10.0.1.9"}), "REBOOT_IN_PROGRESS", "rebooting")
        assert ips(plan(group(), transitional).register) == {"10.0.1.9"}

    def test_a_gone_broker_gets_nothing(self) -> None:
        assert plan(group(), gone(A, "deleted")).register == ()


class TestRemovalOnEvidence:
    def test_a_foreign_ip_goes_when_every_broker_in_scope_was_read(self) -> None:
        p = plan(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"))
        assert removed(p) == {"10.9.9.9"}
        assert p.deregister[0].evidence == "no broker in scope has this IP"

    def test_an_ip_the_broker_no_longer_reports_goes(self) -> None:
        p = plan(group(("10.0.1.1", "unhealthy"), "10.0.2.1"), settled(A, "10.0.1.5", "10.0.2.1"), whole_scope=False,
                 owners={"10.0.1.1": A, "10.0.2.1": A})
        assert removed(p) == {"10.0.1.1"} and ips(p.register) == {"10.0.1.5"}
        assert "now reports other IPs" in p.deregister[0].evidence

    def test_a_gone_broker_loses_its_targets_even_in_a_narrowed_run(self) -> None:
        p = plan(group(("10.0.1.1", "unhealthy"), ("10.0.2.1", "unused"), "10.0.1.2"), gone(A, "deleted"), whole_scope=False,
                 owners={"10.0.1.1": A, "10.0.2.1": A, "10.0.1.2": B})
        assert removed(p) == {"10.0.1.1", "10.0.2.1"}
        assert ips(p.keep) == {"10.0.1.2"}, "the other broker's target is not this run's business"

    def test_a_narrowed_run_never_removes_a_target_something_still_answers_at(self) -> None:
        p = plan(group("10.0.1.1"), settled(A, "10.0.1.5"), whole_scope=False, owners={"10.0.1.1": A})
        assert removed(p) == set() and withheld(p) == {"10.0.1.1"}
        assert "something answers there" in p.withheld[0].reason

    def test_a_broker_that_left_the_scope_loses_even_its_healthy_targets_in_a_narrowed_run(self) -> None:
        p = plan(group("10.0.1.1"), gone(A, "broker is not in scope"), whole_scope=False, owners={"10.0.1.1": A})
        assert removed(p) == {"10.0.1.1"}, "it still answers there itself, and it is out of scope"
        deleted = plan(group("10.0.1.1"), gone(A, "deleted", exists=False), whole_scope=False, owners={"10.0.1.1": A})
        assert withheld(deleted) == {"10.0.1.1"}, "a deleted broker answers nowhere: someone else holds the address"

    def test_a_whole_read_removes_a_healthy_target_nobody_in_scope_has(self) -> None:
        p = plan(group("10.0.1.1"), settled(A, "10.0.1.5"), owners={"10.0.1.1": A})
        assert removed(p) == {"10.0.1.1"}, "an untagged broker still answers there, but it is out of scope"

    def test_a_target_on_the_wrong_port_goes_when_the_scope_was_read(self) -> None:
        view = TargetGroupView("arn:tg", "openwire", PORT, (ObservedTarget(Target("10.0.1.1", 9999), "healthy"),))
        p = plan(view, settled(A, "10.0.1.1"))
        assert [r.target for r in p.deregister] == [Target("10.0.1.1", 9999)]
        assert p.register == (Target("10.0.1.1", PORT),)

    def test_a_draining_target_is_not_deregistered_again(self) -> None:
        assert plan(group(("10.9.9.9", "draining")), settled(A, "10.0.1.1")).deregister == ()


class TestNothingGoesWithoutEvidence:
    def test_an_unresolved_broker_keeps_what_it_was_last_seen_with(self) -> None:
        p = plan(group("10.0.1.1", "10.0.2.1"), unresolved(A, "ThrottlingException"), owners={"10.0.1.1": A, "10.0.2.1": A})
        assert removed(p) == set() and withheld(p) == {"10.0.1.1", "10.0.2.1"}
        assert "could not be read: ThrottlingException" in p.withheld[0].reason

    def test_one_unresolved_broker_protects_every_ip_nobody_claims(self) -> None:
        p = plan(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"), unresolved(B, "timeout"))
        assert removed(p) == set() and withheld(p) == {"10.9.9.9"}
        assert B in p.withheld[0].reason

    def test_a_broker_no_longer_listed_loses_its_ips_once_every_broker_can_be_read(self) -> None:
        owners = {"10.0.1.7": C}
        p = plan(group("10.0.1.7"), settled(A, "10.0.1.1"), owners=owners)
        assert removed(p) == {"10.0.1.7"} and p.deregister[0].evidence == f"{C} left the scope (no longer listed)"
        assert ips(plan(group("10.0.1.7"), settled(A, "10.0.1.1"), whole_scope=False, owners=owners).keep) == {"10.0.1.7"}

    def test_an_unreadable_broker_protects_even_ips_another_broker_gave_up(self) -> None:
        """EC2 hands freed addresses out again: the broker that could not be read may hold them now."""
        owners = {"10.0.1.7": C, "10.0.1.8": A}
        p = plan(group(("10.0.1.7", "unhealthy"), ("10.0.1.8", "unhealthy")), settled(A, "10.0.1.1"), gone(C, "deleted"),
                 unresolved(B, "rebooting"), owners=owners)
        assert removed(p) == set() and withheld(p) == {"10.0.1.7", "10.0.1.8"}
        assert all(f"{B} could not be read" in w.reason for w in p.withheld)

    def test_a_narrowed_run_leaves_ips_it_cannot_attribute(self) -> None:
        p = plan(group("10.0.1.1", "10.9.9.9"), settled(A, "10.0.1.1"), whole_scope=False)
        assert removed(p) == set() and withheld(p) == {"10.9.9.9"}

    def test_a_narrowed_run_keeps_targets_of_brokers_it_did_not_read(self) -> None:
        p = plan(group("10.0.1.1", "10.0.1.2"), settled(A, "10.0.1.1"), whole_scope=False, owners={"10.0.1.2": B})
        assert removed(p) == set() and withheld(p) == set() and ips(p.keep) == {"10.0.1.1", "10.0.1.2"}

    def test_an_ip_that_moved_to_another_broker_stays(self) -> None:
        p = plan(group("10.0.1.1"), settled(A, "10.0.1.5"), settled(B, "10.0.1.1"), whole_scope=False, owners={"10.0.1.1": A})
        assert removed(p) == set() and ips(p.keep) == {"10.0.1.1"}

    def test_nobody_read_and_nothing_listed_removes_nothing(self) -> None:
        assert plan(group("10.0.1.1"), whole_scope=False).deregister == ()


class TestOwnershipMemory:
    def test_a_settled_broker_owns_exactly_what_it_reports_once_the_run_applied(self) -> None:
        last = {"10.0.1.1": A, "10.0.2.1": A}
        owners = remember_owners(last, [settled(A, "10.0.1.5", "10.0.2.1")], whole_scope=False, applied=True)
        assert owners == {"10.0.1.5": A, "10.0.2.1": A}
        kept = remember_owners(last, [settled(A, "10.0.1.5", "10.0.2.1")], whole_scope=False, applied=False)
        assert kept == {"10.0.1.1": A, "10.0.2.1": A, "10.0.1.5": A}, "a failed swap is retried with the same evidence"

    def test_an_unresolved_broker_keeps_its_old_ips_and_adds_new_ones(self) -> None:
        finding = BrokerFinding(A, Knowledge.UNRESOLVED, frozenset({"10.0.1.5"}), "REBOOT_IN_PROGRESS", "rebooting")
        assert remember_owners({"10.0.1.1": A}, [finding], whole_scope=False, applied=True) == {"10.0.1.1": A, "10.0.1.5": A}

    def test_a_gone_broker_is_forgotten_only_once_its_removal_applied(self) -> None:
        assert remember_owners({"10.0.1.1": A}, [gone(A, "deleted")], whole_scope=False, applied=False) == {"10.0.1.1": A}
        assert remember_owners({"10.0.1.1": A}, [gone(A, "deleted")], whole_scope=False, applied=True) == {}

    def test_a_whole_scope_read_forgets_brokers_that_left_the_scope_once_applied(self) -> None:
        last = {"10.0.1.1": A, "10.0.1.2": B}
        assert remember_owners(last, [settled(A, "10.0.1.1")], whole_scope=True, applied=True) == {"10.0.1.1": A}
        assert remember_owners(last, [settled(A, "10.0.1.1")], whole_scope=True, applied=False) == last
        assert remember_owners(last, [settled(A, "10.0.1.1")], whole_scope=False, applied=True) == last


# --- properties over random worlds -------------------------------------------------

IP = st.sampled_from([f"10.0.{s}.{h}" for s in (1, 2) for h in range(1, 9)])
BROKER_IDS = [A, B, C]


@st.composite
def findings(draw: st.DrawFn) -> list[BrokerFinding]:
    result = []
    for broker_id in draw(st.lists(st.sampled_from(BROKER_IDS), unique=True)):
        knowledge = draw(st.sampled_from(list(Knowledge)))
        reported = frozenset(draw(st.lists(IP, max_size=2))) if knowledge is not Knowledge.GONE else frozenset()
        result.append(BrokerFinding(broker_id, knowledge, reported, None, "why"))
    return result


@st.composite
def worlds(draw: st.DrawFn) -> tuple[TargetGroupView, Discovery]:
    states = st.sampled_from(["healthy", "unhealthy", "initial", "draining", "unused"])
    present = draw(st.dictionaries(IP, states, max_size=8))
    view = TargetGroupView("arn:tg", "openwire", PORT, tuple(ObservedTarget(Target(ip, PORT), s) for ip, s in present.items()))
    brokers = draw(findings())
    owners = draw(st.dictionaries(IP, st.sampled_from(BROKER_IDS), max_size=8))
    return view, Discovery({b.broker_id: b for b in brokers}, draw(st.booleans()), owners)


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
def test_no_plan_ever_removes_an_ip_a_broker_in_scope_reports(world: tuple[TargetGroupView, Discovery]) -> None:
    view, discovery = world
    assert not removed(plan_target_group(view, discovery)) & discovery.wanted_ips()


@settings(max_examples=400)
@given(worlds())
def test_nothing_goes_that_an_unresolved_broker_was_last_seen_with(world: tuple[TargetGroupView, Discovery]) -> None:
    view, discovery = world
    protected = {ip for ip, owner in discovery.last_owners.items()
                 if owner in discovery.brokers and discovery.brokers[owner].knowledge is Knowledge.UNRESOLVED}
    assert not removed(plan_target_group(view, discovery)) & protected


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
