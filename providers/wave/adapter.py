"""Wave Business API payouts (REFERENCE.md section 1).

Our attempt reference is both the `Idempotency-Key` and the `client_reference`, so a status
query after any unclear answer is `GET /v1/payouts/search?client_reference=<reference>`.
One API key per payout country's business wallet: WAVE_API_KEYS maps country to key
(WAVE_API_KEY is the fallback for a single wallet).
Assumption: Wave's payout API sends no payout webhooks; state comes from the POST's answer and
from polling, as REFERENCE.md 1.10 says.
"""

import httpx
from django.conf import settings

from providers import http
from providers.base import PayoutRequest, PayoutResult, PayoutState
from providers.errors import PermanentError
from providers.wave.mapping import error_for, to_result

SEARCH = "/v1/payouts/search"


class WaveProvider:
    code = "wave"

    def __init__(self, *, base_url: str | None = None, keys: dict[str, str] | None = None):
        self.base_url = base_url or settings.WAVE_BASE_URL
        self.keys = keys if keys is not None else settings.WAVE_API_KEYS

    def _key(self, country: str) -> str:
        return self.keys.get(country) or self.keys.get("*") or settings.WAVE_API_KEY

    def _client(self, country: str, timeout: float = 15.0) -> httpx.Client:
        return http.client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {self._key(country)}"},
        )

    def send_payout(self, request: PayoutRequest) -> PayoutResult:
        body = {
            "currency": request.currency,
            "receive_amount": str(request.amount_minor),  # XOF has no minor unit
            "mobile": request.msisdn,
            "name": request.recipient_name[:255],
            "client_reference": request.reference,
            "payment_reason": "MoneyBridge transfer",
        }
        timeout = settings.WAVE_TIMEOUT_SECONDS
        with http.sending("Wave"), self._client(request.country, timeout=timeout) as c:
            response = http.request(
                c, "POST", "/v1/payout", provider=self.code, operation="send_payout",
                correlation=request.reference, json=body,
                headers={"Idempotency-Key": request.reference},
            )  # fmt: skip
        data = http.json_body(response)
        if response.status_code == 200:
            return to_result(data)
        raise error_for(response.status_code, data)

    def get_payout_status(self, reference: str, country: str = "*") -> PayoutResult:
        with self._client(country, timeout=10) as c:
            response = http.request(
                c, "GET", SEARCH, provider=self.code, operation="payout_status",
                correlation=reference, params={"client_reference": reference},
            )  # fmt: skip
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        found = http.json_body(response).get("result") or []
        if not found:
            return PayoutResult(PayoutState.NOT_FOUND, raw_status="not_found")
        return to_result(found[0])

    def balance(self, country: str = "*", currency: str = "") -> tuple[int, str]:
        with http.reading("Wave"), self._client(country, timeout=10) as c:
            response = http.request(
                c, "GET", "/v1/balance", provider=self.code, operation="balance"
            )
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        data = http.json_body(response)
        return int(data["amount"]), data["currency"]

    def statement(self, day, country: str = "SN"):
        """The day's balance movements (`GET /v1/transactions`, cursor-paged), as rows in the
        columns of Wave's transactions export."""
        cursor = None
        with http.reading("Wave"), self._client(country, timeout=30) as c:
            while True:
                params = {"date": day.isoformat(), **({"after": cursor} if cursor else {})}
                response = http.request(c, "GET", "/v1/transactions", provider=self.code,
                                        operation="transactions", params=params)  # fmt: skip
                if response.status_code != 200:
                    raise error_for(response.status_code, http.json_body(response))
                data = http.json_body(response)
                yield from data.get("items", [])
                cursor = (data.get("page_info") or {}).get("end_cursor")
                if not (data.get("page_info") or {}).get("has_next_page") or not cursor:
                    return

    # --- Checkout (collections in XOF; REFERENCE.md 1.9). MoneyBridge funds in euro through
    # Stripe and does not use it in the transfer flow: it is here for XOF-side collections.

    def create_checkout(
        self, *, reference: str, amount_minor: int, success_url: str, error_url: str
    ) -> dict:
        """A Wave checkout session for `amount_minor` XOF; the payer opens `wave_launch_url`.
        Our reference is the idempotency key and the client_reference."""
        body = {
            "amount": str(amount_minor), "currency": "XOF", "client_reference": reference,
            "success_url": success_url, "error_url": error_url,
        }  # fmt: skip
        with http.sending("Wave"), self._client("SN") as c:
            response = http.request(
                c, "POST", "/v1/checkout/sessions", provider=self.code,
                operation="create_checkout", correlation=reference, json=body,
                headers={"Idempotency-Key": reference},
            )  # fmt: skip
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        return http.json_body(response)

    def get_checkout(self, session_id: str) -> dict:
        with http.reading("Wave"), self._client("SN") as c:
            response = http.request(
                c, "GET", f"/v1/checkout/sessions/{session_id}", provider=self.code,
                operation="checkout_status",
            )  # fmt: skip
        if response.status_code == 404:
            raise PermanentError(f"Wave has no checkout session {session_id}", code="not-found")
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        return http.json_body(response)
