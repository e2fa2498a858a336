"""A Lambda function for the timeout tests: it works for as long as the event says, writing an EC2 tag at each step.

Each step tags the VPC `step=<n>` through boto3 (from the handler's thread, or
from ThreadPoolExecutor workers), logs a line and an EMF metric, so that a test
sees on the emulated AWS state what ran, and until when.
"""

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

# Set at import: a new value means a new execution environment (a cold start).
CONTAINER = str(uuid.uuid4())
print(json.dumps({"message": "cold start", "container": CONTAINER}))
# Made at import, as functions do, so that its model loads outside the invocation's time.
EC2 = boto3.client("ec2", region_name=os.environ["REGION"])


def _tag(vpc_id: str, key: str, value: int) -> None:
    EC2.create_tags(Resources=[vpc_id], Tags=[{"Key": key, "Value": str(value)}])


def _steps(vpc_id: str, key: str, seconds: float, pause: float, swallow: bool) -> int:
    started, step = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        step += 1
        try:
            _tag(vpc_id, key, step)
        except BaseException:  # noqa: BLE001 - a function that swallows even Lambda's kill, to show it changes nothing
            if not swallow:
                raise
        print(json.dumps({"message": "step", "step": step}))
        print(
            json.dumps(
                {
                    "_aws": {
                        "CloudWatchMetrics": [{"Namespace": "t", "Dimensions": [[]], "Metrics": [{"Name": "Steps"}]}]
                    },
                    "Steps": step,
                }
            )
        )
        time.sleep(pause)
    return step


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    remaining_ms = context.get_remaining_time_in_millis()
    seconds, pause, vpc_id = float(event["seconds"]), float(event.get("pause", 0.02)), event["vpc_id"]
    swallow = bool(event.get("swallow", False))
    if event.get("workers"):
        with ThreadPoolExecutor(max_workers=2) as pool:
            steps = sum(pool.map(lambda key: _steps(vpc_id, key, seconds, pause, swallow), ["worker-1", "worker-2"]))
    else:
        steps = _steps(vpc_id, "step", seconds, pause, swallow)
    return {"steps": steps, "container": CONTAINER, "remaining_ms_at_start": remaining_ms}
