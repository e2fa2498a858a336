"""The emulated account the demo and the end-to-end tests start from."""

from dataclasses import dataclass, field

from emulator import EmulatedAws

SCOPE_TAG_KEY = "mq-static-endpoint"
SCOPE_TAG_VALUE = "demo"
DOMAIN = "example.com"
ENDPOINT_NAME = f"mq.{DOMAIN}"


@dataclass
class World:
    aws: EmulatedAws
    hosted_zone_id: str
    certificate_arn: str
    # broker name -> broker id, in the order they were created
    brokers: dict[str, str] = field(default_factory=dict)

    @property
    def scope_tag(self) -> dict[str, str]:
        return {SCOPE_TAG_KEY: SCOPE_TAG_VALUE}

    def add_broker(self, name: str, *, in_scope: bool = True, engine: str = "ACTIVEMQ") -> str:
        """An active/standby ActiveMQ broker, or a single-instance RabbitMQ one behind its VPC endpoint."""
        tags = self.scope_tag if in_scope else {"team": name}
        mode = "SINGLE_INSTANCE" if engine == "RABBITMQ" else "ACTIVE_STANDBY_MULTI_AZ"
        broker_id = self.aws.create_broker(name, mode, tags=tags, engine=engine)
        self.brokers[name] = broker_id
        return broker_id


def build_world(
    aws: EmulatedAws, broker_names: tuple[str, ...] = ("orders", "payments"), rabbitmq_brokers: tuple[str, ...] = ()
) -> World:
    """A hosted zone, a certificate for the endpoint, active/standby
    ActiveMQ brokers in scope, RabbitMQ ones if named."""
    zone = aws.client("route53").create_hosted_zone(Name=DOMAIN, CallerReference="mq-static-endpoint-demo")
    certificate = aws.client("acm").request_certificate(DomainName=ENDPOINT_NAME, ValidationMethod="DNS")
    world = World(aws, zone["HostedZone"]["Id"].rsplit("/", 1)[-1], certificate["CertificateArn"])
    for name in broker_names:
        world.add_broker(name)
    for name in rabbitmq_brokers:
        world.add_broker(name, engine="RABBITMQ")
    return world
