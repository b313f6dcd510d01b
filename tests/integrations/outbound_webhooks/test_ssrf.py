"""The SSRF guard: only public addresses, checked when an endpoint is registered and at every attempt."""

import re

import pytest

from common.errors import ApplicationError
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.outbound import services as outbound
from tests.integrations.outbound_webhooks.conftest import OWNER

pytestmark = pytest.mark.django_db

PUBLIC_ONLY = "Webhooks are only sent to addresses on the public internet."


@pytest.fixture(autouse=True)
def nothing_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    settings.WEBHOOK_REQUIRE_HTTPS = True


def register(url: str):
    return outbound.endpoint_create(**OWNER, url=url, event_types=["application.created"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # Names and spellings that all reach loopback.
        ("https://localhost/hooks", "localhost resolves to 127.0.0.1, a loopback address."),
        ("https://127.1/hooks", "127.1 resolves to 127.0.0.1, a loopback address."),
        ("https://2130706433/hooks", "2130706433 resolves to 127.0.0.1, a loopback address."),
        ("https://0x7f000001/hooks", "0x7f000001 resolves to 127.0.0.1, a loopback address."),
        ("https://127.0.0.1:8443/hooks", "127.0.0.1 is a loopback address."),
        ("https://[::1]/hooks", "::1 is a loopback address."),
        # Private, shared, link-local, multicast, unspecified.
        ("https://10.1.2.3/", "10.1.2.3 is a private address."),
        ("https://172.16.0.9/", "172.16.0.9 is a private address."),
        ("https://192.168.1.10/", "192.168.1.10 is a private address."),
        ("https://[fd12:3456::1]/", "fd12:3456::1 is a private address."),
        ("https://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address."),
        ("https://169.254.10.10/", "169.254.10.10 is a link-local address."),
        ("https://[fe80::1]/", "fe80::1 is a link-local address."),
        ("https://224.0.0.251/", "224.0.0.251 is a multicast address."),
        ("https://[ff02::1]/", "ff02::1 is a multicast address."),
        ("https://0.0.0.0/", "0.0.0.0 is an unspecified address."),
        ("https://[::]/", ":: is an unspecified address."),
        # Cloud metadata.
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address."),
        ("https://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address."),
        # IPv4 inside IPv6 is unwrapped first.
        ("https://[::ffff:127.0.0.1]/", "::ffff:7f00:1 (that is 127.0.0.1) is a loopback address."),
        (
            "https://[::ffff:169.254.169.254]/",
            "::ffff:a9fe:a9fe (that is 169.254.169.254) is a cloud metadata address.",
        ),
        ("https://[::10.0.0.1]/", "::a00:1 (that is 10.0.0.1) is a private address."),
        ("https://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1 (that is 127.0.0.1) is a loopback address."),
        ("https://[2002:c0a8:101::1]/", "2002:c0a8:101::1 (that is 192.168.1.1) is a private address."),
    ],
)
def test_registration_refuses_addresses_off_the_public_internet(url, message):
    with pytest.raises(ApplicationError, match="^" + re.escape(message)) as refused:
        register(url)

    assert refused.value.extra["fields"]["url"] == [f"{message} {PUBLIC_ONLY}"]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://203.0.113.10/hooks", "The address must start with https://: webhooks carry applicants' data."),
        ("ftp://example.com/", "Give a full address that starts with https://, e.g. https://ats.example.com/webhooks."),
        ("https://user:secret@example.com/", "Leave the user name and password out of the address"),
        ("https://no-such-host.invalid/", "The name no-such-host.invalid does not resolve to any address."),
    ],
)
def test_registration_refuses_other_unusable_addresses(url, message):
    with pytest.raises(ApplicationError, match=re.escape(message)):
        register(url)
    assert not Endpoint.objects.exists()


def test_allowed_networks_are_the_only_way_through_but_never_for_metadata(settings, receiver):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "169.254.0.0/16"]
    settings.WEBHOOK_REQUIRE_HTTPS = False

    endpoint, _ = register(receiver.url)

    assert endpoint.url == receiver.url
    with pytest.raises(ApplicationError, match="169.254.169.254 is a cloud metadata address"):
        register("http://169.254.169.254/")


def test_every_attempt_is_checked_again_and_a_refusal_is_logged(settings, receiver):
    """An endpoint that was fine when registered but no longer is (here: the allowance is gone) is not
    called; the delivery log says why."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    register(receiver.url)
    outbound.event_emit(**OWNER, type="application.created", data={})
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    outbound.delivery_attempt(delivery_id=Delivery.objects.get().pk)

    attempt = Delivery.objects.get().attempts.get()
    assert attempt.error == f"Not sent: 127.0.0.1 is a loopback address. {PUBLIC_ONLY}"
    assert attempt.status_code is None
    assert receiver.requests == []


def test_a_name_is_resolved_and_the_connection_pinned_to_the_checked_address(settings, receiver):
    """`localhost` (127.0.0.1 and ::1) passes only when every address it resolves to is allowed; the request
    then goes to the checked address with the name kept in the Host header."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    url = receiver.url.replace("127.0.0.1", "localhost")
    from integrations.webhooks.outbound import ssrf

    addresses = ssrf.resolve("localhost", 80)
    if "::1" in addresses:
        with pytest.raises(ApplicationError, match="localhost resolves to ::1, a loopback address"):
            register(url)
        settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    register(url)
    outbound.event_emit(**OWNER, type="application.created", data={})
    if addresses[0] == "::1":
        pytest.skip("localhost resolves to ::1 first here; the receiver listens on 127.0.0.1 only")

    outbound.delivery_attempt(delivery_id=Delivery.objects.get().pk)

    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.server.server_address[1]}"


def test_a_redirect_to_a_private_address_is_refused(settings, receiver):
    """The receiver answers 302 to the metadata address: the attempt fails and nothing follows it."""
    from tests.integrations.outbound_webhooks.receiver import Answer

    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    register(receiver.url)
    receiver.answers = [Answer(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})]
    outbound.event_emit(**OWNER, type="application.created", data={})

    outbound.delivery_attempt(delivery_id=Delivery.objects.get().pk)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING  # retried later, never redirected
    assert delivery.last_error.startswith("Answered 302 with a redirect to http://169.254.169.254/latest/meta-data/.")
    assert len(receiver.requests) == 1
