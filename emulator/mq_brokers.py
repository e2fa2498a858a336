"""Emulator support for Amazon MQ: realistic broker ids, instance IPs, states, and the network interfaces holding the
IPs.

moto 5.2.1 gives every broker a 6-hex-digit id, the same two hard-coded
instance IPs (192.168.0.1 and .2) and a BrokerState that is always RUNNING.
The reconciler's whole job is to follow IPs that change and to hold still
while a broker is transitional, so the emulator owns these per broker: it
writes them on moto's in-process Broker objects, which DescribeBroker and
ListBrokers render as they are (`instances`, `state`, `id`, `arn`).

On AWS each ActiveMQ broker instance's address is held by an elastic network
interface that Amazon MQ creates in the customer's subnet, described
`Amazon MQ network interface for broker <broker-id>` (docs/sources.md,
"Amazon MQ"): EC2 shows the addresses even while DescribeBroker shows
none (a reboot). So the emulator keeps, for every broker it made, one moto EC2
interface per held IP, in instance order: the IPs a broker holds are always
the private IPs of its interfaces. A rebooting broker keeps them while
DescribeBroker shows no IPs (assumed: AWS documents neither way). A move
deletes the old interfaces before new ones take the new addresses, which
frees the old ones for EC2 to hand out again; deleting a broker, through any
client, deletes its interfaces. Because that description is
not in AWS's reference docs, a broker can be given another description, or
none at all (no interfaces yet), so that the reconciler's fallback to
DescribeBroker can be exercised.
"""

from collections.abc import Iterable

from moto.ec2.exceptions import InvalidSubnetIdError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.subnets import Subnet
from moto.mq.models import Broker, MQBackend, mq_backends

from . import interfaces, vpc_endpoints
from .interfaces import AddressInUse

# What Amazon MQ writes on each broker instance's interface (docs/sources.md): the
# broker id, without the instance's -1/-2 suffix.
INTERFACE_DESCRIPTION = "Amazon MQ network interface for broker {broker_id}"
# Attached to the broker's instance in the service's account (CreateBroker
# needs ec2:CreateNetworkInterfacePermission "to attach the ENI to the broker
# instance"); a leftover interface nobody uses is "available" (docs/sources.md:
# a public cleanup script deletes such detached leftovers).
INTERFACE_STATUS = "in-use"
# The account owning the broker instances, as Attachment.InstanceOwnerId shows
# it: Amazon MQ's account id is not documented; this one is the emulator's own.
# What matters is that it is not the customer's.
SERVICE_ACCOUNT_ID = "330122558901"

# Every BrokerState Amazon MQ reports (its API reference, BrokerState; botocore's mq model has the same enum).
BROKER_STATES = (
    "CREATION_IN_PROGRESS",
    "CREATION_FAILED",
    "DELETION_IN_PROGRESS",
    "RUNNING",
    "REBOOT_IN_PROGRESS",
    "CRITICAL_ACTION_REQUIRED",
    "REPLICA",
)
# States in which a broker's instances serve traffic (and answer health checks).
SERVING_STATES = frozenset({"RUNNING", "CRITICAL_ACTION_REQUIRED"})

# The IPs a broker holds, active first, kept even while DescribeBroker shows
# none (a reboot in progress), so that RUNNING brings them back.
_HELD_IPS = "emulator_held_ips"
# The ids of the interfaces holding them, in the same order, and the format of
# their description; no format: the broker has no interfaces.
_INTERFACES = "emulator_interfaces"
_INTERFACE_FORMAT = "emulator_interface_description"


def _account_and_region(arn: str) -> tuple[str, str]:
    _, _, _, region, account, *_ = arn.split(":")
    return account, region


def backend_for_arn(arn: str) -> MQBackend:
    """The moto MQ backend of the account and region an ARN names."""
    account, region = _account_and_region(arn)
    return mq_backends[account][region]


def rekey(backend: MQBackend, old_id: str, new_id: str, name: str) -> Broker:
    """Give a broker moto created a real-looking id and ARN, moving its tags along.

    AWS ids look like `b-<uuid4>` and ARNs end in `broker:<name>:<id>`; moto
    uses six hex digits, which would hide any code that parses ids naively.
    """
    broker = backend.brokers.pop(old_id)
    tags = backend.list_tags(broker.arn)
    backend.tagger.delete_all_tags_for_resource(broker.arn)
    prefix = broker.arn.rsplit(":broker:", 1)[0]
    broker.id = new_id
    broker.arn = f"{prefix}:broker:{name}:{new_id}"
    for user in broker.users:
        user.broker_id = new_id
    backend.brokers[new_id] = broker
    backend.create_tags(broker.arn, tags)
    return broker


