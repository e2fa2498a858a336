"""The endpoint's certificate: created and validated through a public zone, or given; never a deploy that waits for
hours.

ACM validates DNS only through public DNS: a validation record in a private
hosted zone never validates, and CloudFormation waits on the certificate
until it times out (docs/sources.md). The template's Rules refuse, before
anything is created, the combinations that can never validate or that show a
misunderstanding; each case below is what a deployer would type.
"""

from typing import Any

import pytest
import samstack

ALIAS_ZONE = samstack.REQUIRED["HostedZoneId"]
PUBLIC_ZONE = "Z0PUBLICZONE1234567"  # the public half of a split-horizon pair
GIVEN_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
NEVER_VALIDATES = "ACM never validates a certificate through a private zone"
IGNORED_ZONE = "CertificateValidationZoneId only validates a certificate this stack creates"


def validation_zone(stack: samstack.Stack) -> str:
    (option,) = stack.properties("Certificate")["DomainValidationOptions"]
    assert option["DomainName"] == samstack.REQUIRED["EndpointName"]
    return str(option["HostedZoneId"])


def alias_zones(stack: samstack.Stack) -> set[str]:
    return {r["Properties"]["HostedZoneId"] for r in stack.of_type("AWS::Route53::RecordSet").values()}


def listener_certificates(stack: samstack.Stack) -> list[Any]:
    listeners = stack.of_type("AWS::ElasticLoadBalancingV2::Listener").values()
    return [certificate for listener in listeners for certificate in listener["Properties"]["Certificates"]]


def test_a_public_endpoint_creates_its_certificate_and_validates_it_in_its_own_zone(
    default_stack: samstack.Stack,
) -> None:
    certificate = default_stack.properties("Certificate")
    assert (certificate["DomainName"], certificate["ValidationMethod"]) == (samstack.REQUIRED["EndpointName"], "DNS")
    assert validation_zone(default_stack) == ALIAS_ZONE
    assert alias_zones(default_stack) == {ALIAS_ZONE}
    certificates = listener_certificates(default_stack)
    assert certificates and all(c == {"CertificateArn": "<Certificate>"} for c in certificates)


def test_a_public_endpoint_may_validate_in_another_public_zone() -> None:
    stack = samstack.deploy(CertificateValidationZoneId=PUBLIC_ZONE)
    assert validation_zone(stack) == PUBLIC_ZONE and alias_zones(stack) == {ALIAS_ZONE}


def test_split_horizon_dns_puts_the_alias_in_the_private_zone_and_validates_in_the_public_one() -> None:
    stack = samstack.deploy(
        LoadBalancerScheme="internal", CertificateValidationZoneId=PUBLIC_ZONE, IpAddressType="dualstack"
    )
    assert validation_zone(stack) == PUBLIC_ZONE
    assert alias_zones(stack) == {ALIAS_ZONE}, "both the A and the AAAA record stay private"


def test_an_internal_endpoint_may_say_its_own_zone_is_public() -> None:
    stack = samstack.deploy(LoadBalancerScheme="internal", CertificateValidationZoneId=ALIAS_ZONE)
    assert validation_zone(stack) == ALIAS_ZONE


def test_an_internal_endpoint_with_a_given_certificate_needs_no_validation_zone() -> None:
    stack = samstack.deploy(LoadBalancerScheme="internal", CertificateArn=GIVEN_CERTIFICATE)
    assert "Certificate" not in stack.resources
    certificates = listener_certificates(stack)
    assert certificates and all(c == {"CertificateArn": GIVEN_CERTIFICATE} for c in certificates)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        # The alias zone of an internal endpoint is most likely private: it would never validate.
        ({"LoadBalancerScheme": "internal"}, NEVER_VALIDATES),
        ({"LoadBalancerScheme": "internal", "IpAddressType": "dualstack"}, NEVER_VALIDATES),
        # Nothing to validate: the deployer expects a validation that will not happen.
        ({"CertificateArn": GIVEN_CERTIFICATE, "CertificateValidationZoneId": PUBLIC_ZONE}, IGNORED_ZONE),
        (
            {
                "LoadBalancerScheme": "internal",
                "CertificateArn": GIVEN_CERTIFICATE,
                "CertificateValidationZoneId": PUBLIC_ZONE,
            },
            IGNORED_ZONE,
        ),
    ],
    ids=["internal-no-zone", "internal-dualstack-no-zone", "given-and-zone", "internal-given-and-zone"],
)
def test_a_combination_that_can_never_validate_is_refused_before_anything_is_created(
    parameters: dict[str, str], message: str
) -> None:
    with pytest.raises(samstack.DeployError, match=message):
        samstack.deploy(**parameters)


def test_the_refusal_tells_the_deployer_what_to_set() -> None:
    with pytest.raises(samstack.DeployError) as refused:
        samstack.deploy(LoadBalancerScheme="internal")
    assert "Set CertificateValidationZoneId" in str(refused.value) and "or give CertificateArn" in str(refused.value)


@pytest.mark.parametrize("zone", ["z0123456789", "Z0123 456789", "/hostedzone/Z0123456789ABC", "Z"])
def test_a_validation_zone_that_is_not_a_zone_id_is_refused(zone: str) -> None:
    with pytest.raises(samstack.DeployError, match="CertificateValidationZoneId"):
        samstack.deploy(CertificateValidationZoneId=zone)
