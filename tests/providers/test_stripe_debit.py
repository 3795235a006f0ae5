"""SEPA Direct Debit funding against the Stripe simulator, through our real webhook intake:
processing, success, failure, the wait until funds are final, and disputes before and after
the payout. The ledger is checked after each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import tasks
from payments.errors import IllegalTransition, InvalidAmount, NotAllowedNow
from payments.funding import funding_direct_debit
from payments.ledger import balance
from payments.ledger_check import check_ledger
from payments.models import IncomingPayment, Refund, Transfer
from payments.states import TransferStatus as S
from payments.transfers import transfer_hold, transfer_refund, transfer_release
from providers.models import ProviderCall, WebhookEvent
from tests import factories as f
from tests.webhooks import deliver

pytestmark = pytest.mark.usefixtures("corridors")

SUCCEEDS = "DE89 3704 0044 0532 0130 00"
FAILS = "DE62370400440532013001"
DISPUTED = "DE35370400440532013002"


def debit(transfer, iban=SUCCEEDS):
    return funding_direct_debit(
        transfer_id=transfer.pk, iban=iban, ip_address="203.0.113.7", user_agent="MoneyBridge/1.0"
    )


def deliver_all(client, sim):
    for event in sim.sent:
        deliver(client, sim, event)
    sim.sent.clear()
    f.run_jobs()


@pytest.fixture(autouse=True)
def ledger_holds(db):
    yield
    report = check_ledger()
    assert report.ok, report.problems


def test_a_direct_debit_funds_the_transfer_but_the_payout_waits_for_final_funds(client, stripe_sim):
    t = debit(f.transfer())
    assert t.status == S.FUNDING  # Stripe answered `processing`
    assert t.funding_instructions["iban_last4"] == "3000"
    assert [e["type"] for e in stripe_sim.sent] == [
        "payment_intent.processing",
        "payment_intent.succeeded",
    ]
    deliver_all(client, stripe_sim)
    t.refresh_from_db()
    assert t.status == S.FUNDED and t.funding_method == "sepa_debit"
    assert t.funds_final_at - t.funded_at == timedelta(days=56)
    assert "no payout before" in t.events.last().reason
    payment = IncomingPayment.objects.get(transfer=t)
    assert payment.method == "sepa_debit" and payment.status == "applied"
    # Neither the checks job nor the sweeper sends it on before the funds are final.
    assert tasks.transfer_run_checks(t.pk) == S.FUNDED
    Transfer.objects.filter(pk=t.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert tasks.sweep_stuck_transfers()["rechecked"] == 0
    # Eight weeks later it goes.
    Transfer.objects.filter(pk=t.pk).update(funds_final_at=timezone.now() - timedelta(minutes=1))
    assert tasks.sweep_stuck_transfers()["rechecked"] == 1
    f.run_jobs()
    t.refresh_from_db()
    assert t.status in (S.PAYOUT_SUBMITTED, S.PAID_OUT)


def test_a_held_direct_debit_transfer_cannot_be_released_before_its_funds_are_final(
    client, stripe_sim
):
    t = debit(f.transfer())
    deliver_all(client, stripe_sim)
    transfer_hold(transfer_id=t.pk, reason="document check")
    with pytest.raises(NotAllowedNow) as refused:
        transfer_release(transfer_id=t.pk, reason="ok")
    assert refused.value.code == "funds_not_final"
    assert Transfer.objects.get(pk=t.pk).status == S.ON_HOLD


def test_a_failed_direct_debit_cancels_the_transfer_and_books_nothing(client, stripe_sim):
    t = debit(f.transfer(), iban=FAILS)
    assert [e["type"] for e in stripe_sim.sent][-1] == "payment_intent.payment_failed"
    deliver_all(client, stripe_sim)
    t.refresh_from_db()
    assert t.status == S.CANCELLED
    assert "could not be debited" in t.events.last().reason
    assert not IncomingPayment.objects.exists()
    assert balance("stripe_clearing", "EUR") == 0


def test_a_transfer_in_funding_does_not_expire(client, stripe_sim):
    t = debit(f.transfer())
    stripe_sim.sent.clear()  # the debit is still being collected
    Transfer.objects.filter(pk=t.pk).update(funding_deadline=timezone.now() - timedelta(hours=1))
    assert tasks.expire_quotes_and_transfers()["transfers_expired"] == 0
    assert Transfer.objects.get(pk=t.pk).status == S.FUNDING


def test_a_dispute_before_payout_refunds_the_transfer_and_holds_the_senders_others(
    client, stripe_sim
):
    sender = f.customer()
    other = debit(f.transfer(sender=sender))
    deliver_all(client, stripe_sim)
    t = debit(f.transfer(sender=sender), iban=DISPUTED)
    assert [e["type"] for e in stripe_sim.sent][-1] == "charge.dispute.created"
    deliver_all(client, stripe_sim)
    t.refresh_from_db()
    assert t.status == S.REFUNDED and "disputed" in t.events.last().reason
    payment = IncomingPayment.objects.get(transfer=t)
    assert (payment.dispute_status, payment.dispute_booked_as) == ("open", "refund")
    assert not Refund.objects.exists()  # the bank already gave it back: nothing to send
    assert Transfer.objects.get(pk=other.pk).status == S.ON_HOLD
    # Only the other transfer's euros are still at Stripe.
    assert balance("stripe_clearing", "EUR") == other.total_minor


def test_a_dispute_after_payout_is_booked_as_our_loss_and_a_won_dispute_recovers_it(
    client, stripe_sim, settings
):
    settings.FUNDS_FINAL_AFTER_HOURS = {"bank_transfer": 0, "sepa_debit": 0}
    t = debit(f.transfer(), iban=DISPUTED)
    events = list(stripe_sim.sent)
    dispute = events.pop()
    stripe_sim.sent[:] = events
    deliver_all(client, stripe_sim)
    assert Transfer.objects.get(pk=t.pk).status in (S.PAYOUT_SUBMITTED, S.PAID_OUT)
    deliver(client, stripe_sim, dispute)
    deliver(client, stripe_sim, dispute)  # delivered twice, booked once
    f.run_jobs()
    t.refresh_from_db()
    assert "booked as a loss" in t.events.last().reason
    assert balance("dispute_losses", "EUR") == t.total_minor
    assert balance("stripe_clearing", "EUR") == 0
    with pytest.raises(IllegalTransition):
        transfer_refund(transfer_id=t.pk, reason="sender asked")
    assert check_ledger().ok
    closed = stripe_sim._event(
        "charge.dispute.closed", {**dispute["data"]["object"], "status": "won"}
    )
    deliver(client, stripe_sim, closed)
    f.run_jobs()
    assert IncomingPayment.objects.get(transfer=t).dispute_status == "won"
    assert balance("dispute_losses", "EUR") == 0
    assert balance("stripe_clearing", "EUR") == t.total_minor


def test_a_refused_iban_or_amount_writes_nothing_and_calls_nobody(stripe_sim, settings):
    t = f.transfer()
    with pytest.raises(NotAllowedNow) as refused:
        debit(t, iban="DE00370400440532013000")
    assert refused.value.code == "invalid_iban"
    with pytest.raises(NotAllowedNow):
        debit(t, iban="TR330006100519786457841326")  # a valid IBAN outside the SEPA area
    settings.SEPA_DEBIT_MAX_MINOR = t.total_minor - 1
    with pytest.raises(InvalidAmount):
        debit(t)
    t.refresh_from_db()
    assert t.status == S.CREATED and t.funding_instructions == {}
    assert not ProviderCall.objects.exists()


def test_asking_twice_makes_one_debit(stripe_sim):
    t = f.transfer()
    first = debit(t).funding_instructions["payment_intent"]
    Transfer.objects.filter(pk=t.pk).update(status=S.CREATED)  # as if the first answer was lost
    assert debit(t).funding_instructions["payment_intent"] == first
    assert len(stripe_sim.intents) == 1


def test_direct_debits_keep_the_senders_one_stripe_customer(stripe_sim):
    sender = f.customer()
    first = debit(f.transfer(sender=sender)).funding_instructions["customer"]
    second = debit(f.transfer(sender=sender)).funding_instructions["customer"]
    sender.refresh_from_db()
    assert first == second == sender.stripe_customer != ""
    assert len(stripe_sim.customers) == 1


def test_a_dispute_that_arrives_before_its_payment_waits_for_it(client, stripe_sim):
    t = debit(f.transfer(), iban=DISPUTED)
    processing, succeeded, dispute = stripe_sim.sent
    stripe_sim.sent.clear()
    deliver(client, stripe_sim, dispute)  # out of order: the dispute first
    f.run_jobs()
    waiting = WebhookEvent.objects.get(event_type="charge.dispute.created")
    assert waiting.status == "received" and waiting.reason.startswith("waiting")
    deliver(client, stripe_sim, succeeded)
    f.run_jobs()
    WebhookEvent.objects.filter(pk=waiting.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )
    assert tasks.sweep_stuck_transfers()["webhooks_retried"] == 1
    f.run_jobs()
    assert WebhookEvent.objects.get(pk=waiting.pk).status == "processed"
    assert Transfer.objects.get(pk=t.pk).status == S.REFUNDED
