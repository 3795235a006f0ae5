"""What payments may ask compliance. Screening and monitoring plug in here."""

from compliance.kyc import check_send
from compliance.monitoring import monitoring_hold_reason
from compliance.screening import screening_hold_reason, screening_release_blocker
from payments.models import Customer


def hold_reason_for_transfer(transfer) -> str | None:
    """Why a funded transfer must wait for a compliance officer, or None to let it go.

    Sanctions screening of the sender and the recipient, then the monitoring rules (whose
    alerts are recorded even when screening already holds the transfer).
    """
    screening = screening_hold_reason(transfer)
    monitoring = monitoring_hold_reason(transfer)
    return "; ".join(r for r in (screening, monitoring) if r)[:200] or None


def release_blocker(transfer) -> str | None:
    """Why compliance forbids releasing this held transfer (an open screening hit on one of
    its parties, or a confirmed match), or None."""
    return screening_release_blocker(transfer)


def check_send_limits(
    customer: Customer, amount_minor: int, currency: str, *, quoting: bool = False
) -> None:
    """Raise LimitExceeded unless the sender's KYC tier allows sending this amount now. A
    quote is allowed before verification (the amount limits still apply once verified).

    At transfer creation the caller holds the customer's row lock, so two transfers created
    at once cannot both pass on the same remaining allowance.
    """
    check_send(customer, amount_minor, currency, quoting=quoting)
