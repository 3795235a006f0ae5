"""Euros going back to senders through Stripe.

A refund is booked as owed (refunds_payable) by whoever decides it, in that decision's
transaction, together with a `Refund` row and the job that sends it. The job calls Stripe
outside any transaction with our reference as the idempotency key, so a job run twice, or
resent by the sweeper after a timeout, still makes one refund. The ledger moves the money out
of our Stripe balance only when Stripe says the refund succeeded (`refund.*` webhooks, or the
creation answer itself); a failed refund stays owed and waits for a person to send it again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from payments import ledger
from payments.errors import NotAllowedNow, NotFound
from payments.jobs import enqueue, enqueue_swept, sweep_cutoff
from payments.models import IncomingPayment, Refund, Transfer
from providers import stripe_sepa
from providers.errors import PermanentError, ProviderError

log = logging.getLogger(__name__)
R = Refund.Status
SEND_JOB = "payments.tasks.refund_send"


def refund_request(*, payment: IncomingPayment, transfer: Transfer | None, reason: str) -> Refund:
    """Queue a payment's refund to Stripe. The caller has booked it as owed, in its transaction."""
    number = Refund.objects.filter(payment=payment).count() + 1
    refund = Refund.objects.create(
        reference=f"rf_{payment.pk}_{number}",
        payment=payment,
        transfer=transfer,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        reason=reason[:300],
    )
    enqueue(SEND_JOB, refund.pk)
    return refund


def refund_send(refund_id: int) -> Refund:
    """Ask Stripe for the refund. Safe to run twice: the reference is the idempotency key."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != R.REQUESTED:
        return refund
    try:
        provider_ref, status = stripe_sepa.refund(
            payment_intent=refund.payment.payment_ref,
            amount_minor=refund.amount_minor,
            reference=refund.reference,
        )
    except PermanentError as exc:
        return refund_update(reference=refund.reference, status="failed", failure=str(exc))
    except ProviderError as exc:
        # Unreachable, or no answer: the sweeper sends it again with the same key.
        log.warning("refund %s not sent yet: %s", refund.reference, exc)
        return refund
    return refund_update(reference=refund.reference, provider_ref=provider_ref, status=status)


@transaction.atomic
def refund_update(
    *, reference: str = "", provider_ref: str = "", status: str, failure: str = ""
) -> Refund:
    """Apply what Stripe says of a refund (its answer or a webhook). Monotonic: a settled
    refund ignores later reports, so events may come twice or out of order."""
    if not reference and not provider_ref:
        raise NotFound("a refund report names no refund")
    found = Q(reference=reference) if reference else Q(provider_ref=provider_ref)
    refund = Refund.objects.select_for_update().filter(found).first()
    if refund is None:
        raise NotFound(f"no refund {reference or provider_ref!r}")
    if refund.status in (R.SUCCEEDED, R.FAILED):
        return refund
    refund.provider_ref = provider_ref or refund.provider_ref
    if status == "succeeded":
        ledger.post_refund_paid(
            key=f"refund:{refund.reference}:paid",
            transfer=refund.transfer,
            currency=refund.currency,
            amount=refund.amount_minor,
            memo=f"refund {refund.provider_ref or refund.reference}",
        )
        refund.status, refund.settled_at = R.SUCCEEDED, timezone.now()
    elif status in ("failed", "canceled"):
        refund.status, refund.error_message = R.FAILED, (failure or status)[:300]
        log.warning("refund %s failed: %s", refund.reference, refund.error_message)
    elif refund.provider_ref:
        refund.status = R.SENT
    refund.save()
    return refund


@transaction.atomic
def refund_send_again(*, refund_id: int, reason: str, actor=None) -> Refund:
    """A person sends a failed refund again: a new refund with a new idempotency key."""
    failed = Refund.objects.select_for_update().filter(pk=refund_id).first()
    if failed is None:
        raise NotFound("refund not found")
    if failed.status != R.FAILED:
        raise NotAllowedNow(f"refund {failed.reference} is {failed.status}, not failed")
    who = actor.get_username() if actor else "system"
    return refund_request(
        payment=failed.payment, transfer=failed.transfer, reason=f"{reason} (by {who})"
    )


def refunds_resend_due(*, limit: int = 200) -> int:
    """Refunds whose job was lost or whose call did not get through: send them again."""
    now = timezone.now()
    cutoff = sweep_cutoff("refunds", now)
    if cutoff is None:
        return 0
    before = cutoff - timedelta(seconds=settings.PAYOUT_RETRY_BACKOFF_SECONDS)
    due = list(
        Refund.objects.filter(status=R.REQUESTED, updated_at__lt=before).values_list(
            "pk", flat=True
        )[:limit]
    )
    return enqueue_swept("refunds", SEND_JOB, due, now)
