"""Security: broker credentials never reach the function, its logs or its reports.

What the template tests already prove, and are not repeated here:
- least privilege, no `*` action, only the Describe/GetResources calls on `*`:
  tests/template/test_template_reconciler.py::test_the_role_allows_nothing_but_what_the_reconciler_calls
- RegisterTargets/DeregisterTargets on exactly this stack's groups:
  ...::test_register_and_deregister_are_allowed_on_exactly_the_stacks_target_groups
- TLS-only listeners with a TLS 1.3 policy:
  tests/template/test_template_network.py::test_listeners_are_tls_only_with_a_tls13_policy_and_forward_to_their_own_port
- clients admitted only from their CIDRs by the NLB security group:
  ...::test_clients_reach_only_the_enabled_listener_ports_and_only_from_the_allowed_ranges,
  ...::test_client_prefix_list_holds_exactly_the_given_ranges, ...::test_console_is_never_open_to_everyone
- one run at a time: tests/template/test_template_reconciler.py::test_one_run_at_a_time
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator import Fault, events, faults
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG
from tests.template import samstack

SECRET = "Pa55-w0rd-that-must-never-be-logged"
EMULATOR_PASSWORD = "emulated-password"  # what EmulatedAws.create_broker gives its admin user
# API calls that read credentials or secrets; the reconciler needs none of them.
SECRET_READERS = [
    ("mq", "DescribeUser"),
    ("mq", "ListUsers"),
    ("secretsmanager", faults.ANY),
    ("ssm", faults.ANY),
    ("kms", faults.ANY),
]
SECRET_ACTIONS = ("secretsmanager:", "mq:describeuser", "mq:listusers", "kms:decrypt", "ssm:getparameter")


def test_no_password_reaches_a_log_line_a_metric_or_a_report(endpoint: Endpoint) -> None:
    aws = endpoint.aws
    orders = aws.create_broker("orders", tags=SCOPE_TAG)
    aws.client("mq").create_user(BrokerId=orders, Username="app", Password=SECRET, ConsoleAccess=False, Groups=[])
    payments = aws.create_broker("payments", tags=SCOPE_TAG)
    tripwires = [aws.inject_fault(faults.access_denied(service, operation)) for service, operation in SECRET_READERS]
    # CloudTrail hides passwords; this event is what a careless relay would send.
    unredacted = events.cloudtrail(
        REGION,
        "CreateBroker",
        {"brokerName": "orders", "users": [{"username": "app", "password": SECRET}]},
        {"brokerId": orders, "brokerArn": aws.broker_arn(orders)},
    )
    output: list[Any] = []

    def run(event: Any, *failing: Fault) -> None:
        for fault in failing:
            aws.inject_fault(fault)
        invocation = endpoint.invoke(event)
        for fault in failing:
            aws.remove_fault(fault)
        output.extend([invocation.report, invocation.logs, [m.__dict__ for m in invocation.metrics], invocation.raised])

    run(unredacted)  # the first run of the container: cold start logs too
    run(events.scheduled(REGION), faults.throttling("mq", "DescribeBroker", match=payments))
    run(events.reboot_broker(REGION, orders), faults.access_denied("elbv2", "RegisterTargets"))
    run({"action": "resync", "dryRun": True})
    run({"action": "resync", "password": SECRET})  # rejected: the message names the key, never its value

    text = json.dumps(output, default=str)
    assert orders in text and payments in text and "unknown resync keys" in text, (
        "the output is what the test thinks it is"
    )
    assert SECRET not in text and EMULATOR_PASSWORD not in text
    assert [t.hits for t in tripwires] == [0] * len(tripwires), "no call that could return a credential"


@pytest.fixture(scope="module")
def stack_with_a_demo_broker() -> samstack.Stack:
    """The stack that holds a broker password: the demo broker's generated secret."""
    return samstack.deploy(
        CreateDemoBroker="true",
        DemoBrokerSubnetIdA="subnet-0c1d2e3f4a5b60718",
        DemoBrokerSubnetIdB="subnet-0d2e3f4a5b6c70819",
    )


def test_the_function_may_not_read_a_secret_even_with_one_in_its_stack(
    stack_with_a_demo_broker: samstack.Stack,
) -> None:
    role = stack_with_a_demo_broker.properties("ReconcilerFunctionRole")
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert all("NotAction" not in s and "NotResource" not in s for s in statements), (
        "an Allow with Not* grants what it does not name"
    )
    actions = [
        a.lower()
        for s in statements
        if s["Effect"] == "Allow"
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert not [a for a in actions if a.startswith(SECRET_ACTIONS)]
    assert "DemoBrokerSecret" not in json.dumps(role), "nothing in the role names the broker's secret"
    # AWS-managed policies the role has: logs and traces only.
    assert sorted(role["ManagedPolicyArns"]) == [
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ]


def test_the_function_is_given_no_secret_and_does_not_log_its_events(stack_with_a_demo_broker: samstack.Stack) -> None:
    variables = stack_with_a_demo_broker.properties("ReconcilerFunction")["Environment"]["Variables"]
    assert not any("secretsmanager" in str(value) or "ssm:" in str(value) for value in variables.values())
    # Powertools would log every event whole, request parameters included.
    assert variables.get("POWERTOOLS_LOGGER_LOG_EVENT", "false").lower() == "false"
