"""How a reconciler is put together from its AWS clients: one place, for the function and the operator's CLI.

Kept out of handler.py, whose import configures Powertools and reads the
function's environment: the CLI (cli/mq_endpoint) builds the very same
reconciler from a stack's settings, so that its dry runs cannot disagree
with the function's runs.
"""

from __future__ import annotations

import boto3

from reconciler.adapters.amazon_mq import BrokerDirectory
from reconciler.adapters.clients import create_clients
from reconciler.adapters.deadline import Deadline
from reconciler.adapters.dns import Resolver, system_resolver
from reconciler.adapters.ec2 import BrokerNetwork
from reconciler.adapters.elb import TargetGroups
from reconciler.adapters.pacing import TokenBucket
from reconciler.adapters.tagging import BrokersInScope
from reconciler.core.settings import Settings
from reconciler.run.reconcile import Reconciler

# Concurrent DescribeBroker calls; the token bucket, not this, sets the pace.
DESCRIBE_WORKERS = 8


def build_reconciler(
    settings: Settings, *, session: boto3.session.Session | None = None, resolver: Resolver = system_resolver
) -> Reconciler:
    """The reconciler and its AWS clients; `resolver` answers for RabbitMQ
    brokers' hostnames (the system's own by default)."""
    clients = create_clients(settings.region, pool_size=DESCRIBE_WORKERS, session=session)
    pacing = TokenBucket(settings.describe_rate, settings.describe_burst)
    deadline = Deadline()
    scope = BrokersInScope(clients.tagging, settings.scope)
    directory = BrokerDirectory(clients.mq, pacing, workers=DESCRIBE_WORKERS, deadline=deadline)
    network = BrokerNetwork(clients.ec2, settings.vpc_id)
    for client in (clients.mq, clients.tagging, clients.ec2, clients.elbv2):
        # botocore emits request-created.mq (pacing) before request-created (deadline), whatever the order they are
        # registered in: a request that waited its turn is still checked (tests/unit/adapters/test_amazon_mq.py).
        deadline.attach(client)
    target_groups = TargetGroups(clients.elbv2)
    return Reconciler(settings, scope, directory, network, target_groups, deadline=deadline, resolver=resolver)
