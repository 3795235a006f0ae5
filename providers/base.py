"""The contract every payout provider implements. Inputs and outputs are plain values."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class PayoutState(StrEnum):
    PENDING = "pending"  # accepted, final answer to come
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_FOUND = "not_found"  # the provider has no payout with our reference


@dataclass(frozen=True, slots=True)
class PayoutRequest:
    reference: str  # ours, stable per attempt; the provider's idempotency key
    amount_minor: int
    currency: str
    msisdn: str  # E.164
    recipient_name: str
    country: str


@dataclass(frozen=True, slots=True)
class PayoutResult:
    state: PayoutState
    provider_ref: str = ""
    raw_status: str = ""
    error_code: str = ""
    message: str = ""


class PayoutProvider(Protocol):
    code: str

    def send_payout(self, request: PayoutRequest) -> PayoutResult:
        """Ask for a payout. May be called again with the same reference: it must not pay twice.

        Raises only providers.errors types. Never touches our domain tables.
        """

    def get_payout_status(self, reference: str, country: str = "*") -> PayoutResult:
        """Where the payout with our reference stands. Moves no money."""
