"""Corridors, quotes, recipients and transfers through HTTP, as the app calls them."""

import pytest

from payments.models import IdempotencyRecord, Recipient, Transfer
from tests.api.conftest import WALLET_SN, quote, recipient

pytestmark = pytest.mark.usefixtures("corridors")


def test_corridors_list_where_one_can_send_with_money_as_strings(sender):
    corridors = {c["code"]: c for c in sender.get("/corridors").json()}
    sn = corridors["fr-sn"]
    assert sn["destination_currency"] == "XOF" and "wave" in sn["payout_providers"]
    assert sn["min_send"]["currency"] == "EUR" and "." in sn["min_send"]["amount"]


def test_a_quote_by_send_or_receive_amount(sender):
    by_send = quote(sender)
    assert by_send.status_code == 201
    q = by_send.json()
    assert q["send_amount"] == {"amount": "100.00", "currency": "EUR"}
    assert q["receive_amount"]["currency"] == "XOF" and "." not in q["receive_amount"]["amount"]
    assert q["total"]["amount"] == f"{100 + float(q['fee']['amount']):.2f}"
    assert sender.get(f"/quotes/{q['id']}").json() == q
    by_receive = quote(sender, amount="65596", field="receive_amount", cur="XOF").json()
    assert by_receive["receive_amount"] == {"amount": "65596", "currency": "XOF"}


@pytest.mark.parametrize(
    ("amount", "cur", "code"),
    [
        ("100.001", "EUR", "invalid_amount"),  # more decimals than EUR has
        ("100.5", "XOF", "invalid_amount"),  # wrong currency for the send amount
        ("0.01", "EUR", "invalid_amount"),  # below the corridor minimum
        ("-5", "EUR", "validation_error"),
        ("1e3", "EUR", "validation_error"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_problem(sender, amount, cur, code):
    answer = quote(sender, amount=amount, cur=cur)
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.json()


def test_recipients_are_validated_listed_changed_and_removed(sender):
    bad = sender.post("/recipients", {"first_name": "A", "last_name": "B", "country": "SN",
                                      "phone": "+33612345678"})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_recipient"
    made = recipient(sender)
    assert made["phone"] == WALLET_SN and made["provider"] == "wave"
    assert [r["id"] for r in sender.get("/recipients").json()] == [made["id"]]
    changed = sender.patch(f"/recipients/{made['id']}", {"first_name": "Moussa Ibrahima"})
    assert changed.json()["first_name"] == "Moussa Ibrahima"
    assert sender.delete(f"/recipients/{made['id']}").status_code == 204
    assert sender.get("/recipients").json() == []
    assert sender.get(f"/recipients/{made['id']}").status_code == 404
    assert Recipient.objects.filter(pk=made["id"]).exists()  # kept for history
    assert recipient(sender)["id"] != made["id"]  # the same wallet may be added again


def test_recipient_check_with_the_provider(sender):
    wave = recipient(sender)
    assert sender.post(f"/recipients/{wave['id']}/verify").json() == {
        "result": "unavailable", "holder_name": None,
    }  # fmt: skip


def create(api, q, r, key="key-1", **extra):
    body = {"quote_id": q["id"], "recipient_id": r["id"], "purpose": "family_support", **extra}
    return api.post("/transfers", body, headers={"Idempotency-Key": key} if key else None)


def test_a_transfer_is_created_once_per_idempotency_key(sender, stripe_sim):
    q, r = quote(sender).json(), recipient(sender)
    first = create(sender, q, r)
    assert first.status_code == 201, first.json()
    t = first.json()
    assert t["status"] == "created" and t["reference"].startswith("MB-")
    shown = t["funding_instructions"]
    assert shown["method"] == "sepa_transfer" and shown["iban"] and shown["reference"]
    assert shown["amount"] == t["total"]
    again = create(sender, q, r)
    assert again.status_code == 200 and again.json()["id"] == t["id"]
    other_body = create(sender, q, r, purpose="gift")
    assert other_body.status_code == 409 and other_body.json()["code"] == "idempotency_key_reused"
    no_key = create(sender, q, r, key=None)
    assert no_key.status_code == 422
    assert Transfer.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_a_refused_transfer_writes_nothing_and_the_key_may_be_used_again(sender, stripe_sim):
    q, r = quote(sender).json(), recipient(sender)
    refused = create(sender, q, r, funding_method="sepa_debit", iban="DE00 1234")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_iban"
    assert not Transfer.objects.exists() and not IdempotencyRecord.objects.exists()
    ok = create(sender, q, r, funding_method="sepa_debit", iban="DE89370400440532013000")
    assert ok.status_code == 201
    assert ok.json()["status"] == "funding"
    assert ok.json()["funding_instructions"]["debited_iban_last4"] == "3000"


def test_transfers_list_newest_first_with_a_cursor_and_a_status_filter(sender, stripe_sim):
    r = recipient(sender)
    made = [create(sender, quote(sender).json(), r, key=f"k{i}").json()["id"] for i in range(5)]
    sender.post(f"/transfers/{made[0]}/cancel")
    page = sender.get("/transfers?limit=2").json()
    assert [t["id"] for t in page["items"]] == made[:-3:-1]
    seen = [t["id"] for t in page["items"]]
    while page["next_cursor"]:
        page = sender.get(f"/transfers?limit=2&cursor={page['next_cursor']}").json()
        seen += [t["id"] for t in page["items"]]
    assert seen == made[::-1]
    cancelled = sender.get("/transfers?status=cancelled").json()["items"]
    assert [t["id"] for t in cancelled] == [made[0]]
    assert sender.get("/transfers?cursor=!!").status_code in (404, 422)


def test_cancel_while_awaiting_funds_only(sender, stripe_sim):
    t = create(sender, quote(sender).json(), recipient(sender)).json()
    done = sender.post(f"/transfers/{t['id']}/cancel")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = sender.post(f"/transfers/{t['id']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "not_cancellable"
    detail = sender.get(f"/transfers/{t['id']}").json()
    assert [e["status"] for e in detail["events"]] == ["created", "cancelled"]


def test_refusals_read_in_french_when_asked(sender):
    answer = sender.post(
        "/recipients",
        {"first_name": "A", "last_name": "B", "country": "SN", "phone": "+33612345678"},
        headers={"Accept-Language": "fr"},
    )
    assert answer.json()["detail"] == "'+33612345678' n'est pas un numéro de SN"
    too_small = sender.post(
        "/quotes",
        {"corridor": "fr-sn", "payout_provider": "wave",
         "send_amount": {"amount": "0.01", "currency": "EUR"}},
        headers={"Accept-Language": "fr"},
    )  # fmt: skip
    assert too_small.json()["detail"].startswith("sur fr-sn, on peut envoyer de 5.00 à")
