"""Domain errors. Each carries a stable machine code and a message a person can act on."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, current: str, target: str):
        super().__init__(f"a transfer cannot move from {current} to {target}")
        self.current = current
        self.target = target


class UnsupportedCurrency(DomainError):
    code = "unknown_currency"


class InvalidAmount(DomainError):
    code = "invalid_amount"


class UnknownCorridor(DomainError):
    code = "unknown_corridor"


class ProviderNotAvailable(DomainError):
    code = "provider_not_available"


class RateUnavailable(DomainError):
    code = "rate_unavailable"


class QuoteExpired(DomainError):
    code = "quote_expired"


class QuoteUnavailable(DomainError):
    code = "quote_unavailable"


class InvalidRecipient(DomainError):
    code = "invalid_recipient"


class NotFound(DomainError):
    code = "not_found"


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"


class FundingMismatch(DomainError):
    code = "funding_mismatch"


class NotAllowedNow(DomainError):
    """The action exists but the transfer's current state does not allow it."""

    code = "not_allowed_now"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class LimitExceeded(DomainError):
    code = "limit_exceeded"
