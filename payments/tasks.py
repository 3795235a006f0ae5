"""django-q2 entry points: ids in, one service call each. Every task is safe to run twice."""

from payments import (
    funding,
    fx,
    jobs,
    payouts,
    pricing,
    refunds,
    transfer_requests,
    transfers,
    treasury,
    webhook_handlers,
)


def transfer_run_checks(transfer_id: int) -> str:
    return transfers.transfer_run_checks(transfer_id=transfer_id).status


def payout_submit(transfer_id: int) -> str:
    attempt = payouts.payout_submit(transfer_id)
    return attempt.reference if attempt else "nothing to send"


def payout_check(attempt_id: int) -> str:
    return payouts.payout_check(attempt_id).status


def poll_due_payouts() -> int:
    return payouts.poll_due_payouts()


def sweep_stuck_transfers() -> dict:
    return payouts.sweep_stuck_transfers() | {
        "refunds_resent": refunds.refunds_resend_due(),
        "webhooks_retried": webhook_handlers.webhooks_retry_waiting(),
    }


def funding_release_intent(transfer_id: int) -> str:
    return funding.funding_release_intent(transfer_id=transfer_id)


def refund_send(refund_id: int) -> str:
    return refunds.refund_send(refund_id).status


def expire_quotes_and_transfers() -> dict:
    return {
        "transfers_expired": transfers.transfers_expire_due(),
        "quotes_purged": pricing.quotes_purge_expired(),
        "idempotency_keys_purged": transfer_requests.idempotency_purge(),
        "job_results_purged": jobs.job_results_purge(),
    }


def refresh_fx_rates() -> dict:
    return fx.fx_refresh()


def refresh_provider_balances() -> dict:
    return treasury.refresh_provider_balances()


def process_webhook(event_pk: int) -> str:
    return webhook_handlers.process_webhook(event_pk)
