"""Incoming payments: every euro that arrives is recorded once and accounted for.

The funding provider (Stripe) tells us a payment arrived, with its own id and, usually, the
transfer reference the sender quoted. An exact payment for a transfer awaiting funds funds
it. Anything else still lands in the ledger, in unmatched funds, for a person to refund:
money is never left outside the books because it came late, twice or short.

Senders pay by bank transfer (final on arrival) or by SEPA Direct Debit, which Stripe collects
over days (the transfer is `funding` meanwhile) and which the sender's bank can pull back for
weeks afterwards (a dispute). A dispute on a transfer not yet paid out refunds it; after the
payout the money is gone both ways and the disputed amount is booked as our loss.
"""

from dataclasses import asdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payments import ledger
from payments.errors import InvalidAmount, NotAllowedNow, NotFound
from payments.ledger import credit, debit
from payments.models import CashBalanceMove, Customer, IncomingPayment, Transfer
from payments.models.funding import DisputeBooking, DisputeStatus
from payments.money import format_major
from payments.refunds import refund_request
from payments.states import AWAITING_FUNDS, HOLDING_FUNDS
from payments.states import TransferStatus as S
from payments.transfers import (
    lock_transfer,
    transfer_funding_failed,
    transfer_hold,
    transfer_mark_funded,
    transfer_mark_funding,
    transfer_note,
    transfer_refund,
)
from providers import stripe_sepa
from providers.errors import PermanentError

P = IncomingPayment.Status


def funding_receive(
    *,
    payment_ref: str,
    amount_minor: int,
    currency: str,
    transfer_reference: str = "",
    provider: str = "stripe",
    method: str = Transfer.FundingMethod.BANK_TRANSFER,
) -> IncomingPayment:
    """Record a payment once (by the provider's id) and apply it. Safe to call twice."""
    try:
        return _receive(
            payment_ref, amount_minor, currency, transfer_reference.strip(), provider, method
        )
    except IntegrityError:
        # The same payment reported twice at once: the first one recorded it.
        existing = IncomingPayment.objects.filter(payment_ref=payment_ref).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _receive(
    payment_ref, amount_minor, currency, transfer_reference, provider, method
) -> IncomingPayment:
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
        method=method,
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
            method=method,
            via=provider,
            reason=f"payment {payment_ref} received",
        )
    return payment


def _why_unmatched(transfer, amount_minor, currency, transfer_reference) -> str:
    if transfer is None:
        return f"no transfer has the reference {transfer_reference!r}"
    if transfer.status not in AWAITING_FUNDS:
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
    refund_request(payment=payment, transfer=None, reason=reason)
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
        customer=transfer.customer.stripe_customer,
    )
    _remember_stripe_customer(transfer.customer, shown.customer)
    with transaction.atomic():
        transfer = lock_transfer(transfer_id)
        if not transfer.funding_instructions:
            transfer.funding_instructions = {"provider": "stripe", **asdict(shown)}
            transfer.save(update_fields=["funding_instructions", "updated_at"])
    return transfer


def _remember_stripe_customer(customer: Customer, stripe_customer: str) -> None:
    """Keep the sender's Stripe customer (and with it their virtual IBAN) for every transfer."""
    if not customer.stripe_customer:
        Customer.objects.filter(pk=customer.pk, stripe_customer="").update(
            stripe_customer=stripe_customer
        )


def sandbox_enabled() -> bool:
    """The sandbox helpers exist only against Stripe's simulator or test mode, never live."""
    return (
        settings.SANDBOX_API
        and bool(settings.STRIPE_API_BASE)
        and not settings.STRIPE_SECRET_KEY.startswith("sk_live")
    )


def funding_sandbox_pay(
    *, transfer_id: int, amount_minor: int | None = None, webhooks: str = "normal"
) -> Transfer:
    """Sandbox only: make Stripe's simulator pay a transfer by bank transfer, as the sender's
    bank would; Stripe's signed webhook then funds it through the real intake."""
    if not sandbox_enabled():
        raise NotFound("the sandbox is off")
    transfer = funding_instructions(transfer_id=transfer_id)
    shown = transfer.funding_instructions
    if shown.get("method", Transfer.FundingMethod.BANK_TRANSFER) != "bank_transfer":
        raise NotAllowedNow(f"{transfer.reference} is paid by direct debit, not by bank transfer")
    stripe_sepa.sandbox_fund(
        customer=shown["customer"],
        amount_minor=amount_minor or shown["amount_minor"],
        currency=shown["currency"],
        reference=shown["reference"],
        webhooks=webhooks,
    )
    return transfer


