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

from django.db.models import Model

from accounts.models import ApiSession
from compliance.models import KycDocument
from payments.models import Customer, IncomingPayment, Recipient, Refund, Transfer

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
