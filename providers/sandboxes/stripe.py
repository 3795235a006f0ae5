"""Stripe simulator on loopback: enough of the API for SEPA funding and refunds, and the
signed webhooks Stripe sends (REFERENCE.md section 4).

Customers, PaymentIntents with `customer_balance` + `eu_bank_transfer` (virtual IBAN
instructions), idempotency keys replaying the first answer, and the test helper
`POST /v1/test_helpers/customers/{id}/fund_cash_balance`, which settles the customer's open
PaymentIntent with that reference: fully paid sends `payment_intent.succeeded`, short sends
`payment_intent.partially_funded`, each signed with the endpoint secret and delivered to our
`/webhooks/stripe/` (or to a `deliver` function given by tests). The extra parameter
`sandbox_webhooks` switches delivery to `duplicate`, `out-of-order` (a stale
`partially_funded` after the newer event) or `never`. With `api_faults` (a fraction), that
share of API calls, test helpers aside, answers 500 `api_error` before doing anything (fault
campaigns).

SEPA Direct Debit PaymentIntents answer `processing` (and send it), then settle after
`debit_seconds` by Stripe's own test IBANs: DE62370400440532013001 fails,
DE78370400440532013004 fails later, DE08370400440532013003 succeeds later,
DE35370400440532013002 succeeds and is disputed at once, any other IBAN succeeds ("later" is
three times as long). `POST /v1/refunds` answers `pending`, sends `refund.created`, then
`refund.updated` with `succeeded` (or `refund.failed` when `refund_outcome` is "failed").
Each customer's cash balance moves as Stripe reports it (`customer_cash_balance_transaction
.created`): funded on arrival, applied to the PaymentIntent it pays, unapplied when that is
cancelled, returned by a refund with `origin=customer_balance`. What is over-paid stays there.
"""

import json
import random
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl

import stripe

from providers.sandboxes.delivery import post_in_background, run_later


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


# Stripe's SEPA Direct Debit test IBANs: (outcome, slow, disputed).
DEBIT_IBANS = {
    "DE62370400440532013001": ("failed", False, False),
    "DE78370400440532013004": ("failed", True, False),
    "DE08370400440532013003": ("succeeded", True, False),
    "DE35370400440532013002": ("succeeded", False, True),
}


def _error(code: str, message: str, status: int = 400):
    return (
        status,
        {"error": {"type": "invalid_request_error", "code": code, "message": message}},
        [],
    )


