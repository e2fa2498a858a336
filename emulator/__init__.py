"""Emulator support: what moto 5.2.1 lacks for mq-static-endpoint, shared by the
demo, the integration, end-to-end and reliability tests and the benchmark.
Never imported by src/.

    with EmulatedAws(region="eu-west-1") as aws:     # inside mock_aws() or a MotoServer
        broker_id = aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})
        rabbit_id = aws.create_broker("events", engine="RABBITMQ", tags={"mq-static-endpoint": "demo"})

Each module teaches moto one thing the reconciler meets on AWS (the facts, with
their sources, are in docs/sources.md); moto_patches holds every patch of
moto's own code that hooks them in, each saying what moto does, what AWS does
and what the patch makes of it:

- mq_brokers: brokers as Amazon MQ shows them, `b-<uuid>` ids, instance IPs
  from their subnets, states that change (moto: six hex digits, 192.168.0.1
  for all, always RUNNING), and the EC2 network interface Amazon MQ puts in
  the customer's subnet for each instance, described `Amazon MQ network
  interface for broker <id>`: where the reconciler reads broker addresses.
- vpc_endpoints: a RabbitMQ broker's interface VPC endpoint, tagged
  AMQManaged=true (and Broker=<id>, or not), one interface per broker subnet
  on a free address, as EC2 describes them; resource endpoints as private
  networking adds them (moto: random addresses outside the subnets).
- dns: a RabbitMQ broker's hostname resolves to its endpoint's addresses,
  through socket.getaddrinfo too; every other AWS name answers NXDOMAIN and
  never reaches a real resolver; names can be made to fail or lie.
- interfaces: an address is held by one interface at a time, and freed
  addresses can be handed out again; DescribeNetworkInterfaces and
  DescribeVpcEndpoints page (MaxResults, NextToken), which moto ignores.
- listing_lag: DescribeNetworkInterfaces can lag behind creations and
  deletions, as EC2's eventually consistent Describe calls do.
- tagging: tag:GetResources lists MQ brokers (moto lists none), pages by
  ResourcesPerPage, and can lag behind tag changes, as AWS's eventually
  consistent tagging API does.
- target_health: DescribeTargetHealth as an NLB health-checking the console
  port reports it: the standby fails, an address no broker serves times out
  (moto: every target healthy).
- faults: any call can be throttled, fail, or be lost on the network.
- cloudformation, cfn_fillers, public_parameters: stacks build what the
  template says where moto skips or misbuilds resources.
- api_calls: which calls moto served, as AWS would count them.
- lambda_runtime: the real handler run in this process as Lambda would run
  it (no container runtime here); lambda_timeout: a run past the function's
  Timeout is killed, as Lambda kills it, and the next starts cold; events: the triggers it receives;
  lambda_invoke: lambda:Invoke of the deployed function runs it there (moto
  would need Docker), reserved concurrency's 429 included.
- control: `python -m emulator` moves brokers and sets their states in a
  running emulator from another shell, which no AWS API call can do.
- server: moto over HTTP on 127.0.0.1, so calls go through real serialisation.
"""

from .emulated_aws import EmulatedAws
from .faults import Fault
from .interfaces import AddressInUse
from .server import MotoServer

__all__ = ["AddressInUse", "EmulatedAws", "Fault", "MotoServer"]
