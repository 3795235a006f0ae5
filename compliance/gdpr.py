"""A sender's right of access: everything we hold about them, machine-readable.

The export walks the sender's own rows: profile, recipients, transfers with their timeline,
payments and refunds, identity documents (metadata; the files are given by support on
request), sign-in sessions. Model fields are exported as they are, so a field added later is
exported without anyone remembering to add it here.

Not exported: sanctions screening hits and monitoring alerts. Anti-money-laundering law
forbids telling a customer that their activity is being examined (tipping-off), and GDPR
lets that obligation restrict the right of access; those records stay for the authorities.
"""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiSession
from compliance.models import (
    Case,
    CaseAttachment,
    CaseNote,
    GdprRequest,
    KycDocument,
    KycDocumentView,
    ScreeningHit,
)
from payments.errors import NotAllowedNow
from payments.models import (
    Customer,
    IncomingPayment,
    Recipient,
    Refund,
    Transfer,
    TransferEvent,
)
from payments.states import TERMINAL

# Never exported: secrets and internal keys that say nothing about the person.
HIDDEN = {"access_digest", "refresh_digest", "stored_name", "sha256", "fingerprint"}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Model) -> dict:
    return {
        field.attname: _value(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.attname not in HIDDEN
    }


def gdpr_export(customer: Customer) -> dict:
    transfers = list(Transfer.objects.filter(customer=customer).prefetch_related("events"))
    return {
        "format": "moneybridge-personal-data/1",
        "customer": _row(customer),
        "recipients": [_row(r) for r in Recipient.objects.filter(customer=customer)],
        "transfers": [{**_row(t), "events": [_row(e) for e in t.events.all()]} for t in transfers],
        "payments": [_row(p) for p in IncomingPayment.objects.filter(transfer__in=transfers)],
        "refunds": [_row(r) for r in Refund.objects.filter(transfer__in=transfers)],
        "identity_documents": [_row(d) for d in KycDocument.objects.filter(customer=customer)],
        "sessions": [_row(s) for s in ApiSession.objects.filter(customer=customer)],
    }


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def gdpr_access(customer: Customer) -> dict:
    """The export, recorded in the sender's GDPR trail."""
    data = gdpr_export(customer)
    record(customer, GdprRequest.Kind.EXPORT)
    return data


def record(customer: Customer, kind: str, detail: str = "") -> None:
    GdprRequest.objects.create(customer=customer, kind=kind, detail=detail[:300])


@transaction.atomic
def gdpr_request_erasure(*, customer: Customer) -> Customer:
    """Close the relationship now: sign-in disabled, sessions revoked, contact details gone.
    Identity and transaction records are anti-money-laundering records: they are kept for
    AML_RETENTION_YEARS after the relationship ends, then erased by the daily purge."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.relationship_ended_at:
        return customer
    busy = Transfer.objects.filter(customer=customer).exclude(status__in=list(TERMINAL))
    if busy.exists():
        raise NotAllowedNow(
            "a transfer is still under way: erasure can be asked once it is finished",
            code="transfers_in_flight",
        )
    now = timezone.now()
    ApiSession.objects.filter(customer=customer, revoked_at__isnull=True).update(
        revoked_at=now, revoked_why="erasure"
    )
    if customer.user_id:
        user = customer.user
        user.is_active = False
        user.set_unusable_password()
        user.username = user.email = f"erased-{customer.pk}@invalid"
        user.first_name = user.last_name = ""  # the sign-in account is not an AML record
        user.save(
            update_fields=["is_active", "password", "username", "email", "first_name", "last_name"]
        )
    customer.email, customer.phone = f"erased-{customer.pk}@invalid", ""
    customer.relationship_ended_at = now
    customer.retention_until = _years_later(now.date(), settings.AML_RETENTION_YEARS)
    customer.save(update_fields=["email", "phone", "relationship_ended_at", "retention_until"])
    record(customer, GdprRequest.Kind.ERASURE, f"AML records kept until {customer.retention_until}")
    return customer


def gdpr_purge_due(*, today=None) -> int:
    """Erase the personal data of every closed relationship whose retention is over."""
    today = today or timezone.now().date()
    due = Customer.objects.filter(retention_until__lte=today, erased_at__isnull=True)
    erased = 0
    for customer_id in due.values_list("pk", flat=True):
        _purge(customer_id)
        erased += 1
    return erased


@transaction.atomic
def _purge(customer_id: int) -> None:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    names = {customer.full_name}
    recipients = Recipient.objects.filter(customer=customer)
    names |= {r.full_name for r in recipients}
    recipients.update(first_name="erased", last_name="erased", phone="")
    transfers = Transfer.objects.filter(customer=customer)
    transfers.update(payout_msisdn="", hold_reason="", funding_instructions={})
    for event in TransferEvent.objects.filter(transfer__customer=customer):
        reason = event.reason
        for name in names:
            reason = reason.replace(name, "[erased]")
        if reason != event.reason:
            TransferEvent.objects.filter(pk=event.pk).update(reason=reason)
    Transfer.history.filter(customer_id=customer.pk).delete()
    for document in KycDocument.objects.filter(customer=customer):
        (Path(settings.PRIVATE_MEDIA_ROOT) / document.stored_name).unlink(missing_ok=True)
    KycDocumentView.objects.filter(document__customer=customer).delete()
    KycDocument.objects.filter(customer=customer).delete()
    KycDocument.history.filter(customer_id=customer.pk).delete()
    _purge_cases(customer)
    ScreeningHit.objects.filter(party="sender", party_id=customer.pk).update(
        screened_name="[erased]"
    )
    ScreeningHit.objects.filter(party="recipient", party_id__in=recipients.values("pk")).update(
        screened_name="[erased]"
    )
    ApiSession.objects.filter(customer=customer).delete()
    Customer.history.filter(id=customer.pk).delete()
    Recipient.history.filter(customer_id=customer.pk).delete()
    customer.first_name = customer.last_name = "erased"
    customer.birth_date, customer.nationality = None, ""
    customer.erased_at = timezone.now()
    customer.save_without_historical_record(
        update_fields=["first_name", "last_name", "birth_date", "nationality", "erased_at"]
    )
    record(customer, GdprRequest.Kind.PURGE, "retention over: personal data erased")


def _purge_cases(customer: Customer) -> None:
    """The customer's cases outlive nothing either: files gone, what was written erased; the
    cases themselves (dates, outcome) stay as the trace that they existed."""
    attachments = CaseAttachment.objects.filter(case__customer=customer)
    for attachment in attachments:
        (Path(settings.PRIVATE_MEDIA_ROOT) / attachment.stored_name).unlink(missing_ok=True)
    attachments.delete()
    CaseNote.objects.filter(case__customer=customer).update(text="[erased]")
    Case.objects.filter(customer=customer).update(decision="[erased]")
    Case.history.filter(customer_id=customer.pk).delete()
