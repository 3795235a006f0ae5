"""Webhook intake through the real URL: verified, stored once, processed by a job; forged,
stale, malformed and replayed deliveries change nothing."""

import json
import time

import pytest
import stripe
from django.urls import reverse

from payments.ledger_check import check_ledger
from payments.models import IncomingPayment, Transfer
from payments.states import TransferStatus as S
from providers.models import WebhookEvent
from providers.webhooks import wave_signature
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors", "fresh_rates")
SECRET = "whsec_test_secret"
E = WebhookEvent.Status


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.WAVE_WEBHOOK_SECRETS = ["wave_sn_WHS_new", "wave_sn_WHS_old"]


def stripe_event(t, event_id="evt_1", amount=None):
    return json.dumps(
        {
            "id": event_id,
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": f"pi_{t.reference}",
                    "object": "payment_intent",
                    "amount": t.total_minor,
                    "amount_received": t.total_minor if amount is None else amount,
                    "currency": "eur",
                    "metadata": {"transfer_reference": t.reference},
                }
            },
        }
    )


def post_stripe(client, body: str, *, secret=SECRET, timestamp=None):
    sig = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return client.post(
        reverse("webhook", args=["stripe"]),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sig,
    )


def test_a_signed_payment_funds_its_transfer_once_even_when_delivered_twice(client):
    t = f.transfer()
    body = stripe_event(t)
    assert post_stripe(client, body).json() == {"received": True}
    assert post_stripe(client, body).json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.filter(status=E.RECEIVED).count() == 1
    assert f.run_jobs()[0] == "payments.tasks.process_webhook"  # then checks and payout
    event = WebhookEvent.objects.get(event_id="evt_1")
    assert event.status == E.PROCESSED and "applied" in event.reason
    t = Transfer.objects.get(pk=t.pk)
    assert t.funded_at is not None and t.status == S.PAYOUT_SUBMITTED
    assert check_ledger().ok


def test_the_same_payment_in_two_different_events_is_booked_once(client):
    t = f.transfer()
    post_stripe(client, stripe_event(t, "evt_a"))
    post_stripe(client, stripe_event(t, "evt_b"))
    f.run_jobs()
    assert IncomingPayment.objects.count() == 1
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {E.PROCESSED}


@pytest.mark.parametrize("case", ["forged", "stale", "no-signature", "not-json"])
def test_unverified_deliveries_are_refused_kept_and_change_nothing(client, case):
    t = f.transfer()
    body = stripe_event(t)
    if case == "forged":
        response = post_stripe(client, body, secret="whsec_attacker")
    elif case == "stale":
        response = post_stripe(client, body, timestamp=int(time.time()) - 3600)
    elif case == "not-json":
        response = post_stripe(client, "{not json")
    else:
        response = client.post(
            reverse("webhook", args=["stripe"]), body, content_type="application/json"
        )
    assert response.status_code == 400
    event = WebhookEvent.objects.get()
    assert event.status == E.REJECTED and event.reason
    assert f.run_jobs() == []
    assert Transfer.objects.get(pk=t.pk).status == S.CREATED


def test_an_underpayment_is_kept_as_unmatched_money(client):
    t = f.transfer()
    post_stripe(client, stripe_event(t, amount=t.total_minor - 100))
    f.run_jobs()
    assert IncomingPayment.objects.get().status == IncomingPayment.Status.UNMATCHED
    assert Transfer.objects.get(pk=t.pk).status == S.CREATED
    assert check_ledger().ok


def test_events_we_do_not_act_on_are_acknowledged_and_marked_ignored(client):
    body = json.dumps({"id": "evt_x", "type": "customer.created", "data": {"object": {}}})
    assert post_stripe(client, body).status_code == 200
    f.run_jobs()
    assert WebhookEvent.objects.get().status == E.IGNORED


def test_only_post_and_known_providers(client):
    assert client.get(reverse("webhook", args=["stripe"])).status_code == 405
    assert client.post(reverse("webhook", args=["paypal"])).status_code == 404


def wave_post(client, body: bytes, secret="wave_sn_WHS_old", timestamp=None, dot=False):
    ts = timestamp or int(time.time())
    signed = body if not dot else b"." + body
    sig = wave_signature(secret, ts, signed)
    return client.post(
        reverse("webhook", args=["wave"]),
        body,
        content_type="application/json",
        HTTP_WAVE_SIGNATURE=f"t={ts},v1={sig}",
    )


def test_wave_signature_is_timestamp_then_body_without_separator(client):
    body = json.dumps({"id": "EV_1", "type": "merchant.payment_received", "data": {}}).encode()
    assert wave_post(client, body).status_code == 200  # the previous secret still works
    assert wave_post(client, body, dot=True).status_code == 400  # Stripe's scheme is refused
    assert wave_post(client, body, secret="nope").status_code == 400
    assert wave_post(client, body, timestamp=int(time.time()) - 3600).status_code == 400
    statuses = sorted(WebhookEvent.objects.values_list("status", flat=True))
    assert statuses == [E.RECEIVED, E.REJECTED, E.REJECTED, E.REJECTED]


def test_a_callback_claiming_success_is_checked_with_the_provider_first(client):
    t = f.funded_transfer(corridor="fr-gh", provider="mtn_momo", scenario="pending")
    f.run_jobs()
    attempt = t.attempts.get()
    claim = {"externalId": attempt.reference, "status": "SUCCESSFUL", "amount": "1"}
    response = client.post(
        reverse("webhook", args=["mtn-momo"]), json.dumps(claim), content_type="application/json"
    )
    assert response.status_code == 200
    ran = f.run_jobs()
    assert ran == ["payments.tasks.process_webhook", "payments.tasks.payout_check"]
    # The provider's own status says pending: the callback's claim changes nothing.
    assert Transfer.objects.get(pk=t.pk).status == S.PAYOUT_SUBMITTED
    assert "status check queued" in WebhookEvent.objects.get().reason
    assert check_ledger().ok


def test_callbacks_without_a_reference_or_token_are_refused(client, settings):
    url = reverse("webhook", args=["orange-money"])
    assert client.post(url, "{}", content_type="application/json").status_code == 400
    settings.PROVIDER_CALLBACK_TOKEN = "cb-secret"
    body = json.dumps({"reference": "MB-X-1", "status": "SUCCESS"})
    assert client.post(url, body, content_type="application/json").status_code == 400
    ok = client.post(url, body, content_type="application/json", HTTP_X_CALLBACK_TOKEN="cb-secret")
    assert ok.status_code == 200
