"""Emulator support for DNS: RabbitMQ broker hostnames resolve to their VPC endpoint's addresses.

On AWS `b-<id>.mq.<region>.amazonaws.com` of a private RabbitMQ broker
resolves to its endpoint's interface addresses (AWS's RabbitMQ samples
register what `dig` returns: docs/sources.md, likely). The emulator
answers the same from moto's backends, live: an endpoint recreated or a broker
deleted is what the next lookup sees.

The reconciler resolves with socket.getaddrinfo, as on Lambda. moto
intercepts AWS's HTTP calls; this intercepts AWS's names the same way, for
every caller in the process (the function run in-process too): while an
EmulatedAws is open, any name under amazonaws.com, amazonaws.com.cn or on.aws
is answered here, the unknown ones with NXDOMAIN, and never reaches a real
resolver. Every other name goes to the system's.

A test can make a name fail (SERVFAIL-like, `EAI_AGAIN`) or answer whatever
it likes, until restored.
"""

import re
import socket
from threading import Lock
from typing import Any

from moto.ec2.models import ec2_backends
from moto.mq.models import mq_backends

from . import vpc_endpoints

_AWS_NAMES = (".amazonaws.com", ".amazonaws.com.cn", ".on.aws")
_BROKER_HOST = re.compile(
    r"(b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.mq\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?"
)

_lock = Lock()
_answers: dict[str, list[str]] = {}
_failing: set[str] = set()


def _key(hostname: str) -> str:
    return hostname.lower().rstrip(".")


def resolve(hostname: str) -> list[str]:
    """The IPv4 addresses of an AWS name, as the emulated account's DNS answers; socket.gaierror if it cannot."""
    key = _key(hostname)
    with _lock:
        failing, answer = key in _failing, _answers.get(key)
    if failing:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    if answer is not None:
        return list(answer)
    found = _BROKER_HOST.fullmatch(key)
    if found:
        broker_id, region = found.group(1), found.group(2)
        for account in list(mq_backends.keys()):
            broker = mq_backends[account][region].brokers.get(broker_id)
            if broker is not None and vpc_endpoints.is_rabbitmq(broker):
                ips = vpc_endpoints.endpoint_ips(ec2_backends[account][region], broker)
                if ips:
                    return ips
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def answer(hostname: str, ips: list[str]) -> None:
    with _lock:
        _failing.discard(_key(hostname))
        _answers[_key(hostname)] = list(ips)


def fail(hostname: str) -> None:
    with _lock:
        _answers.pop(_key(hostname), None)
        _failing.add(_key(hostname))


def restore(hostname: str | None = None) -> None:
    """The name (every name, if None) resolves as the emulated account says again."""
    with _lock:
        if hostname is None:
            _answers.clear()
            _failing.clear()
        else:
            _answers.pop(_key(hostname), None)
            _failing.discard(_key(hostname))


class EmulatedDns:
    """The emulated account's DNS: a resolver (hostname -> addresses, socket.gaierror when it cannot) with controls."""

    def __init__(self, region: str) -> None:
        self.region = region

    def __call__(self, hostname: str) -> list[str]:
        return resolve(hostname)

    def hostname(self, broker_id: str) -> str:
        """The name Amazon MQ gives a RabbitMQ broker."""
        return f"{broker_id}.mq.{self.region}.amazonaws.com"

    def answer(self, hostname: str, ips: list[str]) -> None:
        """From now on the name resolves to exactly these addresses."""
        answer(hostname, ips)

    def fail(self, hostname: str) -> None:
        """From now on looking the name up fails (no answer from the resolver)."""
        fail(hostname)

    def restore(self, hostname: str | None = None) -> None:
        restore(hostname)


def is_aws_name(hostname: str) -> bool:
    """Whether the name is AWS's to answer (under amazonaws.com, amazonaws.com.cn or on.aws)."""
    return _key(hostname).endswith(_AWS_NAMES)


def address_info(hostname: str, port: Any, family: int, kind: int, proto: int) -> list[tuple[Any, ...]]:
    """What socket.getaddrinfo returns for an AWS name: one IPv4 stream address per answer."""
    if family not in (0, socket.AF_INET):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    number = int(port) if str(port).isdigit() else 0
    kind = kind or socket.SOCK_STREAM
    return [(socket.AF_INET, kind, proto or socket.IPPROTO_TCP, "", (ip, number)) for ip in resolve(hostname)]
