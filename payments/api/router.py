"""The senders' money endpoints: corridors, quotes, recipients, transfers. Each handler
parses, calls one service or selector, and shapes the answer."""

import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Header, Query, Router

from config.api_problems import PROBLEMS
from config.throttles import SenderThrottle
from payments import customers, funding, pricing, selectors, transfers
from payments.api import presenters
from payments.api.schemas import (
    CorridorOut,
    Money,
    QuoteIn,
    QuoteOut,
    RecipientIn,
    RecipientOut,
    RecipientPatch,
    SandboxFundOut,
    TransferDetailOut,
    TransferIn,
    TransferOut,
    TransferPage,
    VerificationOut,
)
from payments.errors import InvalidAmount, NotFound
from payments.money import UnknownCurrency, parse_major
from payments.states import TransferStatus
from payments.transfer_requests import transfer_request

router = Router(throttle=[SenderThrottle()])


def _minor(money: Money | None, expected_currency: str) -> int | None:
    if money is None:
        return None
    if money.currency != expected_currency:
        raise InvalidAmount(
            _("the amount must be in %(expected)s, not %(given)s")
            % {"expected": expected_currency, "given": money.currency}
        )
    try:
        return parse_major(money.amount, money.currency)
    except (ValueError, UnknownCurrency) as exc:
        raise InvalidAmount(_("the amount is not valid: %(why)s") % {"why": exc}) from None


# --- Corridors and quotes -------------------------------------------------------------------


@router.get("/corridors", tags=["quotes"], response={200: list[CorridorOut], **PROBLEMS})
def corridors(request):
    """Where one can send: countries, currencies, payout providers, and the send limits."""
    return [presenters.corridor_out(c) for c in selectors.corridors_open()]


@router.post("/quotes", tags=["quotes"], response={201: QuoteOut, **PROBLEMS})
def quote_create(request, payload: QuoteIn):
    """Price a transfer by the amount sent or the amount received (give exactly one). The rate
    holds until `expires_at`."""
    corridor = pricing.corridor_get(payload.corridor)
    quote = pricing.quote_create(
        customer=request.auth,
        corridor_code=corridor.code,
        payout_provider=payload.payout_provider,
        send_amount_minor=_minor(payload.send_amount, corridor.source_currency),
        receive_amount_minor=_minor(payload.receive_amount, corridor.destination_currency),
    )
    return 201, presenters.quote_out(quote)


@router.get("/quotes/{quote_id}", tags=["quotes"], response={200: QuoteOut, **PROBLEMS})
def quote_get(request, quote_id: str):
    return presenters.quote_out(selectors.quote_for(request.auth, _uuid(quote_id)))


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("quote not found") from None


# --- Recipients -----------------------------------------------------------------------------


@router.get("/recipients", tags=["recipients"], response={200: list[RecipientOut], **PROBLEMS})
def recipients(request):
    return list(selectors.recipients_of(request.auth)[: settings.NINJA_PAGINATION_MAX_LIMIT])


@router.post("/recipients", tags=["recipients"], response={201: RecipientOut, **PROBLEMS})
def recipient_create(request, payload: RecipientIn):
    """Add a wallet. The number must be a mobile number of the country that the provider can
    pay; without a provider, the best one for the number's network is chosen."""
    return 201, customers.recipient_create(customer=request.auth, **payload.dict())


@router.get(
    "/recipients/{recipient_id}", tags=["recipients"], response={200: RecipientOut, **PROBLEMS}
)
def recipient_get(request, recipient_id: int):
    return selectors.recipient_for(request.auth, recipient_id)


@router.patch(
    "/recipients/{recipient_id}", tags=["recipients"], response={200: RecipientOut, **PROBLEMS}
)
def recipient_update(request, recipient_id: int, payload: RecipientPatch):
    recipient = selectors.recipient_for(request.auth, recipient_id)
    return customers.recipient_update(recipient=recipient, **payload.dict(exclude_unset=True))