# --- SEPA Direct Debit ------------------------------------------------------------------------


def debit_iban(iban: str) -> IBAN:
    """The IBAN a direct debit may pull from, or a clear refusal."""
    try:
        account = IBAN(iban or "")
    except SchwiftyException as exc:
        raise NotAllowedNow(
            _("this IBAN is not valid: %(why)s") % {"why": exc}, code="invalid_iban"
        ) from None
    if not account.in_sepa_zone:
        raise NotAllowedNow("a direct debit needs an IBAN in the SEPA area", code="invalid_iban")
    return account


def debit_within_ceiling(amount_minor: int, currency: str) -> None:
    if amount_minor > settings.SEPA_DEBIT_MAX_MINOR:
        ceiling = format_major(settings.SEPA_DEBIT_MAX_MINOR, currency)
        raise InvalidAmount(
            _("a direct debit is limited to %(amount)s %(currency)s")
            % {"amount": ceiling, "currency": currency}
        )


def funding_direct_debit(
    *, transfer_id: int, iban: str, ip_address: str, user_agent: str
) -> Transfer:
    """Pay a transfer by debiting the sender's IBAN, under the mandate they just accepted
    online (their IP address and browser are the mandate's proof).

    The Stripe call runs outside any transaction and is idempotent per transfer; Stripe's
    `processing` (now or by webhook) moves the transfer to `funding`.
    """
    account = debit_iban(iban)
    transfer = Transfer.objects.select_related("customer").get(pk=transfer_id)
    if transfer.status != S.CREATED:
        raise NotAllowedNow(f"{transfer.reference} is {transfer.status}: it awaits no funds")
    debit_within_ceiling(transfer.total_minor, transfer.send_currency)
    debit_ = stripe_sepa.direct_debit(
        transfer_reference=transfer.reference,
        amount_minor=transfer.total_minor,
        currency=transfer.send_currency,
        email=transfer.customer.email,
        name=transfer.customer.full_name,
        iban=account.compact,
        ip_address=ip_address,
        user_agent=user_agent,
        customer=transfer.customer.stripe_customer,
    )
    _remember_stripe_customer(transfer.customer, debit_.customer)
    with transaction.atomic():
        transfer = lock_transfer(transfer_id)
        transfer.funding_instructions = {
            "provider": "stripe",
            "method": Transfer.FundingMethod.SEPA_DEBIT,
            "customer": debit_.customer,
            "payment_intent": debit_.payment_intent,
            "iban_last4": debit_.iban_last4,
        }
        transfer.save(update_fields=["funding_instructions", "updated_at"])
    if debit_.status == "processing":
        transfer = transfer_mark_funding(
            transfer_id=transfer_id, reason=f"direct debit {debit_.payment_intent} processing"
        )
    return transfer


def _own_transfer(transfer_reference: str, payment_ref: str) -> Transfer | None:
    """The transfer this PaymentIntent was made for, when it really is that transfer's own."""
    transfer = Transfer.objects.filter(reference=transfer_reference).first()
    if transfer is None or transfer.funding_instructions.get("payment_intent") != payment_ref:
        return None
    return transfer


def funding_processing(*, transfer_reference: str, payment_ref: str) -> str:
    transfer = _own_transfer(transfer_reference, payment_ref)
    if transfer is None:
        return f"{payment_ref} pays no transfer of ours"
    transfer = transfer_mark_funding(
        transfer_id=transfer.pk, reason=f"direct debit {payment_ref} processing"
    )
    return f"{transfer.reference}: {transfer.status}"


