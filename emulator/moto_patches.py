"""Every change the emulator makes to moto's code (and to botocore's and the socket module's), in one place.

Each patch is a function that takes moto's original attribute and returns its
replacement. Its docstring says what moto 5.2.1 does, what AWS does and where
that is written, and what the replacement does. The replacement is a hook: the
behaviour it brings (what a broker holds, which faults are armed, how long a
listing lags) lives in the module it calls, which a test can read without
knowing moto's internals.

EmulatedAws installs PATCHES, in their order, on entering and undoes them in
reverse on leaving (_patching.Patch: reference-counted, so nested blocks are
safe). Where two patches wrap one attribute the later wraps the earlier: an
injected fault is recorded as a call served (a throttled call counts against
the budget), and a killed run's request is refused before a network fault can
take it. Three patches only switch a feature on, and pass moto's answer
through while it is off: recording the calls served (api_calls), serving a
function in-process (lambda_invoke), refusing a killed run's requests
(lambda_timeout).

Seven of the ten CloudFormation patches call cloudformation.py or cfn_fillers.py,
three of those through the one CloudFormation evaluator (cfn_evaluator.py,
which the template tests read the template through); the other three (JSON
first, previous defaults, AWS::NoValue in lists) are a line or two, written in
place.
"""

import json
import socket
import sys
import time
from collections.abc import Callable, Iterator
from threading import Lock
from typing import Any

from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.httpsession import URLLib3Session
from botocore.loaders import Loader
from moto.awslambda.models import LambdaBackend
from moto.awslambda.responses import LambdaResponse
from moto.cloudformation import parsing
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult, BaseResponse
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend
from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.models.subnets import Subnet
from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
from moto.ec2.responses.vpcs import VPCs
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeListener, FakeLoadBalancer, FakeTargetGroup
from moto.mq.models import MQBackend
from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend
from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse

from . import (
    api_calls,
    cfn_fillers,
    cloudformation,
    dns,
    faults,
    interfaces,
    lambda_invoke,
    lambda_timeout,
    listing_lag,
    mq_brokers,
    tagging,
    target_health,
    target_registration,
)
from ._patching import Patch

# --- DNS ----------------------------------------------------------------------------------


def answering_aws_names(original: Callable[..., Any]) -> Callable[..., Any]:
    """socket.getaddrinfo: moto intercepts AWS's HTTP calls, not its names, which would reach a real resolver.
    AWS's DNS resolves a private RabbitMQ broker's hostname to its VPC endpoint's addresses (AWS's RabbitMQ samples
    register what `dig` returns; docs/rabbitmq.md). This answers every AWS name from the emulated account
    (dns), NXDOMAIN for the unknown ones, and leaves every other name to the system."""

    def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if not isinstance(name, str) or not dns.is_aws_name(name):
            return original(host, port, family, type, proto, flags)
        return dns.address_info(name, port, family, type, proto)

    return getaddrinfo


# --- Amazon MQ ----------------------------------------------------------------------------


def releasing_what_brokers_hold(original: Callable[[MQBackend, str], None]) -> Callable[[MQBackend, str], None]:
    """MQBackend.delete_broker: moto 5.2.1 forgets the broker only. AWS deletes the network interfaces and the VPC
    endpoint Amazon MQ made for it (docs/sources.md, Amazon MQ; docs/rabbitmq.md). This frees
    them too, from any client (the AWS CLI against the server as well)."""

    def delete_broker(self: MQBackend, broker_id: str) -> None:
        broker = self.brokers.get(broker_id)
        if broker is not None:
            mq_brokers.release(broker)
        original(self, broker_id)

    return delete_broker


# --- EC2 ----------------------------------------------------------------------------------


