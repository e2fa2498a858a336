"""EmulatedAws: moto taught what it lacks for this project, and a small world built on it.

Works inside moto's mock_aws() and against a ThreadedMotoServer in the same
process (see server.MotoServer): the patches (moto_patches) change moto's
in-process backends, which both serve. Every API call it makes goes through boto3, so
what it builds is what the reconciler will read.
"""

import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
from moto.cloudformation.models import cloudformation_backends
from moto.core.models import botocore_stubber
from moto.ec2.models import EC2Backend, ec2_backends
from moto.elbv2.models import FakeTargetGroup, elbv2_backends
from moto.mq.models import Broker, MQBackend, mq_backends

from . import (
    dns,
    faults,
    interfaces,
    listeners,
    listing_lag,
    mq_brokers,
    network,
    public_parameters,
    tagging,
    target_health,
    target_registration,
    vpc_endpoints,
)
from .faults import Fault
from .moto_patches import PATCHES
from .network import Subnet, Vpc, add_private_subnet, build_vpc, free_ip

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# One boto3 session for every EmulatedAws: it caches the service models, whose
# loading (EC2's is megabytes of JSON) would otherwise cost each test ~0.3 s.
# Endpoint and region are still read from the environment for every client.
_session: boto3.session.Session | None = None


def _shared_session() -> boto3.session.Session:
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def _assert_emulated() -> None:
    """Refuse to run unless every boto3 call will land in moto."""
    if botocore_stubber.enabled:
        return
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if urlparse(endpoint).hostname in _LOCAL_HOSTS:
        return
    raise RuntimeError(
        "EmulatedAws needs moto: run it inside moto.mock_aws() or with AWS_ENDPOINT_URL "
        "pointing at a local moto server (emulator.MotoServer); it never talks to AWS."
    )


