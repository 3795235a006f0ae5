"""Optional error reporting to Sentry. Nothing personal leaves: no default PII, no request
bodies, and every message and breadcrumb passes the log redaction first."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from config.log_redaction import redact


def _scrub(event, hint):
    for entry in event.get("exception", {}).get("values", []):
        if "value" in entry:
            entry["value"] = redact(str(entry["value"]))
    if "message" in event:
        event["message"] = redact(str(event["message"]))
    request = event.get("request") or {}
    request.pop("data", None)
    request.pop("cookies", None)
    (request.get("headers") or {}).pop("Authorization", None)
    return event


def init_sentry(dsn: str, *, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=_scrub,
    )
