"""Emulator support for Amazon MQ for RabbitMQ: the interface VPC endpoint through which each private broker is reached.

On AWS (docs/sources.md, "Amazon MQ for RabbitMQ") a RabbitMQ broker has no address of its own in
the customer's VPC: Amazon MQ's service-linked role creates one interface VPC
endpoint there, tagged `AMQManaged=true` (the only way its policy lets it) and
probably `Broker=<broker id>`, with one network interface per broker subnet.
Those interfaces are requester-managed, described `VPC Endpoint Interface
vpce-...`, of type `vpc_endpoint` (EC2 User Guide). Deleting the broker
deletes the endpoint. RabbitMQ private networking adds *resource* VPC
endpoints at reboot: type `Resource`, with a resource configuration; whether
Amazon MQ tags them like the broker's is unknown, so the emulator tags them
the same, the case a reconciler could get wrong.

moto 5.2.1 gives an interface endpoint's network interfaces random addresses
outside their subnets, an empty description and the plain `interface` type,
and a resource endpoint none at all. The emulator makes both on moto's EC2
backend as AWS shows them: addresses from the subnets (free ones, chosen by
EmulatedAws), descriptions, types, and the resource configuration's ARN,
which DescribeVpcEndpoints then renders.
"""

from moto.ec2.models import EC2Backend
from moto.ec2.models.vpcs import VPCEndPoint
from moto.mq.models import Broker

from . import interfaces

MANAGED_TAGS = {"AMQManaged": "true"}
INTERFACE_DESCRIPTION = "VPC Endpoint Interface {endpoint_id}"

# On moto's Broker: the id of its endpoint, and of the resource endpoints private networking added.
_ENDPOINT = "emulator_vpc_endpoint"
_RESOURCE_ENDPOINTS = "emulator_resource_endpoints"


def is_rabbitmq(broker: Broker) -> bool:
    return str(broker.engine_type).upper() == "RABBITMQ"


def endpoint_of(ec2: EC2Backend, broker: Broker) -> VPCEndPoint | None:
    """The broker's live endpoint; None if it has none (public, or deleted)."""
    endpoint_id = getattr(broker, _ENDPOINT, None)
    endpoint: VPCEndPoint | None = ec2.vpc_end_points.get(endpoint_id) if endpoint_id else None
    return endpoint if endpoint is not None and endpoint.state != "deleted" else None


def endpoint_ips(ec2: EC2Backend, broker: Broker) -> list[str]:
    """Its endpoint's interface addresses, in the order of its subnets."""
    endpoint = endpoint_of(ec2, broker)
    if endpoint is None:
        return []
    return [ip for i in endpoint.network_interface_ids if i in ec2.enis and (ip := ec2.enis[i].private_ip_address)]


def create(ec2: EC2Backend, broker: Broker, ips: list[str], *, tagged: bool) -> str:
    """The broker's endpoint in the VPC of its subnets, one interface per subnet holding `ips[i]`; its id.

    tagged=False leaves out the `Broker` tag, which AWS may not set (unconfirmed).
    """
    tags = {**MANAGED_TAGS, **({"Broker": broker.id} if tagged else {})}
    service = f"com.amazonaws.vpce.{ec2.region_name}.vpce-svc-{broker.id[2:].replace('-', '')[:17]}"
    endpoint = _endpoint(ec2, broker, "Interface", service, tags)
    _give_interfaces(ec2, endpoint, broker.subnet_ids, ips)
    setattr(broker, _ENDPOINT, endpoint.id)
    return str(endpoint.id)


def replace_interfaces(ec2: EC2Backend, broker: Broker, ips: list[str]) -> None:
    """The same endpoint, new interfaces holding `ips` (the old ones are deleted first, freeing their addresses)."""
    endpoint = endpoint_of(ec2, broker)
    if endpoint is None:
        raise ValueError(f"broker {broker.id} has no VPC endpoint")
    for interface_id in endpoint.network_interface_ids:
        interfaces.delete(ec2, interface_id)
    _give_interfaces(ec2, endpoint, broker.subnet_ids, ips)