def funding_failed(*, transfer_reference: str, payment_ref: str, why: str) -> str:
    """A direct debit Stripe could not collect (or a cancelled payment): the transfer ends."""
    transfer = _own_transfer(transfer_reference, payment_ref)
    if transfer is None:
        return f"{payment_ref} pays no transfer of ours"
    transfer = transfer_funding_failed(
        transfer_id=transfer.pk, reason=f"payment {payment_ref} failed: {why}"
    )
    return f"{transfer.reference}: {transfer.status}"


# --- Senders' cash balances at Stripe -----------------------------------------------------


@transaction.atomic
def funding_cash_balance_moved(
    *, txn_ref: str, customer_ref: str, kind: str, net_minor: int, ending_minor: int, currency: str
) -> CashBalanceMove:
    """Book one movement of a sender's Stripe cash balance, once. Money in (funded, unapplied
    from a cancelled payment) is owed to the sender until applied; money out (applied to a
    payment, returned to their bank) no longer is. Whatever is left is visible, to return."""
    existing = CashBalanceMove.objects.filter(txn_ref=txn_ref).first()
    if existing is not None:
        return existing
    move = CashBalanceMove.objects.create(
        txn_ref=txn_ref, customer_ref=customer_ref, kind=kind, net_amount_minor=net_minor,
        ending_balance_minor=ending_minor, currency=currency,
    )  # fmt: skip
    if net_minor:
        # A negative amount turns the debit into a credit and back: one pair serves both ways.
        lines = [
            ledger.Line("stripe_clearing", currency, net_minor),
            ledger.Line("customer_balances", currency, -net_minor),
        ]
        ledger.post_entry(
            kind="cash_balance",
            idempotency_key=f"cashbal:{txn_ref}",
            lines=lines,
            memo=f"{customer_ref} {kind}",
        )
    return move


def funding_release_intent(*, transfer_id: int) -> str:
    """A transfer that will never be paid (expired, cancelled): cancel its PaymentIntent at
    Stripe, so money already applied to it returns to the sender's cash balance (and to our
    books, by the event that follows). Runs outside any transaction; safe to run twice."""
    transfer = Transfer.objects.get(pk=transfer_id)
    intent = transfer.funding_instructions.get("payment_intent")
    if not intent or transfer.funding_method != Transfer.FundingMethod.BANK_TRANSFER:
        return "no PaymentIntent to release"
    try:
        stripe_sepa.cancel_intent(payment_intent=intent, reference=transfer.reference)
    except PermanentError as exc:  # already paid or already cancelled: nothing to release
        return f"{intent}: {exc}"
    return f"{intent}: cancelled"


def funding_return_cash_balance(*, customer_ref: str, amount_minor: int, reason: str) -> str:
    """Send money left in a sender's Stripe cash balance back to their bank account. The
    balance's own event books it when Stripe reports the return."""
    left = (
        CashBalanceMove.objects.filter(customer_ref=customer_ref)
        .order_by("-recorded_at", "-pk")
        .values_list("ending_balance_minor", flat=True)
        .first()
    )
    if not left or amount_minor <= 0 or amount_minor > left:
        raise NotAllowedNow(
            f"{customer_ref} has {left or 0} minor units to return, not {amount_minor}"
        )
    stripe_sepa.refund_cash_balance(
        customer=customer_ref, amount_minor=amount_minor, currency="EUR",
        reference=f"cash:{customer_ref}:{left}", reason=reason,
    )  # fmt: skip
    return f"returning {amount_minor} to {customer_ref}"


# --- Disputes ---------------------------------------------------------------------------------


def funding_dispute_opened(*, payment_ref: str, dispute_ref: str) -> str:
    """The sender's bank pulled a debit back. Taken from what we hold for the sender when we
    still hold it (the transfer is refunded, nothing to send); otherwise our loss. The
    sender's other funded transfers are held for review."""
    with transaction.atomic():
        transfer_id = (
            IncomingPayment.objects.filter(payment_ref=payment_ref)
            .values_list("transfer_id", flat=True)
            .first()
        )
        transfer = lock_transfer(transfer_id) if transfer_id else None
        payment = (
            IncomingPayment.objects.select_for_update().filter(payment_ref=payment_ref).first()
        )
        if payment is None:
            raise NotFound(f"no payment {payment_ref!r} was received")
        if payment.dispute_ref:
            return f"{payment_ref}: dispute {payment.dispute_ref} already booked"
        booked = _book_dispute(payment, transfer, dispute_ref)
        payment.dispute_ref, payment.dispute_status = dispute_ref, DisputeStatus.OPEN
        payment.dispute_booked_as = booked
        payment.save(update_fields=["dispute_ref", "dispute_status", "dispute_booked_as", "status"])
    held = _hold_senders_funded_transfers(transfer, dispute_ref) if transfer else 0
    return f"{payment_ref}: dispute {dispute_ref} booked as {booked}; {held} other transfer(s) held"


