"""The only place that builds HTTP clients for providers and records every call.

Timeouts are always explicit. Nothing here retries: whether a call is safe to repeat is the
adapter's decision (a GET of a rate is, a POST of a payout never is without its idempotency
key). Every call is recorded in ProviderCall with secrets and personal data redacted.
"""

import functools
import json
import re
import ssl
import time
from contextlib import contextmanager

import httpx
from django.conf import settings

from providers.errors import RetryableError, UnknownOutcomeError
from providers.models import ProviderCall

SECRET_FIELDS = {"password", "client_secret", "access_token", "refresh_token", "api_key", "pin"}
PERSONAL_FIELDS = {"msisdn", "mobile", "phone", "partyid", "receive_amount_phone", "name"}
BODY_LIMIT = 4000


@functools.cache
def tls() -> ssl.SSLContext:
    """One TLS context (system CA bundle, verification on) for every client: building one
    reads the whole bundle, ~20 ms of CPU, which a client per call would pay every time."""
    return httpx.create_ssl_context()


def client(*, base_url: str, timeout: float = 10.0, connect_timeout: float = 3.0, headers=None):
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        headers=headers or {},
        verify=tls(),
    )


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def redact_body(body: str | bytes | None, secrets: tuple[str, ...] = ()) -> str:
    """JSON bodies lose secret fields and keep only the last 3 characters of personal ones."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return redact_text(text, secrets)[:BODY_LIMIT]
    return redact_text(json.dumps(_redact(data), ensure_ascii=False), secrets)[:BODY_LIMIT]


def _redact(value):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            lowered = key.lower()
            if lowered in SECRET_FIELDS:
                out[key] = "***"
            elif lowered in PERSONAL_FIELDS and isinstance(item, str):
                out[key] = "…" + item[-3:]
            else:
                out[key] = _redact(item)
        return out
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


def request(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    operation: str,
    correlation: str = "",
    secrets: tuple[str, ...] = (),
    **kwargs,
) -> httpx.Response:
    """Send one request and record it, answered or not. Raises httpx errors as they come."""
    started = time.perf_counter()
    response = None
    outcome = "ok"
    try:
        response = http.request(method, url, **kwargs)
        if response.status_code >= 400:
            outcome = f"http_{response.status_code}"
        return response
    except httpx.HTTPError as exc:
        outcome = _snake(type(exc).__name__)
        raise
    finally:
        record(
            provider=provider,
            operation=operation,
            method=method,
            url=str(http.base_url.join(url)) if http.base_url else url,
            status_code=response.status_code if response is not None else None,
            outcome=outcome,
            started=started,
            correlation=correlation,
            request_body=kwargs.get("content") or _json(kwargs.get("json")),
            response_body=response.content if response is not None else "",
            secrets=secrets,
        )


def record(
    *,
    provider: str,
    operation: str,
    method: str,
    url: str,
    status_code: int | None,
    outcome: str,
    started: float,
    correlation: str = "",
    request_body: str | bytes = "",
    response_body: str | bytes = "",
    secrets: tuple[str, ...] = (),
) -> None:
    """Record one call, for clients we do not build ourselves (the Stripe SDK) too."""
    ProviderCall.objects.create(
        provider=provider,
        operation=operation,
        method=method.upper(),
        url=redact_text(url, secrets)[:500],
        status_code=status_code,
        outcome=outcome[:40],
        latency_ms=int((time.perf_counter() - started) * 1000),
        correlation=correlation[:60],
        request_body=redact_body(request_body, secrets),
        response_body=redact_body(response_body, secrets),
    )


def callback_url(slug: str) -> str:
    """Where a provider that signs nothing calls us back, with our token in the URL; '' when
    no public base is set (we then rely on status queries alone)."""
    base = settings.PROVIDER_CALLBACK_BASE.rstrip("/")
    if not base:
        return ""
    token = settings.PROVIDER_CALLBACK_TOKEN
    return f"{base}/webhooks/{slug}/" + (f"?token={token}" if token else "")


def _json(value) -> str:
    return json.dumps(value) if value is not None else ""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@contextmanager
def sending(provider: str):
    """Around a payout POST: a connection never made means nothing was sent (retryable); any
    other transport failure happened after sending, so the outcome is unknown."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise RetryableError(f"{provider} unreachable: {exc}", code="connect_error") from exc
    except httpx.HTTPError as exc:
        raise UnknownOutcomeError(f"{provider}: {type(exc).__name__}", code="no_answer") from exc


@contextmanager
def reading(provider: str):
    """Around a call that moves no money (a balance): any transport failure is retryable."""
    try:
        yield
    except httpx.HTTPError as exc:
        raise RetryableError(f"{provider}: {type(exc).__name__}", code="no_answer") from exc


def json_body(response: httpx.Response) -> dict:
    """The answer's JSON object, or {} for anything else (an error page, an empty body)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