def ipv6_associations_as_aws_renders_them(original: Any) -> property:
    """Subnet.ipv6_cidr_block_association_set: moto 5.2.1 renders each association's state as the text of a dict
    (`Ipv6CidrBlockState.State` "{'State': 'associated'}"). AWS answers `associated` (EC2 API reference, Subnet). This
    renders the associated blocks as AWS does."""

    def ipv6_cidr_block_association_set(self: Subnet) -> list[dict[str, Any]]:
        return [
            {
                "ipv6CidrBlock": association["ipv6CidrBlock"],
                "associationId": association["associationId"],
                "ipv6CidrBlockState": {"state": association["ipv6CidrBlockState"]["State"]},
            }
            for association in self.ipv6_cidr_block_associations.values()
            if association["ipv6CidrBlockState"]["State"] == "associated"
        ]

    return property(ipv6_cidr_block_association_set)


def filtering_on_the_instance_owner(original: Callable[..., Any]) -> Callable[..., Any]:
    """NetworkInterface.get_filter_value: moto 5.2.1 answers the filter `attachment.instance-owner-id` with the
    interface's owner. AWS answers with the owner of the instance it is attached to (EC2 API reference,
    DescribeNetworkInterfaces, Filters). This answers as AWS does: Amazon MQ's account for a broker's interface."""

    def get_filter_value(self: NetworkInterface, filter_name: str, method_name: str | None = None) -> Any:
        if filter_name == "attachment.instance-owner-id":
            return self.instance.owner_id if self.instance else None
        return original(self, filter_name, method_name)

    return get_filter_value


def refusing_addresses_in_use(original: Callable[..., NetworkInterface]) -> Callable[..., NetworkInterface]:
    """NetworkInterfaceBackend.create_network_interface: moto 5.2.1 lets a second interface take an address in use.
    AWS refuses it: an address is held by one interface at a time (EC2 API error codes, InvalidIPAddress.InUse).
    This refuses it so."""

    def create_network_interface(
        self: NetworkInterfaceBackend, subnet: Any, private_ip_address: Any, *args: Any, **kwargs: Any
    ) -> NetworkInterface:
        if isinstance(private_ip_address, str) and private_ip_address:
            # get_subnet is EC2Backend's, whose mixin the interface backend is: moto 5.2.1 does not type it here.
            found = self.get_subnet(subnet) if isinstance(subnet, str) else subnet  # type: ignore[attr-defined]
            vpc_id = found.vpc_id
            if interfaces.addresses(self, vpc_id).get(private_ip_address) is not None:
                raise EC2ClientError("InvalidIPAddress.InUse", f"Address {private_ip_address} is in use.")
        return original(self, subnet, private_ip_address, *args, **kwargs)

    return create_network_interface


def _paged(original: Callable[[Any], ActionResult], paging: interfaces.Paging) -> Callable[[Any], ActionResult]:
    def describe(self: Any) -> ActionResult:
        page = paging.page(self)
        return original(self) if page is None else page

    return describe


