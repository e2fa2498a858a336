"""EC2, read: the Amazon MQ broker interfaces in the endpoint's VPC.

One paged DescribeNetworkInterfaces call, filtered on the broker interfaces'
description and the VPC, answers for every broker at once: ceil(I/1000)
requests for I interfaces, whatever the number of brokers, and none of them
against Amazon MQ's throttle (EC2 Describe calls have their own, large bucket;
../shared/CONTEXT.md).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.clients import describe_error
from reconciler.interfaces import DESCRIPTION_FILTER, BrokerInterface, InterfaceListing, broker_interface

# DescribeNetworkInterfaces' largest page.
PAGE_SIZE = 1000


class InterfaceListingFailed(RuntimeError):
    """The listing failed or stopped part-way: nobody's addresses are known in this run."""


class BrokerNetwork:
    def __init__(self, ec2: Any, vpc_id: str) -> None:
        self._ec2 = ec2
        self._vpc_id = vpc_id

    def list_broker_interfaces(self) -> InterfaceListing:
        pages = self._ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[
                {"Name": "vpc-id", "Values": [self._vpc_id]},
                {"Name": "description", "Values": [DESCRIPTION_FILTER]},
            ],
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        found: list[BrokerInterface] = []
        try:
            for page in pages:
                found.extend(i for i in map(broker_interface, page.get("NetworkInterfaces", [])) if i is not None)
        except (ClientError, BotoCoreError) as error:
            # A listing cut off after some pages would make the rest look free: all or nothing.
            raise InterfaceListingFailed(f"DescribeNetworkInterfaces failed: {describe_error(error)}") from error
        return InterfaceListing(self._vpc_id, tuple(found))