class EmulatedAws:
    def __init__(self, region: str = "eu-west-1", seed: int | None = None) -> None:
        self.region = region
        # A seed makes ids and IPs repeat from run to run (the demo's tables).
        self._rng = random.Random(seed)
        self._issued_ips: set[str] = set()
        self._vpc: Vpc | None = None
        self._clients: dict[str, Any] = {}
        self._tag_listing_lags = False
        # The DNS AWS names resolve in while this EmulatedAws is open (getaddrinfo included).
        self.resolver = dns.EmulatedDns(region)

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> "EmulatedAws":
        _assert_emulated()
        for patch in PATCHES:
            patch.install()
        self._vpc = build_vpc(self.client("ec2"), self.region)
        return self

    def __exit__(self, *exc_info: object) -> None:
        faults.clear()
        dns.restore()
        self.tag_listing_catches_up()
        for patch in reversed(PATCHES):
            patch.uninstall()

    def client(self, service: str) -> Any:
        """A boto3 client of the emulated account (cached: build clients after entering)."""
        if service not in self._clients:
            self._clients[service] = _shared_session().client(service, region_name=self.region)
        return self._clients[service]

    # -- network -----------------------------------------------------------

    @property
    def vpc(self) -> Vpc:
        if self._vpc is None:
            raise RuntimeError("use EmulatedAws as a context manager: `with EmulatedAws() as aws:`")
        return self._vpc

    @property
    def vpc_id(self) -> str:
        return self.vpc.id

    @property
    def private_subnets(self) -> list[str]:
        return [s.id for s in self.vpc.private_subnets]

    @property
    def public_subnets(self) -> list[str]:
        return [s.id for s in self.vpc.public_subnets]

    def add_ipv6_subnet(self, *, dual_stack: bool = False) -> str:
        """An IPv6-only subnet in the VPC (no CidrBlock, Ipv6Native), or a dual-stack one; its id.

        The VPC gets an Amazon-provided IPv6 block the first time.
        """
        return network.add_ipv6_subnet(self.client("ec2"), self.region, self.vpc, dual_stack=dual_stack)

    def create_other_vpc(self, name: str = "other") -> Vpc:
        """Another VPC of the account, laid out like the main one: its ranges (and subnets' ranges) are the same.

        Brokers created on its subnets get their interfaces there; addresses
        the main VPC uses may be held there too (EC2 keeps them unique per VPC).
        """
        return build_vpc(self.client("ec2"), self.region, name)

    def add_private_subnet(self) -> str:
        """One more private subnet, in the region's next Availability Zone (a RabbitMQ cluster spans three); its id."""
        subnet = add_private_subnet(self.client("ec2"), self.region, self.vpc)
        return subnet.id

    def create_interface(self, ip: str, subnet_id: str | None = None, description: str = "") -> str:
        """A network interface holding `ip` that no broker owns (a user's, with any description); returns its id.

        As CreateNetworkInterface makes it: detached ("available", no
        Attachment), unlike a broker's, which is attached to an instance of
        Amazon MQ's account.

        subnet_id: None picks the VPC subnet whose range holds the address.
        """
        ec2 = self._ec2()
        subnet = interfaces.subnet_holding(
            ec2, ip, [subnet_id] if subnet_id else interfaces.vpc_subnet_ids(ec2, self.vpc_id)
        )
        if ip in self._held(subnet.vpc_id):
            raise interfaces.AddressInUse(f"{ip} is held already in {subnet.vpc_id}")
        self._issued_ips.add(ip)
        return str(interfaces.create(ec2, subnet, ip, description).id)

    def lag_interfaces(
        self,
        *,
        hide_new: bool = True,
        keep_deleted: bool = True,
        listings: listing_lag.Bound = None,
        seconds: listing_lag.Bound = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """DescribeNetworkInterfaces lags from now on, as EC2's eventual consistency allows (listing_lag).

        hide_new: interfaces created from now on are not listed yet; keep_deleted:
        those deleted are still listed, with their old address. Each stays so
        until ec2_catch_up(), or for `listings` listings (one per call, that is
        per page) or `seconds` on `clock`, whichever ends first: a number, or a
        (low, high) range each interface draws its own from, with `seed`.
        """
        listing_lag.start(
            self._ec2(),
            hide_new=hide_new,
            keep_deleted=keep_deleted,
            listings=listings,
            seconds=seconds,
            seed=seed,
            clock=clock,
        )

    def ec2_catch_up(self) -> None:
        """DescribeNetworkInterfaces is current again: every interface hidden shows, every deleted one goes."""
        listing_lag.catch_up(self._ec2())

    @contextmanager
    def ec2_lag(self, *, hide_new: bool = True, keep_deleted: bool = True) -> Iterator[None]:
        """`with aws.ec2_lag():` the listing lags behind whatever the block
        creates and deletes, and catches up after it."""
        self.lag_interfaces(hide_new=hide_new, keep_deleted=keep_deleted)
        try:
            yield
        finally:
            self.ec2_catch_up()

    def free_address_in_subnet_of(self, ip: str) -> str:
        """An address of the subnet holding `ip` that nothing holds and the emulator never handed out."""
        ec2 = self._ec2()
        subnet = interfaces.subnet_holding(ec2, ip, interfaces.vpc_subnet_ids(ec2, self.vpc_id))
        (address,) = self._allocate([subnet.id])
        return address

    # -- Amazon MQ ---------------------------------------------------------

    def create_broker(
        self,
        name: str,
        deployment_mode: str | None = None,
        tags: dict[str, str] | None = None,
        subnet_ids: list[str] | None = None,
        interface_description: str | None = mq_brokers.INTERFACE_DESCRIPTION,
        *,
        engine: str = "ACTIVEMQ",
        endpoint_tagged: bool = True,
        publicly_accessible: bool = False,
    ) -> str:
        """Create a RUNNING broker through the MQ API; return its `b-<uuid4>` id.

        ActiveMQ (default ACTIVE_STANDBY_MULTI_AZ): its instances get free IPs
        from its subnets, one per AZ for active/standby (the active one
        first), one for a single instance, each held by a network interface
        described by `interface_description` ({broker_id} in it); None: no
        interfaces (Amazon MQ has not made them yet).
        RABBITMQ (default SINGLE_INSTANCE, one subnet; CLUSTER_MULTI_AZ takes
        1 to 3, every private subnet by default): no instance IP; one VPC
        endpoint with an interface per subnet on a free address, tagged
        AMQManaged=true and, unless `endpoint_tagged` is False, Broker=<id>;
        a publicly accessible one has neither subnets nor endpoint.
        """
        rabbitmq = engine.upper() == "RABBITMQ"
        deployment_mode = deployment_mode or ("SINGLE_INSTANCE" if rabbitmq else "ACTIVE_STANDBY_MULTI_AZ")
        subnet_ids = [] if publicly_accessible else subnet_ids or self._default_subnets(rabbitmq, deployment_mode)
        if (
            rabbitmq
            and not publicly_accessible
            and not 1 <= len(subnet_ids) <= (3 if deployment_mode == "CLUSTER_MULTI_AZ" else 1)
        ):
            raise ValueError(
                f"a private RabbitMQ {deployment_mode} broker takes "
                f"{'1 to 3 subnets' if deployment_mode == 'CLUSTER_MULTI_AZ' else 'one subnet'}"
            )
        created = self.client("mq").create_broker(
            BrokerName=name,
            DeploymentMode=deployment_mode,
            EngineType=engine.upper(),
            EngineVersion="3.13" if rabbitmq else "5.18",
            HostInstanceType="mq.m5.large",
            PubliclyAccessible=publicly_accessible,
            AutoMinorVersionUpgrade=True,
            SubnetIds=subnet_ids,
            SecurityGroups=[],
            Users=[{"Username": "admin", "Password": "emulated-password"}],
            Tags=tags or {},
        )
        backend = mq_brokers.backend_for_arn(created["BrokerArn"])
        broker_id = f"b-{uuid.UUID(int=self._rng.getrandbits(128), version=4)}"
        broker = mq_brokers.rekey(backend, created["BrokerId"], broker_id, name)
        if not rabbitmq:
            mq_brokers.set_state(broker, self.region, "RUNNING", self._allocate(subnet_ids))
            mq_brokers.describe_interfaces_as(broker, interface_description)
            return broker_id
        mq_brokers.set_state(broker, self.region, "RUNNING", [])
        if not publicly_accessible:
            vpc_endpoints.create(self._ec2(), broker, self._allocate(subnet_ids), tagged=endpoint_tagged)
        return broker_id

    def find_broker(self, name_or_id: str) -> str:
        """The id of the broker with this id or name (KeyError: none; ValueError: the name is not unique)."""
        brokers = [b for backend in self._mq_backends() for b in backend.brokers.values()]
        found = [b.id for b in brokers if name_or_id in (b.id, b.name)]
        if not found:
            raise KeyError(f"no broker named or with id {name_or_id!r} in the emulator")
        if len(found) > 1:
            raise ValueError(f"{len(found)} brokers are named {name_or_id!r}: give its id")
        return str(found[0])

    def brokers(self) -> list[dict[str, Any]]:
        """Every broker: name, id, state, the IPs DescribeBroker reports and those its interfaces hold."""
        return [
            {
                "name": b.name,
                "id": b.id,
                "state": b.state,
                "reported": mq_brokers.reported_ips(b),
                "held": mq_brokers.held_ips(b),
            }
            for backend in self._mq_backends()
            for b in backend.brokers.values()
        ]

    def _default_subnets(self, rabbitmq: bool, deployment_mode: str) -> list[str]:
        if deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" or (rabbitmq and deployment_mode == "CLUSTER_MULTI_AZ"):
            return self.private_subnets[: 3 if rabbitmq else 2]
        return self.private_subnets[:1]

    def broker_arn(self, broker_id: str) -> str:
        return self._broker(broker_id).arn

    def broker_ips(self, broker_id: str) -> list[str]:
        """The instance IPs DescribeBroker reports now, active first."""
        return mq_brokers.reported_ips(self._broker(broker_id))

    def change_broker_ips(self, broker_id: str, ips: list[str] | None = None) -> list[str]:
        """The broker's instances come back (reboot, maintenance, replacement) on other addresses of the same subnets.

        ips=None: new addresses nothing ever held. Else exactly these, one per
        instance, active first: each must be in one of the broker's subnets and
        free (AddressInUse otherwise), as EC2 may hand out a freed one again.
        Its interfaces follow: the old ones are deleted, new ones hold the new IPs.
        """
        broker = self._broker(broker_id)
        if vpc_endpoints.is_rabbitmq(broker):
            raise ValueError(
                f"{broker_id} is a RabbitMQ broker: its addresses are its endpoint's (change_endpoint_ips)"
            )
        instances = len(mq_brokers.held_ips(broker)) or 1
        if ips is None:
            ips = self._allocate(broker.subnet_ids[:instances])
        elif len(ips) != instances:
            raise ValueError(f"broker {broker_id} has {instances} instance(s), got addresses {ips}")
        mq_brokers.hold(broker, self.region, list(ips))
        self._issued_ips.update(ips)
        return list(ips)

    def broker_interfaces(self, broker_id: str) -> list[dict[str, Any]]:
        """The broker's network interfaces as DescribeNetworkInterfaces returns them, in instance order."""
        ids = mq_brokers.interface_ids(self._broker(broker_id))
        if not ids:
            return []
        described = self.client("ec2").describe_network_interfaces(NetworkInterfaceIds=ids)["NetworkInterfaces"]
        return sorted(described, key=lambda eni: ids.index(eni["NetworkInterfaceId"]))

    # -- Amazon MQ for RabbitMQ: the broker's VPC endpoint ---------------------

    def endpoint_ips(self, broker_id: str) -> list[str]:
        """The addresses of a RabbitMQ broker's VPC endpoint interfaces (what clients reach it on), in subnet order."""
        return vpc_endpoints.endpoint_ips(self._ec2(), self._broker(broker_id))

    def broker_endpoint(self, broker_id: str) -> dict[str, Any] | None:
        """A RabbitMQ broker's VPC endpoint as DescribeVpcEndpoints returns it; None if it has none."""
        endpoint = vpc_endpoints.endpoint_of(self._ec2(), self._broker(broker_id))
        if endpoint is None:
            return None
        (described,) = self.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint.id])["VpcEndpoints"]
        return dict(described)

    def change_endpoint_ips(self, broker_id: str, ips: list[str] | None = None, *, recreate: bool = False) -> list[str]:
        """A RabbitMQ broker's endpoint interfaces move to other addresses of its subnets; the new addresses.

        recreate=False: the same endpoint, new interfaces. True: Amazon MQ
        replaced the endpoint itself (new id; the old one is deleted). ips=None:
        addresses nothing ever held; else one per subnet, free ones.
        """
        broker = self._broker(broker_id)
        ips = list(ips) if ips is not None else self._allocate(broker.subnet_ids)
        if recreate:
            vpc_endpoints.recreate(self._ec2(), broker, ips)
        else:
            vpc_endpoints.replace_interfaces(self._ec2(), broker, ips)
        self._issued_ips.update(ips)
        return ips

    def add_resource_endpoint(self, broker_id: str) -> str:
        """A resource VPC endpoint, as RabbitMQ private networking creates at reboot,
        on free addresses of the broker's subnets; its id."""
        broker = self._broker(broker_id)
        return vpc_endpoints.add_resource_endpoint(self._ec2(), broker, self._allocate(broker.subnet_ids))

    def describe_interfaces_as(self, broker_id: str, fmt: str | None) -> None:
        """Its interfaces are now described by `fmt` ({broker_id} in it), created if it had none; None deletes them."""
        mq_brokers.describe_interfaces_as(self._broker(broker_id), fmt)

    def set_broker_state(self, broker_id: str, state: str, ips: list[str] | None = None) -> None:
        """BrokerState becomes `state`; `ips` is what DescribeBroker reports meanwhile.

        ips=None: the IPs the broker holds; ips=[]: none (a reboot in progress).
        Going back to RUNNING without ips reports the IPs it held before.
        A RabbitMQ broker reports no IP whatever its state: ips must be None.
        """
        broker = self._broker(broker_id)
        if ips and vpc_endpoints.is_rabbitmq(broker):
            raise ValueError(f"{broker_id} is a RabbitMQ broker: DescribeBroker reports no instance IP")
        mq_brokers.set_state(broker, self.region, state, ips)

    def delete_broker(self, broker_id: str, *, leave_interfaces: bool = False) -> list[str]:
        """DeleteBroker. Its interfaces go with it, unless leave_interfaces: then they stay, detached ("available"),
        holding their addresses and description, until someone deletes them; their ids."""
        left = mq_brokers.leave_interfaces(self._broker(broker_id)) if leave_interfaces else []
        self.client("mq").delete_broker(BrokerId=broker_id)
        return left

    def tag_broker(self, broker_id: str, tags: dict[str, str]) -> None:
        self.client("mq").create_tags(ResourceArn=self._broker(broker_id).arn, Tags=tags)

    def untag_broker(self, broker_id: str, keys: list[str]) -> None:
        self.client("mq").delete_tags(ResourceArn=self._broker(broker_id).arn, TagKeys=keys)

    def tag_listing_lags(self) -> None:
        """From now on tag:GetResources lists MQ brokers as they were now: later tags, untags and deletions go unseen.

        DescribeBroker and ListTags stay live, as on AWS, where only the
        Resource Groups Tagging API is eventually consistent.
        """
        for backend in self._mq_backends():
            tagging.lag(backend)
        self._tag_listing_lags = True

    def tag_listing_catches_up(self) -> None:
        """tag:GetResources lists MQ brokers as they are again."""
        if self._tag_listing_lags:
            for backend in self._mq_backends():
                tagging.catch_up(backend)
            self._tag_listing_lags = False

    # -- load balancing ----------------------------------------------------

    def create_target_groups(self, ports: dict[str, int], health_check_port: int = 8162) -> dict[str, str]:
        """IP target groups (TCP) in the VPC, health-checked on the console port: {name: arn}.

        Each is in service behind a listener of a network load balancer, as the
        stack's are: a group no listener uses is not health-checked (`unused`).
        """
        elbv2 = self.client("elbv2")
        balancer = elbv2.create_load_balancer(
            Name=f"emulated-{len(elbv2.describe_load_balancers()['LoadBalancers'])}",
            Subnets=self.public_subnets,
            Type="network",
            Scheme="internal",
        )["LoadBalancers"][0]["LoadBalancerArn"]
        arns = {}
        for name, port in ports.items():
            group = elbv2.create_target_group(
                Name=name,
                Protocol="TCP",
                Port=port,
                VpcId=self.vpc_id,
                TargetType="ip",
                HealthCheckProtocol="TCP",
                HealthCheckPort=str(health_check_port),
                HealthCheckIntervalSeconds=10,
                HealthyThresholdCount=2,
                UnhealthyThresholdCount=2,
            )["TargetGroups"][0]
            arns[name] = group["TargetGroupArn"]
            elbv2.create_listener(
                LoadBalancerArn=balancer,
                Protocol="TCP",
                Port=10000 + len(arns),
                DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
            )
        return arns

    def target_states(self, target_group_arn: str) -> dict[str, str]:
        """ip -> state, as DescribeTargetHealth reports it."""
        described = self.client("elbv2").describe_target_health(TargetGroupArn=target_group_arn)
        return {d["Target"]["Id"]: d["TargetHealth"]["State"] for d in described["TargetHealthDescriptions"]}

    def new_connection_targets(self) -> dict[int, set[str]]:
        """Per listener port, the addresses a new connection may reach: its default action's groups' healthy
        targets (all of them when none is healthy: the NLB fails open)."""
        elbv2 = self.client("elbv2")
        reached: dict[int, set[str]] = {}
        for balancer in elbv2.describe_load_balancers()["LoadBalancers"]:
            for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]:
                states: dict[str, str] = {}
                for arn in listeners.forwarded_groups(self._listener(listener["ListenerArn"])):
                    states.update(self.target_states(arn))
                healthy = {ip for ip, state in states.items() if state == "healthy"}
                reached[int(listener["Port"])] = healthy or {ip for ip, state in states.items() if state != "draining"}
        return reached

    def publish_active_flows(self, target_group_arns: list[str], count: int) -> None:
        """AWS/NetworkELB ActiveFlowCount of these groups now, as the NLB
        publishes it each minute (clients connected)."""
        cloudwatch = self.client("cloudwatch")
        for arn in target_group_arns:
            balancer = next(iter(self._target_group(arn).load_balancer_arns), "")
            dimensions = [
                {"Name": "TargetGroup", "Value": arn.split(":")[-1]},
                {"Name": "LoadBalancer", "Value": balancer.split(":loadbalancer/", 1)[-1]},
            ]
            cloudwatch.put_metric_data(
                Namespace="AWS/NetworkELB",
                MetricData=[
                    {
                        "MetricName": "ActiveFlowCount",
                        "Value": count,
                        "Timestamp": datetime.now(UTC),
                        "Dimensions": dimensions,
                    }
                ],
            )

    def set_target_quota(
        self, target_group_arn: str, quota: int = target_registration.TARGETS_PER_GROUP, *, draining_counts: bool = True
    ) -> None:
        """RegisterTargets past `quota` targets in the group fails whole with TooManyTargets (AWS: 1,000); draining
        targets count or not."""
        target_registration.set_quota(self._target_group(target_group_arn), quota, draining_counts=draining_counts)

    def set_target_state(self, target_group_arn: str, ip: str, state: str) -> None:
        """Report `state` for this target until it is registered or deregistered again."""
        target_health.force_state(self._target_group(target_group_arn), ip, state)

    # -- CloudFormation ----------------------------------------------------

    def stack_conditions(self, stack_name: str) -> dict[str, bool]:
        """How moto evaluated the template's Conditions for a stack (no API returns them)."""
        for stack in cloudformation_backends[self.vpc.account_id][self.region].stacks.values():
            if stack.name == stack_name:
                conditions = stack.resource_map.lazy_condition_map
                return {name: bool(conditions[name]) for name in list(conditions)}
        raise KeyError(f"no stack {stack_name} in the emulator")

    # -- public parameters -------------------------------------------------

    def publish_public_parameter(self, name: str, value: str) -> None:
        """An AWS-owned SSM parameter (/aws/service/...), which no API call may write."""
        public_parameters.publish(self.vpc.account_id, self.region, name, value)

    # -- faults ------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> Fault:
        """Matching requests get the fault's error until removed (or `times` runs out)."""
        return faults.inject(fault)

    def remove_fault(self, fault: Fault) -> None:
        faults.remove(fault)

    def throttle_broker(self, broker_id: str) -> Fault:
        """DescribeBroker for this broker answers ThrottlingException (HTTP 429) until removed."""
        return self.inject_fault(Fault(service="mq", operation="DescribeBroker", match=broker_id))

    # -- internals ---------------------------------------------------------

    def _broker(self, broker_id: str) -> Broker:
        for backend in self._mq_backends():
            if broker_id in backend.brokers:
                return backend.brokers[broker_id]
        raise KeyError(f"no broker {broker_id} in the emulator")

    def _mq_backends(self) -> list[MQBackend]:
        """Every account's MQ backend in the region, this account's included even before it holds a broker."""
        return [mq_backends[account][self.region] for account in {*mq_backends.keys(), self.vpc.account_id}]

    def _ec2(self) -> EC2Backend:
        return ec2_backends[self.vpc.account_id][self.region]

    def _listener(self, arn: str) -> Any:
        account = arn.split(":")[4]
        return elbv2_backends[account][self.region].describe_listeners(None, [arn])[0]

    def _target_group(self, arn: str) -> FakeTargetGroup:
        account = arn.split(":")[4]
        return elbv2_backends[account][self.region].target_groups[arn]

    def _allocate(self, subnet_ids: list[str]) -> list[str]:
        """One address per subnet that nothing holds and the emulator never handed out (EC2 may; tests say when)."""
        taken = self._held(self._ec2().get_subnet(subnet_ids[0]).vpc_id) | self._issued_ips
        ips = []
        for subnet_id in subnet_ids:
            ip = free_ip(self._subnet(subnet_id), taken, self._rng)
            taken.add(ip)
            ips.append(ip)
        self._issued_ips.update(ips)
        return ips

    def _held(self, vpc_id: str) -> set[str]:
        """Addresses held in the VPC: by its interfaces, and by brokers (those without interfaces too)."""
        held = set(interfaces.addresses(self._ec2(), vpc_id))
        for backend in self._mq_backends():
            held |= mq_brokers.all_ips(backend, vpc_id)
        return held

    def _subnet(self, subnet_id: str) -> Subnet:
        for subnet in self.vpc.private_subnets + self.vpc.public_subnets:
            if subnet.id == subnet_id:
                return subnet
        # From the backend, not DescribeSubnets: the benchmark's 800 brokers sit in subnets of their own.
        described = self._ec2().get_subnet(subnet_id)
        return Subnet(subnet_id, described.cidr_block, described.availability_zone)
