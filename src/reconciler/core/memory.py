"""What a warm container remembers between runs, and why each piece may be trusted.

Nothing here ever causes a removal (docs/safety.md, rule 7):
- A confirmed interface: Amazon MQ and EC2 agreed that it holds this broker's
  address. EC2 never reuses an interface id and never changes an interface's
  primary address, so the agreement holds as long as EC2 lists the interface;
  remembering it is what keeps a steady sweep at 0 Amazon MQ calls.
- A refused interface: named for a broker that Amazon MQ showed complete
  without it. Its id never comes back as the broker's real interface.
- A confirmed VPC endpoint: a RabbitMQ broker's, tied by its hostname and
  subnets. Endpoint ids are never reused either.
- A broker's instance count: its deployment mode cannot change in place.
- When each group first saw each registered address free: a removal that
  rests on listings waits for a second one at least a minute later.
- Which broker each address was last registered for: a broker whose new
  addresses could not be registered keeps its old ones (hold_back).
A cold container starts with all of it empty: it asks Amazon MQ more, and
waits a sweep longer before a removal; it never registers or removes more.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Confirmed:
    broker_id: str
    ip: str


@dataclass
class Memory:
    interfaces: dict[str, Confirmed] = field(default_factory=dict)
    refused_interfaces: dict[str, str] = field(default_factory=dict)
    endpoints: dict[str, str] = field(default_factory=dict)
    instance_counts: dict[str, int] = field(default_factory=dict)
    free_since: dict[tuple[str, str], float] = field(default_factory=dict)
    last_registered_for: dict[str, str] = field(default_factory=dict)

    def learn(self, confirmed: Memory) -> None:
        """Keep what a run confirmed: interfaces, refusals, endpoints, instance counts."""
        self.interfaces.update(confirmed.interfaces)
        self.refused_interfaces.update(confirmed.refused_interfaces)
        self.endpoints.update(confirmed.endpoints)
        self.instance_counts.update(confirmed.instance_counts)
