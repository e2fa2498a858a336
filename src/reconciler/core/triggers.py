"""What woke the function: a schedule, an Amazon MQ event, or a person asking for a resync."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import unquote

from reconciler.core.brokers import broker_id_from_arn, is_broker_id

MQ_EVENT_SOURCE = "amazonmq.amazonaws.com"
MQ_EVENT_NAMES = frozenset({"CreateBroker", "DeleteBroker", "RebootBroker", "UpdateBroker", "CreateTags", "DeleteTags"})
RESYNC_KEYS = frozenset({"action", "dryRun", "brokerIds"})
MAX_RESYNC_BROKERS = 200  # the regional quota of brokers
MAX_EVENT_ID = 128  # EventBridge ids are UUIDs; anything longer is not one
# Where a CloudTrail record of an Amazon MQ call may name its broker. The REST
# API puts the id or ARN in the URL path (/v1/brokers/{broker-id}/reboot,
# /v1/tags/{resource-arn}), and CloudTrail may log a path parameter under its
# path name and percent-encoded, as MSK's records show ("clusterArn":
# "arn%3Aaws%3Akafka%3A..."). No real Amazon MQ record of Reboot/CreateTags/
# DeleteTags was found, so every spelling is read, in the request and in the
# response (RebootBroker's is empty; Create/Update/DeleteBroker's carry
# brokerId). Sources: docs/sources.md, Amazon MQ.
ID_KEYS = ("brokerId", "broker-id")
ARN_KEYS = ("resourceArn", "resource-arn", "brokerArn")


class InvalidTrigger(ValueError):
    """An input the function can never act on: rejected, not retried."""


class TriggerKind(str, Enum):
    SWEEP = "sweep"  # the schedule
    EVENT = "event"  # an Amazon MQ call or an AWS Health event, from EventBridge
    RESYNC = "resync"  # a person, through lambda:Invoke


@dataclass(frozen=True)
class Trigger:
    kind: TriggerKind
    name: str
    event_id: str | None = None
    # The brokers the trigger names. Every trigger reconciles the whole scope;
    # these are read directly (DescribeBroker) even when the tag listing does
    # not show them yet, e.g. a broker tagged a moment ago. None: it names none.
    broker_ids: frozenset[str] | None = None
    dry_run: bool = False
    # Set when the input is valid but there is nothing to do (a failed API call).
    nothing_to_do: str | None = None
    # Set when an Amazon MQ call names no broker the function can read: the
    # call still says something changed, so the whole scope is reconciled.
    no_broker_named: str | None = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"kind": self.kind.value, "name": self.name, "eventId": self.event_id}
        if self.broker_ids is not None:
            described["brokerIds"] = sorted(self.broker_ids)
        if self.nothing_to_do:
            described["nothingToDo"] = self.nothing_to_do
        if self.no_broker_named:
            described["noBrokerNamed"] = self.no_broker_named
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
    return Trigger(TriggerKind.RESYNC, "resync", broker_ids=broker_ids, dry_run=dry_run)


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
        return Trigger(TriggerKind.SWEEP, "Scheduled Event", event_id)
    if source == "aws.health":
        return _health(event, detail, event_id)
    if detail_type == "AWS API Call via CloudTrail" and detail.get("eventSource") == MQ_EVENT_SOURCE:
        return _cloudtrail(event, detail, event_id)
    raise InvalidTrigger(
        f"event {event_id} ({_preview(source)}, {_preview(detail_type)}) is not one this function handles"
    )


def _cloudtrail(event: Mapping[str, Any], detail: Mapping[str, Any], event_id: str | None) -> Trigger:
    name = detail.get("eventName")
    if not isinstance(name, str) or name not in MQ_EVENT_NAMES:
        raise InvalidTrigger(f"event {event_id}: Amazon MQ call {_preview(name)} is not one that moves broker IPs")
    if detail.get("errorCode"):
        return Trigger(
            TriggerKind.EVENT, name, event_id, frozenset(), nothing_to_do=f"the call failed with {detail['errorCode']}"
        )
    sections = [_mapping(detail.get("requestParameters")), _mapping(detail.get("responseElements"))]
    ids = [_decoded(section.get(key)) for section in sections for key in ID_KEYS]
    arns = [_decoded(section.get(key)) for section in sections for key in ARN_KEYS]
    arns += [_decoded(resource) for resource in _list(event.get("resources"))]
    broker_ids = frozenset({i for i in ids if is_broker_id(i)} | set(_broker_ids_in_arns(arns)))
    if broker_ids:
        return Trigger(TriggerKind.EVENT, name, event_id, broker_ids)
    others = sorted({kind for kind in map(_other_mq_resource, arns) if kind})
    if name in ("CreateTags", "DeleteTags") and others:
        return Trigger(
            TriggerKind.EVENT, name, event_id, frozenset(), nothing_to_do=f"the tags are on a {others[0]}, not a broker"
        )
    # Not rejected: the call did change a broker, only its record is not in a
    # shape this function knows. A whole reconcile is what the sweep does anyway.
    return Trigger(
        TriggerKind.EVENT, name, event_id, None, no_broker_named=f"{name} names no broker id the function can read"
    )


def _health(event: Mapping[str, Any], detail: Mapping[str, Any], event_id: str | None) -> Trigger:
    if detail.get("service") != "MQ":
        raise InvalidTrigger(f"event {event_id}: AWS Health event for {_preview(detail.get('service'))}, not MQ")
    entities = [e.get("entityValue") for e in _list(detail.get("affectedEntities")) if isinstance(e, Mapping)]
    named = {*_broker_ids_in_arns(_list(event.get("resources"))), *_broker_ids_in_arns(entities)}
    named |= {e for e in entities if is_broker_id(e)}
    # A health event that names no broker still says something changed: sweep.
    code = detail.get("eventTypeCode")
    name = f"AWS Health {code}" if isinstance(code, str) and len(code) <= MAX_EVENT_ID else "AWS Health"
    return Trigger(TriggerKind.EVENT, name, event_id, frozenset(named) or None)


def _broker_ids_in_arns(values: Iterable[Any]) -> list[str]:
    return [b for b in (broker_id_from_arn(v) for v in values if isinstance(v, str)) if b]


def _decoded(value: Any) -> Any:
    """A path parameter as CloudTrail may log it: `arn%3Aaws%3Amq...` -> `arn:aws:mq...`."""
    return unquote(value) if isinstance(value, str) and "%" in value else value


def _other_mq_resource(value: Any) -> str | None:
    """The resource type of an Amazon MQ ARN that is not a broker's (`configuration`), else None."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "mq" and parts[5] not in ("", "broker"):
        return parts[5] if parts[5].isascii() and parts[5].isalpha() and len(parts[5]) <= 32 else None
    return None


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