def held_ips(broker: Broker) -> list[str]:
    """The IPs the broker holds, active first (whether or not it reports them now)."""
    held: list[str] | None = getattr(broker, _HELD_IPS, None)
    if held is not None:
        return list(held)
    return reported_ips(broker)


def reported_ips(broker: Broker) -> list[str]:
    """The IPs DescribeBroker reports for the broker, active first."""
    return [str(i["ipAddress"]) for i in broker.instances if i.get("ipAddress")]


def show(broker: Broker, region: str, ips: list[str]) -> None:
    """Make DescribeBroker report these instance IPs, with endpoints named as AWS names them.

    A RabbitMQ broker reports one entry and no IpAddress ("does not apply to
    RabbitMQ brokers", botocore mq model): its hostname, AMQPS on 5671 and the
    management console on 443 (developer guide). That a cluster, too, shows a
    single entry is the emulator's assumption; the reconciler does not count them.
    """
    if vpc_endpoints.is_rabbitmq(broker):
        host = f"{broker.id}.mq.{region}.amazonaws.com"
        broker.instances = [{"consoleURL": f"https://{host}", "endpoints": [f"amqps://{host}:5671"]}]
        return
    instances = []
    for number, ip in enumerate(ips, start=1):
        host = f"{broker.id}-{number}.mq.{region}.amazonaws.com"
        instances.append(
            {
                "consoleURL": f"https://{host}:8162",
                "endpoints": [
                    f"ssl://{host}:61617",
                    f"amqp+ssl://{host}:5671",
                    f"stomp+ssl://{host}:61614",
                    f"mqtt+ssl://{host}:8883",
                    f"wss://{host}:61619",
                ],
                "ipAddress": ip,
            }
        )
    broker.instances = instances


def hold(broker: Broker, region: str, ips: list[str]) -> None:
    """The broker now holds these IPs, and reports them if it reports any."""
    showing = bool(broker.instances)
    _hold(broker, ips)
    if showing:
        show(broker, region, ips)


def set_state(broker: Broker, region: str, state: str, ips: list[str] | None) -> None:
    """Put the broker in `state`; `ips` is what DescribeBroker reports meanwhile.

    ips=None reports the IPs it holds; ips=[] reports no instance IPs, as a
    broker being rebooted or created may; a non-empty list becomes what it holds.
    """
    if state not in BROKER_STATES:
        raise ValueError(f"{state!r} is not a broker state; Amazon MQ's are {', '.join(BROKER_STATES)}")
    if ips:
        _hold(broker, list(ips))
    else:
        setattr(broker, _HELD_IPS, held_ips(broker))
    broker.state = state
    show(broker, region, held_ips(broker) if ips is None else list(ips))
    if state == "CREATION_FAILED":
        # A failed creation leaves nothing behind in the customer's subnets
        # (assumed: Amazon MQ rolls back what it created; unconfirmed).
        release(broker)


def _hold(broker: Broker, ips: list[str]) -> None:
    _check_free(broker, ips)
    _sync_interfaces(broker, ips, interface_format(broker))
    setattr(broker, _HELD_IPS, list(ips))


# --- network interfaces ---------------------------------------------------------------


def interface_format(broker: Broker) -> str | None:
    """The format of the broker's interface descriptions; None: it has no interfaces."""
    fmt: str | None = getattr(broker, _INTERFACE_FORMAT, None)
    return fmt


def interface_ids(broker: Broker) -> list[str]:
    """Its interfaces' ids, in instance order (active first)."""
    return list(getattr(broker, _INTERFACES, []))


def describe_interfaces_as(broker: Broker, fmt: str | None) -> None:
    """Describe the broker's interfaces with `fmt` ({broker_id} in it),
    creating them if it had none; None deletes them."""
    _sync_interfaces(broker, held_ips(broker), fmt)


def release(broker: Broker) -> None:
    """The broker is gone: its interfaces and endpoints go, and their addresses are free again."""
    _sync_interfaces(broker, [], None)
    vpc_endpoints.release(_ec2(broker), broker)


def leave_interfaces(broker: Broker) -> list[str]:
    """The broker's interfaces outlive it, detached ("available"), holding their addresses and descriptions; their ids.

    Assumed possible, not documented: see INTERFACE_STATUS.
    """
    ec2 = _ec2(broker)
    left = [ec2.enis[i] for i in interface_ids(broker) if i in ec2.enis]
    for eni in left:
        interfaces.detach(eni)
    setattr(broker, _INTERFACES, [])
    return [eni.id for eni in left]


def _ec2(broker: Broker) -> EC2Backend:
    account, region = _account_and_region(broker.arn)
    return ec2_backends[account][region]


