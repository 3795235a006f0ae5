"""The right of access: the export holds every personal field we keep about the sender and
their recipients, and nothing that would tip them off or leak a secret."""

import json

import pytest

from payments.models import Customer, Recipient
from tests.api.conftest import quote, recipient

pytestmark = pytest.mark.usefixtures("corridors")
PERSONAL = {
    Customer: ["email", "first_name", "last_name", "phone", "country", "birth_date",
               "nationality"],
    Recipient: ["first_name", "last_name", "country", "phone", "provider"],
}  # fmt: skip


def test_the_export_holds_every_personal_field_and_no_secret(sender, stripe_sim):
    to = recipient(sender)
    q = quote(sender, "50.00").json()
    sender.post("/transfers", {"quote_id": q["id"], "recipient_id": to["id"]},
                headers={"Idempotency-Key": "gdpr-1"})  # fmt: skip
    answer = sender.get("/me/data")
    assert answer.status_code == 200
    data = answer.json()
    me = Customer.objects.get(pk=data["customer"]["id"])
    for field in PERSONAL[Customer]:
        value = getattr(me, field)
        assert data["customer"][field] == (
            value.isoformat() if hasattr(value, "isoformat") else value
        )
    (exported,) = data["recipients"]
    for field in PERSONAL[Recipient]:
        assert exported[field] == getattr(Recipient.objects.get(pk=to["id"]), field)
    (transfer,) = data["transfers"]
    assert transfer["payout_msisdn"] == to["phone"] and transfer["events"]
    assert data["sessions"] and "access_digest" not in data["sessions"][0]
    text = json.dumps(data)
    assert "digest" not in text and "screening" not in data and "monitoring_alerts" not in data


def test_another_sender_gets_only_their_own(sender, other_sender, stripe_sim):
    recipient(sender)
    assert other_sender.get("/me/data").json()["recipients"] == []
