"""Triggers as the reconciler receives them: EventBridge events and the resync payload.

The CloudTrail events follow the shape EventBridge delivers for management
calls (detail-type "AWS API Call via CloudTrail"). The broker id of Reboot,
Update and Delete, and the ARN of CreateTags/DeleteTags, are URL path
parameters: these helpers put them under the API's names
(requestParameters.brokerId, requestParameters.resourceArn), raw. CloudTrail
may also log them under the path names (`broker-id`, `resource-arn`),
percent-encoded; the reconciler reads every spelling, and `cloudtrail()` takes
any request parameters to build those (events/ holds one sample of each).
"""

import uuid
from datetime import UTC, datetime
from typing import Any

ACCOUNT = "123456789012"


def _envelope(
    source: str, detail_type: str, region: str, detail: dict[str, Any], resources: list[str]
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def scheduled(region: str, rule_arn: str = "") -> dict[str, Any]:
    return _envelope("aws.events", "Scheduled Event", region, {}, [rule_arn] if rule_arn else [])


def cloudtrail(
    region: str,
    event_name: str,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
) -> dict[str, Any]:
    detail = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "accountId": ACCOUNT},
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "amazonmq.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": request,
        "responseElements": response,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    return _envelope("aws.amazonmq", "AWS API Call via CloudTrail", region, detail, [])


def reboot_broker(region: str, broker_id: str) -> dict[str, Any]:
    return cloudtrail(region, "RebootBroker", {"brokerId": broker_id})


def delete_broker(region: str, broker_id: str) -> dict[str, Any]:
    return cloudtrail(region, "DeleteBroker", {"brokerId": broker_id}, {"brokerId": broker_id})


def create_tags(region: str, broker_arn: str, tags: dict[str, str]) -> dict[str, Any]:
    return cloudtrail(region, "CreateTags", {"resourceArn": broker_arn, "tags": tags})


def resync(*, dry_run: bool = False) -> dict[str, Any]:
    return {"action": "resync", "dryRun": dry_run}
