"""Amazon MQ, read: what DescribeBroker says of a broker, paced under the account's throttle.

Addresses come from EC2 (ec2.py); DescribeBroker is asked only about what is
new to the run's memory (core/evidence.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.adapters.clients import describe_error
from reconciler.adapters.deadline import Deadline
from reconciler.adapters.pacing import TokenBucket
from reconciler.core.brokers import BrokerDescription

NOT_FOUND_CODES = frozenset({"NotFoundException", "NotFound"})


class BrokerDirectory:
    def __init__(self, mq: Any, pacing: TokenBucket, *, workers: int, deadline: Deadline | None = None) -> None:
        self._mq = mq
        self._workers = workers
        # Every request to Amazon MQ takes a token, botocore's retries included:
        # they count against the account's budget just as much. A wait that
        # would end past the run's deadline is not begun.
        before_wait = deadline.check_wait if deadline else None
        mq.meta.events.register("request-created.mq", lambda **_: pacing.acquire(before_wait))

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
            return BrokerDescription(broker_id, problem=describe_error(error))
        except BotoCoreError as error:
            return BrokerDescription(broker_id, problem=describe_error(error))
