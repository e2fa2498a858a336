"""Amazon MQ and the tagging API, read: which brokers are in scope, and what DescribeBroker says of one.

Tag scope is listed with the Resource Groups Tagging API, not with
ListBrokers + DescribeBroker: ListBrokers summaries carry no tags, so that way
costs one DescribeBroker for every broker in the account, in scope or not,
against Amazon MQ's account-wide throttle. GetResources returns only the
tagged brokers' ARNs (names included), 100 a page, and is throttled apart from
Amazon MQ. Addresses come from EC2 (network.py); DescribeBroker is asked only
about what is new to the run's memory (evidence.py), paced.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.brokers import BrokerDescription, Scope, broker_id_from_arn, broker_name_from_arn
from reconciler.clients import describe_error
from reconciler.deadline import Deadline
from reconciler.evidence import ScopeListing
from reconciler.pacing import TokenBucket

NOT_FOUND_CODES = frozenset({"NotFoundException", "NotFound"})


class BrokerDirectory:
    def __init__(
        self, mq: Any, tagging: Any, scope: Scope, pacing: TokenBucket, *, workers: int, deadline: Deadline | None = None
    ) -> None:
        self._mq = mq
        self._tagging = tagging
        self._scope = scope
        self._workers = workers
        # Every request to Amazon MQ takes a token, botocore's retries included:
        # they count against the account's budget just as much. A wait that
        # would end past the run's deadline is not begun.
        before_wait = deadline.check_wait if deadline else None
        mq.meta.events.register("request-created.mq", lambda **_: pacing.acquire(before_wait))

    def list_scope(self) -> tuple[ScopeListing, str | None]:
        """The configured ids and the tagged brokers, and what went wrong listing them."""
        configured: dict[str, str | None] = dict.fromkeys(self._scope.broker_ids)
        if self._scope.tag is None:
            return ScopeListing(configured, complete=True), None
        key, value = self._scope.tag
        pages = self._tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": key, "Values": [value]}],
            ResourceTypeFilters=["mq:broker"],
            ResourcesPerPage=100,
        )
        try:
            arns = [r["ResourceARN"] for page in pages for r in page.get("ResourceTagMappingList", [])]
        except (ClientError, BotoCoreError) as error:
            return ScopeListing(configured, complete=False), f"GetResources for tag {key}={value} failed: {describe_error(error)}"
        tagged = {broker_id: broker_name_from_arn(arn) for arn in arns if (broker_id := broker_id_from_arn(arn))}
        return ScopeListing({**configured, **tagged}, complete=True), None

    def describe(self, broker_ids: Iterable[str]) -> dict[str, BrokerDescription]:
        """DescribeBroker for each broker, concurrently but paced under the account's budget."""
        ids = sorted(set(broker_ids))
        if len(ids) <= 1:
            return {b: self._describe_one(b) for b in ids}
        with ThreadPoolExecutor(max_workers=min(self._workers, len(ids))) as pool:
            return dict(zip(ids, pool.map(self._describe_one, ids)))

    def _describe_one(self, broker_id: str) -> BrokerDescription:
        try:
            return BrokerDescription(broker_id, answer=self._mq.describe_broker(BrokerId=broker_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                return BrokerDescription(broker_id, missing=True)
            return BrokerDescription(broker_id, failure=describe_error(error))
        except BotoCoreError as error:
            return BrokerDescription(broker_id, failure=describe_error(error))
