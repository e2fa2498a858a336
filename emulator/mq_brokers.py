"""Emulator support for Amazon MQ: realistic broker ids, instance IPs and states.

moto 5.2.1 gives every broker a 6-hex-digit id, the same two hard-coded
instance IPs (192.168.0.1 and .2) and a BrokerState that is always RUNNING.
The reconciler's whole job is to follow IPs that change and to hold still
while a broker is transitional, so the emulator owns these per broker: it
writes them on moto's in-process Broker objects, which DescribeBroker and
ListBrokers render as they are (`instances`, `state`, `id`, `arn`).
"""

from moto.mq.models import Broker, MQBackend, mq_backends

# States in which a broker's instances serve traffic (and answer health checks).
SERVING_STATES = frozenset({"RUNNING", "CRITICAL_ACTION_REQUIRED"})

# The IPs a broker holds, active first, kept even while DescribeBroker shows
# none (a reboot in progress), so that RUNNING brings them back.
_HELD_IPS = "emulator_held_ips"


def backend_for_arn(arn: str) -> MQBackend:
    """The moto MQ backend of the account and region an ARN names."""
    _, _, _, region, account, *_ = arn.split(":")
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
    return [i["ipAddress"] for i in broker.instances if i.get("ipAddress")]


def show(broker: Broker, region: str, ips: list[str]) -> None:
    """Make DescribeBroker report these instance IPs, with endpoints named as AWS names them."""
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
    setattr(broker, _HELD_IPS, list(ips))
    if showing:
        show(broker, region, ips)


def set_state(broker: Broker, region: str, state: str, ips: list[str] | None) -> None:
    """Put the broker in `state`; `ips` is what DescribeBroker reports meanwhile.

    ips=None reports the IPs it holds; ips=[] reports no instance IPs, as a
    broker being rebooted or created may; a non-empty list becomes what it holds.
    """
    current = held_ips(broker)
    if ips:
        current = list(ips)
    setattr(broker, _HELD_IPS, current)
    broker.state = state
    show(broker, region, current if ips is None else list(ips))


def serving_roles(backend: MQBackend) -> dict[str, str]:
    """ip -> "active" or "standby" for every instance of every serving broker.

    In ACTIVE_STANDBY_MULTI_AZ only the first (active) instance answers; the
    other waits for failover. Other deployment modes serve on every instance.
    """
    roles: dict[str, str] = {}
    for broker in backend.brokers.values():
        if broker.state not in SERVING_STATES:
            continue
        for position, ip in enumerate(reported_ips(broker)):
            standby = broker.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" and position > 0
            roles[ip] = "standby" if standby else "active"
    return roles


def all_ips(backend: MQBackend) -> set[str]:
    """Every IP any broker holds or reports: none of them may be handed out again."""
    taken: set[str] = set()
    for broker in backend.brokers.values():
        taken.update(held_ips(broker))
        taken.update(reported_ips(broker))
    return taken
