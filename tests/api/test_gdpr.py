"""The right of access: the export holds every personal field we keep about the sender and
their recipients, and nothing that would tip them off or leak a secret."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accounts.models import ApiSession
from compliance.cases import case_add_note, case_attach, case_for_customer
from compliance.gdpr import gdpr_purge_due
from compliance.models import GdprRequest, KycDocument
from payments.models import Customer, Recipient, Transfer
from tests.api.conftest import PASSWORD, WALLET_SN, quote, recipient

pytestmark = pytest.mark.usefixtures("corridors")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEXT_TYPES = ("character varying", "text", "jsonb")
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


def test_erasure_waits_for_transfers_in_flight(sender, stripe_sim):
    to = recipient(sender)
    q = quote(sender, "50.00").json()
    sender.post("/transfers", {"quote_id": q["id"], "recipient_id": to["id"]},
                headers={"Idempotency-Key": "gdpr-busy"})  # fmt: skip
    refused = sender.post("/me/erasure")
    assert refused.status_code == 409 and refused.json()["code"] == "transfers_in_flight"


def test_erasure_closes_the_account_keeps_aml_records_then_purges_them(
    sender, stripe_sim, settings
):
    to = recipient(sender)
    q = quote(sender, "50.00").json()
    t = sender.post("/transfers", {"quote_id": q["id"], "recipient_id": to["id"]},
                    headers={"Idempotency-Key": "gdpr-2"}).json()  # fmt: skip
    sender.post(f"/transfers/{t['id']}/cancel")
    sender.client.post(
        "/api/v1/kyc/documents",
        {"kind": "passport", "file": SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {sender.token}",
    )
    me = Customer.objects.get(pk=sender.account["id"])
    document = KycDocument.objects.get()

    answer = sender.post("/me/erasure")
    assert answer.status_code == 202
    me.refresh_from_db()
    assert answer.json()["retention_until"] == me.retention_until.isoformat()
    assert me.retention_until.year == timezone.now().year + 5
    assert sender.get("/me").status_code == 401  # signed out everywhere
    again = sender.post("/auth/token", {"email": sender.account["email"], "password": PASSWORD},
                        token="")  # fmt: skip
    assert again.status_code == 401
    assert me.phone == "" and me.email.endswith("@invalid")
    assert me.first_name == "Awa" and KycDocument.objects.filter(pk=document.pk).exists()

    last_name = me.last_name
    case = case_for_customer(me.pk)  # an investigation that quotes the person
    staff = User.objects.create_user("analyst", is_staff=True)
    case_add_note(case_id=case.pk, text=f"{me.full_name} explained the transfers", actor=staff)
    attached = case_attach(case_id=case.pk, name="payslip.jpg", content=JPEG, actor=staff)

    assert gdpr_purge_due(today=me.retention_until - timedelta(days=1)) == 0
    assert gdpr_purge_due(today=me.retention_until) == 1
    me.refresh_from_db()
    assert (me.first_name, me.last_name, me.birth_date) == ("erased", "erased", None)
    assert not KycDocument.objects.exists()
    assert not Path(settings.PRIVATE_MEDIA_ROOT, attached.stored_name).exists()
    personal = [sender.account["email"], last_name, "+33612345678", WALLET_SN, "Moussa"]
    assert rows_mentioning(personal) == []
    assert not Path(settings.PRIVATE_MEDIA_ROOT, document.stored_name).exists()
    assert set(Recipient.objects.filter(customer=me).values_list("first_name", "phone")) == {
        ("erased", "")
    }
    assert not Transfer.objects.filter(customer=me).exclude(payout_msisdn="").exists()
    assert not Customer.history.filter(id=me.pk).exists()
    assert not Recipient.history.filter(customer_id=me.pk).exists()
    assert not ApiSession.objects.filter(customer=me).exists()
    # The records the law keeps are still there, without the person: amounts, dates, ledger.
    assert Transfer.objects.filter(customer=me).count() == 1
    kinds = list(GdprRequest.objects.filter(customer=me).values_list("kind", flat=True))
    assert sorted(kinds) == ["erasure", "purge"]


def rows_mentioning(needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) of the whole database where a piece of personal data is
    still written: new tables are searched without anyone remembering to add them here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    [f"%{needle}%"],
                )
                if cursor.fetchone():
                    found.append((table, column, needle))
    return found
