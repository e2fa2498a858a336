"""The emulated VPC, and private IPs handed out from its subnets.

moto's EC2 gives no address to an Amazon MQ broker; the emulator picks one in
the broker's subnet the way AWS does: a free address, never one of the first
four nor the last, which AWS reserves in every subnet.

A VPC may also have IPv6-only subnets (created with Ipv6Native and no
CidrBlock: DescribeSubnets returns them without a CidrBlock key, EC2 API
reference, Subnet) and dual-stack ones (both). moto 5.2.1 models both but
renders each IPv6 association's state as the text of a dict
(`Ipv6CidrBlockState.State` "{'State': 'associated'}"); AWS answers
`associated`: moto_patches makes it answer so.
"""

import ipaddress
import random
from dataclasses import dataclass
from typing import Any

VPC_CIDR = "10.0.0.0/16"
# (suffix of the region's AZ, private CIDR, public CIDR)
_LAYOUT = [("a", "10.0.1.0/24", "10.0.101.0/24"), ("b", "10.0.2.0/24", "10.0.102.0/24")]
# Private subnets added on demand (a RabbitMQ cluster spans three zones): (suffix of the AZ, CIDR).
_MORE_PRIVATE = [("c", "10.0.3.0/24")]


@dataclass(frozen=True)
class Subnet:
    id: str
    cidr: str
    az: str


@dataclass(frozen=True)
class Vpc:
    id: str
    account_id: str  # its owner: the emulated account
    private_subnets: list[Subnet]
    public_subnets: list[Subnet]


def build_vpc(ec2: Any, region: str, name: str = "mq-static-endpoint") -> Vpc:
    """A VPC with one private and one public subnet in each of two AZs.

    Every VPC built so has the same ranges, as an account's VPCs often do
    (10.0.0.0/16 is the console's default): EC2 keeps addresses unique within
    a VPC only.
    """
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]
    vpc_id = vpc["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": name}])
    private: list[Subnet] = []
    public: list[Subnet] = []
    for suffix, private_cidr, public_cidr in _LAYOUT:
        az = f"{region}{suffix}"
        private.append(_subnet(ec2, vpc_id, private_cidr, az, "private"))
        public.append(_subnet(ec2, vpc_id, public_cidr, az, "public"))
    return Vpc(vpc_id, vpc["OwnerId"], private, public)


def add_private_subnet(ec2: Any, region: str, vpc: Vpc) -> Subnet:
    """The next private subnet, in a zone the VPC has none in yet; appended to vpc.private_subnets."""
    taken = {s.cidr for s in vpc.private_subnets}
    free = [(s, c) for s, c in _MORE_PRIVATE if c not in taken]
    if not free:
        raise RuntimeError("the emulated VPC has a private subnet in every zone it may use already")
    suffix, cidr = free[0]
    subnet = _subnet(ec2, vpc.id, cidr, f"{region}{suffix}", "private")
    vpc.private_subnets.append(subnet)
    return subnet


def _subnet(ec2: Any, vpc_id: str, cidr: str, az: str, kind: str) -> Subnet:
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[subnet_id], Tags=[{"Key": "Name", "Value": f"{kind}-{az}"}])
    return Subnet(subnet_id, cidr, az)


def free_ip(subnet: Subnet, taken: set[str], rng: random.Random) -> str:
    """A random usable address of the subnet that is not in `taken`."""
    network = ipaddress.ip_network(subnet.cidr)
    first, last = 4, network.num_addresses - 2
    free = [ip for n in range(first, last + 1) if (ip := str(network[n])) not in taken]
    if not free:
        raise RuntimeError(f"no free address left in {subnet.cidr}")
    return rng.choice(free)


def add_ipv6_subnet(ec2: Any, region: str, vpc: Vpc, *, dual_stack: bool) -> str:
    """A subnet with the next /64 of the VPC's IPv6 block (associated on first use), and a /24 too if dual-stack; its
    id.

    Not added to vpc.private_subnets: brokers are not placed there by default.
    """
    (described,) = ec2.describe_vpcs(VpcIds=[vpc.id])["Vpcs"]
    blocks = [a["Ipv6CidrBlock"] for a in described.get("Ipv6CidrBlockAssociationSet", [])]
    if not blocks:
        ec2.associate_vpc_cidr_block(VpcId=vpc.id, AmazonProvidedIpv6CidrBlock=True)
        (described,) = ec2.describe_vpcs(VpcIds=[vpc.id])["Vpcs"]
        blocks = [a["Ipv6CidrBlock"] for a in described["Ipv6CidrBlockAssociationSet"]]
    existing = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc.id]}])["Subnets"]
    used = {a["Ipv6CidrBlock"] for s in existing for a in s.get("Ipv6CidrBlockAssociationSet", [])}
    ipv6 = next(str(n) for n in ipaddress.ip_network(blocks[0]).subnets(new_prefix=64) if str(n) not in used)
    number = len(used)
    az = f"{region}{_LAYOUT[number % len(_LAYOUT)][0]}"
    ipv4 = {"CidrBlock": f"10.0.{200 + number}.0/24"} if dual_stack else {"Ipv6Native": True}
    subnet_id: str = ec2.create_subnet(VpcId=vpc.id, Ipv6CidrBlock=ipv6, AvailabilityZone=az, **ipv4)["Subnet"][
        "SubnetId"
    ]
    kind = "dual-stack" if dual_stack else "ipv6-only"
    ec2.create_tags(Resources=[subnet_id], Tags=[{"Key": "Name", "Value": f"{kind}-{az}"}])
    return subnet_id