def _vpc_id(ec2: EC2Backend, broker: Broker) -> str | None:
    """The VPC of the broker's subnets; None for a broker made by moto alone, on subnets EC2 does not know."""
    try:
        subnet: Subnet = ec2.get_subnet(broker.subnet_ids[0])
    except (InvalidSubnetIdError, IndexError):
        return None
    return subnet.vpc_id


def vpc_of(broker: Broker) -> str | None:
    """The VPC of the broker's subnets; None for a public or moto-made broker."""
    return _vpc_id(_ec2(broker), broker)


def brokers_in(backend: MQBackend, vpc_id: str | None) -> list[Broker]:
    """The backend's brokers in this VPC (those of no known VPC when vpc_id is None)."""
    return [broker for broker in backend.brokers.values() if vpc_of(broker) == vpc_id]


def _check_free(broker: Broker, ips: list[str]) -> None:
    """Refuse addresses another broker or interface holds: EC2 gives an address to one interface at a time."""
    if len(set(ips)) != len(ips):
        raise ValueError(f"a broker's instances cannot share an address: {ips}")
    own = set(held_ips(broker))
    wanted = [ip for ip in ips if ip not in own]
    if not wanted:
        return
    ec2 = _ec2(broker)
    vpc_id = _vpc_id(ec2, broker)
    # Addresses are unique within a VPC only: other VPCs of the account may use the same ranges.
    for other in brokers_in(backend_for_arn(broker.arn), vpc_id):
        if other is not broker and (taken := set(wanted) & set(held_ips(other))):
            raise AddressInUse(f"{sorted(taken)} held by broker {other.id}: move or delete it first")
    held = interfaces.addresses(ec2, vpc_id) if vpc_id else {}
    own_interfaces = set(interface_ids(broker))
    for ip in wanted:
        eni = held.get(ip)
        if eni is not None and eni.id not in own_interfaces:
            raise AddressInUse(f"{ip} held by {eni.id} ({eni.description!r}): delete it first")


def _sync_interfaces(broker: Broker, ips: list[str], fmt: str | None) -> None:
    """One interface per address, in order: kept where it holds the address already, else replaced."""
    ec2 = _ec2(broker)
    current = [ec2.enis[i] for i in interface_ids(broker) if i in ec2.enis]
    wanted = ips if fmt is not None else []
    kept = {eni.private_ip_address: eni for eni in current if eni.private_ip_address in wanted}
    # Every new address must have its subnet before anything changes.
    subnets = {ip: interfaces.subnet_holding(ec2, ip, broker.subnet_ids) for ip in wanted if ip not in kept}
    for eni in current:
        if eni.private_ip_address not in kept:
            interfaces.delete(ec2, eni.id)
    description = (fmt or "").format(broker_id=broker.id)
    ids = []
    for ip in wanted:
        eni = kept.get(ip) or _attached_interface(ec2, subnets[ip], ip, description)
        eni.description = description
        ids.append(eni.id)
    setattr(broker, _INTERFACES, ids)
    setattr(broker, _INTERFACE_FORMAT, fmt)


def _attached_interface(ec2: EC2Backend, subnet: Subnet, ip: str, description: str) -> NetworkInterface:
    eni = interfaces.create(ec2, subnet, ip, description, INTERFACE_STATUS)
    interfaces.attach_to_foreign_instance(eni, SERVICE_ACCOUNT_ID)
    return eni


def serving_roles(brokers: Iterable[Broker]) -> dict[str, str]:
    """ip -> "active" or "standby" for every instance of every serving broker among these.

    In ACTIVE_STANDBY_MULTI_AZ only the first (active) instance answers; the
    other waits for failover. Other deployment modes serve on every instance.
    A RabbitMQ broker answers on every interface of its endpoint: AWS's own
    load balancer behind it forwards to whichever node is up.
    """
    roles: dict[str, str] = {}
    for broker in brokers:
        if broker.state not in SERVING_STATES:
            continue
        if vpc_endpoints.is_rabbitmq(broker):
            roles.update(dict.fromkeys(vpc_endpoints.endpoint_ips(_ec2(broker), broker), "active"))
            continue
        for position, ip in enumerate(reported_ips(broker)):
            standby = broker.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" and position > 0
            roles[ip] = "standby" if standby else "active"
    return roles


def all_ips(backend: MQBackend, vpc_id: str) -> set[str]:
    """Every IP any broker of the VPC holds or reports: none of them may be handed out again there."""
    taken: set[str] = set()
    for broker in brokers_in(backend, vpc_id):
        taken.update(held_ips(broker))
        taken.update(reported_ips(broker))
    return taken
