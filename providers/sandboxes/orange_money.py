"""Orange Money (Sonatel eWallet) simulator on loopback: OAuth2 client credentials, the RSA
public key, cash-ins whose PIN it decrypts and checks, and look-up by our reference.

The customer number's last two digits pick a scenario:
    00  400 code 2000 (customer does not exist)   03  PENDING, then FAILED on the next read
    01  paid, but the answer is a 504              04  PENDING forever
    02  503 before anything is made                05  400 code 2020 (our balance is short)
    06  500 code 50 after paying                   07  a slow answer (SLOW_SECONDS), then SUCCESS
    08  the notification is sent twice             09  the notification is never sent
    11  notifications out of order: a stale PENDING one arrives after the final one
    other  SUCCESS at once
A cash-in larger than the retailer's balance also gets 2020.

With `receiveNotification`, a settled cash-in is notified to `notify_url` (the URL registered
with Sonatel; unsigned, REFERENCE.md 2.3). `POST /api/eWallet/v1/account/retailer/balance`,
with the encrypted PIN, reads the balance.
"""

import base64
import json
import secrets
import threading
import time
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from providers.sandboxes.delivery import post_in_background, run_later
from providers.sandboxes.state import JsonState

SLOW_SECONDS = 20.0
START_BALANCE = 10**12


class OrangeMoneySimulator:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        pin: str,
        state_file=None,
        notify_url: str = "",
        settle_seconds: float | None = None,
        deliver=None,
    ):
        self.client_id, self.client_secret, self.pin = client_id, client_secret, pin
        self.notify_url, self.settle_seconds = notify_url, settle_seconds
        self.deliver = deliver or self._post_notification
        self.slow_seconds = SLOW_SECONDS
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.store = JsonState(state_file, {"transactions": {}, "private_key": ""})
        if not self.store.data["private_key"]:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.store.data["private_key"] = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        self.key = serialization.load_pem_private_key(
            self.store.data["private_key"].encode(), password=None
        )
        self.transactions: dict[str, dict] = self.store.data["transactions"]
        self.store.data.setdefault("balance", START_BALANCE)

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        slow = False
        with self.lock:
            if method == "POST" and path == "/oauth/token":
                status, body = self._token(parse_qs(raw.decode()))
            elif environ.get("HTTP_AUTHORIZATION", "")[7:] not in self.tokens:
                status, body = 401, {"code": "10", "detail": "invalid or expired token"}
            elif method == "GET" and path == "/api/account/v1/publicKeys":
                status, body = 200, self._public_key()
            elif method == "POST" and path == "/api/eWallet/v1/cashins":
                request = json.loads(raw or b"{}")
                status, body = self._cashin(request)
                slow = status == 200 and self._scenario(request) == "07"
            elif method == "POST" and path == "/api/eWallet/v1/account/retailer/balance":
                status, body = self._balance(json.loads(raw or b"{}"))
            elif method == "GET" and path == "/api/eWallet/v1/transactions":
                ref = (parse_qs(environ.get("QUERY_STRING", "")).get("reference") or [""])[0]
                status, body = 200, {"data": [self._read(t) for t in self._by_ref(ref)]}
            else:
                status, body = 404, {"code": "4099", "detail": f"unknown path {path}"}
            self.store.save()
        if slow:
            time.sleep(self.slow_seconds)  # outside the lock: other requests go on
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _token(self, form):
        if (form.get("client_id") or [""])[0] != self.client_id or (
            form.get("client_secret") or [""]
        )[0] != self.client_secret:
            return 401, {"error": "invalid_client"}
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _public_key(self):
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "keyId": "sbx-1",
            "keyType": "RSA",
            "keySize": 2048,
            "key": base64.b64encode(der).decode(),
        }

    def _pin_ok(self, partner: dict) -> bool:
        try:
            pin = self.key.decrypt(
                base64.b64decode(partner["encryptedPinCode"]), padding.PKCS1v15()
            ).decode()
        except (KeyError, TypeError, ValueError):
            return False
        return pin == self.pin

    @staticmethod
    def _scenario(body) -> str:
        return str(body.get("customer", {}).get("id", ""))[-2:]

    def _balance(self, body):
        if not self._pin_ok(body):
            return 400, {"code": "2011", "detail": "wrong PIN, 2 attempts left"}
        return 200, {"balance": {"value": self.store.data["balance"], "unit": "XOF"}}

    def _cashin(self, body):
        if not self._pin_ok(body.get("partner") or {}):
            return 400, {"code": "2011", "detail": "wrong PIN, 2 attempts left"}
        scenario = self._scenario(body)
        amount = int((body.get("amount") or {}).get("value") or 0)
        if scenario == "00":
            return 400, {"code": "2000", "detail": "customer does not exist"}
        if scenario == "02":
            return 503, {"code": "50", "detail": "service unavailable"}
        if scenario == "05" or amount > self.store.data["balance"]:
            return 400, {"code": "2020", "detail": "insufficient balance"}
        tx = {
            "transactionId": f"CI{secrets.token_hex(6).upper()}",
            "reference": body.get("reference", ""),
            "amount": body.get("amount"),
            "status": "PENDING",
            "scenario": scenario,
            "notify": bool(body.get("receiveNotification")),
        }
        self.transactions[tx["transactionId"]] = tx
        if scenario not in ("03", "04"):
            self._finish(tx, "SUCCESS")
        elif scenario == "03" and self.settle_seconds == 0:
            self._read(tx)  # we hold the lock already
        elif scenario == "03" and self.settle_seconds is not None:
            run_later(self.settle_seconds, lambda: self._settle_later(tx["transactionId"]))
        if scenario == "01":
            return 504, {"code": "50", "detail": "gateway timeout"}
        if scenario == "06":
            return 500, {"code": "50", "detail": "internal error"}
        return 200, self._public(tx)

    def _finish(self, tx, status: str, error_code: str = "") -> None:
        tx["status"] = status
        if error_code:
            tx["errorCode"] = error_code
        if status == "SUCCESS":
            self.store.data["balance"] -= int((tx.get("amount") or {}).get("value") or 0)
        if self.notify_url and tx.get("notify") and tx["scenario"] != "09":
            for _ in range(2 if tx["scenario"] == "08" else 1):
                self.deliver(self.notify_url, self._public(tx))
            if tx["scenario"] == "11":
                self.deliver(self.notify_url, {**self._public(tx), "status": "PENDING"})

    def _settle_later(self, transaction_id: str) -> None:
        with self.lock:
            self._read(self.transactions[transaction_id])
            self.store.save()

    @staticmethod
    def _public(tx) -> dict:
        return {k: v for k, v in tx.items() if k not in ("scenario", "notify")}

    @staticmethod
    def _post_notification(url: str, body: dict) -> None:
        post_in_background(url, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _read(self, tx):
        if tx["scenario"] == "03" and tx["status"] == "PENDING":
            self._finish(tx, "FAILED", "2043")
        return self._public(tx)

    def _by_ref(self, ref):
        return [t for t in self.transactions.values() if ref and t["reference"] == ref]
