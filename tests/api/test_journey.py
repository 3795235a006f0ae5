"""The whole journey of a sender through HTTP only, as the mobile app makes it: register,
sign in, add and check a recipient, quote, create a transfer, have the sandbox pay it, and
watch it reach paid_out. The Stripe simulator's signed webhook reaches our real intake."""

import pytest

from payments.ledger_check import check_ledger
from tests import factories as f
from tests.api.conftest import sign_up
from tests.webhooks import deliver

pytestmark = pytest.mark.usefixtures("corridors")


def test_register_to_paid_out_through_the_api(anon, stripe_sim):
    account = sign_up(anon)
    api = anon
    api.token = account["access_token"]
    me = api.get("/me").json()
    assert me["kyc_status"] == "verified"

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

    final = api.get(f"/transfers/{transfer['id']}").json()
    assert final["status"] in ("payout_submitted", "paid_out")
    statuses = [e["status"] for e in final["events"]]
    assert statuses[:4] == ["created", "funded", "payout_pending", "payout_submitted"]
    assert all(e["reason"] for e in final["events"])
    assert check_ledger().ok


def test_the_sandbox_helper_is_a_404_when_the_sandbox_is_off(sender, stripe_sim, settings):
    settings.SANDBOX_API = False
    assert sender.post("/sandbox/transfers/1/fund").status_code == 404
