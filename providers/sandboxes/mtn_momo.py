"""MTN MoMo Disbursement simulator on loopback (REFERENCE.md section 3): token by Basic auth,
subscription key, UUID X-Reference-Id, 202 then status reads, 409 on a replayed id, 404 for an
unknown one, configuration errors as HTTP 500.

The payee number's last two digits pick a scenario:
    00  FAILED, reason PAYEE_NOT_FOUND           03  PENDING, then FAILED APPROVAL_REJECTED
    01  500 INTERNAL_PROCESSING_ERROR, yet paid   04  PENDING forever
    02  503 SERVICE_UNAVAILABLE, nothing made     05  500 INVALID_CURRENCY (configuration)
    07  a slow answer (SLOW_SECONDS), then as other
    06  callbacks out of order: a stale PENDING one arrives after the final one
    08  the callback is sent twice                09  the callback is never sent
    other  PENDING, then SUCCESSFUL on the next read or after `settle_seconds`
A transfer larger than the account's balance in its currency fails with NOT_ENOUGH_FUNDS.

When a transfer settles, the simulator calls the request's `X-Callback-Url` (as MTN does, with
the status body, unsigned). `GET /account/balance/{currency}` reads the balance.
"""

import base64
import json
import re
import secrets
import threading
import time
import uuid

from providers.sandboxes.delivery import post_in_background, run_later
from providers.sandboxes.state import JsonState

SLOW_SECONDS = 20.0
START_BALANCE = 10**12


