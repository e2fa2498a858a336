"""Every run returns a report, whatever AWS answers: checked with botocore's Stubber, which holds each answer to the
service's model, so only shapes AWS may really send are tried."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from reconciler.adapters.amazon_mq import BrokerDirectory
from reconciler.adapters.ec2 import BrokerNetwork
from reconciler.adapters.elb import TargetGroups
from reconciler.adapters.pacing import TokenBucket
from reconciler.adapters.tagging import BrokersInScope
from reconciler.core.brokers import Scope
from reconciler.core.settings import Settings
from reconciler.core.triggers import Trigger, TriggerKind
from reconciler.run.outcome import Status
from reconciler.run.reconcile import Reconciler

REGION = "eu-west-1"
GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/openwire/0123456789abcdef"


def test_a_run_that_meets_the_unexpected_still_reports() -> None:
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION)
    clients = {name: session.client(name) for name in ("mq", "resourcegroupstaggingapi", "ec2", "elbv2")}
    settings = Settings(REGION, (GROUP,), Scope(tag=("team", "a")), "vpc-0123456789abcdef0")
    reconciler = Reconciler(
        settings,
        BrokersInScope(clients["resourcegroupstaggingapi"], settings.scope),
        BrokerDirectory(clients["mq"], TokenBucket(10, 5), workers=1),
        BrokerNetwork(clients["ec2"], settings.vpc_id),
        TargetGroups(clients["elbv2"]),
    )
    with Stubber(clients["resourcegroupstaggingapi"]) as tagging:
        # Valid by the model (no member is required), yet no ARN to read: nothing the code was written for.
        tagging.add_response("get_resources", {"ResourceTagMappingList": [{}]})
        outcome = reconciler.run(Trigger(TriggerKind.SWEEP, "schedule"))

    assert outcome.status is Status.FAILED and outcome.groups == []
    assert outcome.run_problems and outcome.run_problems[0].startswith("unexpected KeyError")
