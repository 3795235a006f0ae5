"""What a verified provider event does to our books. Runs in a job; safe to run twice.

Stripe `payment_intent.succeeded` is money that arrived: it goes through
payments.funding, keyed by the PaymentIntent id, with the transfer reference we put in its
metadata. `processing` (a direct debit under way), `payment_failed` and `canceled` move the
transfer they were made for; `charge.dispute.*` book a reversed debit; `refund.*` settle our
refunds. An MTN or Orange payout callback is only a hint: it triggers a status query, and
what the provider answers there is what we record. Other events are kept and marked ignored.
"""

import json
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from payments.errors import DomainError, NotFound
from payments.funding import (
    funding_cash_balance_moved,
    funding_dispute_closed,
    funding_dispute_opened,
    funding_failed,
    funding_processing,
    funding_receive,
)
from payments.jobs import enqueue, enqueue_swept, sweep_cutoff
from payments.models import PayoutAttempt, Transfer
from payments.refunds import refund_update
from providers.models import WebhookEvent

log = logging.getLogger(__name__)
E = WebhookEvent.Status
# An event about something we have not recorded yet (a dispute whose payment's own event is
# still on its way) waits and is tried again by the sweeper, for at most this long.
WAIT_AT_MOST = timedelta(days=1)
RETRY_AFTER = timedelta(minutes=1)


class NotYet(Exception):
    """The event refers to something its earlier sibling event has not recorded yet."""


def _transfer_reference(intent: dict) -> str:
    return (intent.get("metadata") or {}).get("transfer_reference", "")


def _stripe_payment_succeeded(data: dict) -> str:
    intent = data["data"]["object"]
    M = Transfer.FundingMethod
    payment = funding_receive(
        payment_ref=intent["id"],
        amount_minor=int(intent.get("amount_received") or intent["amount"]),
        currency=str(intent["currency"]).upper(),
        transfer_reference=_transfer_reference(intent),
        provider="stripe",
        method=M.SEPA_DEBIT
        if "sepa_debit" in (intent.get("payment_method_types") or [])
        else M.BANK_TRANSFER,
    )
    return f"payment {payment.payment_ref}: {payment.status}"


def _stripe_payment_processing(data: dict) -> str:
    intent = data["data"]["object"]
    return funding_processing(
        transfer_reference=_transfer_reference(intent), payment_ref=intent["id"]
    )


def _stripe_payment_failed(data: dict) -> str:
    intent = data["data"]["object"]
    error = intent.get("last_payment_error") or {}
    why = error.get("message") or error.get("code") or intent.get("status", "failed")
    if data["type"] == "payment_intent.canceled":
        why = f"cancelled ({intent.get('cancellation_reason') or 'no reason given'})"
    return funding_failed(
        transfer_reference=_transfer_reference(intent), payment_ref=intent["id"], why=why
    )


def _stripe_cash_balance(data: dict) -> str:
    txn = data["data"]["object"]
    move = funding_cash_balance_moved(
        txn_ref=txn["id"],
        customer_ref=txn["customer"],
        kind=txn["type"],
        net_minor=int(txn["net_amount"]),
        ending_minor=int(txn.get("ending_balance") or 0),
        currency=str(txn["currency"]).upper(),
    )
    return f"{move.customer_ref} {move.kind} {move.net_amount_minor}: booked"


def _stripe_dispute_created(data: dict) -> str:
    dispute = data["data"]["object"]
    try:
        return funding_dispute_opened(
            payment_ref=dispute["payment_intent"], dispute_ref=dispute["id"]
        )
    except NotFound as exc:  # its payment_intent.succeeded has not been processed yet
        raise NotYet(str(exc)) from exc


def _stripe_dispute_closed(data: dict) -> str:
    dispute = data["data"]["object"]
    return funding_dispute_closed(dispute_ref=dispute["id"], won=dispute["status"] == "won")


def _stripe_refund(data: dict) -> str:
    refund = data["data"]["object"]
    status = "failed" if data["type"] == "refund.failed" else refund["status"]
    updated = refund_update(
        reference=(refund.get("metadata") or {}).get("refund_reference", ""),
        provider_ref=refund["id"],
        status=status,
        failure=refund.get("failure_reason") or "",
    )
    return f"refund {updated.reference}: {updated.status}"


def _payout_callback(data: dict) -> str:
    """A provider says a payout changed: queue our own status query (which runs outside this
    transaction, as every provider call must) and record only what the provider answers there."""
    reference = data.get("externalId") or data.get("reference") or ""
    attempt = PayoutAttempt.objects.filter(reference=reference).first()
    if attempt is None:
        return f"no payout attempt {reference!r}"
    enqueue("payments.tasks.payout_check", attempt.pk)
    return f"{reference}: status check queued"


HANDLERS = {
    ("stripe", "payment_intent.succeeded"): _stripe_payment_succeeded,
    ("stripe", "payment_intent.processing"): _stripe_payment_processing,
    ("stripe", "payment_intent.payment_failed"): _stripe_payment_failed,
    ("stripe", "payment_intent.canceled"): _stripe_payment_failed,
    ("stripe", "charge.dispute.created"): _stripe_dispute_created,
    ("stripe", "customer_cash_balance_transaction.created"): _stripe_cash_balance,
    ("stripe", "charge.dispute.closed"): _stripe_dispute_closed,
    ("stripe", "refund.created"): _stripe_refund,
    ("stripe", "refund.updated"): _stripe_refund,
    ("stripe", "refund.failed"): _stripe_refund,
    ("mtn_momo", "payout.callback"): _payout_callback,
    ("orange_money", "payout.callback"): _payout_callback,
}


@transaction.atomic
def process_webhook(event_pk: int) -> str:
    event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
    if event.status != E.RECEIVED:
        return event.status
    handler = HANDLERS.get((event.provider, event.event_type))
    if handler is None:
        event.status, event.reason = E.IGNORED, "no action for this event type"
    else:
        try:
            with transaction.atomic():
                event.reason = handler(json.loads(event.payload))[:300]
            event.status = E.PROCESSED
        except NotYet as exc:
            if timezone.now() - event.received_at < WAIT_AT_MOST:
                event.reason = f"waiting: {exc}"[:300]
                event.save(update_fields=["reason"])
                return event.status
            event.status, event.reason = E.FAILED, f"gave up waiting: {exc}"[:300]
        except (DomainError, KeyError, TypeError, ValueError) as exc:
            log.warning("webhook %s %s failed: %s", event.provider, event.event_id, exc)
            event.status, event.reason = E.FAILED, f"{type(exc).__name__}: {exc}"[:300]
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "reason", "processed_at"])
    return event.status


def webhooks_retry_waiting(*, limit: int = 200) -> int:
    """Queue again the events still waiting for what they refer to (and any whose job was
    lost): each is processed at most once, under its row lock."""
    now = timezone.now()
    cutoff = sweep_cutoff("webhooks", now)
    if cutoff is None:
        return 0
    due = list(
        WebhookEvent.objects.filter(
            status=E.RECEIVED, received_at__lt=cutoff - RETRY_AFTER
        ).values_list("pk", flat=True)[:limit]
    )
    return enqueue_swept("webhooks", "payments.tasks.process_webhook", due, now)
