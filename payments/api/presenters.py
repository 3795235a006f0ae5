"""Domain objects to API shapes. The only place the API's words differ from ours
(`sepa_transfer` is our `bank_transfer`) and where timeline reasons become public ones."""

from django.utils.translation import gettext as _

from payments.api.schemas import (
    CorridorOut,
    EventOut,
    FundingInstructions,
    Money,
    QuoteOut,
    TransferDetailOut,
    TransferOut,
)
from payments.models import Corridor, Quote, Transfer

API_METHOD = {"bank_transfer": "sepa_transfer", "sepa_debit": "sepa_debit"}


def _public_reasons() -> dict[str, str]:
    """What a sender is told about each step; internal reasons (provider codes, staff notes)
    stay in the console."""
    return {
        "created": _("Transfer created: waiting for your payment."),
        "funding": _("Your direct debit is being collected."),
        "funded": _("We received your payment."),
        "on_hold": _("We are checking your transfer; this can take a little time."),
        "payout_pending": _("Sending the money to the recipient's wallet."),
        "payout_submitted": _("The wallet provider is processing the payment."),
        "paid_out": _("The money is in the recipient's wallet."),
        "payout_failed": _("The wallet provider could not pay: we are looking into it."),
        "refunded": _("Your money is being returned to you."),
        "cancelled": _("Transfer cancelled."),
        "expired": _("Your payment did not arrive in time: the transfer expired."),
    }


def corridor_out(c: Corridor) -> CorridorOut:
    return CorridorOut(
        code=c.code,
        source_country=c.source_country,
        source_currency=c.source_currency,
        destination_country=c.destination_country,
        destination_currency=c.destination_currency,
        payout_providers=list(c.payout_providers),
        min_send=Money.of(c.min_send_minor, c.source_currency),
        max_send=Money.of(c.max_send_minor, c.source_currency),
    )


def quote_out(q: Quote) -> QuoteOut:
    return QuoteOut(
        id=q.id,
        corridor=q.corridor.code,
        payout_provider=q.payout_provider,
        send_amount=Money.of(q.send_amount_minor, q.send_currency),
        fee=Money.of(q.fee_minor, q.send_currency),
        total=Money.of(q.total_minor, q.send_currency),
        rate=str(q.rate.normalize()),
        receive_amount=Money.of(q.receive_amount_minor, q.receive_currency),
        expires_at=q.expires_at,
    )


def _instructions(t: Transfer) -> FundingInstructions | None:
    shown = t.funding_instructions or {}
    if not shown:
        return None
    total = Money.of(t.total_minor, t.send_currency)
    if shown.get("method") == "sepa_debit":
        return FundingInstructions(
            method="sepa_debit", amount=total, debited_iban_last4=shown.get("iban_last4")
        )
    return FundingInstructions(
        method="sepa_transfer",
        amount=total,
        iban=shown.get("iban"),
        bic=shown.get("bic"),
        account_holder=shown.get("account_holder"),
        reference=shown.get("reference"),
    )


def _fields(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "reference": t.reference,
        "status": t.status,
        "recipient_id": t.recipient_id,
        "payout_provider": t.payout_provider,
        "purpose": t.purpose,
        "send_amount": Money.of(t.send_amount_minor, t.send_currency),
        "fee": Money.of(t.fee_minor, t.send_currency),
        "total": Money.of(t.total_minor, t.send_currency),
        "rate": str(t.rate.normalize()),
        "receive_amount": Money.of(t.receive_amount_minor, t.receive_currency),
        "funding_method": API_METHOD[t.funding_method],
        "funding_instructions": _instructions(t),
        "funding_deadline": t.funding_deadline,
        "funds_final_at": t.funds_final_at,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def transfer_out(t: Transfer) -> TransferOut:
    return TransferOut(**_fields(t))


def transfer_detail_out(t: Transfer) -> TransferDetailOut:
    reasons = _public_reasons()
    events, last = [], None
    for e in t.events.all():
        if e.to_status == last:
            continue  # a note on the timeline without a move: internal
        events.append(EventOut(status=e.to_status, at=e.created_at, reason=reasons[e.to_status]))
        last = e.to_status
    return TransferDetailOut(**_fields(t), events=events)
