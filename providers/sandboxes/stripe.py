"""Stripe simulator on loopback: enough of the API for SEPA bank-transfer funding, and the
signed webhooks Stripe sends (REFERENCE.md section 4).

Customers, PaymentIntents with `customer_balance` + `eu_bank_transfer` (virtual IBAN
instructions), idempotency keys replaying the first answer, and the test helper
`POST /v1/test_helpers/customers/{id}/fund_cash_balance`, which settles the customer's open
PaymentIntent with that reference: fully paid sends `payment_intent.succeeded`, short sends
`payment_intent.partially_funded`, each signed with the endpoint secret and delivered to our
`/webhooks/stripe/` (or to a `deliver` function given by tests). The extra parameter
`sandbox_webhooks` switches delivery to `duplicate`, `out-of-order` (a stale
`partially_funded` after the newer event) or `never`.
"""

import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl

import httpx
import stripe


def nest(pairs: list[tuple[str, str]]) -> dict:
    """`a[b][0]=x` form encoding (as the SDK sends it) back into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, following in zip(parts, parts[1:], strict=False):
            node = node.setdefault(part, [] if following.isdigit() else {})
            if isinstance(node, list):
                index = int(following)
                while len(node) <= index:
                    node.append({})
        if isinstance(node, list):
            node[int(parts[-1])] = value
        else:
            node[parts[-1]] = value
    return root


class StripeSimulator:
    def __init__(self, *, api_key: str, webhook_secret: str, webhook_url: str, deliver=None):
        self.api_key, self.webhook_secret, self.webhook_url = api_key, webhook_secret, webhook_url
        self.deliver = deliver or self._post_in_background
        self.lock = threading.Lock()
        self.customers: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.replies: dict[str, tuple[int, dict]] = {}

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.api_key}":
            error = {"type": "invalid_request_error", "message": "Invalid API Key provided"}
            return self._send(start_response, 401, {"error": error})
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        params = nest(parse_qsl(raw, keep_blank_values=True))
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        path = environ.get("PATH_INFO", "")
        events = []
        with self.lock:
            if key and key in self.replies:
                status, body = self.replies[key]
            else:
                status, body, events = self._route(environ["REQUEST_METHOD"], path, params)
                if key:
                    self.replies[key] = (status, body)
        for event in events:
            self.deliver(event)
        return self._send(start_response, status, body)

    @staticmethod
    def _send(start_response, status, body):
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _route(self, method, path, params):
        if method == "POST" and path == "/v1/customers":
            customer = {"id": f"cus_{secrets.token_hex(7)}", "object": "customer", **params}
            self.customers[customer["id"]] = customer
            return 200, customer, []
        if method == "POST" and path == "/v1/payment_intents":
            return self._create_intent(params)
        found = re.fullmatch(r"/v1/test_helpers/customers/([^/]+)/fund_cash_balance", path)
        if method == "POST" and found:
            return self._fund(found.group(1), params)
        error = {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}
        return 404, {"error": error}, []

    def _create_intent(self, params):
        customer = params.get("customer")
        if customer not in self.customers:
            error = {"type": "invalid_request_error", "code": "resource_missing",
                     "message": f"No such customer: {customer}"}  # fmt: skip
            return 400, {"error": error}, []
        amount = int(params["amount"])
        intent = {
            "id": f"pi_{secrets.token_hex(12)}", "object": "payment_intent", "amount": amount,
            "amount_received": 0, "currency": params.get("currency", "eur"), "customer": customer,
            "status": "requires_action", "metadata": params.get("metadata", {}),
            "payment_method_types": ["customer_balance"],
            "next_action": {
                "type": "display_bank_transfer_instructions",
                "display_bank_transfer_instructions": {
                    "amount_remaining": amount, "currency": params.get("currency", "eur"),
                    "reference": secrets.token_hex(4).upper(), "type": "eu_bank_transfer",
                    "financial_addresses": [{
                        "type": "iban", "supported_networks": ["sepa"],
                        "iban": {"account_holder_name": "MoneyBridge SAS", "bic": "SXPYDEHH",
                                 "country": "DE", "iban": "DE31100101239876543210"},
                    }],
                },
            },
        }  # fmt: skip
        self.intents[intent["id"]] = intent
        return 200, intent, []

    def _fund(self, customer, params):
        amount, reference = int(params["amount"]), params.get("reference", "")
        open_intents = [
            i for i in self.intents.values()
            if i["customer"] == customer and i["status"] == "requires_action"
        ]  # fmt: skip
        intent = next(
            (i for i in open_intents if self._instructions(i)["reference"] == reference),
            open_intents[0] if open_intents else None,
        )
        txn = {
            "id": f"ccsbtxn_{secrets.token_hex(8)}",
            "object": "customer_cash_balance_transaction",
            "customer": customer,
            "net_amount": amount,
            "type": "funded",
        }
        if intent is None:
            return 200, txn, []
        shown = self._instructions(intent)
        paid = min(amount, shown["amount_remaining"])
        shown["amount_remaining"] -= paid
        intent["amount_received"] += paid
        earlier = self._event("payment_intent.partially_funded", intent)
        if shown["amount_remaining"] == 0:
            intent["status"] = "succeeded"
            intent["next_action"] = None
            kind = "payment_intent.succeeded"
        else:
            kind = "payment_intent.partially_funded"
        event = self._event(kind, intent)
        mode = params.get("sandbox_webhooks", "normal")
        events = {
            "duplicate": [event, event],  # the same event id delivered twice
            "out-of-order": [event, earlier],  # a stale event arrives after the newer one
            "never": [],  # the webhook is lost
        }.get(mode, [event])
        return 200, txn, events

    @staticmethod
    def _instructions(intent):
        return intent["next_action"]["display_bank_transfer_instructions"]

    @staticmethod
    def _event(kind, obj):
        return {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
        }

    def signed(self, event: dict) -> tuple[str, str]:
        body = json.dumps(event)
        return body, stripe.WebhookSignature.generate_signature_header(body, self.webhook_secret)

    def _post_in_background(self, event: dict) -> None:
        body, signature = self.signed(event)

        def post():
            for delay in (0, 1, 5):  # Stripe retries; a few tries are enough on loopback
                time.sleep(delay)
                try:
                    response = httpx.post(
                        self.webhook_url, content=body, timeout=5,
                        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                    )  # fmt: skip
                    if response.status_code < 500:
                        return
                except httpx.HTTPError:
                    continue

        threading.Thread(target=post, daemon=True).start()
