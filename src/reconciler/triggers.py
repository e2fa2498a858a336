"""What woke the function: a schedule, an Amazon MQ event, or a person asking for a resync."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.brokers import broker_id_from_arn, is_broker_id

MQ_EVENT_SOURCE = "amazonmq.amazonaws.com"
MQ_EVENT_NAMES = frozenset({"CreateBroker", "DeleteBroker", "RebootBroker", "UpdateBroker", "CreateTags", "DeleteTags"})
RESYNC_KEYS = frozenset({"action", "dryRun", "brokerIds"})
MAX_RESYNC_BROKERS = 200  # the regional quota of brokers
MAX_EVENT_ID = 128  # EventBridge ids are UUIDs; anything longer is not one


class InvalidTrigger(ValueError):
    """An input the function can never act on: rejected, not retried."""


@dataclass(frozen=True)
class Trigger:
    kind: str  # "sweep", "event" or "resync"
    name: str
    event_id: str | None = None
    # The brokers the run may narrow itself to; None means the whole scope.
    broker_ids: frozenset[str] | None = None
    dry_run: bool = False
    # Set when the input is valid but there is nothing to do (a failed API call).
    nothing_to_do: str | None = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"kind": self.kind, "name": self.name, "eventId": self.event_id}
        if self.broker_ids is not None:
            described["brokerIds"] = sorted(self.broker_ids)
        if self.nothing_to_do:
            described["nothingToDo"] = self.nothing_to_do
        return described


def parse_trigger(event: Any, *, region: str, account: str | None) -> Trigger:
    if not isinstance(event, Mapping):
        raise InvalidTrigger(f"the event is a {type(event).__name__}, not a JSON object")
    if "action" in event:
        return _resync(event)
    if "detail-type" in event and "source" in event:
        return _eventbridge(event, region=region, account=account)
    raise InvalidTrigger(f"unrecognised event with keys {_preview(sorted(event))}")


def _resync(payload: Mapping[str, Any]) -> Trigger:
    if payload.get("action") != "resync":
        raise InvalidTrigger(f"unknown action {_preview(payload.get('action'))}; the only action is 'resync'")
    unknown = sorted(set(payload) - RESYNC_KEYS)
    if unknown:
        raise InvalidTrigger(f"unknown resync keys {_preview(unknown)}; allowed: action, dryRun, brokerIds")
    dry_run = payload.get("dryRun", False)
    if not isinstance(dry_run, bool):
        raise InvalidTrigger(f"dryRun must be true or false, not {_preview(dry_run)}")
    broker_ids = payload.get("brokerIds")
    if broker_ids is not None:
        if not isinstance(broker_ids, list) or not broker_ids or len(broker_ids) > MAX_RESYNC_BROKERS:
            raise InvalidTrigger(f"brokerIds must be a list of 1 to {MAX_RESYNC_BROKERS} broker ids")
        bad = [b for b in broker_ids if not is_broker_id(b)]
        if bad:
            raise InvalidTrigger(f"brokerIds holds values that are not broker ids (b-<uuid>): {_preview(bad)}")
        broker_ids = frozenset(broker_ids)
    return Trigger("resync", "resync", broker_ids=broker_ids, dry_run=dry_run)


def _eventbridge(event: Mapping[str, Any], *, region: str, account: str | None) -> Trigger:
    # Read as a plain mapping: Powertools' EventBridgeEvent would import its
    # whole data_classes package, 20-40 ms of every cold start, for two keys.
    source, detail_type = event["source"], event["detail-type"]
    event_id = event_id_of(event)
    if event.get("region") != region or (account and event.get("account") != account):
        raise InvalidTrigger(
            f"event {event_id} comes from {_preview(event.get('account'))}/{_preview(event.get('region'))}, "
            f"not this function's {account or '?'}/{region}"
        )
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise InvalidTrigger(f"event {event_id} has no detail object")
    if detail_type == "Scheduled Event":
        return Trigger("sweep", "Scheduled Event", event_id)
    if source == "aws.health":
        return _health(event, detail, event_id)
    if detail_type == "AWS API Call via CloudTrail" and detail.get("eventSource") == MQ_EVENT_SOURCE:
        return _cloudtrail(event, detail, event_id)
    raise InvalidTrigger(f"event {event_id} ({_preview(source)}, {_preview(detail_type)}) is not one this function handles")


def _cloudtrail(event: Mapping[str, Any], detail: Mapping[str, Any], event_id: str | None) -> Trigger:
    name = detail.get("eventName")
    if not isinstance(name, str) or name not in MQ_EVENT_NAMES:
        raise InvalidTrigger(f"event {event_id}: Amazon MQ call {_preview(name)} is not one that moves broker IPs")
    if detail.get("errorCode"):
        return Trigger("event", name, event_id, frozenset(), nothing_to_do=f"the call failed with {detail['errorCode']}")
    request = _mapping(detail.get("requestParameters"))
    response = _mapping(detail.get("responseElements"))
    resource_arn = request.get("resourceArn")
    if name in ("CreateTags", "DeleteTags") and isinstance(resource_arn, str) and not broker_id_from_arn(resource_arn):
        return Trigger("event", name, event_id, frozenset(), nothing_to_do="the tags are not on a broker")
    candidates = [
        request.get("brokerId"),
        response.get("brokerId"),
        broker_id_from_arn(resource_arn) if isinstance(resource_arn, str) else None,
        *_broker_ids_in_arns(_list(event.get("resources"))),
    ]
    broker_ids = frozenset(c for c in candidates if is_broker_id(c))
    if not broker_ids:
        raise InvalidTrigger(f"event {event_id}: {name} names no broker id")
    return Trigger("event", name, event_id, broker_ids)


def _health(event: Mapping[str, Any], detail: Mapping[str, Any], event_id: str | None) -> Trigger:
    if detail.get("service") != "MQ":
        raise InvalidTrigger(f"event {event_id}: AWS Health event for {_preview(detail.get('service'))}, not MQ")
    entities = [e.get("entityValue") for e in _list(detail.get("affectedEntities")) if isinstance(e, Mapping)]
    named = {*_broker_ids_in_arns(_list(event.get("resources"))), *_broker_ids_in_arns(entities)}
    named |= {e for e in entities if is_broker_id(e)}
    # A health event that names no broker still says something changed: sweep.
    code = detail.get("eventTypeCode")
    name = f"AWS Health {code}" if isinstance(code, str) and len(code) <= MAX_EVENT_ID else "AWS Health"
    return Trigger("event", name, event_id, frozenset(named) or None)


def _broker_ids_in_arns(values: Iterable[Any]) -> list[str]:
    return [b for b in (broker_id_from_arn(v) for v in values if isinstance(v, str)) if b]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def event_id_of(event: Mapping[str, Any]) -> str | None:
    """The event's id, when it looks like one: it goes on every log line."""
    event_id = event.get("id")
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID else None


def _preview(value: Any, limit: int = 120) -> str:
    """A short rendering of untrusted input for error messages and logs."""
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."