def _book_dispute(payment: IncomingPayment, transfer: Transfer | None, dispute_ref: str) -> str:
    cur, amount = payment.currency, payment.amount_minor
    why = f"direct debit disputed ({dispute_ref}): the sender's bank took the money back"
    if transfer is not None and transfer.status in HOLDING_FUNDS:
        transfer_refund(transfer_id=transfer.pk, reason=why, via="stripe", send=False)
        payment.status = P.REFUNDED
        ledger.post_refund_paid(
            key=f"payment:{payment.payment_ref}:dispute", transfer=transfer, currency=cur,
            amount=amount, memo=why,
        )  # fmt: skip
        return DisputeBooking.REFUND
    if transfer is None and payment.status == P.UNMATCHED:
        ledger.post_entry(
            kind="dispute",
            idempotency_key=f"payment:{payment.payment_ref}:dispute",
            lines=[debit("unmatched_funds", cur, amount), credit("stripe_clearing", cur, amount)],
            memo=why,
        )
        payment.status = P.REFUNDED
        return DisputeBooking.REFUND
    # Paid out (or on its way), or already being refunded: the money is gone twice.
    ledger.post_entry(
        kind="dispute_loss",
        idempotency_key=f"payment:{payment.payment_ref}:dispute",
        transfer=transfer,
        lines=[debit("dispute_losses", cur, amount), credit("stripe_clearing", cur, amount)],
        memo=why,
    )
    if transfer is not None:
        transfer_note(transfer, f"{why}; booked as a loss", via="stripe")
    return DisputeBooking.LOSS


def _hold_senders_funded_transfers(transfer: Transfer, dispute_ref: str) -> int:
    others = Transfer.objects.filter(customer_id=transfer.customer_id, status=S.FUNDED).exclude(
        pk=transfer.pk
    )
    held = 0
    for other_id in others.values_list("pk", flat=True):
        try:
            transfer_hold(
                transfer_id=other_id,
                reason=f"the sender disputed the direct debit of {transfer.reference} "
                f"({dispute_ref})",
                via="stripe",
            )
            held += 1
        except NotAllowedNow:
            continue
    return held


@transaction.atomic
def funding_dispute_closed(*, dispute_ref: str, won: bool) -> str:
    """A dispute ended. Won: the money came back to us. If it had been taken from the sender's
    transfer, it is unmatched money for a person to return; if it was our loss, recovered."""
    payment = IncomingPayment.objects.select_for_update().filter(dispute_ref=dispute_ref).first()
    if payment is None:
        raise NotFound(f"no dispute {dispute_ref!r}")
    if payment.dispute_status != DisputeStatus.OPEN:
        return f"{dispute_ref}: already {payment.dispute_status}"
    payment.dispute_status = DisputeStatus.WON if won else DisputeStatus.LOST
    if won:
        cur, amount = payment.currency, payment.amount_minor
        back_to = "dispute_losses"
        if payment.dispute_booked_as == DisputeBooking.REFUND:
            back_to = "unmatched_funds"
            payment.status = P.UNMATCHED
            payment.note = f"{payment.note}; dispute {dispute_ref} won: money back, to return"[:300]
        ledger.post_entry(
            kind="dispute_won",
            idempotency_key=f"payment:{payment.payment_ref}:dispute_won",
            transfer=payment.transfer if back_to == "dispute_losses" else None,
            lines=[debit("stripe_clearing", cur, amount), credit(back_to, cur, amount)],
            memo=f"dispute {dispute_ref} won",
        )
    payment.save(update_fields=["dispute_status", "status", "note"])
    return f"{dispute_ref}: {payment.dispute_status}"
