"""The content of a suspicious activity report: the facts an analyst sends to the financial
intelligence unit about one case. Who the customer is, the operations over the last year
(those that raised the suspicion marked), the counterparties, the grounds (rules and list
matches with their evidence) and the analyst's own findings."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from compliance.models import Case
from payments.models import Transfer
from payments.money import format_major

LOOKBACK = timedelta(days=365)


def _money(minor: int, currency: str) -> dict:
    return {"amount": format_major(minor, currency), "currency": currency}


def _subject(customer) -> dict:
    return {
        "customer_id": customer.pk,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "birth_date": customer.birth_date,
        "nationality": customer.nationality,
        "country_of_residence": customer.country,
        "email": customer.email,
        "phone": customer.phone,
        "customer_since": customer.created_at,
        "relationship_ended_at": customer.relationship_ended_at,
        "kyc": {"tier": customer.kyc_tier, "status": customer.kyc_status},
        "identity_documents": [
            {
                "kind": d.kind,
                "status": d.status,
                "uploaded_at": d.uploaded_at,
                "reviewed_at": d.reviewed_at,
            }
            for d in customer.kyc_documents.all()
        ],  # fmt: skip
    }


NOT_SENT = ("created", "cancelled", "expired", "refunded")


def _totals(transfers: list[Transfer]) -> dict:
    """Money that actually left over the period, per currency."""
    sent: dict[str, int] = {}
    for t in transfers:
        if t.status not in NOT_SENT:
            sent[t.send_currency] = sent.get(t.send_currency, 0) + t.send_amount_minor
    return {
        "operations": sum(t.status not in NOT_SENT for t in transfers),
        "sent": [_money(minor, currency) for currency, minor in sorted(sent.items())],
    }


def _transfers(case: Case) -> list[Transfer]:
    since = case.opened_at - LOOKBACK
    transfers = (
        Transfer.objects.filter(customer_id=case.customer_id, created_at__gte=since)
        .select_related("recipient")
        .order_by("created_at")
    )
    return list(transfers)


def _operations(transfers: list[Transfer], flagged: set[int]) -> list[dict]:
    return [
        {
            "reference": t.reference,
            "concerned": t.pk in flagged,
            "created_at": t.created_at,
            "funded_at": t.funded_at,
            "paid_out_at": t.paid_out_at,
            "status": t.status,
            "funding_method": t.funding_method,
            "sent": _money(t.send_amount_minor, t.send_currency),
            "fee": _money(t.fee_minor, t.send_currency),
            "received": _money(t.receive_amount_minor, t.receive_currency),
            "purpose": t.purpose,
            "recipient": {
                "name": t.recipient.full_name,
                "wallet": t.payout_msisdn,
                "provider": t.payout_provider,
                "country": t.recipient.country,
            },
        }
        for t in transfers
    ]


def suspicious_activity_report(case: Case, *, author) -> dict:
    alerts = list(case.alerts.select_related("rule", "transfer"))
    hits = list(case.hits.select_related("entry", "transfer"))
    flagged = {a.transfer_id for a in alerts} | {h.transfer_id for h in hits if h.transfer_id}
    transfers = _transfers(case)
    return {
        "report": {
            "case": case.reference,
            "produced_at": timezone.now(),
            "produced_by": author.get_username() if author else "",
            "reporting_entity": settings.INSTITUTION_NAME,
            "case_opened_at": case.opened_at,
            "case_status": case.status,
            "outcome": case.outcome,
        },
        "subject": _subject(case.customer),
        "grounds": {
            "monitoring_alerts": [
                {
                    "rule": a.rule.code,
                    "rule_name": a.rule.name,
                    "score": a.score,
                    "evidence": a.evidence,
                    "transfer": a.transfer.reference,
                    "at": a.created_at,
                }
                for a in alerts
            ],
            "sanctions_matches": [
                {
                    "party": h.party,
                    "screened_name": h.screened_name,
                    "list": h.entry.source,
                    "list_entry": h.entry.source_uid,
                    "listed_name": h.entry.name,
                    "matched_name": h.matched_name,
                    "score": str(h.score),
                    "decision": h.status,
                    "decision_reason": h.reason,
                    "transfer": h.transfer.reference if h.transfer else None,
                }
                for h in hits
            ],
        },  # fmt: skip
        "operations": _operations(transfers, flagged),
        "totals": _totals(transfers),
        "analysis": {
            "decision": case.decision,
            "notes": [
                {
                    "at": n.created_at,
                    "by": n.author.get_username() if n.author else "system",
                    "text": n.text,
                }
                for n in case.notes.select_related("author")
            ],
            "attachments": [
                {"name": a.name, "content_type": a.content_type, "sha256": a.sha256}
                for a in case.attachments.all()
            ],
        },  # fmt: skip
    }
