"""The transfer state machine: the only module that changes a transfer's status.

Every move locks the transfer row, checks the move against payments.states, writes a
TransferEvent (who, when, why) and the move's ledger entry, and enqueues its follow-up job,
all in one database transaction. An illegal move raises and changes nothing.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.facade import check_send_limits, hold_reason_for_transfer, release_blocker
from payments import ledger
from payments.customers import normalize_msisdn
from payments.errors import (
    FundingMismatch,
    IllegalTransition,
    InvalidRecipient,
    NotAllowedNow,
    NotFound,
    ProviderNotAvailable,
    QuoteExpired,
    QuoteUnavailable,
)
from payments.jobs import enqueue
from payments.models import (
    Customer,
    IncomingPayment,
    PayoutAttempt,
    Quote,
    Recipient,
    Transfer,
    TransferEvent,
)
from payments.money import format_major
from payments.references import new_transfer_reference
from payments.refunds import refund_request
from payments.states import AWAITING_FUNDS, ensure_can_move
from payments.states import TransferStatus as S

SUBMIT_JOB = "payments.tasks.payout_submit"
CHECKS_JOB = "payments.tasks.transfer_run_checks"
RELEASE_JOB = "payments.tasks.funding_release_intent"


def lock_transfer(transfer_id: int) -> Transfer:
    """Lock the transfer row for the rest of the transaction (always the first lock taken)."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("quote")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise NotFound(f"transfer {transfer_id} does not exist")
    return transfer


def _move(
    transfer: Transfer,
    target: S,
    *,
    actor=None,
    via: str = "system",
    reason: str = "",
    attempt: PayoutAttempt | None = None,
    fields: dict | None = None,
) -> Transfer:
    """Apply one checked move to a transfer the caller has locked."""
    ensure_can_move(transfer.status, target)
    TransferEvent.objects.create(
        transfer=transfer,
        from_status=transfer.status,
        to_status=target,
        actor=actor,
        actor_label=actor.get_username() if actor else via,
        reason=reason[:300],
        attempt=attempt,
    )
    transfer.status = target
    for name, value in (fields or {}).items():
        setattr(transfer, name, value)
    transfer.save(update_fields=["status", "updated_at", *(fields or {})])
    return transfer


def transfer_note(transfer: Transfer, reason: str, *, via: str = "system", actor=None) -> None:
    """Put something that happened on the timeline without a status change (caller locked)."""
    TransferEvent.objects.create(
        transfer=transfer,
        from_status=transfer.status,
        to_status=transfer.status,
        actor=actor,
        actor_label=actor.get_username() if actor else via,
        reason=reason[:300],
    )


@transaction.atomic
def transfer_add_note(*, transfer_id: int, text: str, actor, via: str = "staff") -> Transfer:
    """A staff member's note on the timeline (a call with the sender, a provider ticket)."""
    if not text.strip():
        raise NotAllowedNow("a note needs some text")
    transfer = lock_transfer(transfer_id)
    transfer_note(transfer, f"note: {text.strip()}", via=via, actor=actor)
    return transfer


def funds_final(transfer: Transfer, now: datetime | None = None) -> bool:
    return transfer.funds_final_at is not None and transfer.funds_final_at <= (
        now or timezone.now()
    )


# --- Creation -----------------------------------------------------------------------------------


def _valid_id(value, kind, label: str):
    """An id of the right shape, or NotFound: a malformed id names nothing that exists."""
    try:
        return value if isinstance(value, kind) else kind(str(value))
    except ValueError:
        raise NotFound(f"{label} not found") from None


def transfer_create(
    *,
    customer,
    quote_id,
    recipient_id: int,
    via: str = "api",
    purpose: str = Transfer.Purpose.FAMILY_SUPPORT,
    funding_method: str = Transfer.FundingMethod.BANK_TRANSFER,
    now: datetime | None = None,
) -> Transfer:
    """Turn an unexpired quote into a transfer awaiting the sender's euros."""
    try:
        return _transfer_create(
            customer=customer,
            quote_id=quote_id,
            recipient_id=recipient_id,
            via=via,
            purpose=purpose,
            funding_method=funding_method,
            now=now,
        )
    except IntegrityError as exc:
        # Two requests raced for one quote: the loser waited on the quote lock, then hit the
        # one-transfer-per-quote constraint. Same answer as when it comes second.
        if "quote_id" in str(exc):
            raise QuoteUnavailable("this quote was already used for a transfer") from None
        raise


