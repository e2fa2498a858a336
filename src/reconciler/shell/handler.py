"""Lambda entry point for every trigger: parse it, reconcile, log and return the report."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from reconciler.core.settings import DEFAULT_NAMESPACE, ConfigurationError, Settings
from reconciler.core.triggers import InvalidTrigger, event_id_of, parse_trigger
from reconciler.run.reconcile import Reconciler
from reconciler.shell.report import report_refusal, report_run
from reconciler.shell.telemetry import publish_run
from reconciler.shell.wiring import build_reconciler

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "mq-static-endpoint")


@functools.cache
def container_reconciler(settings: Settings) -> Reconciler:
    """The container's one reconciler, built when an invocation first needs AWS.

    Creating the clients loads their service models, which would double the
    import time; an invocation refused for bad input never needs them. What
    the reconciler keeps between invocations saves calls (the groups' ports
    and owners, the VPC's subnets) or delays a removal (which broker an
    address was last registered for): every run reads its evidence anew.
    """
    return build_reconciler(settings)


logger = Logger(service=SERVICE)
SETTINGS: Settings | None = None
CONFIGURATION_ERROR: ConfigurationError | None = None
try:
    SETTINGS = Settings.from_environ(os.environ)
except ConfigurationError as error:
    CONFIGURATION_ERROR = error
    logger.error("invalid configuration: every invocation will be refused", variable=error.variable, error=str(error))
metrics = Metrics(namespace=SETTINGS.metrics_namespace if SETTINGS else DEFAULT_NAMESPACE, service=SERVICE)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    event_id = event_id_of(event) if isinstance(event, Mapping) else None
    logger.append_keys(event_id=event_id or context.aws_request_id)
    if SETTINGS is None:
        metrics.add_metric("ReconcileFailures", MetricUnit.Count, 1)
        return _refuse("invalid_configuration", f"invalid configuration: {CONFIGURATION_ERROR}")
    try:
        trigger = parse_trigger(event, region=SETTINGS.region, account=_account_of(context))
    except InvalidTrigger as rejection:
        metrics.add_metric("InputsRejected", MetricUnit.Count, 1)
        return _refuse("rejected", f"rejected input: {rejection}")
    if trigger.nothing_to_do:
        metrics.add_metric("EventsIgnored", MetricUnit.Count, 1)
        report = report_refusal("ok", f"nothing to do: {trigger.nothing_to_do}", trigger)
        logger.info("reconcile report", report=report)
        return report

    outcome = container_reconciler(SETTINGS).run(trigger, remaining_ms=context.get_remaining_time_in_millis)
    publish_run(metrics, outcome, per_broker=SETTINGS.broker_metrics)
    report = report_run(outcome)
    for problem in report["errors"]:
        logger.error("reconcile problem", problem=problem)
    # Never raised: the next sweep retries whatever failed anyway, and Lambda's
    # own retries of a raising run would triple a lasting fault's cost. The
    # status, ReconcileFailures and its alarm make the failure visible.
    log = logger.info if report["status"] == "ok" else logger.error
    log("reconcile report", report=report)
    return report


def _refuse(status: str, message: str) -> dict[str, Any]:
    report = report_refusal(status, message)
    logger.error(message, report=report)
    return report


def _account_of(context: LambdaContext) -> str | None:
    arn = getattr(context, "invoked_function_arn", "") or ""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None
