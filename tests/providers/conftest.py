import pytest
from django.core.cache import cache
from django.urls import reverse

from providers.sandboxes import server
from providers.sandboxes.stripe import StripeSimulator

STRIPE_SECRET = "whsec_stripe_test"


@pytest.fixture
def serve():
    """Start simulators on free loopback ports: `serve(app)` returns its base URL. All are
    stopped afterwards, and cached provider tokens never leak from one test to the next."""
    cache.clear()
    started = []

    def start(app) -> str:
        srv, _ = server.start(app)
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()
    cache.clear()


@pytest.fixture
def stripe_sim(settings, serve):
    """The Stripe simulator on a free port, the SDK pointed at it; the webhooks it would send
    are kept in `sim.sent` for the test to deliver (and settling happens at once)."""
    sent: list[dict] = []
    sim = StripeSimulator(
        api_key="sk_test_sim", webhook_secret=STRIPE_SECRET, webhook_url="", deliver=sent.append
    )
    settings.STRIPE_API_BASE = serve(sim)
    settings.STRIPE_SECRET_KEY = "sk_test_sim"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    sim.sent = sent
    return sim


def deliver(client, sim, event) -> None:
    """Post one signed Stripe event to our webhook endpoint, as Stripe would."""
    body, signature = sim.signed(event)
    response = client.post(
        reverse("webhook", args=["stripe"]),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 200
