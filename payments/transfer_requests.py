"""A sender's request to send money, as the API receives it: once per Idempotency-Key.

The same key and body always get the same transfer, even when two requests race (the second
waits on the key's unique index, then reads what the first made); the same key with another
body is refused. A request that fails is not remembered, so it may be sent again. Funding
(the Stripe call) runs after the transfer is committed and outside any transaction; a replay
finishes it if it did not complete.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.errors import IdempotencyKeyReused, InvalidAmount, NotAllowedNow
from payments.funding import (
    debit_iban,
    debit_within_ceiling,
    funding_direct_debit,
    funding_instructions,
)
from payments.models import IdempotencyRecord, Quote, Transfer
from payments.states import TransferStatus as S
from payments.transfers import transfer_create

KEEP_KEYS_FOR = timedelta(hours=48)
M = Transfer.FundingMethod


def fingerprint(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def transfer_request(
    *,
    customer,
    idempotency_key: str,
    body: dict,
    ip_address: str = "",
    user_agent: str = "",
) -> tuple[Transfer, bool]:
    """Create (or find again) the transfer of this request and ask for its funding.
    Returns the transfer and whether this request created it."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        raise InvalidAmount("send an Idempotency-Key header (1 to 255 characters)",
                            code="idempotency_key_required")  # fmt: skip
    method = M.SEPA_DEBIT if body.get("funding_method") == "sepa_debit" else M.BANK_TRANSFER
    if method == M.SEPA_DEBIT:
        iban = debit_iban(body.get("iban") or "").compact
        quote = Quote.objects.filter(pk=body["quote_id"], customer=customer).first()
        if quote is not None:
            debit_within_ceiling(quote.total_minor, quote.send_currency)
    transfer, created = _create_once(customer, key, fingerprint(body), body, method)
    if transfer.status == S.CREATED and not transfer.funding_instructions:
        if method == M.SEPA_DEBIT:
            transfer = funding_direct_debit(
                transfer_id=transfer.pk, iban=iban, ip_address=ip_address, user_agent=user_agent
            )
        else:
            transfer = funding_instructions(transfer_id=transfer.pk)
    return transfer, created


def _create_once(customer, key: str, print_: str, body: dict, method: str):
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                customer=customer, key=key, fingerprint=print_
            )
            transfer = transfer_create(
                customer=customer,
                quote_id=body["quote_id"],
                recipient_id=body["recipient_id"],
                purpose=body.get("purpose") or Transfer.Purpose.FAMILY_SUPPORT,
                funding_method=method,
                via="api",
            )
            record.transfer = transfer
            record.save(update_fields=["transfer"])
            return transfer, True
    except IntegrityError as exc:
        if "idempotency_key_once" not in str(exc):
            raise
    record = (
        IdempotencyRecord.objects.select_related("transfer")
        .filter(customer=customer, key=key)
        .first()
    )
    if record is None or record.transfer is None:  # the first request failed meanwhile
        raise NotAllowedNow("the first request with this key did not complete: send it again")
    if record.fingerprint != print_:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request body"
        )
    return record.transfer, False


def idempotency_purge(*, now=None) -> int:
    """Forget keys older than 48 hours (the contract promises at least 24)."""
    now = now or timezone.now()
    return IdempotencyRecord.objects.filter(created_at__lt=now - KEEP_KEYS_FOR).delete()[0]
