"""Euro funding through Stripe with its official SDK (REFERENCE.md section 4).

Senders pay by SEPA credit transfer to a virtual IBAN: a PaymentIntent with the
`customer_balance` method and an `eu_bank_transfer`, whose instructions (IBAN, BIC, reference)
we show. Or by SEPA Direct Debit: a PaymentIntent with `sepa_debit`, the sender's IBAN and the
online mandate acceptance, which stays `processing` for days before `succeeded` or
`payment_failed`. Stripe tells us what happened by webhooks (payments.webhook_handlers);
refunds go out with `refunds.create` and are confirmed by `refund.*` events. Every POST
carries an idempotency key derived from our own ids, never the SDK's random one, and the
SDK's own network retries are off: a retry is ours to decide.
Assumptions: Stripe's EU virtual IBANs take the country FR for French senders; a payment made
by bank transfer is refunded with `refunds.create(payment_intent=…)` like any other, Stripe
taking care of returning it from the customer's cash balance to their bank.
"""

import functools
import time
from dataclasses import dataclass
from types import SimpleNamespace

import stripe
from django.conf import settings

from providers import http
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)


@dataclass(frozen=True, slots=True)
class FundingInstructions:
    customer: str
    payment_intent: str
    iban: str
    bic: str
    account_holder: str
    reference: str
    amount_minor: int
    currency: str


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    """One client per key and address, reused: a new one loads the CA bundle again (~3 ms of
    CPU on every funding request)."""
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(secret_key, base_addresses=base, max_network_retries=0)


def _call(operation: str, correlation: str, fn):
    """Run one SDK call, record it, and turn its errors into our four kinds."""
    started = time.perf_counter()
    outcome, status = "ok", 200
    try:
        return fn()
    except stripe.AuthenticationError as exc:
        outcome, status = "http_401", 401
        raise ProviderConfigError(f"Stripe: {exc.user_message}", code="auth") from exc
    except stripe.APIConnectionError as exc:
        outcome, status = "connection_error", None
        raise RetryableError(f"Stripe unreachable: {exc.user_message}", code="connect") from exc
    except stripe.InvalidRequestError as exc:
        outcome, status = f"http_{exc.http_status}", exc.http_status
        raise PermanentError(f"Stripe: {exc.user_message}", code=exc.code or "invalid") from exc
    except stripe.StripeError as exc:
        outcome, status = f"http_{exc.http_status}", exc.http_status
        raise UnknownOutcomeError(f"Stripe: {exc.user_message}", code=exc.code or "") from exc
    finally:
        http.record(
            provider="stripe",
            operation=operation,
            method="POST",
            url=settings.STRIPE_API_BASE or "https://api.stripe.com",
            status_code=status,
            outcome=outcome,
            started=started,
            correlation=correlation,
        )


def _customer(sdk: stripe.StripeClient, email: str, name: str, correlation: str, known: str = ""):
    """The sender as a Stripe customer: the one we stored, or a new one (once per email while
    Stripe keeps the idempotency key, 24 hours; the caller stores it for good)."""
    if known:
        return SimpleNamespace(id=known)
    return _call(
        "create_customer",
        correlation,
        lambda: sdk.v1.customers.create(
            params={"email": email, "name": name},
            options={"idempotency_key": f"customer:{email}"},
        ),
    )


def _payment_intent(sdk, transfer_reference, idempotency_key, *, amount_minor, currency,
                    customer, method: dict):  # fmt: skip
    """A confirmed PaymentIntent for a transfer, paid by `method`; once per idempotency key."""
    return _call(
        "create_payment_intent",
        transfer_reference,
        lambda: sdk.v1.payment_intents.create(
            params={
                "amount": amount_minor,
                "currency": currency.lower(),
                "customer": customer,
                **method,
                "confirm": True,
                "metadata": {"transfer_reference": transfer_reference},
            },
            options={"idempotency_key": idempotency_key},
        ),
    )


