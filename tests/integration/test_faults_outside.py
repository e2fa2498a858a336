"""Faults the reconciler does not cause stay where they are: isolated, reported, never a retry storm."""

from __future__ import annotations

import pytest

from emulator import Fault, faults
from emulator.api_calls import recording_api_calls
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG

PEERED_VPC_CIDR = "10.1.0.0/16"


def refusing(ip: str) -> Fault:
    """RegisterTargets answers as AWS does when one target of the call is refused: the whole call fails with a 400."""
    return Fault(
        "elbv2",
        "RegisterTargets",
        code="InvalidTarget",
        status=400,
        message=f"The following targets are not valid: {ip}",
        match=ip,
    )


class TestRefusedTargets:
    def test_a_refused_target_is_isolated_and_reported_and_the_others_are_applied(
        self, endpoint: Endpoint, two_brokers: tuple[str, str]
    ) -> None:
        orders, payments = two_brokers
        aws = endpoint.aws
        endpoint.sweep()
        orders_old, payments_old = set(aws.broker_ips(orders)), set(aws.broker_ips(payments))
        refused, orders_other = aws.change_broker_ips(orders)
        payments_new = set(aws.change_broker_ips(payments))
        fault = aws.inject_fault(refusing(refused))

        endpoint.sweep()
        invocation = endpoint.next_sweep()  # a second reading: the old addresses may go

        openwire = set(endpoint.targets())
        assert payments_new <= openwire and not payments_old & openwire, "payments moves on"
        assert orders_other in openwire and refused not in openwire
        assert orders_old <= openwire, "orders' new addresses are not all in: its old ones stay"
        group = invocation.report["targetGroups"][0]
        assert group["refused"] == [
            {
                "target": f"{refused}:61617",
                "brokerId": orders,
                "message": f"InvalidTarget: The following targets are not valid: {refused}",
            }
        ]
        assert invocation.report["status"] == "incomplete" and invocation.metric("TargetsRefused") == 2
        assert fault.hits >= 2, "the call that carried it was split until it stood alone"

        aws.remove_fault(fault)
        endpoint.sweep()
        assert set(endpoint.targets()) == set(aws.broker_ips(orders)) | payments_new

    def test_a_broker_in_scope_in_another_vpc_is_reported_never_served_and_blocks_nothing(
        self, endpoint: Endpoint, two_brokers: tuple[str, str]
    ) -> None:
        """Tag scope is regional, the endpoint is not: a tagged broker of a
        peered VPC is outside it (issue 16, case 6)."""
        aws = endpoint.aws
        ec2 = aws.client("ec2")
        peered = ec2.create_vpc(CidrBlock=PEERED_VPC_CIDR)["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=peered, CidrBlock="10.1.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
            "SubnetId"
        ]
        remote = aws.create_broker("remote", "SINGLE_INSTANCE", tags=SCOPE_TAG, subnet_ids=[subnet])
        endpoint.sweep()
        stale = "10.0.2.250"
        aws.client("elbv2").register_targets(
            TargetGroupArn=endpoint.groups["openwire"], Targets=[{"Id": stale, "Port": 61617}]
        )

        endpoint.sweep()
        invocation = endpoint.next_sweep()

        assert not set(aws.broker_ips(remote)) & set(endpoint.targets()), "never registered here"
        assert stale not in endpoint.targets(), "it blocks no removal"
        found = {b["brokerId"]: b for b in invocation.report["brokers"]}[remote]
        assert found["knowledge"] == "outsideVpc" and found["addresses"] == []
        assert (
            f"{remote} (remote): in {peered}, not {aws.vpc_id}: this endpoint does not serve it"
            in invocation.report["errors"]
        )


class TestUnusedTargets:
    def test_a_target_in_a_zone_the_load_balancer_does_not_serve_is_not_registered_again_and_is_reported(
        self, endpoint: Endpoint, two_brokers: tuple[str, str]
    ) -> None:
        orders, _ = two_brokers
        aws = endpoint.aws
        endpoint.sweep()
        standby = aws.broker_ips(orders)[1]
        for group in endpoint.groups.values():
            aws.set_target_state(group, standby, "unused")

        with recording_api_calls() as calls:
            invocation = endpoint.sweep()

        assert calls.count("elbv2", "RegisterTargets") == 0, (
            "an unused target is registered: registering it again changes nothing"
        )
        assert invocation.report["unservedInstances"] == [
            {"brokerId": orders, "name": "orders", "ip": standby, "zone": f"{REGION}b"}
        ]
        assert invocation.metric("BrokerInstancesInUnservedZones") == 1
        assert invocation.report["status"] == "incomplete"
        assert any(f"{standby} in {REGION}b" in e and "does not route there" in e for e in invocation.report["errors"])