class MtnMomoSimulator:
    def __init__(
        self,
        *,
        api_user: str,
        api_key: str,
        subscription_key: str,
        state_file: str | None = None,
        settle_seconds: float | None = None,
        deliver=None,
    ):
        self.basic = base64.b64encode(f"{api_user}:{api_key}".encode()).decode()
        self.subscription_key = subscription_key
        self.tokens: set[str] = set()
        self.store = JsonState(state_file, {"transfers": {}})
        self.transfers: dict[str, dict] = self.store.data["transfers"]
        self.balances: dict[str, int] = self.store.data.setdefault("balances", {})
        self.lock = threading.Lock()
        self.holders = {"233241230057": "Kwame Mensah"}
        self.settle_seconds = settle_seconds  # None: only a status read settles a transfer
        self.slow_seconds = SLOW_SECONDS
        self.deliver = deliver or self._post_callback

    def __call__(self, environ, start_response):
        if environ.get("HTTP_OCP_APIM_SUBSCRIPTION_KEY") != self.subscription_key:
            body = {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
            return self._send(start_response, 401, body)
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        slow = False
        with self.lock:
            if method == "POST" and path == "/disbursement/token/":
                status, body = self._token(environ)
            elif environ.get("HTTP_AUTHORIZATION", "")[7:] not in self.tokens:
                status, body = 401, {"message": "Access token is missing or invalid"}
            elif method == "POST" and path == "/disbursement/v1_0/transfer":
                status, body = self._transfer(environ)
                slow = (
                    status == 202
                    and self.transfers[environ["HTTP_X_REFERENCE_ID"]].get("scenario") == "07"
                )
            elif method == "GET" and (
                m := re.fullmatch(r"/disbursement/v1_0/account/balance(?:/([A-Z]{3}))?", path)
            ):
                currency = m.group(1) or "EUR"
                available = self.balances.get(currency, START_BALANCE)
                status, body = 200, {"availableBalance": str(available), "currency": currency}
            elif method == "GET" and (m := re.fullmatch(r"/disbursement/v1_0/transfer/(.+)", path)):
                status, body = self._status(m.group(1))
            elif method == "GET" and (
                m := re.fullmatch(
                    r"/disbursement/v1_0/accountholder/msisdn/(\d+)/basicuserinfo", path
                )
            ):
                name = self.holders.get(m.group(1))
                status, body = (200, {"name": name}) if name else (404, {"code": "NOT_FOUND"})
            else:
                status, body = 404, {"code": "RESOURCE_NOT_FOUND"}
            self.store.save()
        if slow:
            time.sleep(self.slow_seconds)  # outside the lock: other requests go on
        return self._send(start_response, status, body)

    @staticmethod
    def _send(start_response, status, body):
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()] if body is not None else [b""]

    def _token(self, environ):
        if environ.get("HTTP_AUTHORIZATION") != f"Basic {self.basic}":
            return 401, {"error": "login_failed"}
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "access_token", "expires_in": 3600}

    def _transfer(self, environ):
        ref = environ.get("HTTP_X_REFERENCE_ID", "")
        try:
            uuid.UUID(ref)
        except ValueError:
            return 400, {"code": "BAD_REQUEST", "message": "X-Reference-Id must be a UUID"}
        if ref in self.transfers:
            return 409, {"code": "RESOURCE_ALREADY_EXIST", "message": "Duplicated reference id."}
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = json.loads(raw or b"{}")
        scenario = body.get("payee", {}).get("partyId", "")[-2:]
        if scenario == "02":
            return 503, {"code": "SERVICE_UNAVAILABLE", "message": "try later"}
        if scenario == "05":
            return 500, {"code": "INVALID_CURRENCY", "message": "Currency not supported."}
        transfer = self.transfers[ref] = {
            **body, "status": "PENDING", "scenario": scenario, "reads": 0, "ref": ref,
            "callback": environ.get("HTTP_X_CALLBACK_URL", ""),
        }  # fmt: skip
        currency, amount = body.get("currency", ""), int(body.get("amount") or 0)
        if amount > self.balances.get(currency, START_BALANCE):
            self._finish(transfer, "FAILED", "NOT_ENOUGH_FUNDS")
        elif scenario == "01":
            self._finish(transfer, "SUCCESSFUL")
            return 500, {"code": "INTERNAL_PROCESSING_ERROR", "message": "An internal error"}
        elif scenario == "00":
            self._finish(transfer, "FAILED", "PAYEE_NOT_FOUND")
        elif self.settle_seconds == 0:
            self._settle(transfer)  # we hold the lock already
        elif self.settle_seconds is not None:
            run_later(self.settle_seconds, lambda: self._settle_later(ref))
        return 202, None

    def _settle(self, transfer) -> None:
        """A pending transfer moves on (unless it is meant to stay pending)."""
        if transfer["status"] != "PENDING" or transfer["scenario"] == "04":
            return
        if transfer["scenario"] == "03":
            self._finish(transfer, "FAILED", "APPROVAL_REJECTED")
        else:
            self._finish(transfer, "SUCCESSFUL")

    def _settle_later(self, ref) -> None:
        with self.lock:
            self._settle(self.transfers[ref])
            self.store.save()

    def _finish(self, transfer, status: str, reason: str = "") -> None:
        transfer["status"] = status
        if reason:
            transfer["reason"] = reason
        if status == "SUCCESSFUL":
            transfer["financialTransactionId"] = str(secrets.randbelow(10**9))
            currency = transfer.get("currency", "")
            self.balances[currency] = self.balances.get(currency, START_BALANCE) - int(
                transfer.get("amount") or 0
            )
        if transfer.get("callback") and transfer["scenario"] != "09":
            for _ in range(2 if transfer["scenario"] == "08" else 1):
                self.deliver(transfer["callback"], self._public(transfer))
            if transfer["scenario"] == "06":
                stale = {**self._public(transfer), "status": "PENDING"}
                stale.pop("financialTransactionId", None)
                self.deliver(transfer["callback"], stale)

    @staticmethod
    def _public(transfer) -> dict:
        hidden = ("scenario", "reads", "ref", "callback")
        return {k: v for k, v in transfer.items() if k not in hidden}

    @staticmethod
    def _post_callback(url: str, body: dict) -> None:
        post_in_background(url, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _status(self, ref):
        transfer = self.transfers.get(ref)
        if transfer is None:
            return 404, {
                "code": "RESOURCE_NOT_FOUND",
                "message": "Requested resource was not found.",
            }
        self._settle(transfer)
        transfer["reads"] += 1
        return 200, self._public(transfer)
