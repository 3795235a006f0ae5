"""Delivering provider webhooks to our endpoints in tests, as the providers would."""

from django.urls import reverse


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
