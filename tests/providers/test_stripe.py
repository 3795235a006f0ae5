"""Funding through Stripe's SDK against the loopback Stripe simulator: instructions, the
simulated bank transfer, and the signed webhooks it sends, taken through our real intake."""

import pytest
from django.utils import timezone

from payments.errors import NotAllowedNow
from payments.funding import funding_instructions, funding_return_cash_balance
from payments.ledger import balance
from payments.ledger_check import check_ledger
from payments.models import IncomingPayment, Transfer
from payments.states import TransferStatus as S
from payments.transfers import transfer_expire
from providers import stripe_sepa
from providers.errors import ProviderConfigError
from providers.models import ProviderCall, WebhookEvent
from providers.sandboxes.stripe import nest
from tests import factories as f
from tests.webhooks import deliver

pytestmark = pytest.mark.usefixtures("corridors")


def test_form_encoding_is_read_back_as_the_sdk_wrote_it():
    pairs = [("a[b][c]", "1"), ("list[0]", "x"), ("list[1]", "y"), ("metadata[ref]", "MB")]
    assert nest(pairs) == {"a": {"b": {"c": "1"}}, "list": ["x", "y"], "metadata": {"ref": "MB"}}


def test_instructions_are_asked_once_per_transfer(stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    assert shown["iban"].startswith("DE") and shown["amount_minor"] == t.total_minor
    assert shown["payment_intent"].startswith("pi_") and shown["currency"] == "EUR"
    Transfer.objects.filter(pk=t.pk).update(funding_instructions={})
    again = funding_instructions(transfer_id=t.pk).funding_instructions
    assert again["payment_intent"] == shown["payment_intent"]  # same idempotency key
    assert len(stripe_sim.intents) == 1
    assert set(ProviderCall.objects.values_list("operation", flat=True)) == {
        "create_customer",
        "create_payment_intent",
    }


def test_a_sender_keeps_one_stripe_customer_and_virtual_iban(stripe_sim):
    sender = f.customer()
    first = funding_instructions(transfer_id=f.transfer(sender=sender).pk)
    second = funding_instructions(transfer_id=f.transfer(sender=sender).pk)
    first, second = first.funding_instructions, second.funding_instructions
    assert first["customer"] == second["customer"] != ""
    assert first["payment_intent"] != second["payment_intent"]
    sender.refresh_from_db()
    assert sender.stripe_customer == first["customer"]
    assert len(stripe_sim.customers) == 1
    operations = list(ProviderCall.objects.order_by("id").values_list("operation", flat=True))
    assert operations == ["create_customer", "create_payment_intent", "create_payment_intent"]


CASH = "customer_cash_balance_transaction.created"


def intent_events(sim) -> list[dict]:
    return [e for e in sim.sent if e["type"].startswith("payment_intent.")]


def test_a_simulated_bank_transfer_funds_the_transfer_through_the_webhook(client, stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    stripe_sepa.sandbox_fund(
        customer=shown["customer"], amount_minor=t.total_minor, currency="EUR",
        reference=shown["reference"],
    )  # fmt: skip
    funded, applied, event = stripe_sim.sent
    assert [funded["type"], event["type"]] == [CASH, "payment_intent.succeeded"]
    for each in (funded, applied, event, event):  # Stripe delivers at least once
        deliver(client, stripe_sim, each)
    f.run_jobs()
    t = Transfer.objects.get(pk=t.pk)
    assert t.funded_at is not None and t.status in (S.PAYOUT_SUBMITTED, S.PAID_OUT)
    payment = IncomingPayment.objects.get()
    assert payment.payment_ref == shown["payment_intent"] and payment.status == "applied"
    assert balance("customer_balances", "EUR") == 0  # funded, then applied: nothing left over
    assert check_ledger().ok


def test_a_short_bank_transfer_waits_for_the_rest(client, stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    for amount in (1000, t.total_minor - 1000):
        stripe_sepa.sandbox_fund(
            customer=shown["customer"], amount_minor=amount, currency="EUR",
            reference=shown["reference"],
        )  # fmt: skip
    partial, paid = intent_events(stripe_sim)
    assert partial["type"] == "payment_intent.partially_funded"
    deliver(client, stripe_sim, partial)
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).status == S.CREATED
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED
    deliver(client, stripe_sim, paid)
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).funded_at is not None


def test_a_wrong_secret_key_is_a_configuration_error(stripe_sim, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    t = f.transfer()
    with pytest.raises(ProviderConfigError):
        funding_instructions(transfer_id=t.pk)
    assert Transfer.objects.get(pk=t.pk).funding_instructions == {}


@pytest.mark.parametrize("mode", ["duplicate", "out-of-order", "never"])
def test_webhook_delivery_faults_never_fund_twice_or_wrongly(client, stripe_sim, mode):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    stripe_sepa.sandbox_fund(
        customer=shown["customer"], amount_minor=t.total_minor, currency="EUR",
        reference=shown["reference"], webhooks=mode,
    )  # fmt: skip
    events = intent_events(stripe_sim)
    assert len(events) == {"duplicate": 2, "out-of-order": 2, "never": 0}[mode]
    for event in events:
        deliver(client, stripe_sim, event)
    f.run_jobs()
    t = Transfer.objects.get(pk=t.pk)
    if mode == "never":
        assert t.status == S.CREATED and not IncomingPayment.objects.exists()
    else:
        assert t.funded_at is not None and IncomingPayment.objects.count() == 1
    assert check_ledger().ok


def test_an_over_payment_is_booked_as_owed_to_the_sender_and_returned(client, stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    stripe_sepa.sandbox_fund(
        customer=shown["customer"], amount_minor=t.total_minor + 500, currency="EUR",
        reference=shown["reference"],
    )  # fmt: skip
    for event in stripe_sim.sent * 2:  # every event delivered twice: booked once
        deliver(client, stripe_sim, event)
    stripe_sim.sent.clear()
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).funded_at is not None
    assert balance("customer_balances", "EUR") == -500  # a liability: the sender's 5.00
    assert balance("stripe_clearing", "EUR") == t.total_minor + 500
    funding_return_cash_balance(customer_ref=shown["customer"], amount_minor=500, reason="over")
    with pytest.raises(NotAllowedNow):
        funding_return_cash_balance(customer_ref=shown["customer"], amount_minor=501, reason="")
    for event in stripe_sim.sent:
        deliver(client, stripe_sim, event)
    f.run_jobs()
    assert balance("customer_balances", "EUR") == 0
    assert check_ledger().ok


def test_a_partial_payment_of_an_expired_transfer_comes_back_into_the_books(client, stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    stripe_sepa.sandbox_fund(
        customer=shown["customer"], amount_minor=1000, currency="EUR",
        reference=shown["reference"],
    )  # fmt: skip
    for event in stripe_sim.sent:
        deliver(client, stripe_sim, event)
    stripe_sim.sent.clear()
    f.run_jobs()
    assert balance("customer_balances", "EUR") == 0  # applied to the open PaymentIntent
    Transfer.objects.filter(pk=t.pk).update(funding_deadline=timezone.now())
    assert transfer_expire(transfer_id=t.pk).status == S.EXPIRED
    f.run_jobs()  # the release job cancels the PaymentIntent at Stripe
    assert [e["type"] for e in stripe_sim.sent] == [CASH, "payment_intent.canceled"]
    for event in stripe_sim.sent:
        deliver(client, stripe_sim, event)
    f.run_jobs()
    assert balance("customer_balances", "EUR") == -1000  # owed back to the sender, visible
    assert Transfer.objects.get(pk=t.pk).status == S.EXPIRED
    assert check_ledger().ok
