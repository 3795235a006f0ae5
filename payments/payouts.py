"""Payout orchestration: attempts, provider calls, status checks, and the sweeper.

The no-double-payout rule, in three parts:
1. An attempt is committed as SENDING, under the transfer lock, before the provider is
   called; the database allows one open attempt per transfer.
2. The provider call runs outside any transaction, with the attempt's reference as the
   provider's idempotency key.
3. A timeout or any unclear answer leaves the attempt UNKNOWN, resolved only by asking the
   provider for the status of that reference. A new attempt is made only once the previous
   one is known to have failed or never to have reached the provider (the connection was
   refused, or a person settled the attempt after checking with the provider). Silence is
   never taken as "not received": the provider's "no such payout" only schedules another
   check, and an attempt that stays open shows as stuck in the console.
"""

import contextlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from payments.errors import NotAllowedNow
from payments.jobs import enqueue_swept, sweep_cutoff
from payments.models import PayoutAttempt, Transfer
from payments.references import attempt_reference
from payments.routing import rank_providers
from payments.states import TransferStatus as S
from payments.transfers import (
    CHECKS_JOB,
    SUBMIT_JOB,
    lock_transfer,
    transfer_fail_over,
    transfer_paid_out,
    transfer_payout_failed,
    transfer_payout_submitted,
)
from providers.base import PayoutRequest, PayoutResult, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    ProviderError,
    RetryableError,
)
from providers.registry import get_provider

log = logging.getLogger(__name__)
A = PayoutAttempt.Status
FINAL = (A.SUCCEEDED, A.FAILED, A.NOT_SENT)
# After this many attempts in a row that never reached the provider, a person looks.
MAX_NOT_SENT = 5


def _next_check(checks: int, now: datetime) -> datetime:
    delay = min(settings.PAYOUT_POLL_BASE_SECONDS * 2**checks, settings.PAYOUT_POLL_MAX_SECONDS)
    return now + timedelta(seconds=delay)


# --- Submission ---------------------------------------------------------------------------------


def payout_submit(transfer_id: int) -> PayoutAttempt | None:
    """Send the payout of a transfer awaiting it. Safe to run twice or concurrently."""
    attempt = _open_attempt(transfer_id)
    if attempt is None:
        return None
    return _send(attempt)


@transaction.atomic
def _open_attempt(transfer_id: int) -> PayoutAttempt | None:
    transfer = lock_transfer(transfer_id)
    if transfer.status != S.PAYOUT_PENDING:
        return None
    if transfer.attempts.filter(status__in=PayoutAttempt.OPEN).exists():
        return None
    number = (transfer.attempts.aggregate(n=Max("number"))["n"] or 0) + 1
    return PayoutAttempt.objects.create(
        transfer=transfer,
        number=number,
        reference=attempt_reference(transfer.reference, number),
        provider=transfer.payout_provider,
        msisdn=transfer.payout_msisdn,
    )


def _request(attempt: PayoutAttempt) -> PayoutRequest:
    transfer = Transfer.objects.select_related("recipient").get(pk=attempt.transfer_id)
    recipient = transfer.recipient
    return PayoutRequest(
        reference=attempt.reference,
        amount_minor=transfer.receive_amount_minor,
        currency=transfer.receive_currency,
        msisdn=attempt.msisdn,
        recipient_name=recipient.full_name,
        country=recipient.country,
    )


