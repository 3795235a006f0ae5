"""Cases: what compliance raised about one customer, worked and decided in one place.

Every monitoring alert and screening hit joins the customer's open case, or opens one (the
"add to case if possible" of compliance/NOTES.md 4.3). An officer takes the case, writes notes,
attaches files, and closes it with an outcome and the reasons; a case whose suspicion is
confirmed produces the suspicious activity report file for the financial intelligence unit.
Every change is kept by the case's history and its notes.
"""

import json

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from compliance import vault
from compliance.models import Case, CaseAttachment, CaseNote, MonitoringAlert, ScreeningHit
from compliance.sar import suspicious_activity_report
from payments.errors import NotAllowedNow, NotFound

OPEN = ~Q(status=Case.Status.CLOSED)


def case_for_customer(customer_id: int) -> Case:
    """The customer's open case, opened now if there is none (two callers at once get the
    same case: the database allows one open case per customer)."""
    case = Case.objects.filter(OPEN, customer_id=customer_id).first()
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return Case.objects.create(customer_id=customer_id)
    except IntegrityError:  # opened meanwhile by another transaction
        return Case.objects.get(OPEN, customer_id=customer_id)


def case_file_alerts(alerts: list[MonitoringAlert]) -> None:
    """Put new alerts (all of one customer) into that customer's open case."""
    fresh = [a for a in alerts if a.case_id is None]
    if not fresh:
        return
    case = case_for_customer(fresh[0].customer_id)
    MonitoringAlert.objects.filter(pk__in=[a.pk for a in fresh]).update(case=case)
    for alert in fresh:
        alert.case = case


def _lock(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound("case not found")
    return case


def _note(case: Case, text: str, actor) -> CaseNote:
    return CaseNote.objects.create(case=case, author=actor, text=text)


@transaction.atomic
def case_assign(*, case_id: int, assignee, actor) -> Case:
    """Give the case to an officer (or take it back: assignee None); work starts."""
    case = _lock(case_id)
    if case.status == Case.Status.CLOSED:
        raise NotAllowedNow("this case is closed")
    case.assignee = assignee
    if assignee is not None:
        case.status = Case.Status.INVESTIGATING
    case.save(update_fields=["assignee", "status"])
    who = assignee.get_username() if assignee else "nobody"
    _note(case, f"assigned to {who}", actor)
    return case


@transaction.atomic
def case_add_note(*, case_id: int, text: str, actor) -> CaseNote:
    if not text.strip():
        raise NotAllowedNow("a note needs some text")
    return _note(_lock(case_id), text.strip(), actor)


@transaction.atomic
def case_attach(*, case_id: int, name: str, content: bytes, actor) -> CaseAttachment:
    """Keep a file for the case, encrypted outside the web root (JPEG, PNG or PDF)."""
    case = _lock(case_id)
    stored = vault.store(f"cases/{case.pk}", content)
    attachment = CaseAttachment.objects.create(
        case=case, name=(name or "file")[:120], content_type=stored.content_type,
        size=stored.size, sha256=stored.sha256, stored_name=stored.stored_name, uploaded_by=actor,
    )  # fmt: skip
    _note(case, f"attached {attachment.name}", actor)
    return attachment


def attachment_content(attachment: CaseAttachment) -> bytes:
    return vault.read(attachment.stored_name)


@transaction.atomic
def case_close(*, case_id: int, outcome: str, decision: str, actor) -> Case:
    """Decide the case. Its screening hits must be decided first (they hold transfers); its
    alerts close with it. The decision text is the analyst's record of why."""
    if outcome not in Case.Outcome.values:
        raise NotAllowedNow(f"unknown outcome {outcome!r}")
    if not decision.strip():
        raise NotAllowedNow("say what was found and why: the decision is part of the record")
    case = _lock(case_id)
    if case.status == Case.Status.CLOSED:
        raise NotAllowedNow("this case is already closed")
    if case.hits.filter(status=ScreeningHit.Status.OPEN).exists():
        raise NotAllowedNow("decide the case's screening hits first")
    case.status, case.outcome, case.decision = Case.Status.CLOSED, outcome, decision.strip()
    case.closed_at, case.closed_by = timezone.now(), actor
    case.save(update_fields=["status", "outcome", "decision", "closed_at", "closed_by"])
    case.alerts.filter(status=MonitoringAlert.Status.OPEN).update(
        status=MonitoringAlert.Status.CLOSED
    )
    _note(case, f"closed: {case.get_outcome_display()}", actor)
    return case


def case_on_true_match(hit: ScreeningHit, actor) -> None:
    """A confirmed sanctions match: its case is under investigation from now on."""
    case = _lock(hit.case_id) if hit.case_id else None
    if case is None or case.status == Case.Status.CLOSED:
        customer_id = _customer_of(hit)
        case = _lock(case_for_customer(customer_id).pk)
        hit.case = case
        hit.save(update_fields=["case"])
    case.status = Case.Status.INVESTIGATING
    case.save(update_fields=["status"])
    _note(case, f"confirmed sanctions match: {hit.entry.name} ({hit.entry.source})", actor)


def _customer_of(hit: ScreeningHit) -> int:
    if hit.party == ScreeningHit.Party.SENDER:
        return hit.party_id
    from payments.models import Recipient

    return Recipient.objects.values_list("customer_id", flat=True).get(pk=hit.party_id)


@transaction.atomic
def case_report(*, case_id: int, actor) -> tuple[str, bytes]:
    """The suspicious activity report file: who, what operations, why it is suspicious, what
    the analyst found. Produced for the financial intelligence unit (Tracfin's ERMES filing in
    France); never shown to the customer. Producing it is recorded on the case."""
    case = _lock(case_id)
    report = suspicious_activity_report(case, author=actor)
    case.sar_at = timezone.now()
    case.save(update_fields=["sar_at"])
    _note(case, "suspicious activity report produced", actor)
    body = json.dumps(report, indent=2, ensure_ascii=False, default=str).encode()
    return f"SAR-{case.reference}.json", body