class TestDeadline:
    def test_a_run_whose_reads_are_slow_stops_before_its_timeout_and_removes_nothing(
        self, endpoint: Endpoint, two_brokers: tuple[str, str]
    ) -> None:
        orders, _ = two_brokers
        aws = endpoint.aws
        endpoint.sweep()
        aws.change_broker_ips(orders)
        before = endpoint.all_targets()
        endpoint.timeout(seconds=16)  # 14 s of margin: after a 3-second read, no further request may start
        aws.inject_fault(faults.slow("ec2", "DescribeNetworkInterfaces", seconds=3))

        with recording_api_calls() as calls:
            invocation = endpoint.sweep()

        assert endpoint.all_targets() == before, "what the run could not read is unresolved: nothing goes"
        assert calls.count("elbv2", "DescribeTargetHealth") == 0 and calls.count("elbv2", "DeregisterTargets") == 0
        report = invocation.report
        assert report["cutShort"] is True and report["status"] == "incomplete" and invocation.raised is None
        assert any("cut short" in e for e in report["errors"])


class TestOwnership:
    def test_a_stack_refuses_to_change_a_group_tagged_for_another_one(
        self, endpoint: Endpoint, two_brokers: tuple[str, str]
    ) -> None:
        aws = endpoint.aws
        openwire = endpoint.groups["openwire"]
        aws.client("elbv2").add_tags(
            ResourceArns=[openwire], Tags=[{"Key": "mq-static-endpoint:stack", "Value": "mq-prod"}]
        )
        endpoint.cold_start(STACK_NAME="mq-prod")
        endpoint.sweep()
        owned = endpoint.all_targets()
        assert len(owned["openwire"]) == 4, "the owner reconciles its group"

        endpoint.cold_start(STACK_NAME="mq-staging")  # another stack pointed at the same group by mistake
        aws.change_broker_ips(two_brokers[0])
        endpoint.sweep()
        invocation = endpoint.next_sweep()  # a cold container removes what a second listing still shows free

        assert set(endpoint.targets("openwire")) == set(owned["openwire"]), (
            "not touched by a stack it does not belong to"
        )
        assert invocation.report["status"] == "failed" and invocation.metric("TargetGroupsOwnedElsewhere") == 1
        assert any(
            "mq-static-endpoint:stack=mq-prod" in e and "another stack" in e for e in invocation.report["errors"]
        )
        assert len(endpoint.targets("console")) == 4 and set(endpoint.targets("console")) != set(owned["console"]), (
            "its own untagged group is still reconciled"
        )


class TestNoRetryStorm:
    @pytest.mark.parametrize(
        "fault",
        [faults.access_denied("elbv2", "DescribeTargetHealth"), faults.target_group_vanished("openwire")],
        ids=["access denied", "vanished group"],
    )
    def test_a_lasting_fault_costs_one_invocation_per_trigger_and_is_reported(
        self, endpoint: Endpoint, two_brokers: tuple[str, str], fault: Fault
    ) -> None:
        endpoint.aws.inject_fault(fault)
        for run in range(3):
            with recording_api_calls() as calls:
                invocation = endpoint.sweep()
            if run:  # the first run of a container describes every group; then only what it could not
                assert calls.count("elbv2", "DescribeTargetGroups") <= 1, "a vanished group is asked about once a run"
            assert invocation.raised is None, "a raised error would make Lambda run it twice more"
            assert invocation.report["status"] == "failed" and invocation.metric("ReconcileFailures") == 1
            assert any(log["level"] == "ERROR" and log["message"] == "reconcile report" for log in invocation.logs)

    def test_a_clean_run_is_ok_with_no_error_beside_it(self, endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
        report = endpoint.reboot_event(two_brokers[0]).report
        assert report["status"] == "ok" and report["errors"] == []
