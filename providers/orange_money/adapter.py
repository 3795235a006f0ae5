"""Orange Money cash-in to a wallet, Sonatel eWallet API (REFERENCE.md 2.3).

OAuth2 client-credentials token (cached until shortly before it expires, refreshed once on a
401); the retailer PIN encrypted with Orange's RSA public key (PKCS#1 v1.5, key cached);
our attempt reference as the cash-in `reference`.

Assumptions, as REFERENCE.md leaves them open: no idempotency header exists, so before any
doubt is settled we look the payout up by our reference with
`GET /api/eWallet/v1/transactions?reference=…`; numbers are sent as local digits without the
country code when ORANGE_LOCAL_MSISDN is on (the integrators disagree).
A wrong-PIN answer (2010-2013) pauses the provider for ORANGE_PIN_PAUSE_SECONDS: a third wrong
PIN would block the retailer account that funds every payout, so nothing is sent until ops
fix the PIN.
"""

import base64

import httpx
import phonenumbers
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.core.cache import cache

from providers import http
from providers.base import PayoutRequest, PayoutResult, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)

STATUS = {
    "SUCCESS": PayoutState.SUCCEEDED, "TS": PayoutState.SUCCEEDED,
    "PENDING": PayoutState.PENDING, "TP": PayoutState.PENDING,
    "FAILED": PayoutState.FAILED, "TF": PayoutState.FAILED,
    "CANCELLED": PayoutState.FAILED, "TC": PayoutState.FAILED,
}  # fmt: skip
PIN_ERRORS = {"2010", "2011", "2012", "2013"}
OUR_FLOAT_SHORT = {"2020", "2021"}  # our retailer account: nothing was paid
PERMANENT = {"2000", "2001", "2022", "2023", "2024", "2025", "2041", "2042", "2043", "4099"}
PAUSED = "orange_money:paused"


def to_result(body: dict) -> PayoutResult:
    state = STATUS.get(str(body.get("status", "")))
    if state is None:
        raise UnknownOutcomeError(f"Orange: unmapped status {body.get('status')!r}")
    return PayoutResult(
        state,
        provider_ref=str(body.get("transactionId", "")),
        raw_status=str(body.get("status")),
        error_code=str(body.get("errorCode", "")) if state == PayoutState.FAILED else "",
    )


def error_for(http_status: int, body: dict) -> Exception:
    code = str(body.get("code", ""))
    message = f"Orange {http_status} {code}: {body.get('detail', '')}".strip()
    if code in PIN_ERRORS:
        cache.set(PAUSED, message, settings.ORANGE_PIN_PAUSE_SECONDS)
        return PermanentError(message, code=code)
    if code == "10" or http_status in (401, 403):
        return ProviderConfigError(message, code=code or f"http_{http_status}")
    if code in OUR_FLOAT_SHORT:
        return RetryableError(message, code=code)
    if code in PERMANENT:
        return PermanentError(message, code=code)
    return UnknownOutcomeError(message, code=code or f"http_{http_status}")


