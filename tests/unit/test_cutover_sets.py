"""Two target-group sets for a cutover: which brokers each group serves, from the function's environment."""

from __future__ import annotations

import pytest

from reconciler.core.brokers import Engine
from reconciler.core.evidence import RunEvidence, ServedBy
from reconciler.core.plan import RemovalClock, TargetGroupPlan, plan_target_group
from reconciler.core.settings import ConfigurationError, Settings
from tests.unit.test_plan import NOW, A, B, C, group, removed, settled

BLUE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mq-openwire/0123456789abcdef"
GREEN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mq-openwire-green/fedcba9876543210"
BASE = {"AWS_REGION": "eu-west-1", "TARGET_GROUP_ARNS": f"{BLUE},{GREEN}", "VPC_ID": "vpc-0a1b2c3d4e5f60718"}
OLD, NEW, OTHER = A, B, C
ADDRESSES = {OLD: "10.0.1.1", NEW: "10.0.1.2", OTHER: "10.0.1.3"}


def cutover(ids: set[str], standby_groups: str, standby: str = "", live_only: str = "") -> Settings:
    return Settings.from_environ(
        {
            **BASE,
            "BROKER_IDS": ",".join(sorted(ids)),
            "STANDBY_TARGET_GROUP_ARNS": standby_groups,
            "STANDBY_BROKER_IDS": standby,
            "LIVE_ONLY_BROKER_IDS": live_only,
        }
    )


def served_by(settings: Settings, arn: str, evidence: RunEvidence) -> ServedBy:
    """As reconcile.py builds it: the group's engine, cut to its set's brokers in a cutover."""
    not_served = settings.brokers_not_served_by(arn, evidence.brokers)
    return ServedBy(Engine.ACTIVEMQ, set(evidence.brokers) - not_served) if not_served else ServedBy(Engine.ACTIVEMQ)


def planned(settings: Settings, arn: str, *registered: str) -> TargetGroupPlan:
    """Every broker in scope settled on its own address (Amazon MQ and EC2 agree)."""
    brokers = {b: settled(b, ip) for b, ip in ADDRESSES.items() if b in settings.scope.broker_ids}
    evidence = RunEvidence(brokers, True, True)
    return plan_target_group(group(*registered), evidence, RemovalClock(NOW), served_by(settings, arn, evidence))


def wants(settings: Settings, arn: str, *registered: str) -> set[str]:
    """What the group holds once its plan is applied."""
    plan = planned(settings, arn, *registered)
    return (set(registered) | {t.ip for t in plan.register}) - removed(plan)


def test_the_standby_brokers_are_read_as_brokers_in_scope_and_each_set_leaves_out_the_others_own() -> None:
    settings = cutover({OLD, OTHER}, GREEN, NEW, OLD)
    assert settings.scope.broker_ids == {OLD, NEW, OTHER}
    scope = settings.scope.broker_ids
    assert settings.brokers_not_served_by(BLUE, scope) == {NEW} and settings.brokers_not_served_by(GREEN, scope) == {
        OLD
    }


def test_without_a_cutover_the_live_set_serves_the_scope_and_the_standby_set_nobody() -> None:
    settings = cutover({OLD, OTHER}, GREEN)
    assert wants(settings, BLUE) == {"10.0.1.1", "10.0.1.3"}
    assert wants(settings, GREEN, "10.0.1.1", "10.0.1.3") == set(), "a finished cutover empties the old set"


def test_prepared_the_live_set_keeps_old_and_the_standby_set_gets_new_and_each_sheds_the_others_address() -> None:
    settings = cutover({OLD, OTHER}, GREEN, NEW, OLD)
    assert wants(settings, BLUE, "10.0.1.1", "10.0.1.3", "10.0.1.2") == {"10.0.1.1", "10.0.1.3"}
    assert wants(settings, GREEN, "10.0.1.1", "10.0.1.3") == {"10.0.1.2", "10.0.1.3"}


def test_a_switch_changes_no_groups_contents_whatever_half_of_the_stack_update_a_sweep_sees() -> None:
    """The listeners and the function's environment change at different moments of one stack update."""
    before = cutover({OLD, OTHER}, GREEN, NEW, OLD)
    after = cutover({NEW, OTHER}, BLUE, OLD, NEW)  # ids scope: BrokerIds - OLD + NEW, the sets' roles swapped
    blue, green = {"10.0.1.1", "10.0.1.3"}, {"10.0.1.2", "10.0.1.3"}
    for settings in (before, after):
        assert wants(settings, BLUE, *blue) == blue and wants(settings, GREEN, *green) == green


def test_the_others_address_goes_on_amazon_mq_and_ec2s_word_that_it_is_that_brokers() -> None:
    settings = cutover({OLD, OTHER}, GREEN, NEW, OLD)
    (removal,) = planned(settings, BLUE, "10.0.1.1", "10.0.1.2").deregister
    assert removal.target.ip == "10.0.1.2" and NEW in removal.evidence and "does not serve" in removal.evidence


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        (
            {
                "STANDBY_TARGET_GROUP_ARNS": (
                    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/0000000000000000"
                )
            },
            "STANDBY_TARGET_GROUP_ARNS",
        ),
        ({"STANDBY_BROKER_IDS": NEW}, "STANDBY_BROKER_IDS"),
        ({"STANDBY_TARGET_GROUP_ARNS": GREEN, "STANDBY_BROKER_IDS": "orders"}, "STANDBY_BROKER_IDS"),
        ({"STANDBY_TARGET_GROUP_ARNS": GREEN, "LIVE_ONLY_BROKER_IDS": OLD}, "LIVE_ONLY_BROKER_IDS"),
        (
            {"STANDBY_TARGET_GROUP_ARNS": GREEN, "STANDBY_BROKER_IDS": NEW, "LIVE_ONLY_BROKER_IDS": NEW},
            "LIVE_ONLY_BROKER_IDS",
        ),
    ],
)
def test_a_bad_cutover_variable_is_named(change: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environ({**BASE, "BROKER_IDS": OLD, **change})
    assert raised.value.variable == variable
