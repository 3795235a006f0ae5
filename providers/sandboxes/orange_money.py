"""Orange Money (Sonatel eWallet) simulator on loopback: OAuth2 client credentials, the RSA
public key, cash-ins whose PIN it decrypts and checks, and look-up by our reference.

The customer number's last two digits pick a scenario:
    00  400 code 2000 (customer does not exist)   03  PENDING, then FAILED on the next read
    01  paid, but the answer is a 504              04  PENDING forever
    02  503 before anything is made                05  400 code 2020 (our balance is short)
    06  500 code 50 after paying                   other  SUCCESS at once
"""

import base64
import json
import secrets
import threading
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from providers.sandboxes.state import JsonState


class OrangeMoneySimulator:
    def __init__(self, *, client_id: str, client_secret: str, pin: str, state_file=None):
        self.client_id, self.client_secret, self.pin = client_id, client_secret, pin
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

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.lock:
            if method == "POST" and path == "/oauth/token":
                status, body = self._token(parse_qs(raw.decode()))
            elif environ.get("HTTP_AUTHORIZATION", "")[7:] not in self.tokens:
                status, body = 401, {"code": "10", "detail": "invalid or expired token"}
            elif method == "GET" and path == "/api/account/v1/publicKeys":
                status, body = 200, self._public_key()
            elif method == "POST" and path == "/api/eWallet/v1/cashins":
                status, body = self._cashin(json.loads(raw or b"{}"))
            elif method == "GET" and path == "/api/eWallet/v1/transactions":
                ref = (parse_qs(environ.get("QUERY_STRING", "")).get("reference") or [""])[0]
                status, body = 200, {"data": [self._read(t) for t in self._by_ref(ref)]}
            else:
                status, body = 404, {"code": "4099", "detail": f"unknown path {path}"}
            self.store.save()
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

    def _cashin(self, body):
        try:
            pin = self.key.decrypt(
                base64.b64decode(body["partner"]["encryptedPinCode"]), padding.PKCS1v15()
            ).decode()
        except (KeyError, ValueError):
            pin = None
        if pin != self.pin:
            return 400, {"code": "2011", "detail": "wrong PIN, 2 attempts left"}
        scenario = str(body.get("customer", {}).get("id", ""))[-2:]
        if scenario == "00":
            return 400, {"code": "2000", "detail": "customer does not exist"}
        if scenario == "02":
            return 503, {"code": "50", "detail": "service unavailable"}
        if scenario == "05":
            return 400, {"code": "2020", "detail": "insufficient balance"}
        tx = {
            "transactionId": f"CI{secrets.token_hex(6).upper()}",
            "reference": body.get("reference", ""),
            "amount": body.get("amount"),
            "status": "PENDING" if scenario in ("03", "04") else "SUCCESS",
            "scenario": scenario,
        }
        self.transactions[tx["transactionId"]] = tx
        if scenario == "01":
            return 504, {"code": "50", "detail": "gateway timeout"}
        if scenario == "06":
            return 500, {"code": "50", "detail": "internal error"}
        return 200, {k: v for k, v in tx.items() if k != "scenario"}

    def _read(self, tx):
        if tx["scenario"] == "03" and tx["status"] == "PENDING":
            tx.update(status="FAILED", errorCode="2043")
        return {k: v for k, v in tx.items() if k != "scenario"}

    def _by_ref(self, ref):
        return [t for t in self.transactions.values() if ref and t["reference"] == ref]