class OrangeMoneyProvider:
    code = "orange_money"

    def _client(self, timeout: float | None = None) -> httpx.Client:
        return http.client(
            base_url=settings.ORANGE_BASE_URL, timeout=timeout or settings.ORANGE_TIMEOUT_SECONDS
        )

    def _secrets(self) -> tuple[str, ...]:
        return (settings.ORANGE_CLIENT_SECRET, settings.ORANGE_RETAILER_PIN)

    def _token(self, *, fresh: bool = False) -> str:
        token = None if fresh else cache.get("orange_money:token")
        if token:
            return token
        with self._client(timeout=10) as c:
            response = http.request(
                c, "POST", "/oauth/token", provider=self.code, operation="token",
                data={"grant_type": "client_credentials", "client_id": settings.ORANGE_CLIENT_ID,
                      "client_secret": settings.ORANGE_CLIENT_SECRET},
                secrets=self._secrets(),
            )  # fmt: skip
        if response.status_code != 200:
            raise ProviderConfigError(f"Orange token refused ({response.status_code})", code="10")
        data = response.json()
        ttl = max(int(data.get("expires_in", 300)) - 60, 30)
        cache.set("orange_money:token", data["access_token"], ttl)
        return data["access_token"]

    def _call(self, method: str, url: str, operation: str, correlation: str = "", **kw):
        for fresh in (False, True):
            with self._client() as c:
                response = http.request(
                    c, method, url, provider=self.code, operation=operation,
                    correlation=correlation, secrets=self._secrets(),
                    headers={"Authorization": f"Bearer {self._token(fresh=fresh)}"}, **kw,
                )  # fmt: skip
            if response.status_code != 401:
                break
        return response

    def _encrypted_pin(self) -> str:
        key = cache.get("orange_money:public_key")
        if not key:
            response = self._call("GET", "/api/account/v1/publicKeys", "public_key")
            if response.status_code != 200:
                raise ProviderConfigError("Orange public key unavailable", code="public_key")
            key = response.json()["key"]
            cache.set("orange_money:public_key", key, 24 * 3600)
        public = serialization.load_der_public_key(base64.b64decode(key))
        cipher = public.encrypt(settings.ORANGE_RETAILER_PIN.encode(), padding.PKCS1v15())
        return base64.b64encode(cipher).decode()

    @staticmethod
    def _msisdn(e164: str) -> str:
        if not settings.ORANGE_LOCAL_MSISDN:
            return e164.lstrip("+")
        return str(phonenumbers.parse(e164).national_number)

    def send_payout(self, request: PayoutRequest) -> PayoutResult:
        paused = cache.get(PAUSED)
        if paused:
            raise ProviderConfigError(
                f"Orange Money paused after a PIN error: {paused}", code="paused"
            )
        with http.sending("Orange"):
            body = {
                "partner": {"idType": "MSISDN", "id": settings.ORANGE_RETAILER_MSISDN,
                            "encryptedPinCode": self._encrypted_pin()},
                "customer": {"idType": "MSISDN", "id": self._msisdn(request.msisdn)},
                "amount": {"value": request.amount_minor, "unit": request.currency},
                "reference": request.reference,
                "receiveNotification": True,
            }  # fmt: skip
            response = self._call(
                "POST", "/api/eWallet/v1/cashins", "send_payout", request.reference, json=body
            )
        if response.status_code in (200, 201):
            return to_result(http.json_body(response))
        raise error_for(response.status_code, http.json_body(response))

    def balance(self, country: str = "SN", currency: str = "XOF") -> tuple[int, str]:
        """The retailer account's principal wallet. Assumption (REFERENCE.md gives the call, not
        its answer): `{"balance": {"value": <int>, "unit": "XOF"}}`. It sends the PIN, so it
        respects the wrong-PIN pause like a payout."""
        if paused := cache.get(PAUSED):
            raise ProviderConfigError(f"Orange Money paused after a PIN error: {paused}")
        with http.reading("Orange"):
            body = {
                "idType": "MSISDN", "id": settings.ORANGE_RETAILER_MSISDN,
                "encryptedPinCode": self._encrypted_pin(), "wallet": "PRINCIPAL",
            }  # fmt: skip
            response = self._call(
                "POST", "/api/eWallet/v1/account/retailer/balance", "balance", json=body
            )
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        found = http.json_body(response)["balance"]
        return int(found["value"]), str(found["unit"])

    def get_payout_status(self, reference: str, country: str = "*") -> PayoutResult:
        response = self._call(
            "GET", "/api/eWallet/v1/transactions", "payout_status", reference,
            params={"reference": reference},
        )  # fmt: skip
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        found = http.json_body(response).get("data") or []
        if not found:
            return PayoutResult(PayoutState.NOT_FOUND, raw_status="not_found")
        return to_result(found[0])
