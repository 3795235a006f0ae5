"""Wave Business API simulator on loopback: paths, bearer auth, Idempotency-Key semantics,
statuses and error shapes of REFERENCE.md section 1.

The recipient number's last two digits pick a scenario (a real sandbox's test numbers):
    00  422 recipient-account-inactive (nothing created)
    01  the payout is made but the answer is a 504 (outcome unknown to the caller)
    02  503 service-unavailable before anything is made
    03  processing, then failed (payout_error recipient-limit-exceeded) on the next read
    04  processing forever
    05  422 insufficient-funds
    06  500 internal-server-error after the payout was made and succeeded (trip-wire 2)
    07  a slow answer: the payout is made and succeeds, the answer comes after SLOW_SECONDS
    other  succeeded at once
State lives in memory, or in a JSON file when given one (the demo keeps it across restarts).
"""

import hashlib
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

from providers.sandboxes.state import JsonState

FEE_PERCENT = 1
SLOW_SECONDS = 20


class WaveSimulator:
    def __init__(self, *, api_key: str, state_file: str | None = None, float_xof: int = 10**9):
        self.api_key = api_key
        self.slow_seconds = SLOW_SECONDS
        self.lock = threading.Lock()
        self.store = JsonState(state_file, {"payouts": {}, "keys": {}, "balance": float_xof})
        self.state = self.store.data

    # --- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.api_key}":
            return self._send(
                start_response, 401, {"code": "no-matching-api-key", "message": "bad key"}
            )
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        slow = False
        with self.lock:
            if method == "POST" and path == "/v1/payout":
                status, body = self._create(environ)
                slow = body.get("mobile", "").endswith("07") and status == 200
            elif method == "GET" and path == "/v1/payouts/search":
                ref = (query.get("client_reference") or [""])[0]
                status, body = 200, {"result": [self._read(p) for p in self._by_ref(ref)]}
            elif method == "GET" and path.startswith("/v1/payout/"):
                payout = self.state["payouts"].get(path.rsplit("/", 1)[1])
                status, body = (200, self._read(payout)) if payout else (404, {"code": "not-found"})
            elif method == "POST" and path == "/v1/checkout/sessions":
                status, body = self._checkout(environ)
            elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
                session = self.state.setdefault("checkouts", {}).get(path.rsplit("/", 1)[1])
                status, body = (200, session) if session else (404, {"code": "not-found"})
            elif method == "GET" and path == "/v1/transactions":
                status, body = 200, self._transactions(query)
            elif method == "GET" and path == "/v1/balance":
                status, body = 200, {"amount": str(self.state["balance"]), "currency": "XOF"}
            else:
                status, body = 404, {"code": "not-found", "message": path}
            self.store.save()
        if slow:
            time.sleep(self.slow_seconds)  # outside the lock: other requests go on
        return self._send(start_response, status, body)

    def _checkout(self, environ):
        """A checkout session (collection in XOF): open, to be paid in the Wave app."""
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        keys = self.state.setdefault("checkout_keys", {})
        if key and key in keys:
            return 200, self.state["checkouts"][keys[key]]
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = json.loads(raw or b"{}")
        if not str(body.get("amount", "")).isdigit() or body.get("currency") != "XOF":
            return 400, {"code": "request-validation-error", "message": "amount and currency"}
        session = {
            "id": f"cos-{secrets.token_hex(8)}", "amount": body["amount"], "currency": "XOF",
            "client_reference": body.get("client_reference"), "checkout_status": "open",
            "payment_status": "processing", "success_url": body.get("success_url"),
            "error_url": body.get("error_url"), "transaction_id": None,
            "wave_launch_url": f"https://pay.wave.com/c/{secrets.token_hex(6)}",
            "when_created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }  # fmt: skip
        self.state.setdefault("checkouts", {})[session["id"]] = session
        if key:
            keys[key] = session["id"]
        return 200, session

    @staticmethod
    def _send(start_response, status: int, body: dict):
        reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 409: "Conflict"}.get(status, "")
        start_response(f"{status} {reason}", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    # --- Behaviour ----------------------------------------------------------------------------

    def _create(self, environ):
        key = environ.get("HTTP_IDEMPOTENCY_KEY")
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if not key:
            return 400, {
                "code": "request-validation-error",
                "message": "Idempotency-Key header is required",
            }
        digest = hashlib.sha256(raw).hexdigest()
        if key in self.state["keys"]:
            seen = self.state["keys"][key]
            if seen["digest"] != digest:
                return 409, {
                    "code": "idempotency-mismatch",
                    "message": "key reused with another body",
                }
            payout = self.state["payouts"].get(seen.get("payout_id", ""))
            return (200, self._read(payout)) if payout else (seen["status"], seen["body"])
        try:
            req = json.loads(raw)
        except ValueError:
            return 400, {"code": "request-parsing-error", "message": "malformed JSON"}
        status, body = self._decide(req)
        made = body.pop("_made", "") or body.get("id", "")
        self.state["keys"][key] = {
            "digest": digest,
            "status": status,
            "body": body,
            "payout_id": made,
        }
        return status, body

    def _decide(self, req: dict):
        amount, mobile = req.get("receive_amount", ""), req.get("mobile", "")
        if req.get("currency") != "XOF" or not amount.isdigit() or amount.startswith("0"):
            return 400, {"code": "request-validation-error", "message": "bad currency or amount"}
        if not mobile.startswith("+") or not mobile[1:].isdigit():
            return 400, {"code": "request-validation-error", "message": "mobile must be E.164"}
        scenario = mobile[-2:]
        fee = int(amount) * FEE_PERCENT // 100
        if scenario == "00":
            return 422, {"code": "recipient-account-inactive", "message": "inactive wallet"}
        if scenario == "02":
            return 503, {"code": "service-unavailable", "message": "maintenance"}
        if scenario == "05" or int(amount) + fee > self.state["balance"]:
            return 422, {"code": "insufficient-funds", "message": "top up your wallet"}
        status = {"03": "processing", "04": "processing"}.get(scenario, "succeeded")
        payout = {
            "id": f"pt-{secrets.token_hex(6)}", "currency": "XOF", "receive_amount": amount,
            "fee": str(fee), "mobile": mobile, "name": req.get("name", ""),
            "client_reference": req.get("client_reference", ""), "status": status,
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "scenario": scenario,
        }  # fmt: skip
        self.state["payouts"][payout["id"]] = payout
        self.state["balance"] -= int(amount) + fee
        if scenario == "01":
            return 504, {
                "code": "gateway-timeout",
                "message": "upstream timeout",
                "_made": payout["id"],
            }
        if scenario == "06":
            return 500, {"code": "internal-server-error", "message": "oops", "_made": payout["id"]}
        return 200, self._read(payout)

    def _read(self, payout: dict) -> dict:
        if payout["status"] == "processing" and payout["scenario"] == "03" and payout.get("seen"):
            payout["status"] = "failed"
            payout["payout_error"] = {"error_code": "recipient-limit-exceeded"}
            self.state["balance"] += int(payout["receive_amount"]) + int(payout["fee"])
        payout["seen"] = True
        return {k: v for k, v in payout.items() if k not in ("scenario", "seen")}

    def _transactions(self, query: dict, page: int = 100) -> dict:
        """One day of balance movements (REFERENCE.md 1.8), oldest first, cursor-paged."""
        day = (query.get("date") or [datetime.now(UTC).strftime("%Y-%m-%d")])[0]
        after = int((query.get("after") or ["0"])[0] or 0)
        moved = [
            p for p in self.state["payouts"].values()
            if p["timestamp"].startswith(day) and p["status"] == "succeeded"
        ]  # fmt: skip
        items = [
            {"timestamp": p["timestamp"], "transaction_id": p["id"],
             "transaction_type": "merchant_payout", "amount": f"-{p['receive_amount']}",
             "fee": f"-{p['fee']}", "currency": p["currency"],
             "client_reference": p["client_reference"], "counterparty_mobile": p["mobile"]}
            for p in sorted(moved, key=lambda p: p["timestamp"])[after : after + page]
        ]  # fmt: skip
        more = after + page < len(moved)
        return {
            "items": items,
            "page_info": {"has_next_page": more, "end_cursor": str(after + page) if more else None},
        }

    def _by_ref(self, ref: str) -> list[dict]:
        return [p for p in self.state["payouts"].values() if ref and p["client_reference"] == ref]
