"""Sanctions screening of senders and recipients, and the officer's decision on a hit.

Every screening of a transfer looks at both parties against the active list entries
(compliance.matching). A score at or above SCREENING_THRESHOLD is a hit: it is recorded, and
the transfer is held until a compliance officer decides. A false positive is remembered for
that party and that entry as it stands (its fingerprint), so the same hit does not come back
until the entry changes; a true match keeps the transfer held for the case that follows.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from compliance.cases import case_for_customer, case_on_true_match
from compliance.matching import index, screen_name
from compliance.models import SanctionsEntry, ScreeningHit
from payments.errors import NotAllowedNow, NotFound

H = ScreeningHit.Status
PERSON = (SanctionsEntry.Kind.PERSON,)


@dataclass(frozen=True, slots=True)
class Party:
    kind: str  # ScreeningHit.Party
    pk: int
    customer_id: int  # whose case a hit joins: the sender, or the recipient's sender
    name: str
    country: str = ""
    birth_date: str = ""  # ISO date, when we know it
    nationality: str = ""


def _sender(customer) -> Party:
    born = customer.birth_date.isoformat() if customer.birth_date else ""
    return Party(
        ScreeningHit.Party.SENDER, customer.pk, customer.pk, customer.full_name, customer.country,
        born, customer.nationality,
    )  # fmt: skip


def _recipient(recipient) -> Party:
    return Party(
        ScreeningHit.Party.RECIPIENT, recipient.pk, recipient.customer_id, recipient.full_name,
        recipient.country,
    )  # fmt: skip


def parties_of(transfer) -> list[Party]:
    return [_sender(transfer.customer), _recipient(transfer.recipient)]


def screen_party(party: Party, *, transfer=None, idx=None) -> list[ScreeningHit]:
    """The open hits of a party now: new ones recorded, decided false positives skipped.
    (A recipient's country is where they live, not a nationality: it qualifies nothing.)"""
    matches = screen_name(
        party.name, dob=party.birth_date, nationality=party.nationality, kinds=PERSON,
        threshold=settings.SCREENING_THRESHOLD, idx=idx,
    )  # fmt: skip
    if not matches:
        return []
    known = {
        (hit.entry_id, hit.entry_fingerprint): hit
        for hit in ScreeningHit.objects.filter(party=party.kind, party_id=party.pk)
    }
    open_hits = []
    for match in matches:
        previous = known.get((match.entry_id, match.fingerprint))
        if previous is not None:  # open, or a true match: still stands; a false positive: gone
            if previous.status != H.FALSE_POSITIVE:
                open_hits.append(previous)
            continue
        hit = ScreeningHit.objects.create(
            party=party.kind,
            party_id=party.pk,
            screened_name=party.name[:300],
            entry_id=match.entry_id,
            entry_fingerprint=match.fingerprint,
            matched_name=match.matched_name[:300],
            score=match.score,
            transfer=transfer,
            case=case_for_customer(party.customer_id),
        )
        open_hits.append(hit)
    return open_hits


def screen_customer(customer) -> list[ScreeningHit]:
    """At sign-up and when identity is verified: record any hit for an officer to review."""
    return screen_party(_sender(customer))


def screen_recipient(recipient) -> list[ScreeningHit]:
    """When a recipient is added: record any hit; their transfers are held until decided."""
    return screen_party(_recipient(recipient))


def rescreen_everyone(*, batch: int = 2000) -> int:
    """After a list changed: screen every sender and recipient again against the new entries
    (decided false positives stay decided while their entry is unchanged)."""
    from payments.models import Customer, Recipient

    idx, screened = index(), 0
    senders = Customer.objects.only(
        "first_name", "last_name", "country", "birth_date", "nationality"
    ).iterator(batch)
    for customer in senders:
        screen_party(_sender(customer), idx=idx)
        screened += 1
    recipients = Recipient.objects.only("customer_id", "first_name", "last_name").iterator(batch)
    for recipient in recipients:
        screen_party(_recipient(recipient), idx=idx)
        screened += 1
    return screened


def screening_hold_reason(transfer) -> str | None:
    """Why this transfer must wait for an officer (a possible sanctions match), or None."""
    idx = index()
    hits = [
        hit
        for party in parties_of(transfer)
        for hit in screen_party(party, transfer=transfer, idx=idx)
    ]
    if not hits:
        return None
    worst = max(hits, key=lambda h: h.score)
    return (
        f"possible sanctions match: {worst.get_party_display().lower()} "
        f"'{worst.screened_name}' ~ '{worst.entry.name}' ({worst.entry.source}, "
        f"score {worst.score}); {len(hits)} hit(s) to review"
    )[:200]


def _hits_of(transfer):
    return ScreeningHit.objects.filter(
        Q(party=ScreeningHit.Party.SENDER, party_id=transfer.customer_id)
        | Q(party=ScreeningHit.Party.RECIPIENT, party_id=transfer.recipient_id)
    )


def screening_release_blocker(transfer) -> str | None:
    hits = _hits_of(transfer).exclude(status=H.FALSE_POSITIVE)
    if hits.filter(status=H.TRUE_MATCH).exists():
        return "a party of this transfer is a confirmed sanctions match: its funds stay frozen"
    if hits.filter(status=H.OPEN).exists():
        return "a possible sanctions match on this transfer is still to be decided"
    return None


@transaction.atomic
def hit_decide(*, hit_id: int, true_match: bool, reason: str, actor=None) -> ScreeningHit:
    """An officer's decision on a hit, with who and why. Decided once. A true match freezes
    every held transfer of that party (SANCTIONS_TRUE_MATCH_POLICY "freeze", the French asset
    freeze rule) or returns the sender's money ("return")."""
    if not reason.strip():
        raise NotAllowedNow("say why: the decision is part of the audit trail")
    hit = ScreeningHit.objects.select_for_update().filter(pk=hit_id).first()
    if hit is None:
        raise NotFound("screening hit not found")
    if hit.status != H.OPEN:
        raise NotAllowedNow(f"this hit was already decided: {hit.get_status_display()}")
    hit.status = H.TRUE_MATCH if true_match else H.FALSE_POSITIVE
    hit.reason, hit.decided_by, hit.decided_at = reason[:300], actor, timezone.now()
    hit.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    if true_match:
        case_on_true_match(hit, actor)
        _act_on_true_match(hit, actor)
    return hit


def _act_on_true_match(hit: ScreeningHit, actor) -> None:
    from payments.models import Transfer
    from payments.states import TransferStatus as S
    from payments.transfers import lock_transfer, transfer_note, transfer_refund

    party = {"sender": "customer_id", "recipient": "recipient_id"}[hit.party]
    why = (
        f"confirmed sanctions match on the {hit.party} ({hit.entry.source} {hit.entry.source_uid})"
    )
    held = Transfer.objects.filter(status=S.ON_HOLD, **{party: hit.party_id})
    for transfer_id in held.values_list("pk", flat=True):
        if settings.SANCTIONS_TRUE_MATCH_POLICY == "return":
            transfer_refund(transfer_id=transfer_id, reason=why, actor=actor, via="compliance")
        else:
            transfer = lock_transfer(transfer_id)
            transfer.hold_reason = f"frozen: {why}"[:200]
            transfer.save(update_fields=["hold_reason", "updated_at"])
            transfer_note(transfer, f"{why}: funds frozen", via="compliance", actor=actor)
