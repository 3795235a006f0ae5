"""Know your customer: identity documents, their review, and the sending limits of each tier.

Documents are kept by compliance.vault (checked by content, encrypted, outside the web root).
Limits are per transfer, rolling 30 days and rolling 365 days, in the sender's currency;
tier 0 (registered, not verified) may quote and add recipients but not send.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import vault
from compliance.errors import LimitExceeded, UnsupportedFile
from compliance.models import KycDocument, KycDocumentView, KycTier
from compliance.screening import screen_customer
from payments.errors import NotAllowedNow, NotFound
from payments.models import Customer, Transfer
from payments.models.customers import KycStatus
from payments.money import format_major

# What an officer may tell a sender about a document, in the sender's words. A suspected
# forgery is "could not be verified": the sender is never told more (no tipping-off).
REVIEW_REASONS = {
    "unreadable": gettext_lazy("The document is blurred, cut off or unreadable."),
    "expired": gettext_lazy("The document has expired."),
    "name_mismatch": gettext_lazy("The name on the document is not the name of the account."),
    "incomplete": gettext_lazy("A page or a side of the document is missing."),
    "not_accepted": gettext_lazy("This kind of document is not accepted."),
    "address_too_old": gettext_lazy("The proof of address is more than three months old."),
    "not_verifiable": gettext_lazy("The document could not be verified."),
}
# Where the sender may send documents again.
AWAITING_DOCUMENTS = (KycStatus.NONE, KycStatus.REJECTED, KycStatus.MORE_NEEDED)
# Transfers that no longer count against a sender's limits.
NOT_COUNTED = ("cancelled", "expired", "refunded")


def document_upload(*, customer: Customer, kind: str, content: bytes) -> KycDocument:
    """Keep an identity document for review; the sender's KYC status becomes pending."""
    if kind not in KycDocument.Kind.values:
        raise UnsupportedFile(f"unknown document type {kind!r}")
    stored = vault.store(f"kyc/{customer.pk}", content)
    document = KycDocument.objects.create(
        customer=customer,
        kind=kind,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        stored_name=stored.stored_name,
    )
    if customer.kyc_status in AWAITING_DOCUMENTS:
        customer.kyc_status = KycStatus.PENDING
        customer.save(update_fields=["kyc_status"])
    return document


def document_content(document: KycDocument, *, viewer, ip: str = "") -> bytes:
    """The original file, for a staff member allowed to see it; every view is recorded."""
    KycDocumentView.objects.create(document=document, viewer=viewer, ip=ip or None)
    return vault.read(document.stored_name)


@dataclass(frozen=True, slots=True)
class Limits:
    tier: int
    currency: str
    per_transfer: int
    per_30_days: int
    used_30_days: int
    per_365_days: int
    used_365_days: int

    @property
    def remaining_30_days(self) -> int:
        return max(self.per_30_days - self.used_30_days, 0)

    @property
    def remaining_365_days(self) -> int:
        return max(self.per_365_days - self.used_365_days, 0)

    @property
    def can_send_now(self) -> int:
        return min(self.per_transfer, self.remaining_30_days, self.remaining_365_days)


def limits_for(customer: Customer, *, now=None) -> Limits:
    """The tier's limits and what the sender used in each window, in one query."""
    now = now or timezone.now()
    counted = Transfer.objects.filter(customer=customer).exclude(status__in=NOT_COUNTED)

    def used_since(days: int):
        total = (
            counted.filter(created_at__gte=now - timedelta(days=days))
            .order_by()
            .values("customer")
            .annotate(s=Sum("send_amount_minor"))
            .values("s")
        )
        return Coalesce(Subquery(total), Value(0))

    tier = (
        KycTier.objects.filter(level=customer.kyc_tier)
        .annotate(month=used_since(30), year=used_since(365))
        .first()
    )
    if tier is None:  # an unknown level sends nothing
        return Limits(customer.kyc_tier, "EUR", 0, 0, 0, 0, 0)
    return Limits(
        tier=customer.kyc_tier,
        currency=tier.currency,
        per_transfer=tier.per_transfer_minor,
        per_30_days=tier.per_30_days_minor,
        used_30_days=tier.month,
        per_365_days=tier.per_365_days_minor,
        used_365_days=tier.year,
    )


