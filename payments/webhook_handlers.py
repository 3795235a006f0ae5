"""What a verified provider event does to our books. Runs in a job; safe to run twice.

Stripe `payment_intent.succeeded` is money that arrived: it goes through
payments.funding, keyed by the PaymentIntent id, with the transfer reference we put in its
metadata. An MTN or Orange payout callback is only a hint: it triggers a status query, and
what the provider answers there is what we record. Other events are kept and marked ignored.
"""

import json
import logging

from django.db import transaction
from django.utils import timezone

from payments.errors import DomainError
from payments.funding import funding_receive
from payments.jobs import enqueue
from payments.models import PayoutAttempt
from providers.models import WebhookEvent

log = logging.getLogger(__name__)
E = WebhookEvent.Status


def _stripe_payment_succeeded(data: dict) -> str:
    intent = data["data"]["object"]
    payment = funding_receive(
        payment_ref=intent["id"],
        amount_minor=int(intent.get("amount_received") or intent["amount"]),
        currency=str(intent["currency"]).upper(),
        transfer_reference=(intent.get("metadata") or {}).get("transfer_reference", ""),
        provider="stripe",
    )
    return f"payment {payment.payment_ref}: {payment.status}"


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
        except (DomainError, KeyError, TypeError, ValueError) as exc:
            log.warning("webhook %s %s failed: %s", event.provider, event.event_id, exc)
            event.status, event.reason = E.FAILED, f"{type(exc).__name__}: {exc}"[:300]
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "reason", "processed_at"])
    return event.status
