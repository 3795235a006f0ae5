"""Verifying providers' webhooks. Each verifier takes the raw body and headers and returns
(event id, event type, parsed body) or raises WebhookRejected.

Trip-wire (REFERENCE.md section 0): Wave signs `timestamp + body` with no separator; Stripe
signs `timestamp.body` with a dot. Stripe's own SDK verifies Stripe's.
"""

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

import stripe
from django.conf import settings

TOLERANCE_SECONDS = 300


class WebhookRejected(Exception):
    pass


@dataclass(frozen=True)
class VerifiedEvent:
    event_id: str
    event_type: str
    data: dict


# Our transfer references (payments.references), alone or inside an attempt reference.
TRANSFER_REFERENCE = re.compile(rb"MB-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def transfer_reference_in(body: bytes) -> str:
    """The transfer an event is about, for the transfer's page (empty when it names none)."""
    found = TRANSFER_REFERENCE.search(body)
    return found.group().decode() if found else ""


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookRejected("body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected("body is not a JSON object")
    return data


def verify_stripe(body: bytes, headers) -> VerifiedEvent:
    signature = headers.get("Stripe-Signature", "")
    if not signature:
        raise WebhookRejected("no Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            body.decode("utf-8", "replace"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected(f"Stripe signature: {exc.user_message or exc}") from None
    data = _json(body)
    if not data.get("id") or not data.get("type"):
        raise WebhookRejected("Stripe event without id or type")
    return VerifiedEvent(data["id"], data["type"], data)


def wave_signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + body, hashlib.sha256).hexdigest()


def verify_wave(body: bytes, headers) -> VerifiedEvent:
    header = headers.get("Wave-Signature", "")
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    timestamp = next((v.strip() for k, v in parts if k.strip() == "t"), "")
    signatures = [v.strip() for k, v in parts if k.strip() == "v1"]
    if not timestamp.isdigit() or not signatures:
        raise WebhookRejected("no usable Wave-Signature header")
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise WebhookRejected("Wave signature timestamp outside the replay window")
    expected = [wave_signature(s, int(timestamp), body) for s in settings.WAVE_WEBHOOK_SECRETS]
    if not any(hmac.compare_digest(e, s) for e in expected for s in signatures):
        raise WebhookRejected("Wave signature does not match")
    data = _json(body)
    if not data.get("id") or not data.get("type"):
        raise WebhookRejected("Wave event without id or type")
    return VerifiedEvent(data["id"], data["type"], data)


def _hint(provider: str, reference_field: str):
    """MTN and Orange sign nothing (REFERENCE.md 2.3, 3.8): their callbacks are kept as hints
    only, never applied as facts. Processing asks the provider for the status instead."""

    def verify(body: bytes, headers) -> VerifiedEvent:
        if settings.PROVIDER_CALLBACK_TOKEN and not hmac.compare_digest(
            headers.get("X-Callback-Token", ""), settings.PROVIDER_CALLBACK_TOKEN
        ):
            raise WebhookRejected("callback token missing or wrong")
        data = _json(body)
        reference = str(data.get(reference_field) or "")
        if not reference:
            raise WebhookRejected(f"{provider} callback without {reference_field}")
        status = str(data.get("status") or data.get("transactionStatus") or "")
        digest = hashlib.sha256(body).hexdigest()[:16]
        return VerifiedEvent(f"{reference}:{status}:{digest}", "payout.callback", data)

    return verify


VERIFIERS = {
    "stripe": verify_stripe,
    "wave": verify_wave,
    "mtn_momo": _hint("mtn_momo", "externalId"),
    "orange_money": _hint("orange_money", "reference"),
}