def recreate(ec2: EC2Backend, broker: Broker, ips: list[str]) -> str:
    """A new endpoint (new id, new interfaces holding `ips`) in place of the
    old one, which is deleted; tagged as before."""
    old = endpoint_of(ec2, broker)
    if old is None:
        raise ValueError(f"broker {broker.id} has no VPC endpoint")
    tagged = any(t["key"] == "Broker" for t in old.get_tags())
    _delete(ec2, old)
    return create(ec2, broker, ips, tagged=tagged)


def add_resource_endpoint(ec2: EC2Backend, broker: Broker, ips: list[str]) -> str:
    """A resource VPC endpoint as private networking creates it at reboot, tagged like the broker's own; its id."""
    endpoint = _endpoint(ec2, broker, "Resource", None, {**MANAGED_TAGS, "Broker": broker.id})
    # moto 5.2.1's VPCEndPoint has no such field, but DescribeVpcEndpoints renders every attribute the model names.
    endpoint.resource_configuration_arn = (  # type: ignore[attr-defined]
        f"arn:aws:vpc-lattice:{ec2.region_name}:{ec2.account_id}:resourceconfiguration/rcfg-{broker.id[2:10]}{len(ips)}"
    )
    _give_interfaces(ec2, endpoint, broker.subnet_ids, ips)
    setattr(broker, _RESOURCE_ENDPOINTS, [*getattr(broker, _RESOURCE_ENDPOINTS, []), endpoint.id])
    return str(endpoint.id)


def release(ec2: EC2Backend, broker: Broker) -> None:
    """The broker is gone: its endpoints go, their interfaces with them."""
    for endpoint_id in [getattr(broker, _ENDPOINT, None), *getattr(broker, _RESOURCE_ENDPOINTS, [])]:
        endpoint = ec2.vpc_end_points.get(endpoint_id) if endpoint_id else None
        if endpoint is not None:
            _delete(ec2, endpoint)


def _endpoint(ec2: EC2Backend, broker: Broker, kind: str, service: str | None, tags: dict[str, str]) -> VPCEndPoint:
    vpc_id = ec2.get_subnet(broker.subnet_ids[0]).vpc_id
    # No subnets here: moto would make interfaces of its own, on random addresses.
    # A resource endpoint names no service: moto 5.2.1 types service_name str, and keeps the None it is given.
    endpoint: VPCEndPoint = ec2.create_vpc_endpoint(
        vpc_id,
        service,  # type: ignore[arg-type]
        kind,
        None,
        [],
        subnet_ids=[],
        tags=tags,
    )
    endpoint.security_group_ids = list(broker.security_groups or [])
    return endpoint


def _give_interfaces(ec2: EC2Backend, endpoint: VPCEndPoint, subnet_ids: list[str], ips: list[str]) -> None:
    if len(ips) != len(subnet_ids):
        raise ValueError(f"one address per subnet of the broker ({len(subnet_ids)}), got {ips}")
    created = []
    for subnet_id, ip in zip(subnet_ids, ips):
        subnet = interfaces.subnet_holding(ec2, ip, [subnet_id])
        eni = interfaces.create(ec2, subnet, ip, INTERFACE_DESCRIPTION.format(endpoint_id=endpoint.id), "in-use")
        eni.requester_managed = True
        eni.interface_type = "vpc_endpoint"
        created.append(eni.id)
    endpoint.subnet_ids = list(subnet_ids)
    endpoint.network_interface_ids = created


def _delete(ec2: EC2Backend, endpoint: VPCEndPoint) -> None:
    # What DeleteVpcEndpoints leaves: the endpoint listed as deleted for a while, its interfaces gone.
    for interface_id in endpoint.network_interface_ids:
        interfaces.delete(ec2, interface_id)
    endpoint.state = "deleted"
