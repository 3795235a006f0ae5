"""A generic sandbox payout provider for the demo and the lifecycle tests.

It keeps its own books in SandboxPayout and honours the idempotency key: a second
request with the same reference returns the first payout and pays nothing more.
The wallet number's last two digits choose a scenario, as provider sandboxes do:

    ..00  declined: the wallet does not exist (permanent)
    ..01  the request lands but the answer times out (unknown outcome); status says paid
    ..02  provider unreachable before anything is sent (retryable)
    ..03  accepted, then fails (status query answers failed)
    ..04  accepted, stays pending forever
    other accepted, then paid on the first status query
"""

import secrets

from django.db import IntegrityError, transaction

from providers.base import PayoutRequest, PayoutResult, PayoutState
from providers.errors import PermanentError, RetryableError, UnknownOutcomeError
from providers.models import SandboxPayout


def scenario(msisdn: str) -> str:
    return {
        "00": "declined",
        "01": "timeout",
        "02": "unreachable",
        "03": "fails",
        "04": "pending",
    }.get(msisdn[-2:], "ok")


class SandboxProvider:
    def __init__(self, code: str):
        self.code = code

    def send_payout(self, request: PayoutRequest) -> PayoutResult:
        kind = scenario(request.msisdn)
        if kind == "unreachable":
            raise RetryableError("sandbox: connection refused", code="connect_error")
        if kind == "declined":
            raise PermanentError("sandbox: recipient wallet not found", code="recipient-not-found")
        payout = self._record(request)
        if kind == "timeout":
            raise UnknownOutcomeError("sandbox: read timeout after the request was sent")
        return self._result(payout)

    def get_payout_status(self, reference: str, country: str = "*") -> PayoutResult:
        payout = SandboxPayout.objects.filter(reference=reference).first()
        if payout is None:
            return PayoutResult(PayoutState.NOT_FOUND, raw_status="not_found")
        if payout.status == "processing":
            settled = {"fails": "failed", "pending": "processing"}.get(
                scenario(payout.msisdn), "succeeded"
            )
            if settled != payout.status:
                payout.status = settled
                payout.error_code = "payout-failed" if settled == "failed" else ""
                payout.save(update_fields=["status", "error_code"])
        return self._result(payout)

    def statement(self, day):
        """The sandbox's own payouts settled that day, in the columns of a transactions export
        (the demo and the tests reconcile against it)."""
        paid = SandboxPayout.objects.filter(provider=self.code, status="succeeded",
                                            created_at__date=day).order_by("pk")  # fmt: skip
        for payout in paid.iterator(2000):
            yield {
                "timestamp": payout.created_at.isoformat(), "transaction_id": payout.provider_ref,
                "amount": str(-payout.amount_minor), "currency": payout.currency,
                "client_reference": payout.reference, "status": "succeeded",
            }  # fmt: skip

    def _record(self, request: PayoutRequest) -> SandboxPayout:
        try:
            with transaction.atomic():
                return SandboxPayout.objects.create(
                    provider=self.code,
                    reference=request.reference,
                    provider_ref=f"sbx_{secrets.token_hex(8)}",
                    amount_minor=request.amount_minor,
                    currency=request.currency,
                    msisdn=request.msisdn,
                    status="processing",
                )
        except IntegrityError:
            payout = SandboxPayout.objects.get(reference=request.reference)
            SandboxPayout.objects.filter(pk=payout.pk).update(sends=payout.sends + 1)
            return payout

    @staticmethod
    def _result(payout: SandboxPayout) -> PayoutResult:
        state = {
            "processing": PayoutState.PENDING,
            "succeeded": PayoutState.SUCCEEDED,
            "failed": PayoutState.FAILED,
        }[payout.status]
        return PayoutResult(
            state,
            provider_ref=payout.provider_ref,
            raw_status=payout.status,
            error_code=payout.error_code,
        )
