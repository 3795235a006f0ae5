"""Refunds to senders through the Stripe simulator: owed when decided, sent once however
often the job runs, settled in the ledger only when Stripe says they succeeded."""

import pytest

from payments import tasks
from payments.errors import NotAllowedNow, NotFound
from payments.funding import (
    funding_direct_debit,
    funding_instructions,
    funding_refund_unmatched,
)
from payments.ledger import balance
from payments.ledger_check import check_ledger
from payments.models import IncomingPayment, Refund, Transfer
from payments.refunds import refund_send_again, refund_update
from payments.states import TransferStatus as S
from payments.transfers import transfer_cancel, transfer_refund
from providers import stripe_sepa
from providers.models import ProviderCall
from tests import factories as f
from tests.webhooks import deliver

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.fixture(autouse=True)
def ledger_holds(db):
    yield
    report = check_ledger()
    assert report.ok, report.problems


def funded_by_debit(client, sim) -> Transfer:
    """A transfer funded by a direct debit, waiting for its funds to be final (no payout)."""
    t = f.transfer()
    funding_direct_debit(
        transfer_id=t.pk, iban="DE89370400440532013000", ip_address="203.0.113.7", user_agent="x"
    )
    deliver_sent(client, sim)
    t.refresh_from_db()
    assert t.status == S.FUNDED
    return t


def deliver_sent(client, sim, *, reverse=False):
    events, sim.sent[:] = list(sim.sent), []
    for event in reversed(events) if reverse else events:
        deliver(client, sim, event)
    return f.run_jobs()


def test_a_refund_is_sent_once_and_settled_when_stripe_confirms_it(client, stripe_sim):
    t = funded_by_debit(client, stripe_sim)
    transfer_refund(transfer_id=t.pk, reason="sender changed their mind")
    refund = Refund.objects.get(transfer=t)
    assert refund.status == "requested" and refund.amount_minor == t.total_minor
    assert balance("refunds_payable", "EUR") == -t.total_minor  # owed, not yet paid
    f.run_jobs()
    tasks.refund_send(refund.pk)  # the job running twice sends nothing more
    assert len(stripe_sim.refunds) == 1
    assert ProviderCall.objects.filter(operation="create_refund").count() == 1
    refund.refresh_from_db()
    assert refund.status == "sent" and refund.provider_ref.startswith("re_")
    assert [e["type"] for e in stripe_sim.sent] == ["refund.created", "refund.updated"]
    deliver_sent(client, stripe_sim)
    refund.refresh_from_db()
    assert refund.status == "succeeded" and refund.settled_at is not None
    assert balance("refunds_payable", "EUR") == 0
    assert balance("stripe_clearing", "EUR") == 0


def test_refund_events_out_of_order_or_twice_settle_once(client, stripe_sim):
    t = funded_by_debit(client, stripe_sim)
    transfer_refund(transfer_id=t.pk, reason="duplicate transfer")
    f.run_jobs()
    updated = stripe_sim.sent[-1]
    deliver_sent(client, stripe_sim, reverse=True)  # `succeeded` first, then the older `pending`
    deliver(client, stripe_sim, updated)
    f.run_jobs()
    assert Refund.objects.get(transfer=t).status == "succeeded"
    assert balance("stripe_clearing", "EUR") == 0


def test_a_failed_refund_stays_owed_until_a_person_sends_it_again(client, stripe_sim):
    t = funded_by_debit(client, stripe_sim)
    stripe_sim.refund_outcome = "failed"
    transfer_refund(transfer_id=t.pk, reason="sender asked")
    f.run_jobs()
    deliver_sent(client, stripe_sim)
    failed = Refund.objects.get(transfer=t)
    assert failed.status == "failed" and failed.error_message
    assert balance("refunds_payable", "EUR") == -t.total_minor  # still owed
    stripe_sim.refund_outcome = "succeeded"
    again = refund_send_again(refund_id=failed.pk, reason="bank details confirmed")
    assert again.reference != failed.reference  # a new idempotency key
    with pytest.raises(NotAllowedNow):
        refund_send_again(refund_id=again.pk, reason="twice")
    f.run_jobs()
    deliver_sent(client, stripe_sim)
    again.refresh_from_db()
    assert again.status == "succeeded"
    assert balance("refunds_payable", "EUR") == 0


def test_a_refund_stripe_cannot_be_reached_for_is_sent_again_by_the_sweeper(
    client, stripe_sim, settings
):
    t = funded_by_debit(client, stripe_sim)
    api = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    transfer_refund(transfer_id=t.pk, reason="sender asked")
    f.run_jobs()
    refund = Refund.objects.get(transfer=t)
    assert refund.status == "requested"
    settings.STRIPE_API_BASE, settings.PAYOUT_RETRY_BACKOFF_SECONDS = api, -1
    assert tasks.sweep_stuck_transfers()["refunds_resent"] == 1
    f.run_jobs()
    deliver_sent(client, stripe_sim)
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"


def test_money_for_a_cancelled_transfer_is_refunded_through_stripe_too(client, stripe_sim):
    t = f.transfer()
    shown = funding_instructions(transfer_id=t.pk).funding_instructions
    transfer_cancel(transfer_id=t.pk, reason="changed my mind")
    stripe_sepa.sandbox_fund(  # the sender's bank transfer was already on its way
        customer=shown["customer"], amount_minor=t.total_minor, currency="EUR",
        reference=shown["reference"],
    )  # fmt: skip
    deliver_sent(client, stripe_sim)
    payment = IncomingPayment.objects.get()
    assert payment.status == "unmatched"
    funding_refund_unmatched(payment_id=payment.pk, reason="transfer was cancelled")
    f.run_jobs()
    deliver_sent(client, stripe_sim)
    refund = Refund.objects.get(payment=payment)
    assert refund.transfer is None and refund.status == "succeeded"
    assert balance("unmatched_funds", "EUR") == 0
    assert balance("stripe_clearing", "EUR") == 0


def test_a_refund_report_that_names_no_refund_changes_nothing(client, stripe_sim):
    t = funded_by_debit(client, stripe_sim)
    transfer_refund(transfer_id=t.pk, reason="sender asked")  # its Refund has no Stripe id yet
    with pytest.raises(NotFound):
        refund_update(reference="", provider_ref="", status="succeeded")
    assert Refund.objects.get(transfer=t).status == "requested"
    assert balance("refunds_payable", "EUR") == -t.total_minor