class StripeSimulator:
    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        webhook_url: str,
        deliver=None,
        debit_seconds: float = 0.0,
        api_faults: float = 0.0,
    ):
        self.api_key, self.webhook_secret, self.webhook_url = api_key, webhook_secret, webhook_url
        self.deliver = deliver or self._post_in_background
        self.debit_seconds = debit_seconds
        self.api_faults = api_faults
        self.random = random.Random(4242)  # noqa: S311 - fault injection, not security
        self.refund_outcome = "succeeded"
        self.scheduled = None  # (delay, settle) set by a route that settles later
        self.lock = threading.Lock()
        self.customers: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.cash: dict[str, int] = {}  # each customer's cash balance, in cents
        self.replies: dict[str, tuple[int, dict]] = {}

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.api_key}":
            error = {"type": "invalid_request_error", "message": "Invalid API Key provided"}
            return self._send(start_response, 401, {"error": error})
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        params = nest(parse_qsl(raw, keep_blank_values=True))
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        path = environ.get("PATH_INFO", "")
        if self.api_faults and not path.startswith("/v1/test_helpers/"):
            with self.lock:
                failing = self.random.random() < self.api_faults
            if failing:
                error = {"type": "api_error", "message": "An unexpected error occurred"}
                return self._send(start_response, 500, {"error": error})
        events, later = [], None
        with self.lock:
            if key and key in self.replies:
                status, body = self.replies[key]
            else:
                self.scheduled = None
                status, body, events = self._route(environ["REQUEST_METHOD"], path, params)
                later = self.scheduled
                if key:
                    self.replies[key] = (status, body)
            reply = json.dumps(body).encode()  # as it is now, before anything settles
        for event in events:
            self.deliver(event)
        if later is not None:
            self._after(*later)
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [reply]

    def _after(self, delay: float, settle) -> None:
        """Run `settle` (which returns the events to send) now, or after `delay` seconds."""

        def run():
            with self.lock:
                events = settle()
            for event in events:
                self.deliver(event)

        run_later(delay, run)

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
            if "sepa_debit" in (params.get("payment_method_types") or []):
                return self._create_debit(params)
            return self._create_intent(params)
        if method == "POST" and path == "/v1/refunds":
            if params.get("origin") == "customer_balance":
                return self._refund_cash(params)
            return self._create_refund(params)
        found = re.fullmatch(r"/v1/payment_intents/([^/]+)/cancel", path)
        if method == "POST" and found:
            return self._cancel(found.group(1))
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

    def _create_debit(self, params):
        customer = params.get("customer")
        iban = ((params.get("payment_method_data") or {}).get("sepa_debit") or {}).get("iban", "")
        if customer not in self.customers or not iban:
            return _error("parameter_missing", "A customer and a sepa_debit IBAN are required")
        intent = {
            "id": f"pi_{secrets.token_hex(12)}", "object": "payment_intent",
            "amount": int(params["amount"]), "amount_received": 0,
            "currency": params.get("currency", "eur"), "customer": customer,
            "status": "processing", "metadata": params.get("metadata", {}),
            "payment_method_types": ["sepa_debit"], "next_action": None,
            "last_payment_error": None, "latest_charge": f"py_{secrets.token_hex(12)}",
        }  # fmt: skip
        self.intents[intent["id"]] = intent
        outcome, slow, disputed = DEBIT_IBANS.get(iban, ("succeeded", False, False))
        delay = self.debit_seconds * (3 if slow else 1)

        def settle():
            if outcome == "failed":
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {
                    "type": "invalid_request_error", "code": "payment_method_invalid_parameter",
                    "message": "The customer's bank account could not be debited.",
                }  # fmt: skip
                return [self._event("payment_intent.payment_failed", intent)]
            intent["status"], intent["amount_received"] = "succeeded", intent["amount"]
            events = [self._event("payment_intent.succeeded", intent)]
            if disputed:
                dispute = {
                    "id": f"dp_{secrets.token_hex(12)}", "object": "dispute",
                    "amount": intent["amount"], "currency": intent["currency"],
                    "charge": intent["latest_charge"], "payment_intent": intent["id"],
                    "reason": "general", "status": "lost",
                }  # fmt: skip
                events.append(self._event("charge.dispute.created", dispute))
            return events

        self.scheduled = (delay, settle)
        return 200, intent, [self._event("payment_intent.processing", intent)]

    def _create_refund(self, params):
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return _error("charge_not_refundable", "This PaymentIntent has no payment to refund.")
        refunded = sum(
            r["amount"] for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] != "failed"
        )  # fmt: skip
        amount = int(params.get("amount") or intent["amount_received"] - refunded)
        if amount <= 0 or refunded + amount > intent["amount_received"]:
            return _error("amount_too_large", "Refund amount is greater than unrefunded amount.")
        refund = {
            "id": f"re_{secrets.token_hex(12)}", "object": "refund", "amount": amount,
            "currency": intent["currency"], "payment_intent": intent["id"],
            "status": "pending", "metadata": params.get("metadata", {}), "failure_reason": None,
        }  # fmt: skip
        self.refunds[refund["id"]] = refund
        created = self._event("refund.created", refund)

        def settle():
            if self.refund_outcome == "failed":
                refund["status"], refund["failure_reason"] = "failed", "lost_or_stolen_card"
                return [self._event("refund.failed", refund)]
            refund["status"] = "succeeded"
            return [self._event("refund.updated", refund)]

        self.scheduled = (self.debit_seconds, settle)
        return 200, refund, [created]

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
        txn = self._cash_move(customer, "funded", amount, reference=reference)
        moves = [self._event("customer_cash_balance_transaction.created", txn)]
        if intent is None:
            return 200, txn, moves
        shown = self._instructions(intent)
        paid = min(amount, shown["amount_remaining"])
        shown["amount_remaining"] -= paid
        intent["amount_received"] += paid
        applied = self._cash_move(
            customer, "applied_to_payment", -paid, payment_intent=intent["id"]
        )
        moves.append(self._event("customer_cash_balance_transaction.created", applied))
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
        return 200, txn, moves + events

    def _cash_move(self, customer, kind, net, **details):
        """One movement of a customer's cash balance, as Stripe reports it."""
        self.cash[customer] = self.cash.get(customer, 0) + net
        return {
            "id": f"ccsbtxn_{secrets.token_hex(8)}", "object": "customer_cash_balance_transaction",
            "customer": customer, "currency": "eur", "type": kind, "net_amount": net,
            "ending_balance": self.cash[customer], **details,
        }  # fmt: skip

    def _cancel(self, intent_id):
        """Cancel an unpaid PaymentIntent; what was applied to it goes back to the balance."""
        intent = self.intents.get(intent_id)
        if intent is None:
            return _error("resource_missing", f"No such payment_intent: {intent_id}", 404)
        if intent["status"] in ("succeeded", "canceled"):
            return _error("payment_intent_unexpected_state",
                          f"This PaymentIntent is {intent['status']}.")  # fmt: skip
        intent["status"], intent["cancellation_reason"] = "canceled", "abandoned"
        events = []
        if intent["amount_received"]:
            back = self._cash_move(intent["customer"], "unapplied_from_payment",
                                   intent["amount_received"], payment_intent=intent_id)  # fmt: skip
            events.append(self._event("customer_cash_balance_transaction.created", back))
        events.append(self._event("payment_intent.canceled", intent))
        return 200, intent, events

    def _refund_cash(self, params):
        """Return money from a customer's cash balance to their bank account.
        Assumption: the cash-balance transaction is typed `return_initiated`."""
        customer, amount = params.get("customer", ""), int(params.get("amount") or 0)
        if amount <= 0 or amount > self.cash.get(customer, 0):
            return _error("amount_too_large", "The customer's cash balance is too low.")
        refund = {
            "id": f"re_{secrets.token_hex(12)}", "object": "refund", "amount": amount,
            "currency": params.get("currency", "eur"), "customer": customer,
            "origin": "customer_balance", "status": "pending",
            "metadata": params.get("metadata", {}),
        }  # fmt: skip
        returned = self._cash_move(customer, "return_initiated", -amount, refund=refund["id"])
        return 200, refund, [self._event("customer_cash_balance_transaction.created", returned)]

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
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        post_in_background(self.webhook_url, body.encode(), headers)
