"""Amazon MQ, read: which brokers are in scope, and what each one reports.

Tag scope is listed with the Resource Groups Tagging API, not with
ListBrokers + DescribeBroker: ListBrokers summaries carry no tags, so that way
costs one DescribeBroker for every broker in the account, in scope or not,
against Amazon MQ's account-wide throttle. GetResources returns only the
tagged brokers' ARNs, 100 a page, and is throttled apart from Amazon MQ; each
broker in scope then costs exactly one DescribeBroker, which we need anyway
for its IPs.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.brokers import BrokerFinding, Scope, broker_id_from_arn, finding_from_description, gone, unresolved
from reconciler.clients import describe_error
from reconciler.pacing import TokenBucket

NOT_FOUND_CODES = frozenset({"NotFoundException", "NotFound"})


class ListingFailed(RuntimeError):
    """The scope could not be enumerated, so this run cannot know every broker."""


class BrokerDirectory:
    def __init__(self, mq: Any, tagging: Any, scope: Scope, pacing: TokenBucket, *, workers: int) -> None:
        self._mq = mq
        self._tagging = tagging
        self._scope = scope
        self._workers = workers
        # Every request to Amazon MQ takes a token, botocore's retries included:
        # they count against the account's budget just as much.
        mq.meta.events.register("request-created.mq", lambda **_: pacing.acquire())

    def list_scope(self) -> frozenset[str]:
        """Every broker id in scope: the listed ids and the tagged brokers."""
        if self._scope.tag is None:
            return self._scope.broker_ids
        key, value = self._scope.tag
        pages = self._tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": key, "Values": [value]}],
            ResourceTypeFilters=["mq:broker"],
            ResourcesPerPage=100,
        )
        try:
            arns = [r["ResourceARN"] for page in pages for r in page.get("ResourceTagMappingList", [])]
        except (ClientError, BotoCoreError) as error:
            raise ListingFailed(f"GetResources for tag {key}={value} failed: {describe_error(error)}") from error
        tagged = (broker_id_from_arn(arn) for arn in arns)
        return self._scope.broker_ids | {b for b in tagged if b}

    def describe(self, broker_ids: Iterable[str]) -> dict[str, BrokerFinding]:
        """DescribeBroker for each broker, concurrently but paced under the account's budget."""
        ids = sorted(set(broker_ids))
        if len(ids) <= 1:
            return {b: self._describe_one(b) for b in ids}
        with ThreadPoolExecutor(max_workers=min(self._workers, len(ids))) as pool:
            return dict(zip(ids, pool.map(self._describe_one, ids)))

    def _describe_one(self, broker_id: str) -> BrokerFinding:
        if self._scope.tag is None and broker_id not in self._scope.broker_ids:
            return gone(broker_id, "broker is not in scope")
        try:
            description = self._mq.describe_broker(BrokerId=broker_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                return gone(broker_id, "broker does not exist (NotFoundException)", exists=False)
            return unresolved(broker_id, f"DescribeBroker failed: {describe_error(error)}")
        except BotoCoreError as error:
            return unresolved(broker_id, f"DescribeBroker failed: {describe_error(error)}")
        return finding_from_description(description, self._scope)
