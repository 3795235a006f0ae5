"""Races on real PostgreSQL: real threads, each with its own database connection."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from payments import payouts
from payments.errors import DomainError
from payments.models import JournalEntry, PayoutAttempt, Transfer, TransferEvent
from payments.states import TransferStatus as S
from payments.transfers import (
    transfer_cancel,
    transfer_mark_funded,
    transfer_refund,
    transfer_release,
    transfer_run_checks,
)
from providers.base import PayoutResult, PayoutState
from providers.models import SandboxPayout
from providers.sandbox import SandboxProvider
from tests import factories as f
from tests.races import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("corridors")]


def slow_send(self, request, _original=SandboxProvider.send_payout):
    time.sleep(0.3)  # the provider is slow: the other worker arrives mid-call
    return _original(self, request)


def test_two_workers_submitting_one_payout_make_one_attempt_and_one_payment():
    t = f.funded_transfer()
    with mock.patch.object(SandboxProvider, "send_payout", slow_send):
        results = race(lambda: payouts.payout_submit(t.pk), lambda: payouts.payout_submit(t.pk))
    assert sum(isinstance(r, PayoutAttempt) for r in results) == 1
    assert sum(r is None for r in results) == 1
    assert PayoutAttempt.objects.filter(transfer=t).count() == 1
    assert SandboxPayout.objects.get().sends == 1


def test_cancel_racing_funding_leaves_one_legal_outcome():
    for _ in range(3):
        t = f.transfer()
        results = race(
            lambda t=t: transfer_mark_funded(transfer_id=t.pk),
            lambda t=t: transfer_cancel(transfer_id=t.pk),
        )
        final = Transfer.objects.get(pk=t.pk).status
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], DomainError), results
        assert final in (S.FUNDED, S.CANCELLED)
        events = list(TransferEvent.objects.filter(transfer=t).values_list("to_status", flat=True))
        assert events == ["created", final]
        funding = JournalEntry.objects.filter(transfer=t, kind="funding").count()
        assert funding == (1 if final == S.FUNDED else 0)


def test_refund_racing_release_leaves_one_legal_outcome():
    t = f.held_transfer()
    results = race(
        lambda: transfer_release(transfer_id=t.pk, reason="cleared"),
        lambda: transfer_refund(transfer_id=t.pk, reason="rejected"),
    )
    # Serialised by the row lock: refund first makes release illegal; release first leaves a
    # payout_pending transfer with nothing sent yet, which may still be refunded.
    released, refunded = (not isinstance(r, Exception) for r in results)
    final = Transfer.objects.get(pk=t.pk).status
    events = list(TransferEvent.objects.filter(transfer=t).values_list("to_status", flat=True))
    kinds = set(JournalEntry.objects.filter(transfer=t).values_list("kind", flat=True))
    if released and refunded:
        assert final == S.REFUNDED and events[-2:] == ["payout_pending", "refunded"]
        assert kinds == {"funding", "conversion", "conversion_reversal", "refund"}
    elif refunded:
        assert final == S.REFUNDED and events[-1] == "refunded"
        assert kinds == {"funding", "refund"}
    else:
        assert released and final == S.PAYOUT_PENDING
        assert kinds == {"funding", "conversion"}


def test_funding_notified_twice_at_once_is_booked_once():
    t = f.transfer()
    results = race(*[lambda: transfer_mark_funded(transfer_id=t.pk)] * 3)
    assert not any(isinstance(r, Exception) for r in results)
    assert JournalEntry.objects.filter(transfer=t, kind="funding").count() == 1
    assert TransferEvent.objects.filter(transfer=t, to_status=S.FUNDED).count() == 1


def test_webhook_and_poller_reporting_success_together_pay_out_once():
    t = f.funded_transfer()
    f.run_jobs()
    attempt = PayoutAttempt.objects.get(transfer=t)
    success = PayoutResult(PayoutState.SUCCEEDED, provider_ref="p-1", raw_status="succeeded")
    race(*[lambda: payouts.payout_record(attempt.pk, success)] * 3)
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT
    assert TransferEvent.objects.filter(transfer=t, to_status=S.PAID_OUT).count() == 1
    assert JournalEntry.objects.filter(transfer=t, kind="payout").count() == 1


def test_success_and_failure_racing_end_in_exactly_one_of_them():
    t = f.funded_transfer()
    f.run_jobs()
    attempt = PayoutAttempt.objects.get(transfer=t)
    race(
        lambda: payouts.payout_record(attempt.pk, PayoutResult(PayoutState.SUCCEEDED)),
        lambda: payouts.payout_record(attempt.pk, PayoutResult(PayoutState.FAILED, error_code="x")),
    )
    final = Transfer.objects.get(pk=t.pk).status
    assert final in (S.PAID_OUT, S.PAYOUT_FAILED)
    assert PayoutAttempt.objects.get(pk=attempt.pk).status in ("succeeded", "failed")
    # A late contrary report changes nothing: a final attempt is final.
    payouts.payout_record(attempt.pk, PayoutResult(PayoutState.SUCCEEDED))
    payouts.payout_record(attempt.pk, PayoutResult(PayoutState.FAILED))
    assert Transfer.objects.get(pk=t.pk).status == final


def test_every_job_run_twice_does_nothing_the_second_time():
    t = f.transfer()
    transfer_mark_funded(transfer_id=t.pk)
    jobs = [
        lambda: transfer_run_checks(transfer_id=t.pk),
        lambda: payouts.payout_submit(t.pk),
        lambda: f.run_jobs(),
        lambda: payouts.sweep_stuck_transfers(),
        lambda: (
            PayoutAttempt.objects.update(next_check_at=timezone.now() - timedelta(seconds=1)),
            payouts.poll_due_payouts(),
        ),
    ]
    for job in jobs:
        job()
        snapshot = (
            TransferEvent.objects.count(),
            JournalEntry.objects.count(),
            PayoutAttempt.objects.count(),
            SandboxPayout.objects.count(),
        )
        job()
        assert snapshot == (
            TransferEvent.objects.count(),
            JournalEntry.objects.count(),
            PayoutAttempt.objects.count(),
            SandboxPayout.objects.count(),
        )
    attempt = PayoutAttempt.objects.get(transfer=t)
    race(*[lambda: payouts.payout_check(attempt.pk)] * 2)
    race(*[lambda: payouts.payout_check(attempt.pk)] * 2)
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT
    assert JournalEntry.objects.filter(transfer=t, kind="payout").count() == 1


def test_one_quote_submitted_twice_at_once_makes_one_transfer_and_a_clear_refusal():
    from payments.errors import QuoteUnavailable
    from payments.pricing import quote_create
    from payments.transfers import transfer_create

    sender = f.customer()
    to = f.recipient(sender)
    for _ in range(3):
        q = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
        results = race(
            *[lambda q=q: transfer_create(customer=sender, quote_id=q.pk, recipient_id=to.pk)] * 2
        )
        assert sum(isinstance(r, Transfer) for r in results) == 1, results
        assert sum(isinstance(r, QuoteUnavailable) for r in results) == 1, results
        assert Transfer.objects.filter(quote=q).count() == 1


def test_one_payment_reported_twice_at_once_is_recorded_once():
    from payments.funding import funding_receive
    from payments.models import IncomingPayment

    t = f.transfer()

    def report():
        return funding_receive(
            payment_ref="pi_dup", amount_minor=t.total_minor, currency="EUR",
            transfer_reference=t.reference,
        )  # fmt: skip

    results = race(report, report, report)
    assert not any(isinstance(r, Exception) for r in results), results
    assert IncomingPayment.objects.count() == 1
    assert JournalEntry.objects.filter(transfer=t, kind="funding").count() == 1


def test_two_payments_for_one_transfer_at_once_fund_it_once():
    from payments.funding import funding_receive
    from payments.models import IncomingPayment

    t = f.transfer()
    results = race(
        *[
            lambda ref=ref: funding_receive(
                payment_ref=ref,
                amount_minor=t.total_minor,
                currency="EUR",
                transfer_reference=t.reference,
            )  # fmt: skip
            for ref in ("pi_a", "pi_b")
        ]
    )
    assert not any(isinstance(r, Exception) for r in results), results
    statuses = sorted(IncomingPayment.objects.values_list("status", flat=True))
    assert statuses == ["applied", "unmatched"]
    assert JournalEntry.objects.filter(transfer=t, kind="funding").count() == 1
