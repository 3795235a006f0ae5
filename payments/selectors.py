"""Reads for the senders' API: one function decides what a sender may see. Anything that is
not theirs does not exist for them (404, never 403)."""

import base64
import binascii

from payments.errors import NotFound
from payments.models import Corridor, Quote, Recipient, Transfer


def corridors_open():
    return Corridor.objects.filter(active=True).order_by("code")


def quote_for(customer, quote_id) -> Quote:
    quote = Quote.objects.select_related("corridor").filter(pk=quote_id, customer=customer).first()
    if quote is None:
        raise NotFound("quote not found")
    return quote


def recipients_of(customer):
    return Recipient.objects.filter(customer=customer, archived_at__isnull=True).order_by("-id")


def recipient_for(customer, recipient_id: int) -> Recipient:
    recipient = recipients_of(customer).filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound("recipient not found")
    return recipient


def transfer_for(customer, transfer_id: int, *, with_events: bool = False) -> Transfer:
    qs = Transfer.objects.filter(pk=transfer_id, customer=customer)
    if with_events:
        qs = qs.prefetch_related("events")
    transfer = qs.first()
    if transfer is None:
        raise NotFound("transfer not found")
    return transfer


def _cursor_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotFound("this cursor is not valid", code="invalid_cursor") from None


def transfers_page(customer, *, status: str | None, cursor: str | None, limit: int):
    """Newest first, keyset-paginated on the id (stable while new transfers arrive)."""
    qs = Transfer.objects.filter(customer=customer).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    before = _cursor_id(cursor)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = (
        base64.urlsafe_b64encode(str(items[-1].pk).encode()).decode().rstrip("=") if more else None
    )
    return items, next_cursor