@transaction.atomic
def _transfer_create(*, customer, quote_id, recipient_id, via, purpose, funding_method, now):
    now = now or timezone.now()
    quote_id, recipient_id = (
        _valid_id(quote_id, uuid.UUID, "quote"),
        _valid_id(recipient_id, int, "recipient"),
    )
    # The sender's row lock serialises their transfer creations: limits hold under races.
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("corridor")
        .annotate(used=Exists(Transfer.objects.filter(quote=OuterRef("pk"))))
        .filter(pk=quote_id, customer=customer)
        .first()
    )
    if quote is None:
        raise NotFound("quote not found")
    if quote.expires_at <= now:
        raise QuoteExpired("this quote has expired: ask for a new one")
    if quote.used:
        raise QuoteUnavailable("this quote was already used for a transfer")
    check_send_limits(customer, quote.send_amount_minor, quote.send_currency)
    recipient = Recipient.objects.filter(
        pk=recipient_id, customer=customer, archived_at__isnull=True
    ).first()
    if recipient is None:
        raise NotFound("recipient not found")
    corridor = quote.corridor
    if recipient.country != corridor.destination_country:
        raise InvalidRecipient(
            f"this quote pays out in {corridor.destination_country}, "
            f"the recipient's wallet is in {recipient.country}"
        )
    if recipient.provider != quote.payout_provider:
        raise InvalidRecipient(
            f"this quote pays out by {quote.payout_provider}, "
            f"the recipient's wallet is with {recipient.provider}"
        )
    transfer = Transfer.objects.create(
        reference=new_transfer_reference(),
        customer=customer,
        recipient=recipient,
        quote=quote,
        corridor=corridor,
        payout_provider=quote.payout_provider,
        payout_msisdn=recipient.phone,
        send_currency=quote.send_currency,
        send_amount_minor=quote.send_amount_minor,
        fee_minor=quote.fee_minor,
        total_minor=quote.total_minor,
        receive_currency=quote.receive_currency,
        receive_amount_minor=quote.receive_amount_minor,
        rate=quote.rate,
        purpose=purpose,
        funding_method=funding_method,
        funding_deadline=now + timedelta(hours=settings.FUNDING_WINDOW_HOURS),
    )
    TransferEvent.objects.create(
        transfer=transfer, to_status=S.CREATED, actor_label=via, reason="created from quote"
    )
    return transfer


# --- Funding and compliance -------------------------------------------------------------------


@transaction.atomic
def transfer_mark_funding(*, transfer_id: int, reason: str, via: str = "stripe") -> Transfer:
    """A direct debit is under way: the money is coming, so the transfer no longer expires.
    Safe to call twice, and late: a transfer past awaiting funds is left as it is."""
    transfer = lock_transfer(transfer_id)
    if transfer.status != S.CREATED:
        return transfer
    return _move(
        transfer,
        S.FUNDING,
        via=via,
        reason=reason,
        fields={"funding_method": Transfer.FundingMethod.SEPA_DEBIT},
    )


@transaction.atomic
def transfer_funding_failed(*, transfer_id: int, reason: str, via: str = "stripe") -> Transfer:
    """The sender's payment failed for good (a refused direct debit): the transfer ends.
    Safe to call twice: a transfer no longer awaiting funds is left as it is."""
    transfer = lock_transfer(transfer_id)
    if transfer.status not in AWAITING_FUNDS:
        return transfer
    return _move(transfer, S.CANCELLED, via=via, reason=reason)


@transaction.atomic
def transfer_mark_funded(
    *,
    transfer_id: int,
    amount_minor: int | None = None,
    currency: str | None = None,
    method: str | None = None,
    via: str = "stripe",
    reason: str = "",
    now: datetime | None = None,
) -> Transfer:
    """The sender's euros arrived. Safe to call twice: a funded transfer is left as it is.

    When the payment's amount is given it must be exactly what the sender owes; anything
    else is refused and left to a person (a partial or excess payment is not a funding).
    The funds count as final after the policy's delay for the funding method
    (FUNDS_FINAL_AFTER_HOURS): until then checks do not send the transfer to payout.
    """
    transfer = lock_transfer(transfer_id)
    if transfer.funded_at is not None:
        return transfer
    owed = (transfer.total_minor, transfer.send_currency)
    if amount_minor is not None and (amount_minor, currency or transfer.send_currency) != owed:
        raise FundingMismatch(
            f"{transfer.reference} expects {format_major(*owed)} {transfer.send_currency}, "
            f"received {amount_minor} minor units of {currency}"
        )
    now = now or timezone.now()
    method = method or transfer.funding_method
    final_at = now + timedelta(hours=settings.FUNDS_FINAL_AFTER_HOURS[method])
    reason = reason or "funds received"
    if final_at > now:
        reason = f"{reason}; final on {final_at:%Y-%m-%d %H:%M} UTC, no payout before"
    _move(
        transfer,
        S.FUNDED,
        via=via,
        reason=reason,
        fields={"funded_at": now, "funding_method": method, "funds_final_at": final_at},
    )
    ledger.post_funding(transfer)
    if final_at <= now:
        enqueue(CHECKS_JOB, transfer.pk)
    return transfer


