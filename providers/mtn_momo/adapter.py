"""MTN MoMo Open API, Disbursement product (REFERENCE.md section 3).

A token per product and market, cached until shortly before it expires; the transfer's only
handle is the X-Reference-Id we choose (derived from our attempt reference); 202 means
accepted, not paid; a 409 on that id means it already exists, so we read its status. MTN's
callbacks are never trusted alone: status comes from `GET /transfer/{referenceId}`.
MTN_TARGET_ENVIRONMENTS maps country to market (`mtnivorycoast`, …; `sandbox` by default).
"""

import base64
from decimal import Decimal

import httpx
from django.conf import settings
from django.core.cache import cache

from providers import http
from providers.base import PayoutRequest, PayoutResult, PayoutState
from providers.errors import ProviderConfigError
from providers.mtn_momo.mapping import error_for, reference_id, to_result

PRODUCT = "disbursement"


class MtnMomoProvider:
    code = "mtn_momo"

    def _market(self, country: str) -> str:
        return settings.MTN_TARGET_ENVIRONMENTS.get(country, settings.MTN_TARGET_ENVIRONMENT)

    def _client(self, timeout: float | None = None) -> httpx.Client:
        return http.client(
            base_url=settings.MTN_BASE_URL,
            timeout=timeout or settings.MTN_TIMEOUT_SECONDS,
            headers={"Ocp-Apim-Subscription-Key": settings.MTN_SUBSCRIPTION_KEY},
        )

    def _secrets(self) -> tuple[str, ...]:
        return (settings.MTN_API_KEY, settings.MTN_SUBSCRIPTION_KEY)

    def _token(self, market: str, *, fresh: bool = False) -> str:
        key = f"mtn_momo:token:{PRODUCT}:{market}"
        token = None if fresh else cache.get(key)
        if token:
            return token
        basic = base64.b64encode(
            f"{settings.MTN_API_USER}:{settings.MTN_API_KEY}".encode()
        ).decode()
        with self._client(timeout=10) as c:
            response = http.request(
                c, "POST", f"/{PRODUCT}/token/", provider=self.code, operation="token",
                headers={"Authorization": f"Basic {basic}"}, secrets=self._secrets(),
            )  # fmt: skip
        if response.status_code != 200:
            raise ProviderConfigError(f"MTN token refused ({response.status_code})", code="token")
        data = response.json()
        cache.set(key, data["access_token"], max(int(data.get("expires_in", 3600)) - 60, 30))
        return data["access_token"]

    def _call(self, method: str, url: str, market: str, operation: str, correlation: str, **kw):
        extra = kw.pop("headers", {})
        for fresh in (False, True):  # an expired token gets one refresh
            headers = {
                "Authorization": f"Bearer {self._token(market, fresh=fresh)}",
                "X-Target-Environment": market,
                **extra,
            }
            with self._client() as c:
                response = http.request(
                    c, method, url, provider=self.code, operation=operation,
                    correlation=correlation, headers=headers, secrets=self._secrets(), **kw,
                )  # fmt: skip
            if response.status_code != 401:
                break
        return response

    def send_payout(self, request: PayoutRequest) -> PayoutResult:
        market = self._market(request.country)
        body = {
            "amount": str(request.amount_minor),
            "currency": request.currency,
            "externalId": request.reference,
            "payee": {"partyIdType": "MSISDN", "partyId": request.msisdn.lstrip("+")},
            "payerMessage": f"MoneyBridge {request.reference}",
            "payeeNote": "MoneyBridge transfer",
        }
        headers = {"X-Reference-Id": reference_id(request.reference)}
        if callback := http.callback_url("mtn-momo"):
            headers["X-Callback-Url"] = callback
        with http.sending("MTN"):
            response = self._call(
                "POST", f"/{PRODUCT}/v1_0/transfer", market, "send_payout", request.reference,
                json=body, headers=headers,
            )  # fmt: skip
        if response.status_code == 202:
            return PayoutResult(PayoutState.PENDING, raw_status="accepted")
        if response.status_code == 409:  # this reference exists: what happened to it?
            return self.get_payout_status(request.reference, request.country)
        raise error_for(response.status_code, http.json_body(response))

    def get_payout_status(self, reference: str, country: str = "*") -> PayoutResult:
        response = self._call(
            "GET", f"/{PRODUCT}/v1_0/transfer/{reference_id(reference)}", self._market(country),
            "payout_status", reference,
        )  # fmt: skip
        if response.status_code == 404:
            return PayoutResult(PayoutState.NOT_FOUND, raw_status="RESOURCE_NOT_FOUND")
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        return to_result(http.json_body(response))

    def balance(self, country: str, currency: str) -> tuple[int, str]:
        """The disbursement account's available balance in the payout currency.

        Assumption: like the transfer amount we send, `availableBalance` is in the currency's
        minor units (the same for XOF and XAF, which have none)."""
        with http.reading("MTN"):
            response = self._call(
                "GET", f"/{PRODUCT}/v1_0/account/balance/{currency}", self._market(country),
                "balance", "",
            )  # fmt: skip
        if response.status_code != 200:
            raise error_for(response.status_code, http.json_body(response))
        data = http.json_body(response)
        return int(Decimal(str(data["availableBalance"]))), data["currency"]

    def account_holder_name(self, msisdn: str, country: str) -> str | None:
        """The wallet holder's name as MTN knows it, to check a recipient before sending."""
        response = self._call(
            "GET", f"/{PRODUCT}/v1_0/accountholder/msisdn/{msisdn.lstrip('+')}/basicuserinfo",
            self._market(country), "account_holder", "",
        )  # fmt: skip
        if response.status_code != 200:
            return None
        data = http.json_body(response)
        return (
            data.get("name")
            or " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
            or None
        )