def paging_network_interfaces(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """DescribeNetworkInterfaces: moto 5.2.1 ignores MaxResults and NextToken and returns everything, which would hide
    a reader of page one only. AWS pages: MaxResults 5 to 1000, refused together with NetworkInterfaceIds (EC2 API
    reference). This answers a page at a time (interfaces.Paging); without MaxResults or NextToken moto's whole answer
    stands, as AWS, too, returns a small result whole."""
    return _paged(original, interfaces.NETWORK_INTERFACES)


def paging_vpc_endpoints(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """DescribeVpcEndpoints: moto 5.2.1 ignores MaxResults and NextToken. AWS pages; MaxResults above 1,000 returns
    1,000 (EC2 API reference). This answers a page at a time (interfaces.Paging)."""
    return _paged(original, interfaces.VPC_ENDPOINTS)


def hiding_new_interfaces(original: Callable[..., NetworkInterface]) -> Callable[..., NetworkInterface]:
    """NetworkInterfaceBackend.create_network_interface: moto 5.2.1 lists a new interface at once. On AWS, EC2's
    Describe calls are eventually consistent ("Eventual consistency in the Amazon EC2 API"). While a lag is on, this
    hides the new interface from the listing (listing_lag)."""

    def create_network_interface(self: NetworkInterfaceBackend, *args: Any, **kwargs: Any) -> NetworkInterface:
        eni = original(self, *args, **kwargs)
        listing_lag.created(self, eni)
        return eni

    return create_network_interface


def listing_deleted_interfaces(original: Callable[..., None]) -> Callable[..., None]:
    """NetworkInterfaceBackend.delete_network_interface: moto 5.2.1 stops listing a deleted interface at once. On AWS,
    EC2's listing may still show it for a while (as above). While a lag is on, this keeps it listed, as it was
    (listing_lag)."""

    def delete_network_interface(self: NetworkInterfaceBackend, eni_id: str) -> None:
        eni = self.enis.get(eni_id)
        original(self, eni_id)
        if eni is not None:
            listing_lag.deleted(self, eni)

    return delete_network_interface


def lagging_listing(original: Callable[..., list[NetworkInterface]]) -> Callable[..., list[NetworkInterface]]:
    """NetworkInterfaceBackend.get_all_network_interfaces, which serves DescribeNetworkInterfaces: moto 5.2.1's
    listing is always current; on AWS it may lag (as above). While a lag is on, this lists what the lag shows instead
    (listing_lag), and a hidden interface asked for by id is not found, as EC2 may answer right after a create."""

    def get_all_network_interfaces(
        self: NetworkInterfaceBackend, eni_ids: list[str] | None = None, filters: Any = None
    ) -> list[NetworkInterface]:
        lag = listing_lag.lag_of(self)
        if lag is None:
            return original(self, eni_ids, filters)
        return listing_lag.listed(lag, list(self.enis.values()), eni_ids, filters)

    return get_all_network_interfaces


# --- Resource Groups Tagging API ------------------------------------------------------------


def listing_mq_brokers(original: Callable[..., Iterator[dict[str, Any]]]) -> Callable[..., Iterator[dict[str, Any]]]:
    """ResourceGroupsTaggingAPIBackend._get_resources_generator: moto 5.2.1's GetResources knows nothing of Amazon
    MQ and lists no broker. AWS lists tagged brokers (resource type mq:broker), eventually consistently. This
    appends the brokers (tagging: live, or as a lag's snapshot has them) to what GetResources pages over, so that
    ResourcesPerPage and PaginationToken work unchanged."""

    def _get_resources_generator(
        self: ResourceGroupsTaggingAPIBackend,
        tag_filters: list[dict[str, Any]] | None = None,
        resource_type_filters: list[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        yield from original(self, tag_filters=tag_filters, resource_type_filters=resource_type_filters)
        yield from tagging.brokers_listed(
            self.account_id, self.region_name, tag_filters or [], resource_type_filters or []
        )

    return _get_resources_generator


def paging_by_resources(_original: Callable[..., str]) -> Callable[..., str]:
    """GetResources: moto 5.2.1 ends every page one resource short of 100 tags, TagsPerPage given or not (100
    one-tag brokers took two pages of ResourcesPerPage=100). AWS pages by ResourcesPerPage, and recommends it over
    TagsPerPage (Resource Groups Tagging API reference). This caps tags only when the request asks, and then up to
    the cap."""

    def get_resources(self: ResourceGroupsTaggingAPIResponse) -> str:
        tags_per_page = self._get_int_param("TagsPerPage")
        token, mappings = self.backend.get_resources(
            pagination_token=self._get_param("PaginationToken"),
            tag_filters=self._get_param("TagFilters", []),
            resources_per_page=self._get_int_param("ResourcesPerPage", 50),
            # moto stops a page before the tag count reaches this number.
            tags_per_page=tags_per_page + 1 if tags_per_page else sys.maxsize,
            resource_type_filters=self._get_param("ResourceTypeFilters", []),
        )
        return json.dumps({"ResourceTagMappingList": mappings, "PaginationToken": token})

    return get_resources


# --- Elastic Load Balancing -----------------------------------------------------------------


def health_as_the_nlb_checks_it(original: Callable[..., FakeHealthStatus]) -> Callable[..., FakeHealthStatus]:
    """FakeTargetGroup.health_for: moto 5.2.1 reports every registered target `healthy`. On AWS an NLB health-checking
    the console port finds the standby of an active/standby broker `unhealthy`, an address no broker serves timed out,
    a group no listener uses `unused` (ELB API reference, TargetHealth), a new target `initial` for a while. This
    answers so for IP targets from the brokers moto holds, or with the state a test forced (target_health)."""

    def health_for(self: FakeTargetGroup, target: dict[str, Any], ec2_backend: EC2Backend) -> FakeHealthStatus:
        forced = target_health.forced_health(self, target)
        if forced is not None:
            return forced
        return target_health.checked_health(self, target, ec2_backend, original(self, target, ec2_backend))

    return health_for


def listing_forced_targets(original: Callable[..., list[FakeHealthStatus]]) -> Callable[..., list[FakeHealthStatus]]:
    """ELBv2Backend.describe_target_health: moto 5.2.1 lists the registered targets only. AWS lists a deregistered
    target while it drains (ELB API reference, TargetHealth: draining). Without Targets, this also lists the targets
    a test forced into a state though moto no longer holds them, and works out the brokers' roles once per call."""

    def describe_target_health(
        self: ELBv2Backend, target_group_arn: str, targets: list[dict[str, Any]]
    ) -> list[FakeHealthStatus]:
        with target_health.one_description():
            statuses = original(self, target_group_arn, targets)
            if targets:
                return statuses
            return statuses + target_health.forced_unlisted(
                self.target_groups[target_group_arn], statuses, self.ec2_backend
            )

    return describe_target_health


def registration_ends_forced_states(original: Callable[..., None]) -> Callable[..., None]:
    """FakeTargetGroup.register and deregister: moto 5.2.1 knows no forced states. On AWS a target's state follows
    its registration: registering a draining target again brings it back into service. This ends the state a test
    forced on the targets (target_health)."""

    def change_registration(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
        original(self, targets)
        target_health.forget_forced(self, targets)

    return change_registration


def registration_starts_health_checks(original: Callable[..., None]) -> Callable[..., None]:
    """FakeTargetGroup.register: moto 5.2.1 reports a new target's health at once. An NLB's target is `initial`
    until its first health checks pass (two 10 s intervals by default; minutes on AWS, docs/sources.md). This starts
    that wait for the targets new to the group (target_health.health_checks_take)."""

    def register(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
        new = [t["Id"] for t in targets if t["Id"] not in self.targets]
        original(self, targets)
        target_health.first_checks_start(self, new)

    return register


def refusing_bad_targets(original: Callable[..., None]) -> Callable[..., None]:
    """ELBv2Backend.register_targets: moto 5.2.1 registers any Id in an IP target group, and any number. AWS refuses
    the whole call for an address outside the VPC's subnets without AvailabilityZone all, `all` for one inside
    (aws-load-balancer-controller issues 561, 3084, 3714), an address that is not private, or a group past its 1,000
    targets (TooManyTargets; Elastic Load Balancing quotas). This refuses as AWS does (target_registration)."""

    def register_targets(self: ELBv2Backend, target_group_arn: str, instances: list[Any]) -> None:
        target_registration.refuse_bad_targets(self, target_group_arn, instances)
        original(self, target_group_arn, instances)

    return register_targets


_NETWORK_ONLY = frozenset({"TLS", "UDP", "TCP_UDP"})


def accepting_network_protocols(original: Callable[..., FakeListener]) -> Callable[..., FakeListener]:
    """ELBv2Backend.modify_listener: moto 5.2.1 refuses every protocol but HTTP, HTTPS and TCP (UnsupportedProtocol),
    so a stack update of a TLS listener's default action (the cutover's switch) fails. AWS accepts TLS, UDP and
    TCP_UDP on a network load balancer (ELB API reference, ModifyListener, Protocol). This lets moto make the rest
    of the change and sets the protocol itself."""

    def modify_listener(
        self: ELBv2Backend, arn: str, port: Any = None, protocol: str | None = None, *args: Any, **kwargs: Any
    ) -> FakeListener:
        if protocol not in _NETWORK_ONLY:
            return original(self, arn, port, protocol, *args, **kwargs)
        listener = original(self, arn, port, None, *args, **kwargs)
        listener.protocol = protocol
        return listener

    return modify_listener


# --- botocore -------------------------------------------------------------------------------

_models: dict[tuple[tuple[str, ...], str], Any] = {}
_models_lock = Lock()


def parsing_models_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """botocore's Loader.load_data_with_path (speed only; no AWS behaviour): every boto3 session parses the JSON
    service models anew, EC2's megabytes included, and each cold start of the function in-process builds new
    sessions (a cutover's three stack updates spent 3.5 s of 10 parsing). The files do not change in a process: this
    parses each once. Nothing measured goes through it: the bench's cold start runs in a process of its own."""

    def load_data_with_path(self: Loader, name: str) -> Any:
        key = (tuple(self.search_paths), name)
        with _models_lock:
            found = _models.get(key)
        if found is None:
            found = original(self, name)
            with _models_lock:
                _models[key] = found
        return found

    return load_data_with_path


# --- faults ---------------------------------------------------------------------------------


def failing_when_due(original: Callable[[BaseResponse], TYPE_RESPONSE]) -> Callable[[BaseResponse], TYPE_RESPONSE]:
    """BaseResponse.call_action, through which moto serves every service: moto 5.2.1 never throttles, never fails a
    read, never answers late. AWS does all three. While a fault is armed (faults), this answers a matching request
    with its AWS error, or late."""

    def call_action(self: BaseResponse) -> TYPE_RESPONSE:
        fault = faults.due_on(self)
        if fault is None:
            return original(self)
        if fault.kind == faults.LATENCY:
            time.sleep(fault.seconds)
            return original(self)
        return faults.error_answer(self, fault)

    return call_action


def failing_on_the_wire(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's BotocoreStubber.__call__, a `before-send` handler of every client of the process: a request always
    reaches moto and its answer always comes back. On AWS a connection can be refused (botocore raises
    EndpointConnectionError) or the answer lost after AWS acted (ReadTimeoutError). While such a fault is armed
    (faults), this fails a matching request so, on the client's side, where a server cannot."""

    def __call__(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        fault = faults.network_fault(event_name, request)
        if fault is None:
            return original(self, event_name, request, **kwargs)
        if fault.kind == faults.CONNECTION_ERROR:
            raise EndpointConnectionError(endpoint_url=request.url, error="injected: connection refused")
        if original(self, event_name, request, **kwargs) is None:
            # Not served in-process: a MotoServer answers over HTTP. Send it
            # there, so that AWS acts on it, and lose the answer.
            URLLib3Session().send(request)
        raise ReadTimeoutError(endpoint_url=request.url, error="injected: read timed out")

    return __call__


# --- features switched on inside an EmulatedAws ------------------------------------------------------


def recording_calls_served(
    original: Callable[[BaseResponse], TYPE_RESPONSE],
) -> Callable[[BaseResponse], TYPE_RESPONSE]:
    """BaseResponse.call_action: moto 5.2.1 counts nothing. AWS counts every request against the account's rates,
    a throttled one and a botocore retry too. This hands each call served, with its status, to every recording open
    (api_calls); with none open it passes moto's answer through."""

    def call_action(self: BaseResponse) -> TYPE_RESPONSE:
        started = time.monotonic()
        status = 500
        try:
            answer = original(self)
            status = int(answer[0])
            return answer
        finally:
            api_calls.served(api_calls.ApiCall(self.boto3_service_name, self._get_action(), started, status))

    return call_action


def running_the_served_function(
    original: Callable[..., str | bytes | None],
) -> Callable[..., str | bytes | None]:
    """LambdaBackend.invoke: moto 5.2.1 runs a function's code in a Docker container, and there is none here. AWS
    runs it and answers as the Lambda API reference's Invoke says. This runs a function served in-process
    (lambda_invoke.serving_function) on its LambdaRuntime, and answers as Lambda does; any other stays moto's."""

    def invoke(
        self: LambdaBackend, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> str | bytes | None:
        served = lambda_invoke.served(function_name)
        if served is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        return served.answer(body, headers, response_headers)

    return invoke


def reading_parameters_of_any_payload(original: Callable[..., Any] | None) -> Callable[..., Any]:
    """LambdaResponse._get_param: moto 5.2.1 looks for Invoke's Qualifier in the JSON body too, and fails (TypeError)
    on a payload that is not an object. On AWS a payload is the function's event, whatever JSON it is; Qualifier is
    in the query string (Lambda API reference, Invoke). This finds no parameter in such a payload."""

    def get_param(self: LambdaResponse, param_name: str, if_none: Any = None) -> Any:
        try:
            return (original or BaseResponse._get_param)(self, param_name, if_none)
        except TypeError:
            return if_none

    return get_param


def refusing_requests_of_killed_runs(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's BotocoreStubber.__call__: moto 5.2.1 serves every request. On AWS, Lambda stops an invocation at its
    Timeout, and nothing of it runs any more (Lambda developer guide, "Troubleshoot invocation issues in Lambda").
    This refuses every request from a thread of a run past its deadline (lambda_timeout), and lets a request already
    sent finish."""

    def __call__(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lambda_timeout.sending_a_request():
            return original(self, event_name, request, **kwargs)

    return __call__


# --- CloudFormation -----------------------------------------------------------------------


def parsing_json_first(original: Callable[[str], Any]) -> Any:
    """Stack.parse_template: moto 5.2.1 parses every body with pure-Python YAML, 1.3 s for this template on each
    create and update. AWS reads JSON or YAML alike. Speed only: a JSON body (what samtranslator gives, and
    `sam deploy` uploads) is read as JSON first."""

    def parse_template(template: str) -> Any:
        try:
            return json.loads(template)
        except ValueError:
            return original(template)

    return staticmethod(parse_template)


def creating_only_what_cloudformation_accepts(original: Callable[..., Any]) -> Callable[..., Any]:
    """CloudFormationBackend.create_stack: moto 5.2.1 creates a stack whatever its parameters. AWS refuses a value
    outside AllowedValues, AllowedPattern or Min/MaxValue, a missing or unknown parameter and a broken Rule before it
    creates anything (ValidationError; CloudFormation user guide, Parameters and Rules). This refuses the same."""

    def create_stack(
        self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        cloudformation.refuse_what_cloudformation_refuses(self, name, template, parameters)
        return original(self, name, template, parameters, *args, **kwargs)

    return create_stack


def updating_only_as_cloudformation_accepts(original: Callable[..., Any]) -> Callable[..., Any]:
    """CloudFormationBackend.update_stack: moto 5.2.1 updates with any parameters. AWS checks an update's parameters
    and Rules as it checks a creation's. This refuses what CloudFormation would, before anything changes."""

    def update_stack(
        self: CloudFormationBackend,
        name: str,
        template: str,
        role_arn: str | None,
        parameters: list[dict[str, Any]],
        tags: dict[str, str] | None,
    ) -> Any:
        stack = self.get_stack(name)
        given = self._resolve_update_parameters(instance=stack, incoming_params=parameters)
        cloudformation.refuse_what_cloudformation_refuses(self, stack.name, template or stack.template, given)
        return original(self, name, template, role_arn, parameters, tags)

    return update_stack


def updating_what_parameters_reach(original: Callable[..., Any]) -> Callable[..., Any]:
    """ResourceMap.build_resource_diff: on a parameter-only update moto 5.2.1 modifies the resources that `Ref` a
    changed parameter, not those reached through a Condition (`!If [GreenIsLive, ...]`). AWS updates every resource
    whose resolved properties change. This adds those, as the CloudFormation evaluator resolves them."""

    def build_resource_diff(
        self: parsing.ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> Any:
        diff = original(self, other_template, parameters)
        if parameters:
            diff["Modify"] += cloudformation.resources_parameters_reach(
                self, other_template, parameters, diff["Modify"]
            )
        return diff

    return build_resource_diff


def keeping_previous_defaults(original: Callable[..., Any]) -> Callable[..., Any]:
    """CloudFormationBackend._resolve_update_parameters: moto 5.2.1 raises KeyError for `UsePreviousValue` of a
    parameter the stack took its default for. AWS keeps that default (what SAM CLI sends for every parameter it is
    not given). This leaves such a parameter to its default."""

    def _resolve_update_parameters(self: Any, instance: Any, incoming_params: list[dict[str, str]]) -> Any:
        given = [
            p for p in incoming_params if not p.get("UsePreviousValue") or p["ParameterKey"] in instance.parameters
        ]
        return original(self, instance, given)

    return _resolve_update_parameters


def dropping_no_value_from_lists(original: Callable[..., Any]) -> Callable[..., Any]:
    """parsing.clean_json: moto 5.2.1 keeps a None where `!If [cond, x, !Ref AWS::NoValue]` stands in a list. AWS
    drops the element (CloudFormation user guide, AWS::NoValue); a None then fails e.g. SecurityGroupIngress. This
    drops it."""

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        cleaned = original(resource_json, resources_map)
        if isinstance(resource_json, list):
            return [item for item in cleaned if item is not None]
        return cleaned

    return clean_json


def building_the_declared_load_balancer(original: Any) -> Any:
    """FakeLoadBalancer.create_from_cloudformation_json: moto 5.2.1 builds an application load balancer (`app/`
    ARN) whatever the Type, and ignores IpAddressType and LoadBalancerAttributes. AWS builds what the resource
    declares (a network load balancer here). This builds the declared one (cloudformation.declared_load_balancer)."""

    def create_from_cloudformation_json(
        cls: type[FakeLoadBalancer],
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeLoadBalancer:
        return cloudformation.declared_load_balancer(resource_name, cloudformation_json, account_id, region_name)

    return classmethod(create_from_cloudformation_json)


def load_balancer_attributes_moto_lacks(original: Callable[..., Any]) -> Callable[..., Any]:
    """FakeLoadBalancer.get_cfn_attribute: moto 5.2.1 raises NotImplementedError for CanonicalHostedZoneID (the Route
    53 alias), LoadBalancerFullName (alarms) and SecurityGroups. AWS returns them (CloudFormation reference,
    AWS::ElasticLoadBalancingV2::LoadBalancer). This answers them, the zone ids from ELB's endpoints page."""

    def get_cfn_attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
        known, value = cloudformation.load_balancer_attribute(self, attribute_name)
        return value if known else original(self, attribute_name)

    return get_cfn_attribute


def target_group_attributes(_: None) -> Callable[..., Any]:
    """FakeTargetGroup.get_cfn_attribute: moto 5.2.1 has no GetAtt for a target group. AWS returns TargetGroupArn,
    TargetGroupName, TargetGroupFullName and LoadBalancerArns (CloudFormation reference). This answers them."""

    def get_cfn_attribute(self: FakeTargetGroup, attribute_name: str) -> Any:
        return cloudformation.target_group_attribute(self, attribute_name)

    return get_cfn_attribute


def creating_the_resources_moto_skips(original: Callable[[str], Any]) -> Callable[[str], Any]:
    """parsing.resource_class_from_type: moto 5.2.1 skips AWS::EC2::PrefixList, AWS::CloudWatch::Alarm,
    AWS::SQS::QueuePolicy and AWS::Lambda::EventInvokeConfig with a warning. AWS creates them. This creates them
    (cfn_fillers)."""

    def resource_class_from_type(resource_type: str) -> Any:
        return cfn_fillers.FILLERS.get(resource_type) or original(resource_type)

    return resource_class_from_type


PATCHES = (
    Patch(socket, "getaddrinfo", answering_aws_names),
    Patch(MQBackend, "delete_broker", releasing_what_brokers_hold),
    Patch(Subnet, "ipv6_cidr_block_association_set", ipv6_associations_as_aws_renders_them),
    Patch(NetworkInterface, "get_filter_value", filtering_on_the_instance_owner),
    Patch(NetworkInterfaceBackend, "create_network_interface", refusing_addresses_in_use),
    Patch(ElasticNetworkInterfaces, "describe_network_interfaces", paging_network_interfaces),
    Patch(VPCs, "describe_vpc_endpoints", paging_vpc_endpoints),
    Patch(NetworkInterfaceBackend, "create_network_interface", hiding_new_interfaces),
    Patch(NetworkInterfaceBackend, "delete_network_interface", listing_deleted_interfaces),
    Patch(NetworkInterfaceBackend, "get_all_network_interfaces", lagging_listing),
    Patch(ResourceGroupsTaggingAPIBackend, "_get_resources_generator", listing_mq_brokers),
    Patch(ResourceGroupsTaggingAPIResponse, "get_resources", paging_by_resources),
    Patch(FakeTargetGroup, "health_for", health_as_the_nlb_checks_it),
    Patch(ELBv2Backend, "describe_target_health", listing_forced_targets),
    Patch(FakeTargetGroup, "register", registration_ends_forced_states),
    Patch(FakeTargetGroup, "register", registration_starts_health_checks),
    Patch(FakeTargetGroup, "deregister", registration_ends_forced_states),
    Patch(ELBv2Backend, "register_targets", refusing_bad_targets),
    Patch(ELBv2Backend, "modify_listener", accepting_network_protocols),
    Patch(Loader, "load_data_with_path", parsing_models_once),
    Patch(Stack, "parse_template", parsing_json_first),
    Patch(CloudFormationBackend, "create_stack", creating_only_what_cloudformation_accepts),
    Patch(CloudFormationBackend, "update_stack", updating_only_as_cloudformation_accepts),
    Patch(parsing.ResourceMap, "build_resource_diff", updating_what_parameters_reach),
    Patch(CloudFormationBackend, "_resolve_update_parameters", keeping_previous_defaults),
    Patch(parsing, "clean_json", dropping_no_value_from_lists),
    Patch(FakeLoadBalancer, "create_from_cloudformation_json", building_the_declared_load_balancer),
    Patch(FakeLoadBalancer, "get_cfn_attribute", load_balancer_attributes_moto_lacks),
    Patch(FakeTargetGroup, "get_cfn_attribute", target_group_attributes),
    Patch(parsing, "resource_class_from_type", creating_the_resources_moto_skips),
    Patch(BaseResponse, "call_action", failing_when_due),
    Patch(BotocoreStubber, "__call__", failing_on_the_wire),
    Patch(BaseResponse, "call_action", recording_calls_served),
    Patch(LambdaBackend, "invoke", running_the_served_function),
    Patch(LambdaResponse, "_get_param", reading_parameters_of_any_payload),
    Patch(BotocoreStubber, "__call__", refusing_requests_of_killed_runs),
)