def transfer_run_checks(*, transfer_id: int) -> Transfer:
    """Compliance checks on a funded transfer: hold it for review or send it to payout.

    A job, not part of funding, because screening may be slow; safe to run twice.
    """
    # Screening may be slow: it runs before the row lock, then the lock re-checks the status.
    transfer = (
        Transfer.objects.select_related("customer", "recipient", "corridor")
        .filter(pk=transfer_id, status=S.FUNDED)
        .first()
    )
    if transfer is None or not funds_final(transfer):
        return transfer or Transfer.objects.get(pk=transfer_id)
    hold_reason = hold_reason_for_transfer(transfer)
    return _apply_checks(transfer_id, hold_reason)


@transaction.atomic
def _apply_checks(transfer_id: int, hold_reason: str | None) -> Transfer:
    transfer = lock_transfer(transfer_id)
    if transfer.status != S.FUNDED or not funds_final(transfer):
        return transfer
    if hold_reason:
        return _move(
            transfer,
            S.ON_HOLD,
            via="compliance",
            reason=hold_reason,
            fields={"hold_reason": hold_reason},
        )
    return _start_payout(transfer, via="system", reason="checks passed")


def _start_payout(transfer: Transfer, *, actor=None, via: str, reason: str) -> Transfer:
    _move(
        transfer, S.PAYOUT_PENDING, actor=actor, via=via, reason=reason, fields={"hold_reason": ""}
    )
    ledger.post_conversion(transfer)
    enqueue(SUBMIT_JOB, transfer.pk)
    return transfer


@transaction.atomic
def transfer_hold(*, transfer_id: int, reason: str, actor=None, via: str = "staff") -> Transfer:
    if not reason.strip():
        raise NotAllowedNow("say why the transfer is held")
    transfer = lock_transfer(transfer_id)
    return _move(
        transfer, S.ON_HOLD, actor=actor, via=via, reason=reason, fields={"hold_reason": reason}
    )


@transaction.atomic
def transfer_release(*, transfer_id: int, reason: str, actor=None, via: str = "staff") -> Transfer:
    transfer = lock_transfer(transfer_id)
    ensure_can_move(transfer.status, S.PAYOUT_PENDING)
    if transfer.status != S.ON_HOLD:
        raise IllegalTransition(transfer.status, "released")
    if not funds_final(transfer):
        raise NotAllowedNow(
            f"the sender's funds are final on {transfer.funds_final_at:%Y-%m-%d %H:%M} UTC: "
            "no payout before then (they can still be pulled back)",
            code="funds_not_final",
        )
    if blocker := release_blocker(transfer):
        raise NotAllowedNow(blocker, code="compliance_block")
    return _start_payout(transfer, actor=actor, via=via, reason=reason or "released")


# --- Ending without a payout ------------------------------------------------------------------


def _release_payment_intent(transfer: Transfer) -> None:
    """A transfer that ends unpaid has its bank-transfer PaymentIntent cancelled at Stripe, so a
    partial payment already applied to it returns to the sender's balance (and our books)."""
    if transfer.funding_instructions.get("payment_intent"):
        enqueue(RELEASE_JOB, transfer.pk)


@transaction.atomic
def transfer_cancel(
    *, transfer_id: int, reason: str = "", actor=None, via: str = "sender"
) -> Transfer:
    """Cancel before any money arrived. A funded transfer is refunded instead."""
    transfer = lock_transfer(transfer_id)
    if transfer.status != S.CREATED:
        raise NotAllowedNow(
            _("only a transfer still awaiting funds can be cancelled; this one is %(status)s")
            % {"status": transfer.status},
            code="not_cancellable",
        )
    _release_payment_intent(transfer)
    return _move(transfer, S.CANCELLED, actor=actor, via=via, reason=reason or "cancelled")


@transaction.atomic
def transfer_expire(*, transfer_id: int, now: datetime | None = None) -> Transfer:
    """Expire an unfunded transfer past its funding deadline; otherwise leave it alone."""
    now = now or timezone.now()
    transfer = lock_transfer(transfer_id)
    if transfer.status != S.CREATED or transfer.funding_deadline > now:
        return transfer
    _release_payment_intent(transfer)
    return _move(transfer, S.EXPIRED, via="job:expiry", reason="funds did not arrive in time")