def check_send(customer: Customer, amount_minor: int, currency: str, *, quoting=False) -> None:
    """Refuse a transfer the sender's tier does not allow, saying which limit and why."""
    if customer.kyc_status == KycStatus.REJECTED and not quoting:
        raise LimitExceeded(_("your identity could not be verified: you cannot send money"))
    limits = limits_for(customer)
    if limits.per_transfer == 0:
        if quoting:
            return
        raise LimitExceeded(_("verify your identity before sending money"))
    if currency != limits.currency:
        raise LimitExceeded(f"your limits are in {limits.currency}, not {currency}")

    def money(minor: int) -> str:
        return f"{format_major(minor, currency)} {currency}"

    if amount_minor > limits.per_transfer:
        raise LimitExceeded(
            _("your limit is %(amount)s per transfer") % {"amount": money(limits.per_transfer)}
        )
    if amount_minor > limits.remaining_30_days:
        raise LimitExceeded(
            _("this would exceed your 30-day limit: %(amount)s left")
            % {"amount": money(limits.remaining_30_days)}
        )
    if amount_minor > limits.remaining_365_days:
        raise LimitExceeded(
            _("this would exceed your yearly limit: %(amount)s left")
            % {"amount": money(limits.remaining_365_days)}
        )


def _lock_pending(document_id: int) -> tuple[KycDocument, Customer]:
    document = KycDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("identity document not found")
    if document.status != KycDocument.Status.PENDING:
        raise NotAllowedNow(f"this document was already decided: {document.get_status_display()}")
    return document, Customer.objects.select_for_update().get(pk=document.customer_id)


def _decide(document: KycDocument, status: str, reason: str, actor) -> None:
    document.status, document.reason, document.reviewed_by = status, reason[:200], actor
    document.reviewed_at = timezone.now()
    document.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])


def document_review(
    *,
    document_id: int,
    accept: bool,
    reason: str = "",
    tier: int = 1,
    actor=None,
    birth_date=None,
    nationality: str = "",
) -> KycDocument:
    """A compliance officer's decision on a document: accepted lifts the sender to `tier`
    (never lowers it) and records the birth date and nationality read on it, which then
    narrow the sender's screening; rejected says why. The sender sees it in GET /kyc."""
    with transaction.atomic():
        document, customer = _lock_pending(document_id)
        if not accept and not reason.strip():
            raise NotAllowedNow("say why the document is rejected")
        _decide(document, document.Status.ACCEPTED if accept else document.Status.REJECTED,
                reason, actor)  # fmt: skip
        if accept:
            customer.kyc_tier = max(customer.kyc_tier, tier)
            customer.kyc_status = KycStatus.VERIFIED
            customer.birth_date = birth_date or customer.birth_date
            customer.nationality = (nationality or customer.nationality).upper()
        elif customer.kyc_tier == 0:
            customer.kyc_status = KycStatus.REJECTED
        customer.save(update_fields=["kyc_tier", "kyc_status", "birth_date", "nationality"])
        if accept:
            screen_customer(customer)
    return document


@transaction.atomic
def document_request_another(
    *, document_id: int, reason: str, wanted: str = "", actor=None
) -> KycDocument:
    """Neither accepted nor refused: the sender is asked for another document (why, and which
    kind when the officer says), and may upload again. A verified sender stays verified."""
    if not reason.strip():
        raise NotAllowedNow("say why another document is needed")
    if wanted and wanted not in KycDocument.Kind.values:
        raise UnsupportedFile(f"unknown document type {wanted!r}")
    document, customer = _lock_pending(document_id)
    if wanted:
        reason = f"{reason} " + _("Please send: %(kind)s.") % {
            "kind": KycDocument.Kind(wanted).label
        }
    _decide(document, KycDocument.Status.MORE_NEEDED, reason, actor)
    if customer.kyc_status != KycStatus.VERIFIED:
        customer.kyc_status = KycStatus.MORE_NEEDED
        customer.save(update_fields=["kyc_status"])
    return document
