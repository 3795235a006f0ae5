"""MTN MoMo wire facts (REFERENCE.md section 3) as tables."""

import hashlib
import uuid

from providers.base import PayoutResult, PayoutState
from providers.errors import PermanentError, ProviderConfigError, UnknownOutcomeError

STATUS = {
    "PENDING": PayoutState.PENDING,
    "CREATED": PayoutState.PENDING,
    "ONGOING": PayoutState.PENDING,
    "SUCCESSFUL": PayoutState.SUCCEEDED,
    "FAILED": PayoutState.FAILED,
    "REJECTED": PayoutState.FAILED,
    "TIMEOUT": PayoutState.FAILED,
}
# Configuration errors MTN reports as HTTP 500: nothing was created and repeating cannot help,
# so this payout fails for a person to route elsewhere or fix the setup (never retried).
CONFIG_500 = {
    "NOT_ALLOWED",
    "NOT_ALLOWED_TARGET_ENVIRONMENT",
    "INVALID_CALLBACK_URL_HOST",
    "INVALID_CURRENCY",
}


def reference_id(reference: str) -> str:
    """MTN's X-Reference-Id must be a UUID: derived from our attempt reference, so the same
    attempt always has the same id (MTN's idempotency) and its status can be read back.
    Assumption: MTN checks the UUID shape, so the version and variant bits are those of v4."""
    return str(uuid.UUID(bytes=hashlib.sha256(reference.encode()).digest()[:16], version=4))


def to_result(body: dict) -> PayoutResult:
    status = body.get("status")
    state = STATUS.get(status)
    if state is None:
        raise UnknownOutcomeError(f"MTN: unmapped status {status!r}", code=str(status))
    reason = body.get("reason") or ""
    if isinstance(reason, dict):  # older payloads
        reason = reason.get("code", "")
    return PayoutResult(
        state,
        provider_ref=body.get("financialTransactionId") or "",
        raw_status=status,
        error_code=reason if state == PayoutState.FAILED else "",
    )


def error_for(http_status: int, body: dict) -> Exception:
    code = body.get("code") or ""
    message = f"MTN {http_status} {code}: {body.get('message', '')}".strip()
    if http_status == 500 and code in CONFIG_500:
        return PermanentError(message, code=code)
    if http_status in (401, 403):
        return ProviderConfigError(message, code=code or f"http_{http_status}")
    if http_status == 400:
        return PermanentError(message, code=code or "bad_request")
    # 500 INTERNAL_PROCESSING_ERROR, 503, anything else: it may exist; read the status.
    return UnknownOutcomeError(message, code=code or f"http_{http_status}")
