"""The whole journey of a sender through HTTP only, as the mobile app makes it: register,
sign in, add and check a recipient, quote, create a transfer, have the sandbox pay it, and
watch it reach paid_out. The Stripe simulator's signed webhook reaches our real intake."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.kyc import document_review
from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt
from payments.payouts import poll_due_payouts
from tests import factories as f
from tests.api.conftest import sign_up
from tests.webhooks import deliver

pytestmark = pytest.mark.usefixtures("corridors")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_register_to_paid_out_through_the_api(anon, stripe_sim):
    account = sign_up(anon, verified=False)
    api = anon
    api.token = account["access_token"]
    assert api.get("/me").json()["kyc_tier"] == 0
    passport = SimpleUploadedFile("passport.jpg", JPEG, content_type="image/jpeg")
    uploaded = api.client.post("/api/v1/kyc/documents", {"kind": "passport", "file": passport},
                               HTTP_AUTHORIZATION=f"Bearer {api.token}")  # fmt: skip
    assert uploaded.status_code == 201 and uploaded.json()["kyc_status"] == "pending"
    # A compliance officer accepts it in the console.
    document_review(document_id=uploaded.json()["documents"][0]["id"], accept=True, tier=1)
    kyc = api.get("/kyc").json()
    assert (kyc["kyc_tier"], kyc["kyc_status"]) == (1, "verified")
    assert kyc["documents"][0]["status"] == "accepted"

    recipient = api.post(
        "/recipients",
        {
            "first_name": "Moussa",
            "last_name": "Ndiaye",
            "country": "SN",
            "phone": "+221 77 123 45 57",
        },
    ).json()
    assert recipient["provider"] in ("wave", "orange_money")
    assert api.post(f"/recipients/{recipient['id']}/verify").status_code == 200
    quote = api.post(
        "/quotes",
        {
            "corridor": "fr-sn",
            "payout_provider": recipient["provider"],
            "send_amount": {"amount": "150.00", "currency": "EUR"},
        },
    ).json()
    created = api.post("/transfers", {"quote_id": quote["id"], "recipient_id": recipient["id"],
                                      "purpose": "family_support"},
                       headers={"Idempotency-Key": "journey-1"})  # fmt: skip
    assert created.status_code == 201
    transfer = created.json()
    assert transfer["funding_instructions"]["amount"] == quote["total"]

    funded = api.post(f"/sandbox/transfers/{transfer['id']}/fund")
    assert funded.status_code == 202
    for event in stripe_sim.sent:  # what Stripe sends to our webhook endpoint
        deliver(api.client, stripe_sim, event)
    f.run_jobs()  # the cluster's work: webhook, checks, payout

    PayoutAttempt.objects.update(next_check_at=timezone.now())  # the poller's next round
    poll_due_payouts()

    final = api.get(f"/transfers/{transfer['id']}").json()
    assert final["status"] == "paid_out"
    statuses = [e["status"] for e in final["events"]]
    assert statuses == ["created", "funded", "payout_pending", "payout_submitted", "paid_out"]
    assert all(e["reason"] for e in final["events"])
    assert check_ledger().ok


def test_the_sandbox_helper_is_a_404_when_the_sandbox_is_off(sender, stripe_sim, settings):
    settings.SANDBOX_API = False
    assert sender.post("/sandbox/transfers/1/fund").status_code == 404
