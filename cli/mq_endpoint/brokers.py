"""Brokers as the operator names them: a name or an id wherever a broker is asked for, and their state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reconciler.core.brokers import is_broker_id

from .aws import explain, reraise_as_command_error
from .errors import UsageError

# Names listed when one matches nothing.
LISTED = 10
# Brokers status describes (DescribeBroker, one call each) when the run did not: the ones down.
MAX_STATES = 20


def resolve_broker_ids(session: boto3.session.Session, values: Sequence[str]) -> list[str]:
    """Each value as a broker id: an id as it is, a name through mq:ListBrokers (names are unique in a region)."""
    names = [v for v in values if not is_broker_id(v)]
    if not names:
        return list(values)
    by_name = _brokers_by_name(session)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(
            f"no broker named {', '.join(unknown)} in {session.region_name}: "
            f"{_some(by_name) or 'mq:ListBrokers lists none'}"
        )
    return [value if is_broker_id(value) else by_name[value] for value in values]


def _brokers_by_name(session: boto3.session.Session) -> dict[str, str]:
    mq = session.client("mq")

    def listed() -> dict[str, str]:
        found: dict[str, str] = {}
        request: dict[str, Any] = {"MaxResults": 100}
        while True:
            page = mq.list_brokers(**request)
            found.update(
                {b["BrokerName"]: b["BrokerId"] for b in page.get("BrokerSummaries", []) if b.get("BrokerName")}
            )
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    result: dict[str, str] = reraise_as_command_error("mq:ListBrokers", listed)
    return result


def find_in_report(report: Mapping[str, Any], value: str) -> Mapping[str, Any]:
    """The report's broker named or identified by `value`: `status orders`, `status b-...`."""
    brokers: list[Mapping[str, Any]] = report.get("brokers", [])
    for broker in brokers:
        if value in (broker["brokerId"], broker.get("name")):
            return broker
    listed = [b.get("name") or b["brokerId"] for b in brokers if b.get("knowledge") != "gone"]
    raise UsageError(
        f"no broker {value} in scope of stack {report.get('stack', {}).get('name', '')}: "
        f"{_some(listed) or 'none is in scope'}"
    )


def _some(names: Iterable[str]) -> str:
    listed = sorted(names)
    if not listed:
        return ""
    more = f" and {len(listed) - LISTED} more" if len(listed) > LISTED else ""
    return f"brokers there: {', '.join(listed[:LISTED])}{more}"


def describe_brokers(session: boto3.session.Session, broker_ids: Sequence[str]) -> dict[str, Mapping[str, Any] | str]:
    """DescribeBroker's answer for each (at most MAX_STATES), or why there
    is none: for brokers the run did not describe."""
    mq = session.client("mq")
    described: dict[str, Mapping[str, Any] | str] = {}
    for broker_id in broker_ids[:MAX_STATES]:
        try:
            described[broker_id] = mq.describe_broker(BrokerId=broker_id)
        except (ClientError, BotoCoreError) as error:
            described[broker_id] = f"not read ({explain(error, 'mq:DescribeBroker')})"
    return described


def state_of(described: Mapping[str, Any] | str | None) -> str:
    if described is None:
        return "not read"
    return described if isinstance(described, str) else str(described.get("BrokerState", "?"))
