"""Emulator support for ELBv2 listeners: where a listener sends new connections.

`forwarded_groups` reads the target groups of a listener's default action, as
moto keeps them (ModifyListener replaces them, as AWS does; moto_patches lets
it do so for a network load balancer's TLS listener too).
"""

from moto.elbv2.models import FakeListener


def forwarded_groups(listener: FakeListener) -> set[str]:
    """The target groups a listener's default action forwards to: its ARN, or its ForwardConfig's."""
    groups: set[str] = set()
    for action in listener.default_actions:
        groups |= {action.data["TargetGroupArn"]} if action.data.get("TargetGroupArn") else set()
        groups |= {t["TargetGroupArn"] for t in action.data.get("ForwardConfig", {}).get("TargetGroups", [])}
    return groups