def bank_transfer_instructions(
    *,
    transfer_reference: str,
    amount_minor: int,
    currency: str,
    email: str,
    name: str,
    customer: str = "",
) -> FundingInstructions:
    """Create (or, with the same reference, find again) the PaymentIntent a transfer is paid to.
    `customer`: the sender's Stripe customer when we have it (it keeps their virtual IBAN);
    otherwise one is made (once per email)."""
    sdk = client()
    customer = _customer(sdk, email, name, transfer_reference, known=customer)
    intent = _payment_intent(
        sdk,
        transfer_reference,
        f"funding:{transfer_reference}",
        amount_minor=amount_minor,
        currency=currency,
        customer=customer.id,
        method={
            "payment_method_types": ["customer_balance"],
            "payment_method_data": {"type": "customer_balance"},
            "payment_method_options": {
                "customer_balance": {
                    "funding_type": "bank_transfer",
                    "bank_transfer": {
                        "type": "eu_bank_transfer",
                        "eu_bank_transfer": {"country": "FR"},
                    },
                }
            },
        },
    )
    shown = intent.next_action.display_bank_transfer_instructions
    iban = shown.financial_addresses[0].iban
    return FundingInstructions(
        customer=customer.id,
        payment_intent=intent.id,
        iban=iban.iban,
        bic=iban.bic,
        account_holder=iban.account_holder_name,
        reference=shown.reference,
        amount_minor=shown.amount_remaining,
        currency=shown.currency.upper(),
    )


@dataclass(frozen=True, slots=True)
class DirectDebit:
    customer: str
    payment_intent: str
    status: str
    iban_last4: str


def direct_debit(
    *,
    transfer_reference: str,
    amount_minor: int,
    currency: str,
    email: str,
    name: str,
    iban: str,
    ip_address: str,
    user_agent: str,
    customer: str = "",
) -> DirectDebit:
    """Debit the sender's IBAN under a mandate they accepted online just now.

    Idempotent per transfer: asking again replays Stripe's first answer.
    """
    sdk = client()
    customer = _customer(sdk, email, name, transfer_reference, known=customer)
    intent = _payment_intent(
        sdk,
        transfer_reference,
        f"debit:{transfer_reference}",
        amount_minor=amount_minor,
        currency=currency,
        customer=customer.id,
        method={
            "payment_method_types": ["sepa_debit"],
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": iban},
                "billing_details": {"name": name, "email": email},
            },
            "mandate_data": {
                "customer_acceptance": {
                    "type": "online",
                    "online": {"ip_address": ip_address, "user_agent": user_agent},
                }
            },
        },
    )
    return DirectDebit(
        customer=customer.id, payment_intent=intent.id, status=intent.status, iban_last4=iban[-4:]
    )


def refund(*, payment_intent: str, amount_minor: int, reference: str) -> tuple[str, str]:
    """Give a payment back; our reference is the idempotency key. Returns (id, status)."""
    sdk = client()
    made = _call(
        "create_refund",
        reference,
        lambda: sdk.v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": amount_minor,
                "metadata": {"refund_reference": reference},
            },
            options={"idempotency_key": f"refund:{reference}"},
        ),
    )
    return made.id, made.status


def cancel_intent(*, payment_intent: str, reference: str) -> str:
    """Cancel an unpaid PaymentIntent (money applied to it returns to the cash balance)."""
    sdk = client()
    cancelled = _call(
        "cancel_payment_intent",
        reference,
        lambda: sdk.v1.payment_intents.cancel(
            payment_intent,
            params={"cancellation_reason": "abandoned"},
            options={"idempotency_key": f"cancel:{reference}"},
        ),
    )
    return cancelled.status


def refund_cash_balance(
    *, customer: str, amount_minor: int, currency: str, reference: str, reason: str
) -> str:
    """Return money from a customer's cash balance to their bank account."""
    sdk = client()
    made = _call(
        "refund_cash_balance",
        reference,
        lambda: sdk.v1.refunds.create(
            params={
                "customer": customer,
                "origin": "customer_balance",
                "amount": amount_minor,
                "currency": currency.lower(),
                "metadata": {"reason": reason[:200]},
            },
            options={"idempotency_key": reference},
        ),
    )
    return made.id


def sandbox_fund(
    *, customer: str, amount_minor: int, currency: str, reference: str, webhooks: str = "normal"
) -> None:
    """Test mode only: ask Stripe to simulate the sender's bank transfer arriving.

    `webhooks` is understood by our simulator only: normal, duplicate, out-of-order, never.
    """
    params = {"amount": amount_minor, "currency": currency.lower(), "reference": reference}
    if webhooks != "normal":
        params["sandbox_webhooks"] = webhooks
    sdk = client()
    _call(
        "fund_cash_balance",
        reference,
        lambda: sdk.v1.test_helpers.customers.fund_cash_balance(customer, params=params),
    )
