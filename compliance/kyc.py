"""Know your customer: identity documents and the sending limits of each tier.

Documents are checked by their content (JPEG, PNG or PDF magic bytes, size), encrypted with
Fernet (AES-128-CBC + HMAC) and written under PRIVATE_MEDIA_ROOT, never under a served path.
Limits are per transfer, rolling 30 days and rolling 365 days, in the sender's currency;
tier 0 (registered, not verified) may quote and add recipients but not send.
"""

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction
from django.db.models import Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.errors import FileTooLarge, LimitExceeded, UnsupportedFile
from compliance.models import KycDocument, KycTier
from compliance.screening import screen_customer
from payments.errors import NotAllowedNow
from payments.models import Customer, Transfer
from payments.models.customers import KycStatus
from payments.money import format_major

SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}
# Transfers that no longer count against a sender's limits.
NOT_COUNTED = ("cancelled", "expired", "refunded")


def _fernet() -> Fernet:
    key = settings.KYC_DOCUMENT_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(f"kyc-documents:{settings.SECRET_KEY}".encode()).digest()
    )
    return Fernet(key)


def sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)


def document_upload(*, customer: Customer, kind: str, content: bytes) -> KycDocument:
    """Keep an identity document for review; the sender's KYC status becomes pending."""
    if kind not in KycDocument.Kind.values:
        raise UnsupportedFile(f"unknown document type {kind!r}")
    if len(content) > settings.KYC_DOCUMENT_MAX_BYTES:
        ceiling = settings.KYC_DOCUMENT_MAX_BYTES // (1024 * 1024)
        raise FileTooLarge(_("a document may be at most %(size)s MB") % {"size": ceiling})
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedFile(_("send a JPEG, PNG or PDF file"))
    stored_name = f"kyc/{customer.pk}/{uuid.uuid4().hex}.bin"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fernet().encrypt(content))
    document = KycDocument.objects.create(
        customer=customer,
        kind=kind,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_name=stored_name,
    )
    if customer.kyc_status in (KycStatus.NONE, KycStatus.REJECTED):
        customer.kyc_status = KycStatus.PENDING
        customer.save(update_fields=["kyc_status"])
    return document


def document_content(document: KycDocument) -> bytes:
    """The original file, for staff allowed to see it (the console logs every view)."""
    path = Path(settings.PRIVATE_MEDIA_ROOT) / document.stored_name
    return _fernet().decrypt(path.read_bytes())


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
        document = (
            KycDocument.objects.select_for_update().select_related("customer").get(pk=document_id)
        )
        if document.status != KycDocument.Status.PENDING:
            raise NotAllowedNow(f"this document was already {document.status}")
        if not accept and not reason.strip():
            raise NotAllowedNow("say why the document is rejected")
        customer = Customer.objects.select_for_update().get(pk=document.customer_id)
        document.status = KycDocument.Status.ACCEPTED if accept else KycDocument.Status.REJECTED
        document.reason, document.reviewed_by = reason[:200], actor
        document.reviewed_at = timezone.now()
        document.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
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
