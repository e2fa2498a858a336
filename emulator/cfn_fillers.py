"""Emulator support for CloudFormation: resource types moto's stack engine skips.

moto 5.2.1 logs "No Moto CloudFormation support" and creates nothing for
these types, so a `!Ref` to them resolves to the logical id and the emulated
account lacks what the stack should have built. Each filler creates the
resource from the template's own properties through moto's service backends,
which do support them.
"""

import json
from collections.abc import Callable
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.cloudwatch.models import cloudwatch_backends
from moto.ec2.models import ec2_backends
from moto.sqs.models import sqs_backends


class _Filled:
    """What moto's ResourceMap needs of a created resource."""

    def __init__(self, physical_id: str, delete: Callable[[], None]) -> None:
        self.physical_resource_id = physical_id
        self._delete = delete

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        self._delete()


class _Filler:
    """Creates one resource type; moto's ResourceMap calls create_from_cloudformation_json."""

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> _Filled:
        return cls.create(cloudformation_json["Properties"], resource_name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Filled,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> _Filled:
        """A stack update that changes its properties (an alarm's dimensions): made anew, as the new properties say."""
        original_resource.delete(account_id, region_name)
        return cls.create(cloudformation_json["Properties"], new_resource_name, account_id, region_name)

    @classmethod
    def create(cls, properties: dict[str, Any], resource_name: str, account_id: str, region_name: str) -> _Filled:
        raise NotImplementedError


class PrefixList(_Filler):
    """AWS::EC2::PrefixList: Ref gives the prefix list id (pl-...)."""

    @classmethod
    def create(cls, properties: dict[str, Any], resource_name: str, account_id: str, region_name: str) -> _Filled:
        backend = ec2_backends[account_id][region_name]
        prefix_list = backend.create_managed_prefix_list(
            address_family=properties["AddressFamily"],
            entry=properties.get("Entries") or [],
            max_entries=str(properties["MaxEntries"]),
            prefix_list_name=properties.get("PrefixListName", resource_name),
        )

        def delete() -> None:
            backend.delete_managed_prefix_list(prefix_list.id)

        return _Filled(prefix_list.id, delete)


class Alarm(_Filler):
    """AWS::CloudWatch::Alarm on a single metric: Ref gives the alarm name."""

    @classmethod
    def create(cls, properties: dict[str, Any], resource_name: str, account_id: str, region_name: str) -> _Filled:
        name = properties.get("AlarmName", resource_name)
        backend = cloudwatch_backends[account_id][region_name]
        backend.put_metric_alarm(
            name=name,
            namespace=properties["Namespace"],
            metric_name=properties["MetricName"],
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]),
            threshold=float(properties["Threshold"]),
            statistic=properties["Statistic"],
            description=properties.get("AlarmDescription", ""),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in properties.get("Dimensions") or []],
            alarm_actions=properties.get("AlarmActions") or [],
            datapoints_to_alarm=int(properties["DatapointsToAlarm"]) if "DatapointsToAlarm" in properties else None,
            ok_actions=properties.get("OKActions") or [],
            treat_missing_data=properties.get("TreatMissingData"),
        )
        return _Filled(name, lambda: backend.delete_alarms([name]))


class QueuePolicy(_Filler):
    """AWS::SQS::QueuePolicy: the policy becomes each queue's Policy attribute."""

    @classmethod
    def create(cls, properties: dict[str, Any], resource_name: str, account_id: str, region_name: str) -> _Filled:
        backend = sqs_backends[account_id][region_name]
        names = [url.rstrip("/").rsplit("/", 1)[-1] for url in properties["Queues"]]

        def set_policy(policy: str) -> None:
            for name in names:
                backend.set_queue_attributes(name, {"Policy": policy})

        set_policy(json.dumps(properties["PolicyDocument"]))
        return _Filled(resource_name, lambda: set_policy(""))


class EventInvokeConfig(_Filler):
    """AWS::Lambda::EventInvokeConfig: retries and maximum event age of async invokes."""

    @classmethod
    def create(cls, properties: dict[str, Any], resource_name: str, account_id: str, region_name: str) -> _Filled:
        properties = dict(properties)
        function_name = properties.pop("FunctionName")
        properties.pop("Qualifier", None)
        config = {k: int(v) if k.startswith("Maximum") else v for k, v in properties.items()}
        backend = lambda_backends[account_id][region_name]
        backend.put_function_event_invoke_config(function_name, config)
        return _Filled(resource_name, lambda: backend.delete_function_event_invoke_config(function_name))


FILLERS: dict[str, type[_Filler]] = {
    "AWS::EC2::PrefixList": PrefixList,
    "AWS::CloudWatch::Alarm": Alarm,
    "AWS::SQS::QueuePolicy": QueuePolicy,
    "AWS::Lambda::EventInvokeConfig": EventInvokeConfig,
}
