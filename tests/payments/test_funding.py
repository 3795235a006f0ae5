"""Every incoming euro is recorded once and ends either funding its transfer or in
unmatched funds awaiting a refund; the ledger holds after each test."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.errors import NotAllowedNow
from payments.funding import funding_receive, funding_refund_unmatched
from payments.ledger import balance
from payments.models import IncomingPayment, Transfer
from payments.states import TransferStatus as S
from payments.transfers import transfer_cancel, transfers_expire_due
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")
P = IncomingPayment.Status


def pay(t, ref="pi_1", amount=None, currency="EUR", reference=None):
    return funding_receive(
        payment_ref=ref,
        amount_minor=t.total_minor if amount is None else amount,
        currency=currency,
        transfer_reference=t.reference if reference is None else reference,
    )


def test_an_exact_payment_funds_its_transfer_once():
    t = f.transfer()
    first = pay(t)
    again = pay(t)
    assert first.pk == again.pk and first.status == P.APPLIED
    assert Transfer.objects.get(pk=t.pk).status == S.FUNDED
    assert IncomingPayment.objects.count() == 1
    assert balance("stripe_clearing", "EUR") == t.total_minor


def test_a_second_payment_for_the_same_transfer_is_kept_for_refund():
    t = f.transfer()
    pay(t, ref="pi_1")
    second = pay(t, ref="pi_2")
    assert second.status == P.UNMATCHED and "funded" in second.note
    assert balance("unmatched_funds", "EUR") == -t.total_minor
    assert balance("stripe_clearing", "EUR") == 2 * t.total_minor


@pytest.mark.parametrize("case", ["short", "wrong-currency", "unknown-reference", "no-reference"])
def test_payments_that_fund_nothing_are_booked_as_unmatched(case):
    t = f.transfer()
    kwargs = {
        "short": {"amount": t.total_minor - 1},
        "wrong-currency": {"currency": "XOF"},
        "unknown-reference": {"reference": "MB-NOPE-NOPE"},
        "no-reference": {"reference": ""},
    }[case]
    payment = pay(t, **kwargs)
    assert payment.status == P.UNMATCHED and payment.note
    assert Transfer.objects.get(pk=t.pk).status == S.CREATED


def test_money_arriving_after_expiry_or_cancel_is_not_lost():
    late, cancelled = f.transfer(), f.transfer()
    Transfer.objects.filter(pk=late.pk).update(funding_deadline=timezone.now() - timedelta(hours=1))
    transfers_expire_due()
    transfer_cancel(transfer_id=cancelled.pk)
    for i, t in enumerate((late, cancelled)):
        payment = pay(t, ref=f"pi_late_{i}")
        assert payment.status == P.UNMATCHED and payment.transfer_id == t.pk
    assert balance("unmatched_funds", "EUR") == -(late.total_minor + cancelled.total_minor)


def test_an_unmatched_payment_is_refunded_once(django_user_model):
    t = f.transfer()
    payment = pay(t, amount=t.total_minor + 500)
    ops = django_user_model.objects.create_user("finance")
    funding_refund_unmatched(payment_id=payment.pk, reason="overpaid", actor=ops)
    with pytest.raises(NotAllowedNow):
        funding_refund_unmatched(payment_id=payment.pk, reason="again", actor=ops)
    payment.refresh_from_db()
    assert payment.status == P.REFUNDED and "refunded by finance" in payment.note
    assert balance("unmatched_funds", "EUR") == 0
    assert balance("refunds_payable", "EUR") == -(t.total_minor + 500)


def test_nonsense_amounts_are_refused_and_nothing_is_written():
    t = f.transfer()
    for amount in (0, -5, 10.5, True):
        with pytest.raises(NotAllowedNow):
            pay(t, amount=amount)
    assert not IncomingPayment.objects.exists()
