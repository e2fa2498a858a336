"""Emulator support for ELBv2 listeners: ModifyListener on a network load balancer's TLS listener.

moto 5.2.1 keeps a listener's default actions and ModifyListener replaces
them, as AWS does, but it refuses every protocol besides HTTP, HTTPS and TCP
("UnsupportedProtocol"), so a stack update of a TLS listener's default action
(the cutover's switch) fails. AWS accepts TLS, UDP and TCP_UDP on a network
load balancer (elbv2 ModifyListener, `Protocol`). The patch lets moto do the
rest of the change and sets the protocol itself.

`forwarded_groups` says where a listener sends new connections: the target
groups of its default action.
"""

from collections.abc import Callable
from typing import Any

from moto.elbv2.models import ELBv2Backend, FakeListener

from ._patching import Patch

_NETWORK_ONLY = frozenset({"TLS", "UDP", "TCP_UDP"})


def forwarded_groups(listener: FakeListener) -> set[str]:
    """The target groups a listener's default action forwards to: its ARN, or its ForwardConfig's."""
    groups: set[str] = set()
    for action in listener.default_actions:
        groups |= {action.data["TargetGroupArn"]} if action.data.get("TargetGroupArn") else set()
        groups |= {t["TargetGroupArn"] for t in action.data.get("ForwardConfig", {}).get("TargetGroups", [])}
    return groups


def _accepting_network_protocols(original: Callable[..., FakeListener]) -> Callable[..., FakeListener]:
    def modify_listener(
        self: ELBv2Backend, arn: str, port: Any = None, protocol: str | None = None, *args: Any, **kwargs: Any
    ) -> FakeListener:
        if protocol not in _NETWORK_ONLY:
            return original(self, arn, port, protocol, *args, **kwargs)
        listener = original(self, arn, port, None, *args, **kwargs)
        listener.protocol = protocol
        return listener

    return modify_listener


PATCHES = [Patch(ELBv2Backend, "modify_listener", _accepting_network_protocols)]
