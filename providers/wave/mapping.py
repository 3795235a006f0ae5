"""Wave wire facts (REFERENCE.md section 1) as tables: statuses and error codes.

An unmapped status or code is never a success: it is an unknown outcome for a person to look at.
"""

from providers.base import PayoutResult, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)

STATUS = {
    "processing": PayoutState.PENDING,
    "succeeded": PayoutState.SUCCEEDED,
    "failed": PayoutState.FAILED,
    # A reversal is our own act within 3 days; for the payout it means the money came back.
    "reversed": PayoutState.FAILED,
}

PERMANENT = {
    "country-mismatch",
    "currency-mismatch",
    "recipient-minor",
    "recipient-account-blocked",
    "recipient-account-inactive",
    "recipient-limit-exceeded",
    "request-validation-error",
    "request-not-json",
    "request-parsing-error",
    "invalid-aggregated-merchant-id",
    "aggregated-merchant-required",
}
CONFIG = {
    "missing-auth-header",
    "invalid-auth",
    "api-key-not-provided",
    "no-matching-api-key",
    "api-key-revoked",
    "invalid-wallet",
    "disabled-wallet",
    # Reusing a key with another body is a bug on our side: stop and look.
    "idempotency-mismatch",
}


def to_result(body: dict) -> PayoutResult:
    status = body.get("status")
    state = STATUS.get(status)
    if state is None:
        raise UnknownOutcomeError(f"Wave: unmapped payout status {status!r}", code=str(status))
    error = body.get("payout_error") or {}
    return PayoutResult(
        state,
        provider_ref=body.get("id", ""),
        raw_status=status,
        error_code=error.get("error_code", "") if state == PayoutState.FAILED else "",
        message=error.get("error_message", ""),
    )


def error_for(http_status: int, body: dict) -> Exception:
    """The error kind of a non-200 answer to a payout POST (REFERENCE.md 1.4 and 1.12)."""
    code = body.get("code") or body.get("error") or ""
    message = f"Wave {http_status} {code}: {body.get('message', '')}".strip()
    if code in CONFIG or http_status in (401, 403):
        return ProviderConfigError(message, code=code)
    if code == "insufficient-funds":
        # Our float is short: nothing was paid. Top-up is ops' job; the attempt is not sent.
        return RetryableError(message, code=code)
    if code in PERMANENT:
        return PermanentError(message, code=code)
    if http_status == 429 or code == "too-many-requests":
        return UnknownOutcomeError(message, code=code or "too-many-requests")
    # 408, 5xx and anything new: a payout may exist without an id. Ask, never resend.
    return UnknownOutcomeError(message, code=code or f"http_{http_status}")
