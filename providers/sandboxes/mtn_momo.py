"""MTN MoMo Disbursement simulator on loopback (REFERENCE.md section 3): token by Basic auth,
subscription key, UUID X-Reference-Id, 202 then status reads, 409 on a replayed id, 404 for an
unknown one, configuration errors as HTTP 500.

The payee number's last two digits pick a scenario:
    00  FAILED, reason PAYEE_NOT_FOUND           03  PENDING, then FAILED APPROVAL_REJECTED
    01  500 INTERNAL_PROCESSING_ERROR, yet paid   04  PENDING forever
    02  503 SERVICE_UNAVAILABLE, nothing made     05  500 INVALID_CURRENCY (configuration)
    other  PENDING, then SUCCESSFUL on the next read
"""

import base64
import json
import re
import secrets
import threading
import uuid

from providers.sandboxes.state import JsonState


class MtnMomoSimulator:
    def __init__(
        self, *, api_user: str, api_key: str, subscription_key: str, state_file: str | None = None
    ):
        self.basic = base64.b64encode(f"{api_user}:{api_key}".encode()).decode()
        self.subscription_key = subscription_key
        self.tokens: set[str] = set()
        self.store = JsonState(state_file, {"transfers": {}})
        self.transfers: dict[str, dict] = self.store.data["transfers"]
        self.lock = threading.Lock()
        self.holders = {"233241230057": "Kwame Mensah"}

    def __call__(self, environ, start_response):
        if environ.get("HTTP_OCP_APIM_SUBSCRIPTION_KEY") != self.subscription_key:
            body = {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
            return self._send(start_response, 401, body)
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        with self.lock:
            if method == "POST" and path == "/disbursement/token/":
                status, body = self._token(environ)
            elif environ.get("HTTP_AUTHORIZATION", "")[7:] not in self.tokens:
                status, body = 401, {"message": "Access token is missing or invalid"}
            elif method == "POST" and path == "/disbursement/v1_0/transfer":
                status, body = self._transfer(environ)
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
        self.transfers[ref] = {**body, "status": "PENDING", "scenario": scenario, "reads": 0}
        if scenario == "01":
            self.transfers[ref]["status"] = "SUCCESSFUL"
            return 500, {"code": "INTERNAL_PROCESSING_ERROR", "message": "An internal error"}
        if scenario == "00":
            self.transfers[ref].update(status="FAILED", reason="PAYEE_NOT_FOUND")
        return 202, None

    def _status(self, ref):
        transfer = self.transfers.get(ref)
        if transfer is None:
            return 404, {
                "code": "RESOURCE_NOT_FOUND",
                "message": "Requested resource was not found.",
            }
        if (
            transfer["status"] == "PENDING"
            and transfer["reads"] >= 0
            and transfer["scenario"] != "04"
        ):
            if transfer["scenario"] == "03":
                transfer.update(status="FAILED", reason="APPROVAL_REJECTED")
            else:
                transfer["status"] = "SUCCESSFUL"
        transfer["reads"] += 1
        if transfer["status"] == "SUCCESSFUL":
            transfer.setdefault("financialTransactionId", str(secrets.randbelow(10**9)))
        return 200, {k: v for k, v in transfer.items() if k not in ("scenario", "reads")}
