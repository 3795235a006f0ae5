"""Incoming payments: every euro that arrives is recorded once and accounted for.

The funding provider (Stripe) tells us a payment arrived, with its own id and, usually, the
transfer reference the sender quoted. An exact payment for a transfer awaiting funds funds
it. Anything else still lands in the ledger, in unmatched funds, for a person to refund:
money is never left outside the books because it came late, twice or short.
"""

from dataclasses import asdict

from django.db import IntegrityError, transaction

from payments import ledger
from payments.errors import NotAllowedNow, NotFound
from payments.ledger import credit, debit
from payments.models import IncomingPayment, Transfer
from payments.money import format_major
from payments.states import TransferStatus as S
from payments.transfers import lock_transfer, transfer_mark_funded
from providers import stripe_sepa

P = IncomingPayment.Status


def funding_receive(
    *,
    payment_ref: str,
    amount_minor: int,
    currency: str,
    transfer_reference: str = "",
    provider: str = "stripe",
) -> IncomingPayment:
    """Record a payment once (by the provider's id) and apply it. Safe to call twice."""
    try:
        return _receive(payment_ref, amount_minor, currency, transfer_reference.strip(), provider)
    except IntegrityError:
        # The same payment reported twice at once: the first one recorded it.
        existing = IncomingPayment.objects.filter(payment_ref=payment_ref).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _receive(payment_ref, amount_minor, currency, transfer_reference, provider) -> IncomingPayment:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise NotAllowedNow("a payment amount is a positive whole number of minor units")
    transfer_id = (
        Transfer.objects.filter(reference=transfer_reference).values_list("pk", flat=True).first()
        if transfer_reference
        else None
    )
    transfer = lock_transfer(transfer_id) if transfer_id else None  # serialises its payments
    existing = IncomingPayment.objects.filter(payment_ref=payment_ref).first()
    if existing is not None:
        return existing
    why = _why_unmatched(transfer, amount_minor, currency, transfer_reference)
    payment = IncomingPayment.objects.create(
        provider=provider,
        payment_ref=payment_ref,
        transfer_reference=transfer_reference,
        transfer=transfer,
        amount_minor=amount_minor,
        currency=currency,
        status=P.UNMATCHED if why else P.APPLIED,
        note=why,
    )
    if why:
        ledger.post_entry(
            kind="unmatched_payment",
            idempotency_key=f"payment:{payment_ref}:received",
            lines=[
                debit("stripe_clearing", currency, amount_minor),
                credit("unmatched_funds", currency, amount_minor),
            ],
            memo=f"{payment_ref}: {why}"[:200],
        )
    else:
        transfer_mark_funded(
            transfer_id=transfer.pk,
            amount_minor=amount_minor,
            currency=currency,
            via=provider,
            reason=f"payment {payment_ref} received",
        )
    return payment


def _why_unmatched(transfer, amount_minor, currency, transfer_reference) -> str:
    if transfer is None:
        return f"no transfer has the reference {transfer_reference!r}"
    if transfer.status != S.CREATED:
        return f"{transfer.reference} is {transfer.status}: it was not awaiting funds"
    if (amount_minor, currency) != (transfer.total_minor, transfer.send_currency):
        owed = format_major(transfer.total_minor, transfer.send_currency)
        return f"{transfer.reference} expects {owed} {transfer.send_currency}"
    return ""


@transaction.atomic
def funding_refund_unmatched(*, payment_id: int, reason: str, actor=None) -> IncomingPayment:
    """Owe an unmatched payment back to whoever sent it (the refund itself goes out by Stripe)."""
    payment = IncomingPayment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("payment not found")
    if payment.status != P.UNMATCHED:
        raise NotAllowedNow(f"payment {payment.payment_ref} is {payment.status}, not unmatched")
    ledger.post_entry(
        kind="unmatched_refund",
        idempotency_key=f"payment:{payment.payment_ref}:refund",
        lines=[
            debit("unmatched_funds", payment.currency, payment.amount_minor),
            credit("refunds_payable", payment.currency, payment.amount_minor),
        ],
        memo=reason[:200],
    )
    who = actor.get_username() if actor else "system"
    payment.status = P.REFUNDED
    payment.note = f"{payment.note}; refunded by {who}: {reason}"[:300]
    payment.save(update_fields=["status", "note"])
    return payment


def funding_instructions(*, transfer_id: int) -> Transfer:
    """Where the sender pays: a virtual IBAN and reference from Stripe, asked once per transfer.

    The provider call runs outside any transaction; asking again returns the same
    PaymentIntent (the idempotency key is the transfer reference).
    """
    transfer = Transfer.objects.select_related("customer").get(pk=transfer_id)
    if transfer.funding_instructions:
        return transfer
    if transfer.status != S.CREATED:
        raise NotAllowedNow(f"{transfer.reference} is {transfer.status}: it awaits no funds")
    shown = stripe_sepa.bank_transfer_instructions(
        transfer_reference=transfer.reference,
        amount_minor=transfer.total_minor,
        currency=transfer.send_currency,
        email=transfer.customer.email,
        name=transfer.customer.full_name,
    )
    with transaction.atomic():
        transfer = lock_transfer(transfer_id)
        if not transfer.funding_instructions:
            transfer.funding_instructions = {"provider": "stripe", **asdict(shown)}
            transfer.save(update_fields=["funding_instructions", "updated_at"])
    return transfer