@router.delete("/recipients/{recipient_id}", tags=["recipients"], response={204: None, **PROBLEMS})
def recipient_delete(request, recipient_id: int):
    """Remove from the address book (transfers already made are kept)."""
    customers.recipient_archive(recipient=selectors.recipient_for(request.auth, recipient_id))
    return 204, None


@router.post(
    "/recipients/{recipient_id}/verify",
    tags=["recipients"],
    response={200: VerificationOut, **PROBLEMS},
)
def recipient_verify(request, recipient_id: int):
    """Ask the wallet's provider who holds it, where the provider offers it (MTN MoMo)."""
    result, holder = customers.recipient_verify(
        recipient=selectors.recipient_for(request.auth, recipient_id)
    )
    return VerificationOut(result=result, holder_name=holder)


# --- Transfers ------------------------------------------------------------------------------


@router.post(
    "/transfers", tags=["transfers"], response={201: TransferOut, 200: TransferOut, **PROBLEMS}
)
def transfer_create(
    request,
    payload: TransferIn,
    idempotency_key: str = Header(
        ..., alias="Idempotency-Key", min_length=1, max_length=255,
        description="Your unique id for this request: the same key and body return the same "
        "transfer (kept 48 h)",
    ),
):  # fmt: skip
    """Create a transfer from a quote and pay it by SEPA transfer (we return where to send it)
    or by SEPA Direct Debit (give `iban`; the mandate is accepted by this request). Answers
    201 the first time, 200 with the same transfer when the request is repeated."""
    transfer, created = transfer_request(
        customer=request.auth,
        idempotency_key=idempotency_key,
        body=payload.dict(),
        ip_address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return (201 if created else 200), presenters.transfer_out(transfer)


@router.get("/transfers", tags=["transfers"], response={200: TransferPage, **PROBLEMS})
def transfer_list(
    request,
    status: TransferStatus | None = None,
    cursor: str | None = Query(None, max_length=40),
    limit: int = Query(20, ge=1, le=100),
):
    """The sender's transfers, newest first; follow `next_cursor` for older ones."""
    items, next_cursor = selectors.transfers_page(
        request.auth, status=status, cursor=cursor, limit=limit
    )
    return TransferPage(items=[presenters.transfer_out(t) for t in items], next_cursor=next_cursor)


@router.get(
    "/transfers/{transfer_id}", tags=["transfers"], response={200: TransferDetailOut, **PROBLEMS}
)
def transfer_get(request, transfer_id: int):
    """One transfer with its timeline."""
    transfer = selectors.transfer_for(request.auth, transfer_id, with_events=True)
    return presenters.transfer_detail_out(transfer)


@router.post(
    "/transfers/{transfer_id}/cancel", tags=["transfers"], response={200: TransferOut, **PROBLEMS}
)
def transfer_cancel(request, transfer_id: int):
    """Cancel a transfer still waiting for its payment; otherwise 409 `not_cancellable`."""
    transfer = selectors.transfer_for(request.auth, transfer_id)
    transfer = transfers.transfer_cancel(
        transfer_id=transfer.pk, reason="cancelled by the sender", via="sender"
    )
    return presenters.transfer_out(transfer)


# --- Sandbox --------------------------------------------------------------------------------


@router.post(
    "/sandbox/transfers/{transfer_id}/fund",
    tags=["sandbox"],
    response={202: SandboxFundOut, **PROBLEMS},
)
def sandbox_fund(request, transfer_id: int):
    """Sandbox only (404 elsewhere): Stripe's simulator pays this transfer by bank transfer as
    the sender's bank would, and sends the real signed webhook; the transfer is then funded
    and paid out as in production."""
    if not funding.sandbox_enabled():
        raise NotFound("not found")
    transfer = selectors.transfer_for(request.auth, transfer_id)
    funding.funding_sandbox_pay(transfer_id=transfer.pk)
    return 202, SandboxFundOut(status="sent", detail="Stripe's webhook follows in a moment.")
