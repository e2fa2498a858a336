"""boto3 clients with the retry behaviour a controller needs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


@dataclass(frozen=True)
class AwsClients:
    mq: Any
    elbv2: Any
    tagging: Any
    ec2: Any


def create_clients(region: str, *, pool_size: int, session: boto3.session.Session | None = None) -> AwsClients:
    """The reconciler's clients; `session` carries someone else's credentials (the operator's CLI, a --profile)."""
    # Standard mode: retries with jittered backoff, nothing more. Adaptive mode
    # adds a client-side rate limiter that drops to about 0.5 requests/s after
    # throttling; under our own token bucket a 120-broker sweep then took 77 s
    # instead of 17 s (docs/sources.md, Amazon MQ). AWS_RETRY_MODE and
    # AWS_MAX_ATTEMPTS (botocore's own variables) still override.
    config = Config(
        region_name=region,
        retries={"mode": os.environ.get("AWS_RETRY_MODE", "standard")},
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=pool_size,
    )
    session = session or boto3.session.Session()
    return AwsClients(
        mq=session.client("mq", config=config),
        elbv2=session.client("elbv2", config=config),
        tagging=session.client("resourcegroupstaggingapi", config=config),
        ec2=session.client("ec2", config=config),
    )


def describe_error(error: Exception) -> str:
    """`Code: message` of an AWS error, for reports and logs."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    return f"{type(error).__name__}: {error}"