@transaction.atomic
def transfer_refund(
    *, transfer_id: int, reason: str, actor=None, via: str = "staff", send: bool = True
) -> Transfer:
    """Owe the sender their money back: undo any conversion, book the refund, and queue it to
    Stripe (`send=False` when the money already went back another way, e.g. a reversed debit)."""
    transfer = lock_transfer(transfer_id)
    ensure_can_move(transfer.status, S.REFUNDED)
    if transfer.attempts.filter(status__in=PayoutAttempt.OPEN).exists():
        raise NotAllowedNow("a payout is in flight with the provider: wait for its outcome")
    payment = (
        IncomingPayment.objects.select_for_update()
        .filter(transfer=transfer, status=IncomingPayment.Status.APPLIED)
        .first()
    )
    if send and payment is not None and payment.dispute_ref:
        raise NotAllowedNow(
            "the sender's bank already took this payment back (direct debit dispute)",
            code="payment_disputed",
        )
    _move(transfer, S.REFUNDED, actor=actor, via=via, reason=reason or "refunded")
    ledger.post_refund(transfer)
    if payment is not None:
        payment.status = IncomingPayment.Status.REFUNDED
        payment.save(update_fields=["status"])
        if send:
            refund_request(payment=payment, transfer=transfer, reason=reason or "refunded")
    return transfer


@transaction.atomic
def transfer_retry_payout(
    *,
    transfer_id: int,
    reason: str = "",
    provider: str | None = None,
    msisdn: str | None = None,
    actor=None,
    via: str = "staff",
) -> Transfer:
    """Try a failed payout again: same wallet and provider, another provider of the corridor
    (the same number's wallet there), or a corrected wallet number of the same country."""
    transfer = lock_transfer(transfer_id)
    ensure_can_move(transfer.status, S.PAYOUT_PENDING)
    if transfer.status != S.PAYOUT_FAILED:
        raise IllegalTransition(transfer.status, "retry")
    fields = {}
    if provider and provider != transfer.payout_provider:
        if provider not in transfer.corridor.payout_providers:
            raise ProviderNotAvailable(f"{provider} does not pay out on {transfer.corridor.code}")
        fields["payout_provider"] = provider
    if msisdn:
        number = normalize_msisdn(msisdn, transfer.corridor.destination_country)
        if number != transfer.payout_msisdn:
            fields["payout_msisdn"] = number
            reason = f"{reason or 'retry'}; wallet number {transfer.payout_msisdn} → {number}"
    _move(
        transfer,
        S.PAYOUT_PENDING,
        actor=actor,
        via=via,
        reason=reason or f"retry by {provider or transfer.payout_provider}",
        fields=fields,
    )
    enqueue(SUBMIT_JOB, transfer.pk)
    return transfer


# --- Payout outcomes (called by payments.payouts under the transfer lock) ----------------------


def transfer_payout_submitted(
    transfer: Transfer, attempt: PayoutAttempt, *, reason: str, actor=None
) -> None:
    if transfer.status == S.PAYOUT_PENDING:
        _move(
            transfer,
            S.PAYOUT_SUBMITTED,
            actor=actor,
            via=f"provider:{attempt.provider}",
            reason=reason,
            attempt=attempt,
        )


def transfer_paid_out(
    transfer: Transfer, attempt: PayoutAttempt, *, now: datetime, reason: str = "", actor=None
) -> None:
    _move(
        transfer,
        S.PAID_OUT,
        actor=actor,
        via=f"provider:{attempt.provider}",
        reason=reason
        or f"paid by {attempt.provider} ({attempt.provider_ref or attempt.reference})",
        attempt=attempt,
        fields={"paid_out_at": now},
    )
    ledger.post_payout(transfer, attempt.provider)


def transfer_fail_over(transfer: Transfer, *, provider: str, reason: str) -> None:
    """Routing sends a failed payout to another provider able to pay the same number."""
    _move(
        transfer,
        S.PAYOUT_PENDING,
        via="routing",
        reason=f"{reason}; now {provider}",
        fields={"payout_provider": provider},
    )
    enqueue(SUBMIT_JOB, transfer.pk)


def transfer_payout_failed(
    transfer: Transfer, attempt: PayoutAttempt, *, reason: str, actor=None
) -> None:
    _move(
        transfer,
        S.PAYOUT_FAILED,
        actor=actor,
        via=f"provider:{attempt.provider}",
        reason=reason,
        attempt=attempt,
    )


def transfers_expire_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Expire every unfunded transfer past its funding deadline, each under its own lock."""
    now = now or timezone.now()
    due = list(
        Transfer.objects.filter(status=S.CREATED, funding_deadline__lte=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    expired = 0
    for transfer_id in due:
        expired += transfer_expire(transfer_id=transfer_id, now=now).status == S.EXPIRED
    return expired
