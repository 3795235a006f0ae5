"""KYC through the API: documents checked from their content and kept encrypted, the tier's
limits shown and enforced at quote and at transfer creation, also under concurrency."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from compliance import vault
from compliance.kyc import document_request_another, document_review
from compliance.models import KycDocument
from payments.errors import NotAllowedNow
from payments.models import Customer, Transfer
from tests.api.conftest import Api, quote, recipient, sign_up
from tests.races import race

pytestmark = pytest.mark.usefixtures("corridors")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 100


def upload(api, content, kind="passport", name="id.jpg"):
    return api.client.post(
        "/api/v1/kyc/documents",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


@pytest.fixture
def newcomer(client) -> Api:
    api = Api(client)
    api.account = sign_up(api, verified=False)
    api.token = api.account["access_token"]
    return api


def test_a_document_is_checked_stored_encrypted_and_puts_the_review_pending(newcomer, settings):
    answer = upload(newcomer, JPEG)
    assert answer.status_code == 201, answer.json()
    kyc = answer.json()
    assert (kyc["kyc_tier"], kyc["kyc_status"]) == (0, "pending")
    (doc,) = kyc["documents"]
    assert (doc["kind"], doc["content_type"], doc["status"]) == (
        "passport",
        "image/jpeg",
        "pending",
    )
    stored = KycDocument.objects.get()
    on_disk = Path(settings.PRIVATE_MEDIA_ROOT, stored.stored_name).read_bytes()
    assert JPEG not in on_disk and vault.read(stored.stored_name) == JPEG
    assert newcomer.get("/kyc").json() == kyc
    assert upload(newcomer, PDF, kind="proof_of_address", name="bill.pdf").status_code == 201


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"MZ\x90\x00 not an image", 415, "unsupported_file"),  # named .jpg, content says no
        (b"", 415, "unsupported_file"),
    ],
)
def test_a_document_is_judged_by_its_content(newcomer, content, status, code):
    answer = upload(newcomer, content)
    assert answer.status_code == status and answer.json()["code"] == code
    assert not KycDocument.objects.exists()
    assert Customer.objects.get().kyc_status == "none"


def test_a_document_over_the_size_limit_is_refused(newcomer, settings):
    settings.KYC_DOCUMENT_MAX_BYTES = 100
    answer = upload(newcomer, JPEG)
    assert answer.status_code == 413 and answer.json()["code"] == "file_too_large"


def test_tier_0_may_quote_and_add_recipients_but_not_send(newcomer, stripe_sim):
    q = quote(newcomer, "100.00")
    assert q.status_code == 201
    r = recipient(newcomer)
    answer = newcomer.post("/transfers", {"quote_id": q.json()["id"], "recipient_id": r["id"]},
                           headers={"Idempotency-Key": "t0"})  # fmt: skip
    assert answer.status_code == 422 and answer.json()["code"] == "limit_exceeded"
    assert "verify your identity" in answer.json()["detail"]
    assert not Transfer.objects.exists()
    limits = newcomer.get("/me/limits").json()
    assert limits["kyc_tier"] == 0 and limits["can_send_now"]["amount"] == "0.00"


def test_limits_are_shown_and_enforced_at_quote_and_at_transfer(sender, stripe_sim):
    limits = sender.get("/me/limits").json()
    assert limits["per_transfer"] == {"amount": "1000.00", "currency": "EUR"}
    assert limits["remaining_30_days"]["amount"] == "2000.00"
    too_big = quote(sender, "1000.01")
    assert too_big.status_code == 422 and too_big.json()["code"] == "limit_exceeded"
    r = recipient(sender)
    for key in ("a", "b"):
        q = quote(sender, "1000.00").json()
        made = sender.post("/transfers", {"quote_id": q["id"], "recipient_id": r["id"]},
                           headers={"Idempotency-Key": key})  # fmt: skip
        assert made.status_code == 201
    assert sender.get("/me/limits").json()["remaining_30_days"]["amount"] == "0.00"
    third = quote(sender, "10.00")
    assert third.status_code == 422 and "30-day" in third.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_limits_hold_when_transfers_are_created_at_once(sender, stripe_sim):
    r = recipient(sender)
    quotes = [quote(sender, "800.00").json()["id"] for _ in range(4)]  # 4 x 800 > 2000 a month

    def create(i):
        def post():
            api = Api(Client(), sender.token)
            return api.post("/transfers", {"quote_id": quotes[i], "recipient_id": r["id"]},
                            headers={"Idempotency-Key": f"race-{i}"})  # fmt: skip

        return post

    answers = race(*[create(i) for i in range(4)])
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 201, 422, 422], codes
    assert Transfer.objects.count() == 2


def test_a_rejected_document_is_shown_and_the_sender_still_cannot_send(newcomer, stripe_sim):
    upload(newcomer, JPEG)
    document = KycDocument.objects.get()
    with pytest.raises(NotAllowedNow):
        document_review(document_id=document.pk, accept=False, reason="")  # a reason is owed
    document_review(document_id=document.pk, accept=False, reason="document expired")
    kyc = newcomer.get("/kyc").json()
    assert kyc["kyc_status"] == "rejected" and kyc["documents"][0]["reason"] == "document expired"
    with pytest.raises(NotAllowedNow):
        document_review(document_id=document.pk, accept=True)  # decided once
    q = quote(newcomer, "50.00").json()
    r = recipient(newcomer)
    refused = newcomer.post("/transfers", {"quote_id": q["id"], "recipient_id": r["id"]},
                            headers={"Idempotency-Key": "rejected"})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["code"] == "limit_exceeded"
    upload(newcomer, PDF, kind="national_id", name="id.pdf")  # a new document, a new review
    assert newcomer.get("/kyc").json()["kyc_status"] == "pending"


def test_asked_for_another_document_the_sender_sees_why_and_sends_again(newcomer):
    upload(newcomer, JPEG)
    document = KycDocument.objects.get()
    document_request_another(document_id=document.pk, reason="The document is unreadable.",
                             wanted="passport")  # fmt: skip
    kyc = newcomer.get("/kyc").json()
    assert kyc["kyc_status"] == "more_needed"
    assert kyc["documents"][0]["status"] == "more_needed"
    assert kyc["documents"][0]["reason"] == "The document is unreadable. Please send: Passport."
    with pytest.raises(NotAllowedNow):
        document_review(document_id=document.pk, accept=True)  # this one is decided
    upload(newcomer, PDF, kind="passport", name="passport.pdf")
    assert newcomer.get("/kyc").json()["kyc_status"] == "pending"


def test_limit_messages_follow_the_senders_language(sender):
    answer = sender.post(
        "/quotes",
        {"corridor": "fr-sn", "payout_provider": "wave",
         "send_amount": {"amount": "1500.00", "currency": "EUR"}},
        headers={"Accept-Language": "fr"},
    )  # fmt: skip
    assert answer.json()["detail"] == "votre limite est de 1000.00 EUR par transfert"
    assert answer.json()["title"] == "Requête invalide"