def _send(attempt: PayoutAttempt) -> PayoutAttempt:
    try:
        request = _request(attempt)
        provider = get_provider(attempt.provider)
    except Exception as exc:  # noqa: BLE001 - nothing left us: the attempt was never sent
        log.exception("payout %s: could not prepare the request", attempt.reference)
        return payout_mark_not_sent(attempt.pk, code="not_prepared", detail=str(exc), counts=False)
    try:
        result = provider.send_payout(request)
    except PermanentError as exc:
        result = PayoutResult(PayoutState.FAILED, error_code=exc.code, message=str(exc))
    except RetryableError as exc:
        return payout_mark_not_sent(attempt.pk, code=exc.code or "retryable", detail=str(exc))
    except ProviderConfigError as exc:  # our setup is wrong: page ops, fail nobody's transfer
        return payout_mark_not_sent(attempt.pk, code="config", detail=str(exc), counts=False)
    except ProviderError as exc:  # unclassified: it may have been acted on
        return payout_mark_unknown(attempt.pk, detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - anything unexpected may have reached the provider
        log.exception("payout %s: unexpected error while sending", attempt.reference)
        return payout_mark_unknown(attempt.pk, detail=f"unexpected error: {exc}")
    return payout_record(attempt.pk, result)


# --- Recording outcomes (monotonic: a final attempt never changes) ---------------------------


def _lock_attempt(attempt_id: int) -> tuple[Transfer, PayoutAttempt]:
    transfer_id = PayoutAttempt.objects.values_list("transfer_id", flat=True).get(pk=attempt_id)
    transfer = lock_transfer(transfer_id)  # lock order: transfer, then attempt
    return transfer, PayoutAttempt.objects.select_for_update().get(pk=attempt_id)


@transaction.atomic
def payout_record(attempt_id: int, result: PayoutResult, *, checked: bool = False) -> PayoutAttempt:
    """Apply what the provider says about an attempt. Idempotent and order-independent."""
    now = timezone.now()
    transfer, attempt = _lock_attempt(attempt_id)
    if attempt.status in FINAL:
        _note_contradiction(attempt, result, now)
        return attempt
    if checked:
        attempt.checks += 1
    attempt.provider_ref = result.provider_ref or attempt.provider_ref
    if result.state == PayoutState.SUCCEEDED:
        _finish(attempt, A.SUCCEEDED, now)
        transfer_payout_submitted(transfer, attempt, reason="accepted by the provider")
        transfer_paid_out(transfer, attempt, now=now)
    elif result.state == PayoutState.FAILED:
        _finish(attempt, A.FAILED, now, code=result.error_code, detail=result.message)
        _fail_or_fail_over(
            transfer,
            attempt,
            reason=f"{attempt.provider}: {result.error_code or result.raw_status}",
        )
    elif result.state == PayoutState.PENDING:
        attempt.status = A.SUBMITTED
        attempt.next_check_at = _next_check(attempt.checks, now)
        transfer_payout_submitted(transfer, attempt, reason="accepted by the provider")
    else:  # not found (yet): ask again later; a person settles it if it never shows up
        attempt.next_check_at = _next_check(attempt.checks, now)
    attempt.save()
    return attempt


CONTRADICTS = {
    A.SUCCEEDED: {PayoutState.FAILED},
    A.FAILED: {PayoutState.SUCCEEDED},
    A.NOT_SENT: {PayoutState.SUCCEEDED, PayoutState.PENDING},
}


def _note_contradiction(attempt: PayoutAttempt, result: PayoutResult, now: datetime) -> None:
    """A settled attempt never changes, but a provider contradicting it must reach a person."""
    if result.state in CONTRADICTS.get(attempt.status, ()):
        log.error(
            "payout %s is %s but %s now reports %s",
            attempt.reference,
            attempt.status,
            attempt.provider,
            result.state,
        )
        attempt.late_report = f"{now:%Y-%m-%d %H:%M} UTC: provider reported {result.state}"
        attempt.save(update_fields=["late_report", "updated_at"])


def _finish(attempt: PayoutAttempt, status: str, now: datetime, *, code="", detail="") -> None:
    attempt.status = status
    attempt.finished_at = now
    attempt.next_check_at = None
    attempt.error_code = code[:60]
    attempt.error_message = detail[:300]


@transaction.atomic
def payout_mark_unknown(attempt_id: int, *, detail: str) -> PayoutAttempt:
    now = timezone.now()
    transfer, attempt = _lock_attempt(attempt_id)
    if attempt.status != A.SENDING:
        return attempt
    attempt.status = A.UNKNOWN
    attempt.error_message = detail[:300]
    attempt.next_check_at = _next_check(0, now)
    attempt.save()
    transfer_payout_submitted(
        transfer, attempt, reason="outcome unknown: checking with the provider"
    )
    return attempt


@transaction.atomic
def payout_mark_not_sent(
    attempt_id: int, *, code: str, detail: str, counts: bool = True
) -> PayoutAttempt:
    """The provider certainly did not act. The sweeper makes a new attempt after a pause.

    `counts`: whether this failure counts towards giving up (an outage of the provider does;
    our own misconfiguration does not: it is fixed by ops, not by failing transfers).
    """
    now = timezone.now()
    transfer, attempt = _lock_attempt(attempt_id)
    if attempt.status != A.SENDING:
        return attempt
    _finish(attempt, A.NOT_SENT, now, code=code, detail=detail)
    attempt.save()
    if counts and _unreachable_streak(transfer) >= MAX_NOT_SENT:
        _fail_or_fail_over(
            transfer,
            attempt,
            reason=f"{attempt.provider} unreachable after {MAX_NOT_SENT} attempts",
        )
    return attempt


def _fail_or_fail_over(transfer: Transfer, attempt: PayoutAttempt, *, reason: str) -> None:
    """The payout failed for good with this provider. If another provider of the corridor can
    pay the same number and has not been tried for this transfer, go on with it at once (the
    timeline shows both moves); otherwise the transfer waits for a person."""
    transfer_payout_failed(transfer, attempt, reason=reason)
    if not settings.PAYOUT_FAILOVER:
        return
    tried = set(transfer.attempts.values_list("provider", flat=True)) | {attempt.provider}
    options = rank_providers(
        transfer.corridor,
        transfer.payout_msisdn,
        exclude=tried,
        amount_minor=transfer.receive_amount_minor,
    )
    if options:
        transfer_fail_over(transfer, provider=options[0], reason=f"failover after {reason}")


def _unreachable_streak(transfer: Transfer) -> int:
    """Attempts in a row that never reached the provider since the payout last (re)started."""
    since = (
        transfer.events.filter(to_status=S.PAYOUT_PENDING).order_by("-id").values("created_at")[:1]
    )
    streak = 0
    for status, code in (
        transfer.attempts.filter(created_at__gte=since)
        .order_by("-number")
        .values_list("status", "error_code")[:MAX_NOT_SENT]
    ):
        if status != A.NOT_SENT or code in ("config", "not_prepared"):
            break
        streak += 1
    return streak


# --- Settling by hand ---------------------------------------------------------------------------


def attempts_needing_a_person(*, now: datetime | None = None):
    """Open attempts the provider has not settled within the grace period: a person checks."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PAYOUT_NOT_FOUND_GRACE_SECONDS)
    return PayoutAttempt.objects.filter(status__in=PayoutAttempt.OPEN, created_at__lt=cutoff)


RESOLUTIONS = {"succeeded": A.SUCCEEDED, "failed": A.FAILED, "not_sent": A.NOT_SENT}


@transaction.atomic
def payout_resolve(*, attempt_id: int, outcome: str, reason: str, actor) -> PayoutAttempt:
    """Settle an open attempt after a person checked it with the provider (portal, statement,
    phone). The only way to close an attempt the provider never confirms either way."""
    if outcome not in RESOLUTIONS:
        raise NotAllowedNow(f"outcome must be one of {', '.join(RESOLUTIONS)}")
    if not reason.strip():
        raise NotAllowedNow("say how the outcome was established")
    now = timezone.now()
    transfer, attempt = _lock_attempt(attempt_id)
    if attempt.status in FINAL:
        raise NotAllowedNow(f"attempt {attempt.reference} is already {attempt.status}")
    why = f"{reason} (settled by hand as {outcome})"
    _finish(attempt, RESOLUTIONS[outcome], now, code="manual", detail=why)
    attempt.save()
    if outcome == "succeeded":
        transfer_payout_submitted(transfer, attempt, reason=why, actor=actor)
        transfer_paid_out(transfer, attempt, now=now, reason=why, actor=actor)
    elif outcome == "failed" or transfer.status == S.PAYOUT_SUBMITTED:
        transfer_payout_failed(transfer, attempt, reason=why, actor=actor)
    return attempt


# --- Status checks ------------------------------------------------------------------------------


def payout_check(attempt_id: int) -> PayoutAttempt:
    """Ask the provider where an open attempt stands, and record the answer."""
    attempt = PayoutAttempt.objects.get(pk=attempt_id)
    if attempt.status in FINAL:
        return attempt
    stale_before = timezone.now() - timedelta(seconds=settings.PAYOUT_STALE_SENDING_SECONDS)
    if attempt.status == A.SENDING and attempt.updated_at > stale_before:
        return attempt  # a worker is sending it right now
    try:
        country = Transfer.objects.values_list("corridor__destination_country", flat=True).get(
            pk=attempt.transfer_id
        )
        result = get_provider(attempt.provider).get_payout_status(attempt.reference, country)
    except ProviderError as exc:
        log.warning("payout %s: status check failed: %s", attempt.reference, exc)
        return _postpone_check(attempt_id)
    return payout_record(attempt_id, result, checked=True)


@transaction.atomic
def _postpone_check(attempt_id: int) -> PayoutAttempt:
    _, attempt = _lock_attempt(attempt_id)
    if attempt.status not in FINAL:
        attempt.checks += 1
        attempt.next_check_at = _next_check(attempt.checks, timezone.now())
        attempt.save(update_fields=["checks", "next_check_at", "updated_at"])
    return attempt


def poll_due_payouts(*, limit: int = 200) -> int:
    """Check every submitted or unknown attempt whose next check is due."""
    due = list(
        PayoutAttempt.objects.filter(
            status__in=(A.SUBMITTED, A.UNKNOWN), next_check_at__lte=timezone.now()
        )
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for attempt_id in due:
        try:
            payout_check(attempt_id)
        except Exception:  # noqa: BLE001 - one bad attempt must not stall every other payout
            log.exception("payout attempt %s: status check crashed", attempt_id)
            with contextlib.suppress(Exception):
                _postpone_check(attempt_id)
    return len(due)


def sweep_stuck_transfers(*, limit: int = 500) -> dict[str, int]:
    """Find payouts that a lost job or a dead worker left behind, and move them on."""
    now = timezone.now()
    stale = list(
        PayoutAttempt.objects.filter(
            status=A.SENDING,
            updated_at__lt=now - timedelta(seconds=settings.PAYOUT_STALE_SENDING_SECONDS),
        ).values_list("pk", flat=True)[:limit]
    )
    for attempt_id in stale:
        try:
            payout_check(attempt_id)
        except Exception:  # noqa: BLE001 - keep sweeping the others
            log.exception("payout attempt %s: status check crashed", attempt_id)
    cutoff = sweep_cutoff("transfers", now)
    if cutoff is None:  # what the last sweep queued may still be waiting
        return {"stale_attempts": len(stale), "resubmitted": 0, "rechecked": 0}
    backoff = cutoff - timedelta(seconds=settings.PAYOUT_RETRY_BACKOFF_SECONDS)
    waiting = list(
        Transfer.objects.filter(status=S.PAYOUT_PENDING, updated_at__lt=backoff)
        .exclude(attempts__status__in=PayoutAttempt.OPEN)
        .exclude(Q(attempts__finished_at__gte=backoff))
        .values_list("pk", flat=True)[:limit]
    )
    unchecked = list(
        Transfer.objects.filter(
            status=S.FUNDED, updated_at__lt=backoff, funds_final_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
    enqueue_swept("transfers", SUBMIT_JOB, waiting, now)
    enqueue_swept("transfers", CHECKS_JOB, unchecked, now)
    return {"stale_attempts": len(stale), "resubmitted": len(waiting), "rechecked": len(unchecked)}
