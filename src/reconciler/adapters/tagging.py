"""The Resource Groups Tagging API, read: which brokers a tag brings into scope.

Tag scope is listed with GetResources, not with ListBrokers + DescribeBroker:
ListBrokers summaries carry no tags, so that way costs one DescribeBroker for
every broker in the account, in scope or not, against Amazon MQ's account-wide
throttle. GetResources returns only the tagged brokers' ARNs (names included),
100 a page, and is throttled apart from Amazon MQ (docs/sources.md).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.adapters.clients import describe_error
from reconciler.adapters.deadline import DeadlineReached
from reconciler.core.brokers import Scope, broker_id_from_arn, broker_name_from_arn
from reconciler.core.evidence import ScopeListing
from reconciler.core.reads import Read


class BrokersInScope:
    def __init__(self, tagging: Any, scope: Scope) -> None:
        self._tagging = tagging
        self._scope = scope

    def list(self) -> Read[ScopeListing]:
        """The configured ids and the tagged brokers; if the tag cannot be
        listed, the configured ids alone, incomplete."""
        configured: dict[str, str | None] = dict.fromkeys(self._scope.broker_ids)
        if self._scope.tag is None:
            return Read(ScopeListing(configured, complete=True))
        key, value = self._scope.tag
        pages = self._tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": key, "Values": [value]}],
            ResourceTypeFilters=["mq:broker"],
            ResourcesPerPage=100,
        )
        try:
            arns = [r["ResourceARN"] for page in pages for r in page.get("ResourceTagMappingList", [])]
        except (ClientError, BotoCoreError) as error:
            return Read.failed(
                f"GetResources for tag {key}={value} failed: {describe_error(error)}",
                cut_short=isinstance(error, DeadlineReached),
                value=ScopeListing(configured, complete=False),
            )
        tagged = {broker_id: broker_name_from_arn(arn) for arn in arns if (broker_id := broker_id_from_arn(arn))}
        return Read(ScopeListing({**configured, **tagged}, complete=True))
